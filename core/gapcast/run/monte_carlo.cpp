#include "gapcast/run/monte_carlo.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <optional>

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
  results.metrics = recorded_series_metrics(options);
  results.scalar_metrics = scalar_metric_catalogue();
  results.quantiles = options.quantiles;
  for (std::size_t k : plan.recorded_months) {
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
    // The plan's raw months count from the start; Results' index its recorded dates.
    for (std::size_t k : plan.raw_date_indices) {
      const auto at = std::find(plan.recorded_months.begin(), plan.recorded_months.end(), k);
      results.raw_date_indices.push_back(
          static_cast<std::size_t>(at - plan.recorded_months.begin()));
    }
    results.raw_parameter_names = plan.raw_parameter_names;
  }
  return results;
}

/// The values the summaries record, row by row: a wave's rows themselves when everything is
/// recorded, else the recorded cells gathered into rows of the summaries' layout (a copy is
/// cheap beside folding the cells that are left out).
class SelectedRows {
 public:
  explicit SelectedRows(const RunPlan& plan)
      : columns_(plan.summary_columns()), row_size_(plan.row_layout().row_size()) {}

  const double* rows(Workers& workers, const WaveBuffer& wave, std::size_t count) {
    if (columns_.empty()) return wave.rows.data();
    const std::size_t width = columns_.size();
    gathered_.resize(count * width);
    workers.parallel_for(count, 16, [&](std::size_t begin, std::size_t end) {
      for (std::size_t j = begin; j != end; ++j) {
        const double* from = &wave.rows[j * row_size_];
        double* to = &gathered_[j * width];
        for (std::size_t c = 0; c < width; ++c) to[c] = from[columns_[c]];
      }
    });
    return gathered_.data();
  }

 private:
  std::vector<std::size_t> columns_;
  std::size_t row_size_;
  std::vector<double> gathered_;
};

/// Appends one sample's drawn parameters for each scenario: the values of that scenario's
/// world in their columns, NaN in the columns of parameters its world does not have.
/// `drawn` is WaveBuffer::parameters of the sample (every world, one after the other).
void keep_raw_parameters(const std::vector<double>& drawn, const RunPlan& plan,
                         Results& results) {
  const std::size_t columns = plan.raw_parameter_names.size();
  for (const auto& scenario : plan.scenarios) {
    const std::size_t world = plan.integrations[scenario.own].world;
    const std::size_t offset = plan.raw_parameter_offsets[world];
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
      for (std::size_t m : plan.recorded_metrics) {
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

/// Where an observation reads its value in a sample's row (docs/conditioning.md).
struct ObservedValue {
  std::size_t offset;
  const Observation* observation;
};

/// Each observation's cell: its scenario (named, else the run's "baseline" scenario, else the
/// first), metric and month. Throws RunOptionError for a scenario not in the run or a month
/// before the start (the horizon is checked with the options).
std::vector<ObservedValue> locate_observations(const RunOptions& options,
                                               const std::vector<Scenario>& scenarios,
                                               const RunPlan& plan, const CellLayout& layout,
                                               const Results& results) {
  std::size_t observed_scenario = 0;
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    if (scenarios[s].name == "baseline") observed_scenario = s;
  }
  std::vector<ObservedValue> located;
  for (const auto& o : options.observations) {
    std::size_t s = observed_scenario;
    if (!o.scenario.empty()) {
      const int named = results.scenario_index(o.scenario);
      if (named < 0) {
        std::string names;
        for (const auto& sc : scenarios) names += (names.empty() ? "" : ", ") + sc.name;
        throw RunOptionError(RunOptionError::Kind::value, "observations",
                             "observation \"" + o.name + "\" reads scenario \"" + o.scenario +
                                 "\", which is not in this run (scenarios: " + names + ")");
      }
      s = static_cast<std::size_t>(named);
    }
    const int month = months_between(plan.start, o.date);
    if (month < 0) {
      throw RunOptionError(RunOptionError::Kind::value, "observations",
                           "observation \"" + o.name + "\" is at " + format_year_month(o.date) +
                               ", before the start month " + format_year_month(plan.start));
    }
    // The observation reads the sample's row, which holds every metric of the catalogue
    // (observations name catalogue metrics: the options' validation checks them).
    const int position = series_metric_position(o.metric);
    if (position < 0) {
      throw RunOptionError(RunOptionError::Kind::value, "observations",
                           "observation \"" + o.name + "\" reads \"" + o.metric +
                               "\", which is not a time-series metric");
    }
    const auto metric = static_cast<std::size_t>(position);
    located.push_back({layout.series_offset(s) + metric * layout.months +
                           static_cast<std::size_t>(month),
                       &o});
  }
  return located;
}

/// Running totals of a conditioned run's weights, added in sample order (Neumaier sums), so
/// they are the same for any thread count.
struct WeightTotals {
  double sum = 0.0, sum_compensation = 0.0, squares = 0.0, squares_compensation = 0.0;
  std::vector<std::uint64_t> zero_likelihood;  ///< per observation, samples it gave weight 0

  static void add(double& total, double& compensation, double v) {
    const double t = total + v;
    compensation += std::abs(total) >= std::abs(v) ? (total - t) + v : (v - t) + total;
    total = t;
  }
  void add(double w) {
    add(sum, sum_compensation, w);
    add(squares, squares_compensation, w * w);
  }
};

/// The weights of one wave's samples: the product of each sample's likelihoods.
void weigh_wave(const WaveBuffer& wave, std::size_t count, std::size_t row_size,
                const std::vector<ObservedValue>& observed, std::vector<double>& weights,
                WeightTotals& totals) {
  weights.assign(count, 1.0);
  for (std::size_t j = 0; j < count; ++j) {
    const double* row = &wave.rows[j * row_size];
    for (std::size_t k = 0; k < observed.size(); ++k) {
      const double l = observed[k].observation->likelihood(row[observed[k].offset]);
      if (l == 0.0) ++totals.zero_likelihood[k];
      weights[j] *= l;
    }
    totals.add(weights[j]);
  }
}

/// Effective sample size and warnings of a conditioned run; throws when no sample has weight.
void finish_weights(const WeightTotals& totals, const std::vector<ObservedValue>& observed,
                    std::uint64_t samples, RunInfo& info) {
  const double w = totals.sum + totals.sum_compensation;
  const double w2 = totals.squares + totals.squares_compensation;
  if (!(w > 0.0)) {
    std::string which;
    for (std::size_t k = 0; k < observed.size(); ++k) {
      char share[32];
      std::snprintf(share, sizeof share, "%.1f%%",
                    100.0 * static_cast<double>(totals.zero_likelihood[k]) /
                        static_cast<double>(samples));
      which += "; \"" + observed[k].observation->name + "\" (" +
               observed[k].observation->describe() + ") rules out " + share;
    }
    throw RunOptionError(RunOptionError::Kind::value, "observations",
                         "no sample is consistent with the observations: all " +
                             std::to_string(samples) + " samples have likelihood 0" + which);
  }
  info.weight_sum = w;
  info.effective_sample_size = w * w / w2;
  if (info.effective_sample_size < 0.1 * static_cast<double>(samples)) {
    char text[256];
    std::snprintf(text, sizeof text,
                  "the effective sample size is %.0f, below 10%% of the %llu samples: the "
                  "observations are far from what the world's distributions expect, so the "
                  "conditioned statistics rest on few samples (run more samples, or check the "
                  "observations)",
                  info.effective_sample_size, static_cast<unsigned long long>(samples));
    info.warnings.emplace_back(text);
  }
}

/// How the run was made: the engine, the options as given, and what the run did with them.
void describe_run(const RunOptions& options, const RunPlan& plan, unsigned threads,
                  std::size_t wave_samples, std::uint64_t total_steps, RunInfo& info) {
  info.engine_version = std::string(engine_version());
  info.git_commit = std::string(engine_git_commit());
  info.compiler = std::string(engine_compiler());
  info.build_type = std::string(engine_build_type());
  info.options = options;
  info.samples = plan.samples;
  info.threads = threads;
  info.wave_size = wave_samples;
  info.start = plan.start;
  info.solver_steps = total_steps;
  info.baseline_policy = plan.baseline ? plan.baseline->name : "";
}

/// The hooks agree with the options: an ensemble has a sink, a design has the run's size.
void check_context(const RunOptions& options, const RunPlan& plan, const RunContext& context) {
  if (options.ensemble && context.ensemble == nullptr) {
    throw RunOptionError(RunOptionError::Kind::value, "ensemble",
                         "needs a file to stream to: give --out (the command) or ensemble=PATH "
                         "(Python)");
  }
  if (context.ensemble_only && !options.ensemble) {
    throw std::logic_error("internal error: ensemble_only without an ensemble");
  }
  if (context.design != nullptr && (options.central || plan.samples != context.design->rows)) {
    throw RunOptionError(RunOptionError::Kind::value, "samples",
                         "must equal the sample design's " +
                             std::to_string(context.design->rows) + " rows, without central");
  }
}

}  // namespace

namespace detail {

// Long because: it is the driver's one loop, with the conditioning, raw output and ensemble
// hooks each a few lines inside it; split up, the order of the steps per wave would be hidden.
PartialRun run_range(const std::vector<Scenario>& scenarios, const RunOptions& options,
                     std::shared_ptr<const Policy> baseline, std::optional<SampleRange> shard,
                     const RunContext& context) {
  const auto wall_start = std::chrono::steady_clock::now();
  const RunPlan plan = make_plan(scenarios, options, std::move(baseline));
  const SampleRange range = shard.value_or(SampleRange{0, plan.samples});
  // {0, 0} describes the run without sampling it (run_description); any other range must
  // hold samples of the run.
  const bool describe_only = range == SampleRange{0, 0};
  if ((range.begin >= range.end && !describe_only) || range.end > plan.samples) {
    throw RunOptionError(RunOptionError::Kind::value, "shard",
                         "must be a non-empty range START:STOP with STOP at most the run's " +
                             std::to_string(plan.samples) + " samples, got " +
                             std::to_string(range.begin) + ":" + std::to_string(range.end));
  }
  const CellLayout layout = plan.row_layout();
  Results results = results_skeleton(scenarios, plan, options);
  const auto observed = locate_observations(options, scenarios, plan, layout, results);
  const bool conditioned = !observed.empty();
  RunSummaries summaries(plan.summary_layout(), results.metrics, options.quantile_accuracy,
                         conditioned);
  SelectedRows selected(plan);
  std::vector<double> weights;
  WeightTotals weight_totals;
  weight_totals.zero_likelihood.assign(observed.size(), 0);

  Workers workers(options.threads);
  if (!describe_only) check_context(options, plan, context);
  std::optional<EnsembleTable> ensemble;
  EnsembleChunk chunk;
  if (options.ensemble && !describe_only) {
    ensemble.emplace(options, plan, results, layout, conditioned);
  }
  WaveExecutor executor(plan, layout, options.seed, options.central,
                        options.keep_raw || options.ensemble, context.design);
  WaveBuffer wave;
  const std::size_t wave_samples = wave_size(options, layout, plan.samples);
  std::uint64_t total_steps = 0;
  for (std::uint64_t first = range.begin; first < range.end; first += wave_samples) {
    const auto count =
        static_cast<std::size_t>(std::min<std::uint64_t>(wave_samples, range.end - first));
    if (!executor.run(workers, first, count, wave, context.cancel)) throw RunCancelled();
    if (conditioned) {
      weigh_wave(wave, count, layout.row_size(), observed, weights, weight_totals);
      if (options.keep_raw) {
        results.raw_weights.insert(results.raw_weights.end(), weights.begin(), weights.end());
      }
    }
    // Each block of neighbouring cells takes the wave's values in sample order, so the
    // summaries do not depend on which thread folds which block.
    const double* recorded = context.ensemble_only ? nullptr : selected.rows(workers, wave, count);
    workers.parallel_for(context.ensemble_only ? 0 : summaries.cell_count(), 32,
                         [&](std::size_t begin, std::size_t end) {
      if (conditioned) {
        summaries.fold_cells_weighted(recorded, weights.data(), count, begin, end);
      } else {
        summaries.fold_cells(recorded, count, begin, end);
      }
    });
    for (std::size_t j = 0; j < count; ++j) total_steps += wave.steps[j];
    if (options.keep_raw) keep_raw_values(wave, count, layout, plan, results);
    if (ensemble) {
      ensemble->fill(first, count, wave.rows.data(), wave.parameters,
                     conditioned ? weights.data() : nullptr, chunk);
      context.ensemble->write(chunk);
    }
    if (context.progress) context.progress(first + count - range.begin, range.end - range.begin);
  }

  // A conditioned run is never a shard (run_shard refuses it): its weights cover every sample.
  if (conditioned) finish_weights(weight_totals, observed, plan.samples, results.info);
  results.assumptions_json = assumptions_json(scenarios, plan.worlds);
  describe_run(options, plan, workers.size(), wave_samples, total_steps, results.info);
  results.info.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return PartialRun{std::move(results), std::move(summaries)};
}

void finish_statistics(const RunSummaries& summaries, Results& results) {
  auto statistics = summaries.finish(results.quantiles);
  results.series = std::move(statistics.series);
  results.series_counts = std::move(statistics.series_counts);
  results.scalars = std::move(statistics.scalars);
  results.scalar_counts = std::move(statistics.scalar_counts);
}

}  // namespace detail

Results run(const std::vector<Scenario>& scenarios, const RunOptions& options,
            std::shared_ptr<const Policy> baseline, const RunContext& context) {
  const auto wall_start = std::chrono::steady_clock::now();
  auto partial = detail::run_range(scenarios, options, std::move(baseline), std::nullopt, context);
  detail::finish_statistics(partial.summaries, partial.results);
  partial.results.info.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return std::move(partial.results);
}

}  // namespace gapcast
