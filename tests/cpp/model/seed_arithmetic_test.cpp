// The seeds' arithmetic, reproduced from the shipped world at its central values (the run that
// `gapcast run --central` performs).
#include <gtest/gtest.h>

#include <cmath>

#include "gapcast/run/monte_carlo.hpp"
#include "test_support.hpp"

namespace gapcast {
namespace {

using testing::central_inputs;
using testing::load_one;

double round_to(double x, double step) { return std::round(x / step) * step; }

TEST(SeedArithmetic, H200IsAbout6xH20ByTpp) {
  const auto s = load_one("scenarios/baseline.json");
  const auto in = central_inputs(s);
  const double ratio = in.train_h100e[static_cast<std::size_t>(s.world->chip_index("h200"))] /
                       in.train_h100e[static_cast<std::size_t>(s.world->chip_index("h20"))];
  EXPECT_DOUBLE_EQ(ratio, 15832.0 / 2368.0);
  EXPECT_DOUBLE_EQ(round_to(ratio, 0.1), 6.7);
  // ...but only ~1.2x for bandwidth-bound decode.
  const double decode = in.infer_h100e[static_cast<std::size_t>(s.world->chip_index("h200"))] /
                        in.infer_h100e[static_cast<std::size_t>(s.world->chip_index("h20"))];
  EXPECT_DOUBLE_EQ(round_to(decode, 0.1), 1.2);
}

TEST(SeedArithmetic, SixTimesTheHardwareIsNineMonthsOfDensingProgress) {
  const auto s = load_one("scenarios/baseline.json");
  const double densing = central_inputs(s)[P::densing_doubling_months];
  EXPECT_DOUBLE_EQ(densing, 3.5);  // the Nature MI central value
  EXPECT_NEAR(months_of_progress(6.0, densing), 9.05, 0.005);
  EXPECT_DOUBLE_EQ(round_to(months_of_progress(6.0, densing), 0.1), 9.0);
}

TEST(SeedArithmetic, TwentyTimesCompressionIsFifteenMonths) {
  const auto s = load_one("scenarios/baseline.json");
  const double densing = central_inputs(s)[P::densing_doubling_months];
  EXPECT_DOUBLE_EQ(round_to(months_of_progress(20.0, densing), 0.1), 15.1);
}

TEST(SeedArithmetic, AFixedDenialLosesHalfItsValueEveryDoublingPeriod) {
  // Measure a denial by the hardware the target would need to reach a fixed capability anyway:
  // the frontier's start-month effective compute divided by the target's software index. In
  // the model's own solution (central world, steady diffusion lag) that hardware halves every
  // training doubling period, and quarters every two.
  const auto s = load_one("scenarios/no_controls.json");
  const auto in = central_inputs(s);
  const double doubling = in[P::software_doubling_months_training];
  ScenarioModel model(s.world, s.policy, 48, 1.0, {1e-10, 1e-10, 6.0, 1000000});
  RunOutput out;
  model.simulate(in, out);
  const double capability = out.at(Series::frontier_training_effective, 0);
  auto hardware_needed = [&](std::size_t k) {
    const double index = out.at(Series::target_training_effective, k) /
                         out.at(Series::target_training_hardware, k);
    return capability / index;
  };
  // Doubling is 7.6 months at the centre; compare months 2 and 2 + 38 = 5 doublings later.
  const double periods = 38.0 / doubling;
  EXPECT_NEAR(hardware_needed(40) / hardware_needed(2), std::exp2(-periods), 1e-9);
  // The median is 7.6 months up to the truncation to [0.5, 240] months (1e-9 of probability).
  EXPECT_NEAR(std::exp2(-periods), 1.0 / 32.0, 1e-9);
}

TEST(SeedArithmetic, CentralRunIsOneSampleAtTheMedians) {
  const auto s = load_one("scenarios/baseline.json");
  RunOptions options;
  options.central = true;
  options.samples = 500;  // ignored in a central run
  options.horizon = {2026, 12};
  const auto r = run({s}, options);
  EXPECT_EQ(r.info.samples, 1u);
  EXPECT_TRUE(r.info.options.central);
  // Every quantile of a one-sample run is that sample.
  const auto m = static_cast<std::size_t>(r.metric_index("frontier_training_hardware"));
  for (std::size_t st = 0; st < r.stats(); ++st) {
    EXPECT_EQ(r.series_value(0, m, 0, st), central_inputs(s)[P::frontier_stock_h100e_2026]);
  }
}

}  // namespace
}  // namespace gapcast
