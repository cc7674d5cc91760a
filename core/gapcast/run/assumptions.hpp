#pragma once
/// The inputs of a run, documented: every world's parameter table (distribution, median, 90%
/// interval, unit, source) and every policy's description, as the JSON text of
/// assumptions.json (Results::assumptions_json). A results directory so documents its own
/// inputs, and the report's assumptions appendix is built from it.
#include <memory>
#include <string>
#include <vector>

#include "gapcast/scenario/scenario.hpp"

namespace gapcast {

/// `worlds` are the run's distinct worlds; policies are listed once each, in scenario order.
std::string assumptions_json(const std::vector<Scenario>& scenarios,
                             const std::vector<std::shared_ptr<const World>>& worlds);

}  // namespace gapcast
