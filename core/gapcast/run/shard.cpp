#include "gapcast/run/shard.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

namespace gapcast {

std::string describe_range(const SampleRange& range) {
  return std::to_string(range.begin) + ":" + std::to_string(range.end);
}

RunShard run_shard(const std::vector<Scenario>& scenarios, const RunOptions& options,
                   std::shared_ptr<const Policy> baseline, SampleRange range,
                   const RunContext& context) {
  const auto refuse = [&](const std::string& why) {
    throw RunOptionError(RunOptionError::Kind::value, "shard", why);
  };
  if (!options.observations.empty()) {
    refuse("a run conditioned on observations cannot be split into shards: its weighted sums "
           "are rounded in sample order, so they would not merge exactly; run it on one "
           "machine");
  }
  if (options.keep_raw) {
    refuse("raw output (--raw, keep_raw) cannot be split into shards: stream an ensemble "
           "instead (--ensemble), each shard writing its own part");
  }
  if (options.central) refuse("a central run is one sample and cannot be split into shards");
  // run_range() takes {0, 0} for the run's description (run_description); as a shard it is as
  // empty as any other range, and a shard must hold samples.
  if (range.begin >= range.end) {
    refuse("must be a non-empty range START:STOP, got " + describe_range(range));
  }
  auto partial = detail::run_range(scenarios, options, std::move(baseline), range, context);
  return RunShard{range, std::move(partial.results), std::move(partial.summaries)};
}

RunShard run_description(const std::vector<Scenario>& scenarios, const RunOptions& options,
                         std::shared_ptr<const Policy> baseline) {
  auto partial =
      detail::run_range(scenarios, options, std::move(baseline), SampleRange{0, 0}, {});
  return RunShard{SampleRange{0, 0}, std::move(partial.results), std::move(partial.summaries)};
}

namespace {

/// shard_mismatch on the shards' descriptions and ranges.
std::string mismatch(const Results& a, SampleRange a_range, const Results& b,
                     SampleRange b_range) {
  const RunInfo& x = a.info;
  const RunInfo& y = b.info;
  const std::string pair =
      " (shard " + describe_range(a_range) + " vs shard " + describe_range(b_range) + ")";
  if (x.engine_version != y.engine_version || x.git_commit != y.git_commit) {
    return "they were made by different engines: gapcast " + x.engine_version + " (" +
           x.git_commit + ") and " + y.engine_version + " (" + y.git_commit + ")" + pair;
  }
  // Every option that changes results must agree; threads and wave size change none.
  auto ox = to_json(x.options);
  auto oy = to_json(y.options);
  for (auto* o : {&ox, &oy}) {
    o->erase("threads");
    o->erase("wave_size");
  }
  for (const auto& [key, value] : ox.items()) {
    const auto other = oy.find(key);
    if (other == oy.end() || *other != value) {
      return "they were made with different options: " + key + " is " + value.dump() +
             " and " + (other == oy.end() ? std::string("absent") : other->dump()) + pair;
    }
  }
  for (const auto& [key, value] : oy.items()) {
    if (!ox.contains(key)) return "they were made with different options: " + key + pair;
  }
  const auto& sx = a.scenarios;
  const auto& sy = b.scenarios;
  if (sx.size() != sy.size()) {
    return "they ran different scenarios: " + std::to_string(sx.size()) + " and " +
           std::to_string(sy.size()) + " scenarios" + pair;
  }
  for (std::size_t s = 0; s < sx.size(); ++s) {
    if (sx[s].name != sy[s].name || sx[s].fingerprint != sy[s].fingerprint ||
        sx[s].world_fingerprint != sy[s].world_fingerprint ||
        sx[s].policy_fingerprint != sy[s].policy_fingerprint) {
      return "they ran different scenarios: scenario " + std::to_string(s + 1) + " is \"" +
             sx[s].name + "\" (fingerprint " + sx[s].fingerprint.substr(0, 12) + ") and \"" +
             sy[s].name + "\" (fingerprint " + sy[s].fingerprint.substr(0, 12) + ")" + pair;
    }
  }
  if (x.baseline_policy != y.baseline_policy) {
    return "they compared against different baselines: \"" + x.baseline_policy + "\" and \"" +
           y.baseline_policy + "\"" + pair;
  }
  return {};
}

}  // namespace

std::string shard_mismatch(const RunShard& a, const RunShard& b) {
  return mismatch(a.results, a.range, b.results, b.range);
}

ShardMerger::ShardMerger(std::optional<RunShard> description)
    : description_(std::move(description)) {}

void ShardMerger::add(RunShard shard) {
  if (finished_) throw std::logic_error("ShardMerger::add: the merge was finished already");
  if (shard.range.begin == shard.range.end) return;  // a shard of no samples adds nothing
  if (description_) {
    const auto why = shard_mismatch(*description_, shard);
    if (!why.empty()) throw ShardMergeError("the shards are not parts of the run described: " + why);
  } else if (reference_) {
    const auto why = mismatch(*reference_, reference_range_, shard.results, shard.range);
    if (!why.empty()) throw ShardMergeError("the shards are not parts of one run: " + why);
  }
  // The taken range that starts last at or before this one, and the one after it.
  auto after = ranges_.upper_bound(shard.range.begin);
  const auto overlap = [&](std::uint64_t begin, std::uint64_t end) {
    throw ShardMergeError("shard " + describe_range(shard.range) + " overlaps shard " +
                          describe_range(SampleRange{begin, end}) + " on samples " +
                          std::to_string(std::max(begin, shard.range.begin)) + " to " +
                          std::to_string(std::min(end, shard.range.end)));
  };
  if (after != ranges_.begin()) {
    const auto before = std::prev(after);
    if (before->second > shard.range.begin) overlap(before->first, before->second);
  }
  if (after != ranges_.end() && after->first < shard.range.end) {
    overlap(after->first, after->second);
  }
  ranges_.emplace(shard.range.begin, shard.range.end);
  ++taken_;
  if (!reference_) {
    reference_ = shard.results;
    reference_range_ = shard.range;
  }
  if (shard.range.begin != next_) {
    ahead_.emplace(shard.range.begin, std::move(shard));
    return;
  }
  fold(std::move(shard));
  while (!ahead_.empty() && ahead_.begin()->first == next_) {
    RunShard waiting = std::move(ahead_.begin()->second);
    ahead_.erase(ahead_.begin());
    fold(std::move(waiting));
  }
}

void ShardMerger::fold(RunShard shard) {
  next_ = shard.range.end;
  if (!merged_) {
    merged_ = std::move(shard);
    return;
  }
  merged_->summaries.merge(shard.summaries);
  merged_->results.info.solver_steps += shard.results.info.solver_steps;
  merged_->results.info.wall_seconds += shard.results.info.wall_seconds;
  merged_->range.end = shard.range.end;
}

Results ShardMerger::finish() {
  if (taken_ == 0) throw ShardMergeError("no shards to merge");
  if (finished_) throw std::logic_error("ShardMerger::finish: the merge was finished already");
  const std::uint64_t samples = reference_->info.samples;
  if (next_ != samples) {
    const std::uint64_t gap_end = ahead_.empty() ? samples : ahead_.begin()->first;
    throw ShardMergeError("samples " + std::to_string(next_) + " to " +
                          std::to_string(gap_end) + " are in no shard (the run has " +
                          std::to_string(samples) + " samples, 0:" + std::to_string(samples) +
                          ")");
  }
  Results results = std::move(merged_->results);
  if (description_) {
    results.scenarios = description_->results.scenarios;
    results.assumptions_json = description_->results.assumptions_json;
  }
  detail::finish_statistics(merged_->summaries, results);
  merged_.reset();
  finished_ = true;
  return results;
}

Results merge_shards(std::vector<RunShard> shards, const RunShard* description) {
  // In range order, so that the error for overlapping shards names the same pair whatever
  // order the shards were given in.
  std::sort(shards.begin(), shards.end(), [](const RunShard& a, const RunShard& b) {
    return a.range.begin != b.range.begin ? a.range.begin < b.range.begin
                                          : a.range.end < b.range.end;
  });
  ShardMerger merger(description != nullptr ? std::optional<RunShard>(*description)
                                            : std::nullopt);
  for (RunShard& shard : shards) merger.add(std::move(shard));
  return merger.finish();
}

}  // namespace gapcast
