#pragma once
/// The options of a run: one type, one validator, one JSON form.
///
/// Every surface builds a RunOptions and hands it to validate() (or builds it from JSON with
/// run_options_from_json(), which validates): the command line (each flag's text goes through
/// set_run_option()), the Python binding (keyword arguments, as JSON), and `gapcast reproduce`
/// (a manifest's "options"). So every surface accepts and rejects the same values with the
/// same words, and the manifest records exactly the object the run used.
///
/// What is not an option lives elsewhere: the scenarios and the baseline policy are inputs
/// (run/monte_carlo.hpp's run() takes them), progress reporting and cancellation are hooks
/// (RunContext).
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "gapcast/metrics/metrics.hpp"
#include "gapcast/model/model.hpp"
#include "gapcast/run/observations.hpp"
#include "gapcast/util/dates.hpp"

namespace gapcast {

struct RunOptions {
  std::uint64_t samples = 1000;
  std::uint64_t seed = 20260101;
  unsigned threads = 0;  ///< 0: all hardware threads
  YearMonth horizon{2035, 12};  ///< last output month (inclusive)
  /// One sample with every parameter at its median: the run that reproduces point estimates.
  bool central = false;
  /// The capability threshold is this multiple of the frontier's effective training compute in
  /// the start month (1 = "the US level of 2026-01").
  double threshold_multiple = 1.0;
  SolverSettings solver;
  std::vector<double> quantiles{0.05, 0.25, 0.5, 0.75, 0.95};
  double quantile_accuracy = 0.005;
  /// Samples integrated between two summary updates. 0 picks a size from a memory budget.
  /// Results do not depend on it; larger waves only amortise the summaries' memory traffic.
  std::size_t wave_size = 0;
  /// What the summaries record (`--metrics`/`--dates`, run(metrics=, dates=)): the series metrics (names from
  /// the catalogue; empty: every one) at the output months (empty: every month from the start
  /// to the horizon). Scalar metrics are always recorded. A smaller selection folds fewer
  /// summary cells, which is most of a run's cost beyond the integrations.
  std::vector<std::string> metrics;
  std::vector<YearMonth> dates;
  /// Keep per-sample values (Results::raw_*) at these output months (empty: every January, or
  /// every recorded month when `dates` selects some); they must be recorded months.
  /// Refused when they would exceed raw_limit_bytes.
  bool keep_raw = false;
  std::vector<YearMonth> raw_dates;
  std::size_t raw_limit_bytes = std::size_t{2} << 30;
  /// Observations that weight every sample by its likelihood (empty: an unconditioned run).
  std::vector<Observation> observations;
  /// Stream every sample's values of the ensemble metrics at the ensemble months, with its
  /// drawn parameters, to a Parquet file (docs/ensembles.md). The sink is the caller's
  /// (RunContext::ensemble); these options say what goes in it.
  bool ensemble = false;
  std::vector<std::string> ensemble_metrics;  ///< empty: default_ensemble_metrics()
  std::vector<YearMonth> ensemble_dates;      ///< empty: every December, and the horizon

  friend bool operator==(const RunOptions&, const RunOptions&) = default;
};

/// The limits validate() enforces, in one place so that messages, --help and docs quote the
/// same numbers.
struct RunOptionLimits {
  static constexpr std::uint64_t max_samples = 10'000'000'000ULL;
  static constexpr unsigned max_threads = 1024;
  static constexpr double max_threshold_multiple = 1e12;
  static constexpr double min_rtol = 1e-12, max_rtol = 1e-2;
  static constexpr double min_atol = 1e-12, max_atol = 1.0;
  static constexpr double min_max_step_months = 1e-3, max_max_step_months = 120.0;
  static constexpr std::size_t min_max_steps = 1, max_max_steps = 1'000'000'000;
  static constexpr std::size_t max_quantiles = 99;
  /// The quantile sketches' memory per cell grows as 1 / accuracy (docs/model.md §14): below
  /// this the worst case is no longer bounded by anything a workstation has.
  static constexpr double min_quantile_accuracy = 1e-3, max_quantile_accuracy = 0.1;
  /// The summaries' worst-case memory (every cell at its bin cap, SummaryCell::
  /// max_memory_bytes) may not exceed this; typical runs use a small fraction of it.
  static constexpr std::size_t max_summary_bytes = std::size_t{64} << 30;
  static constexpr std::size_t max_wave_size = 65536;
  static constexpr std::size_t max_raw_limit_bytes = std::size_t{1} << 40;
};

/// A rejected option value. `option()` is the option's name as in the JSON form ("samples",
/// "rtol"); `problem()` says what is wrong and what was expected, without the name, so that
/// each surface can name the option its own way ("--samples", "samples=", "options/samples").
class RunOptionError : public std::invalid_argument {
 public:
  enum class Kind { value, type };
  RunOptionError(Kind kind, std::string option, std::string problem);
  [[nodiscard]] Kind kind() const { return kind_; }
  [[nodiscard]] const std::string& option() const { return option_; }
  [[nodiscard]] const std::string& problem() const { return problem_; }

 private:
  Kind kind_;
  std::string option_, problem_;
};

/// Throws RunOptionError for the first option out of its range (in the order of the struct).
void validate(const RunOptions& options);

/// The JSON form: an object with one member per option (the names of RunOptions, with the
/// solver settings flattened as rtol, atol, max_step_months, max_steps; months as "YYYY-MM").
nlohmann::ordered_json to_json(const RunOptions& options);
/// Reads the JSON form strictly: unknown members, wrong types, fractional or negative counts,
/// non-finite numbers are errors (RunOptionError); members left out keep their defaults. The
/// result is validated.
RunOptions run_options_from_json(const nlohmann::json& object);

/// Sets one option from its text as typed on a command line ("1e6" samples is a million;
/// "2.5" samples, "-1" as a seed, "nan" anywhere are errors). `name` is the JSON name. Lists
/// (quantiles, raw_dates) take comma-separated items. Does not validate the whole.
void set_run_option(RunOptions& options, std::string_view name, std::string_view text);

/// A finite number from text, with the same checks and words as set_run_option (for surfaces
/// that take an option in other units, like the command's percentiles).
double parse_option_number(std::string_view option, std::string_view text);

/// The JSON names of every option, in order (for "did you mean" and documentation).
const std::vector<std::string>& run_option_names();

/// The series metrics a run with these options records, in catalogue order: the catalogue
/// itself, or the entries named by `metrics`.
std::vector<MetricInfo> recorded_series_metrics(const RunOptions& options);

/// The metrics an ensemble keeps when none are named: the gaps, the target's compute and
/// hardware, the US stock, domestic output, the import pressure and the paired effects against
/// no controls; every scalar metric (threshold month, delays) is kept too.
const std::vector<std::string>& default_ensemble_metrics();
/// The months an ensemble keeps: the options' ensemble_dates, or every December from the
/// start month to the horizon, and the horizon itself.
std::vector<YearMonth> ensemble_months(const RunOptions& options, YearMonth start);

}  // namespace gapcast
