#pragma once
/// The model's vocabulary: every world parameter, chip-table field and policy lever the engine
/// understands, with its unit, the range in which the model is valid, and what it means.
///
/// The scenario loader checks files against these lists (unknown names get a "did you mean"),
/// the JSON schema's descriptions are written from them, and docs/model.md explains each one.
/// Default *values* are not here: they live, with their sources, in scenarios/world/*.json.
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

/// World parameters that are not tied to a chip class or production line. The enumerator order
/// is the order of world_parameters().
enum class P : std::size_t {
  // US frontier
  frontier_stock_h100e_2026,
  frontier_stock_growth_per_year,
  // the target's demand for foreign accelerators and the legal channel
  target_foreign_demand_h100e_per_year_2026,
  target_foreign_demand_growth_per_year,
  substitution_share,
  fee_price_elasticity,
  us_chip_flow_materialises,
  beijing_acceptance_if_flow,
  beijing_acceptance_if_no_flow,
  beijing_acceptance_unrestricted,
  // smuggling and diversion
  smuggled_h100e_per_year_2024,
  smuggling_multiplier_status_quo,
  enforcement_smuggling_factor,
  alignment_smuggling_factor,
  smuggling_pressure_elasticity,
  smuggling_adjustment_months,
  // remote (offshore cloud) access
  remote_h100e_2026,
  remote_growth_per_year,
  remote_control_factor,
  remote_alignment_factor,
  remote_baseline_share,
  remote_usability,
  remote_adjustment_months,
  // domestic production
  domestic_ramp_doubling_months,
  domestic_bound_growth_per_year,
  wafer_headroom,
  hbm_headroom,
  alignment_wafer_growth_cut,
  alignment_hbm_growth_cut,
  domestic_growth_share_from_denial,
  domestic_utilisation_training,
  domestic_utilisation_inference,
  // stocks and the pace of build-out
  chip_useful_life_years,
  growth_half_life_years,
  // software
  software_doubling_months_training,
  densing_doubling_months,
  target_lag_months,
  anti_distillation_lag_extension,
  distilled_serving_share,
  distill_serving_gain,
  count_
};
inline constexpr std::size_t global_parameter_count = static_cast<std::size_t>(P::count_);

const std::array<ParameterInfo, global_parameter_count>& world_parameters();
inline const ParameterInfo& info(P p) { return world_parameters()[static_cast<std::size_t>(p)]; }

/// Numeric fields of a chip class (each may be a distribution).
enum class ChipField : std::size_t {
  tpp,
  memory_bandwidth_tbps,
  demand_weight,           ///< foreign only
  frontier_initial_share,  ///< foreign only
  initial_licensed,        ///< foreign only: initial_stock.licensed
  initial_smuggled,        ///< foreign only: initial_stock.smuggled
  initial_domestic,        ///< domestic only: initial_stock.domestic
  count_
};
inline constexpr std::size_t chip_field_count = static_cast<std::size_t>(ChipField::count_);
const std::array<ParameterInfo, chip_field_count>& chip_fields();
inline const ParameterInfo& info(ChipField f) { return chip_fields()[static_cast<std::size_t>(f)]; }
/// The name used in files and parameter paths, e.g. "initial_stock.licensed".
std::string_view chip_field_path(ChipField f);

/// Numeric fields of a domestic production line.
enum class LineField : std::size_t { packages_per_year_2026, count_ };
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

/// Levers that apply per foreign chip class (policy file: levers.chips.<class>.<lever>).
enum class ChipLever : std::size_t {
  export_status,
  fee,
  licence_cap_units_per_year,
  licence_cap_share_of_us_volume,
  count_
};
inline constexpr std::size_t chip_lever_count = static_cast<std::size_t>(ChipLever::count_);
const std::array<LeverInfo, chip_lever_count>& chip_levers();
inline const LeverInfo& info(ChipLever l) { return chip_levers()[static_cast<std::size_t>(l)]; }

/// Levers that apply to the whole target (policy file: levers.<lever>).
enum class GlobalLever : std::size_t {
  enforcement_intensity,
  allied_transshipment_coverage,
  allied_equipment_alignment,
  remote_access_control,
  allied_cloud_alignment,
  anti_distillation_intensity,
  count_
};
inline constexpr std::size_t global_lever_count = static_cast<std::size_t>(GlobalLever::count_);
const std::array<LeverInfo, global_lever_count>& global_levers();
inline const LeverInfo& info(GlobalLever l) { return global_levers()[static_cast<std::size_t>(l)]; }

}  // namespace gapcast
