#include "gapcast/scenario/catalogue.hpp"

#include <limits>

namespace gapcast {

// The valid ranges are not priors: they bound where the equations still mean something (and
// where the state cannot overflow a double over a 20-year horizon). A growth factor of 20x per
// year for 20 years is 1e26; anything beyond that is a typo, not a scenario.
const std::array<ParameterInfo, global_parameter_count>& world_parameters() {
  static const std::array<ParameterInfo, global_parameter_count> table{{
#define GAPCAST_WORLD_PARAMETER(name, unit, unit_kind, min, max, description) \
  {#name, unit, UnitKind::unit_kind, min, max, description},
#include "gapcast/scenario/world_parameters.def"
  }};
  return table;
}

const std::array<ParameterInfo, chip_field_count>& chip_fields() {
  static const std::array<ParameterInfo, chip_field_count> table{{
#define GAPCAST_CHIP_FIELD(id, path, unit, unit_kind, min, max, description) \
  {path, unit, UnitKind::unit_kind, min, max, description},
#include "gapcast/scenario/chip_fields.def"
  }};
  return table;
}

std::string_view chip_field_path(ChipField f) { return info(f).name; }

const std::array<ParameterInfo, line_field_count>& line_fields() {
  static const std::array<ParameterInfo, line_field_count> table{{
#define GAPCAST_LINE_FIELD(id, path, unit, unit_kind, min, max, description) \
  {path, unit, UnitKind::unit_kind, min, max, description},
#include "gapcast/scenario/chip_fields.def"
  }};
  return table;
}

const std::array<LeverInfo, chip_lever_count>& chip_levers() {
  static const std::array<LeverInfo, chip_lever_count> table{{
#define GAPCAST_CHIP_LEVER(id, kind, no_controls_value, unit, description) \
  {#id, LeverKind::kind, no_controls_value, unit, description},
#include "gapcast/scenario/levers.def"
  }};
  return table;
}

const std::array<LeverInfo, global_lever_count>& global_levers() {
  static const std::array<LeverInfo, global_lever_count> table{{
#define GAPCAST_GLOBAL_LEVER(id, kind, no_controls_value, unit, description) \
  {#id, LeverKind::kind, no_controls_value, unit, description},
#include "gapcast/scenario/levers.def"
  }};
  return table;
}

}  // namespace gapcast
