#pragma once
/// What a run produces: per scenario, metric and output month, the mean and chosen quantiles
/// over samples; per scenario, scalar metrics (event months, delays); and the run's provenance.
///
/// Arrays are flat and C-ordered so that Python can view them without copying:
///   series[((scenario * n_metrics + metric) * n_dates + date) * n_stats + stat]
///   scalars[(scenario * n_scalars + scalar) * n_stats + stat]
/// with stat 0 the mean and stat 1 + q the q-th requested quantile. A statistic that does not
/// exist (the mean of a metric with events beyond the horizon, a quantile that falls on them)
/// is +infinity for "beyond the horizon" and NaN for "undefined"; writers render both as null.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "gapcast/metrics/metrics.hpp"
#include "gapcast/run/options.hpp"
#include "gapcast/summary/summary_cell.hpp"
#include "gapcast/util/dates.hpp"

namespace gapcast {

struct ScenarioInfo {
  std::string name, title, description;
  std::string world_name, policy_name;
  std::string fingerprint, world_fingerprint, policy_fingerprint;
  std::vector<SourceFile> files;
  bool has_baseline_comparison = false;
};

/// How a run was made: the engine, the options it was given, and what it did with them.
struct RunInfo {
  std::string engine_version, git_commit, compiler, build_type;
  RunOptions options;          ///< as given (the manifest records them; reproduce reruns them)
  std::uint64_t samples = 0;   ///< samples integrated (1 for a central run)
  unsigned threads = 0;        ///< worker threads used
  std::size_t wave_size = 0;   ///< samples per wave used
  YearMonth start;             ///< the scenarios' start month
  double wall_seconds = 0.0;
  std::uint64_t solver_steps = 0;  ///< total accepted steps over all runs
  std::string baseline_policy;     ///< name of the policy used as baseline, "" if none
  /// A conditioned run (options.observations): the samples' total weight and the effective
  /// sample size (sum w)^2 / sum w^2; NaN for an unconditioned run.
  double weight_sum = std::numeric_limits<double>::quiet_NaN();
  double effective_sample_size = std::numeric_limits<double>::quiet_NaN();
  /// Problems with the run's outcome that do not stop it (a small effective sample size).
  std::vector<std::string> warnings;
};

/// The one JSON form of RunInfo (the Python binding's Results.info, read back when results are
/// unpickled or written from Python): the engine, the run's outcome, and the options, both
/// nested under "options" (what reruns read) and, for reading, flattened as seed, horizon,
/// central, threshold_multiple, quantile_accuracy and solver.
nlohmann::ordered_json to_json(const RunInfo& info);
/// Reads that form back; throws std::invalid_argument naming a missing or wrong member.
RunInfo run_info_from_json(const nlohmann::json& j);

struct Results {
  std::vector<ScenarioInfo> scenarios;
  std::vector<MetricInfo> metrics;         ///< time-series metrics
  std::vector<MetricInfo> scalar_metrics;  ///< one value per sample and scenario
  std::vector<std::string> dates;          ///< "YYYY-MM", one per output month
  std::vector<double> quantiles;           ///< requested levels in (0, 1)
  std::vector<double> series;
  std::vector<double> scalars;
  std::vector<CellCounts> series_counts;  ///< [scenario][metric][date]
  std::vector<CellCounts> scalar_counts;  ///< [scenario][scalar]
  RunInfo info;
  /// Every world's parameters (distribution, median, 90% interval, unit, source, note) and
  /// every policy's description, as JSON: the assumptions appendix of a report is built from
  /// it, so a results directory documents its own inputs.
  std::string assumptions_json;

  /// Raw per-sample values, filled only when RunOptions::keep_raw is set:
  ///   raw_series[((sample * S + scenario) * n_metrics + metric) * n_raw_dates + d]
  ///   raw_scalars[(sample * S + scenario) * n_scalars + k]
  ///   raw_parameters[(sample * S + scenario) * n_parameters + p]
  /// raw_parameters are the values the model used: every parameter of the scenario's world
  /// after the copula and the marginal's quantile function (fixed values included), under
  /// raw_parameter_names, the union of the run's worlds' parameter names ("chips.h20.tpp",
  /// "domestic_lines.huawei.packages_per_year_2026"); NaN where the scenario's world has no
  /// parameter of that name.
  std::vector<std::size_t> raw_date_indices;
  std::vector<double> raw_series, raw_scalars, raw_parameters;
  /// raw_weights[sample]: the sample's weight in a conditioned run (empty otherwise).
  std::vector<double> raw_weights;
  std::vector<std::string> raw_parameter_names;

  [[nodiscard]] std::size_t stats() const { return 1 + quantiles.size(); }
  [[nodiscard]] double series_value(std::size_t scenario, std::size_t metric, std::size_t date,
                                    std::size_t stat) const {
    return series[((scenario * metrics.size() + metric) * dates.size() + date) * stats() + stat];
  }
  [[nodiscard]] double scalar_value(std::size_t scenario, std::size_t scalar,
                                    std::size_t stat) const {
    return scalars[(scenario * scalar_metrics.size() + scalar) * stats() + stat];
  }
  [[nodiscard]] int metric_index(std::string_view name) const;
  [[nodiscard]] int scalar_index(std::string_view name) const;
  [[nodiscard]] int scenario_index(std::string_view name) const;
};

}  // namespace gapcast
