// The output metrics: their catalogue (names, units, meaning) and how one sample's value of
// each is computed from a scenario's run and its counterfactual runs.
#include "metrics.hpp"

#include <cmath>
#include <limits>

namespace gapcast {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

const char* effective_unit = "eff. H100e";
const char* effective_note =
    " Effective compute is hardware in H100-equivalents times the side's software-efficiency "
    "index, with the frontier's index at the start month = 1.";

MetricInfo metric(std::string name, std::string unit, std::string description,
                  MetricKind kind = MetricKind::distribution, std::string compared_with = "") {
  return {std::move(name), std::move(unit), std::move(description), kind,
          std::move(compared_with)};
}

}  // namespace

const std::vector<MetricInfo>& series_metric_catalogue() {
  static const std::vector<MetricInfo> table = [] {
    std::vector<MetricInfo> t{
        metric("target_training_effective", effective_unit,
         std::string("The target's effective training compute (all channels).") + effective_note),
        metric("target_inference_effective", effective_unit,
         std::string("The target's effective inference compute: bandwidth-based hardware times "
                     "the Densing index and the distillation serving factor.") + effective_note),
        metric("frontier_training_effective", effective_unit,
         std::string("The US frontier's effective training compute.") + effective_note),
        metric("frontier_inference_effective", effective_unit,
         std::string("The US frontier's effective inference compute.") + effective_note),
        metric("target_training_hardware", "H100e",
         "The target's usable training hardware (TPP-based, domestic chips discounted by "
         "utilisation, rented capacity by usability)."),
        metric("target_inference_hardware", "H100e (bandwidth)",
         "The target's usable inference hardware, by memory bandwidth (H100 = 3.35 TB/s)."),
        metric("frontier_training_hardware", "H100e", "The US stock, TPP-based."),
        metric("frontier_inference_hardware", "H100e (bandwidth)", "The US stock, bandwidth-based."),
        metric("target_training_licensed", effective_unit,
         "Effective training compute from legally imported chips."),
        metric("target_training_smuggled", effective_unit,
         "Effective training compute from smuggled and diverted chips."),
        metric("target_training_domestic", effective_unit,
         "Effective training compute from domestically produced chips."),
        metric("target_training_remote", effective_unit,
         "Effective training compute rented offshore (usable share)."),
        metric("target_inference_licensed", effective_unit,
         "Effective inference compute from legally imported chips."),
        metric("target_inference_smuggled", effective_unit,
         "Effective inference compute from smuggled and diverted chips."),
        metric("target_inference_domestic", effective_unit,
         "Effective inference compute from domestically produced chips."),
        metric("target_inference_remote", effective_unit,
         "Effective inference compute rented offshore (usable share)."),
        metric("gap_training", "x", "Frontier / target effective training compute."),
        metric("gap_inference", "x", "Frontier / target effective inference compute."),
        metric("gap_training_months", "months",
         "The training gap in months of software progress: log2(gap) x the training "
         "software doubling time."),
        metric("gap_inference_months", "months",
         "The inference gap in months of Densing-Law progress: log2(gap) x the Densing "
         "doubling time."),
        metric("gap_training_hardware", "x",
               "Frontier / target training hardware (H100e), before software: the hardware "
               "part of the training gap."),
        metric("gap_training_hardware_months", "months",
               "The hardware part of the training gap in months of software progress: "
               "log2(hardware gap) x the training doubling time. Adding software_lag_months "
               "gives gap_training_months exactly, sample by sample."),
        metric("software_lag_months", "months",
         "How far behind the frontier's training software efficiency the target is, in months."),
        metric("import_pressure", "fraction",
         "Share of the target's foreign-accelerator demand that is not met legally (US bans "
         "and caps, and purchases its own government refuses); drives smuggling, remote demand "
         "and domestic investment."),
        metric("domestic_output_per_year", "packages/yr",
         "Domestic accelerator output rate, all production lines."),
        metric("denied_training_vs_no_controls", "fraction",
         "1 - target effective training compute / the same in the same world with no controls: "
         "the share of compute the policy denies.", MetricKind::distribution, "no_controls"),
        metric("denied_inference_vs_no_controls", "fraction",
         "The same for inference compute.", MetricKind::distribution, "no_controls"),
        metric("denied_training_vs_baseline", "fraction",
         "1 - target effective training compute / the same under the baseline policy (negative "
         "when the policy is looser than the baseline).", MetricKind::distribution, "baseline"),
        metric("denied_inference_vs_baseline", "fraction", "The same for inference compute.",
         MetricKind::distribution, "baseline"),
        metric("added_gap_months_vs_no_controls", "months",
         "Training gap in months of software progress minus the same with no controls.",
         MetricKind::distribution, "no_controls"),
        metric("added_gap_months_vs_baseline", "months",
         "Training gap in months of software progress minus the same under the baseline.",
         MetricKind::distribution, "baseline"),
        metric("prob_gap_training_below_2x", "probability",
         "Probability that the training gap is below 2x in that month.",
         MetricKind::probability),
        metric("prob_gap_inference_below_2x", "probability",
         "Probability that the inference gap is below 2x in that month.",
         MetricKind::probability),
        metric("prob_threshold_reached", "probability",
         "Probability that the target's effective training compute has reached the capability "
         "threshold by that month.", MetricKind::probability),
    };
    return t;
  }();
  return table;
}

const std::vector<MetricInfo>& scalar_metric_catalogue() {
  static const std::vector<MetricInfo> table{
      metric("threshold_month", "months from start",
       "When the target's effective training compute first reaches the capability threshold "
       "(located on the ODE solution); beyond the horizon counts as infinite."),
      metric("delay_months_vs_no_controls", "months",
       "Threshold month under the policy minus under no controls, in the same sampled world.",
       MetricKind::distribution, "no_controls"),
      metric("delay_months_vs_baseline", "months",
       "Threshold month under the policy minus under the baseline, in the same sampled world.",
       MetricKind::distribution, "baseline"),
  };
  return table;
}

namespace detail {

double delay_between(double policy_month, double reference_month) {
  const bool p = std::isfinite(policy_month), r = std::isfinite(reference_month);
  if (p && r) return policy_month - reference_month;
  if (!p && r) return inf;   // the policy holds the target below the threshold to the horizon
  if (p && !r) return -inf;  // the policy run gets there, the reference run does not
  return nan;                // neither reaches it: no delay is defined
}

void scenario_metrics(const RunOutput& own, const RunOutput* no_controls,
                      const RunOutput* baseline, std::span<double> series,
                      std::span<double> scalars) {
  const std::size_t months = own.months;
  auto out = [&](MetricId m, std::size_t k) -> double& {
    return series[static_cast<std::size_t>(m) * months + k];
  };
  for (std::size_t s = 0; s < series_count; ++s) {
    for (std::size_t k = 0; k < months; ++k) series[s * months + k] = own.series[s * months + k];
  }
  for (std::size_t k = 0; k < months; ++k) {
    const double train = own.at(Series::target_training_effective, k);
    const double infer = own.at(Series::target_inference_effective, k);
    const double gap_months = own.at(Series::gap_training_months, k);
    auto paired = [&](const RunOutput* ref, MetricId denied_train, MetricId denied_infer,
                      MetricId added) {
      if (ref == nullptr) {
        out(denied_train, k) = out(denied_infer, k) = out(added, k) = nan;
        return;
      }
      out(denied_train, k) = 1.0 - train / ref->at(Series::target_training_effective, k);
      out(denied_infer, k) = 1.0 - infer / ref->at(Series::target_inference_effective, k);
      out(added, k) = gap_months - ref->at(Series::gap_training_months, k);
    };
    paired(no_controls, MetricId::denied_training_vs_no_controls,
           MetricId::denied_inference_vs_no_controls, MetricId::added_gap_months_vs_no_controls);
    paired(baseline, MetricId::denied_training_vs_baseline, MetricId::denied_inference_vs_baseline,
           MetricId::added_gap_months_vs_baseline);
    out(MetricId::prob_gap_training_below_2x, k) =
        own.at(Series::gap_training, k) < 2.0 ? 1.0 : 0.0;
    out(MetricId::prob_gap_inference_below_2x, k) =
        own.at(Series::gap_inference, k) < 2.0 ? 1.0 : 0.0;
    out(MetricId::prob_threshold_reached, k) =
        own.threshold_month <= static_cast<double>(k) ? 1.0 : 0.0;
  }
  scalars[0] = own.threshold_month;
  scalars[1] = no_controls ? delay_between(own.threshold_month, no_controls->threshold_month)
                           : nan;
  scalars[2] = baseline ? delay_between(own.threshold_month, baseline->threshold_month) : nan;
}

}  // namespace detail
}  // namespace gapcast
