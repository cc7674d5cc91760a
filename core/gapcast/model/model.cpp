// Compiling a (world, policy) pair into integration segments, and integrating one sample with
// Boost.Odeint: a dense-output Dormand-Prince 5(4) stepper with error control, restarted at
// every breakpoint, with outputs and the threshold event located on its interpolant.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include <boost/numeric/odeint.hpp>

#include "gapcast/scenario/diagnostics.hpp"
#include "gapcast/model/detail/dynamics.hpp"
#include "gapcast/model/month_quantities.hpp"

namespace gapcast {

namespace odeint = boost::numeric::odeint;
using detail::Dynamics;
using detail::Forcing;
using detail::LinearValue;
using detail::SampleConstants;
using detail::Segment;
using State = std::vector<double>;

struct ScenarioModel::Impl {
  std::shared_ptr<const World> world;
  std::shared_ptr<const Policy> policy;
  std::size_t months = 0;
  double threshold_multiple = 1.0;
  SolverSettings solver;
  StateLayout layout;
  std::vector<double> breakpoints;  // interior breakpoints, ascending
  std::vector<Segment> segments;

  void compile();
  void record(const ModelInputs& in, const SampleConstants& k, const Dynamics& dyn,
              const State& x, double t, std::size_t month, RunOutput& out,
              Forcing& scratch) const;
  void record_paired_inputs(const ModelInputs& in, const SampleConstants& k, const State& x,
                            double t, std::size_t month, RunOutput& out) const;
  void check_state(const State& x, double t) const;
};

namespace {

LinearValue linear_in(const Schedule& schedule, double t_mid, double offset) {
  // Schedules use absolute month indices; the model uses months from the start.
  const auto [a, b] = schedule.linear_at(t_mid + offset);
  return {a + b * offset, b};
}

bool in_window(const ChipClass& chip, double t) {
  if (chip.volume_from && t < *chip.volume_from) return false;
  if (chip.volume_until && t >= *chip.volume_until) return false;
  return true;
}

}  // namespace

void ScenarioModel::Impl::compile() {
  layout = StateLayout::for_world(*world);
  const double t_end = static_cast<double>(months - 1);
  const double offset = month_index(world->start);

  std::set<double> cuts;
  auto add_cut = [&](double t) {
    if (t > 0.0 && t < t_end) cuts.insert(t);
  };
  for (const auto& s : policy->global_levers) {
    for (double b : s.breakpoints()) add_cut(b - offset);
  }
  for (int f : layout.foreign) {
    const auto& chip = world->chips[static_cast<std::size_t>(f)];
    for (const auto& s : policy->chip(chip.name)) {
      for (double b : s.breakpoints()) add_cut(b - offset);
    }
    if (chip.volume_from) add_cut(*chip.volume_from);
    if (chip.volume_until) add_cut(*chip.volume_until);
  }
  for (int d : layout.domestic) {
    const auto& chip = world->chips[static_cast<std::size_t>(d)];
    if (chip.roadmap_from) add_cut(*chip.roadmap_from);
  }
  breakpoints.assign(cuts.begin(), cuts.end());

  std::vector<double> edges{0.0};
  edges.insert(edges.end(), breakpoints.begin(), breakpoints.end());
  edges.push_back(std::max(t_end, 0.0));
  segments.clear();
  for (std::size_t s = 0; s + 1 < edges.size(); ++s) {
    Segment seg;
    seg.begin = edges[s];
    seg.end = edges[s + 1];
    const double mid = 0.5 * (seg.begin + seg.end);
    for (int f : layout.foreign) {
      const auto& chip = world->chips[static_cast<std::size_t>(f)];
      const auto& levers = policy->chip(chip.name);
      const auto status_value =
          levers[static_cast<std::size_t>(ChipLever::export_status)].value(mid + offset);
      seg.status.push_back(static_cast<ExportStatus>(static_cast<int>(std::lround(status_value))));
      seg.fee.push_back(linear_in(levers[static_cast<std::size_t>(ChipLever::fee)], mid, offset));
      seg.cap_units_per_year.push_back(linear_in(
          levers[static_cast<std::size_t>(ChipLever::licence_cap_units_per_year)], mid, offset));
      seg.cap_share.push_back(linear_in(
          levers[static_cast<std::size_t>(ChipLever::licence_cap_share_of_us_volume)], mid,
          offset));
      seg.in_volume.push_back(in_window(chip, mid) ? 1 : 0);
    }
    for (std::size_t g = 0; g < global_lever_count; ++g) {
      seg.lever[g] = linear_in(policy->global_levers[g], mid, offset);
    }
    // Each line makes the roadmap class with the latest start not after this segment.
    seg.line_class.assign(world->lines.size(), -1);
    std::vector<double> latest(world->lines.size(), -HUGE_VAL);
    for (std::size_t d = 0; d < layout.domestic.size(); ++d) {
      const auto& chip = world->chips[static_cast<std::size_t>(layout.domestic[d])];
      if (chip.line_index < 0) continue;
      const double from = chip.roadmap_from ? *chip.roadmap_from : -1e9;
      const auto l = static_cast<std::size_t>(chip.line_index);
      if (from <= mid && from > latest[l]) {
        latest[l] = from;
        seg.line_class[l] = static_cast<int>(d);
      }
    }
    segments.push_back(std::move(seg));
  }
}

void ScenarioModel::Impl::check_state(const State& x, double t) const {
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || std::abs(x[i]) > 1e200) {
      // t is a segment end: a whole month or a policy date, so it names a calendar month.
      const auto month = static_cast<int>(std::floor(t));
      char value[32];
      std::snprintf(value, sizeof value, "%.3g", x[i]);
      throw SimulationError("the " + layout.state_name(i, *world) +
                            " left the range of finite numbers by " +
                            format_year_month(add_months(world->start, month)) + " (value " +
                            value + ", above the limit of 1e200)");
    }
  }
}

namespace {

/// Hardware stocks of one state by side, channel and workload (H100e). Both recording modes
/// sum through this one function, so a run recorded lightly (a counterfactual) gives the same
/// bits as the same run recorded in full (a scenario's own run): paired metrics then do not
/// depend on whether the baseline is also one of the run's scenarios.
HardwareTotals hardware_totals(const StateLayout& layout, const ModelInputs& in,
                               const SampleConstants& k, const State& x) {
  HardwareTotals h;
  for (std::size_t i = 0; i < layout.foreign.size(); ++i) {
    const auto c = static_cast<std::size_t>(layout.foreign[i]);
    const double tr = in.train_h100e[c], bw = in.infer_h100e[c];
    h.train[channel_licensed] += tr * x[layout.licensed(i)];
    h.infer[channel_licensed] += bw * x[layout.licensed(i)];
    h.train[channel_smuggled] += tr * x[layout.smuggled(i)];
    h.infer[channel_smuggled] += bw * x[layout.smuggled(i)];
    h.train[channel_remote] += tr * k.remote_usability * x[layout.remote(i)];
    h.infer[channel_remote] += bw * k.remote_usability * x[layout.remote(i)];
    h.us_train += tr * x[layout.frontier(i)];
    h.us_infer += bw * x[layout.frontier(i)];
  }
  for (std::size_t d = 0; d < layout.domestic.size(); ++d) {
    const auto c = static_cast<std::size_t>(layout.domestic[d]);
    h.train[channel_domestic] += in.train_h100e[c] * k.util_training * x[layout.owned_domestic(d)];
    h.infer[channel_domestic] += in.infer_h100e[c] * k.util_inference * x[layout.owned_domestic(d)];
  }
  return h;
}

/// The month's quantities that do not need the forcing (import pressure), for both recordings.
MonthQuantities month_quantities(const StateLayout& layout, const ModelInputs& in,
                                 const SampleConstants& k, const State& x, double t) {
  MonthQuantities q;
  q.t = t;
  q.hw = hardware_totals(layout, in, k, x);
  q.target_training_log2 = x[layout.software_training()];
  q.target_training_index = std::exp2(q.target_training_log2);
  // Both sides serve distilled models (§9); the target's factor is cut by anti-distillation.
  q.target_inference_index =
      std::exp2(x[layout.software_inference()]) * (1.0 + x[layout.serving_excess()]);
  q.frontier_training_index = std::exp2(t / k.doubling_training);
  q.frontier_inference_index = std::exp2(t / k.doubling_inference) * k.distillation_factor;
  q.frontier_watts_per_h100e = k.watts_per_h100e_0 * x[layout.power_intensity()];
  q.doubling_training = k.doubling_training;
  q.doubling_inference = k.doubling_inference;
  double output = 0.0;
  for (std::size_t l = 0; l < layout.lines; ++l) output += x[layout.output_rate(l)];
  q.domestic_output_per_month = output;
  q.smuggling_flow_per_month = x[layout.smuggling_flow()];
  return q;
}

// One function per recorded series, generated from series.def: the full and the light
// recording call the same function for a series, so they agree bit for bit.
#define GAPCAST_EFFECTIVE_NOTE                                                             \
  "Effective compute is hardware in H100-equivalents times the side's software-efficiency " \
  "index, with the frontier's index at the start month = 1."
#define GAPCAST_SERIES(id, unit, description, value) \
  [[maybe_unused]] inline double series_##id(const MonthQuantities& q) { return (value); }
#include "gapcast/model/series.def"
#undef GAPCAST_EFFECTIVE_NOTE

}  // namespace

void ScenarioModel::Impl::record(const ModelInputs& in, const SampleConstants& k,
                                 const Dynamics& dyn, const State& x, double t,
                                 std::size_t month, RunOutput& out, Forcing& scratch) const {
  MonthQuantities q = month_quantities(layout, in, k, x, t);
  dyn.forcing(t, x, scratch);
  q.import_pressure = scratch.pressure;
#define GAPCAST_SERIES(id, unit, description, value) \
  out.at(Series::id, month) = series_##id(q);
#include "gapcast/model/series.def"
}

void ScenarioModel::Impl::record_paired_inputs(const ModelInputs& in, const SampleConstants& k,
                                               const State& x, double t, std::size_t month,
                                               RunOutput& out) const {
  // What the paired metrics read (metrics/derived_metrics.def), computed by the same functions
  // as record() computes them, but without the forcing evaluation and the other series.
  const MonthQuantities q = month_quantities(layout, in, k, x, t);
  out.at(Series::target_training_effective, month) = series_target_training_effective(q);
  out.at(Series::target_inference_effective, month) = series_target_inference_effective(q);
  out.at(Series::gap_training_months, month) = series_gap_training_months(q);
}

// ---------------------------------------------------------------------------------------------

ScenarioModel::ScenarioModel(std::shared_ptr<const World> world,
                             std::shared_ptr<const Policy> policy, std::size_t months,
                             double threshold_multiple, SolverSettings solver)
    : impl_(std::make_unique<Impl>()) {
  if (months == 0) throw std::invalid_argument("a run needs at least one output month");
  impl_->world = std::move(world);
  impl_->policy = std::move(policy);
  impl_->months = months;
  impl_->threshold_multiple = threshold_multiple;
  impl_->solver = solver;
  impl_->compile();
}

ScenarioModel::~ScenarioModel() = default;
ScenarioModel::ScenarioModel(ScenarioModel&&) noexcept = default;
ScenarioModel& ScenarioModel::operator=(ScenarioModel&&) noexcept = default;

const StateLayout& ScenarioModel::layout() const { return impl_->layout; }
const std::vector<double>& ScenarioModel::breakpoints() const { return impl_->breakpoints; }
std::size_t ScenarioModel::months() const { return impl_->months; }
const World& ScenarioModel::world() const { return *impl_->world; }
const Policy& ScenarioModel::policy() const { return *impl_->policy; }

// Long because: the initial state (§2), the segment loop with a fresh stepper at every
// breakpoint and the recording of dense output between steps share the stepper and the state;
// splitting them would pass both around for no gain in clarity.
void ScenarioModel::simulate(const ModelInputs& in, RunOutput& out, Recording recording,
                             std::span<const char> months) const {
  const Impl& m = *impl_;
  const StateLayout& layout = m.layout;
  const SampleConstants k = SampleConstants::from(in, m.threshold_multiple);
  Dynamics dyn(layout, in, k);
  Forcing scratch;

  out.months = m.months;
  // Every entry is written by record() below, so the buffer is only sized, not cleared.
  out.series.resize(series_count * m.months);
  out.threshold_month = HUGE_VAL;
  out.steps = 0;

  // Initial state (docs/model.md §2): the same for every policy, so runs differ by policy only.
  State x(layout.size(), 0.0);
  dyn.enter(m.segments.front());
  const auto& w0 = dyn.segment_sample().weight;
  for (std::size_t i = 0; i < layout.foreign.size(); ++i) {
    const auto c = static_cast<std::size_t>(layout.foreign[i]);
    const double h = in.train_h100e[c];
    x[layout.licensed(i)] = in.initial_licensed[c];
    x[layout.smuggled(i)] = in.initial_smuggled[c];
    x[layout.remote(i)] = k.remote_0 * w0[i] / h;
    x[layout.frontier(i)] = k.frontier_stock_0 * in.frontier_share[c] / h;
  }
  for (std::size_t d = 0; d < layout.domestic.size(); ++d) {
    x[layout.owned_domestic(d)] =
        in.initial_domestic[static_cast<std::size_t>(layout.domestic[d])];
  }
  for (std::size_t l = 0; l < layout.lines; ++l) {
    const double k0 = in.line_output_0[l];
    x[layout.output_rate(l)] = k0;
    x[layout.wafer_bound(l)] = k0 * in[P::wafer_headroom];
    x[layout.hbm_bound(l)] = k0 * in[P::hbm_headroom];
  }
  x[layout.smuggling_flow()] = k.smuggling_0;
  x[layout.growth_fade()] = 1.0;
  x[layout.demand_level()] = 1.0;
  x[layout.frontier_level()] = 1.0;
  x[layout.remote_level()] = 1.0;
  x[layout.power_intensity()] = 1.0;
  x[layout.serving_excess()] = dyn.target_serving_excess_allowed(0.0);
  x[layout.software_training()] = -k.lag_0 / k.doubling_training;
  x[layout.software_inference()] = -k.lag_0 / k.doubling_inference;

  auto record = [&](const State& state, double t, std::size_t month) {
    if (recording == Recording::all_series) m.record(in, k, dyn, state, t, month, out, scratch);
    else m.record_paired_inputs(in, k, state, t, month, out);
  };
  const auto wanted = [&](std::size_t month) { return months.empty() || months[month] != 0; };
  if (wanted(0)) record(x, 0.0, 0);
  if (dyn.target_training_effective(x) >= k.threshold) out.threshold_month = 0.0;

  auto stepper = odeint::make_dense_output(m.solver.abs_tolerance, m.solver.rel_tolerance,
                                           m.solver.max_step_months,
                                           odeint::runge_kutta_dopri5<State>());
  State interpolated(layout.size());
  double dt = 0.25;
  std::size_t next_month = 1;
  auto event_value = [&](const State& s) {
    return std::log(dyn.target_training_effective(s) / k.threshold);
  };

  for (std::size_t s = 0; s < m.segments.size(); ++s) {
    const Segment& seg = m.segments[s];
    dyn.enter(seg);
    if (seg.end <= seg.begin) continue;
    // A fresh start at every breakpoint: no step carries derivative information across a
    // discontinuity in the right-hand side.
    stepper.initialize(x, seg.begin, std::min(dt, seg.end - seg.begin));
    while (true) {
      const auto [t_old, t_new] = stepper.do_step(std::ref(dyn));
      if (++out.steps > m.solver.max_steps) {
        throw SimulationError("the solver took more than " + std::to_string(m.solver.max_steps) +
                              " steps without reaching the horizon (stiff or degenerate "
                              "dynamics)");
      }
      const double t_stop = std::min(t_new, seg.end);
      // Outputs that fall in this step (stopping at the segment end: beyond it the step used
      // the previous segment's equations).
      // An output month that falls exactly on a breakpoint belongs to the next segment, so
      // that its diagnostics (import pressure) use the levers in force from that month.
      const bool last_segment = s + 1 == m.segments.size();
      while (next_month < m.months && static_cast<double>(next_month) <= t_stop &&
             (static_cast<double>(next_month) < seg.end || last_segment)) {
        const double tm = static_cast<double>(next_month);
        if (wanted(next_month)) {
          if (tm == t_new) interpolated = stepper.current_state();
          else stepper.calc_state(tm, interpolated);
          record(interpolated, tm, next_month);
        }
        ++next_month;
      }
      // Threshold event: locate the sign change of log(E / threshold) on the step's
      // interpolant with the Illinois variant of regula falsi, which keeps a bracket (so it
      // cannot miss) and converges superlinearly on this smooth function, in a handful of
      // interpolations instead of bisection's forty.
      if (std::isinf(out.threshold_month)) {
        const State* at_stop = &stepper.current_state();
        if (t_stop != t_new) {
          stepper.calc_state(t_stop, interpolated);
          at_stop = &interpolated;
        }
        double g_hi = event_value(*at_stop);
        if (g_hi >= 0.0) {
          double lo = t_old, hi = t_stop;
          double g_lo = event_value(stepper.previous_state());
          int kept_side = 0;  // which end survived the last update (for Illinois halving)
          for (int it = 0; it < 100 && hi - lo > 1e-9 && g_hi > 0.0; ++it) {
            double t = (lo * g_hi - hi * g_lo) / (g_hi - g_lo);
            if (!(t > lo && t < hi)) t = 0.5 * (lo + hi);  // guard against rounding
            stepper.calc_state(t, interpolated);
            const double g = event_value(interpolated);
            if (g >= 0.0) {
              hi = t;
              g_hi = g;
              if (kept_side == -1) g_lo *= 0.5;
              kept_side = -1;
            } else {
              lo = t;
              g_lo = g;
              if (kept_side == 1) g_hi *= 0.5;
              kept_side = 1;
            }
          }
          out.threshold_month = hi;
        }
      }
      if (t_new >= seg.end) {
        if (t_new == seg.end) x = stepper.current_state();
        else stepper.calc_state(seg.end, x);
        dt = stepper.current_time_step();
        break;
      }
    }
    m.check_state(x, seg.end);
  }
}

}  // namespace gapcast
