// The output metrics: their catalogue (names, units, meaning), generated from the recorded
// series (model/series.def) and the derived metrics (derived_metrics.def), and how one sample's
// value of each derived metric is computed from a scenario's run and its counterfactual runs.
#include "gapcast/metrics/metrics.hpp"

#include <cmath>
#include <limits>

namespace gapcast {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();

/// The counterfactual a metric compares with, as catalogue text.
enum class Reference { none, no_controls, baseline };
constexpr const char* reference_name(Reference r) {
  return r == Reference::no_controls ? "no_controls" : r == Reference::baseline ? "baseline" : "";
}

}  // namespace

nlohmann::ordered_json to_json(const MetricInfo& m) {
  nlohmann::ordered_json j;
  j["name"] = m.name;
  j["unit"] = m.unit;
  j["kind"] = m.kind == MetricKind::probability ? "probability" : "distribution";
  if (!m.compared_with.empty()) j["compared_with"] = m.compared_with;
  j["description"] = m.description;
  return j;
}

const std::vector<MetricInfo>& series_metric_catalogue() {
  static const std::vector<MetricInfo> table{
#define GAPCAST_EFFECTIVE_NOTE                                                             \
  "Effective compute is hardware in H100-equivalents times the side's software-efficiency " \
  "index, with the frontier's index at the start month = 1."
#define GAPCAST_SERIES(id, unit, description, value) \
  {#id, unit, description, MetricKind::distribution, ""},
#include "gapcast/model/series.def"
#undef GAPCAST_EFFECTIVE_NOTE
#define GAPCAST_METRIC(id, kind, unit, reference, description, value) \
  {#id, unit, description, MetricKind::kind, reference_name(Reference::reference)},
#include "gapcast/metrics/derived_metrics.def"
  };
  return table;
}

int series_metric_position(std::string_view name) {
  const auto& catalogue = series_metric_catalogue();
  for (std::size_t m = 0; m < catalogue.size(); ++m) {
    if (catalogue[m].name == name) return static_cast<int>(m);
  }
  return -1;
}

const std::vector<MetricInfo>& scalar_metric_catalogue() {
  static const std::vector<MetricInfo> table{
#define GAPCAST_SCALAR(id, unit, reference, description, value) \
  {#id, unit, description, MetricKind::distribution, reference_name(Reference::reference)},
#include "gapcast/metrics/derived_metrics.def"
  };
  return table;
}

namespace detail {
namespace {

/// One run's recorded series in one month, read by name: own(gap_training).
struct MonthView {
  const RunOutput* run;
  std::size_t k;
  double operator()(Series s) const { return run->at(s, k); }
};

}  // namespace

double delay_between(double policy_month, double reference_month) {
  const bool p = std::isfinite(policy_month), r = std::isfinite(reference_month);
  if (p && r) return policy_month - reference_month;
  if (!p && r) return inf;   // the policy holds the target below the threshold to the horizon
  if (p && !r) return -inf;  // the policy run gets there, the reference run does not
  return nan;                // neither reaches it: no delay is defined
}

void scenario_metrics(const RunOutput& own_run, const RunOutput* no_controls,
                      const RunOutput* baseline, std::span<double> series,
                      std::span<double> scalars, WantedCells wanted) {
  using enum Series;
  const std::size_t months = own_run.months;
  // The reference run of each kind; `none` reads the scenario's own run (and never misses).
  auto reference_run = [&](Reference r) -> const RunOutput* {
    return r == Reference::no_controls ? no_controls
           : r == Reference::baseline  ? baseline
                                       : &own_run;
  };
  for (std::size_t s = 0; s < series_count; ++s) {
    if (!wanted.metric(s)) continue;
    for (std::size_t k = 0; k < months; ++k) {
      if (wanted.month(k)) series[s * months + k] = own_run.series[s * months + k];
    }
  }
  const double own_threshold = own_run.threshold_month;
  for (std::size_t k = 0; k < months; ++k) {
    if (!wanted.month(k)) continue;
    const auto t = static_cast<double>(k);
    const MonthView own{&own_run, k};
#define GAPCAST_METRIC(id, kind, unit, reference, description, value)                     \
  if (wanted.metric(static_cast<std::size_t>(MetricId::id))) {                           \
    const RunOutput* reference_output = reference_run(Reference::reference);             \
    double& cell = series[static_cast<std::size_t>(MetricId::id) * months + k];          \
    if (reference_output == nullptr) {                                                   \
      cell = nan;                                                                        \
    } else {                                                                             \
      [[maybe_unused]] const MonthView ref{reference_output, k};                         \
      cell = (value);                                                                    \
    }                                                                                    \
  }
#include "gapcast/metrics/derived_metrics.def"
  }
#define GAPCAST_SCALAR(id, unit, reference, description, value)                           \
  {                                                                                      \
    const RunOutput* reference_output = reference_run(Reference::reference);             \
    double& cell = scalars[static_cast<std::size_t>(ScalarId::id)];                       \
    if (reference_output == nullptr) {                                                   \
      cell = nan;                                                                        \
    } else {                                                                             \
      [[maybe_unused]] const double ref_threshold = reference_output->threshold_month;   \
      cell = (value);                                                                    \
    }                                                                                    \
  }
#include "gapcast/metrics/derived_metrics.def"
}

}  // namespace detail
}  // namespace gapcast
