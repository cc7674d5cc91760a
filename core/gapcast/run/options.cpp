#include "gapcast/run/options.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>

#include "gapcast/metrics/metrics.hpp"
#include "gapcast/util/suggest.hpp"

namespace gapcast {
namespace {

using Kind = RunOptionError::Kind;
using Limits = RunOptionLimits;

/// Shortest text that reads back as the same double.
std::string number_text(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  char buffer[32];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return ec == std::errc() ? std::string(buffer, end) : std::string("?");
}

[[noreturn]] void fail(std::string_view option, std::string problem, Kind kind = Kind::value) {
  throw RunOptionError(kind, std::string(option), std::move(problem));
}

void check_range(std::string_view option, double value, double lo, double hi) {
  if (!std::isfinite(value)) fail(option, "must be a finite number, got " + number_text(value));
  if (value < lo || value > hi) {
    fail(option, "must be between " + number_text(lo) + " and " + number_text(hi) + ", got " +
                     number_text(value));
  }
}

void check_count(std::string_view option, std::uint64_t value, std::uint64_t lo,
                 std::uint64_t hi) {
  if (value < lo || value > hi) {
    fail(option, "must be a whole number from " + std::to_string(lo) + " to " +
                     std::to_string(hi) + ", got " + std::to_string(value));
  }
}

// --- reading values ---------------------------------------------------------------------------

/// A double from text: the whole text must be a number, and it must be finite.
double number_from_text(std::string_view option, std::string_view text) {
  double value = 0.0;
  const char* first = text.data();
  const char* last = text.data() + text.size();
  if (!text.empty() && *first == '+') ++first;
  const auto [end, ec] = std::from_chars(first, last, value);
  if (text.empty() || ec == std::errc::invalid_argument || end != last) {
    fail(option, "must be a number, got \"" + std::string(text) + "\"", Kind::type);
  }
  if (ec == std::errc::result_out_of_range) {
    fail(option, "\"" + std::string(text) + "\" is out of the range of a double");
  }
  if (!std::isfinite(value)) fail(option, "must be a finite number, got " + std::string(text));
  return value;
}

/// A whole number from a double that came from JSON or text: 1e6 is a million, 2.5 and -1 are
/// errors (never truncated or wrapped).
std::uint64_t count_from_double(std::string_view option, double value, std::string_view shown) {
  if (!std::isfinite(value)) fail(option, "must be a finite whole number, got " + std::string(shown));
  if (value < 0) fail(option, "must be a whole number 0 or more, got " + std::string(shown));
  if (value != std::floor(value)) fail(option, "must be a whole number, got " + std::string(shown));
  if (value >= 18446744073709551616.0) {
    fail(option, "is too large (at most 18446744073709551615), got " + std::string(shown));
  }
  return static_cast<std::uint64_t>(value);
}

std::uint64_t count_from_text(std::string_view option, std::string_view text) {
  // Digits only: exact for every 64-bit value (a double would round above 2^53).
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string_view::npos) {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc::result_out_of_range) {
      fail(option, "is too large (at most 18446744073709551615), got " + std::string(text));
    }
    if (end == text.data() + text.size()) return value;
  }
  return count_from_double(option, number_from_text(option, text), text);
}

bool bool_from_text(std::string_view option, std::string_view text) {
  if (text == "true" || text == "1" || text == "yes" || text == "on") return true;
  if (text == "false" || text == "0" || text == "no" || text == "off") return false;
  fail(option, "must be true or false, got \"" + std::string(text) + "\"", Kind::type);
}

YearMonth month_from_text(std::string_view option, std::string_view text) {
  std::string why;
  const auto ym = parse_year_month(text, &why);
  if (!ym) fail(option, "\"" + std::string(text) + "\" is not a month: " + why);
  return *ym;
}

std::vector<std::string_view> split_commas(std::string_view text) {
  std::vector<std::string_view> items;
  while (true) {
    const auto comma = text.find(',');
    items.push_back(text.substr(0, comma));
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return items;
}

// --- JSON -------------------------------------------------------------------------------------

std::string json_type(const nlohmann::json& v) {
  if (v.is_boolean()) return "true/false";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "a list";
  if (v.is_object()) return "an object";
  return "null";
}

double number_from_json(std::string_view option, const nlohmann::json& v) {
  if (!v.is_number()) fail(option, "must be a number, got " + json_type(v), Kind::type);
  const double x = v.get<double>();
  if (!std::isfinite(x)) fail(option, "must be a finite number, got " + number_text(x));
  return x;
}

std::uint64_t count_from_json(std::string_view option, const nlohmann::json& v) {
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer()) {
    const auto n = v.get<std::int64_t>();
    if (n < 0) fail(option, "must be a whole number 0 or more, got " + std::to_string(n));
    return static_cast<std::uint64_t>(n);
  }
  if (v.is_number_float()) return count_from_double(option, v.get<double>(), number_text(v.get<double>()));
  fail(option, "must be a whole number, got " + json_type(v), Kind::type);
}

bool bool_from_json(std::string_view option, const nlohmann::json& v) {
  if (!v.is_boolean()) fail(option, "must be true or false, got " + json_type(v), Kind::type);
  return v.get<bool>();
}

YearMonth month_from_json(std::string_view option, const nlohmann::json& v) {
  if (!v.is_string()) {
    fail(option, "must be a month written \"YYYY-MM\", got " + json_type(v), Kind::type);
  }
  return month_from_text(option, v.get<std::string>());
}

/// Month lists (raw_dates, ensemble_dates): no month twice, none after the horizon.
void check_month_list(std::string_view option, const std::vector<YearMonth>& months,
                      YearMonth horizon) {
  for (std::size_t i = 0; i < months.size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (months[j] == months[i]) fail(option, format_year_month(months[i]) + " is given twice");
    }
    if (months[i] > horizon) {
      fail(option, format_year_month(months[i]) + " is after the horizon " +
                       format_year_month(horizon));
    }
  }
}

const nlohmann::json& list_from_json(std::string_view option, const nlohmann::json& v) {
  if (!v.is_array()) fail(option, "must be a list, got " + json_type(v), Kind::type);
  return v;
}

/// A list of metric names (metrics, ensemble_metrics); checked against the catalogue by
/// validate().
std::vector<std::string> names_from_json(std::string_view option, const nlohmann::json& v) {
  std::vector<std::string> names;
  for (const auto& m : list_from_json(option, v)) {
    if (!m.is_string()) fail(option, "expected metric names, got " + json_type(m), Kind::type);
    names.push_back(m.get<std::string>());
  }
  return names;
}

std::vector<std::string> names_from_text(std::string_view text) {
  std::vector<std::string> names;
  for (auto item : split_commas(text)) names.emplace_back(item);
  return names;
}

/// How to read, write and parse one option: the single table behind to_json,
/// run_options_from_json and set_run_option.
struct OptionField {
  const char* name;
  std::function<nlohmann::ordered_json(const RunOptions&)> write;
  std::function<void(RunOptions&, const nlohmann::json&)> read_json;
  std::function<void(RunOptions&, std::string_view)> read_text;
};

template <typename T>
nlohmann::ordered_json months_json(const std::vector<T>& months) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& m : months) list.push_back(format_year_month(m));
  return list;
}

/// A month list from JSON (an array of "YYYY-MM") or from text ("YYYY-MM,YYYY-MM"; empty text
/// is an empty list).
std::vector<YearMonth> months_from_json(std::string_view option, const nlohmann::json& v) {
  std::vector<YearMonth> months;
  for (const auto& d : list_from_json(option, v)) months.push_back(month_from_json(option, d));
  return months;
}
std::vector<YearMonth> months_from_text(std::string_view option, std::string_view text) {
  std::vector<YearMonth> months;
  if (text.empty()) return months;
  for (auto item : split_commas(text)) months.push_back(month_from_text(option, item));
  return months;
}

// Long because: it is the table of run options, one entry per option with its JSON name,
// check and reader; a table split in two is harder to keep complete.
const std::vector<OptionField>& fields() {
  using J = nlohmann::json;
  static const std::vector<OptionField> table{
      {"samples", [](const RunOptions& o) { return nlohmann::ordered_json(o.samples); },
       [](RunOptions& o, const J& v) { o.samples = count_from_json("samples", v); },
       [](RunOptions& o, std::string_view t) { o.samples = count_from_text("samples", t); }},
      {"seed", [](const RunOptions& o) { return nlohmann::ordered_json(o.seed); },
       [](RunOptions& o, const J& v) { o.seed = count_from_json("seed", v); },
       [](RunOptions& o, std::string_view t) { o.seed = count_from_text("seed", t); }},
      {"threads", [](const RunOptions& o) { return nlohmann::ordered_json(o.threads); },
       [](RunOptions& o, const J& v) {
         const auto n = count_from_json("threads", v);
         check_count("threads", n, 0, Limits::max_threads);
         o.threads = static_cast<unsigned>(n);
       },
       [](RunOptions& o, std::string_view t) {
         const auto n = count_from_text("threads", t);
         check_count("threads", n, 0, Limits::max_threads);
         o.threads = static_cast<unsigned>(n);
       }},
      {"horizon",
       [](const RunOptions& o) { return nlohmann::ordered_json(format_year_month(o.horizon)); },
       [](RunOptions& o, const J& v) { o.horizon = month_from_json("horizon", v); },
       [](RunOptions& o, std::string_view t) { o.horizon = month_from_text("horizon", t); }},
      {"central", [](const RunOptions& o) { return nlohmann::ordered_json(o.central); },
       [](RunOptions& o, const J& v) { o.central = bool_from_json("central", v); },
       [](RunOptions& o, std::string_view t) { o.central = bool_from_text("central", t); }},
      {"threshold_multiple",
       [](const RunOptions& o) { return nlohmann::ordered_json(o.threshold_multiple); },
       [](RunOptions& o, const J& v) {
         o.threshold_multiple = number_from_json("threshold_multiple", v);
       },
       [](RunOptions& o, std::string_view t) {
         o.threshold_multiple = number_from_text("threshold_multiple", t);
       }},
      {"rtol", [](const RunOptions& o) { return nlohmann::ordered_json(o.solver.rel_tolerance); },
       [](RunOptions& o, const J& v) { o.solver.rel_tolerance = number_from_json("rtol", v); },
       [](RunOptions& o, std::string_view t) {
         o.solver.rel_tolerance = number_from_text("rtol", t);
       }},
      {"atol", [](const RunOptions& o) { return nlohmann::ordered_json(o.solver.abs_tolerance); },
       [](RunOptions& o, const J& v) { o.solver.abs_tolerance = number_from_json("atol", v); },
       [](RunOptions& o, std::string_view t) {
         o.solver.abs_tolerance = number_from_text("atol", t);
       }},
      {"max_step_months",
       [](const RunOptions& o) { return nlohmann::ordered_json(o.solver.max_step_months); },
       [](RunOptions& o, const J& v) {
         o.solver.max_step_months = number_from_json("max_step_months", v);
       },
       [](RunOptions& o, std::string_view t) {
         o.solver.max_step_months = number_from_text("max_step_months", t);
       }},
      {"max_steps", [](const RunOptions& o) { return nlohmann::ordered_json(o.solver.max_steps); },
       [](RunOptions& o, const J& v) {
         o.solver.max_steps = static_cast<std::size_t>(count_from_json("max_steps", v));
       },
       [](RunOptions& o, std::string_view t) {
         o.solver.max_steps = static_cast<std::size_t>(count_from_text("max_steps", t));
       }},
      {"quantiles", [](const RunOptions& o) { return nlohmann::ordered_json(o.quantiles); },
       [](RunOptions& o, const J& v) {
         o.quantiles.clear();
         for (const auto& q : list_from_json("quantiles", v)) {
           o.quantiles.push_back(number_from_json("quantiles", q));
         }
       },
       [](RunOptions& o, std::string_view t) {
         o.quantiles.clear();
         if (t.empty()) return;
         for (auto item : split_commas(t)) o.quantiles.push_back(number_from_text("quantiles", item));
       }},
      {"quantile_accuracy",
       [](const RunOptions& o) { return nlohmann::ordered_json(o.quantile_accuracy); },
       [](RunOptions& o, const J& v) {
         o.quantile_accuracy = number_from_json("quantile_accuracy", v);
       },
       [](RunOptions& o, std::string_view t) {
         o.quantile_accuracy = number_from_text("quantile_accuracy", t);
       }},
      {"wave_size", [](const RunOptions& o) { return nlohmann::ordered_json(o.wave_size); },
       [](RunOptions& o, const J& v) {
         o.wave_size = static_cast<std::size_t>(count_from_json("wave_size", v));
       },
       [](RunOptions& o, std::string_view t) {
         o.wave_size = static_cast<std::size_t>(count_from_text("wave_size", t));
       }},
      {"metrics", [](const RunOptions& o) { return nlohmann::ordered_json(o.metrics); },
       [](RunOptions& o, const J& v) { o.metrics = names_from_json("metrics", v); },
       [](RunOptions& o, std::string_view t) { o.metrics = names_from_text(t); }},
      {"dates", [](const RunOptions& o) { return months_json(o.dates); },
       [](RunOptions& o, const J& v) { o.dates = months_from_json("dates", v); },
       [](RunOptions& o, std::string_view t) { o.dates = months_from_text("dates", t); }},
      {"keep_raw", [](const RunOptions& o) { return nlohmann::ordered_json(o.keep_raw); },
       [](RunOptions& o, const J& v) { o.keep_raw = bool_from_json("keep_raw", v); },
       [](RunOptions& o, std::string_view t) { o.keep_raw = bool_from_text("keep_raw", t); }},
      {"raw_dates", [](const RunOptions& o) { return months_json(o.raw_dates); },
       [](RunOptions& o, const J& v) { o.raw_dates = months_from_json("raw_dates", v); },
       [](RunOptions& o, std::string_view t) { o.raw_dates = months_from_text("raw_dates", t); }},
      {"raw_limit_bytes",
       [](const RunOptions& o) { return nlohmann::ordered_json(o.raw_limit_bytes); },
       [](RunOptions& o, const J& v) {
         o.raw_limit_bytes = static_cast<std::size_t>(count_from_json("raw_limit_bytes", v));
       },
       [](RunOptions& o, std::string_view t) {
         o.raw_limit_bytes = static_cast<std::size_t>(count_from_text("raw_limit_bytes", t));
       }},
      // Observations (docs/conditioning.md): in JSON the list itself, so that a manifest holds
      // everything a rerun needs; as text (--observe) or a JSON string, an observations file.
      {"observations",
       [](const RunOptions& o) {
         nlohmann::ordered_json list = nlohmann::ordered_json::array();
         for (const auto& obs : o.observations) list.push_back(to_json(obs));
         return list;
       },
       [](RunOptions& o, const J& v) {
         if (v.is_string()) {
           o.observations = load_observations(v.get<std::string>());
           return;
         }
         Diagnostics diagnostics;
         o.observations =
             parse_observations(v, DocumentRef{"options", nullptr}, "/observations", diagnostics);
         if (diagnostics.has_errors()) {
           const Diagnostic& d = diagnostics.all().front();
           fail("observations", d.pointer + ": " + d.message);
         }
       },
       [](RunOptions& o, std::string_view t) {
         o.observations = load_observations(std::string(t));
       }},
      {"ensemble", [](const RunOptions& o) { return nlohmann::ordered_json(o.ensemble); },
       [](RunOptions& o, const J& v) { o.ensemble = bool_from_json("ensemble", v); },
       [](RunOptions& o, std::string_view t) { o.ensemble = bool_from_text("ensemble", t); }},
      {"ensemble_metrics",
       [](const RunOptions& o) { return nlohmann::ordered_json(o.ensemble_metrics); },
       [](RunOptions& o, const J& v) {
         o.ensemble_metrics = names_from_json("ensemble_metrics", v);
       },
       [](RunOptions& o, std::string_view t) { o.ensemble_metrics = names_from_text(t); }},
      {"ensemble_dates", [](const RunOptions& o) { return months_json(o.ensemble_dates); },
       [](RunOptions& o, const J& v) { o.ensemble_dates = months_from_json("ensemble_dates", v); },
       [](RunOptions& o, std::string_view t) {
         o.ensemble_dates = months_from_text("ensemble_dates", t);
       }},
  };
  return table;
}

const OptionField& field(std::string_view name) {
  for (const auto& f : fields()) {
    if (name == f.name) return f;
  }
  std::string problem = "is not an option";
  if (const auto close = closest_match(name, run_option_names())) {
    problem += "; did you mean \"" + *close + "\"?";
  }
  fail(name, problem, Kind::type);
}

}  // namespace

RunOptionError::RunOptionError(Kind kind, std::string option, std::string problem)
    : std::invalid_argument(option + ": " + problem),
      kind_(kind),
      option_(std::move(option)),
      problem_(std::move(problem)) {}

const std::vector<std::string>& run_option_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& f : fields()) out.emplace_back(f.name);
    return out;
  }();
  return names;
}

namespace {

/// Every name is one of `known` (else the valid names, and the closest), and none is repeated.
void check_metric_names(std::string_view option, const std::vector<std::string>& names,
                        const std::vector<std::string>& known) {
  for (std::size_t i = 0; i < names.size(); ++i) {
    const auto& name = names[i];
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      std::string problem = "unknown metric \"" + name + "\"";
      if (auto near = closest_match(name, known)) problem += " (did you mean \"" + *near + "\"?)";
      std::string all;
      for (const auto& k : known) all += (all.empty() ? "" : ", ") + k;
      fail(option, problem + "; metrics: " + all);
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (names[j] == name) fail(option, name + " is given twice");
    }
  }
}

/// The ensemble options: known metric names (with the valid list), no repeats, months within
/// the horizon, and none of them without `ensemble`.
void validate_ensemble(const RunOptions& o) {
  if (!o.ensemble && !o.ensemble_metrics.empty()) {
    fail("ensemble_metrics", "has no effect unless the ensemble is written (ensemble)");
  }
  if (!o.ensemble && !o.ensemble_dates.empty()) {
    fail("ensemble_dates", "has no effect unless the ensemble is written (ensemble)");
  }
  std::vector<std::string> known;
  for (const auto& m : series_metric_catalogue()) known.push_back(m.name);
  for (const auto& m : scalar_metric_catalogue()) known.push_back(m.name);
  check_metric_names("ensemble_metrics", o.ensemble_metrics, known);
  check_month_list("ensemble_dates", o.ensemble_dates, o.horizon);
}

/// The recording selection: series metric names only (scalar metrics are always recorded, so
/// naming one is a mistake worth reporting), months within the horizon.
void validate_selection(const RunOptions& o) {
  std::vector<std::string> series;
  for (const auto& m : series_metric_catalogue()) series.push_back(m.name);
  for (const auto& m : scalar_metric_catalogue()) {
    if (std::find(o.metrics.begin(), o.metrics.end(), m.name) != o.metrics.end()) {
      fail("metrics", m.name + " is a scalar metric, which every run records; name series "
                               "metrics only");
    }
  }
  check_metric_names("metrics", o.metrics, series);
  check_month_list("dates", o.dates, o.horizon);
}

}  // namespace

std::vector<MetricInfo> recorded_series_metrics(const RunOptions& options) {
  std::vector<MetricInfo> recorded;
  for (const auto& m : series_metric_catalogue()) {
    if (options.metrics.empty() ||
        std::find(options.metrics.begin(), options.metrics.end(), m.name) !=
            options.metrics.end()) {
      recorded.push_back(m);
    }
  }
  return recorded;
}

const std::vector<std::string>& default_ensemble_metrics() {
  static const std::vector<std::string> names = {
      "gap_training",           "gap_inference",
      "gap_training_months",    "target_training_effective",
      "target_training_hardware", "frontier_training_hardware",
      "domestic_output_per_year", "import_pressure",
      "denied_training_vs_no_controls", "added_gap_months_vs_no_controls"};
  return names;
}

std::vector<YearMonth> ensemble_months(const RunOptions& options, YearMonth start) {
  if (!options.ensemble_dates.empty()) return options.ensemble_dates;
  std::vector<YearMonth> months;
  for (int year = start.year; year <= options.horizon.year; ++year) {
    const YearMonth december{year, 12};
    if (december >= start && december <= options.horizon) months.push_back(december);
  }
  if (months.empty() || months.back() != options.horizon) months.push_back(options.horizon);
  return months;
}

void validate(const RunOptions& o) {
  check_count("samples", o.samples, 1, Limits::max_samples);
  check_count("threads", o.threads, 0, Limits::max_threads);
  check_range("threshold_multiple", o.threshold_multiple, 0.0, Limits::max_threshold_multiple);
  if (!(o.threshold_multiple > 0.0)) {
    fail("threshold_multiple", "must be positive, got " + number_text(o.threshold_multiple));
  }
  check_range("rtol", o.solver.rel_tolerance, Limits::min_rtol, Limits::max_rtol);
  check_range("atol", o.solver.abs_tolerance, Limits::min_atol, Limits::max_atol);
  check_range("max_step_months", o.solver.max_step_months, Limits::min_max_step_months,
              Limits::max_max_step_months);
  check_count("max_steps", o.solver.max_steps, Limits::min_max_steps, Limits::max_max_steps);
  if (o.quantiles.size() > Limits::max_quantiles) {
    fail("quantiles", "at most " + std::to_string(Limits::max_quantiles) + " levels, got " +
                          std::to_string(o.quantiles.size()));
  }
  for (std::size_t i = 0; i < o.quantiles.size(); ++i) {
    const double q = o.quantiles[i];
    if (!std::isfinite(q) || !(q > 0.0 && q < 1.0)) {
      fail("quantiles", "each level must lie strictly between 0 and 1 (0.05 for the 5th "
                        "percentile), got " + number_text(q));
    }
    if (i > 0 && !(q > o.quantiles[i - 1])) {
      fail("quantiles", "levels must be in increasing order without repeats, got " +
                            number_text(o.quantiles[i - 1]) + " then " + number_text(q));
    }
  }
  check_range("quantile_accuracy", o.quantile_accuracy, Limits::min_quantile_accuracy,
              Limits::max_quantile_accuracy);
  if (o.wave_size > Limits::max_wave_size) {
    fail("wave_size", "must be 0 (automatic) or at most " + std::to_string(Limits::max_wave_size) +
                          ", got " + std::to_string(o.wave_size));
  }
  validate_selection(o);
  if (!o.keep_raw && !o.raw_dates.empty()) {
    fail("raw_dates", "has no effect unless per-sample values are kept (keep_raw)");
  }
  check_month_list("raw_dates", o.raw_dates, o.horizon);
  for (const YearMonth d : o.raw_dates) {
    if (!o.dates.empty() && std::find(o.dates.begin(), o.dates.end(), d) == o.dates.end()) {
      fail("raw_dates", format_year_month(d) + " is not among the recorded months (dates); "
                        "add it there or leave it out");
    }
  }
  if (o.raw_limit_bytes > Limits::max_raw_limit_bytes) {
    fail("raw_limit_bytes", "must be at most " + std::to_string(Limits::max_raw_limit_bytes) +
                                ", got " + std::to_string(o.raw_limit_bytes));
  }
  validate_ensemble(o);
  if (o.central && !o.observations.empty()) {
    fail("observations", "weight the samples of a Monte Carlo run; a central run has one sample "
                         "(drop --central)");
  }
  for (const auto& obs : o.observations) {
    if (obs.date > o.horizon) {
      fail("observations", "observation \"" + obs.name + "\" is at " +
                               format_year_month(obs.date) + ", after the horizon " +
                               format_year_month(o.horizon));
    }
  }
}

nlohmann::ordered_json to_json(const RunOptions& options) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  for (const auto& f : fields()) j[f.name] = f.write(options);
  return j;
}

RunOptions run_options_from_json(const nlohmann::json& object) {
  if (!object.is_object()) {
    throw RunOptionError(Kind::type, "options", "must be an object, got " + json_type(object));
  }
  RunOptions options;
  for (const auto& [name, value] : object.items()) field(name).read_json(options, value);
  validate(options);
  return options;
}

double parse_option_number(std::string_view option, std::string_view text) {
  return number_from_text(option, text);
}

void set_run_option(RunOptions& options, std::string_view name, std::string_view text) {
  field(name).read_text(options, text);
}

}  // namespace gapcast
