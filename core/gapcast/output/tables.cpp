#include "gapcast/output/tables.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace gapcast {
namespace {

std::string pad(const std::string& text, std::size_t width) {
  // Pads by code points so that the en dash and other non-ASCII characters line up.
  std::size_t columns = 0;
  for (unsigned char c : text) columns += (c & 0xC0) != 0x80 ? 1 : 0;
  return columns >= width ? text : text + std::string(width - columns, ' ');
}

/// Index of the quantile level closest to q, or -1.
int quantile_slot(const Results& r, double q) {
  for (std::size_t i = 0; i < r.quantiles.size(); ++i) {
    if (std::abs(r.quantiles[i] - q) < 1e-9) return static_cast<int>(i) + 1;
  }
  return -1;
}

std::string interval_text(double median, double lo, double hi, const char* suffix = "") {
  auto f = [&](double x) {
    if (std::isnan(x)) return std::string("n/a");
    if (std::isinf(x)) return std::string(x > 0 ? "never" : "-never");
    return format_compact(x) + suffix;
  };
  std::string text = f(median);
  if (!std::isnan(lo) || !std::isnan(hi)) text += " [" + f(lo) + ", " + f(hi) + "]";
  return text;
}

struct Band {
  int median, low, high;
};

Band band(const Results& r) {
  const int median = quantile_slot(r, 0.5);
  int low = quantile_slot(r, 0.05), high = quantile_slot(r, 0.95);
  if (low < 0 && !r.quantiles.empty()) low = 1;
  if (high < 0 && !r.quantiles.empty()) high = static_cast<int>(r.quantiles.size());
  return {median, low, high};
}

std::string header(const Results& r, const std::vector<std::size_t>& months,
                   std::size_t name_width, std::size_t column) {
  std::string line = pad("scenario", name_width);
  for (std::size_t k : months) line += pad(r.dates[k], column);
  return line + "\n";
}

std::string block(const Results& r, const std::vector<std::size_t>& months,
                  const std::string& metric, const std::string& title, bool skip_self = false,
                  const char* suffix = "") {
  const int m = r.metric_index(metric);
  if (m < 0) return "";
  const auto& info = r.metrics[static_cast<std::size_t>(m)];
  const Band b = band(r);
  std::size_t name_width = 10;
  for (const auto& s : r.scenarios) name_width = std::max(name_width, s.name.size() + 2);
  const std::size_t column = 26;
  std::string out = title + " (" + info.unit + ")\n" + header(r, months, name_width, column);
  for (std::size_t s = 0; s < r.scenarios.size(); ++s) {
    if (skip_self && info.compared_with == "baseline" && r.scenarios[s].name == "baseline") continue;
    if (skip_self && info.compared_with == "no_controls" && r.scenarios[s].name == "no_controls") continue;
    std::string line = pad(r.scenarios[s].name, name_width);
    for (std::size_t k : months) {
      auto stat = [&](int slot) {
        return slot < 0 ? std::nan("") : r.series_value(s, static_cast<std::size_t>(m), k,
                                                        static_cast<std::size_t>(slot));
      };
      std::string cell;
      if (info.kind == MetricKind::probability) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%.0f%%", 100.0 * stat(0));
        cell = buffer;
      } else {
        cell = interval_text(stat(b.median), stat(b.low), stat(b.high), suffix);
      }
      line += pad(cell, column);
    }
    out += line + "\n";
  }
  return out + "\n";
}

}  // namespace

std::string format_compact(double value) {
  if (std::isnan(value)) return "n/a";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  const double a = std::abs(value);
  char buffer[32];
  if (a >= 1e15) std::snprintf(buffer, sizeof buffer, "%.2e", value);
  else if (a >= 1e12) std::snprintf(buffer, sizeof buffer, "%.3gT", value / 1e12);
  else if (a >= 1e9) std::snprintf(buffer, sizeof buffer, "%.3gB", value / 1e9);
  else if (a >= 1e6) std::snprintf(buffer, sizeof buffer, "%.3gM", value / 1e6);
  else if (a >= 1e4) std::snprintf(buffer, sizeof buffer, "%.3gk", value / 1e3);
  else if (a >= 100) std::snprintf(buffer, sizeof buffer, "%.0f", value);
  else if (a >= 0.01 || a == 0.0) std::snprintf(buffer, sizeof buffer, "%.3g", value);
  else std::snprintf(buffer, sizeof buffer, "%.2e", value);
  return buffer;
}

std::vector<std::size_t> report_months(const Results& r, const std::vector<int>& years) {
  std::vector<std::size_t> out;
  auto find = [&](const std::string& date) {
    for (std::size_t k = 0; k < r.dates.size(); ++k) {
      if (r.dates[k] == date) return static_cast<int>(k);
    }
    return -1;
  };
  for (int y : years) {
    char date[16];
    std::snprintf(date, sizeof date, "%04d-12", y);
    const int k = find(date);
    if (k >= 0) out.push_back(static_cast<std::size_t>(k));
  }
  if (out.empty() && years.empty()) {
    const std::size_t last = r.dates.size() - 1;
    for (std::size_t k : {std::min<std::size_t>(23, last), last / 2, last}) {
      if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
    }
    std::sort(out.begin(), out.end());
  }
  return out;
}

std::string summary_table(const Results& r, const std::vector<std::size_t>& months) {
  std::string out;
  out += block(r, months, "target_training_effective", "Target effective training compute");
  out += block(r, months, "frontier_training_effective", "Frontier effective training compute");
  out += block(r, months, "gap_training", "Training gap, frontier / target");
  out += block(r, months, "gap_training_months", "Training gap in months of software progress");
  out += block(r, months, "gap_inference", "Inference gap, frontier / target");
  return out;
}

std::string comparison_table(const Results& r, const std::vector<std::size_t>& months) {
  std::string out;
  out += block(r, months, "denied_training_vs_no_controls",
               "Training compute denied vs no controls", true);
  out += block(r, months, "denied_training_vs_baseline", "Training compute denied vs baseline",
               true);
  out += block(r, months, "added_gap_months_vs_baseline",
               "Training gap added vs baseline, in months of software progress", true);
  out += block(r, months, "prob_gap_training_below_2x", "P(training gap below 2x)");

  // Delays to the capability threshold (scalars).
  const Band b = band(r);
  std::size_t name_width = 10;
  for (const auto& s : r.scenarios) name_width = std::max(name_width, s.name.size() + 2);
  out += "Months until the target reaches the capability threshold (" +
         format_compact(r.info.options.threshold_multiple) +
         "x the frontier's effective training compute in " + format_year_month(r.info.start) +
         ")\n";
  out += pad("scenario", name_width) + pad("reached (months from start)", 30) +
         pad("delay vs no controls", 28) + pad("delay vs baseline", 28) + "\n";
  for (std::size_t s = 0; s < r.scenarios.size(); ++s) {
    std::string line = pad(r.scenarios[s].name, name_width);
    for (const char* name :
         {"threshold_month", "delay_months_vs_no_controls", "delay_months_vs_baseline"}) {
      const int k = r.scalar_index(name);
      auto stat = [&](int slot) {
        return slot < 0 ? std::nan("")
                        : r.scalar_value(s, static_cast<std::size_t>(k),
                                         static_cast<std::size_t>(slot));
      };
      const auto& c = r.scalar_counts[s * r.scalar_metrics.size() + static_cast<std::size_t>(k)];
      std::string cell = c.finite + c.infinite == 0
                             ? std::string("n/a")
                             : interval_text(stat(b.median), stat(b.low), stat(b.high));
      line += pad(cell, std::string(name) == "threshold_month" ? 30 : 28);
    }
    out += line + "\n";
  }
  out += "\nMedians with 90% intervals [p5, p95] over sampled worlds; effects are paired: each\n"
         "sample compares the scenario with the same world under no controls or the baseline.\n"
         "\"never\": not reached by " + r.dates.back() + ".\n";
  return out;
}

}  // namespace gapcast
