// The Monte Carlo contract: bit-identical results for any thread count and wave size, prefix
// stability, common random numbers across scenarios, streaming summaries that match the
// sampled distributions, cancellation.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "gapcast/uncertainty/correlation.hpp"
#include "gapcast/run/monte_carlo.hpp"
#include "gapcast/output/result_files.hpp"
#include "test_support.hpp"

namespace gapcast {
namespace {

using testing::source_path;

std::vector<Scenario> shipped() {
  std::vector<std::string> files;
  for (const char* name : {"baseline", "incremental_tightening", "comprehensive_embargo",
                           "multilateral_alignment", "no_controls"}) {
    files.push_back(source_path(std::string("scenarios/") + name + ".json"));
  }
  return load_scenarios(files).scenarios;
}

bool bitwise_equal(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() &&
         std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

RunOptions small_run(unsigned threads) {
  RunOptions o;
  o.samples = 300;
  o.seed = 7;
  o.threads = threads;
  o.horizon = {2030, 12};
  o.wave_size = 64;
  return o;
}

TEST(MonteCarlo, ResultsAreBitIdenticalForOneTwoAndEightThreads) {
  const auto scenarios = shipped();
  const auto r1 = run(scenarios, small_run(1));
  const auto r2 = run(scenarios, small_run(2));
  const auto r8 = run(scenarios, small_run(8));
  EXPECT_TRUE(bitwise_equal(r1.series, r2.series));
  EXPECT_TRUE(bitwise_equal(r1.series, r8.series));
  EXPECT_TRUE(bitwise_equal(r1.scalars, r8.scalars));
  // And so are the result files (the manifest records threads and wall time, so it differs).
  EXPECT_EQ(results_json(r1), results_json(r8));
  EXPECT_EQ(series_csv(r1), series_csv(r2));
  EXPECT_EQ(scalars_csv(r1), scalars_csv(r8));
}

TEST(MonteCarlo, WaveSizeDoesNotChangeResults) {
  const auto scenarios = shipped();
  auto a = small_run(2);
  auto b = small_run(2);
  b.wave_size = 7;
  EXPECT_TRUE(bitwise_equal(run(scenarios, a).series, run(scenarios, b).series));
}

TEST(MonteCarlo, FirstNSamplesOfA2NRunAreTheNSampleRun) {
  const auto scenarios = shipped();
  auto n = small_run(2);
  n.samples = 100;
  n.keep_raw = true;
  auto two_n = n;
  two_n.samples = 200;
  two_n.threads = 1;
  const auto a = run(scenarios, n);
  const auto b = run(scenarios, two_n);
  ASSERT_EQ(b.raw_series.size(), 2 * a.raw_series.size());
  EXPECT_TRUE(std::equal(a.raw_series.begin(), a.raw_series.end(), b.raw_series.begin(),
                         [](double x, double y) { return std::memcmp(&x, &y, sizeof x) == 0; }));
  EXPECT_TRUE(std::equal(a.raw_scalars.begin(), a.raw_scalars.end(), b.raw_scalars.begin(),
                         [](double x, double y) { return std::memcmp(&x, &y, sizeof x) == 0; }));
  EXPECT_TRUE(std::equal(a.raw_parameters.begin(), a.raw_parameters.end(),
                         b.raw_parameters.begin()));
}

TEST(MonteCarlo, ScenariosShareSampledWorldsSoPairedEffectsAreExact) {
  const auto scenarios = shipped();
  auto o = small_run(2);
  o.keep_raw = true;
  const auto r = run(scenarios, o);
  const auto base = static_cast<std::size_t>(r.scenario_index("baseline"));
  const auto none = static_cast<std::size_t>(r.scenario_index("no_controls"));
  const auto vs_base = static_cast<std::size_t>(r.metric_index("denied_training_vs_baseline"));
  const auto vs_none = static_cast<std::size_t>(r.metric_index("denied_training_vs_no_controls"));
  const auto frontier = static_cast<std::size_t>(r.metric_index("frontier_training_hardware"));
  for (std::size_t k = 0; k < r.dates.size(); k += 7) {
    for (std::size_t st = 0; st < r.stats(); ++st) {
      // A scenario compared with itself in the same world denies nothing, in every sample.
      EXPECT_EQ(r.series_value(base, vs_base, k, st), 0.0);
      EXPECT_EQ(r.series_value(none, vs_none, k, st), 0.0);
    }
    // The US side does not depend on policy: every scenario sees the same frontier (up to the
    // solver's tolerance, since each run's adaptive steps follow its own breakpoints).
    for (std::size_t s = 0; s < r.scenarios.size(); ++s) {
      EXPECT_NEAR(r.series_value(s, frontier, k, 0) / r.series_value(base, frontier, k, 0), 1.0,
                  1e-5);
    }
  }
  // At the start month every scenario holds the same state.
  const auto target = static_cast<std::size_t>(r.metric_index("target_training_effective"));
  for (std::size_t s = 0; s < r.scenarios.size(); ++s) {
    EXPECT_EQ(r.series_value(s, target, 0, 3), r.series_value(base, target, 0, 3));
  }
}

TEST(MonteCarlo, StartMonthQuantilesMatchTheSampledDistribution) {
  // frontier_training_hardware at the start month is the sampled US stock, lognormal with
  // 90% interval 7.5M to 17M: its summary must show those percentiles within sampling error
  // and the sketch's 0.5% accuracy.
  const auto scenarios = shipped();
  auto o = small_run(2);
  o.samples = 20000;
  o.horizon = {2026, 1};
  o.quantiles = {0.05, 0.5, 0.95};
  const auto r = run({scenarios.front()}, o);
  const auto m = static_cast<std::size_t>(r.metric_index("frontier_training_hardware"));
  const auto& spec = scenarios.front().world->global(P::frontier_stock_h100e_2026);
  for (std::size_t q = 0; q < 3; ++q) {
    const double level = r.quantiles[q];
    const double expected = spec.dist.quantile(level);
    // A binomial band of 4 standard errors on the empirical CDF, mapped through the quantile.
    const double se = 4.0 * std::sqrt(level * (1 - level) / 20000.0);
    const double lo = spec.dist.quantile(std::max(1e-9, level - se)) * (1 - 0.005);
    const double hi = spec.dist.quantile(std::min(1 - 1e-9, level + se)) * (1 + 0.005);
    const double got = r.series_value(0, m, 0, 1 + q);
    EXPECT_GE(got, lo) << "q=" << level << " expected " << expected;
    EXPECT_LE(got, hi) << "q=" << level << " expected " << expected;
  }
}

TEST(MonteCarlo, RequestedRankCorrelationsAreAchievedInTheDraws) {
  const auto scenarios = shipped();
  auto o = small_run(2);
  o.samples = 20000;
  o.horizon = {2026, 1};
  o.keep_raw = true;
  o.raw_dates = {YearMonth{2026, 1}};
  const auto r = run({scenarios.front()}, o);
  const auto& world = *scenarios.front().world;
  const std::size_t np = r.raw_parameter_names.size();
  auto column = [&](const std::string& name) {
    const auto p = static_cast<std::size_t>(world.index_of(name));
    std::vector<double> out;
    for (std::size_t i = 0; i < r.info.samples; ++i) out.push_back(r.raw_parameters[i * np + p]);
    return out;
  };
  const auto a = column("software_doubling_months_training");
  const auto b = column("densing_doubling_months");
  const auto c = column("remote_growth_per_year");
  EXPECT_NEAR(sample_spearman(a, b), 0.5, 0.02);
  EXPECT_NEAR(sample_spearman(a, c), 0.0, 0.03);
}

TEST(MonteCarlo, CancellationStopsTheRun) {
  std::atomic<bool> cancel{true};
  RunContext context;
  context.cancel = &cancel;
  EXPECT_THROW(run(shipped(), small_run(2), nullptr, context), RunCancelled);
}

TEST(MonteCarlo, ProgressIsReportedOncePerWaveUpToTheTotal) {
  std::vector<std::uint64_t> seen;
  RunContext context;
  context.progress = [&](std::uint64_t done, std::uint64_t total) {
    EXPECT_EQ(total, 300u);
    seen.push_back(done);
  };
  run({shipped().front()}, small_run(1), nullptr, context);
  EXPECT_EQ(seen, (std::vector<std::uint64_t>{64, 128, 192, 256, 300}));
}

TEST(MonteCarlo, InconsistentOptionsAreRejected) {
  auto o = small_run(1);
  o.horizon = {2025, 12};
  EXPECT_THROW(run(shipped(), o), std::invalid_argument);
  o = small_run(1);
  o.quantiles = {0.0};
  EXPECT_THROW(run(shipped(), o), std::invalid_argument);
  o = small_run(1);
  o.samples = 0;
  EXPECT_THROW(run(shipped(), o), std::invalid_argument);
}

}  // namespace
}  // namespace gapcast
