#include "gapcast/run/plan.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include <cstdio>

#include "gapcast/metrics/metrics.hpp"
#include "gapcast/summary/summary_cell.hpp"

namespace gapcast {
namespace {

/// Index of `world` among the plan's distinct worlds (same fingerprint, same draws).
std::size_t world_slot(RunPlan& plan, const std::shared_ptr<const World>& world) {
  for (std::size_t i = 0; i < plan.worlds.size(); ++i) {
    if (plan.worlds[i]->fingerprint == world->fingerprint) return i;
  }
  plan.worlds.push_back(world);
  return plan.worlds.size() - 1;
}

/// Index of the integration of `world` under `policy`, added on first use.
std::size_t integration_slot(RunPlan& plan, std::size_t world,
                             const std::shared_ptr<const Policy>& policy,
                             const RunOptions& options) {
  for (std::size_t i = 0; i < plan.integrations.size(); ++i) {
    const auto& in = plan.integrations[i];
    if (in.world == world && in.policy->fingerprint == policy->fingerprint) return i;
  }
  plan.integrations.push_back(
      Integration{world, policy,
                  ScenarioModel(plan.worlds[world], policy, plan.months, options.threshold_multiple,
                                options.solver),
                  ScenarioModel::Recording::paired_inputs});
  return plan.integrations.size() - 1;
}

void check_start_and_horizon(const std::vector<Scenario>& scenarios, const RunOptions& options,
                             RunPlan& plan) {
  if (scenarios.empty()) throw std::invalid_argument("no scenarios to run");
  plan.start = scenarios.front().world->start;
  for (const auto& s : scenarios) {
    if (s.world->start != plan.start) {
      throw std::invalid_argument("scenario \"" + s.name + "\" starts in " +
                                  format_year_month(s.world->start) + " but \"" +
                                  scenarios.front().name + "\" starts in " +
                                  format_year_month(plan.start) +
                                  "; scenarios run together must share a start month");
    }
  }
  const int span = months_between(plan.start, options.horizon);
  if (span < 0) {
    throw RunOptionError(RunOptionError::Kind::value, "horizon",
                         format_year_month(options.horizon) + " is before the start month " +
                             format_year_month(plan.start));
  }
  plan.months = static_cast<std::size_t>(span) + 1;
}

/// The drawn-parameter columns of raw output. Scenarios of one run may use different worlds
/// (another chip class, an extra line), so the columns are the union of their parameter names
/// and each world records where its own parameters go.
void plan_raw_parameters(RunPlan& plan) {
  std::map<std::string, std::size_t, std::less<>> column_of;
  std::size_t offset = 0;
  for (const auto& world : plan.worlds) {
    plan.raw_parameter_offsets.push_back(offset);
    offset += world->parameters.size();
    std::vector<std::size_t> columns;
    for (const auto& p : world->parameters) {
      const auto [it, added] = column_of.try_emplace(p.name, plan.raw_parameter_names.size());
      if (added) plan.raw_parameter_names.push_back(p.name);
      columns.push_back(it->second);
    }
    plan.raw_parameter_columns.push_back(std::move(columns));
  }
}

/// The index of output month `d` from the start; a month before the start is refused as a
/// value of `option` (validate() has refused months after the horizon).
std::size_t output_month(const RunPlan& plan, const char* option, YearMonth d) {
  const int k = months_between(plan.start, d);
  if (k < 0) {
    throw RunOptionError(RunOptionError::Kind::value, option,
                         format_year_month(d) + " is before the start month " +
                             format_year_month(plan.start));
  }
  return static_cast<std::size_t>(k);
}

/// The recorded metrics and months (RunOptions::metrics and dates, already checked against the
/// catalogue and the horizon; months before the start are refused here).
void plan_selection(const RunOptions& options, RunPlan& plan) {
  if (options.metrics.empty()) {
    for (std::size_t m = 0; m < detail::metric_count; ++m) plan.recorded_metrics.push_back(m);
  }
  // Catalogue order whatever the order given, as recorded_series_metrics() lists them.
  for (const auto& name : options.metrics) {
    plan.recorded_metrics.push_back(static_cast<std::size_t>(series_metric_position(name)));
  }
  std::sort(plan.recorded_metrics.begin(), plan.recorded_metrics.end());
  if (options.dates.empty()) {
    for (std::size_t k = 0; k < plan.months; ++k) plan.recorded_months.push_back(k);
    return;
  }
  for (const YearMonth d : options.dates) {
    plan.recorded_months.push_back(output_month(plan, "dates", d));
  }
  std::sort(plan.recorded_months.begin(), plan.recorded_months.end());
}

/// The wanted cells of a run with a recording selection: the recorded ones, and those the
/// ensemble and the observations read (raw output keeps recorded cells only).
void plan_wanted_cells(const RunOptions& options, RunPlan& plan) {
  if (options.metrics.empty() && options.dates.empty()) return;
  const auto& catalogue = series_metric_catalogue();
  plan.wanted_metrics.assign(catalogue.size(), 0);
  plan.wanted_months.assign(plan.months, 0);
  for (std::size_t m : plan.recorded_metrics) plan.wanted_metrics[m] = 1;
  for (std::size_t k : plan.recorded_months) plan.wanted_months[k] = 1;
  const auto want = [&](const std::string& metric, YearMonth d) {
    const int m = series_metric_position(metric);
    if (m >= 0) plan.wanted_metrics[static_cast<std::size_t>(m)] = 1;
    const int k = months_between(plan.start, d);
    // Months outside the run are refused where the ensemble and observations are located.
    if (k >= 0 && static_cast<std::size_t>(k) < plan.months) plan.wanted_months[k] = 1;
  };
  if (options.ensemble) {
    const auto& names = options.ensemble_metrics.empty() ? default_ensemble_metrics()
                                                         : options.ensemble_metrics;
    for (const YearMonth d : ensemble_months(options, plan.start)) {
      for (const auto& name : names) want(name, d);
    }
  }
  for (const auto& o : options.observations) want(o.metric, o.date);
}

void plan_raw_output(const RunOptions& options, RunPlan& plan) {
  // The drawn parameters go to raw output and to an ensemble alike.
  if (options.keep_raw || options.ensemble) plan_raw_parameters(plan);
  if (!options.keep_raw) return;
  if (options.raw_dates.empty() && !options.dates.empty()) {
    // Raw values are kept at recorded months only (validate() checks given ones).
    plan.raw_date_indices = plan.recorded_months;
  } else if (options.raw_dates.empty()) {
    for (std::size_t k = 0; k < plan.months; ++k) {
      if (add_months(plan.start, static_cast<int>(k)).month == 1) plan.raw_date_indices.push_back(k);
    }
  }
  for (const YearMonth d : options.raw_dates) {
    plan.raw_date_indices.push_back(output_month(plan, "raw_dates", d));
  }
  const std::size_t per_sample =
      plan.scenario_count() *
      (plan.recorded_metrics.size() * plan.raw_date_indices.size() + detail::scalar_count +
       plan.raw_parameter_names.size()) *
      sizeof(double);
  if (per_sample * plan.samples > options.raw_limit_bytes) {
    throw RunOptionError(
        RunOptionError::Kind::value, "keep_raw",
        "keeping per-sample values would need " +
            std::to_string(per_sample * plan.samples / (1u << 20)) + " MiB, above the limit of " +
            std::to_string(options.raw_limit_bytes / (1u << 20)) +
            " MiB (raw_limit_bytes); ask for fewer samples or fewer raw months");
  }
}

/// Refuses an accuracy whose worst-case summary memory (every cell's bins at their cap) is
/// beyond what any machine running gapcast has (docs/model.md §14).
void check_summary_memory(const RunOptions& options, const RunPlan& plan) {
  const std::size_t cells = plan.summary_layout().row_size();
  // A conditioned run's cells hold double weights per bin, twice the bytes of counts.
  const bool weighted = !options.observations.empty();
  const double worst =
      static_cast<double>(cells) *
      static_cast<double>(SummaryCell::max_memory_bytes(options.quantile_accuracy, weighted));
  if (worst > static_cast<double>(RunOptionLimits::max_summary_bytes)) {
    char text[160];
    std::snprintf(text, sizeof text,
                  "%g over %zu summary cells could take up to %.1f GiB, above the %zu GiB limit; "
                  "choose a coarser accuracy, fewer scenarios or an earlier horizon",
                  options.quantile_accuracy, cells, worst / double(1u << 30),
                  RunOptionLimits::max_summary_bytes >> 30);
    throw RunOptionError(RunOptionError::Kind::value, "quantile_accuracy", text);
  }
}

}  // namespace

CellLayout RunPlan::row_layout() const {
  return CellLayout{scenario_count(), detail::metric_count, months, detail::scalar_count};
}

CellLayout RunPlan::summary_layout() const {
  return CellLayout{scenario_count(), recorded_metrics.size(), recorded_months.size(),
                    detail::scalar_count};
}

std::vector<std::size_t> RunPlan::summary_columns() const {
  if (records_everything()) return {};
  const CellLayout row = row_layout();
  std::vector<std::size_t> columns;
  for (std::size_t s = 0; s < row.scenarios; ++s) {
    for (std::size_t m : recorded_metrics) {
      for (std::size_t k : recorded_months) {
        columns.push_back(row.series_offset(s) + m * row.months + k);
      }
    }
  }
  for (std::size_t s = 0; s < row.scenarios; ++s) {
    for (std::size_t k = 0; k < row.scalars; ++k) columns.push_back(row.scalar_offset(s) + k);
  }
  return columns;
}

RunPlan make_plan(const std::vector<Scenario>& scenarios, const RunOptions& options,
                  std::shared_ptr<const Policy> baseline) {
  validate(options);
  RunPlan plan;
  check_start_and_horizon(scenarios, options, plan);
  plan_selection(options, plan);
  plan_wanted_cells(options, plan);
  plan.samples = options.central ? 1 : options.samples;

  if (!baseline) {
    for (const auto& s : scenarios) {
      if (s.name == "baseline") baseline = s.policy;
    }
  }
  plan.baseline = baseline;
  const auto no_controls = std::make_shared<const Policy>(no_controls_policy());
  for (const auto& s : scenarios) {
    const std::size_t w = world_slot(plan, s.world);
    ScenarioIntegrations r;
    r.own = integration_slot(plan, w, s.policy, options);
    r.no_controls = integration_slot(plan, w, no_controls, options);
    r.baseline = baseline ? static_cast<std::ptrdiff_t>(integration_slot(plan, w, baseline, options))
                          : -1;
    plan.scenarios.push_back(r);
  }
  // Integrations that are some scenario's own record every series; the rest are
  // counterfactuals that only feed paired metrics.
  for (const auto& r : plan.scenarios) {
    plan.integrations[r.own].recording = ScenarioModel::Recording::all_series;
  }
  check_summary_memory(options, plan);
  for (const auto& w : plan.worlds) plan.samplers.emplace_back(*w);
  plan_raw_output(options, plan);
  return plan;
}

}  // namespace gapcast
