#pragma once
/// Global sensitivity analysis of a run (docs/sensitivity.md): which uncertain parameters
/// drive each output, for every scenario, metric and month, and for the paired policy effects.
///
/// The driver builds a design over the run's uncertain parameters (sensitivity/), runs the
/// engine at the design's points (RunContext::design) keeping every row's outputs in memory
/// (an ensemble sink), and hands each output's values to the estimator:
///
///   sobol   Saltelli design of N base rows, first-order and total indices (optionally
///           second order) with bootstrap intervals; N (G + 2) model evaluations.
///   morris  r trajectories of G + 1 points on a p-level grid; mu, mu*, sigma; r (G + 1).
///   pawn    the ordinary Monte Carlo sample, correlations included (given data); N.
///
/// Sobol' and Morris designs sample the marginals independently; when a world correlates some
/// of its parameters the results carry a warning saying so, and PAWN is the measure that
/// respects the correlations. Every design is a function of the seed, and the engine's rows
/// are bit-identical for any thread count, so the indices are too.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gapcast/run/monte_carlo.hpp"
#include "gapcast/run/options.hpp"

namespace gapcast {

enum class SensitivityMethod { sobol, morris, pawn };

struct SensitivityOptions {
  SensitivityMethod method = SensitivityMethod::sobol;
  /// sobol: N base rows (a power of two); morris: trajectories; pawn: Monte Carlo samples.
  std::size_t samples = 1024;
  bool second_order = false;  ///< sobol only
  /// The factors (world parameter names); empty: every uncertain parameter of the run.
  std::vector<std::string> parameters;
  /// Named groups of factors analysed as one; a factor no group names is a group of its own
  /// (after the named ones). A factor in two groups is an error.
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  int levels = 4;                ///< morris grid levels (even)
  std::size_t slices = 10;       ///< pawn slices
  /// Bootstrap resamples for the intervals. 200 estimates a half-width to about 5% (its
  /// relative standard error is about 1 / sqrt(2 B)), enough to judge it against the 0.05
  /// target; SALib's default is 100.
  std::size_t resamples = 200;
  double confidence = 0.95;

  friend bool operator==(const SensitivityOptions&, const SensitivityOptions&) = default;
};

const char* method_name(SensitivityMethod method);
/// "sobol", "morris" or "pawn"; throws RunOptionError otherwise.
SensitivityMethod parse_sensitivity_method(const std::string& text);

/// The indices of one output of one scenario: values[statistic][group].
struct SensitivityIndices {
  std::string scenario;
  std::string output;  ///< "metric@YYYY-MM" or a scalar metric's name
  /// False when the output cannot be analysed (constant, undefined or not finite in some
  /// rows); `note` then says why and the values are NaN.
  bool defined = true;
  std::string note;
  /// "log10" when the output is a positive level or ratio (compute, gaps: units spanning
  /// orders of magnitude) analysed on a log scale, else "none". Variance-based indices of a
  /// quantity spanning five orders of magnitude would describe its few largest values only.
  std::string transform = "none";
  std::vector<std::vector<double>> values;
  /// sobol with second order: G x G row-major (i < j filled), and their half-widths.
  std::vector<double> second_order, second_order_conf;
};

struct SensitivityResults {
  SensitivityOptions options;
  RunOptions run_options;  ///< as the engine ran them (samples = model evaluations)
  std::vector<std::string> parameters;   ///< factors, design column order
  std::vector<std::string> groups;       ///< group names
  std::vector<std::size_t> group_of;     ///< per parameter
  std::vector<std::string> statistics;   ///< per method, e.g. S1, S1_conf, ST, ST_conf
  std::vector<std::string> scenarios;
  std::vector<ScenarioInfo> scenario_info;  ///< fingerprints and files, for the manifest
  std::vector<std::string> outputs;
  std::vector<SensitivityIndices> indices;  ///< scenario-major, then outputs order
  std::vector<std::string> warnings;
  std::size_t evaluations = 0;  ///< model evaluations (design rows) per scenario
  RunInfo run_info;             ///< the engine run's own description
  std::string assumptions_json;
  /// With keep_values: the inputs each row was evaluated at (rows x parameters, row-major:
  /// the design's unit-cube points for sobol and morris, per scenario the drawn values for
  /// pawn) and every output's values, [scenario][output][row]. For checks against other
  /// implementations; empty otherwise.
  std::vector<std::vector<double>> inputs;
  std::vector<std::vector<std::vector<double>>> values;

  [[nodiscard]] const SensitivityIndices& at(std::size_t scenario, std::size_t output) const {
    return indices[scenario * outputs.size() + output];
  }
};

/// The model evaluations of an analysis, or a range of them, kept in memory: every design row's
/// outputs and drawn factors, per scenario. The rows of one analysis can be evaluated as
/// several pieces (on several machines: docs/distributed.md) and analysed together.
struct SensitivityRows {
  SampleRange range;               ///< the design rows held
  std::uint64_t solver_steps = 0;  ///< accepted solver steps over those rows
  /// sensitivity_fingerprint of the analysis the rows belong to.
  std::string fingerprint;
  std::vector<std::string> columns;    ///< the ensemble's columns: outputs, then world.<factor>
  std::vector<std::string> scenarios;  ///< in the order of `values`
  std::vector<std::vector<std::vector<double>>> values;  ///< [scenario][column][row - begin]
};

/// The statistics each method reports, in order.
const std::vector<std::string>& sensitivity_statistics(SensitivityMethod method);

/// Runs the analysis. `run_options` gives the seed, horizon, solver and which outputs
/// (ensemble_metrics and ensemble_dates; their defaults otherwise); its samples are replaced
/// by the design's size. Throws RunOptionError for a bad option (unknown parameter or group
/// member, N not a power of two, ...), std::invalid_argument, SimulationError, RunCancelled.
SensitivityResults run_sensitivity(const std::vector<Scenario>& scenarios,
                                   const RunOptions& run_options,
                                   const SensitivityOptions& options,
                                   std::shared_ptr<const Policy> baseline = nullptr,
                                   const RunContext& context = {}, bool keep_values = false);

/// The number of model evaluations (design rows; samples for pawn) the analysis needs. Throws
/// what run_sensitivity throws for bad options.
std::uint64_t sensitivity_evaluations(const std::vector<Scenario>& scenarios,
                                      const RunOptions& run_options,
                                      const SensitivityOptions& options);
/// SHA-256 naming the analysis: the engine, the engine options that change results (not the
/// threads), the analysis options, the scenarios' and the baseline's fingerprints.
std::string sensitivity_fingerprint(const std::vector<Scenario>& scenarios,
                                    const RunOptions& run_options,
                                    const SensitivityOptions& options,
                                    const std::shared_ptr<const Policy>& baseline);
/// Evaluates design rows [range.begin, range.end) of the analysis run_sensitivity would make.
/// Throws RunOptionError (option "shard") for a range outside the evaluations.
SensitivityRows evaluate_sensitivity_rows(const std::vector<Scenario>& scenarios,
                                          const RunOptions& run_options,
                                          const SensitivityOptions& options,
                                          std::shared_ptr<const Policy> baseline,
                                          SampleRange range, const RunContext& context = {});
/// The analysis from rows evaluated in pieces, given in any order: the same results, index for
/// index and bit for bit, as run_sensitivity with the same inputs (run_info.solver_steps is the
/// pieces' total; wall time and threads are this call's). Throws std::invalid_argument when
/// the pieces overlap, leave rows out, or belong to another analysis (fingerprint).
SensitivityResults analyse_sensitivity_rows(const std::vector<Scenario>& scenarios,
                                            const RunOptions& run_options,
                                            const SensitivityOptions& options,
                                            std::shared_ptr<const Policy> baseline,
                                            std::vector<SensitivityRows> pieces,
                                            bool keep_values = false);

}  // namespace gapcast
