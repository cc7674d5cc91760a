// The sensitivity driver over the engine: bit-identical across threads, the design sizes each
// method promises, log-scale outputs, outputs that cannot be analysed, and bad options refused
// by name before anything runs.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "gapcast/output/sensitivity_files.hpp"
#include "gapcast/run/sensitivity.hpp"
#include "test_support.hpp"

namespace gapcast {
namespace {

using testing::load_one;

RunOptions small_run(unsigned threads) {
  RunOptions o;
  o.seed = 11;
  o.threads = threads;
  o.horizon = {2030, 12};
  o.ensemble = true;
  o.ensemble_metrics = {"gap_training", "added_gap_months_vs_no_controls", "threshold_month"};
  o.ensemble_dates = {{2028, 12}, {2030, 12}};
  return o;
}

SensitivityOptions sobol(std::size_t n) {
  SensitivityOptions o;
  o.samples = n;
  o.resamples = 50;
  o.parameters = {"target_lag_months", "software_doubling_months_training",
                  "smuggling_pressure_elasticity", "domestic_ramp_doubling_months"};
  return o;
}

TEST(Sensitivity, SobolIsBitIdenticalForOneAndTwoThreads) {
  const std::vector<Scenario> s{load_one("scenarios/comprehensive_embargo.json")};
  const auto one = run_sensitivity(s, small_run(1), sobol(16));
  const auto two = run_sensitivity(s, small_run(2), sobol(16));
  EXPECT_EQ(one.evaluations, 16u * (4 + 2));
  EXPECT_EQ(sensitivity_json(one), sensitivity_json(two));
  EXPECT_EQ(sensitivity_csv(one), sensitivity_csv(two));
}

TEST(Sensitivity, OutputsAreTransformedOrExplainedWhenTheyCannotBeAnalysed) {
  const std::vector<Scenario> s{load_one("scenarios/comprehensive_embargo.json")};
  const auto r = run_sensitivity(s, small_run(0), sobol(16));
  ASSERT_EQ(r.scenarios, std::vector<std::string>{"comprehensive_embargo"});
  const auto find = [&](const std::string& output) -> const SensitivityIndices& {
    const auto it = std::find(r.outputs.begin(), r.outputs.end(), output);
    EXPECT_NE(it, r.outputs.end()) << output;
    return r.at(0, static_cast<std::size_t>(it - r.outputs.begin()));
  };
  const auto& gap = find("gap_training@2030-12");
  EXPECT_TRUE(gap.defined);
  EXPECT_EQ(gap.transform, "log10");  // a ratio spanning orders of magnitude
  const auto& added = find("added_gap_months_vs_no_controls@2030-12");
  EXPECT_EQ(added.transform, "none");
  // Months to a threshold some worlds never reach by 2030: infinite values are not analysed.
  const auto& month = find("threshold_month");
  if (!month.defined) {
    EXPECT_NE(month.note.find("infinite"), std::string::npos) << month.note;
  }
  // The lag of software diffusion drives the gap: its total index is clearly above zero.
  const std::size_t lag = 0;
  EXPECT_GT(gap.values[2][lag], 0.05);
}

TEST(Sensitivity, MorrisAndPawnRunTheirOwnDesigns) {
  const std::vector<Scenario> s{load_one("scenarios/baseline.json")};
  auto m = sobol(6);
  m.method = SensitivityMethod::morris;
  const auto morris = run_sensitivity(s, small_run(0), m);
  EXPECT_EQ(morris.evaluations, 6u * (4 + 1));
  EXPECT_EQ(morris.statistics[1], "mu_star");
  auto p = sobol(200);
  p.method = SensitivityMethod::pawn;
  p.slices = 5;
  const auto pawn = run_sensitivity(s, small_run(0), p);
  EXPECT_EQ(pawn.evaluations, 200u);
  EXPECT_TRUE(pawn.warnings.empty() ||
              pawn.warnings.front().find("correlates") == std::string::npos);
}

TEST(Sensitivity, BadOptionsAreRefusedByName) {
  const std::vector<Scenario> s{load_one("scenarios/baseline.json")};
  const auto refused = [&](SensitivityOptions o, const std::string& option,
                           const std::string& words) {
    try {
      run_sensitivity(s, small_run(0), o);
      ADD_FAILURE() << "accepted: " << option;
    } catch (const RunOptionError& e) {
      EXPECT_EQ(e.option(), option);
      EXPECT_NE(e.problem().find(words), std::string::npos) << e.problem();
    }
  };
  refused(sobol(100), "samples", "128");
  auto unknown = sobol(16);
  unknown.parameters = {"target_lag_month"};
  refused(unknown, "parameters", "did you mean \"target_lag_months\"");
  auto overlap = sobol(16);
  overlap.groups = {{"software", {"target_lag_months", "software_doubling_months_training"}},
                    {"lags", {"target_lag_months", "smuggling_pressure_elasticity",
                              "domestic_ramp_doubling_months"}}};
  refused(overlap, "groups", "target_lag_months");
  auto huge = sobol(16);
  huge.method = SensitivityMethod::pawn;
  huge.samples = 100'000'000;  // 10^8 rows of outputs would not fit: refused before running
  refused(huge, "samples", "MiB in memory");
  auto second = sobol(16);
  second.method = SensitivityMethod::morris;
  second.second_order = true;
  refused(second, "second_order", "sobol");
}

TEST(Sensitivity, OptionsRoundTripThroughTheirJsonForm) {
  auto o = sobol(64);
  o.groups = {{"a", {"target_lag_months"}}, {"b", {"software_doubling_months_training"}}};
  o.second_order = true;
  EXPECT_EQ(sensitivity_options_from_json(to_json(o)), o);
  EXPECT_THROW(sensitivity_options_from_json(nlohmann::json{{"sample", 4}}), RunOptionError);
}

}  // namespace
}  // namespace gapcast
