// Every metric on a hand-checkable case: two output months, made-up run outputs, and the
// paired, probability and delay metrics computed from them.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "gapcast/metrics/metrics.hpp"

namespace gapcast {
namespace {

using detail::MetricId;

RunOutput make_run(double train0, double train1, double infer, double gap_months, double gap,
                   double threshold) {
  RunOutput r;
  r.months = 2;
  r.series.assign(series_count * 2, 0.0);
  r.at(Series::target_training_effective, 0) = train0;
  r.at(Series::target_training_effective, 1) = train1;
  r.at(Series::target_inference_effective, 0) = infer;
  r.at(Series::target_inference_effective, 1) = infer;
  r.at(Series::gap_training_months, 0) = gap_months;
  r.at(Series::gap_training_months, 1) = gap_months + 1.0;
  r.at(Series::gap_training, 0) = gap;
  r.at(Series::gap_training, 1) = 1.5;
  r.at(Series::gap_inference, 0) = 3.0;
  r.at(Series::gap_inference, 1) = 1.0;
  r.threshold_month = threshold;
  return r;
}

struct Computed {
  std::vector<double> series = std::vector<double>(detail::metric_count * 2);
  std::vector<double> scalars = std::vector<double>(detail::scalar_count);
  double at(MetricId m, std::size_t k) const { return series[static_cast<std::size_t>(m) * 2 + k]; }
  double at(Series s, std::size_t k) const { return series[static_cast<std::size_t>(s) * 2 + k]; }
};

TEST(Metrics, CatalogueMatchesTheInternalOrder) {
  ASSERT_EQ(series_metric_catalogue().size(), detail::metric_count);
  ASSERT_EQ(scalar_metric_catalogue().size(), detail::scalar_count);
  EXPECT_EQ(series_metric_catalogue()[static_cast<std::size_t>(Series::gap_training)].name,
            "gap_training");
  EXPECT_EQ(series_metric_catalogue()[static_cast<std::size_t>(MetricId::prob_threshold_reached)]
                .name,
            "prob_threshold_reached");
  EXPECT_EQ(series_metric_catalogue()[static_cast<std::size_t>(
                                          MetricId::denied_training_vs_baseline)]
                .compared_with,
            "baseline");
}

TEST(Metrics, PairedEffectsAgainstCounterfactuals) {
  const auto own = make_run(50.0, 80.0, 10.0, 20.0, 4.0, 12.5);
  const auto none = make_run(100.0, 100.0, 40.0, 15.0, 2.0, 10.0);
  const auto base = make_run(40.0, 80.0, 10.0, 21.0, 5.0, 14.0);
  Computed c;
  detail::scenario_metrics(own, &none, &base, c.series, c.scalars);
  EXPECT_DOUBLE_EQ(c.at(MetricId::denied_training_vs_no_controls, 0), 0.5);
  EXPECT_DOUBLE_EQ(c.at(MetricId::denied_training_vs_no_controls, 1), 0.2);
  EXPECT_DOUBLE_EQ(c.at(MetricId::denied_inference_vs_no_controls, 0), 0.75);
  EXPECT_DOUBLE_EQ(c.at(MetricId::denied_training_vs_baseline, 0), -0.25);  // looser than baseline
  EXPECT_DOUBLE_EQ(c.at(MetricId::denied_training_vs_baseline, 1), 0.0);
  EXPECT_DOUBLE_EQ(c.at(MetricId::added_gap_months_vs_no_controls, 0), 5.0);
  EXPECT_DOUBLE_EQ(c.at(MetricId::added_gap_months_vs_baseline, 0), -1.0);
  // Probabilities are indicators per sample: gap 4 then 1.5; inference gap 3 then 1.
  EXPECT_EQ(c.at(MetricId::prob_gap_training_below_2x, 0), 0.0);
  EXPECT_EQ(c.at(MetricId::prob_gap_training_below_2x, 1), 1.0);
  EXPECT_EQ(c.at(MetricId::prob_gap_inference_below_2x, 1), 1.0);
  EXPECT_EQ(c.at(MetricId::prob_threshold_reached, 1), 0.0);  // reached at 12.5, after month 1
  // The model's own series pass through unchanged.
  EXPECT_EQ(c.at(Series::target_training_effective, 1), 80.0);
  // Scalars: the event month and the delays.
  EXPECT_DOUBLE_EQ(c.scalars[0], 12.5);
  EXPECT_DOUBLE_EQ(c.scalars[1], 2.5);
  EXPECT_DOUBLE_EQ(c.scalars[2], -1.5);
}

TEST(Metrics, MissingBaselineMakesBaselineEffectsUndefined) {
  const auto own = make_run(50.0, 80.0, 10.0, 20.0, 4.0, 0.5);
  Computed c;
  detail::scenario_metrics(own, &own, nullptr, c.series, c.scalars);
  EXPECT_TRUE(std::isnan(c.at(MetricId::denied_training_vs_baseline, 0)));
  EXPECT_TRUE(std::isnan(c.scalars[2]));
  EXPECT_EQ(c.at(MetricId::denied_training_vs_no_controls, 0), 0.0);
  EXPECT_EQ(c.at(MetricId::prob_threshold_reached, 1), 1.0);
}

TEST(Metrics, DelaysBeyondTheHorizon) {
  constexpr double never = std::numeric_limits<double>::infinity();
  EXPECT_EQ(detail::delay_between(30.0, 20.0), 10.0);
  EXPECT_EQ(detail::delay_between(never, 20.0), never);   // held off to the horizon at least
  EXPECT_EQ(detail::delay_between(20.0, never), -never);  // only the policy run gets there
  EXPECT_TRUE(std::isnan(detail::delay_between(never, never)));
}

}  // namespace
}  // namespace gapcast
