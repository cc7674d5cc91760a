// Shards (run/shard.hpp): contiguous ranges of a run's samples, run apart with any thread count
// and merged in any order, give the very Results run() gives, statistics and result files bit
// for bit, also after a trip through the shard format; shards of different runs, overlapping
// or incomplete ranges, and runs that cannot be sharded are refused with words that say why.
#include "gapcast/run/shard.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "gapcast/output/result_files.hpp"
#include "gapcast/output/shard_file.hpp"
#include "gapcast/run/monte_carlo.hpp"
#include "test_support.hpp"

namespace gapcast {
namespace {

using testing::source_path;

std::vector<Scenario> load_named(std::initializer_list<const char*> names) {
  std::vector<std::string> files;
  for (const char* name : names) {
    files.push_back(source_path(std::string("scenarios/") + name + ".json"));
  }
  return load_scenarios(files).scenarios;
}

// baseline + an embargo: the embargo's paired comparisons against the baseline exist, so the
// "vs baseline" metrics are real values, not NaN throughout.
const std::vector<Scenario>& two_scenarios() {
  static const std::vector<Scenario> scenarios = load_named({"baseline", "comprehensive_embargo"});
  return scenarios;
}

// A short horizon keeps a 300-sample run well under a second per thread.
RunOptions options_for(std::uint64_t samples, unsigned threads) {
  RunOptions o;
  o.samples = samples;
  o.seed = 4242;
  o.threads = threads;
  o.horizon = {2028, 12};
  return o;
}

constexpr std::uint64_t kSamples = 300;

// The reference every merge is compared with, computed once for the whole binary.
const Results& reference() {
  static const Results r = run(two_scenarios(), options_for(kSamples, 2));
  return r;
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
  }
  return true;
}

// Index of the first value whose bits differ, for a readable failure.
std::size_t first_difference(const std::vector<double>& a, const std::vector<double>& b) {
  for (std::size_t i = 0; i < std::min(a.size(), b.size()); ++i) {
    if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return i;
  }
  return std::min(a.size(), b.size());
}

void expect_same_counts(const std::vector<CellCounts>& expected,
                        const std::vector<CellCounts>& actual, const std::string& label) {
  ASSERT_EQ(actual.size(), expected.size()) << label;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(actual[i].finite, expected[i].finite) << label << " cell " << i;
    ASSERT_EQ(actual[i].infinite, expected[i].infinite) << label << " cell " << i;
    ASSERT_EQ(actual[i].undefined, expected[i].undefined) << label << " cell " << i;
  }
}

// Everything of the statistics that a merge must reproduce, bit for bit (NaN and infinities
// included, which == would not compare).
void expect_same_results(const Results& expected, const Results& actual,
                         const std::string& label) {
  EXPECT_TRUE(same_bits(expected.series, actual.series))
      << label << ": series differ first at " << first_difference(expected.series, actual.series)
      << " of " << expected.series.size();
  EXPECT_TRUE(same_bits(expected.scalars, actual.scalars))
      << label << ": scalars differ first at "
      << first_difference(expected.scalars, actual.scalars) << " of " << expected.scalars.size();
  expect_same_counts(expected.series_counts, actual.series_counts, label + " series counts");
  expect_same_counts(expected.scalar_counts, actual.scalar_counts, label + " scalar counts");
  EXPECT_EQ(actual.info.samples, expected.info.samples) << label;
  EXPECT_EQ(actual.info.solver_steps, expected.info.solver_steps) << label;
  EXPECT_EQ(actual.dates, expected.dates) << label;
  ASSERT_EQ(actual.scenarios.size(), expected.scenarios.size()) << label;
  for (std::size_t s = 0; s < expected.scenarios.size(); ++s) {
    EXPECT_EQ(actual.scenarios[s].name, expected.scenarios[s].name) << label;
    EXPECT_EQ(actual.scenarios[s].fingerprint, expected.scenarios[s].fingerprint) << label;
  }
}

// Contiguous, uneven ranges covering [0, samples): the cut points in between.
std::vector<SampleRange> ranges_from_cuts(const std::vector<std::uint64_t>& cuts,
                                          std::uint64_t samples) {
  std::vector<SampleRange> ranges;
  std::uint64_t begin = 0;
  for (const std::uint64_t cut : cuts) {
    ranges.push_back({begin, cut});
    begin = cut;
  }
  ranges.push_back({begin, samples});
  return ranges;
}

// The shards of `ranges`, each run with its own thread count (1, 2, 3 in turn) and wave size,
// which must change nothing; then shuffled, so that merge_shards has to sort them.
std::vector<RunShard> make_shards(const std::vector<SampleRange>& ranges, std::uint64_t samples,
                                  std::uint64_t shuffle_seed) {
  std::vector<RunShard> shards;
  for (std::size_t k = 0; k < ranges.size(); ++k) {
    RunOptions o = options_for(samples, static_cast<unsigned>(1 + k % 3));
    o.wave_size = k % 2 == 0 ? 0 : 17;
    shards.push_back(run_shard(two_scenarios(), o, nullptr, ranges[k]));
  }
  std::mt19937_64 engine(shuffle_seed);
  for (std::size_t i = shards.size(); i-- > 1;) {  // Fisher-Yates on the standard engine
    std::swap(shards[i], shards[engine() % (i + 1)]);
  }
  return shards;
}

struct ShardSet {
  std::string label;
  std::vector<RunShard> shards;
};

// One, three and seven shards of the reference run, computed once: several tests read them.
const std::vector<ShardSet>& shard_sets() {
  static const std::vector<ShardSet> sets = [] {
    std::vector<ShardSet> out;
    out.push_back({"1 shard", make_shards(ranges_from_cuts({}, kSamples), kSamples, 1)});
    out.push_back({"3 shards", make_shards(ranges_from_cuts({37, 200}, kSamples), kSamples, 2)});
    // Single-sample shards at both ends and in the middle, and ranges that do not line up
    // with any wave boundary.
    out.push_back({"7 shards", make_shards(ranges_from_cuts({1, 50, 51, 130, 211, 299}, kSamples),
                                           kSamples, 3)});
    return out;
  }();
  return sets;
}

TEST(Shard, TheReferenceRunHasRealValuesToCompare) {
  // Guards the comparisons below against passing on statistics that are all NaN or all zero.
  const Results& r = reference();
  EXPECT_EQ(r.info.samples, kSamples);
  std::size_t finite = 0;
  for (const double v : r.series) finite += std::isfinite(v) && v != 0.0 ? 1 : 0;
  EXPECT_GT(finite, r.series.size() / 4);
  const auto vs_baseline =
      static_cast<std::size_t>(r.metric_index("denied_training_vs_baseline"));
  const auto embargo = static_cast<std::size_t>(r.scenario_index("comprehensive_embargo"));
  EXPECT_NE(r.series_value(embargo, vs_baseline, r.dates.size() - 1, 0), 0.0);
  EXPECT_GT(r.info.solver_steps, 0U);
}

TEST(Shard, MergedShardsEqualTheRunBitForBit) {
  for (const ShardSet& set : shard_sets()) {
    if (set.shards.size() > 1) {  // the shuffle did shuffle, so merge_shards has to sort
      EXPECT_FALSE(std::is_sorted(set.shards.begin(), set.shards.end(),
                                  [](const RunShard& a, const RunShard& b) {
                                    return a.range.begin < b.range.begin;
                                  }))
          << set.label;
    }
    const Results merged = merge_shards(set.shards);
    expect_same_results(reference(), merged, set.label);
  }
}

TEST(Shard, MergedShardsGiveByteIdenticalResultFiles) {
  for (const ShardSet& set : shard_sets()) {
    const Results merged = merge_shards(set.shards);
    EXPECT_EQ(results_json(merged), results_json(reference())) << set.label;
    EXPECT_EQ(series_csv(merged), series_csv(reference())) << set.label;
    EXPECT_EQ(scalars_csv(merged), scalars_csv(reference())) << set.label;
  }
}

TEST(Shard, ShardsHoldOnlyTheirOwnSamples) {
  // Each shard's summaries count its own range only, and its solver steps add up to the run's.
  const ShardSet& set = shard_sets()[2];
  std::uint64_t steps = 0;
  for (const RunShard& shard : set.shards) {
    EXPECT_EQ(shard.results.info.samples, kSamples);
    const auto stats = shard.summaries.finish(reference().quantiles);
    const CellCounts& c = stats.scalar_counts.front();
    EXPECT_EQ(c.finite + c.infinite + c.undefined, shard.range.end - shard.range.begin)
        << describe_range(shard.range);
    steps += shard.results.info.solver_steps;
  }
  EXPECT_EQ(steps, reference().info.solver_steps);
}

TEST(Shard, ShardsThroughTheShardFormatStillMergeExactly) {
  for (const ShardSet& set : shard_sets()) {
    std::vector<RunShard> decoded;
    for (const RunShard& shard : set.shards) {
      const std::string bytes =
          encode_shard(ShardPayload{shard, {"gapcast", "run", "--samples", "300"}, "{}"});
      ShardPayload back = decode_shard(bytes);
      // A decoded shard encodes to the same bytes: nothing was lost or reinterpreted.
      EXPECT_EQ(encode_shard(back), bytes) << set.label << " " << describe_range(shard.range);
      EXPECT_EQ(back.shard.range, shard.range);
      decoded.push_back(std::move(back.shard));
    }
    const Results merged = merge_shards(decoded);
    expect_same_results(reference(), merged, set.label + " decoded");
    EXPECT_EQ(results_json(merged), results_json(reference())) << set.label;
    EXPECT_EQ(series_csv(merged), series_csv(reference())) << set.label;
  }
}

// A run that records a selection of metrics and months shards and merges like any other,
// through the shard format too (the header's options say which metrics the summaries hold).
TEST(Shard, ASelectionShardsAndMergesExactly) {
  RunOptions o = options_for(120, 2);
  o.metrics = {"gap_training", "denied_training_vs_baseline"};
  o.dates = {{2027, 12}, {2028, 12}};
  const Results whole = run(two_scenarios(), o);
  std::vector<RunShard> decoded;
  for (const SampleRange range : {SampleRange{70, 120}, SampleRange{0, 70}}) {
    const RunShard shard = run_shard(two_scenarios(), o, nullptr, range);
    decoded.push_back(decode_shard(encode_shard(ShardPayload{shard, {"gapcast"}, "{}"})).shard);
  }
  const Results merged = merge_shards(decoded);
  EXPECT_EQ(merged.metrics.size(), 2u);
  EXPECT_EQ(results_json(merged), results_json(whole));
  EXPECT_EQ(series_csv(merged), series_csv(whole));
  EXPECT_EQ(scalars_csv(merged), scalars_csv(whole));
}

// ---------------------------------------------------------------------------------------------
// Refusals. Small runs: 40 samples.

constexpr std::uint64_t kSmall = 40;

RunShard small_shard(SampleRange range, const RunOptions& options,
                     const std::vector<Scenario>& scenarios = two_scenarios()) {
  return run_shard(scenarios, options, nullptr, range);
}

// The message of the ShardMergeError merge_shards throws (any other outcome is reported as
// such, so that a wrong exception type fails the test).
std::string merge_error(std::vector<RunShard> shards, const RunShard* description = nullptr) {
  try {
    (void)merge_shards(std::move(shards), description);
  } catch (const ShardMergeError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("(not a ShardMergeError: ") + e.what() + ")";
  }
  return "(no exception)";
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ShardMerge, ShardsOfDifferentSeedsAreRefused) {
  RunOptions other = options_for(kSmall, 1);
  other.seed += 1;
  const std::string why = merge_error(
      {small_shard({0, 20}, options_for(kSmall, 1)), small_shard({20, kSmall}, other)});
  EXPECT_TRUE(contains(why, "seed")) << why;
  EXPECT_TRUE(contains(why, "0:20") && contains(why, "20:40")) << why;  // which shards
}

TEST(ShardMerge, ShardsOfDifferentQuantileAccuraciesAreRefused) {
  RunOptions other = options_for(kSmall, 1);
  other.quantile_accuracy = 0.01;
  const std::string why = merge_error(
      {small_shard({0, 20}, options_for(kSmall, 1)), small_shard({20, kSmall}, other)});
  EXPECT_TRUE(contains(why, "quantile_accuracy")) << why;
}

TEST(ShardMerge, ShardsOfDifferentSampleCountsAreRefused) {
  // Same ranges could come from a 40- and a 60-sample run: their shards are not one run.
  const std::string why = merge_error({small_shard({0, 20}, options_for(kSmall, 1)),
                                       small_shard({20, kSmall}, options_for(60, 1))});
  EXPECT_TRUE(contains(why, "samples")) << why;
}

TEST(ShardMerge, ShardsOfDifferentScenarioSetsAreRefused) {
  const auto other = load_named({"baseline", "incremental_tightening"});
  const std::string why =
      merge_error({small_shard({0, 20}, options_for(kSmall, 1)),
                   small_shard({20, kSmall}, options_for(kSmall, 1), other)});
  EXPECT_TRUE(contains(why, "scenario")) << why;
  EXPECT_TRUE(contains(why, "incremental_tightening")) << why;

  const auto fewer = load_named({"baseline"});
  const std::string fewer_why =
      merge_error({small_shard({0, 20}, options_for(kSmall, 1)),
                   small_shard({20, kSmall}, options_for(kSmall, 1), fewer)});
  EXPECT_TRUE(contains(fewer_why, "scenario")) << fewer_why;
}

TEST(ShardMerge, OverlappingRangesAreRefused) {
  const RunOptions o = options_for(kSmall, 1);
  const std::string why = merge_error({small_shard({15, kSmall}, o), small_shard({0, 20}, o)});
  EXPECT_TRUE(contains(why, "overlaps")) << why;
  EXPECT_TRUE(contains(why, "15")) << why;
  // The same shard twice overlaps itself entirely.
  const RunShard whole = small_shard({0, kSmall}, o);
  EXPECT_TRUE(contains(merge_error({whole, whole}), "overlaps"));
}

TEST(ShardMerge, AGapBetweenShardsIsRefused) {
  const RunOptions o = options_for(kSmall, 1);
  const std::string why = merge_error({small_shard({25, kSmall}, o), small_shard({0, 10}, o)});
  EXPECT_TRUE(contains(why, "in no shard")) << why;
  EXPECT_TRUE(contains(why, "10 to 25")) << why;
}

TEST(ShardMerge, AMissingHeadOrTailIsRefused) {
  const RunOptions o = options_for(kSmall, 1);
  const std::string tail = merge_error({small_shard({0, 10}, o), small_shard({10, 30}, o)});
  EXPECT_TRUE(contains(tail, "in no shard")) << tail;
  EXPECT_TRUE(contains(tail, "30 to 40")) << tail;
  const std::string head = merge_error({small_shard({5, kSmall}, o)});
  EXPECT_TRUE(contains(head, "in no shard")) << head;
  EXPECT_TRUE(contains(head, "0 to 5")) << head;
}

TEST(ShardMerge, NoShardsIsRefused) {
  const std::string why = merge_error({});
  EXPECT_TRUE(contains(why, "no shards")) << why;
}

TEST(ShardMerge, ThreadsAndWaveSizeMayDiffer) {
  RunOptions a = options_for(kSmall, 1);
  RunOptions b = options_for(kSmall, 3);
  b.wave_size = 7;
  const std::vector<RunShard> shards = {small_shard({0, 13}, a), small_shard({13, kSmall}, b)};
  EXPECT_EQ(shard_mismatch(shards[0], shards[1]), "");
  const Results merged = merge_shards(shards);
  expect_same_results(run(two_scenarios(), options_for(kSmall, 2)), merged, "threads differ");
}

// ---------------------------------------------------------------------------------------------
// Runs that cannot be sharded.

// The option a RunOptionError names, or what else happened.
std::string refused_option(const RunOptions& options, SampleRange range) {
  try {
    (void)run_shard(two_scenarios(), options, nullptr, range);
  } catch (const RunOptionError& e) {
    return e.option();
  } catch (const std::exception& e) {
    return std::string("(not a RunOptionError: ") + e.what() + ")";
  }
  return "(no exception)";
}

TEST(RunShard, AConditionedRunIsRefused) {
  RunOptions o = options_for(kSmall, 1);
  o.observations = load_observations(source_path("examples/observations/mid_2026.json"));
  ASSERT_FALSE(o.observations.empty());
  EXPECT_EQ(refused_option(o, {0, 20}), "shard");
}

TEST(RunShard, RawOutputIsRefused) {
  RunOptions o = options_for(kSmall, 1);
  o.keep_raw = true;
  EXPECT_EQ(refused_option(o, {0, 20}), "shard");
}

TEST(RunShard, ACentralRunIsRefused) {
  RunOptions o = options_for(kSmall, 1);
  o.central = true;
  EXPECT_EQ(refused_option(o, {0, 1}), "shard");
}

TEST(RunShard, EmptyRangesAndRangesBeyondTheRunAreRefused) {
  const RunOptions o = options_for(kSmall, 1);
  EXPECT_EQ(refused_option(o, {5, 5}), "shard");
  EXPECT_EQ(refused_option(o, {0, 0}), "shard");
  EXPECT_EQ(refused_option(o, {7, 3}), "shard");
  EXPECT_EQ(refused_option(o, {0, kSmall + 1}), "shard");
  EXPECT_EQ(refused_option(o, {kSmall, kSmall + 5}), "shard");
  // The last sample alone is a valid shard.
  EXPECT_EQ(small_shard({kSmall - 1, kSmall}, o).range, (SampleRange{kSmall - 1, kSmall}));
}

// ---------------------------------------------------------------------------------------------
// The run's description.

TEST(RunDescription, MergingWithTheDescriptionGivesTheRunAndItsScenarios) {
  RunShard description = run_description(two_scenarios(), options_for(kSamples, 1), nullptr);
  EXPECT_EQ(description.range, (SampleRange{0, 0}));
  EXPECT_EQ(description.results.info.solver_steps, 0U);
  const Results merged = merge_shards(shard_sets()[1].shards, &description);
  expect_same_results(reference(), merged, "with description");
  EXPECT_EQ(results_json(merged), results_json(reference()));

  // What the merged results describe comes from the description, not from the shards (the
  // title is not part of a scenario's identity, so the shards still match it).
  description.results.scenarios[0].title = "As the client loaded it";
  description.results.assumptions_json = R"({"described": true})";
  const Results relabelled = merge_shards(shard_sets()[1].shards, &description);
  EXPECT_EQ(relabelled.scenarios[0].title, "As the client loaded it");
  EXPECT_EQ(relabelled.assumptions_json, R"({"described": true})");
  expect_same_results(reference(), relabelled, "relabelled description");
}

TEST(RunDescription, ADescriptionOfAnotherRunIsRefused) {
  RunOptions other = options_for(kSamples, 1);
  other.seed += 1;
  const RunShard description = run_description(two_scenarios(), other, nullptr);
  const std::string why = merge_error(shard_sets()[1].shards, &description);
  EXPECT_TRUE(contains(why, "seed")) << why;
  EXPECT_TRUE(contains(why, "described")) << why;
}

}  // namespace
}  // namespace gapcast

// ---- ShardMerger: shards folded in as they arrive ---------------------------------------------

namespace gapcast {
namespace {

RunShard shard_of(std::uint64_t begin, std::uint64_t end) {
  return run_shard(two_scenarios(), options_for(kSamples, 1), nullptr, SampleRange{begin, end});
}

TEST(ShardMerger, HoldsOnlyTheShardsThatArriveAheadOfTheirTurn) {
  ShardMerger merger;
  merger.add(shard_of(200, 300));  // waits for 0:200
  EXPECT_EQ(merger.pending(), 1u);
  merger.add(shard_of(0, 90));     // folded at once
  EXPECT_EQ(merger.pending(), 1u);
  merger.add(shard_of(90, 200));   // folds itself and the waiting one
  EXPECT_EQ(merger.pending(), 0u);
  EXPECT_EQ(merger.taken(), 3u);
  const Results merged = merger.finish();
  EXPECT_TRUE(same_bits(merged.series, reference().series))
      << "first difference at " << first_difference(merged.series, reference().series);
  EXPECT_TRUE(same_bits(merged.scalars, reference().scalars));
}

TEST(ShardMerger, NamesTheOverlapAndTheGapWhateverTheArrivalOrder) {
  ShardMerger merger;
  merger.add(shard_of(100, 200));
  try {
    merger.add(shard_of(150, 300));
    ADD_FAILURE() << "an overlapping shard was taken";
  } catch (const ShardMergeError& e) {
    EXPECT_NE(std::string(e.what()).find("shard 150:300 overlaps shard 100:200 on samples 150 "
                                         "to 200"),
              std::string::npos)
        << e.what();
  }
  merger.add(shard_of(200, 300));  // the merger still works after a refused shard
  try {
    (void)merger.finish();
    ADD_FAILURE() << "finished with samples 0 to 100 missing";
  } catch (const ShardMergeError& e) {
    EXPECT_NE(std::string(e.what()).find("samples 0 to 100 are in no shard"), std::string::npos)
        << e.what();
  }
  ShardMerger empty;
  EXPECT_THROW((void)empty.finish(), ShardMergeError);
}

}  // namespace
}  // namespace gapcast

namespace gapcast {
namespace {

TEST(ShardMerger, FinishesOnce) {
  ShardMerger merger;
  merger.add(shard_of(0, kSamples));
  (void)merger.finish();
  EXPECT_THROW((void)merger.finish(), std::logic_error);
  EXPECT_THROW(merger.add(shard_of(0, 10)), std::logic_error);
}

}  // namespace
}  // namespace gapcast
