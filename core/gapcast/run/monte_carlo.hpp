#pragma once
/// The Monte Carlo engine: samples worlds, integrates every scenario (and its counterfactuals)
/// in each sampled world, and summarises the results as they stream past.
///
/// Reproducibility contract:
///   * sample i's draws depend only on (seed, parameter name, i) (sampling.hpp);
///   * every scenario of a run sees the same sampled worlds (common random numbers), and each
///     scenario's paired effects compare it with its own world under no controls and under the
///     baseline policy, sample by sample;
///   * samples are processed in waves of a fixed size; within a wave any thread may integrate
///     any sample, and each summary cell then absorbs the wave's values in sample order, so
///     every output is bit-identical for any thread count;
///   * memory holds one wave of values plus fixed-size summaries, whatever the sample count.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "gapcast/run/ensemble.hpp"
#include "gapcast/run/options.hpp"
#include "gapcast/run/results.hpp"
#include "gapcast/run/sample_design.hpp"
#include "gapcast/scenario/scenario.hpp"
#include "gapcast/summary/run_summaries.hpp"

namespace gapcast {

/// What a run needs beyond its options and scenarios: progress reporting and cancellation.
struct RunContext {
  /// Called on the calling thread after each wave with (samples done, samples total).
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  /// Polled by workers between samples; when it turns true the run stops and run() throws
  /// RunCancelled. Lets the CLI's Ctrl-C and Python's KeyboardInterrupt stop a run quickly.
  const std::atomic<bool>* cancel = nullptr;
  /// Where a run with options.ensemble streams its per-sample ensemble (docs/ensembles.md).
  EnsembleSink* ensemble = nullptr;
  /// Points that replace the random draws (a sensitivity design, run/sample_design.hpp):
  /// options.samples must equal its rows. The sensitivity driver (run/sensitivity.hpp) sets
  /// it; it must outlive the run.
  const SampleDesign* design = nullptr;
  /// The caller reads only the ensemble sink (the sensitivity driver): the per-month quantile
  /// summaries, a sixth of a run's work, are not folded, and the Results' statistics are those
  /// of no sample (NaN). Only with options.ensemble.
  bool ensemble_only = false;
};

class RunCancelled : public std::runtime_error {
 public:
  RunCancelled() : std::runtime_error("run cancelled") {}
};

/// Runs every scenario in the same sampled worlds. `baseline` is the policy of the paired
/// baseline comparisons; when null, a scenario named "baseline" supplies it, and without one
/// those comparisons are left out. Throws RunOptionError for an option out of range,
/// std::invalid_argument for scenarios that cannot run together (different start months),
/// SimulationError when a sample's dynamics fail (naming the sample, the policy and its drawn
/// parameters), RunCancelled on cancellation.
Results run(const std::vector<Scenario>& scenarios, const RunOptions& options,
            std::shared_ptr<const Policy> baseline = nullptr, const RunContext& context = {});

/// A contiguous range [begin, end) of a run's sample indices: a shard (run/shard.hpp).
struct SampleRange {
  std::uint64_t begin = 0, end = 0;
  friend bool operator==(const SampleRange&, const SampleRange&) = default;
};

namespace detail {

/// What run() and run_shard() share: the samples of `range` (all of them without one)
/// integrated and summarised, but the summaries not yet turned into statistics. `results`
/// holds everything else (scenarios, catalogues, dates, the run's description, raw values).
struct PartialRun {
  Results results;
  RunSummaries summaries;
};
PartialRun run_range(const std::vector<Scenario>& scenarios, const RunOptions& options,
                     std::shared_ptr<const Policy> baseline, std::optional<SampleRange> range,
                     const RunContext& context);
/// Fills results' statistics (means, quantiles, counts) from the summaries.
void finish_statistics(const RunSummaries& summaries, Results& results);

}  // namespace detail

}  // namespace gapcast
