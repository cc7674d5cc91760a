// The ODE system against closed-form solutions. The fixture world tests/data/tiny/world.json
// fixes every parameter so that each mechanism reduces to an equation solvable by hand:
//   one foreign chip (an H100: 1 H100e for training and inference), demand of 1,000 units a
//   month that does not grow, a 5-year life, no smuggling or remote access, one domestic line
//   starting at 100 packages a month toward a constant bound of 200, software doubling every 6
//   (training) and 4 (inference) months, a 3-month diffusion lag.
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

#include "gapcast/scenario/diagnostics.hpp"
#include "test_support.hpp"

namespace gapcast {
namespace {

using testing::central_inputs;
using testing::load_one;
using testing::simulate_central;

constexpr double delta = 1.0 / 60.0;  // 1 / (5 years x 12)
constexpr double inflow = 1000.0;     // units per month: 12,000 H100e a year of 1-H100e chips
constexpr double lag = 3.0, doubling_training = 6.0, doubling_inference = 4.0;

/// Licensed hardware = the licensed channel's effective compute / the target's training index,
/// whose closed form at a constant lag is 2^((t - lag) / doubling).
double licensed_hardware(const RunOutput& out, std::size_t k) {
  const double index = std::exp2((static_cast<double>(k) - lag) / doubling_training);
  return out.at(Series::target_training_licensed, k) / index;
}

TEST(ModelDynamics, ConstantInflowWithDepreciationMatchesClosedForm) {
  const auto out = simulate_central(load_one("tests/data/tiny/no_controls.json"), 121);
  const double n0 = 1000.0, steady = inflow / delta;
  for (std::size_t k : {0u, 1u, 7u, 30u, 60u, 120u}) {
    const double t = static_cast<double>(k);
    const double expected = steady + (n0 - steady) * std::exp(-delta * t);
    EXPECT_NEAR(licensed_hardware(out, k) / expected, 1.0, 1e-8) << "month " << k;
  }
}

TEST(ModelDynamics, StepChangeRestartsAtTheBreakpoint) {
  // Banned until 2027-01 (month 12), then unrestricted: decay only, then inflow.
  const auto s = load_one("tests/data/tiny/late_opening.json");
  ScenarioModel model(s.world, s.policy, 49, 1.0, {1e-10, 1e-10, 6.0, 1000000});
  ASSERT_EQ(model.breakpoints(), std::vector<double>{12.0});
  RunOutput out;
  model.simulate(central_inputs(s), out);
  const double n0 = 1000.0, steady = inflow / delta;
  const double n12 = n0 * std::exp(-delta * 12.0);
  for (std::size_t k : {0u, 6u, 11u, 12u, 13u, 24u, 48u}) {
    const double t = static_cast<double>(k);
    const double expected =
        t <= 12.0 ? n0 * std::exp(-delta * t) : steady + (n12 - steady) * std::exp(-delta * (t - 12));
    EXPECT_NEAR(licensed_hardware(out, k) / expected, 1.0, 1e-8) << "month " << k;
  }
}

TEST(ModelDynamics, BoundedCapacityGrowthIsLogistic) {
  // K0 = 100 packages/month, bound min(wafer 2 x K0, HBM 3 x K0) = 200, rate ln 2 / 6 months.
  const auto out = simulate_central(load_one("tests/data/tiny/no_controls.json"), 121);
  const double k0 = 100.0, bound = 200.0, r = std::numbers::ln2 / 6.0;
  for (std::size_t k : {0u, 3u, 12u, 24u, 60u, 120u}) {
    const double t = static_cast<double>(k);
    const double expected = bound / (1.0 + (bound / k0 - 1.0) * std::exp(-r * t));
    EXPECT_NEAR(out.at(Series::domestic_output_per_year, k) / (12.0 * expected), 1.0, 1e-8)
        << "month " << k;
  }
}

TEST(ModelDynamics, FrontierStockFollowsItsTrendNetOfRetirement) {
  // Shipments are set so that the stock equals F0 x exp(r0 (1 - e^(-lambda t)) / lambda).
  const auto out = simulate_central(load_one("tests/data/tiny/no_controls.json"), 121);
  const double f0 = 1e6, r0 = std::log(2.0) / 12.0;
  const double lambda = std::numbers::ln2 / (12.0 * 1000.0);
  for (std::size_t k : {0u, 12u, 60u, 120u}) {
    const double t = static_cast<double>(k);
    const double expected = f0 * std::exp(r0 * (1.0 - std::exp(-lambda * t)) / lambda);
    EXPECT_NEAR(out.at(Series::frontier_training_hardware, k) / expected, 1.0, 1e-8);
  }
}

/// The tiny world's central inputs with some parameters replaced (values beyond validation are
/// allowed here, to switch a mechanism off exactly).
ModelInputs tiny_inputs(const Scenario& s, std::initializer_list<std::pair<P, double>> changes) {
  auto in = central_inputs(s);
  for (const auto& [which, value] : changes) in.p[static_cast<std::size_t>(which)] = value;
  return in;
}

RunOutput simulate_inputs(const Scenario& s, const ModelInputs& in, std::size_t months) {
  ScenarioModel model(s.world, s.policy, months, 1.0, {1e-10, 1e-10, 6.0, 1000000});
  RunOutput out;
  model.simulate(in, out);
  return out;
}

TEST(ModelDynamics, FrontierStockSaturatesAtThePowerCeilingAlongTheClosedForm) {
  // With watts per H100e held constant (an infinite halving time) the level obeys
  // G' = r0 phi G (m - G) / (m - 1), a logistic at rate r0 m / (m - 1), whose solution is
  // 1 / G = 1 / m + (1 - 1 / m) / G_free^(m / (m - 1)), G_free being the level without a
  // ceiling. The tiny world doubles the stock every year.
  const auto s = load_one("tests/data/tiny/no_controls.json");
  const double m = 8.0;
  const auto out = simulate_inputs(
      s,
      tiny_inputs(s, {{P::us_ai_power_ceiling_multiple, m},
                      {P::watts_per_h100e_halving_years, 1e300}}),
      121);
  const double f0 = 1e6, r0 = std::log(2.0) / 12.0;
  const double lambda = std::numbers::ln2 / (12.0 * 1000.0);
  for (std::size_t k : {0u, 12u, 24u, 36u, 60u, 120u}) {
    const double t = static_cast<double>(k);
    const double free = std::exp(r0 * (1.0 - std::exp(-lambda * t)) / lambda);
    const double level = 1.0 / (1.0 / m + (1.0 - 1.0 / m) / std::pow(free, m / (m - 1.0)));
    EXPECT_NEAR(out.at(Series::frontier_training_hardware, k) / (f0 * level), 1.0, 1e-8)
        << "month " << k;
  }
  // Power is the stock times 1 kW (the tiny world's watts per H100e): 1 GW at the start.
  EXPECT_NEAR(out.at(Series::frontier_power_gw, 0), 1.0, 1e-12);
}

TEST(ModelDynamics, FrontierPowerStaysBelowItsCeilingAsChipsGetMoreEfficient) {
  // Watts per H100e halve every 3 years, so the stock the ceiling feeds keeps growing; the power
  // drawn stays below the ceiling (8 GW). Against a ceiling that recedes at rate mu, the
  // logistic (rate r0 m / (m - 1)) settles where its growth matches it:
  // 1 - power / ceiling = mu (m - 1) / (r0 m), here (1/3) x (7/8) = 7/24, so power tends to
  // 8 x 17/24 = 17/3 GW from below.
  const auto s = load_one("tests/data/tiny/no_controls.json");
  const auto out = simulate_inputs(
      s, tiny_inputs(s, {{P::us_ai_power_ceiling_multiple, 8.0}}), 121);
  double previous = 0.0;
  for (std::size_t k = 0; k < 121; ++k) {
    const double power = out.at(Series::frontier_power_gw, k);
    EXPECT_LE(power, 8.0 * (1.0 + 1e-9)) << "month " << k;
    EXPECT_GE(power, previous) << "month " << k;
    previous = power;
  }
  EXPECT_GT(previous, 5.0);
  EXPECT_LT(previous, 17.0 / 3.0);
  // The stock itself grows past what 8 GW fed at the start (8 million H100e).
  EXPECT_GT(out.at(Series::frontier_training_hardware, 120), 8e6 * 4.0);
}

TEST(ModelDynamics, DomesticOutputSaturatesAtTheTighterOfTheTwoBoundCeilings) {
  // Bounds grow 4x a year toward ceilings of 1.5 x the start (wafer: 300 packages/month) and
  // 10 x (HBM: 3,000): the wafer ceiling binds, and output approaches 300 a month from below.
  const auto s = load_one("tests/data/tiny/no_controls.json");
  const auto out = simulate_inputs(
      s,
      tiny_inputs(s, {{P::domestic_bound_growth_per_year, 4.0},
                      {P::domestic_wafer_ceiling_multiple, 1.5},
                      {P::domestic_hbm_ceiling_multiple, 10.0}}),
      121);
  for (std::size_t k = 0; k < 121; ++k) {
    EXPECT_LE(out.at(Series::domestic_output_per_year, k), 12.0 * 300.0 * (1.0 + 1e-9))
        << "month " << k;
  }
  EXPECT_NEAR(out.at(Series::domestic_output_per_year, 120) / (12.0 * 300.0), 1.0, 1e-3);
}

TEST(ModelDynamics, BothSidesServeDistilledModelsAndAntiDistillationCutsOnlyTheTargets) {
  // The tiny world serves half of inference from students with a 3x gain: a factor of 2 on
  // both sides. From month 12 anti-distillation runs at full intensity; with a serving cut of
  // 0.5 the target's factor tends to 1 + 0.5 x (3 - 1) x (1 - 0.5) = 1.5 with the lengthened
  // lag of 6 months as its time constant, 1.5 + 0.5 e^(-(t - 12) / 6); the frontier's stays 2.
  const auto s = load_one("tests/data/tiny/anti_distillation.json");
  const auto out =
      simulate_inputs(s, tiny_inputs(s, {{P::anti_distillation_serving_cut, 0.5}}), 25);
  for (std::size_t k : {0u, 6u, 12u, 18u, 24u}) {
    const double t = static_cast<double>(k);
    const double frontier = out.at(Series::frontier_inference_hardware, k) *
                            std::exp2(t / doubling_inference) * 2.0;
    EXPECT_NEAR(out.at(Series::frontier_inference_effective, k) / frontier, 1.0, 1e-12);
    // The target's factor: its effective inference compute over hardware x the Densing index
    // it has reached (the same lag as training, in its own doubling time).
    const double lag_months = out.at(Series::software_lag_months, k);
    const double index = std::exp2((t - lag_months) / doubling_inference);
    const double factor = out.at(Series::target_inference_effective, k) /
                          (out.at(Series::target_inference_hardware, k) * index);
    const double expected = k < 12 ? 2.0 : 1.5 + 0.5 * std::exp(-(t - 12.0) / 6.0);
    EXPECT_NEAR(factor, expected, 1e-6) << "month " << k;
  }
}

TEST(ModelDynamics, SoftwareDiffusionHoldsASteadyLag) {
  const auto out = simulate_central(load_one("tests/data/tiny/no_controls.json"), 61);
  for (std::size_t k = 0; k < 61; k += 10) {
    EXPECT_NEAR(out.at(Series::software_lag_months, k), lag, 1e-8) << "month " << k;
  }
}

TEST(ModelDynamics, AntiDistillationLengthensTheLagAlongTheClosedForm) {
  // From month 12 the lag's time constant becomes 3 x (1 + 1) = 6 months. The log2 index obeys
  // a' = (t/T - a)/tau', whose solution from a(12) = (12 - 3)/T is
  //   a(t) = (t - tau')/T + (a(12) - (12 - tau')/T) e^(-(t - 12)/tau').
  const auto out = simulate_central(load_one("tests/data/tiny/anti_distillation.json"), 61);
  const double tau2 = 6.0;
  const double a12 = (12.0 - lag) / doubling_training;
  for (std::size_t k : {12u, 13u, 18u, 30u, 60u}) {
    const double t = static_cast<double>(k);
    const double a = (t - tau2) / doubling_training +
                     (a12 - (12.0 - tau2) / doubling_training) * std::exp(-(t - 12.0) / tau2);
    EXPECT_NEAR(out.at(Series::software_lag_months, k), t - a * doubling_training, 1e-7);
  }
  EXPECT_NEAR(out.at(Series::software_lag_months, 60), tau2, 1e-2);  // settled at the new lag
}

TEST(ModelDynamics, EffectiveComputeIsHardwareTimesIndexPerChannel) {
  const auto out = simulate_central(load_one("tests/data/tiny/no_controls.json"), 25);
  for (std::size_t k : {0u, 12u, 24u}) {
    const double t = static_cast<double>(k);
    const double train_index = std::exp2((t - lag) / doubling_training);
    const double infer_index = std::exp2((t - lag) / doubling_inference) * (1.0 + 0.5 * (3.0 - 1.0));
    const double hw = out.at(Series::target_training_hardware, k);
    EXPECT_NEAR(out.at(Series::target_training_effective, k) / (hw * train_index), 1.0, 1e-8);
    EXPECT_NEAR(out.at(Series::target_inference_effective, k) /
                    (out.at(Series::target_inference_hardware, k) * infer_index), 1.0, 1e-8);
    double channels = 0.0;
    for (Series s : {Series::target_training_licensed, Series::target_training_smuggled,
                     Series::target_training_domestic, Series::target_training_remote}) {
      channels += out.at(s, k);
    }
    EXPECT_NEAR(channels / out.at(Series::target_training_effective, k), 1.0, 1e-12);
    const double frontier = out.at(Series::frontier_training_hardware, k) * std::exp2(t / doubling_training);
    EXPECT_NEAR(out.at(Series::frontier_training_effective, k) / frontier, 1.0, 1e-12);
    const double gap = frontier / out.at(Series::target_training_effective, k);
    EXPECT_NEAR(out.at(Series::gap_training, k) / gap, 1.0, 1e-12);
    EXPECT_NEAR(out.at(Series::gap_training_months, k), std::log2(gap) * doubling_training, 1e-9);
    // Hardware part plus software lag is the whole gap in months.
    EXPECT_NEAR(out.at(Series::gap_training_hardware, k),
                out.at(Series::frontier_training_hardware, k) / hw, 1e-9);
    EXPECT_NEAR(out.at(Series::gap_training_hardware_months, k) +
                    out.at(Series::software_lag_months, k),
                out.at(Series::gap_training_months, k), 1e-9);
  }
  // At t = 0: 1,000 licensed H100s and no domestic stock.
  EXPECT_NEAR(out.at(Series::target_training_hardware, 0), 1000.0, 1e-9);
  EXPECT_EQ(out.at(Series::target_training_smuggled, 0), 0.0);
  EXPECT_EQ(out.at(Series::target_training_remote, 0), 0.0);
}

TEST(ModelDynamics, ThresholdMonthMatchesTheClosedFormCrossing) {
  // With no domestic output the target's effective training compute is
  //   E(t) = (steady + (n0 - steady) e^(-delta t)) 2^((t - 3) / 6),
  // and the threshold is the frontier's start level, 1e6. The event time must be that
  // crossing, found on the ODE solution, not the next output month.
  const auto out = simulate_central(load_one("tests/data/tiny/no_domestic.json"), 121);
  const double n0 = 1000.0, steady = inflow / delta;
  auto effective = [&](double t) {
    return (steady + (n0 - steady) * std::exp(-delta * t)) *
           std::exp2((t - lag) / doubling_training);
  };
  double lo = 0.0, hi = 120.0;
  ASSERT_LT(effective(lo), 1e6);
  ASSERT_GT(effective(hi), 1e6);
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (effective(mid) >= 1e6 ? hi : lo) = mid;
  }
  EXPECT_NEAR(out.threshold_month, hi, 1e-6);
  EXPECT_NE(out.threshold_month, std::floor(out.threshold_month));
}

TEST(ModelDynamics, ThresholdAlreadyMetOrNeverMet) {
  const auto s = load_one("tests/data/tiny/no_controls.json");
  RunOutput out;
  // A threshold below the start state is met at t = 0.
  ScenarioModel low(s.world, s.policy, 13, 1e-6, {1e-10, 1e-10, 6.0, 1000000});
  low.simulate(central_inputs(s), out);
  EXPECT_EQ(out.threshold_month, 0.0);
  // A threshold never reached within the horizon is +infinity.
  ScenarioModel high(s.world, s.policy, 13, 1e6, {1e-10, 1e-10, 6.0, 1000000});
  high.simulate(central_inputs(s), out);
  EXPECT_TRUE(std::isinf(out.threshold_month));
}

TEST(ModelDynamics, OverflowingStateIsReportedWithItsName) {
  const auto s = load_one("tests/data/tiny/no_controls.json");
  auto in = central_inputs(s);
  in.p[static_cast<std::size_t>(P::frontier_stock_growth_per_year)] = 1e300;  // beyond validation
  in.p[static_cast<std::size_t>(P::us_ai_power_ceiling_multiple)] = 1e300;  // no ceiling either
  ScenarioModel model(s.world, s.policy, 121, 1.0, {});
  RunOutput out;
  try {
    model.simulate(in, out);
    FAIL() << "expected a SimulationError";
  } catch (const SimulationError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("US stock of chip"), std::string::npos) << what;
  }
}

TEST(ModelDynamics, MonthsOfProgressIsLog2TimesDoubling) {
  EXPECT_DOUBLE_EQ(months_of_progress(2.0, 3.5), 3.5);
  EXPECT_DOUBLE_EQ(months_of_progress(1.0, 3.5), 0.0);
  EXPECT_NEAR(months_of_progress(0.5, 7.0), -7.0, 1e-12);
}

}  // namespace
}  // namespace gapcast

namespace gapcast {
namespace {

TEST(ModelRecording, PairedInputsMatchTheFullRecordingBitForBit) {
  // Counterfactual runs record only what paired metrics read; those values must be exactly
  // the full recording's, to the last bit: otherwise a paired effect against the baseline
  // would change (by rounding) with whether the baseline is also one of the run's scenarios,
  // and common random numbers would no longer make runs composable. Sampled worlds, not only
  // the central one, because the rounding differences showed there.
  const auto s = testing::load_one("scenarios/comprehensive_embargo.json");
  ScenarioModel model(s.world, s.policy, 120, 1.0, {});
  WorldSampler sampler(*s.world);
  std::vector<double> values(sampler.size());
  for (std::uint64_t sample = 0; sample < 20; ++sample) {
    sampler.sample(7, sample, values, /*central=*/sample == 0);
    const auto in = ModelInputs::from_sample(*s.world, values);
    RunOutput full, light;
    model.simulate(in, full, ScenarioModel::Recording::all_series);
    model.simulate(in, light, ScenarioModel::Recording::paired_inputs);
    EXPECT_EQ(full.threshold_month, light.threshold_month) << "sample " << sample;
    for (std::size_t k = 0; k < 120; ++k) {
      for (Series series : {Series::target_training_effective, Series::target_inference_effective,
                            Series::gap_training_months}) {
        ASSERT_EQ(full.at(series, k), light.at(series, k)) << "sample " << sample << ", month " << k;
      }
    }
  }
}

}  // namespace
}  // namespace gapcast
