#include "gapcast/run/shard.hpp"

#include <algorithm>
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

std::string shard_mismatch(const RunShard& a, const RunShard& b) {
  const RunInfo& x = a.results.info;
  const RunInfo& y = b.results.info;
  const std::string pair =
      " (shard " + describe_range(a.range) + " vs shard " + describe_range(b.range) + ")";
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
  const auto& sx = a.results.scenarios;
  const auto& sy = b.results.scenarios;
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

Results merge_shards(std::vector<RunShard> shards, const RunShard* description) {
  if (shards.empty()) throw ShardMergeError("no shards to merge");
  if (description != nullptr) {
    if (const auto why = shard_mismatch(*description, shards.front()); !why.empty()) {
      throw ShardMergeError("the shards are not parts of the run described: " + why);
    }
  }
  std::sort(shards.begin(), shards.end(), [](const RunShard& a, const RunShard& b) {
    return a.range.begin != b.range.begin ? a.range.begin < b.range.begin
                                          : a.range.end < b.range.end;
  });
  const std::uint64_t samples = shards.front().results.info.samples;
  for (const RunShard& shard : shards) {
    if (const auto why = shard_mismatch(shards.front(), shard); !why.empty()) {
      throw ShardMergeError("the shards are not parts of one run: " + why);
    }
  }
  std::uint64_t next = 0;
  for (const RunShard& shard : shards) {
    if (shard.range.begin > next) {
      throw ShardMergeError("samples " + std::to_string(next) + " to " +
                            std::to_string(shard.range.begin) + " are in no shard (the run has " +
                            std::to_string(samples) + " samples, 0:" + std::to_string(samples) +
                            ")");
    }
    if (shard.range.begin < next) {
      throw ShardMergeError("shard " + describe_range(shard.range) +
                            " overlaps an earlier shard on samples " +
                            std::to_string(shard.range.begin) + " to " +
                            std::to_string(std::min(next, shard.range.end)));
    }
    next = shard.range.end;
  }
  if (next != samples) {
    throw ShardMergeError("samples " + std::to_string(next) + " to " + std::to_string(samples) +
                          " are in no shard (the run has " + std::to_string(samples) +
                          " samples, 0:" + std::to_string(samples) + ")");
  }

  RunShard& first = shards.front();
  for (std::size_t k = 1; k < shards.size(); ++k) {
    first.summaries.merge(shards[k].summaries);
    first.results.info.solver_steps += shards[k].results.info.solver_steps;
    first.results.info.wall_seconds += shards[k].results.info.wall_seconds;
  }
  if (description != nullptr) {
    first.results.scenarios = description->results.scenarios;
    first.results.assumptions_json = description->results.assumptions_json;
  }
  detail::finish_statistics(first.summaries, first.results);
  return std::move(first.results);
}

}  // namespace gapcast
