#include "gapcast/catalogue.hpp"

#include <limits>

namespace gapcast {
namespace {
constexpr double inf = std::numeric_limits<double>::infinity();
}  // namespace

// The valid ranges are not priors: they bound where the equations still mean something (and
// where the state cannot overflow a double over a 20-year horizon). A growth factor of 20x per
// year for 20 years is 1e26; anything beyond that is a typo, not a scenario.
const std::array<ParameterInfo, global_parameter_count>& world_parameters() {
  static const std::array<ParameterInfo, global_parameter_count> table{{
      {"frontier_stock_h100e_2026", "H100e", UnitKind::fixed, 1e3, 1e10,
       "US AI accelerator stock at the start month, in H100-equivalents by TPP."},
      {"frontier_stock_growth_per_year", "x/yr", UnitKind::fixed, 0.5, 20,
       "Yearly growth factor of the US stock (shipments are set so the stock grows at this rate "
       "net of depreciation)."},
      {"target_foreign_demand_h100e_per_year_2026", "H100e/yr", UnitKind::fixed, 0, 1e10,
       "How much foreign (US-designed) accelerator compute the target would buy per year at the "
       "start month if nothing were restricted."},
      {"target_foreign_demand_growth_per_year", "x/yr", UnitKind::fixed, 0.5, 20,
       "Yearly growth factor of that demand."},
      {"substitution_share", "fraction", UnitKind::fixed, 0, 1,
       "Share of demand for a banned chip class that turns to the best chip class still "
       "exportable (the rest adds to the import pressure)."},
      {"fee_price_elasticity", "1", UnitKind::fixed, 0, 10,
       "Elasticity of legal demand to export fees and tariffs: demand is multiplied by "
       "(1 + fee)^-elasticity."},
      {"us_chip_flow_materialises", "0/1", UnitKind::fixed, 0, 1,
       "1 if licensed US chips actually reach the target in volume (Chinese authorities allow "
       "purchases), else 0. Selects which acceptance share applies."},
      {"beijing_acceptance_if_flow", "fraction", UnitKind::fixed, 0, 1,
       "Share of US-permitted purchases the target's own government lets firms make, when the "
       "flow materialises."},
      {"beijing_acceptance_if_no_flow", "fraction", UnitKind::fixed, 0, 1,
       "The same share when it does not (purchases paused, customs blocks)."},
      {"beijing_acceptance_unrestricted", "fraction", UnitKind::fixed, 0, 1,
       "Share of demand the target's government lets firms buy for chip classes the US sells "
       "without licences or caps (its objections have targeted downgraded, licensed parts)."},
      {"smuggled_h100e_per_year_2024", "H100e/yr", UnitKind::fixed, 0, 1e9,
       "Smuggled and diverted restricted accelerators reaching the target in 2024."},
      {"smuggling_multiplier_status_quo", "x", UnitKind::fixed, 0, 100,
       "Smuggling flow at the start month under status-quo enforcement, relative to 2024."},
      {"enforcement_smuggling_factor", "x", UnitKind::fixed, 0, 1,
       "Factor on the smuggling flow at full enforcement intensity (location verification, "
       "subsidiary rule, transit permits, prosecutions), relative to status quo."},
      {"alignment_smuggling_factor", "x", UnitKind::fixed, 0, 1,
       "Further factor on the smuggling flow when allies fully cover transshipment hubs."},
      {"smuggling_pressure_elasticity", "1", UnitKind::fixed, 0, 5,
       "How strongly smuggling responds to the share of demand that legal supply leaves unmet: "
       "flow is proportional to pressure^elasticity."},
      {"smuggling_adjustment_months", "months", UnitKind::duration_months, 0.1, 240,
       "Time constant with which smuggling networks grow or shrink toward the flow that current "
       "conditions support."},
      {"remote_h100e_2026", "H100e", UnitKind::fixed, 0, 1e10,
       "Offshore cloud compute the target can rent at the start month (usable, not owned)."},
      {"remote_growth_per_year", "x/yr", UnitKind::fixed, 0.5, 20,
       "Yearly growth factor of the offshore capacity offered to the target."},
      {"remote_control_factor", "x", UnitKind::fixed, 0, 1,
       "Factor on rentable capacity when US rules on remote access apply in full."},
      {"remote_alignment_factor", "x", UnitKind::fixed, 0, 1,
       "Further factor when allied cloud jurisdictions align their rules in full."},
      {"remote_baseline_share", "fraction", UnitKind::fixed, 0, 1,
       "Share of remote demand that exists even with no import restrictions; the rest follows "
       "the import pressure."},
      {"remote_usability", "fraction", UnitKind::fixed, 0, 1,
       "Fraction of rented capacity that counts as usable compute (rental terms, policy risk, "
       "distance from data)."},
      {"remote_adjustment_months", "months", UnitKind::duration_months, 0.1, 240,
       "Time constant with which rented capacity follows its target (contract terms)."},
      {"domestic_ramp_doubling_months", "months", UnitKind::duration_months, 0.5, 240,
       "Doubling time of domestic accelerator output while far below its supply bound "
       "(logistic growth rate ln 2 / this)."},
      {"domestic_bound_growth_per_year", "x/yr", UnitKind::fixed, 0.5, 20,
       "Yearly growth factor of the wafer and HBM supply bounds on domestic output, under the "
       "import pressure at the start month."},
      {"wafer_headroom", "x", UnitKind::fixed, 0.1, 100,
       "Advanced-node wafer capacity available to AI accelerators at the start month, as a "
       "multiple of the output rate then."},
      {"hbm_headroom", "x", UnitKind::fixed, 0.1, 100,
       "HBM supply at the start month, as a multiple of what the output rate then uses."},
      {"alignment_wafer_growth_cut", "fraction", UnitKind::fixed, 0, 1,
       "Fraction of wafer-bound growth removed when allies fully align tool and servicing "
       "controls."},
      {"alignment_hbm_growth_cut", "fraction", UnitKind::fixed, 0, 1,
       "Fraction of HBM-bound growth removed when allies fully align HBM controls."},
      {"domestic_growth_share_from_denial", "fraction", UnitKind::fixed, 0, 1,
       "Share of the supply bounds' growth that exists only because imports are denied; it "
       "fades as import pressure falls."},
      {"domestic_utilisation_training", "fraction", UnitKind::fixed, 0, 1,
       "Training throughput of domestic accelerators relative to their TPP (software, "
       "interconnect, reliability)."},
      {"domestic_utilisation_inference", "fraction", UnitKind::fixed, 0, 1,
       "Inference throughput of domestic accelerators relative to their memory bandwidth."},
      {"chip_useful_life_years", "years", UnitKind::duration_years, 0.25, 30,
       "Mean useful life of an accelerator; stocks retire at 1/life per year."},
      {"growth_half_life_years", "years", UnitKind::duration_years, 0.5, 1000,
       "Years over which every yearly growth rate of compute build-out (US stock, the target's "
       "demand, offshore capacity, domestic supply bounds) halves; power, capital and fab "
       "limits slow exponential growth. A very long half-life means constant growth."},
      {"software_doubling_months_training", "months", UnitKind::duration_months, 0.5, 240,
       "Months for the training compute needed to reach a fixed capability to halve (all "
       "software progress: algorithms, data, post-training)."},
      {"densing_doubling_months", "months", UnitKind::duration_months, 0.5, 240,
       "Months for capability density (capability per parameter) to double (the Densing Law); "
       "drives the inference channel."},
      {"target_lag_months", "months", UnitKind::duration_months, 0.1, 120,
       "Diffusion lag with which the target follows the frontier's software efficiency."},
      {"anti_distillation_lag_extension", "fraction", UnitKind::fixed, 0, 10,
       "Relative lengthening of the diffusion lag at full anti-distillation intensity."},
      {"distilled_serving_share", "fraction", UnitKind::fixed, 0, 1,
       "Share of the target's inference served by distilled student models."},
      {"distill_serving_gain", "x", UnitKind::fixed, 1, 1000,
       "Serving throughput gain per unit of memory bandwidth from a distilled student over its "
       "teacher (between the active-parameter ratio and the total-parameter compression)."},
  }};
  return table;
}

const std::array<ParameterInfo, chip_field_count>& chip_fields() {
  static const std::array<ParameterInfo, chip_field_count> table{{
      {"tpp", "TPP", UnitKind::fixed, 1, 1e8,
       "Total processing performance (2 x MacTOPS x bit length) per package; H100 = 15,832."},
      {"memory_bandwidth_tbps", "TB/s", UnitKind::fixed, 0.01, 1e4,
       "Memory bandwidth per package; H100 = 3.35 TB/s."},
      {"demand_weight", "1", UnitKind::fixed, 0, 1e6,
       "Relative share of purchases (target and frontier) among classes in volume production "
       "at the same time."},
      {"frontier_initial_share", "1", UnitKind::fixed, 0, 1e6,
       "Relative share of this class in the US stock at the start month (normalised over "
       "classes)."},
      {"initial_stock.licensed", "units", UnitKind::fixed, 0, 1e10,
       "Units of this class the target holds at the start month, acquired legally."},
      {"initial_stock.smuggled", "units", UnitKind::fixed, 0, 1e10,
       "Units of this class the target holds at the start month, acquired by smuggling or "
       "diversion."},
      {"initial_stock.domestic", "units", UnitKind::fixed, 0, 1e10,
       "Units of this domestic class the target holds at the start month."},
  }};
  return table;
}

std::string_view chip_field_path(ChipField f) { return info(f).name; }

const std::array<ParameterInfo, line_field_count>& line_fields() {
  static const std::array<ParameterInfo, line_field_count> table{{
      {"packages_per_year_2026", "packages/yr", UnitKind::fixed, 0, 1e10,
       "Output rate of the production line at the start month, in accelerator packages per "
       "year."},
  }};
  return table;
}

const std::array<LeverInfo, chip_lever_count>& chip_levers() {
  static const std::array<LeverInfo, chip_lever_count> table{{
      {"export_status", LeverKind::export_status,
       static_cast<double>(ExportStatus::unrestricted), "",
       "\"banned\": no legal sales; \"licensed\": sales under licence, subject to the caps; "
       "\"unrestricted\": sales without a cap."},
      {"fee", LeverKind::nonnegative, 0.0, "fraction of price",
       "Export fee, revenue share or tariff paid on legal sales, as a fraction of the price "
       "(0.25 = 25%)."},
      {"licence_cap_units_per_year", LeverKind::optional_cap, inf, "units/yr",
       "Most units per year that licences allow (null: no absolute cap)."},
      {"licence_cap_share_of_us_volume", LeverKind::optional_cap, inf, "fraction",
       "Licensed units may not exceed this multiple of units shipped to US customers "
       "(null: no such rule)."},
  }};
  return table;
}

const std::array<LeverInfo, global_lever_count>& global_levers() {
  static const std::array<LeverInfo, global_lever_count> table{{
      {"enforcement_intensity", LeverKind::fraction, 0.0, "0..1",
       "US enforcement against smuggling and diversion: 0 = status quo of early 2026, 1 = the "
       "full package (location verification, subsidiary rule, end-use audits, prosecutions)."},
      {"allied_transshipment_coverage", LeverKind::fraction, 0.0, "0..1",
       "How fully allied and transit jurisdictions police transshipment of restricted chips."},
      {"allied_equipment_alignment", LeverKind::fraction, 0.0, "0..1",
       "How fully allies align controls on chipmaking tools, servicing and HBM."},
      {"remote_access_control", LeverKind::fraction, 0.0, "0..1",
       "How fully US rules restrict the target's remote (cloud) access to restricted chips."},
      {"allied_cloud_alignment", LeverKind::fraction, 0.0, "0..1",
       "How fully allied cloud jurisdictions apply the same remote-access rules."},
      {"anti_distillation_intensity", LeverKind::fraction, 0.0, "0..1",
       "Frontier-access controls against distillation of US models (account vetting, output "
       "watermarking, API restrictions)."},
  }};
  return table;
}

}  // namespace gapcast
