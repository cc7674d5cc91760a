#pragma once
// Internal: per-sample metric values of one scenario. The public catalogue is declared in
// gapcast/monte_carlo.hpp; the enum below must list it in the same order.
#include <span>

#include "gapcast/monte_carlo.hpp"

namespace gapcast::detail {

/// Series metrics: the model's Series first (same order), then the paired and probability ones.
enum class MetricId : std::size_t {
  denied_training_vs_no_controls = series_count,
  denied_inference_vs_no_controls,
  denied_training_vs_baseline,
  denied_inference_vs_baseline,
  added_gap_months_vs_no_controls,
  added_gap_months_vs_baseline,
  prob_gap_training_below_2x,
  prob_gap_inference_below_2x,
  prob_threshold_reached,
  count_
};
inline constexpr std::size_t metric_count = static_cast<std::size_t>(MetricId::count_);
inline constexpr std::size_t scalar_count = 3;

/// Threshold month under a policy minus under a reference: +inf if only the reference reaches
/// the threshold within the horizon, -inf if only the policy does, NaN if neither.
double delay_between(double policy_month, double reference_month);

/// Fills series[m * months + k] (metric_count x months) and scalars[0..scalar_count).
/// Counterfactual pointers may be null (their paired metrics become NaN: undefined).
void scenario_metrics(const RunOutput& own, const RunOutput* no_controls,
                      const RunOutput* baseline, std::span<double> series,
                      std::span<double> scalars);

}  // namespace gapcast::detail
