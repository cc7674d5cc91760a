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

// ---- evaluations in pieces (the rows of one analysis run on several machines) ---------------

namespace gapcast {
namespace {

/// Rows [begin, end) pieces of the analysis, through the bytes a cluster task returns.
std::vector<SensitivityRows> pieces(const std::vector<Scenario>& s, const RunOptions& run,
                                    const SensitivityOptions& o,
                                    const std::vector<SampleRange>& ranges) {
  std::vector<SensitivityRows> out;
  for (const auto& r : ranges) {
    out.push_back(decode_sensitivity_rows(
        encode_sensitivity_rows(evaluate_sensitivity_rows(s, run, o, nullptr, r))));
  }
  return out;
}

TEST(SensitivityRows, PiecesInAnyOrderGiveTheAnalysisMadeInOneGo) {
  const std::vector<Scenario> s{load_one("scenarios/baseline.json"),
                                load_one("scenarios/comprehensive_embargo.json")};
  for (const auto& options : {sobol(16), [] {
         auto m = sobol(4);
         m.method = SensitivityMethod::morris;
         return m;
       }()}) {
    const auto whole = run_sensitivity(s, small_run(2), options);
    const std::uint64_t n = sensitivity_evaluations(s, small_run(2), options);
    ASSERT_EQ(n, whole.evaluations);
    // Uneven pieces, given in reverse order and made with other thread counts.
    auto parts = pieces(s, small_run(1), options, {{n / 2, n}, {7, n / 2}, {0, 7}});
    const auto joined = analyse_sensitivity_rows(s, small_run(3), options, nullptr, parts);
    EXPECT_EQ(sensitivity_json(joined), sensitivity_json(whole));
    EXPECT_EQ(sensitivity_csv(joined), sensitivity_csv(whole));
    EXPECT_EQ(joined.assumptions_json, whole.assumptions_json);
    EXPECT_EQ(joined.run_info.solver_steps, whole.run_info.solver_steps);
  }
}

TEST(SensitivityRows, PiecesThatDoNotFitAreRefused) {
  const std::vector<Scenario> s{load_one("scenarios/comprehensive_embargo.json")};
  const auto o = sobol(8);
  const auto run = small_run(0);
  const std::uint64_t n = sensitivity_evaluations(s, run, o);
  const auto refused = [&](std::vector<SensitivityRows> p, const std::string& words) {
    try {
      (void)analyse_sensitivity_rows(s, run, o, nullptr, std::move(p));
      ADD_FAILURE() << "accepted; expected: " << words;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(words), std::string::npos) << e.what();
    }
  };
  refused(pieces(s, run, o, {{0, 10}, {12, n}}), "rows 10 to 12 were not evaluated");
  refused(pieces(s, run, o, {{0, 10}, {8, n}}), "overlap");
  refused(pieces(s, run, o, {{0, 10}}), "were not evaluated");
  refused({}, "no evaluated rows");
  auto other_seed = run;
  other_seed.seed = 12;
  auto mixed = pieces(s, run, o, {{0, 10}});
  auto foreign = pieces(s, other_seed, o, {{10, n}});
  mixed.push_back(std::move(foreign.front()));
  refused(std::move(mixed), "evaluated for a different analysis");
  EXPECT_THROW((void)evaluate_sensitivity_rows(s, run, o, nullptr, {0, n + 1}), RunOptionError);
  EXPECT_THROW((void)evaluate_sensitivity_rows(s, run, o, nullptr, {3, 3}), RunOptionError);
}

TEST(SensitivityRows, AlteredBytesAreRefused) {
  const std::vector<Scenario> s{load_one("scenarios/comprehensive_embargo.json")};
  auto bytes = encode_sensitivity_rows(
      evaluate_sensitivity_rows(s, small_run(0), sobol(8), nullptr, {0, 5}));
  EXPECT_EQ(encode_sensitivity_rows(decode_sensitivity_rows(bytes)), bytes);
  auto altered = bytes;
  altered[altered.size() / 2] = static_cast<char>(altered[altered.size() / 2] ^ 1);
  EXPECT_THROW((void)decode_sensitivity_rows(altered), std::invalid_argument);
  EXPECT_THROW((void)decode_sensitivity_rows(bytes.substr(0, bytes.size() - 9)),
               std::invalid_argument);
  EXPECT_THROW((void)decode_sensitivity_rows("GAPCAST-SHARD\nsomething"), std::invalid_argument);
}

}  // namespace
}  // namespace gapcast
