#pragma once
/// The model's vocabulary: every world parameter, chip-table field and policy lever the engine
/// understands, with its unit, the range in which the model is valid, and what it means.
///
/// Each vocabulary is declared once, in a list file beside this header (world_parameters.def,
/// chip_fields.def, levers.def); the enums and tables below are generated from it, so a name,
/// its position and its description cannot drift apart. The scenario loader checks files
/// against these lists (unknown names get a "did you mean"), tests keep the JSON schema's
/// vocabulary equal to them, and docs/model.md explains each one. Default *values* are not
/// here: they live, with their sources, in scenarios/world/*.json.
#include <array>
#include <cstddef>
#include <string_view>

namespace gapcast {

/// How a parameter's unit may be written in a file. Durations may be given in months or years
/// and are converted to the canonical unit; everything else has one fixed unit.
enum class UnitKind { fixed, duration_months, duration_years };

struct ParameterInfo {
  std::string_view name;
  std::string_view unit;  ///< canonical unit
  UnitKind unit_kind;
  double min, max;  ///< valid range, inclusive; sampled values outside it are errors
  std::string_view description;
};

/// World parameters that are not tied to a chip class or production line, in the order of
/// world_parameters(): both come from the one list in world_parameters.def.
enum class P : std::size_t {
#define GAPCAST_WORLD_PARAMETER(name, unit, unit_kind, min, max, description) name,
#include "gapcast/scenario/world_parameters.def"
  count_
};
inline constexpr std::size_t global_parameter_count = static_cast<std::size_t>(P::count_);

const std::array<ParameterInfo, global_parameter_count>& world_parameters();
inline const ParameterInfo& info(P p) { return world_parameters()[static_cast<std::size_t>(p)]; }

/// Numeric fields of a chip class (each may be a distribution), from chip_fields.def.
enum class ChipField : std::size_t {
#define GAPCAST_CHIP_FIELD(id, path, unit, unit_kind, min, max, description) id,
#include "gapcast/scenario/chip_fields.def"
  count_
};
inline constexpr std::size_t chip_field_count = static_cast<std::size_t>(ChipField::count_);
const std::array<ParameterInfo, chip_field_count>& chip_fields();
inline const ParameterInfo& info(ChipField f) { return chip_fields()[static_cast<std::size_t>(f)]; }
/// The name used in files and parameter paths, e.g. "initial_stock.licensed".
std::string_view chip_field_path(ChipField f);

/// Numeric fields of a domestic production line, from chip_fields.def.
enum class LineField : std::size_t {
#define GAPCAST_LINE_FIELD(id, path, unit, unit_kind, min, max, description) id,
#include "gapcast/scenario/chip_fields.def"
  count_
};
inline constexpr std::size_t line_field_count = static_cast<std::size_t>(LineField::count_);
const std::array<ParameterInfo, line_field_count>& line_fields();
inline const ParameterInfo& info(LineField f) { return line_fields()[static_cast<std::size_t>(f)]; }

// ---------------------------------------------------------------------------------------------
// Policy levers

/// Legal status of a foreign chip class for export to the target.
enum class ExportStatus : int { banned = 0, licensed = 1, unrestricted = 2 };

enum class LeverKind {
  fraction,       ///< a number in [0, 1]
  nonnegative,    ///< a number >= 0
  optional_cap,   ///< a number >= 0, or null for "no cap"
  export_status,  ///< "banned" | "licensed" | "unrestricted" (steps only, no ramps)
};

struct LeverInfo {
  std::string_view name;
  LeverKind kind;
  double no_controls_value;  ///< the value before a schedule's first change
  std::string_view unit;
  std::string_view description;
};

/// Levers that apply per foreign chip class (policy file: levers.chips.<class>.<lever>), from
/// levers.def.
enum class ChipLever : std::size_t {
#define GAPCAST_CHIP_LEVER(id, kind, no_controls_value, unit, description) id,
#include "gapcast/scenario/levers.def"
  count_
};
inline constexpr std::size_t chip_lever_count = static_cast<std::size_t>(ChipLever::count_);
const std::array<LeverInfo, chip_lever_count>& chip_levers();
inline const LeverInfo& info(ChipLever l) { return chip_levers()[static_cast<std::size_t>(l)]; }

/// Levers that apply to the whole target (policy file: levers.<lever>), from levers.def.
enum class GlobalLever : std::size_t {
#define GAPCAST_GLOBAL_LEVER(id, kind, no_controls_value, unit, description) id,
#include "gapcast/scenario/levers.def"
  count_
};
inline constexpr std::size_t global_lever_count = static_cast<std::size_t>(GlobalLever::count_);
const std::array<LeverInfo, global_lever_count>& global_levers();
inline const LeverInfo& info(GlobalLever l) { return global_levers()[static_cast<std::size_t>(l)]; }

}  // namespace gapcast
