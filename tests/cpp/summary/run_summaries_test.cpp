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
#include <string_view>
#include <vector>

#include "gapcast/metrics/metrics.hpp"
#include "gapcast/util/byte_codec.hpp"

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


// ---------------------------------------------------------------------------------------------
// Merging and encoding, what shards rely on: summaries of disjoint ranges of rows, merged in
// row order, are the summaries of all the rows, bit for bit.

// Rows with everything a cell can see: finite values over four hundred orders of magnitude of
// both signs, +inf, -inf and NaN mixed in (some cells hold both infinities, so their mean is
// NaN), cells whose minimum is a zero of either sign (which one is kept depends on row order,
// so a merge must keep the earlier one), a cell of NaN only, and the probability metric's 0/1.
std::vector<double> make_edge_rows(const CellLayout& layout, std::size_t n_rows,
                                   std::uint64_t seed) {
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
      const double magnitude = std::pow(10.0, 400.0 * uniform() - 200.0);
      double v = uniform() < 0.3 ? -magnitude : magnitude;
      if (probability) {
        v = u < 0.4 ? 1.0 : 0.0;
      } else if (c == 3) {
        v = kNaN;
      } else if (c % 5 == 2) {
        v = u < 0.2 ? 0.0 : u < 0.4 ? -0.0 : magnitude;  // zeros of both signs, no negatives
      } else if (u < 0.04) {
        v = kNaN;
      } else if (u < 0.06 && c % 3 == 0) {
        v = kInf;
      } else if (u < 0.08 && c % 4 == 0) {
        v = -kInf;
      }
      rows[r * layout.row_size() + c] = v;
    }
  }
  return rows;
}

std::vector<double> row_slice(const std::vector<double>& rows, std::size_t row_size,
                              std::size_t begin, std::size_t end) {
  return {rows.begin() + static_cast<std::ptrdiff_t>(begin * row_size),
          rows.begin() + static_cast<std::ptrdiff_t>(end * row_size)};
}

std::string encoded(const RunSummaries& summaries) {
  gapcast::ByteWriter out;
  summaries.encode(out);
  return out.take();
}

RunSummaries decoded(const std::string& bytes) {
  gapcast::ByteReader in(bytes);
  RunSummaries summaries = RunSummaries::decode(in, small_metrics(), 0.005);
  EXPECT_TRUE(in.at_end()) << "decode left " << in.remaining() << " bytes";
  return summaries;
}

TEST(RunSummariesMerge, TheEdgeRowsExerciseEveryKindOfStatistic) {
  // Guards the merge tests below against data that would not show a difference.
  const CellLayout layout = small_layout();
  RunSummaries all(layout, small_metrics(), 0.005);
  fold_in_waves(all, make_edge_rows(layout, 1200, 8), nullptr, 256, 11);
  const RunSummaries::Statistics stats = all.finish(kLevels);
  std::size_t plus_inf = 0, minus_inf = 0, nan = 0, negative_zero = 0;
  for (const std::vector<double>* values : {&stats.series, &stats.scalars}) {
    for (const double v : *values) {
      plus_inf += v == kInf ? 1 : 0;
      minus_inf += v == -kInf ? 1 : 0;
      nan += std::isnan(v) ? 1 : 0;
      negative_zero += bits_of(v) == bits_of(-0.0) ? 1 : 0;
    }
  }
  EXPECT_GT(plus_inf, 0U);
  EXPECT_GT(minus_inf, 0U);
  EXPECT_GT(nan, 0U);
  EXPECT_GT(negative_zero, 0U);  // a minimum that is -0.0: the tie rule of merges matters
}

TEST(RunSummariesMerge, SplitFoldsMergeIntoTheWholeBitForBit) {
  const CellLayout layout = small_layout();
  const std::size_t n = 1200;
  const std::vector<double> rows = make_edge_rows(layout, n, 8);
  RunSummaries whole(layout, small_metrics(), 0.005);
  fold_in_waves(whole, rows, nullptr, 256, 11);
  const RunSummaries::Statistics expected = whole.finish(kLevels);
  for (const std::size_t k : {std::size_t{0}, std::size_t{1}, std::size_t{2}, std::size_t{517},
                              n - 1, n}) {
    RunSummaries first(layout, small_metrics(), 0.005);
    fold_in_waves(first, row_slice(rows, layout.row_size(), 0, k), nullptr, 100, 5);
    RunSummaries second(layout, small_metrics(), 0.005);
    fold_in_waves(second, row_slice(rows, layout.row_size(), k, n), nullptr, 64, 20);
    first.merge(second);
    expect_same_statistics(expected, first.finish(kLevels), "split at " + std::to_string(k));
  }
  {  // three parts, the later two merged first: grouping does not matter either
    RunSummaries a(layout, small_metrics(), 0.005);
    RunSummaries b(layout, small_metrics(), 0.005);
    RunSummaries c(layout, small_metrics(), 0.005);
    fold_in_waves(a, row_slice(rows, layout.row_size(), 0, 300), nullptr, 300, 1);
    fold_in_waves(b, row_slice(rows, layout.row_size(), 300, 301), nullptr, 1, 27);
    fold_in_waves(c, row_slice(rows, layout.row_size(), 301, n), nullptr, 1000, 14);
    b.merge(c);
    a.merge(b);
    expect_same_statistics(expected, a.finish(kLevels), "three parts");
  }
}

TEST(RunSummariesMerge, EncodingRoundTripsAndDecodedPartsMerge) {
  const CellLayout layout = small_layout();
  const std::size_t n = 900;
  const std::vector<double> rows = make_edge_rows(layout, n, 9);
  RunSummaries whole(layout, small_metrics(), 0.005);
  fold_in_waves(whole, rows, nullptr, 128, 7);
  const RunSummaries::Statistics expected = whole.finish(kLevels);
  const std::string bytes = encoded(whole);
  const RunSummaries back = decoded(bytes);
  EXPECT_EQ(back.layout().row_size(), layout.row_size());
  EXPECT_FALSE(back.weighted());
  expect_same_statistics(expected, back.finish(kLevels), "round trip");
  EXPECT_EQ(encoded(back), bytes);

  RunSummaries first(layout, small_metrics(), 0.005);
  fold_in_waves(first, row_slice(rows, layout.row_size(), 0, 333), nullptr, 128, 7);
  RunSummaries second(layout, small_metrics(), 0.005);
  fold_in_waves(second, row_slice(rows, layout.row_size(), 333, n), nullptr, 128, 7);
  RunSummaries merged = decoded(encoded(first));
  merged.merge(decoded(encoded(second)));
  expect_same_statistics(expected, merged.finish(kLevels), "decoded parts");
  EXPECT_EQ(encoded(merged), bytes);
}

TEST(RunSummariesMerge, MalformedEncodingsAreRefused) {
  const CellLayout layout = small_layout();
  RunSummaries summaries(layout, small_metrics(), 0.005);
  fold_in_waves(summaries, make_edge_rows(layout, 50, 10), nullptr, 50, 3);
  const std::string bytes = encoded(summaries);
  // Another metric catalogue than the one the summaries were made with.
  std::vector<MetricInfo> fewer = small_metrics();
  fewer.pop_back();
  gapcast::ByteReader other_catalogue(bytes);
  EXPECT_THROW((void)RunSummaries::decode(other_catalogue, fewer, 0.005), std::invalid_argument);
  // Truncated.
  for (const std::size_t size : {std::size_t{10}, bytes.size() / 3, bytes.size() - 1}) {
    gapcast::ByteReader in(std::string_view(bytes).substr(0, size));
    EXPECT_THROW((void)RunSummaries::decode(in, small_metrics(), 0.005), std::invalid_argument)
        << size;
  }
  // A layout of absurd size is refused before anything is allocated for it.
  std::string huge = bytes;
  huge[7] = '\x7f';  // scenarios: about 9e18
  gapcast::ByteReader in(huge);
  EXPECT_THROW((void)RunSummaries::decode(in, small_metrics(), 0.005), std::invalid_argument);
}

TEST(RunSummariesMerge, WeightedSummariesAndDifferentLayoutsDoNotMerge) {
  const CellLayout layout = small_layout();
  RunSummaries a(layout, small_metrics(), 0.005, true);
  RunSummaries b(layout, small_metrics(), 0.005, true);
  EXPECT_THROW(a.merge(b), std::logic_error);
  RunSummaries plain(layout, small_metrics(), 0.005);
  EXPECT_THROW(plain.merge(b), std::logic_error);
  gapcast::ByteWriter out;
  EXPECT_THROW(a.encode(out), std::logic_error);

  RunSummaries longer(CellLayout{2, 3, 5, 2}, small_metrics(), 0.005);
  EXPECT_THROW(plain.merge(longer), std::invalid_argument);
  RunSummaries fewer_scalars(CellLayout{2, 3, 4, 1}, small_metrics(), 0.005);
  EXPECT_THROW(plain.merge(fewer_scalars), std::invalid_argument);
  // Same number of cells, arranged differently: still another layout.
  RunSummaries rearranged(CellLayout{1, 3, 8, 4}, small_metrics(), 0.005);
  ASSERT_EQ(rearranged.cell_count(), plain.cell_count());
  EXPECT_THROW(plain.merge(rearranged), std::invalid_argument);
}

// Neumaier's compensated sum, as cells summed before the exact sum replaced it: accurate, but
// its last bits depend on the order of the values.
double compensated_mean(const std::vector<double>& values) {
  double sum = 0.0;
  double compensation = 0.0;
  for (const double v : values) {
    const double t = sum + v;
    compensation += std::abs(sum) >= std::abs(v) ? (sum - t) + v : (v - t) + sum;
    sum = t;
  }
  return (sum + compensation) / static_cast<double>(values.size());
}

TEST(SummaryCellMean, TheMeanDoesNotDependOnTheOrderOfTheValues) {
  // 3,000 pairs x, -x of magnitudes 1e10 .. 1e30 that cancel exactly, and 4,000 values near 1
  // that make the mean: the rounding errors of the large terms are far above the result, which
  // is where the order of a floating-point sum (even a compensated one) shows.
  std::mt19937_64 engine(2024);
  const auto uniform = [&engine] {
    return (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53;
  };
  std::vector<double> values;
  std::vector<double> small;
  for (int i = 0; i < 3000; ++i) {
    const double v = std::pow(10.0, 10.0 + 20.0 * uniform()) * (1.0 + uniform());
    values.push_back(v);
    values.push_back(-v);
  }
  for (int i = 0; i < 4000; ++i) {
    small.push_back((uniform() - 0.3) * std::pow(2.0, 4.0 * uniform() - 2.0));
    values.push_back(small.back());
  }
  for (std::size_t i = values.size() - 1; i > 0; --i) {
    std::swap(values[i], values[engine() % (i + 1)]);
  }
  gapcast::SummaryCell reference(0.005);
  for (const double v : values) reference.add(v, false);
  const double mean = reference.mean();
  ASSERT_TRUE(std::isfinite(mean));

  std::vector<double> compensated = {compensated_mean(values)};
  std::vector<double> order = values;
  for (int round = 0; round < 6; ++round) {
    for (std::size_t i = order.size() - 1; i > 0; --i) {
      std::swap(order[i], order[engine() % (i + 1)]);
    }
    gapcast::SummaryCell cell(0.005);
    if (round % 2 == 0) {
      for (const double v : order) cell.add(v, false);
    } else {
      cell.add_strided(order.data(), order.size(), 1, false);
    }
    EXPECT_EQ(bits_of(cell.mean()), bits_of(mean)) << "order " << round;
    compensated.push_back(compensated_mean(order));
  }
  {  // sorted both ways, the orders that round most differently
    std::sort(order.begin(), order.end());
    gapcast::SummaryCell ascending(0.005);
    ascending.add_strided(order.data(), order.size(), 1, false);
    EXPECT_EQ(bits_of(ascending.mean()), bits_of(mean));
    compensated.push_back(compensated_mean(order));
    std::reverse(order.begin(), order.end());
    gapcast::SummaryCell descending(0.005);
    descending.add_strided(order.data(), order.size(), 1, false);
    EXPECT_EQ(bits_of(descending.mean()), bits_of(mean));
    compensated.push_back(compensated_mean(order));
  }
  // The data does tell orders apart: the compensated sum gives more than one answer on it.
  std::sort(compensated.begin(), compensated.end());
  EXPECT_NE(compensated.front(), compensated.back());
  // And it is the mean of these values: the pairs cancel exactly, so it is the sum of the
  // small values (which a long double adds to far better than the tolerance) over all 10,000.
  long double small_sum = 0.0L;
  for (const double v : small) small_sum += static_cast<long double>(v);
  const auto expected = static_cast<double>(small_sum / 10000.0L);
  EXPECT_NEAR(mean, expected, 1e-13 * std::abs(expected));
}

}  // namespace
