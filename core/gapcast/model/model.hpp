#pragma once
/// The compute-access model: supply channels into the target's chip stock, the US frontier's
/// stock, domestic production, and the software-efficiency layer, as one ODE system per sample.
///
/// docs/model.md gives every equation; the names below follow it. In short, per foreign chip
/// class f the target holds licensed units L_f and smuggled units S_f and rents R_f offshore,
/// the US holds F_f; per domestic class d the target holds D_d; each production line l has an
/// output rate K_l growing logistically toward min(W_l, H_l), its wafer and HBM bounds; the
/// smuggling flow Q follows its policy-dependent target with a lag; and the target's log2
/// software indices a_train, a_inf follow the frontier's with a diffusion lag.
///
/// Time is in months from the world's start month. Policy levers change only at dated
/// breakpoints (and move linearly along ramps), so the integration runs segment by segment with
/// a fresh stepper start at every breakpoint.
#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gapcast/scenario/scenario.hpp"

namespace gapcast {

/// H100 reference values for normalising chip performance.
inline constexpr double h100_tpp = 15832.0;              ///< TPP of one H100 SXM
inline constexpr double h100_bandwidth_tbps = 3.35;      ///< HBM3 bandwidth of one H100 SXM

/// Months of software progress that a compute ratio corresponds to: log2(ratio) x doubling.
/// The seeds' arithmetic: a 6x hardware gap at a 3.5-month Densing doubling is about 9 months.
double months_of_progress(double ratio, double doubling_months);

/// Supply channels of the target's compute.
enum class Channel : std::size_t { licensed, smuggled, domestic, remote, count_ };
inline constexpr std::size_t channel_count = static_cast<std::size_t>(Channel::count_);
std::string_view channel_name(Channel c);

/// Indices of the ODE state vector for one world's chip table.
struct StateLayout {
  std::vector<int> foreign;   ///< chip indices of foreign classes, world order
  std::vector<int> domestic;  ///< chip indices of domestic classes, world order
  std::size_t lines = 0;

  [[nodiscard]] std::size_t licensed(std::size_t f) const { return f; }
  [[nodiscard]] std::size_t smuggled(std::size_t f) const { return foreign.size() + f; }
  [[nodiscard]] std::size_t remote(std::size_t f) const { return 2 * foreign.size() + f; }
  [[nodiscard]] std::size_t frontier(std::size_t f) const { return 3 * foreign.size() + f; }
  [[nodiscard]] std::size_t owned_domestic(std::size_t d) const {
    return 4 * foreign.size() + d;
  }
  [[nodiscard]] std::size_t output_rate(std::size_t l) const {
    return 4 * foreign.size() + domestic.size() + 3 * l;
  }
  [[nodiscard]] std::size_t wafer_bound(std::size_t l) const { return output_rate(l) + 1; }
  [[nodiscard]] std::size_t hbm_bound(std::size_t l) const { return output_rate(l) + 2; }
  [[nodiscard]] std::size_t smuggling_flow() const {
    return 4 * foreign.size() + domestic.size() + 3 * lines;
  }
  [[nodiscard]] std::size_t software_training() const { return smuggling_flow() + 1; }
  [[nodiscard]] std::size_t software_inference() const { return smuggling_flow() + 2; }
  /// Build-out levels relative to t = 0 and phi, the remaining share of their growth rates
  /// (docs/model.md §3). Carried as states so the right-hand side needs no exponentials.
  [[nodiscard]] std::size_t growth_fade() const { return smuggling_flow() + 3; }
  [[nodiscard]] std::size_t demand_level() const { return smuggling_flow() + 4; }
  [[nodiscard]] std::size_t frontier_level() const { return smuggling_flow() + 5; }
  [[nodiscard]] std::size_t remote_level() const { return smuggling_flow() + 6; }
  /// Watts per H100e of the US stock relative to the start month (§8), falling as chip
  /// generations turn over; a state for the same reason as the levels.
  [[nodiscard]] std::size_t power_intensity() const { return smuggling_flow() + 7; }
  /// The target's distillation serving gain beyond 1 (§9): it follows what anti-distillation
  /// measures allow with the diffusion lag, because students already deployed keep serving.
  [[nodiscard]] std::size_t serving_excess() const { return smuggling_flow() + 8; }
  [[nodiscard]] std::size_t size() const { return smuggling_flow() + 9; }
  /// Human-readable name of a state, for error messages ("licensed stock of h200").
  [[nodiscard]] std::string state_name(std::size_t index, const World& world) const;

  static StateLayout for_world(const World& world);
};

/// One sample's parameters in the form the equations use (per-month rates, H100e factors).
struct ModelInputs {
  // chip classes (indexed like World::chips)
  std::vector<double> train_h100e;  ///< TPP / 15,832
  std::vector<double> infer_h100e;  ///< bandwidth / 3.35 TB/s
  std::vector<double> demand_weight;
  std::vector<double> frontier_share;  ///< normalised over foreign classes
  std::vector<double> initial_licensed, initial_smuggled, initial_domestic;
  std::vector<double> line_output_0;  ///< packages per month at t = 0, per line
  // the world parameters, raw, in catalogue order
  std::array<double, global_parameter_count> p{};

  [[nodiscard]] double operator[](P which) const { return p[static_cast<std::size_t>(which)]; }
  static ModelInputs from_sample(const World& world, std::span<const double> values);
};

/// The series recorded at each output month, per run, from the one list in series.def.
enum class Series : std::size_t {
#define GAPCAST_SERIES(id, unit, description, value) id,
#include "gapcast/model/series.def"
  count_
};
inline constexpr std::size_t series_count = static_cast<std::size_t>(Series::count_);

/// What one integration produces: series[s * months + k] for output month k, and the month the
/// target's effective training compute first reaches the capability threshold (+inf if never
/// within the horizon).
struct RunOutput {
  std::size_t months = 0;
  std::vector<double> series;
  double threshold_month = 0.0;
  std::size_t steps = 0;  ///< accepted solver steps (for diagnostics and benchmarks)

  [[nodiscard]] double at(Series s, std::size_t k) const {
    return series[static_cast<std::size_t>(s) * months + k];
  }
  double& at(Series s, std::size_t k) { return series[static_cast<std::size_t>(s) * months + k]; }
};

/// Error tolerances and limits of the adaptive solver (recorded in the run manifest).
struct SolverSettings {
  double abs_tolerance = 1e-5;
  double rel_tolerance = 1e-5;
  double max_step_months = 6.0;
  std::size_t max_steps = 200000;
};

/// A (world, policy) pair compiled for fast repeated integration: breakpoints, per-segment
/// lever values, and the state layout. Immutable and shared by all threads.
class ScenarioModel {
 public:
  /// `months` output months (t = 0 .. months-1); the capability threshold is
  /// `threshold_multiple` x the frontier's effective training compute at t = 0.
  ScenarioModel(std::shared_ptr<const World> world, std::shared_ptr<const Policy> policy,
                std::size_t months, double threshold_multiple, SolverSettings solver);
  ~ScenarioModel();
  ScenarioModel(ScenarioModel&&) noexcept;
  ScenarioModel& operator=(ScenarioModel&&) noexcept;

  /// Which series a run records. A counterfactual run (no controls, baseline) that is not
  /// itself one of the scenarios only feeds the paired metrics, so it records just
  /// target_training_effective, target_inference_effective and gap_training_months (the
  /// other entries of `series` are left unspecified); the dynamics are the same.
  enum class Recording { all_series, paired_inputs };

  /// Integrates one sample. `out` is resized on first use and reused after. Throws
  /// SimulationError if the state leaves the range of finite numbers or the solver stalls.
  /// `months`, when not empty, has one entry per output month and records only the months
  /// whose entry is not 0; the others keep whatever `out` held (a run that reads only some
  /// months skips their interpolation and series). The threshold month is located either way.
  void simulate(const ModelInputs& inputs, RunOutput& out,
                Recording recording = Recording::all_series,
                std::span<const char> months = {}) const;

  [[nodiscard]] const StateLayout& layout() const;
  [[nodiscard]] const std::vector<double>& breakpoints() const;
  [[nodiscard]] std::size_t months() const;
  [[nodiscard]] const World& world() const;
  [[nodiscard]] const Policy& policy() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gapcast
