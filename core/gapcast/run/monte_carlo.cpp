#include "gapcast/run/monte_carlo.hpp"

#include <algorithm>
#include <chrono>
#include <limits>

#include "gapcast/metrics/metrics.hpp"
#include "gapcast/run/assumptions.hpp"
#include "gapcast/run/plan.hpp"
#include "gapcast/run/wave_executor.hpp"
#include "gapcast/run/workers.hpp"
#include "gapcast/summary/run_summaries.hpp"
#include "gapcast/util/build_info.hpp"

namespace gapcast {
namespace {

/// Samples per wave: the requested size, or as many as fit a 64 MiB buffer of values (between
/// 64 and 1024: smaller waves cost summary traffic, larger ones only memory).
std::size_t wave_size(const RunOptions& options, const CellLayout& layout, std::uint64_t samples) {
  std::size_t wave = options.wave_size;
  if (wave == 0) {
    constexpr std::size_t budget = std::size_t{64} << 20;
    wave = std::clamp<std::size_t>(budget / (layout.row_size() * sizeof(double)), 64, 1024);
  }
  return static_cast<std::size_t>(std::min<std::uint64_t>(wave, samples));
}

/// The parts of Results that do not depend on the samples: scenarios, catalogues, dates.
Results results_skeleton(const std::vector<Scenario>& scenarios, const RunPlan& plan,
                         const RunOptions& options) {
  Results results;
  results.metrics = series_metric_catalogue();
  results.scalar_metrics = scalar_metric_catalogue();
  results.quantiles = options.quantiles;
  for (std::size_t k = 0; k < plan.months; ++k) {
    results.dates.push_back(format_year_month(add_months(plan.start, static_cast<int>(k))));
  }
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    const auto& sc = scenarios[s];
    results.scenarios.push_back(ScenarioInfo{sc.name, sc.title, sc.description, sc.world->name,
                                             sc.policy->name, sc.fingerprint,
                                             sc.world->fingerprint, sc.policy->fingerprint,
                                             sc.files, plan.scenarios[s].baseline >= 0});
  }
  if (options.keep_raw) {
    results.raw_date_indices = plan.raw_date_indices;
    results.raw_parameter_names = plan.raw_parameter_names;
  }
  return results;
}

/// Appends one sample's drawn parameters for each scenario: the values of that scenario's
/// world in their columns, NaN in the columns of parameters its world does not have.
/// `drawn` is WaveBuffer::parameters of the sample (every world, one after the other).
void keep_raw_parameters(const std::vector<double>& drawn, const RunPlan& plan,
                         Results& results) {
  const std::size_t columns = plan.raw_parameter_names.size();
  for (const auto& scenario : plan.scenarios) {
    const std::size_t world = plan.integrations[scenario.own].world;
    std::size_t offset = 0;
    for (std::size_t w = 0; w < world; ++w) offset += plan.raw_parameter_columns[w].size();
    const std::size_t first = results.raw_parameters.size();
    results.raw_parameters.resize(first + columns, std::numeric_limits<double>::quiet_NaN());
    const auto& to = plan.raw_parameter_columns[world];
    for (std::size_t k = 0; k < to.size(); ++k) {
      results.raw_parameters[first + to[k]] = drawn[offset + k];
    }
  }
}

/// Appends one wave's per-sample values at the raw months to `results` (sample order).
void keep_raw_values(const WaveBuffer& wave, std::size_t count, const CellLayout& layout,
                     const RunPlan& plan, Results& results) {
  const std::size_t row_size = layout.row_size();
  for (std::size_t j = 0; j < count; ++j) {
    const double* row = &wave.rows[j * row_size];
    for (std::size_t s = 0; s < layout.scenarios; ++s) {
      for (std::size_t m = 0; m < layout.metrics; ++m) {
        for (std::size_t d : plan.raw_date_indices) {
          results.raw_series.push_back(row[layout.series_offset(s) + m * layout.months + d]);
        }
      }
      for (std::size_t k = 0; k < layout.scalars; ++k) {
        results.raw_scalars.push_back(row[layout.scalar_offset(s) + k]);
      }
    }
    keep_raw_parameters(wave.parameters[j], plan, results);
  }
}

}  // namespace

Results run(const std::vector<Scenario>& scenarios, const RunOptions& options,
            std::shared_ptr<const Policy> baseline, const RunContext& context) {
  const auto wall_start = std::chrono::steady_clock::now();
  const RunPlan plan = make_plan(scenarios, options, std::move(baseline));
  const CellLayout layout{plan.scenario_count(), detail::metric_count, plan.months,
                          detail::scalar_count};
  Results results = results_skeleton(scenarios, plan, options);
  RunSummaries summaries(layout, results.metrics, options.quantile_accuracy);

  Workers workers(options.threads);
  WaveExecutor executor(plan, layout, options.seed, options.central, options.keep_raw);
  WaveBuffer wave;
  const std::size_t wave_samples = wave_size(options, layout, plan.samples);
  std::uint64_t total_steps = 0;
  for (std::uint64_t first = 0; first < plan.samples; first += wave_samples) {
    const auto count =
        static_cast<std::size_t>(std::min<std::uint64_t>(wave_samples, plan.samples - first));
    if (!executor.run(workers, first, count, wave, context.cancel)) throw RunCancelled();
    // Each block of neighbouring cells takes the wave's values in sample order, so the
    // summaries do not depend on which thread folds which block.
    workers.parallel_for(layout.row_size(), 32, [&](std::size_t begin, std::size_t end) {
      summaries.fold_cells(wave.rows.data(), count, begin, end);
    });
    for (std::size_t j = 0; j < count; ++j) total_steps += wave.steps[j];
    if (options.keep_raw) keep_raw_values(wave, count, layout, plan, results);
    if (context.progress) context.progress(first + count, plan.samples);
  }

  auto statistics = summaries.finish(options.quantiles);
  results.series = std::move(statistics.series);
  results.series_counts = std::move(statistics.series_counts);
  results.scalars = std::move(statistics.scalars);
  results.scalar_counts = std::move(statistics.scalar_counts);
  results.assumptions_json = assumptions_json(scenarios, plan.worlds);

  RunInfo& info = results.info;
  info.engine_version = std::string(engine_version());
  info.git_commit = std::string(engine_git_commit());
  info.compiler = std::string(engine_compiler());
  info.build_type = std::string(engine_build_type());
  info.options = options;
  info.samples = plan.samples;
  info.threads = workers.size();
  info.wave_size = wave_samples;
  info.start = plan.start;
  info.solver_steps = total_steps;
  info.baseline_policy = plan.baseline ? plan.baseline->name : "";
  info.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return results;
}

}  // namespace gapcast
