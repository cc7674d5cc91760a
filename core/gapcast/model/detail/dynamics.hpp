#pragma once
// The right-hand side of the ODE system and the time-only "forcing" quantities it uses
// (demand, US shipments, legal flows, import pressure). Internal to the engine; the equations
// are documented in docs/model.md, section by section as marked below.
#include <array>
#include <cmath>
#include <utility>
#include <vector>

#include "gapcast/model/model.hpp"

namespace gapcast::detail {

/// A lever value that is linear within one integration segment: a + b t.
struct LinearValue {
  double a = 0.0, b = 0.0;
  [[nodiscard]] double at(double t) const { return b == 0.0 ? a : a + b * t; }
};

/// What is fixed within a segment for every sample: lever values, volume windows, roadmap.
struct Segment {
  double begin = 0.0, end = 0.0;
  // per foreign class (layout order)
  std::vector<ExportStatus> status;
  std::vector<LinearValue> fee, cap_units_per_year, cap_share;
  std::vector<char> in_volume;
  // per line: the layout.domestic index of the class being produced, or -1
  std::vector<int> line_class;
  std::array<LinearValue, global_lever_count> lever{};
};

/// A ceiling on a growing level (docs/model.md §3), as a multiple m >= 1 of the start-month
/// level. The logistic factor (m - G) / (m - 1) is 1 at the start, so the start-month growth
/// rate stays the observed one the parameters are calibrated to, and 0 at the ceiling.
struct Ceiling {
  double inverse_multiple = 0.0;  ///< 1 / m
  double scale = 1.0;             ///< m / (m - 1), or 0 when m = 1 (no room to grow)

  static Ceiling of(double multiple) {
    Ceiling c;
    c.inverse_multiple = 1.0 / multiple;
    c.scale = multiple > 1.0 ? multiple / (multiple - 1.0) : 0.0;
    return c;
  }
  /// The factor on the growth rate at a level relative to the start (1 at the start).
  [[nodiscard]] double factor(double relative_level) const {
    return scale * (1.0 - relative_level * inverse_multiple);
  }
};

/// Sample-level constants derived once from ModelInputs (per-month rates, logs of factors).
struct SampleConstants {
  double depreciation;         // 1 / useful life, per month
  double growth_decay;         // rate at which growth rates decay, per month (ln 2 / half-life)
  double demand_0, demand_rate;  // H100e/month at t = 0, continuous growth rate per month
  double us_rate;  // continuous growth rate of the US stock at t = 0, per month
  double frontier_stock_0;
  // Ceilings (§3, §7, §8), each a multiple of its level at the start month.
  Ceiling us_power_ceiling, packaging_ceiling, wafer_ceiling, hbm_ceiling;
  double power_intensity_decay;  // rate at which watts per H100e fall, per month
  double watts_per_h100e_0;
  double substitution, fee_elasticity, fee_grey_share, acceptance_licensed,
      acceptance_unrestricted;
  double smuggling_0, enforcement_factor, alignment_factor, pressure_elasticity,
      smuggling_tau, inverse_smuggling_tau;
  double remote_0, remote_rate, remote_control_factor, remote_alignment_factor,
      remote_baseline_share, remote_usability, remote_tau, inverse_remote_tau;
  double ramp_rate, bound_rate, wafer_cut, hbm_cut, denial_share;
  // Per production line, 1 / the wafer and HBM bounds at the start (packages/month)^-1, to
  // express the bounds relative to the start for their ceilings.
  std::vector<double> inverse_wafer_0, inverse_hbm_0;
  double util_training, util_inference;
  double doubling_training, doubling_inference, lag_0, lag_extension;
  double inverse_doubling_training, inverse_doubling_inference;
  double distillation_factor;  // the frontier's serving factor, 1 + share (gain - 1)
  double distillation_excess;  // share (gain - 1): the part anti-distillation can cut
  double serving_cut;          // fraction of the target's excess removed at full intensity
  double threshold;

  static SampleConstants from(const ModelInputs& in, double threshold_multiple);
};

/// Per-sample quantities fixed within a segment (they depend on sampled weights and chip
/// performance as well as on the segment).
/// A foreign class the target can buy legally within a segment, with what does not change.
struct LegalPurchase {
  std::size_t f;             ///< layout index
  double h;                  ///< TPP-based H100e per chip
  double share;              ///< share of total demand directed at it (own + redirected)
  double acceptance;         ///< share of permitted purchases the target's government allows
  bool licensed;             ///< subject to the licence caps
  bool fee_constant;
  double units_per_demand;   ///< share x fee factor / h, when the fee is constant
  double units_per_demand_without_fee;  ///< share / h
  double cap_share_per_us;   ///< cap share x weight / h (0 if no such rule)
  bool has_share_cap;
};

struct SegmentSample {
  std::vector<double> weight;    ///< share of purchases per foreign class (in volume only)
  std::vector<double> smuggle_mix;  ///< share of the smuggling flow per foreign class
  std::vector<double> units_per_h100e;  ///< weight / TPP-based H100e per chip
  std::vector<double> smuggled_units_per_h100e;  ///< smuggle_mix / H100e per chip
  int substitute = -1;           ///< layout index of the best exportable class in volume
  double banned_share = 0.0;     ///< share of demand aimed at banned classes
  double unmet_banned_share = 0.0;  ///< of which not redirected to the substitute
  std::vector<LegalPurchase> purchases;
  std::vector<double> fee_factor;  ///< (1 + fee)^-elasticity where the fee is constant
  std::vector<char> fee_constant;
  // Policy factors of levers that are constant over the segment (NaN when they ramp).
  double enforcement = 1.0, remote_policy = 1.0, inverse_lag = 0.0;
  double serving_excess_allowed = 0.0;  ///< valid when lag_constant (the same lever)
  bool enforcement_constant = true, remote_constant = true, lag_constant = true;
  // Each of those products has two factors, one per lever (PolicyFactor). When only one lever
  // ramps, the other's factor is computed here once (the same pow, so the same bits) instead
  // of per call.
  std::array<double, 4> lever_factor{};
  std::array<bool, 4> lever_flat{};
};

/// The four factor^intensity terms of the smuggling enforcement (§5) and remote-access (§6)
/// factors, as indices of SegmentSample::lever_factor.
enum class PolicyFactor : std::size_t {
  enforcement, transshipment, remote_control, cloud_alignment
};

/// Forcing quantities at time t (no state dependence).
struct Forcing {
  double fade = 1.0;          // phi = exp(-growth_decay t): share of growth rates remaining
  double demand_level = 1.0;  // demand relative to t = 0
  double demand = 0.0;        // H100e/month
  double us_shipments = 0.0;  // H100e/month
  double pressure = 0.0;      // share of demand not met legally (bans, caps, refusals), [0, 1]
  double smuggling_target = 0.0;  // H100e/month
  double remote_target = 0.0;     // H100e (rented capacity)
  std::vector<double> legal_units;  // per foreign class, units/month delivered
};

/// (1 + fee)^-elasticity without pow when nothing is charged.
inline double fee_factor(double fee, double elasticity) {
  return fee == 0.0 || elasticity == 0.0 ? 1.0 : std::pow(1.0 + fee, -elasticity);
}

/// factor^intensity with the convention 0^0 = 1 (no policy, no effect).
inline double policy_factor(double factor, double intensity) {
  if (intensity == 0.0) return 1.0;
  return std::pow(factor, intensity);
}

class Dynamics {
 public:
  Dynamics(const StateLayout& layout, const ModelInputs& in, const SampleConstants& k)
      : layout_(layout), in_(in), k_(k) {}

  /// Prepares per-segment, per-sample quantities.
  void enter(const Segment& segment);
  /// The forcing quantities at time t. They depend on the state only through the growth
  /// levels (which are states so that no exponential is needed here).
  void forcing(double t, const std::vector<double>& x, Forcing& f) const;
  void operator()(const std::vector<double>& x, std::vector<double>& dxdt, double t) const;

  /// Target effective training compute for state x (the event function's argument).
  [[nodiscard]] double target_training_effective(const std::vector<double>& x) const;

  [[nodiscard]] const SegmentSample& segment_sample() const { return ss_; }
  /// The serving gain beyond 1 that the target's distillation can reach at time t (§9): the
  /// frontier's, less the part anti-distillation measures cut. Its state follows this.
  [[nodiscard]] double target_serving_excess_allowed(double t) const {
    return ss_.lag_constant ? ss_.serving_excess_allowed : compute_serving_excess_allowed(t);
  }
  /// Smuggling enforcement factor, remote-access policy factor and 1/lag at time t.
  // Defined here so that the common case, a lever flat over the segment, is inlined into the
  // right-hand side rather than a call per evaluation.
  [[nodiscard]] double enforcement_at(double t) const {
    return ss_.enforcement_constant ? ss_.enforcement : compute_enforcement(t);
  }
  [[nodiscard]] double remote_policy_at(double t) const {
    return ss_.remote_constant ? ss_.remote_policy : compute_remote_policy(t);
  }
  [[nodiscard]] double inverse_lag_at(double t) const {
    return ss_.lag_constant ? ss_.inverse_lag : compute_inverse_lag(t);
  }
  [[nodiscard]] const Segment& segment() const { return *seg_; }

 private:
  /// The lever behind a PolicyFactor and the sampled factor it raises to its intensity.
  [[nodiscard]] std::pair<GlobalLever, double> factor_lever(PolicyFactor f) const;
  /// factor^intensity of `f` at time t (computed once per segment when its lever is flat).
  [[nodiscard]] double lever_factor_at(PolicyFactor f, double t) const {
    const auto slot = static_cast<std::size_t>(f);
    if (ss_.lever_flat[slot]) return ss_.lever_factor[slot];
    const auto [lever, factor] = factor_lever(f);
    return policy_factor(factor, seg_->lever[static_cast<std::size_t>(lever)].at(t));
  }
  [[nodiscard]] double compute_enforcement(double t) const;
  [[nodiscard]] double compute_remote_policy(double t) const;
  [[nodiscard]] double compute_inverse_lag(double t) const;
  [[nodiscard]] double compute_serving_excess_allowed(double t) const;
  /// The logistic factor on the US stock's growth (§8): the ceiling is on power, the level
  /// times the watts per H100e relative to the start.
  [[nodiscard]] double us_headroom(double level, double power_intensity) const {
    return k_.us_power_ceiling.factor(level * power_intensity);
  }

  const StateLayout& layout_;
  const ModelInputs& in_;
  const SampleConstants& k_;
  const Segment* seg_ = nullptr;
  SegmentSample ss_;
  mutable Forcing scratch_;
};

}  // namespace gapcast::detail
