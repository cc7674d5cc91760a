// Tightening never helps the target (docs/model.md §15, "When a tighter policy can raise the
// target's compute"). Each lever is moved alone, from the no-controls policy to a tighter
// value, and the two policies are integrated in the same sampled worlds: per sample and per
// month, the target's effective training compute under the tighter policy must not exceed the
// looser one's beyond the bounds below. Inference compute is not monotone by design: banning
// a class moves both substituted demand and the grey market's purchases toward particular
// classes, and classes differ in memory bandwidth per H100e (an H20 has eight times an H100's
// per unit of TPP), so the bandwidth bought per H100e can rise (§15 gives the cases).
//
// Three mechanisms are designed to let a tighter policy raise one of the target's channels:
// denial-driven domestic investment (domestic_growth_share_from_denial), rented offshore
// capacity that follows the import pressure (1 - remote_baseline_share), and substitution of
// banned demand toward the best exportable class (substitution_share). A fourth effect is timing: smuggling follows the pressure
// with a lag, so smuggled chips that replace legal ones arrive later and fewer of them have
// retired by a given month; the excess this allows is below delta x tau_s (the retirement rate
// times the smuggling adjustment time), relative. The first test switches the three designed
// mechanisms off and allows only the timing bound; the second keeps the default world and
// checks that imported compute (legal plus smuggled) never rises beyond the same bound, so
// whatever else a tightening step adds comes through the designed channels.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace gapcast {
namespace {

using testing::source_path;

/// One tightening step: --set overrides applied to the no-controls scenario.
struct Step {
  const char* what;
  std::vector<std::string> sets;
};

std::vector<Step> tightening_steps() {
  std::vector<Step> steps;
  // Per chip class: licensed (no cap), licensed with a fee, licensed with caps, and banned.
  // Only classes in volume within the horizon can matter; the others are tested as well
  // (they must change nothing).
  for (const char* chip : {"h200", "blackwell", "rubin", "h20"}) {
    const std::string c = std::string("policy.levers.chips.") + chip;
    steps.push_back({"licensed", {c + ".export_status=licensed"}});
    steps.push_back({"fee", {c + ".fee=0.5"}});
    steps.push_back({"unit cap", {c + ".export_status=licensed",
                                  c + ".licence_cap_units_per_year=200000"}});
    steps.push_back({"share cap", {c + ".export_status=licensed",
                                   c + ".licence_cap_share_of_us_volume=0.2"}});
    steps.push_back({"banned", {c + ".export_status=banned"}});
  }
  for (const char* lever : {"enforcement_intensity", "allied_transshipment_coverage",
                            "allied_equipment_alignment", "remote_access_control",
                            "allied_cloud_alignment", "anti_distillation_intensity"}) {
    steps.push_back({lever, {std::string("policy.levers.") + lever + "=1"}});
  }
  return steps;
}

Scenario load_no_controls(std::vector<std::string> sets) {
  LoadOptions options;
  options.set = std::move(sets);
  return load_scenarios({source_path("scenarios/no_controls.json")}, options)
      .scenarios.front();
}

/// Largest relative excess of `tight` over `loose` in a series, over all months.
double worst_excess(const RunOutput& tight, const RunOutput& loose, Series series) {
  double worst = 0.0;
  for (std::size_t k = 0; k < tight.months; ++k) {
    const double t = tight.at(series, k), l = loose.at(series, k);
    worst = std::max(worst, (t - l) / l);
  }
  return worst;
}

constexpr std::size_t months = 120;
constexpr std::uint64_t samples = 150;
const SolverSettings tight_solver{1e-8, 1e-8, 6.0, 1000000};

/// The relative excess that smuggling's lag allows (see the top of this file), plus solver
/// noise well above the 1e-8 tolerance used here.
double timing_bound(const ModelInputs& in) {
  return in[P::smuggling_adjustment_months] / (12.0 * in[P::chip_useful_life_years]) + 1e-6;
}

TEST(Monotonicity, NoTighteningStepRaisesTheTargetsComputeWithoutTheDesignedChannels) {
  const std::vector<std::string> off = {"world.domestic_growth_share_from_denial=0",
                                        "world.remote_baseline_share=1",
                                        "world.substitution_share=0"};
  const Scenario loose = load_no_controls(off);
  ScenarioModel loose_model(loose.world, loose.policy, months, 1.0, tight_solver);
  WorldSampler sampler(*loose.world);
  std::vector<double> values(sampler.size());
  double worst = 0.0;
  for (const Step& step : tightening_steps()) {
    std::vector<std::string> sets = off;
    sets.insert(sets.end(), step.sets.begin(), step.sets.end());
    const Scenario tight = load_no_controls(sets);
    ScenarioModel tight_model(tight.world, tight.policy, months, 1.0, tight_solver);
    for (std::uint64_t i = 0; i < samples; ++i) {
      sampler.sample(11, i, values);
      const auto in = ModelInputs::from_sample(*loose.world, values);
      RunOutput a, b;
      loose_model.simulate(in, a);
      tight_model.simulate(in, b);
      const double excess = worst_excess(b, a, Series::target_training_effective);
      worst = std::max(worst, excess);
      ASSERT_LE(excess, timing_bound(in))
          << step.what << " (" << step.sets.back() << "), sample " << i;
    }
  }
  // The bound must be a real constraint, not a tolerance so wide nothing could fail: the worst
  // excess seen is small.
  EXPECT_LT(worst, 0.02);
}

TEST(Monotonicity, ImportedComputeNeverRisesAndThePressureNeverFallsUnderATighterPolicy) {
  const Scenario loose = load_no_controls({});
  ScenarioModel loose_model(loose.world, loose.policy, months, 1.0, tight_solver);
  WorldSampler sampler(*loose.world);
  std::vector<double> values(sampler.size());
  for (const Step& step : tightening_steps()) {
    const Scenario tight = load_no_controls(step.sets);
    ScenarioModel tight_model(tight.world, tight.policy, months, 1.0, tight_solver);
    for (std::uint64_t i = 0; i < samples; ++i) {
      sampler.sample(11, i, values);
      const auto in = ModelInputs::from_sample(*loose.world, values);
      RunOutput a, b;
      loose_model.simulate(in, a);
      tight_model.simulate(in, b);
      for (std::size_t k = 0; k < months; ++k) {
        const double imported_tight = b.at(Series::target_training_licensed, k) +
                                      b.at(Series::target_training_smuggled, k);
        const double imported_loose = a.at(Series::target_training_licensed, k) +
                                      a.at(Series::target_training_smuggled, k);
        ASSERT_LE(imported_tight, imported_loose * (1.0 + timing_bound(in)))
            << step.what << " (" << step.sets.back() << "), sample " << i << ", month " << k;
        // The smuggling driver: no tightening step lowers the import pressure (a fee sends a
        // share of the purchases it prevents to the grey market; docs/model.md §4).
        ASSERT_GE(b.at(Series::import_pressure, k), a.at(Series::import_pressure, k) - 1e-9)
            << step.what << " (" << step.sets.back() << "), sample " << i << ", month " << k;
      }
    }
  }
}

}  // namespace
}  // namespace gapcast
