// Observations (docs/conditioning.md): the three likelihood forms, their JSON round trip, and
// located errors for bad files.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "gapcast/run/observations.hpp"
#include "gapcast/run/options.hpp"
#include "test_support.hpp"

namespace gapcast {
namespace {

Observation parse_single(const nlohmann::json& item, Diagnostics& diagnostics) {
  auto list = parse_observations(nlohmann::json::array({item}), DocumentRef{"test", nullptr},
                                 "/observations", diagnostics);
  return list.empty() ? Observation{} : list.front();
}

TEST(Observations, LikelihoodsArePeakedAtTheObservedValueAndZeroWhereImpossible) {
  Diagnostics d;
  const auto normal = parse_single({{"name", "a"}, {"metric", "import_pressure"},
                                    {"date", "2026-06"}, {"normal", {{"value", 3.0}, {"sd", 0.5}}},
                                    {"source", "s"}}, d);
  const auto lognormal = parse_single({{"name", "b"}, {"metric", "target_training_hardware"},
                                       {"date", "2026-06"},
                                       {"lognormal", {{"value", 1e6}, {"sigma", 0.3}}},
                                       {"source", "s"}}, d);
  const auto between = parse_single({{"name", "c"}, {"metric", "domestic_output_per_year"},
                                     {"date", "2026-12"}, {"between", {6e5, 1.2e6}},
                                     {"source", "s"}}, d);
  ASSERT_FALSE(d.has_errors());
  EXPECT_EQ(normal.likelihood(3.0), 1.0);
  EXPECT_DOUBLE_EQ(normal.likelihood(3.5), std::exp(-0.5));
  EXPECT_DOUBLE_EQ(normal.likelihood(2.0), std::exp(-2.0));
  EXPECT_EQ(lognormal.likelihood(1e6), 1.0);
  EXPECT_NEAR(lognormal.likelihood(1e6 * std::exp(0.3)), std::exp(-0.5), 1e-13);
  EXPECT_EQ(lognormal.likelihood(0.0), 0.0);
  EXPECT_EQ(lognormal.likelihood(-1.0), 0.0);
  EXPECT_EQ(between.likelihood(6e5), 1.0);
  EXPECT_EQ(between.likelihood(1.2e6), 1.0);
  EXPECT_EQ(between.likelihood(5.99e5), 0.0);
  // An event beyond the horizon or an undefined value rules a sample out.
  EXPECT_EQ(normal.likelihood(INFINITY), 0.0);
  EXPECT_EQ(between.likelihood(NAN), 0.0);
}

TEST(Observations, TheOptionsJsonFormRoundTrips) {
  RunOptions o;
  o.observations = load_observations(testing::source_path("examples/observations/mid_2026.json"));
  ASSERT_EQ(o.observations.size(), 3u);
  const auto back = run_options_from_json(nlohmann::json::parse(to_json(o).dump()));
  EXPECT_EQ(back.observations, o.observations);
}

TEST(Observations, ABadFileIsRefusedWithEveryProblemLocated) {
  const std::string path = ::testing::TempDir() + "/bad_observations.json";
  std::ofstream(path) << R"({
  "kind": "observations",
  "observations": [
    {"name": "x", "metric": "gap_trainin", "date": "2026-6", "source": "s",
     "lognormal": {"value": -1, "sigma": 0}},
    {"name": "x", "metric": "gap_training", "date": "2026-06", "source": "s"}
  ]
})";
  try {
    load_observations(path);
    FAIL() << "expected an InputError";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("bad_observations.json:4:"), std::string::npos) << what;
    EXPECT_NE(what.find("did you mean \"gap_training\""), std::string::npos) << what;
    EXPECT_NE(what.find("YYYY-MM"), std::string::npos) << what;
    EXPECT_NE(what.find("value > 0"), std::string::npos) << what;
    EXPECT_NE(what.find("sigma must be > 0"), std::string::npos) << what;
    EXPECT_NE(what.find("needs a likelihood"), std::string::npos) << what;
  }
}

TEST(Observations, OptionsRefuseAnObservationAfterTheHorizonOrInACentralRun) {
  RunOptions o;
  o.observations = load_observations(testing::source_path("examples/observations/mid_2026.json"));
  o.horizon = {2026, 6};
  EXPECT_THROW(validate(o), RunOptionError);
  o.horizon = {2035, 12};
  EXPECT_NO_THROW(validate(o));
  o.central = true;
  EXPECT_THROW(validate(o), RunOptionError);
}

}  // namespace
}  // namespace gapcast
