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
#include <vector>

#include "gapcast/summary/results.hpp"
#include "gapcast/scenario/scenario.hpp"

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
  /// Samples integrated between two summary updates. 0 picks a size from a memory budget
  /// (about 64 MiB of buffered values, between 64 and 1024 samples). Results do not depend on
  /// it; larger waves only amortise the summaries' memory traffic.
  std::size_t wave_size = 0;
  /// Policy used as the baseline for paired comparisons. If null, a scenario named "baseline"
  /// among the inputs supplies it; if there is none, baseline comparisons are left out.
  std::shared_ptr<const Policy> baseline_policy;
  /// Keep per-sample values (see Results::raw_*), at these output-month indices (empty: every
  /// January). Refused when they would exceed raw_limit_bytes.
  bool keep_raw = false;
  std::vector<std::size_t> raw_date_indices;
  std::size_t raw_limit_bytes = std::size_t{2} << 30;
  /// Called on the calling thread after each wave with (samples done, samples total).
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  /// Polled by workers between samples; when it turns true the run stops and run() throws
  /// RunCancelled. Lets the CLI's Ctrl-C and Python's KeyboardInterrupt stop a run quickly.
  const std::atomic<bool>* cancel = nullptr;
};

class RunCancelled : public std::runtime_error {
 public:
  RunCancelled() : std::runtime_error("run cancelled") {}
};

/// Runs every scenario. Throws SimulationError when a sample's dynamics fail (the message names
/// the scenario, the sample and its drawn parameters), std::invalid_argument for inconsistent
/// options or scenarios (different start months), RunCancelled on cancellation.
Results run(const std::vector<Scenario>& scenarios, const RunOptions& options);

}  // namespace gapcast
