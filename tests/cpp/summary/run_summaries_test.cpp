#include "gapcast/summary/run_summaries.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "gapcast/metrics/metrics.hpp"

namespace {

using gapcast::CellLayout;
using gapcast::MetricInfo;
using gapcast::MetricKind;
using gapcast::RunSummaries;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
const std::vector<double> kLevels = {0.0, 0.05, 0.25, 0.5, 0.75, 0.95, 1.0};

std::uint64_t bits_of(double x) { return std::bit_cast<std::uint64_t>(x); }

// Two scenarios x three series metrics (the second a probability) x four months, plus two
// scalars per scenario: 28 cells a row.
CellLayout small_layout() { return CellLayout{2, 3, 4, 2}; }

std::vector<MetricInfo> small_metrics() {
  std::vector<MetricInfo> metrics(3);
  metrics[0].name = "level";
  metrics[1].name = "reached";
  metrics[1].kind = MetricKind::probability;
  metrics[2].name = "delay";
  return metrics;
}

// Rows as the driver writes them: mostly finite values over a wide range, some NaN (undefined)
// and +inf (not reached), 0/1 in the probability metric's cells.
std::vector<double> make_rows(const CellLayout& layout, std::size_t n_rows, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  const auto uniform = [&engine] {
    return (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53;
  };
  std::vector<double> rows(n_rows * layout.row_size());
  for (std::size_t r = 0; r < n_rows; ++r) {
    for (std::size_t c = 0; c < layout.row_size(); ++c) {
      const bool probability = c < layout.series_cells() &&
                               (c % (layout.metrics * layout.months)) / layout.months == 1;
      const double u = uniform();
      double v = std::exp(8.0 * (uniform() - 0.5)) * (uniform() < 0.2 ? -1.0 : 1.0);
      if (probability) {
        v = u < 0.4 ? 1.0 : 0.0;
      } else if (u < 0.03) {
        v = kNaN;
      } else if (u < 0.05 && c % 5 == 0) {
        v = kInf;
      }
      rows[r * layout.row_size() + c] = v;
    }
  }
  return rows;
}

std::vector<double> make_weights(std::size_t n_rows, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  std::vector<double> weights(n_rows);
  for (double& w : weights) {
    const double u = (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53;
    w = u < 0.1 ? 0.0 : std::exp(-30.0 * u);
  }
  return weights;
}

void expect_same_statistics(const RunSummaries::Statistics& expected,
                            const RunSummaries::Statistics& actual, const std::string& label) {
  ASSERT_EQ(actual.series.size(), expected.series.size()) << label;
  ASSERT_EQ(actual.scalars.size(), expected.scalars.size()) << label;
  for (std::size_t i = 0; i < expected.series.size(); ++i) {
    ASSERT_EQ(bits_of(actual.series[i]), bits_of(expected.series[i]))
        << label << " series " << i << ": " << actual.series[i] << " vs " << expected.series[i];
  }
  for (std::size_t i = 0; i < expected.scalars.size(); ++i) {
    ASSERT_EQ(bits_of(actual.scalars[i]), bits_of(expected.scalars[i]))
        << label << " scalar " << i << ": " << actual.scalars[i] << " vs " << expected.scalars[i];
  }
  const auto same_counts = [&](const auto& e, const auto& a, const char* what) {
    ASSERT_EQ(a.size(), e.size()) << label;
    for (std::size_t i = 0; i < e.size(); ++i) {
      EXPECT_EQ(a[i].finite, e[i].finite) << label << " " << what << " " << i;
      EXPECT_EQ(a[i].infinite, e[i].infinite) << label << " " << what << " " << i;
      EXPECT_EQ(a[i].undefined, e[i].undefined) << label << " " << what << " " << i;
    }
  };
  same_counts(expected.series_counts, actual.series_counts, "series counts");
  same_counts(expected.scalar_counts, actual.scalar_counts, "scalar counts");
}

// Folds `rows` in waves of `wave` rows, each wave in two blocks of cells split at `split`, as
// the driver's workers would.
void fold_in_waves(RunSummaries& summaries, const std::vector<double>& rows,
                   const std::vector<double>* weights, std::size_t wave, std::size_t split) {
  const std::size_t row_size = summaries.layout().row_size();
  const std::size_t n_rows = rows.size() / row_size;
  for (std::size_t first = 0; first < n_rows; first += wave) {
    const std::size_t count = std::min(wave, n_rows - first);
    for (const auto& [begin, end] : {std::pair<std::size_t, std::size_t>{0, split},
                                     {split, summaries.cell_count()}}) {
      if (weights) {
        summaries.fold_cells_weighted(rows.data() + first * row_size, weights->data() + first,
                                      count, begin, end);
      } else {
        summaries.fold_cells(rows.data() + first * row_size, count, begin, end);
      }
    }
  }
}

TEST(RunSummariesWeighted, EqualWeightsGiveTheUnweightedStatistics) {
  const CellLayout layout = small_layout();
  const std::vector<double> rows = make_rows(layout, 2000, 1);
  RunSummaries plain(layout, small_metrics(), 0.005);
  fold_in_waves(plain, rows, nullptr, 500, 13);
  const RunSummaries::Statistics expected = plain.finish(kLevels);
  for (const double w : {1.0, 0.37}) {
    RunSummaries weighted(layout, small_metrics(), 0.005, true);
    EXPECT_TRUE(weighted.weighted());
    const std::vector<double> weights(2000, w);
    fold_in_waves(weighted, rows, &weights, 500, 13);
    expect_same_statistics(expected, weighted.finish(kLevels), "w=" + std::to_string(w));
  }
}

TEST(RunSummariesWeighted, WaveSizesAndBlocksDoNotChangeTheStatistics) {
  // Different waves (1, 7, 1000 rows) and blocks of cells: every cell still sees its rows in
  // order, so the summaries are bit-identical; that is what makes a conditioned run the same for
  // any thread count and its prefixes the same for any wave size.
  const CellLayout layout = small_layout();
  const std::vector<double> rows = make_rows(layout, 2100, 2);
  const std::vector<double> weights = make_weights(2100, 3);
  RunSummaries reference(layout, small_metrics(), 0.005, true);
  reference.fold_cells_weighted(rows.data(), weights.data(), 2100, 0, reference.cell_count());
  const RunSummaries::Statistics expected = reference.finish(kLevels);
  for (const std::size_t wave : {1, 7, 1000}) {
    for (const std::size_t split : {1, 17}) {
      RunSummaries summaries(layout, small_metrics(), 0.005, true);
      fold_in_waves(summaries, rows, &weights, wave, split);
      expect_same_statistics(expected, summaries.finish(kLevels),
                             "wave " + std::to_string(wave) + " split " + std::to_string(split));
    }
  }
}

TEST(RunSummariesWeighted, RowsOfWeightZeroAreIgnored) {
  const CellLayout layout = small_layout();
  const std::vector<double> rows = make_rows(layout, 600, 4);
  const std::vector<double> weights = make_weights(600, 5);
  std::vector<double> kept_rows;
  std::vector<double> kept_weights;
  for (std::size_t r = 0; r < 600; ++r) {
    if (weights[r] == 0.0) continue;
    kept_rows.insert(kept_rows.end(), rows.begin() + static_cast<std::ptrdiff_t>(r * 28),
                     rows.begin() + static_cast<std::ptrdiff_t>((r + 1) * 28));
    kept_weights.push_back(weights[r]);
  }
  ASSERT_LT(kept_weights.size(), 580U);  // some rows do have weight 0
  RunSummaries all(layout, small_metrics(), 0.005, true);
  fold_in_waves(all, rows, &weights, 100, 9);
  RunSummaries kept(layout, small_metrics(), 0.005, true);
  fold_in_waves(kept, kept_rows, &kept_weights, 100, 9);
  expect_same_statistics(kept.finish(kLevels), all.finish(kLevels), "zero-weight rows");
}

TEST(RunSummariesWeighted, StatisticsAreWeighted) {
  // Two rows, weights 1 and 3: every weighted mean is (v0 + 3 v1) / 4.
  const CellLayout layout{1, 1, 1, 1};
  std::vector<MetricInfo> metrics(1);
  metrics[0].name = "level";
  RunSummaries summaries(layout, metrics, 0.005, true);
  const std::vector<double> rows = {2.0, 10.0, 6.0, 30.0};
  const std::vector<double> weights = {1.0, 3.0};
  summaries.fold_cells_weighted(rows.data(), weights.data(), 2, 0, 2);
  const RunSummaries::Statistics stats = summaries.finish(kLevels);
  EXPECT_DOUBLE_EQ(stats.series[0], (2.0 + 3.0 * 6.0) / 4.0);
  EXPECT_DOUBLE_EQ(stats.scalars[0], (10.0 + 3.0 * 30.0) / 4.0);
  // Median: n = 2, W = 4, T(0.5) = 1 -> not below the minimum's weight 1, but at W - 3: the
  // maximum.
  const std::size_t median = 1 + 3;
  EXPECT_EQ(stats.series[median], 6.0);
  EXPECT_EQ(stats.series_counts[0].finite, 2U);
}

TEST(RunSummariesWeighted, ModesAreNotMixed) {
  const CellLayout layout = small_layout();
  const std::vector<double> rows = make_rows(layout, 10, 6);
  const std::vector<double> weights(10, 1.0);
  RunSummaries plain(layout, small_metrics(), 0.005);
  EXPECT_FALSE(plain.weighted());
  EXPECT_THROW(plain.fold_cells_weighted(rows.data(), weights.data(), 10, 0, 28),
               std::logic_error);
  RunSummaries weighted(layout, small_metrics(), 0.005, true);
  EXPECT_THROW(weighted.fold_cells(rows.data(), 10, 0, 28), std::logic_error);
  const std::vector<double> bad = {1.0, 1.0, -1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0};
  EXPECT_THROW(weighted.fold_cells_weighted(rows.data(), bad.data(), 10, 0, 28),
               std::invalid_argument);
  // Nothing was added by the refused folds.
  const RunSummaries::Statistics stats = weighted.finish(kLevels);
  for (const auto& counts : stats.series_counts) {
    EXPECT_EQ(counts.finite + counts.infinite + counts.undefined, 0U);
  }
}

}  // namespace
