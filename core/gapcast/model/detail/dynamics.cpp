#include "gapcast/model/detail/dynamics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace gapcast::detail {

// Long because: it derives every per-sample constant in the order of docs/model.md §3-§10, one
// block per section, so that it reads against the document; splitting it would scatter that.
SampleConstants SampleConstants::from(const ModelInputs& in, double threshold_multiple) {
  SampleConstants k{};
  // Stocks (docs/model.md §3): exponential retirement over the useful life.
  k.depreciation = 1.0 / (12.0 * in[P::chip_useful_life_years]);
  // Growth rates halve every growth_half_life_years (§3).
  k.growth_decay = std::numbers::ln2 / (12.0 * in[P::growth_half_life_years]);

  // Foreign demand (§4).
  k.demand_0 = in[P::target_foreign_demand_h100e_per_year_2026] / 12.0;
  k.demand_rate = std::log(in[P::target_foreign_demand_growth_per_year]) / 12.0;
  k.substitution = in[P::substitution_share];
  k.fee_elasticity = in[P::fee_price_elasticity];
  k.fee_grey_share = in[P::fee_deterred_grey_share];
  k.acceptance_unrestricted = in[P::beijing_acceptance_unrestricted];
  // Licensing a class is a tightening step: the target's government accepts licensed
  // purchases at most as readily as unrestricted ones (the two shares are drawn separately).
  k.acceptance_licensed = std::min(in[P::us_chip_flow_materialises] >= 0.5
                                       ? in[P::beijing_acceptance_if_flow]
                                       : in[P::beijing_acceptance_if_no_flow],
                                   k.acceptance_unrestricted);

  // US frontier (§8): shipments that keep the stock on its trend net of retirement, so that
  // the stock is exactly F0 times its growth level.
  k.frontier_stock_0 = in[P::frontier_stock_h100e_2026];
  k.us_rate = std::log(in[P::frontier_stock_growth_per_year]) / 12.0;
  // Ceilings (§3, §8): the US stock saturates at what the power ceiling feeds at the
  // current watts per H100e; the target's demand and offshore capacity at the packaging one.
  k.us_power_ceiling = Ceiling::of(in[P::us_ai_power_ceiling_multiple]);
  k.packaging_ceiling = Ceiling::of(in[P::world_packaging_ceiling_multiple]);
  k.power_intensity_decay = std::numbers::ln2 / (12.0 * in[P::watts_per_h100e_halving_years]);
  k.watts_per_h100e_0 = in[P::us_watts_per_h100e_2026];

  // Smuggling (§5).
  k.smuggling_0 = in[P::smuggled_h100e_per_year_2024] * in[P::smuggling_multiplier_status_quo] /
                  12.0;
  k.enforcement_factor = in[P::enforcement_smuggling_factor];
  k.alignment_factor = in[P::alignment_smuggling_factor];
  k.pressure_elasticity = in[P::smuggling_pressure_elasticity];
  k.smuggling_tau = in[P::smuggling_adjustment_months];
  k.inverse_smuggling_tau = 1.0 / k.smuggling_tau;

  // Remote access (§6).
  k.remote_0 = in[P::remote_h100e_2026];
  k.remote_rate = std::log(in[P::remote_growth_per_year]) / 12.0;
  k.remote_control_factor = in[P::remote_control_factor];
  k.remote_alignment_factor = in[P::remote_alignment_factor];
  k.remote_baseline_share = in[P::remote_baseline_share];
  k.remote_usability = in[P::remote_usability];
  k.remote_tau = in[P::remote_adjustment_months];
  k.inverse_remote_tau = 1.0 / k.remote_tau;

  // Domestic production (§7).
  k.ramp_rate = std::numbers::ln2 / in[P::domestic_ramp_doubling_months];
  k.bound_rate = std::log(in[P::domestic_bound_growth_per_year]) / 12.0;
  k.wafer_cut = in[P::alignment_wafer_growth_cut];
  k.hbm_cut = in[P::alignment_hbm_growth_cut];
  k.denial_share = in[P::domestic_growth_share_from_denial];
  // The bounds' ceilings (§7) are multiples of each line's start-month bounds.
  k.wafer_ceiling = Ceiling::of(in[P::domestic_wafer_ceiling_multiple]);
  k.hbm_ceiling = Ceiling::of(in[P::domestic_hbm_ceiling_multiple]);
  k.inverse_wafer_0.assign(in.line_output_0.size(), 0.0);
  k.inverse_hbm_0.assign(in.line_output_0.size(), 0.0);
  for (std::size_t l = 0; l < in.line_output_0.size(); ++l) {
    // A line that starts at zero output has zero bounds, which never grow: no ceiling needed.
    const double wafer_0 = in.line_output_0[l] * in[P::wafer_headroom];
    const double hbm_0 = in.line_output_0[l] * in[P::hbm_headroom];
    if (wafer_0 > 0.0) k.inverse_wafer_0[l] = 1.0 / wafer_0;
    if (hbm_0 > 0.0) k.inverse_hbm_0[l] = 1.0 / hbm_0;
  }
  k.util_training = in[P::domestic_utilisation_training];
  k.util_inference = in[P::domestic_utilisation_inference];

  // Software (§9).
  k.doubling_training = in[P::software_doubling_months_training];
  k.doubling_inference = in[P::densing_doubling_months];
  k.lag_0 = in[P::target_lag_months];
  k.lag_extension = in[P::anti_distillation_lag_extension];
  k.inverse_doubling_training = 1.0 / k.doubling_training;
  k.inverse_doubling_inference = 1.0 / k.doubling_inference;
  // Distillation (§9) serves both sides; anti-distillation cuts only the target's part.
  k.distillation_excess = in[P::distilled_serving_share] * (in[P::distill_serving_gain] - 1.0);
  k.distillation_factor = 1.0 + k.distillation_excess;
  k.serving_cut = in[P::anti_distillation_serving_cut];

  // The capability threshold (§10): a multiple of the frontier's effective training compute
  // at the start month, which is the US stock then (its software index is 1 at t = 0).
  k.threshold = threshold_multiple * k.frontier_stock_0;
  return k;
}

// Long because: it evaluates, in the order of docs/model.md §4-§6, every constant a policy
// segment fixes (purchase shares, substitute, fees, caps, smuggling mix); kept in one place so
// that it reads against the document section by section.
void Dynamics::enter(const Segment& segment) {
  seg_ = &segment;
  const std::size_t nf = layout_.foreign.size();
  ss_.weight.assign(nf, 0.0);
  ss_.smuggle_mix.assign(nf, 0.0);
  ss_.fee_factor.assign(nf, 1.0);
  ss_.fee_constant.assign(nf, 1);
  scratch_.legal_units.assign(nf, 0.0);

  // Purchase shares among classes in volume production (§4).
  double total = 0.0;
  for (std::size_t f = 0; f < nf; ++f) {
    if (!segment.in_volume[f]) continue;
    ss_.weight[f] = in_.demand_weight[static_cast<std::size_t>(layout_.foreign[f])];
    total += ss_.weight[f];
  }
  for (auto& w : ss_.weight) w = total > 0.0 ? w / total : 0.0;

  // Substitute for banned demand: the exportable class in volume with the highest training
  // performance per chip.
  ss_.substitute = -1;
  double best = -1.0;
  for (std::size_t f = 0; f < nf; ++f) {
    if (!segment.in_volume[f] || segment.status[f] == ExportStatus::banned) continue;
    const double h = in_.train_h100e[static_cast<std::size_t>(layout_.foreign[f])];
    if (h > best) {
      best = h;
      ss_.substitute = static_cast<int>(f);
    }
  }

  // Smuggled chips are the banned classes in volume; if nothing in volume is banned,
  // whatever remains of the flow buys the classes in volume.
  double mix_total = 0.0;
  for (std::size_t f = 0; f < nf; ++f) {
    if (segment.in_volume[f] && segment.status[f] == ExportStatus::banned) {
      ss_.smuggle_mix[f] = ss_.weight[f];
      mix_total += ss_.weight[f];
    }
  }
  if (mix_total <= 0.0) {
    ss_.smuggle_mix = ss_.weight;
    mix_total = 1.0;
    if (total <= 0.0) {
      std::fill(ss_.smuggle_mix.begin(), ss_.smuggle_mix.end(), 1.0 / double(nf));
    }
  }
  for (auto& m : ss_.smuggle_mix) m /= mix_total;

  ss_.units_per_h100e.assign(nf, 0.0);
  ss_.smuggled_units_per_h100e.assign(nf, 0.0);
  for (std::size_t f = 0; f < nf; ++f) {
    const double h = in_.train_h100e[static_cast<std::size_t>(layout_.foreign[f])];
    ss_.units_per_h100e[f] = ss_.weight[f] / h;
    ss_.smuggled_units_per_h100e[f] = ss_.smuggle_mix[f] / h;
    ss_.fee_constant[f] = segment.fee[f].b == 0.0;
    if (ss_.fee_constant[f]) ss_.fee_factor[f] = fee_factor(segment.fee[f].a, k_.fee_elasticity);
  }

  // The legal channel's fixed structure in this segment (§4): which classes can be bought,
  // what share of demand each receives after banned demand is redirected, and its caps.
  ss_.banned_share = 0.0;
  for (std::size_t f = 0; f < nf; ++f) {
    if (segment.status[f] == ExportStatus::banned) ss_.banned_share += ss_.weight[f];
  }
  const double redirected = ss_.substitute >= 0 ? k_.substitution * ss_.banned_share : 0.0;
  ss_.unmet_banned_share = ss_.banned_share - redirected;
  ss_.purchases.clear();
  for (std::size_t f = 0; f < nf; ++f) {
    if (segment.status[f] == ExportStatus::banned) continue;
    const double share =
        ss_.weight[f] + (static_cast<int>(f) == ss_.substitute ? redirected : 0.0);
    if (share <= 0.0) continue;
    LegalPurchase p{};
    p.f = f;
    p.h = in_.train_h100e[static_cast<std::size_t>(layout_.foreign[f])];
    p.share = share;
    p.licensed = segment.status[f] == ExportStatus::licensed;
    p.acceptance = p.licensed ? k_.acceptance_licensed : k_.acceptance_unrestricted;
    p.fee_constant = ss_.fee_constant[f] != 0;
    p.units_per_demand = share * ss_.fee_factor[f] / p.h;
    p.units_per_demand_without_fee = share / p.h;
    p.has_share_cap = p.licensed && segment.cap_share[f].b == 0.0
                          ? std::isfinite(segment.cap_share[f].a)
                          : p.licensed;
    p.cap_share_per_us = ss_.weight[f] / p.h;
    ss_.purchases.push_back(p);
  }

  // Levers that do not ramp within the segment give constant factors: compute them once here
  // rather than in every right-hand-side evaluation.
  auto flat = [&](GlobalLever g) { return segment.lever[static_cast<std::size_t>(g)].b == 0.0; };
  for (const PolicyFactor f : {PolicyFactor::enforcement, PolicyFactor::transshipment,
                               PolicyFactor::remote_control, PolicyFactor::cloud_alignment}) {
    const auto [lever, factor] = factor_lever(f);
    const auto slot = static_cast<std::size_t>(f);
    ss_.lever_flat[slot] = flat(lever);
    ss_.lever_factor[slot] =
        policy_factor(factor, segment.lever[static_cast<std::size_t>(lever)].at(segment.begin));
  }
  ss_.enforcement = compute_enforcement(segment.begin);
  ss_.remote_policy = compute_remote_policy(segment.begin);
  ss_.inverse_lag = compute_inverse_lag(segment.begin);
  ss_.enforcement_constant =
      flat(GlobalLever::enforcement_intensity) && flat(GlobalLever::allied_transshipment_coverage);
  ss_.remote_constant =
      flat(GlobalLever::remote_access_control) && flat(GlobalLever::allied_cloud_alignment);
  ss_.lag_constant = flat(GlobalLever::anti_distillation_intensity);
  ss_.serving_excess_allowed = compute_serving_excess_allowed(segment.begin);
}

double Dynamics::compute_enforcement(double t) const {
  return lever_factor_at(PolicyFactor::enforcement, t) *
         lever_factor_at(PolicyFactor::transshipment, t);
}

double Dynamics::compute_remote_policy(double t) const {
  return lever_factor_at(PolicyFactor::remote_control, t) *
         lever_factor_at(PolicyFactor::cloud_alignment, t);
}

std::pair<GlobalLever, double> Dynamics::factor_lever(PolicyFactor f) const {
  switch (f) {
    case PolicyFactor::enforcement:
      return {GlobalLever::enforcement_intensity, k_.enforcement_factor};
    case PolicyFactor::transshipment:
      return {GlobalLever::allied_transshipment_coverage, k_.alignment_factor};
    case PolicyFactor::remote_control:
      return {GlobalLever::remote_access_control, k_.remote_control_factor};
    case PolicyFactor::cloud_alignment:
      return {GlobalLever::allied_cloud_alignment, k_.remote_alignment_factor};
  }
  return {GlobalLever::enforcement_intensity, 1.0};  // unreachable: every enumerator is above
}

double Dynamics::compute_inverse_lag(double t) const {
  // The diffusion lag (§9) is lengthened by anti-distillation measures.
  const double intensity =
      seg_->lever[static_cast<std::size_t>(GlobalLever::anti_distillation_intensity)].at(t);
  return 1.0 / (k_.lag_0 * (1.0 + k_.lag_extension * intensity));
}

double Dynamics::compute_serving_excess_allowed(double t) const {
  const double intensity =
      seg_->lever[static_cast<std::size_t>(GlobalLever::anti_distillation_intensity)].at(t);
  return k_.distillation_excess * (1.0 - k_.serving_cut * intensity);
}

void Dynamics::forcing(double t, const std::vector<double>& x, Forcing& out) const {
  const Segment& seg = *seg_;
  const std::size_t nf = layout_.foreign.size();
  out.fade = x[layout_.growth_fade()];
  out.demand_level = x[layout_.demand_level()];
  out.demand = k_.demand_0 * out.demand_level;
  // US shipments keep the US stock on its trend F0 * level(t) net of retirement; the trend
  // saturates at the stock that the power ceiling feeds at today's watts per H100e (§8).
  const double us_level = x[layout_.frontier_level()];
  out.us_shipments =
      k_.frontier_stock_0 * us_level *
      (k_.us_rate * out.fade * us_headroom(us_level, x[layout_.power_intensity()]) +
       k_.depreciation);
  if (out.legal_units.size() != nf) out.legal_units.assign(nf, 0.0);
  std::fill(out.legal_units.begin(), out.legal_units.end(), 0.0);

  // Legal channel (§4): banned demand is partly redirected to the substitute class; licensed
  // classes are capped; the target's government lets firms buy only part of what the US
  // permits. Whatever bans, caps and refusals leave unmet is the import pressure, and so is a
  // share of the purchases a fee prevents (the rest of those is priced out). Counting the
  // purchases a fee prevents, not the demand it deters, keeps every tightening step from
  // lowering the pressure: a fee on demand that a cap or a refusal already turns away changes
  // nothing.
  double unmet = out.demand * ss_.unmet_banned_share;
  for (const LegalPurchase& p : ss_.purchases) {
    const double units_without_fee = out.demand * p.units_per_demand_without_fee;
    const double units =
        p.fee_constant
            ? out.demand * p.units_per_demand
            : units_without_fee * fee_factor(seg.fee[p.f].at(t), k_.fee_elasticity);
    double cap = std::numeric_limits<double>::infinity();
    if (p.licensed) {
      cap = seg.cap_units_per_year[p.f].at(t) / 12.0;
      if (p.has_share_cap) {
        const double share = seg.cap_share[p.f].at(t);
        if (std::isfinite(share)) cap = std::min(cap, share * out.us_shipments * p.cap_share_per_us);
      }
    }
    const double bought = p.acceptance * std::min(units, cap);
    const double bought_without_fee = p.acceptance * std::min(units_without_fee, cap);
    out.legal_units[p.f] = bought;
    unmet += (units_without_fee - bought_without_fee +
              k_.fee_grey_share * (bought_without_fee - bought)) *
             p.h;
  }
  out.pressure = out.demand > 0.0 ? std::clamp(unmet / out.demand, 0.0, 1.0) : 0.0;

  // Smuggling target (§5) and remote target (§6). pow only where the pressure is fractional.
  double pressure_term = 1.0;
  if (k_.pressure_elasticity != 0.0 && out.pressure != 1.0) {
    pressure_term = out.pressure <= 0.0 ? 0.0
                                        : std::exp(k_.pressure_elasticity * std::log(out.pressure));
  }
  // Smuggling networks supply at most the demand that legal channels leave unmet: without this
  // bound a world whose grey market could outgrow demand would let a ban, by raising the
  // pressure, bring the target more chips than the legal purchases it removes.
  out.smuggling_target =
      std::min(k_.smuggling_0 * out.demand_level * enforcement_at(t) * pressure_term,
               out.pressure * out.demand);
  out.remote_target = k_.remote_0 * x[layout_.remote_level()] *
                      remote_policy_at(t) *
                      (k_.remote_baseline_share + (1.0 - k_.remote_baseline_share) * out.pressure);
}

void Dynamics::operator()(const std::vector<double>& x, std::vector<double>& dxdt,
                          double t) const {
  const Segment& seg = *seg_;
  Forcing& f = scratch_;
  forcing(t, x, f);
  const double delta = k_.depreciation;
  const std::size_t nf = layout_.foreign.size();
  const double smuggling_flow = x[layout_.smuggling_flow()];

  // Foreign classes (§4-§6, §8).
  for (std::size_t i = 0; i < nf; ++i) {
    const std::size_t lic = layout_.licensed(i), smu = layout_.smuggled(i),
                      rem = layout_.remote(i), us = layout_.frontier(i);
    dxdt[lic] = f.legal_units[i] - delta * x[lic];
    dxdt[smu] = smuggling_flow * ss_.smuggled_units_per_h100e[i] - delta * x[smu];
    dxdt[rem] = (f.remote_target * ss_.units_per_h100e[i] - x[rem]) * k_.inverse_remote_tau;
    dxdt[us] = f.us_shipments * ss_.units_per_h100e[i] - delta * x[us];
  }

  // Domestic production (§7).
  const double equipment =
      seg.lever[static_cast<std::size_t>(GlobalLever::allied_equipment_alignment)].at(t);
  const double denial = (1.0 + k_.denial_share * (f.pressure - 1.0)) * f.fade;
  const double wafer_rate = k_.bound_rate * (1.0 - k_.wafer_cut * equipment) * denial;
  const double hbm_rate = k_.bound_rate * (1.0 - k_.hbm_cut * equipment) * denial;
  // The bounds grow logistically toward their ceilings (§7).
  for (std::size_t d = 0; d < layout_.domestic.size(); ++d) {
    dxdt[layout_.owned_domestic(d)] = -delta * x[layout_.owned_domestic(d)];
  }
  for (std::size_t l = 0; l < layout_.lines; ++l) {
    const double output = x[layout_.output_rate(l)];
    const double wafer = x[layout_.wafer_bound(l)], hbm = x[layout_.hbm_bound(l)];
    const double bound = std::min(wafer, hbm);
    dxdt[layout_.output_rate(l)] =
        bound > 0.0 ? k_.ramp_rate * output * (1.0 - output / bound) : -k_.ramp_rate * output;
    dxdt[layout_.wafer_bound(l)] =
        wafer_rate * wafer * k_.wafer_ceiling.factor(wafer * k_.inverse_wafer_0[l]);
    dxdt[layout_.hbm_bound(l)] =
        hbm_rate * hbm * k_.hbm_ceiling.factor(hbm * k_.inverse_hbm_0[l]);
    const int produced = seg.line_class[l];
    if (produced >= 0) dxdt[layout_.owned_domestic(static_cast<std::size_t>(produced))] += output;
  }

  // Smuggling network (§5).
  dxdt[layout_.smuggling_flow()] =
      (f.smuggling_target - smuggling_flow) * k_.inverse_smuggling_tau;

  // Build-out levels (§3): phi' = -lambda phi, G' = r0 phi G (m - G) / (m - 1), which without a
  // ceiling is G = exp(r0 (1 - phi) / lambda). The US ceiling moves with watts per H100e (§8).
  const double fade = x[layout_.growth_fade()];
  dxdt[layout_.growth_fade()] = -k_.growth_decay * fade;
  const double demand_level = x[layout_.demand_level()];
  dxdt[layout_.demand_level()] = k_.demand_rate * fade * demand_level *
                                 k_.packaging_ceiling.factor(demand_level);
  const double us_level = x[layout_.frontier_level()];
  const double power_intensity = x[layout_.power_intensity()];
  dxdt[layout_.frontier_level()] =
      k_.us_rate * fade * us_level * us_headroom(us_level, power_intensity);
  const double remote_level = x[layout_.remote_level()];
  dxdt[layout_.remote_level()] = k_.remote_rate * fade * remote_level *
                                 k_.packaging_ceiling.factor(remote_level);
  dxdt[layout_.power_intensity()] = -k_.power_intensity_decay * power_intensity;

  // Software diffusion (§9): the target's log2 index relaxes toward the frontier's with time
  // constant equal to the lag, which anti-distillation measures lengthen.
  const double inverse_lag = inverse_lag_at(t);
  dxdt[layout_.software_training()] =
      (t * k_.inverse_doubling_training - x[layout_.software_training()]) * inverse_lag;
  dxdt[layout_.software_inference()] =
      (t * k_.inverse_doubling_inference - x[layout_.software_inference()]) * inverse_lag;
  // Distillation serving gain (§9): new students follow what anti-distillation allows with the
  // same lag; those already deployed keep serving meanwhile.
  dxdt[layout_.serving_excess()] =
      (target_serving_excess_allowed(t) - x[layout_.serving_excess()]) * inverse_lag;
}

double Dynamics::target_training_effective(const std::vector<double>& x) const {
  double hardware = 0.0;
  for (std::size_t i = 0; i < layout_.foreign.size(); ++i) {
    const double h = in_.train_h100e[static_cast<std::size_t>(layout_.foreign[i])];
    hardware += h * (x[layout_.licensed(i)] + x[layout_.smuggled(i)] +
                     k_.remote_usability * x[layout_.remote(i)]);
  }
  for (std::size_t d = 0; d < layout_.domestic.size(); ++d) {
    hardware += in_.train_h100e[static_cast<std::size_t>(layout_.domestic[d])] *
                k_.util_training * x[layout_.owned_domestic(d)];
  }
  return hardware * std::exp2(x[layout_.software_training()]);
}

}  // namespace gapcast::detail
