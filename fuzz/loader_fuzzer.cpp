// libFuzzer harness for the scenario loader: the input is the text of a scenario file.
//
// Lines at the very start that begin with '#' are taken as --set arguments (without "--set"),
// so the fuzzer also mutates command-line overrides, e.g.
//   #world.densing_doubling_months={"p5":3,"p50":4,"p95":6}
//   {"kind": "scenario", "extends": "baseline.json"}
// Relative paths resolve against scenarios/, so inputs can extend the shipped scenarios or
// name the shipped world and policy files, as well as carry them inline.
//
// The contract checked here: whatever the bytes, loading either returns scenarios or throws
// gapcast::InputError. Any other exception, a crash, a sanitizer report, a hang or runaway
// memory is a finding. For inputs that load, the harness also evaluates what a run would use
// first (every parameter's quantiles and the copula), since a distribution the loader accepts
// must be usable.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "gapcast/scenario/loader.hpp"

namespace {

void exercise(const gapcast::Scenario& scenario) {
  const gapcast::World& world = *scenario.world;
  for (const auto& p : world.parameters) {
    for (const double u : {1e-9, 0.05, 0.5, 0.95, 1.0 - 1e-9}) {
      const double x = p.dist.quantile(u);
      (void)p.dist.cdf(x);
    }
    (void)p.dist.describe();
  }
  if (world.correlation) {
    std::vector<double> u(world.correlation->copula->size(), 0.3);
    world.correlation->copula->apply(u);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  gapcast::LoadOptions options;
  // Both strictness modes, chosen by the input so that runs are reproducible.
  options.strict = size % 2 == 1;
  while (!text.empty() && text.front() == '#' && options.set.size() < 4) {
    const std::size_t newline = text.find('\n');
    options.set.push_back(text.substr(1, newline == std::string::npos ? std::string::npos
                                                                      : newline - 1));
    text.erase(0, newline == std::string::npos ? text.size() : newline + 1);
  }
  try {
    const auto loaded = gapcast::load_scenario_text(text, "fuzz.json", GAPCAST_SCENARIO_DIR,
                                                    options);
    for (const auto& s : loaded.scenarios) exercise(s);
  } catch (const gapcast::InputError&) {
    // The expected answer to bad input.
  }
  return 0;
}
