#pragma once
// Helpers shared by the engine tests: locating fixtures and running one scenario at its
// central (median) world.
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "gapcast/model/model.hpp"
#include "gapcast/sampling/world_sampler.hpp"
#include "gapcast/scenario/loader.hpp"

namespace gapcast::testing {

/// Absolute path of a file in the source tree (GAPCAST_SOURCE_DIR is set by CMake).
inline std::string source_path(const std::string& relative) {
  return std::string(GAPCAST_SOURCE_DIR) + "/" + relative;
}

inline Scenario load_one(const std::string& relative) {
  return load_scenarios({source_path(relative)}).scenarios.front();
}

/// The message of the std::invalid_argument that `f` throws, or "(no exception)": for tests
/// that check what an error says, not only that it is raised.
inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no exception)";
}

/// The scenario's world with every parameter at its median.
inline ModelInputs central_inputs(const Scenario& s) {
  WorldSampler sampler(*s.world);
  std::vector<double> values(sampler.size());
  sampler.sample(0, 0, values, /*central=*/true);
  return ModelInputs::from_sample(*s.world, values);
}

/// Integrates the scenario's central world for `months` output months.
inline RunOutput simulate_central(const Scenario& s, std::size_t months,
                                  SolverSettings solver = {1e-10, 1e-10, 6.0, 1000000}) {
  ScenarioModel model(s.world, s.policy, months, 1.0, solver);
  RunOutput out;
  model.simulate(central_inputs(s), out);
  return out;
}

}  // namespace gapcast::testing
