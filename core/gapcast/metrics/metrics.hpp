#pragma once
/// The metrics a run summarises, and how one sample's metric values are computed from its
/// integrations (the scenario's own run and its counterfactual runs).
#include <span>
#include <vector>

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "gapcast/model/model.hpp"

namespace gapcast {

enum class MetricKind {
  distribution,  ///< a value per sample: mean and quantiles
  probability,   ///< an indicator per sample: its mean is a probability (no quantiles)
};

struct MetricInfo {
  std::string name;
  std::string unit;
  std::string description;
  MetricKind kind = MetricKind::distribution;
  /// Paired metrics compare a scenario with a counterfactual run in the same sampled world.
  std::string compared_with;  ///< "", "no_controls" or "baseline"
};


/// The JSON form of a metric's description, as results.json carries it: name, unit, kind,
/// compared_with (only when there is a reference), description.
nlohmann::ordered_json to_json(const MetricInfo& metric);

/// The metric catalogues, in output order (the same for every run).
const std::vector<MetricInfo>& series_metric_catalogue();
const std::vector<MetricInfo>& scalar_metric_catalogue();
/// The position of a series metric in series_metric_catalogue() (its index in a sample's row,
/// whatever a run records), or -1 for a name that is not one.
int series_metric_position(std::string_view name);

}  // namespace gapcast

namespace gapcast::detail {

/// Every time-series metric: the recorded series (model/series.def) first, in the same order and
/// with the same values, then the derived metrics (derived_metrics.def).
enum class MetricId : std::size_t {
#define GAPCAST_SERIES(id, unit, description, value) id,
#include "gapcast/model/series.def"
#define GAPCAST_METRIC(id, kind, unit, reference, description, value) id,
#include "gapcast/metrics/derived_metrics.def"
  count_
};
inline constexpr std::size_t metric_count = static_cast<std::size_t>(MetricId::count_);
static_assert(static_cast<std::size_t>(MetricId::smuggling_flow_h100e_per_year) + 1 == series_count,
              "the recorded series lead the metric list, in series.def order");

/// Scalar metrics (one value per sample and scenario), from derived_metrics.def.
enum class ScalarId : std::size_t {
#define GAPCAST_SCALAR(id, unit, reference, description, value) id,
#include "gapcast/metrics/derived_metrics.def"
  count_
};
inline constexpr std::size_t scalar_count = static_cast<std::size_t>(ScalarId::count_);

/// Threshold month under a policy minus under a reference: +inf if only the reference reaches
/// the threshold within the horizon, -inf if only the policy does, NaN if neither.
double delay_between(double policy_month, double reference_month);

/// The cells of a scenario's metrics a run reads: metric m at month k when metrics[m] and
/// months[k] are not 0; an empty span means every metric (month). A recording selection reads
/// few of them, and the others need not be computed.
struct WantedCells {
  std::span<const char> metrics, months;
  [[nodiscard]] bool metric(std::size_t m) const { return metrics.empty() || metrics[m] != 0; }
  [[nodiscard]] bool month(std::size_t k) const { return months.empty() || months[k] != 0; }
};

/// Fills series[m * months + k] (metric_count x months) and scalars[0..scalar_count); with
/// `wanted`, only the wanted series cells (the others keep what they held). The runs need to
/// hold their series at the wanted months only. Counterfactual pointers may be null (their
/// paired metrics become NaN: undefined).
void scenario_metrics(const RunOutput& own, const RunOutput* no_controls,
                      const RunOutput* baseline, std::span<double> series,
                      std::span<double> scalars, WantedCells wanted = {});

}  // namespace gapcast::detail
