#pragma once
/// Splitting a run over machines: shards that merge into exactly the local run.
///
/// A shard is the run of one contiguous range of sample indices [begin, end) of a run with
/// options.samples samples. Sample i's draws depend only on (seed, i), and every part of an
/// unweighted summary cell (integer counts, sketch bins, the exact sum behind the mean)
/// depends only on the set of values it saw, so shards computed anywhere, with any thread
/// count and in any order, merge into summaries bit-identical to the ones a single run would
/// hold, and so into byte-identical result files (docs/distributed.md).
///
/// What cannot be sharded, refused with RunOptionError before anything runs:
///   * a run conditioned on observations: its weighted sums are rounded in sample order;
///   * raw output (keep_raw): per-sample values do not belong in summaries (stream an
///     ensemble instead: each shard writes its own part);
///   * a central run: it is one sample.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "gapcast/run/monte_carlo.hpp"

namespace gapcast {

struct RunShard {
  SampleRange range;
  /// Everything but the statistics: scenarios, catalogues, dates, the run's description
  /// (info.samples is the whole run's sample count; info.solver_steps and wall_seconds this
  /// shard's), assumptions.
  Results results;
  RunSummaries summaries;
};

/// Shards that cannot merge: different runs, overlapping or missing ranges. The message names
/// what differs and between which shards.
class ShardMergeError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Runs samples [range.begin, range.end) of the run that run(scenarios, options, baseline)
/// would make. Throws what run() throws, and RunOptionError (option "shard") for an empty
/// range, one beyond options.samples, or a run that cannot be sharded (see above).
RunShard run_shard(const std::vector<Scenario>& scenarios, const RunOptions& options,
                   std::shared_ptr<const Policy> baseline, SampleRange range,
                   const RunContext& context = {});

/// The run's description without any sample: a shard of the empty range [0, 0) with
/// everything but summaries of values (scenarios, assumptions, options). The Python client of
/// a cluster makes one from the scenarios as it loaded them, so that merged results describe
/// the inputs as a local run would, whatever form the workers loaded them in (merge_shards).
RunShard run_description(const std::vector<Scenario>& scenarios, const RunOptions& options,
                         std::shared_ptr<const Policy> baseline);

/// "START:STOP" for messages and file names.
std::string describe_range(const SampleRange& range);

/// Why two shards are not parts of the same run ("" when they are): the engine, the options
/// that change results (all but threads and wave_size), the scenarios' contents (their
/// fingerprints; not where they were read from), the baseline.
std::string shard_mismatch(const RunShard& a, const RunShard& b);

/// Merges the shards of one run as they arrive, in any order, holding only those that arrived
/// ahead of their turn: a shard is folded into the merged summaries (in sample order, as the
/// merge requires) as soon as every sample before it is in, and its memory is released. So
/// memory stays near one shard's summaries when shards arrive roughly in order, however many
/// there are.
class ShardMerger {
 public:
  /// With a `description` (run_description), the merged results take its scenarios and
  /// assumptions, and every shard must match it.
  explicit ShardMerger(std::optional<RunShard> description = std::nullopt);

  /// Takes one shard. Throws ShardMergeError, keeping the shards taken so far, when it belongs
  /// to another run (shard_mismatch) or overlaps a shard already taken; std::logic_error after
  /// finish().
  void add(RunShard shard);
  /// Shards taken but not yet folded in (they wait for samples before them).
  [[nodiscard]] std::size_t pending() const { return ahead_.size(); }
  /// Shards taken so far.
  [[nodiscard]] std::size_t taken() const { return taken_; }
  /// The merged run, once. Throws ShardMergeError when no shard was taken or samples are
  /// missing, std::logic_error when called again.
  Results finish();

 private:
  void fold(RunShard shard);
  std::optional<RunShard> description_;
  std::optional<RunShard> merged_;  ///< samples [0, next_) once the first shard is in
  std::optional<Results> reference_;  ///< the first shard's description, for mismatches
  SampleRange reference_range_;
  std::map<std::uint64_t, RunShard> ahead_;  ///< by first sample: waiting for earlier ones
  std::map<std::uint64_t, std::uint64_t> ranges_;  ///< every range taken: begin -> end
  std::uint64_t next_ = 0;
  std::size_t taken_ = 0;
  bool finished_ = false;
};

/// Merges the shards of one run into its Results, ordering them by range first (so the order
/// they arrived in does not matter): the statistics are bit-identical to run()'s for the same
/// inputs. info.solver_steps is the total over shards, info.wall_seconds the sum of the
/// shards' times, info.threads the first shard's. The scenarios and assumptions are those of
/// `description` when given (run_description, which must match the shards like they match each
/// other), else the first shard's. Throws ShardMergeError if the shards are of different runs
/// (shard_mismatch) or their ranges overlap or leave samples out.
Results merge_shards(std::vector<RunShard> shards, const RunShard* description = nullptr);

}  // namespace gapcast
