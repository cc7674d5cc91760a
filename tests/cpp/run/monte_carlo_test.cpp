// The Monte Carlo contract: bit-identical results for any thread count and wave size, prefix
// stability, common random numbers across scenarios, streaming summaries that match the
// sampled distributions, cancellation.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "gapcast/uncertainty/correlation.hpp"
#include "gapcast/run/monte_carlo.hpp"
#include "gapcast/output/result_files.hpp"
#include "gapcast/sampling/world_sampler.hpp"
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

TEST(MonteCarlo, RawOutputIsBitIdenticalForOneAndTwoThreads) {
  const auto scenarios = shipped();
  auto one = small_run(1);
  one.samples = 150;
  one.keep_raw = true;
  auto two = one;
  two.threads = 2;
  const auto a = run(scenarios, one);
  const auto b = run(scenarios, two);
  EXPECT_TRUE(bitwise_equal(a.raw_parameters, b.raw_parameters));
  EXPECT_TRUE(bitwise_equal(a.raw_series, b.raw_series));
  EXPECT_EQ(samples_csv(a), samples_csv(b));
}

// The drawn parameters kept per sample are each scenario's own world as WorldSampler draws
// it, under the union of the worlds' names: here a second world that changes one
// distribution and adds a chip class, so one column is empty for the first scenario.
TEST(MonteCarlo, RawParametersAreEachScenariosOwnWorld) {
  const auto world = nlohmann::json::parse(
      std::ifstream(source_path("scenarios/world/default.json")));
  nlohmann::json extra = {
      {"kind", "scenario"},
      {"name", "extra_class"},
      {"extends", source_path("examples/scenarios/smuggling_doubled_allies_2027.json")},
      {"overrides", {{"/world/chips/h200_copy", world["chips"]["h200"]}}}};
  std::vector<Scenario> scenarios = {
      testing::load_one("scenarios/baseline.json"),
      load_scenario_json(extra, "<test>", source_path("scenarios")).scenarios.front()};
  auto o = small_run(2);
  o.samples = 12;
  o.horizon = {2026, 3};
  o.keep_raw = true;
  const auto r = run(scenarios, o);
  const auto& names = r.raw_parameter_names;
  const std::size_t np = names.size();
  ASSERT_EQ(np, scenarios[1].world->parameters.size());
  ASSERT_GT(np, scenarios[0].world->parameters.size());
  for (std::size_t s = 0; s < 2; ++s) {
    const World& w = *scenarios[s].world;
    WorldSampler sampler(w);
    std::vector<double> drawn(sampler.size());
    for (std::uint64_t i = 0; i < o.samples; ++i) {
      sampler.sample(o.seed, i, drawn);
      for (std::size_t p = 0; p < np; ++p) {
        const double kept = r.raw_parameters[(i * 2 + s) * np + p];
        const int k = w.index_of(names[p]);
        if (k < 0) {
          EXPECT_TRUE(std::isnan(kept)) << names[p];
        } else {
          EXPECT_EQ(std::memcmp(&kept, &drawn[static_cast<std::size_t>(k)], sizeof kept), 0)
              << "sample " << i << " scenario " << s << " " << names[p];
        }
      }
    }
  }
  // samples.csv: a world.<name> column per parameter, the missing one left empty.
  std::vector<std::vector<std::string>> lines;
  std::istringstream csv(samples_csv(r));
  for (std::string line; std::getline(csv, line) && lines.size() < 3;) {
    std::vector<std::string> fields;
    std::istringstream row(line);
    for (std::string field; std::getline(row, field, ',');) fields.push_back(field);
    if (!line.empty() && line.back() == ',') fields.emplace_back();
    lines.push_back(fields);
  }
  ASSERT_EQ(lines.size(), 3u);
  const auto& header = lines[0];
  for (const auto& name : names) {
    EXPECT_EQ(std::count(header.begin(), header.end(), "world." + name), 1) << name;
  }
  const auto at = static_cast<std::size_t>(
      std::find(header.begin(), header.end(), "world.chips.h200_copy.tpp") - header.begin());
  ASSERT_LT(at, header.size());
  EXPECT_EQ(lines[1][1], "baseline");
  EXPECT_EQ(lines[1][at], "");
  EXPECT_EQ(lines[2][1], "extra_class");
  EXPECT_EQ(lines[2][at], format_number(r.raw_parameters[np + (at - (header.size() - np))]));
  EXPECT_NE(lines[2][at], "");
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

// A recording selection (RunOptions::metrics and dates) keeps the chosen cells exactly as the
// full run computes them: the same values folded in the same order, so the statistics are
// bit-identical, and the scalars are always all there.
TEST(MetricSelection, SelectedCellsAreTheFullRunsCellsBitForBit) {
  const auto scenarios = shipped();
  const auto full = run(scenarios, small_run(2));
  auto o = small_run(1);
  o.metrics = {"gap_training_months", "gap_training", "import_pressure"};  // any order
  o.dates = {{2030, 12}, {2026, 1}, {2028, 6}};                           // any order
  const auto picked = run(scenarios, o);
  ASSERT_EQ(picked.metrics.size(), 3u);
  ASSERT_EQ(picked.dates, (std::vector<std::string>{"2026-01", "2028-06", "2030-12"}));
  // Catalogue order, whatever the order given.
  for (std::size_t m = 0; m + 1 < picked.metrics.size(); ++m) {
    EXPECT_LT(full.metric_index(picked.metrics[m].name),
              full.metric_index(picked.metrics[m + 1].name));
  }
  const std::size_t stats = 1 + full.quantiles.size();
  for (std::size_t s = 0; s < full.scenarios.size(); ++s) {
    for (std::size_t m = 0; m < picked.metrics.size(); ++m) {
      const auto fm = static_cast<std::size_t>(full.metric_index(picked.metrics[m].name));
      for (std::size_t d = 0; d < picked.dates.size(); ++d) {
        const auto fd = static_cast<std::size_t>(
            std::find(full.dates.begin(), full.dates.end(), picked.dates[d]) -
            full.dates.begin());
        for (std::size_t k = 0; k < stats; ++k) {
          const double a = picked.series_value(s, m, d, k);
          const double b = full.series_value(s, fm, fd, k);
          EXPECT_TRUE(std::memcmp(&a, &b, sizeof a) == 0 || (std::isnan(a) && std::isnan(b)))
              << picked.metrics[m].name << " " << picked.dates[d] << " stat " << k;
        }
      }
    }
  }
  EXPECT_TRUE(bitwise_equal(picked.scalars, full.scalars));
  EXPECT_EQ(scalars_csv(picked), scalars_csv(full));
}

TEST(MetricSelection, EitherHalfAloneSelectsOnItsOwnAxis) {
  const auto scenarios = shipped();
  auto o = small_run(2);
  o.metrics = {"gap_inference"};
  const auto by_metric = run(scenarios, o);
  EXPECT_EQ(by_metric.metrics.size(), 1u);
  EXPECT_EQ(by_metric.dates.size(), 60u);  // 2026-01 to 2030-12
  o.metrics.clear();
  o.dates = {{2029, 3}};
  const auto by_month = run(scenarios, o);
  EXPECT_EQ(by_month.metrics.size(), series_metric_catalogue().size());
  EXPECT_EQ(by_month.dates, std::vector<std::string>{"2029-03"});
}

TEST(MetricSelection, RawValuesFollowTheSelection) {
  const auto scenarios = shipped();
  auto full = small_run(2);
  full.samples = 40;
  full.keep_raw = true;
  full.raw_dates = {{2027, 12}, {2030, 12}};
  auto o = full;
  o.metrics = {"gap_training"};
  o.dates = {{2027, 12}, {2029, 1}, {2030, 12}};
  const auto a = run(scenarios, full);
  const auto b = run(scenarios, o);
  const auto m = static_cast<std::size_t>(a.metric_index("gap_training"));
  const std::size_t n_m = a.metrics.size(), n_s = a.scenarios.size();
  ASSERT_EQ(b.raw_series.size(), full.samples * n_s * 2);
  for (std::size_t j = 0; j < full.samples; ++j) {
    for (std::size_t s = 0; s < n_s; ++s) {
      for (std::size_t d = 0; d < 2; ++d) {
        EXPECT_EQ(b.raw_series[(j * n_s + s) * 2 + d],
                  a.raw_series[((j * n_s + s) * n_m + m) * 2 + d]);
      }
    }
  }
  // The raw months index the recorded dates: 2027-12 and 2030-12 of three.
  EXPECT_EQ(b.raw_date_indices, (std::vector<std::size_t>{0, 2}));
  // Without raw_dates, a selection keeps raw values at every recorded month.
  o.raw_dates.clear();
  EXPECT_EQ(run(scenarios, o).raw_date_indices, (std::vector<std::size_t>{0, 1, 2}));
}

TEST(MetricSelection, BadSelectionsAreRefusedWithTheValidNames) {
  const auto expect_refused = [](const RunOptions& o, const std::string& option,
                                 const std::string& words) {
    try {
      run(shipped(), o);
      ADD_FAILURE() << "accepted: " << words;
    } catch (const RunOptionError& e) {
      EXPECT_EQ(e.option(), option);
      EXPECT_NE(e.problem().find(words), std::string::npos) << e.problem();
    }
  };
  auto o = small_run(1);
  o.metrics = {"gap_trainng"};
  expect_refused(o, "metrics", "unknown metric \"gap_trainng\" (did you mean \"gap_training\"?)");
  expect_refused(o, "metrics", "metrics: target_training_effective, ");
  o.metrics = {"gap_training", "gap_training"};
  expect_refused(o, "metrics", "gap_training is given twice");
  o.metrics = {"threshold_month"};
  expect_refused(o, "metrics", "threshold_month is a scalar metric");
  o = small_run(1);
  o.dates = {{2031, 1}};
  expect_refused(o, "dates", "2031-01 is after the horizon 2030-12");
  o.dates = {{2025, 12}};
  expect_refused(o, "dates", "2025-12 is before the start month 2026-01");
  o.dates = {{2027, 1}, {2027, 1}};
  expect_refused(o, "dates", "2027-01 is given twice");
  o.dates = {{2027, 1}};
  o.keep_raw = true;
  o.raw_dates = {{2028, 1}};
  expect_refused(o, "raw_dates", "2028-01 is not among the recorded months");
}

TEST(MetricSelection, TheOptionsRoundTripThroughJsonAndText) {
  RunOptions o;
  set_run_option(o, "metrics", "gap_training,gap_inference");
  set_run_option(o, "dates", "2030-12,2035-12");
  EXPECT_EQ(o.metrics, (std::vector<std::string>{"gap_training", "gap_inference"}));
  EXPECT_EQ(to_json(run_options_from_json(to_json(o))), to_json(o));
  const auto recorded = recorded_series_metrics(o);
  ASSERT_EQ(recorded.size(), 2u);
  EXPECT_EQ(recorded[0].name, "gap_training");
}

}  // namespace
}  // namespace gapcast
