#include "gapcast/summary/quantile_sketch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gapcast/summary/summary_cell.hpp"
#include "gapcast/util/byte_codec.hpp"
#include "gapcast/summary/weighted_quantile_sketch.hpp"

namespace {

using gapcast::QuantileSketch;
using gapcast::SummaryCell;

constexpr double kInf = std::numeric_limits<double>::infinity();
const std::vector<double> kTestQuantiles = {0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99};

// mt19937_64's output sequence is fixed by the standard, but the std:: distributions are not;
// the transforms below are written out so the data are identical on every platform.
class Generator {
 public:
  explicit Generator(std::uint64_t seed) : engine_(seed) {}

  // Top 53 bits plus half an ulp: uniform on (0, 1), never exactly 0 or 1.
  double uniform() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }

  double normal() {  // Box-Muller, one draw per pair of uniforms
    const double u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }

  double lognormal(double mu, double sigma) { return std::exp(mu + sigma * normal()); }

 private:
  std::mt19937_64 engine_;
};

// The sketch's rank convention: lower order statistic of rank floor(q (n - 1)).
double exact_quantile(const std::vector<double>& sorted, double q) {
  const auto rank =
      static_cast<std::size_t>(std::floor(q * static_cast<double>(sorted.size() - 1)));
  return sorted[rank];
}

// Relative error bound a. The extra 1e-12 only absorbs rounding of log() for a value that
// lies exactly on a bin boundary (which can then land in the neighbouring bin); it is ten
// orders of magnitude below the accuracies tested.
void expect_within_accuracy(const QuantileSketch& sketch, std::vector<double> data,
                            const std::string& label) {
  std::sort(data.begin(), data.end());
  const double a = sketch.relative_accuracy();
  for (const double q : kTestQuantiles) {
    const double exact = exact_quantile(data, q);
    const double estimate = sketch.quantile(q);
    EXPECT_LE(std::fabs(estimate - exact), (a + 1e-12) * std::fabs(exact))
        << label << " q=" << q << " exact=" << exact << " estimate=" << estimate;
  }
}

class QuantileSketchAccuracy : public ::testing::TestWithParam<double> {};

TEST_P(QuantileSketchAccuracy, LognormalWithinRelativeError) {
  QuantileSketch sketch(GetParam());
  Generator gen(42);
  std::vector<double> data;
  for (int i = 0; i < 100000; ++i) data.push_back(gen.lognormal(1.0, 1.5));
  for (const double v : data) sketch.add(v);
  expect_within_accuracy(sketch, data, "lognormal");
}

TEST_P(QuantileSketchAccuracy, NormalWithinRelativeError) {
  QuantileSketch sketch(GetParam());
  Generator gen(7);
  std::vector<double> data;
  for (int i = 0; i < 100000; ++i) data.push_back(50.0 + 10.0 * gen.normal());
  for (const double v : data) sketch.add(v);
  expect_within_accuracy(sketch, data, "normal");
}

TEST_P(QuantileSketchAccuracy, UniformWithinRelativeError) {
  QuantileSketch sketch(GetParam());
  Generator gen(2024);
  std::vector<double> data;
  for (int i = 0; i < 100000; ++i) data.push_back(3.0 + 997.0 * gen.uniform());
  for (const double v : data) sketch.add(v);
  expect_within_accuracy(sketch, data, "uniform");
}

TEST_P(QuantileSketchAccuracy, MixedSignWithinRelativeError) {
  // A standard normal: half the values negative, the median close to zero.
  QuantileSketch sketch(GetParam());
  Generator gen(99);
  std::vector<double> data;
  for (int i = 0; i < 100000; ++i) data.push_back(gen.normal());
  for (const double v : data) sketch.add(v);
  expect_within_accuracy(sketch, data, "mixed sign");
  EXPECT_LT(sketch.quantile(0.05), 0.0);
  EXPECT_GT(sketch.quantile(0.95), 0.0);
}

INSTANTIATE_TEST_SUITE_P(Accuracies, QuantileSketchAccuracy,
                         ::testing::Values(QuantileSketch::default_relative_accuracy, 0.02,
                                           0.001));

TEST(QuantileSketch, EstimatesAreNotExactSoTheAccuracyTestsCanFail) {
  // Guards the accuracy tests against being vacuous: with a coarse accuracy the estimate of a
  // continuous distribution's median differs from the exact value, yet stays within a.
  QuantileSketch sketch(0.05);
  Generator gen(1);
  std::vector<double> data;
  for (int i = 0; i < 1001; ++i) data.push_back(1.0 + gen.uniform());
  for (const double v : data) sketch.add(v);
  std::sort(data.begin(), data.end());
  const double exact = exact_quantile(data, 0.5);
  EXPECT_NE(sketch.quantile(0.5), exact);
  EXPECT_LE(std::fabs(sketch.quantile(0.5) - exact), 0.05 * exact + 1e-12);
}

TEST(QuantileSketch, ZerosAreCountedExactly) {
  QuantileSketch sketch;
  for (int i = 0; i < 500; ++i) sketch.add(0.0);
  for (int i = 0; i < 200; ++i) sketch.add(-0.0);
  for (int i = 0; i < 300; ++i) sketch.add(1e-310);  // below min_positive: counts as zero
  for (int i = 1; i <= 1000; ++i) sketch.add(static_cast<double>(i));
  EXPECT_EQ(sketch.count(), 2000U);
  // Ranks 0..999 are zeros, 1000..1999 the values 1..1000.
  EXPECT_EQ(sketch.quantile(0.0), 0.0);
  EXPECT_EQ(sketch.quantile(0.25), 0.0);
  EXPECT_EQ(sketch.quantile(0.499), 0.0);  // rank floor(0.499 * 1999) = 997
  const double q75 = sketch.quantile(0.75);  // rank 1499 -> value 500
  EXPECT_NEAR(q75, 500.0, 500.0 * sketch.relative_accuracy() + 1e-9);
  EXPECT_EQ(sketch.quantile(1.0), 1000.0);  // clamped to the exact maximum
}

TEST(QuantileSketch, NegativeValuesAreOrderedCorrectly) {
  QuantileSketch sketch;
  for (int i = 1; i <= 100; ++i) sketch.add(-static_cast<double>(i));  // -1 .. -100
  EXPECT_EQ(sketch.quantile(0.0), -100.0);  // rank 0 is the exact min
  EXPECT_EQ(sketch.quantile(1.0), -1.0);    // rank n - 1 is the exact max
  EXPECT_EQ(sketch.quantile(0.01), -100.0);  // floor(0.01 * 99) = 0: rank 0 as well
  EXPECT_NEAR(sketch.quantile(0.02), -99.0, 99.0 * sketch.relative_accuracy() + 1e-9);  // rank 1
  // rank floor(0.5 * 99) = 49 -> the 50th smallest of -100..-1 is -51.
  EXPECT_NEAR(sketch.quantile(0.5), -51.0, 51.0 * sketch.relative_accuracy() + 1e-9);
  // rank floor(0.1 * 99) = 9 -> -91.
  EXPECT_NEAR(sketch.quantile(0.1), -91.0, 91.0 * sketch.relative_accuracy() + 1e-9);
}

TEST(QuantileSketch, PositiveInfinityIsReportedForUpperQuantiles) {
  QuantileSketch sketch;
  Generator gen(5);
  for (int i = 0; i < 90000; ++i) sketch.add(1.0 + gen.uniform());
  for (int i = 0; i < 10000; ++i) sketch.add(kInf);
  EXPECT_EQ(sketch.count(), 100000U);
  EXPECT_EQ(sketch.infinite_count(), 10000U);
  EXPECT_EQ(sketch.quantile(0.95), kInf);
  EXPECT_EQ(sketch.quantile(0.99), kInf);
  const double median = sketch.quantile(0.5);
  EXPECT_TRUE(std::isfinite(median));
  EXPECT_GE(median, 1.0);
  EXPECT_LE(median, 2.0);
  // Rank floor(0.9 * 99999) = 89999 is the largest finite value: still finite.
  EXPECT_TRUE(std::isfinite(sketch.quantile(0.9)));
  EXPECT_EQ(sketch.max(), kInf);
  EXPECT_TRUE(std::isfinite(sketch.min()));
}

TEST(QuantileSketch, NegativeInfinityIsReportedForLowerQuantiles) {
  QuantileSketch sketch;
  for (int i = 0; i < 10; ++i) sketch.add(-kInf);
  for (int i = 0; i < 90; ++i) sketch.add(5.0);
  EXPECT_EQ(sketch.infinite_count(), 10U);
  EXPECT_EQ(sketch.quantile(0.0), -kInf);
  EXPECT_EQ(sketch.quantile(0.09), -kInf);  // rank 8
  // Rank 49 is a 5.0, but the clamp range [-inf, 5] does not pin it: within accuracy only.
  EXPECT_NEAR(sketch.quantile(0.5), 5.0, 5.0 * sketch.relative_accuracy() + 1e-12);
  EXPECT_EQ(sketch.quantile(1.0), 5.0);  // the maximum is exact
  EXPECT_EQ(sketch.min(), -kInf);
  EXPECT_EQ(sketch.max(), 5.0);
}

TEST(QuantileSketch, SingleValueIsReturnedExactly) {
  for (const double v : {3.7, -2.25, 0.0, 1e300, -1e-200, 123456.789}) {
    QuantileSketch sketch;
    sketch.add(v);
    for (const double q : {0.0, 0.01, 0.5, 0.99, 1.0}) {
      EXPECT_EQ(sketch.quantile(q), v) << "value " << v << " q " << q;
    }
    EXPECT_EQ(sketch.min(), v);
    EXPECT_EQ(sketch.max(), v);
  }
}

TEST(QuantileSketch, ExtremeMagnitudesDoNotOverflow) {
  QuantileSketch sketch;
  const double huge = std::numeric_limits<double>::max();
  sketch.add(huge);
  sketch.add(-huge);
  sketch.add(1e-299);
  sketch.add(std::numeric_limits<double>::denorm_min());  // counts as zero
  EXPECT_EQ(sketch.count(), 4U);
  EXPECT_EQ(sketch.quantile(1.0), huge);
  EXPECT_EQ(sketch.quantile(0.0), -huge);
  EXPECT_TRUE(std::isfinite(sketch.quantile(0.7)));
}

TEST(QuantileSketch, EmptySketchReturnsNaN) {
  const QuantileSketch sketch;
  EXPECT_TRUE(std::isnan(sketch.quantile(0.5)));
  EXPECT_TRUE(std::isnan(sketch.min()));
  EXPECT_TRUE(std::isnan(sketch.max()));
  EXPECT_EQ(sketch.count(), 0U);
  EXPECT_EQ(sketch.infinite_count(), 0U);
}

TEST(QuantileSketch, ClampsToExactMinAndMax) {
  QuantileSketch sketch(0.05);  // bins far wider than the data's spread
  sketch.add(1.0);
  sketch.add(1.001);
  for (const double q : {0.0, 0.5, 1.0}) {
    EXPECT_GE(sketch.quantile(q), 1.0);
    EXPECT_LE(sketch.quantile(q), 1.001);
  }
  EXPECT_EQ(sketch.quantile(0.0), 1.0);
  EXPECT_EQ(sketch.quantile(1.0), 1.001);
}

TEST(QuantileSketch, InvalidInputsThrow) {
  QuantileSketch sketch;
  EXPECT_THROW(sketch.add(std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
  EXPECT_EQ(sketch.count(), 0U);  // the rejected value left no trace
  sketch.add(1.0);
  EXPECT_THROW((void)sketch.quantile(-0.1), std::invalid_argument);
  EXPECT_THROW((void)sketch.quantile(1.5), std::invalid_argument);
  EXPECT_THROW((void)sketch.quantile(std::numeric_limits<double>::quiet_NaN()),
               std::invalid_argument);
  EXPECT_THROW(QuantileSketch{0.0}, std::invalid_argument);
  EXPECT_THROW(QuantileSketch{1.0}, std::invalid_argument);
  EXPECT_THROW(QuantileSketch{-0.01}, std::invalid_argument);
  EXPECT_THROW(QuantileSketch{std::numeric_limits<double>::quiet_NaN()}, std::invalid_argument);
}

TEST(QuantileSketch, MergeWithDifferentAccuracyThrows) {
  QuantileSketch a(0.005);
  QuantileSketch b(0.01);
  a.add(1.0);
  b.add(2.0);
  EXPECT_THROW(a.merge(b), std::invalid_argument);
  EXPECT_EQ(a.count(), 1U);  // unchanged
}

// Data with every kind of value the sketch distinguishes.
std::vector<double> varied_data(std::size_t n, std::uint64_t seed) {
  Generator gen(seed);
  std::vector<double> data;
  data.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double u = gen.uniform();
    if (u < 0.02) {
      data.push_back(kInf);
    } else if (u < 0.03) {
      data.push_back(-kInf);
    } else if (u < 0.06) {
      data.push_back(0.0);
    } else if (u < 0.3) {
      data.push_back(-gen.lognormal(0.0, 2.0));
    } else {
      data.push_back(gen.lognormal(2.0, 1.0));
    }
  }
  return data;
}

std::vector<double> quantile_grid(const QuantileSketch& sketch) {
  std::vector<double> out;
  for (int i = 0; i <= 1000; ++i) out.push_back(sketch.quantile(i / 1000.0));
  return out;
}

void expect_identical(const QuantileSketch& expected, const QuantileSketch& actual,
                      const std::string& label) {
  EXPECT_EQ(actual.count(), expected.count()) << label;
  EXPECT_EQ(actual.infinite_count(), expected.infinite_count()) << label;
  EXPECT_EQ(actual.min(), expected.min()) << label;
  EXPECT_EQ(actual.max(), expected.max()) << label;
  const auto e = quantile_grid(expected);
  const auto a = quantile_grid(actual);
  for (std::size_t i = 0; i < e.size(); ++i) {
    EXPECT_EQ(a[i], e[i]) << label << " at q=" << static_cast<double>(i) / 1000.0;  // bitwise, not approximately
  }
}

TEST(QuantileSketch, MergeIsIndependentOfOrderAndGrouping) {
  const std::vector<double> data = varied_data(50000, 11);
  constexpr std::size_t kShards = 10;

  QuantileSketch single;
  for (const double v : data) single.add(v);

  std::vector<QuantileSketch> shards(kShards);
  for (std::size_t i = 0; i < data.size(); ++i) shards[(i * 7 + i / 3) % kShards].add(data[i]);

  {  // left to right
    QuantileSketch merged;
    for (const auto& s : shards) merged.merge(s);
    expect_identical(single, merged, "sequential");
  }
  {  // right to left, into the last shard itself
    QuantileSketch merged = shards.back();
    for (std::size_t i = kShards - 1; i-- > 0;) merged.merge(shards[i]);
    expect_identical(single, merged, "reverse");
  }
  {  // pairwise tree, as a parallel reduction would do
    std::vector<QuantileSketch> level = shards;
    while (level.size() > 1) {
      std::vector<QuantileSketch> next;
      for (std::size_t i = 0; i + 1 < level.size(); i += 2) {
        next.push_back(level[i]);
        next.back().merge(level[i + 1]);
      }
      if (level.size() % 2 == 1) next.push_back(level.back());
      level = std::move(next);
    }
    expect_identical(single, level.front(), "tree");
  }
  {  // a fixed shuffled order, grouped unevenly
    std::vector<std::size_t> order(kShards);
    for (std::size_t i = 0; i < kShards; ++i) order[i] = i;
    std::mt19937_64 engine(3);
    for (std::size_t i = kShards - 1; i > 0; --i) {  // Fisher-Yates on the standard engine
      std::swap(order[i], order[engine() % (i + 1)]);
    }
    QuantileSketch left;
    QuantileSketch right;
    for (std::size_t i = 0; i < 3; ++i) left.merge(shards[order[i]]);
    for (std::size_t i = 3; i < kShards; ++i) right.merge(shards[order[i]]);
    right.merge(left);
    expect_identical(single, right, "shuffled groups");
  }
}

TEST(QuantileSketch, InsertionOrderDoesNotMatter) {
  std::vector<double> data = varied_data(20000, 12);
  QuantileSketch original;
  for (const double v : data) original.add(v);

  std::sort(data.begin(), data.end());
  QuantileSketch ascending;
  for (const double v : data) ascending.add(v);
  expect_identical(original, ascending, "ascending");

  QuantileSketch descending;
  for (auto it = data.rbegin(); it != data.rend(); ++it) descending.add(*it);
  expect_identical(original, descending, "descending");
}

TEST(QuantileSketch, MergeWithItselfDoublesCounts) {
  QuantileSketch sketch;
  for (int i = 1; i <= 100; ++i) sketch.add(static_cast<double>(i));
  QuantileSketch twice;
  for (int i = 1; i <= 100; ++i) {
    twice.add(static_cast<double>(i));
    twice.add(static_cast<double>(i));
  }
  sketch.merge(sketch);
  expect_identical(twice, sketch, "self merge");
}

TEST(QuantileSketch, MergeIntoEmptyAndFromEmpty) {
  QuantileSketch data;
  for (int i = 1; i <= 100; ++i) data.add(-static_cast<double>(i) * 0.5);
  QuantileSketch empty;
  QuantileSketch a;
  a.merge(data);
  expect_identical(data, a, "into empty");
  a.merge(empty);
  expect_identical(data, a, "from empty");
}

TEST(QuantileSketch, MemoryDependsOnSpreadNotCount) {
  QuantileSketch sketch;
  Generator gen(77);
  const auto draw = [&gen] { return std::exp(std::log(1000.0) * gen.uniform()); };  // [1, 1000]
  // The range's ends first, so that the window already covers every bin the data can reach.
  sketch.add(1.0);
  sketch.add(1000.0);
  for (int i = 0; i < 10000; ++i) sketch.add(draw());
  const std::size_t after_10k = sketch.memory_bytes();
  for (int i = 0; i < 1000000; ++i) sketch.add(draw());
  EXPECT_EQ(sketch.memory_bytes(), after_10k);
  EXPECT_EQ(sketch.count(), 1010002U);

  // ln(1000) / ln(gamma) is about 691 bins for a = 0.005, and the interpolated index mapping
  // uses 3 / (4 ln 2) = 1.082 times as many; counters are 2 bytes (the low halves: no bin here
  // reaches 65536 values, so there is no side table). Allow the window's growth slack on top,
  // but nothing close to one counter per value.
  const double bins = std::log(1000.0) / std::log((1.0 + 0.005) / (1.0 - 0.005));
  const double interpolated_bins = bins * 3.0 / (4.0 * std::log(2.0));
  EXPECT_LE(static_cast<double>(after_10k), (interpolated_bins + 2 * 1024 + 16) * 2.0);
  EXPECT_GE(static_cast<double>(after_10k), interpolated_bins * 2.0);
}

TEST(QuantileSketch, ClearResetsEverything) {
  QuantileSketch sketch;
  sketch.add(1.0);
  sketch.add(-kInf);
  sketch.add(0.0);
  sketch.add(-3.0);
  sketch.clear();
  EXPECT_EQ(sketch.count(), 0U);
  EXPECT_EQ(sketch.infinite_count(), 0U);
  EXPECT_EQ(sketch.memory_bytes(), 0U);
  EXPECT_TRUE(std::isnan(sketch.quantile(0.5)));
  sketch.add(42.0);
  EXPECT_EQ(sketch.quantile(0.0), 42.0);
  EXPECT_EQ(sketch.min(), 42.0);
}


// ---------------------------------------------------------------------------------------------
// The batch API: bit-identical to adding one value at a time.

std::uint64_t bits_of(double x) { return std::bit_cast<std::uint64_t>(x); }

// Everything a sketch reports, compared bit for bit: counts, min and max (the sign of a zero
// included) and the value at every rank (or at 4001 ranks spread over a large sketch).
void expect_same_state(const QuantileSketch& expected, const QuantileSketch& actual,
                       const std::string& label) {
  ASSERT_EQ(actual.count(), expected.count()) << label;
  EXPECT_EQ(actual.infinite_count(), expected.infinite_count()) << label;
  EXPECT_EQ(bits_of(actual.min()), bits_of(expected.min())) << label;
  EXPECT_EQ(bits_of(actual.max()), bits_of(expected.max())) << label;
  const std::uint64_t n = expected.count();
  if (n < 2) return;
  std::vector<double> qs;
  const std::uint64_t step = std::max<std::uint64_t>(1, n / 4000);
  for (std::uint64_t r = 0; r < n - 1; r += step) {
    qs.push_back((static_cast<double>(r) + 0.5) / static_cast<double>(n - 1));  // rank r
  }
  qs.push_back(1.0);
  std::vector<double> e(qs.size());
  std::vector<double> a(qs.size());
  expected.quantiles(qs, e);
  actual.quantiles(qs, a);
  for (std::size_t i = 0; i < qs.size(); ++i) {
    ASSERT_EQ(bits_of(a[i]), bits_of(e[i])) << label << " at q=" << qs[i] << ": " << a[i]
                                            << " vs " << e[i];
  }
}

// Every kind of value the sketch tells apart, and the edges between them: both zeros,
// subnormals and values just either side of min_positive (1e-300), powers of two and their
// neighbours (where the interpolated log2 changes pieces), the largest doubles, infinities.
std::vector<double> edge_data(std::size_t n, std::uint64_t seed) {
  std::vector<double> data = varied_data(n, seed);
  const double specials[] = {0.0,
                             -0.0,
                             1e-300,
                             -1e-300,
                             std::nextafter(1e-300, 0.0),
                             std::nextafter(1e-300, 1.0),
                             std::numeric_limits<double>::denorm_min(),
                             -std::numeric_limits<double>::denorm_min(),
                             std::numeric_limits<double>::min(),
                             std::numeric_limits<double>::max(),
                             -std::numeric_limits<double>::max(),
                             kInf,
                             -kInf};
  for (const double v : specials) data.push_back(v);
  for (int e = -996; e <= 1023; e += 7) {
    const double p = std::ldexp(1.0, e);
    for (const double v : {p, std::nextafter(p, 0.0), std::nextafter(p, kInf), 1.5 * p}) {
      data.push_back(v);
      data.push_back(-v);
    }
  }
  // A fixed shuffle (Fisher-Yates on the standard engine) so that the edges are spread over
  // every position of a batch.
  std::mt19937_64 engine(seed);
  for (std::size_t i = data.size() - 1; i > 0; --i) std::swap(data[i], data[engine() % (i + 1)]);
  return data;
}

TEST(QuantileSketchBatch, AddStridedEqualsAddForAnyBatchingAndStride) {
  for (const double a : {QuantileSketch::default_relative_accuracy, 0.02, 0.001}) {
    const std::vector<double> data = edge_data(20000, 31);
    QuantileSketch one_by_one(a);
    for (const double v : data) one_by_one.add(v);
    for (const std::size_t stride : {1, 3}) {
      // The values at every stride-th place, NaN in between: the batch must not read them.
      std::vector<double> buffer(data.size() * stride, std::numeric_limits<double>::quiet_NaN());
      for (std::size_t i = 0; i < data.size(); ++i) buffer[i * stride] = data[i];
      for (const std::size_t batch : {1, 2, 3, 7, 255, 256, 257, 1000, 20000000}) {
        QuantileSketch batched(a);
        for (std::size_t first = 0; first < data.size(); first += batch) {
          const std::size_t n = std::min(batch, data.size() - first);
          batched.add_strided(buffer.data() + first * stride, n, stride);
        }
        expect_same_state(one_by_one, batched,
                          "a=" + std::to_string(a) + " stride " + std::to_string(stride) +
                              " batch " + std::to_string(batch));
      }
    }
  }
}

TEST(QuantileSketchBatch, SignedZerosKeepTheFirstAsAddDoes) {
  // min and max keep the first of values that compare equal, which only +0 and -0 can tell
  // apart; the batch compares lanes out of order, so it has to restore that.
  const std::vector<std::vector<double>> cases = {
      {0.0, -0.0}, {-0.0, 0.0}, {1.0, -0.0, 0.0}, {-1.0, 0.0, -0.0},
      {2.0, 3.0, -0.0, 0.0, -0.0}, {-2.0, 5.0, 0.0, 0.0, -0.0, -0.0, 0.0},
      {0.0, 0.0, 0.0, -0.0}, {-0.0, -0.0, -0.0, 0.0}, {1e-310, -0.0, -1e-310, 0.0}};
  for (const auto& values : cases) {
    for (std::size_t prefix = 0; prefix <= values.size(); ++prefix) {
      // The first `prefix` values one at a time, the rest as one batch: the batch must also
      // respect a minimum or maximum already held.
      QuantileSketch expected;
      QuantileSketch actual;
      for (const double v : values) expected.add(v);
      for (std::size_t i = 0; i < prefix; ++i) actual.add(values[i]);
      actual.add_strided(values.data() + prefix, values.size() - prefix);
      EXPECT_EQ(bits_of(actual.min()), bits_of(expected.min())) << "prefix " << prefix;
      EXPECT_EQ(bits_of(actual.max()), bits_of(expected.max())) << "prefix " << prefix;
    }
  }
}

TEST(QuantileSketchBatch, NaNThrowsAndAddsNothing) {
  QuantileSketch sketch;
  sketch.add(2.0);
  const std::vector<double> values = {1.0, -3.0, 0.0, std::numeric_limits<double>::quiet_NaN(),
                                      7.0};
  EXPECT_THROW(sketch.add_strided(values.data(), values.size()), std::invalid_argument);
  EXPECT_EQ(sketch.count(), 1U);
  EXPECT_EQ(sketch.min(), 2.0);
  EXPECT_EQ(sketch.max(), 2.0);
  sketch.add_strided(values.data(), 0);  // nothing, and no read
  EXPECT_EQ(sketch.count(), 1U);
}

// Everything a summary cell reports, bit for bit.
void expect_same_cell(const SummaryCell& expected, const SummaryCell& actual,
                      const std::string& label) {
  EXPECT_EQ(actual.counts().finite, expected.counts().finite) << label;
  EXPECT_EQ(actual.counts().infinite, expected.counts().infinite) << label;
  EXPECT_EQ(actual.counts().undefined, expected.counts().undefined) << label;
  EXPECT_EQ(bits_of(actual.mean()), bits_of(expected.mean())) << label;
  expect_same_state(expected.sketch(), actual.sketch(), label);
}

// Values as a summary cell sees them: NaN for undefined as well.
std::vector<double> cell_data(std::size_t n, std::uint64_t seed) {
  std::vector<double> data = edge_data(n, seed);
  Generator gen(seed + 1);
  for (double& v : data) {
    if (gen.uniform() < 0.05) v = std::numeric_limits<double>::quiet_NaN();
  }
  return data;
}

TEST(SummaryCellBatch, AddStridedEqualsAdd) {
  const std::vector<double> data = cell_data(5000, 41);
  for (const bool probability : {false, true}) {
    SummaryCell expected(0.005);
    for (const double v : data) expected.add(v, probability);
    for (const std::size_t batch : {1, 5, 256, 257, 100000}) {
      SummaryCell actual(0.005);
      for (std::size_t first = 0; first < data.size(); first += batch) {
        actual.add_strided(data.data() + first, std::min(batch, data.size() - first), 1,
                           probability);
      }
      expect_same_cell(expected, actual,
                       "batch " + std::to_string(batch) + (probability ? " probability" : ""));
    }
  }
}

TEST(SummaryCellBatch, FoldRowsEqualsTheDriversPerValueLoop) {
  // A wave of 300 samples x 45 cells, rows 48 apart (the last 3 slots of a row are not cells),
  // folded as the Monte Carlo driver does it, into blocks of cells of uneven width.
  constexpr std::size_t kRows = 300;
  constexpr std::size_t kCells = 45;
  constexpr std::size_t kStride = 48;
  std::vector<double> wave(kRows * kStride, std::numeric_limits<double>::quiet_NaN());
  Generator gen(5);
  std::vector<char> probability(kCells, 0);
  for (std::size_t c = 0; c < kCells; c += 7) probability[c] = 1;
  const std::vector<double> pool = cell_data(4000, 43);
  for (std::size_t r = 0; r < kRows; ++r) {
    for (std::size_t c = 0; c < kCells; ++c) {
      const auto pick = static_cast<std::size_t>(gen.uniform() * static_cast<double>(pool.size()));
      wave[r * kStride + c] = probability[c] ? (gen.uniform() < 0.4 ? 1.0 : 0.0) : pool[pick];
    }
  }
  std::vector<SummaryCell> expected(kCells, SummaryCell(0.005));
  std::vector<SummaryCell> actual(kCells, SummaryCell(0.005));
  for (int pass = 0; pass < 2; ++pass) {  // twice: the second wave meets grown windows
    for (std::size_t r = 0; r < kRows; ++r) {
      for (std::size_t c = 0; c < kCells; ++c) {
        expected[c].add(wave[r * kStride + c], probability[c] != 0);
      }
    }
    for (const auto& [begin, end] : {std::pair<std::size_t, std::size_t>{0, 17},
                                     {17, 40}, {40, kCells}}) {
      gapcast::fold_rows(std::span(actual).subspan(begin, end - begin),
                         std::span<const char>(probability).subspan(begin, end - begin),
                         wave.data() + begin, kRows, kStride);
    }
  }
  for (std::size_t c = 0; c < kCells; ++c) {
    expect_same_cell(expected[c], actual[c], "cell " + std::to_string(c));
  }
}

// ---------------------------------------------------------------------------------------------
// Weighted cells (SummaryCell(a, true)): the statistics of importance-weighted samples.

// Every rank of a cell's values (up to 4000 of them), at the tie points r / (n - 1) and between.
std::vector<double> cell_levels(std::uint64_t n) {
  std::vector<double> qs = {0.0, 1.0};
  if (n < 2) return qs;
  const std::uint64_t step = std::max<std::uint64_t>(1, n / 4000);
  for (std::uint64_t r = 0; r + 1 < n; r += step) {
    qs.push_back(static_cast<double>(r) / static_cast<double>(n - 1));
    qs.push_back((static_cast<double>(r) + 0.5) / static_cast<double>(n - 1));
  }
  return qs;
}

std::vector<double> cell_quantiles(const SummaryCell& cell, const std::vector<double>& qs) {
  std::vector<double> out(qs.size());
  cell.quantiles(qs, out);
  return out;
}

// Everything a cell of either kind reports, bit for bit, through the accessors common to both.
void expect_same_statistics(const SummaryCell& expected, const SummaryCell& actual,
                            const std::string& label) {
  EXPECT_EQ(actual.counts().finite, expected.counts().finite) << label;
  EXPECT_EQ(actual.counts().infinite, expected.counts().infinite) << label;
  EXPECT_EQ(actual.counts().undefined, expected.counts().undefined) << label;
  EXPECT_EQ(bits_of(actual.mean()), bits_of(expected.mean())) << label;
  const std::uint64_t n = expected.counts().finite + expected.counts().infinite;
  const std::vector<double> qs = cell_levels(n);
  const std::vector<double> e = cell_quantiles(expected, qs);
  const std::vector<double> a = cell_quantiles(actual, qs);
  for (std::size_t i = 0; i < qs.size(); ++i) {
    ASSERT_EQ(bits_of(a[i]), bits_of(e[i])) << label << " q=" << qs[i] << ": " << a[i] << " vs "
                                            << e[i];
  }
}

// And what only weighted cells have.
void expect_same_weighted_cell(const SummaryCell& expected, const SummaryCell& actual,
                               const std::string& label) {
  expect_same_statistics(expected, actual, label);
  EXPECT_EQ(bits_of(actual.total_weight()), bits_of(expected.total_weight())) << label;
  EXPECT_EQ(bits_of(actual.sum_of_squared_weights()), bits_of(expected.sum_of_squared_weights()))
      << label;
  const auto& e = expected.weighted_sketch();
  const auto& a = actual.weighted_sketch();
  EXPECT_EQ(a.count(), e.count()) << label;
  EXPECT_EQ(bits_of(a.total_weight()), bits_of(e.total_weight())) << label;
  EXPECT_EQ(bits_of(a.min()), bits_of(e.min())) << label;
  EXPECT_EQ(bits_of(a.max()), bits_of(e.max())) << label;
  EXPECT_EQ(a.memory_bytes(), e.memory_bytes()) << label;
}

TEST(SummaryCellWeighted, EqualWeightsGiveTheUnweightedCellBitForBit) {
  // With infinities, NaN and the edge values, and without infinities and NaN (so that, for the
  // varied data, the mean is a finite number whose every bit is compared).
  for (const bool varied : {false, true}) {
    std::vector<double> data = varied ? varied_data(5000, 82) : cell_data(5000, 81);
    std::vector<double> finite_only;
    for (const double v : data) {
      if (std::isfinite(v)) finite_only.push_back(v);
    }
    for (const std::vector<double>* values : {&data, &finite_only}) {
      for (const bool probability : {false, true}) {
        SummaryCell plain(0.005);
        plain.add_strided(values->data(), values->size(), 1, probability);
        for (const double w : {1.0, 0.37}) {
          const std::string label = "w=" + std::to_string(w) + (probability ? " probability" : "") +
                                    (values == &finite_only ? " finite" : "");
          const std::vector<double> weights(values->size(), w);
          SummaryCell weighted(0.005, true);
          weighted.add_weighted_strided(values->data(), weights.data(), values->size(), 1,
                                        probability);
          EXPECT_TRUE(weighted.weighted());
          EXPECT_EQ(weighted.sketch().count(), 0U) << label;  // the plain sketch stays empty
          expect_same_statistics(plain, weighted, label);
          const auto finite = static_cast<double>(plain.counts().finite);
          EXPECT_EQ(weighted.total_weight(), finite * w) << label;
          EXPECT_EQ(weighted.sum_of_squared_weights(), finite * w * w) << label;
          if (varied && values == &finite_only) {
            EXPECT_TRUE(std::isfinite(weighted.mean())) << label;
          }
        }
      }
    }
  }
}

TEST(SummaryCellWeighted, MeanAndWeightSumsAreWeighted) {
  // Samples (value, weight): (1, 1), (2, 2), (3, 3), (NaN, 4), (+inf, 0), (5, 0).
  const std::vector<double> values = {1.0, 2.0, 3.0, std::numeric_limits<double>::quiet_NaN(),
                                      kInf, 5.0};
  for (const double scale : {1.0, 1e-150, 0x1.0p500}) {  // squares still representable
    std::vector<double> weights = {1.0, 2.0, 3.0, 4.0, 0.0, 0.0};
    for (double& w : weights) w *= scale;
    SummaryCell cell(0.005, true);
    cell.add_weighted_strided(values.data(), weights.data(), values.size(), 1, false);
    EXPECT_EQ(cell.counts().finite, 3U);
    EXPECT_EQ(cell.counts().infinite, 0U);  // the infinity has weight 0
    EXPECT_EQ(cell.counts().undefined, 1U);
    EXPECT_DOUBLE_EQ(cell.mean(), (1.0 + 4.0 + 9.0) / 6.0) << scale;
    EXPECT_DOUBLE_EQ(cell.total_weight(), 6.0 * scale) << scale;
    EXPECT_DOUBLE_EQ(cell.sum_of_squared_weights() / scale / scale, 14.0) << scale;
    EXPECT_EQ(cell.weighted_sketch().count(), 3U);
    EXPECT_EQ(cell.weighted_sketch().max(), 3.0);  // not 5: its weight is 0
    // An infinity of positive weight makes the mean infinite, as in an unweighted cell.
    cell.add_weighted(-kInf, 0.5 * scale, false);
    EXPECT_EQ(cell.mean(), -kInf);
    EXPECT_EQ(cell.counts().infinite, 1U);
  }
  // A probability cell: only the weighted mean (the weighted share of ones).
  SummaryCell probability(0.005, true);
  const std::vector<double> indicators = {1.0, 0.0, 1.0, 0.0};
  const std::vector<double> weights = {0.2, 0.5, 0.3, 0.0};
  probability.add_weighted_strided(indicators.data(), weights.data(), 4, 1, true);
  EXPECT_DOUBLE_EQ(probability.mean(), 0.5);
  EXPECT_EQ(probability.counts().finite, 3U);
  EXPECT_EQ(probability.weighted_sketch().count(), 0U);
  // Weights spanning far more than the double range between them: the sums rescale, and the
  // mean is that of the heavy samples.
  SummaryCell wide(0.005, true);
  const std::vector<double> wide_values = {100.0, 1.0, 2.0};
  const std::vector<double> wide_weights = {1e-300, 1e300, 3e300};
  wide.add_weighted_strided(wide_values.data(), wide_weights.data(), 3, 1, false);
  EXPECT_DOUBLE_EQ(wide.mean(), 1.75);
  EXPECT_DOUBLE_EQ(wide.total_weight(), 4e300);
  EXPECT_TRUE(std::isinf(wide.sum_of_squared_weights()));  // 1e601 is beyond a double
}

// Samples as a conditioned run produces them: the cell values of cell_data and likelihood
// weights with zeros, tiny, huge and subnormal ones (the first tiny, so that the scale grows).
std::vector<double> sample_weights(std::size_t n, std::uint64_t seed) {
  Generator gen(seed);
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double u = gen.uniform();
    w[i] = u < 0.05   ? 0.0
           : u < 0.10 ? std::exp(-600.0 * gen.uniform())
           : u < 0.12 ? 1e-310
           : u < 0.14 ? std::exp(600.0 * gen.uniform())
                      : std::exp(gen.normal());
  }
  w[0] = 1e-300;
  return w;
}

TEST(SummaryCellWeighted, AnyBatchingAndFoldGiveTheSameCells) {
  // A wave of 2100 samples x 45 cells, rows 48 apart. Expected: each cell fed one sample at a
  // time. Actual: fold_rows_weighted in waves of 1, 7 and 1000 rows, over blocks of cells of
  // uneven width; and add_weighted_strided in batches.
  constexpr std::size_t kRows = 2100;
  constexpr std::size_t kCells = 45;
  constexpr std::size_t kStride = 48;
  std::vector<double> wave(kRows * kStride, std::numeric_limits<double>::quiet_NaN());
  Generator gen(91);
  std::vector<char> probability(kCells, 0);
  for (std::size_t c = 0; c < kCells; c += 7) probability[c] = 1;
  const std::vector<double> pool = cell_data(4000, 92);
  for (std::size_t r = 0; r < kRows; ++r) {
    for (std::size_t c = 0; c < kCells; ++c) {
      const auto pick = static_cast<std::size_t>(gen.uniform() * static_cast<double>(pool.size()));
      wave[r * kStride + c] = probability[c] ? (gen.uniform() < 0.4 ? 1.0 : 0.0) : pool[pick];
    }
  }
  const std::vector<double> weights = sample_weights(kRows, 93);
  std::vector<SummaryCell> expected(kCells, SummaryCell(0.005, true));
  for (std::size_t r = 0; r < kRows; ++r) {
    for (std::size_t c = 0; c < kCells; ++c) {
      expected[c].add_weighted(wave[r * kStride + c], weights[r], probability[c] != 0);
    }
  }
  for (const std::size_t rows_per_wave : {1, 7, 1000}) {
    std::vector<SummaryCell> actual(kCells, SummaryCell(0.005, true));
    for (std::size_t first = 0; first < kRows; first += rows_per_wave) {
      const std::size_t n = std::min(rows_per_wave, kRows - first);
      for (const auto& [begin, end] : {std::pair<std::size_t, std::size_t>{0, 17},
                                       {17, 40}, {40, kCells}}) {
        gapcast::fold_rows_weighted(std::span(actual).subspan(begin, end - begin),
                                    std::span<const char>(probability).subspan(begin, end - begin),
                                    wave.data() + first * kStride + begin, weights.data() + first,
                                    n, kStride);
      }
    }
    for (std::size_t c = 0; c < kCells; ++c) {
      expect_same_weighted_cell(expected[c], actual[c],
                                "wave " + std::to_string(rows_per_wave) + " cell " +
                                    std::to_string(c));
    }
  }
  // One cell's column in batches, with a stride.
  for (const std::size_t batch : {1, 7, 256, 257, 1000}) {
    SummaryCell cell(0.005, true);
    for (std::size_t first = 0; first < kRows; first += batch) {
      cell.add_weighted_strided(wave.data() + first * kStride + 3, weights.data() + first,
                                std::min(batch, kRows - first), kStride, false);
    }
    expect_same_weighted_cell(expected[3], cell, "strided batch " + std::to_string(batch));
  }
  // The scale grew: the weight sums are right, not infinite.
  long double total = 0.0L;
  for (std::size_t r = 0; r < kRows; ++r) {
    if (std::isfinite(wave[r * kStride + 3])) total += weights[r];
  }
  EXPECT_NEAR(expected[3].total_weight() / static_cast<double>(total), 1.0, 1e-12);
}

TEST(SummaryCellWeighted, InvalidWeightsThrowAndAddNothing) {
  SummaryCell cell(0.005, true);
  cell.add_weighted(2.0, 1.0, false);
  const std::vector<double> values = {1.0, 2.0, 3.0};
  for (const double bad : {-1.0, std::numeric_limits<double>::quiet_NaN(), kInf}) {
    const std::vector<double> weights = {1.0, bad, 1.0};
    EXPECT_THROW(cell.add_weighted_strided(values.data(), weights.data(), 3, 1, false),
                 std::invalid_argument);
    std::vector<SummaryCell> cells(3, SummaryCell(0.005, true));
    const std::vector<char> probability(3, 0);
    const std::vector<double> rows(9, 1.0);
    EXPECT_THROW(gapcast::fold_rows_weighted(cells, probability, rows.data(), weights.data(), 3,
                                             3),
                 std::invalid_argument);
    for (const auto& c : cells) EXPECT_EQ(c.counts().finite, 0U);
  }
  EXPECT_EQ(cell.counts().finite, 1U);
  EXPECT_EQ(cell.mean(), 2.0);
  EXPECT_EQ(cell.weighted_sketch().count(), 1U);
  // Weighted and unweighted inputs are not mixed.
  SummaryCell plain(0.005);
  EXPECT_FALSE(plain.weighted());
  EXPECT_THROW(plain.add_weighted(1.0, 1.0, false), std::logic_error);
  EXPECT_THROW((void)plain.weighted_sketch(), std::logic_error);
  EXPECT_THROW(cell.add(1.0, false), std::logic_error);
  EXPECT_THROW(cell.add_strided(values.data(), 3, 1, false), std::logic_error);
  EXPECT_EQ(plain.counts().finite, 0U);
  EXPECT_EQ(cell.counts().finite, 1U);
}

TEST(SummaryCellWeighted, CopiesAreDeep) {
  SummaryCell original(0.005, true);
  original.add_weighted(1.0, 2.0, false);
  SummaryCell copy = original;
  copy.add_weighted(5.0, 2.0, false);
  EXPECT_EQ(original.weighted_sketch().count(), 1U);
  EXPECT_EQ(copy.weighted_sketch().count(), 2U);
  EXPECT_EQ(original.mean(), 1.0);
  EXPECT_EQ(copy.mean(), 3.0);
  copy = original;
  EXPECT_EQ(copy.weighted_sketch().count(), 1U);
}

TEST(SummaryCellWeighted, MemoryBound) {
  for (const double a : {0.05, QuantileSketch::default_relative_accuracy, 1e-4}) {
    EXPECT_EQ(SummaryCell::max_memory_bytes(a, false), SummaryCell::max_memory_bytes(a));
    EXPECT_GT(SummaryCell::max_memory_bytes(a, true),
              gapcast::WeightedQuantileSketch::max_memory_bytes(a));
    // 8-byte bins instead of 4-byte ones: about twice the plain sketch's worst case.
    EXPECT_GT(SummaryCell::max_memory_bytes(a, true), 2 * QuantileSketch::max_memory_bytes(a) - 400);
  }
}

// ---------------------------------------------------------------------------------------------
// The bin mapping is today's: an independent rendering of the sketch's definition (bins of the
// interpolated log2, lower order statistic, exact min and max, clamping, and the collapse of the
// lowest bins beyond the memory cap) must agree with it bit for bit.

class ReferenceSketch {
 public:
  explicit ReferenceSketch(double a)
      : m_(0.75 / std::log((1.0 + a) / (1.0 - a))),
        cap_(static_cast<std::int64_t>(std::ceil(128.0 * m_)) + 2) {}

  // ceil(L(v) m), L(2^e s) = e + (6s - s^2 - 5) / 3 for s in [1, 2).
  [[nodiscard]] std::int64_t bin(double magnitude) const {
    int e = 0;
    const double s = 2.0 * std::frexp(magnitude, &e);
    const double l = static_cast<double>(e - 1) + (s * (6.0 - s) - 5.0) * (1.0 / 3.0);
    return static_cast<std::int64_t>(std::ceil(l * m_));
  }
  // The midpoint 2 lo hi / (lo + hi) of bin b = (lo, hi], computed with an unbounded exponent
  // (as the sketch does: its product of lo and hi is scaled when it would leave the normal
  // range; where it does not, the scaled and unscaled forms are the same operations).
  [[nodiscard]] double representative(std::int64_t b) const {
    const auto exp2 = [](double x) {
      const double e = std::floor(x);
      return std::ldexp(3.0 - std::sqrt(4.0 - 3.0 * (x - e)), static_cast<int>(e));
    };
    const double hi = exp2(static_cast<double>(b) / m_);
    const double lo = exp2(static_cast<double>(b - 1) / m_);
    if (std::isinf(hi)) return hi;
    int e = 0;
    (void)std::frexp(hi, &e);
    const double l = std::ldexp(lo, -e);
    const double h = std::ldexp(hi, -e);
    return std::ldexp(2.0 * l * h / (l + h), e);
  }

  // quantiles(qs) of `data` as the sketch defines them.
  [[nodiscard]] std::vector<double> quantiles(const std::vector<double>& data,
                                              const std::vector<double>& qs) const {
    double lo = kInf;
    double hi = -kInf;
    for (const double v : data) {  // in order: of equal values the first stays
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    // Each sign keeps the cap_ bins ending at its highest bin; lower bins count at the lowest.
    std::int64_t top[2] = {std::numeric_limits<std::int64_t>::min(),
                           std::numeric_limits<std::int64_t>::min()};
    for (const double v : data) {
      if (std::isfinite(v) && std::fabs(v) >= 1e-300) {
        top[v < 0 ? 1 : 0] = std::max(top[v < 0 ? 1 : 0], bin(std::fabs(v)));
      }
    }
    const auto kept_bin = [&](double v) {
      return std::max(bin(std::fabs(v)), top[v < 0 ? 1 : 0] - cap_ + 1);
    };
    // Walk order: -inf, negatives by decreasing bin, zeros, positives by increasing bin, +inf.
    constexpr std::int64_t kShift = std::int64_t{1} << 40;
    std::vector<std::pair<std::int64_t, double>> keyed;
    for (const double v : data) {
      std::int64_t key = 0;
      if (std::isinf(v)) {
        key = v < 0 ? std::numeric_limits<std::int64_t>::min()
                    : std::numeric_limits<std::int64_t>::max();
      } else if (std::fabs(v) >= 1e-300) {
        key = v < 0 ? -(kept_bin(v) + kShift) : kept_bin(v) + kShift;
      }
      keyed.emplace_back(key, v);
    }
    std::sort(keyed.begin(), keyed.end(),
              [](const auto& x, const auto& y) { return x.first < y.first; });
    const std::size_t n = data.size();
    std::vector<double> out;
    for (const double q : qs) {
      const auto rank = static_cast<std::size_t>(std::floor(q * static_cast<double>(n - 1)));
      const double v = keyed[rank].second;
      if (rank == 0) {
        out.push_back(lo);
      } else if (rank == n - 1) {
        out.push_back(hi);
      } else if (std::isinf(v)) {
        out.push_back(v);
      } else if (std::fabs(v) < 1e-300) {
        out.push_back(std::clamp(0.0, lo, hi));
      } else {
        const double r = representative(kept_bin(v));
        out.push_back(std::clamp(v < 0 ? -r : r, lo, hi));
      }
    }
    return out;
  }

 private:
  double m_;
  std::int64_t cap_;
};

TEST(QuantileSketch, MatchesTheInterpolatedMappingBitForBit) {
  // The edge data span 2^2000, so every sign's lowest bins collapse; the varied data alone span
  // about 2^40 and collapse none, which is where results must equal those of the sketch before
  // the memory cap.
  for (const double a : {QuantileSketch::default_relative_accuracy, 0.02, 0.001}) {
    for (const auto& data : {edge_data(6000, 17), varied_data(6000, 18)}) {
      const ReferenceSketch reference(a);
      QuantileSketch one_by_one(a);
      QuantileSketch batched(a);
      for (const double v : data) one_by_one.add(v);
      batched.add_strided(data.data(), data.size());
      // Every rank, and both ends.
      const std::size_t n = data.size();
      std::vector<double> qs = {0.0, 1.0};
      for (std::size_t r = 0; r + 1 < n; ++r) {
        qs.push_back((static_cast<double>(r) + 0.5) / static_cast<double>(n - 1));
      }
      const std::vector<double> expected = reference.quantiles(data, qs);
      std::vector<double> actual(qs.size());
      std::vector<double> actual_batched(qs.size());
      one_by_one.quantiles(qs, actual);
      batched.quantiles(qs, actual_batched);
      for (std::size_t i = 0; i < qs.size(); ++i) {
        ASSERT_EQ(bits_of(actual[i]), bits_of(expected[i])) << "a=" << a << " q=" << qs[i];
        ASSERT_EQ(bits_of(actual_batched[i]), bits_of(expected[i])) << "a=" << a << " q=" << qs[i];
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Known distributions: n = 2^17 + 1 values x_i = F^-1(i / 2^17) (the two ends pulled in by a
// quarter step, where F^-1 is infinite), inserted in a shuffled order. At q = r / 2^17 the
// rank floor(q (n - 1)) is exactly r, so the sample quantile is the distribution's own F^-1(q),
// and the sketch must report it within the relative accuracy.

void expect_known_quantiles(double a, const std::function<double(double)>& inverse_cdf,
                            const std::string& label) {
  constexpr std::size_t steps = std::size_t{1} << 17;
  constexpr double step = 1.0 / static_cast<double>(steps);
  std::vector<double> data(steps + 1);
  for (std::size_t i = 1; i < steps; ++i) data[i] = inverse_cdf(static_cast<double>(i) * step);
  data.front() = inverse_cdf(0.25 * step);
  data.back() = inverse_cdf(1.0 - 0.25 * step);
  std::vector<double> shuffled = data;
  std::mt19937_64 engine(8);
  for (std::size_t i = shuffled.size() - 1; i > 0; --i) {
    std::swap(shuffled[i], shuffled[engine() % (i + 1)]);
  }
  QuantileSketch sketch(a);
  sketch.add_strided(shuffled.data(), shuffled.size());
  for (const double level : {0.001, 0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99, 0.999}) {
    const double q = std::round(level * static_cast<double>(steps)) * step;  // r / 2^17
    const double known = inverse_cdf(q);
    const double estimate = sketch.quantile(q);
    EXPECT_LE(std::fabs(estimate - known), (a + 1e-12) * std::fabs(known))
        << label << " q=" << q << " known=" << known << " estimate=" << estimate;
  }
}

TEST_P(QuantileSketchAccuracy, KnownQuantilesOfKnownDistributions) {
  const double a = GetParam();
  expect_known_quantiles(a, [](double u) { return -std::log1p(-u); }, "exponential(1)");
  // Pareto, alpha = 0.5: 12 decades between its 0.1% and 99.9% quantiles.
  expect_known_quantiles(a, [](double u) { return std::pow(1.0 - u, -2.0); }, "pareto(0.5)");
  // Log-logistic with shape 1/4 (a closed-form cousin of the lognormal): 24 decades between
  // its 0.1% and 99.9% quantiles.
  expect_known_quantiles(a, [](double u) { return std::exp(4.0 * std::log(u / (1.0 - u))); },
                         "log-logistic(0.25)");
  // Both signs: a Cauchy.
  expect_known_quantiles(a, [](double u) { return std::tan(std::numbers::pi * (u - 0.5)); },
                         "cauchy");
}

// ---------------------------------------------------------------------------------------------
// The memory bound.

TEST(QuantileSketchMemory, BoundFollowsTheDocumentedFormula) {
  for (const double a : {0.5, 0.05, 0.02, QuantileSketch::default_relative_accuracy, 0.001, 1e-4}) {
    const double m = 0.75 / std::log((1.0 + a) / (1.0 - a));
    const auto bins = static_cast<std::size_t>(std::ceil(128.0 * m)) + 2;
    EXPECT_EQ(QuantileSketch::max_bins_per_sign(a), bins) << a;
    EXPECT_EQ(QuantileSketch::max_memory_bytes(a), sizeof(QuantileSketch) + 2 * 4 * bins) << a;
    EXPECT_GT(SummaryCell::max_memory_bytes(a), QuantileSketch::max_memory_bytes(a)) << a;
  }
  // The figures quoted in the header and docs/model.md.
  EXPECT_EQ(QuantileSketch::max_bins_per_sign(0.005), 9602U);
  EXPECT_NEAR(static_cast<double>(QuantileSketch::max_memory_bytes(0.005)), 77e3, 0.5e3);
  EXPECT_NEAR(static_cast<double>(QuantileSketch::max_memory_bytes(5e-4)), 768e3, 1e3);
  EXPECT_THROW((void)QuantileSketch::max_memory_bytes(0.0), std::invalid_argument);
  EXPECT_THROW((void)QuantileSketch::max_memory_bytes(std::numeric_limits<double>::quiet_NaN()),
               std::invalid_argument);
}

// Values 10^k for k = -300 .. 300 in steps of 1/8 decade, both signs, plus zeros: far more
// bins than the cap at every accuracy tested.
std::vector<double> adversarial_data() {
  std::vector<double> data;
  for (int i = -2400; i <= 2400; ++i) {
    const double v = std::pow(10.0, i / 8.0);
    data.push_back(v);
    data.push_back(-v);
  }
  data.push_back(0.0);
  return data;
}

TEST(QuantileSketchMemory, CapHoldsForValuesSpanningTheWholeRange) {
  for (const double a : {0.05, QuantileSketch::default_relative_accuracy, 0.001}) {
    const std::size_t cap = 2 * 4 * QuantileSketch::max_bins_per_sign(a);
    std::vector<double> data = adversarial_data();
    QuantileSketch reference(a);
    for (const double v : data) reference.add(v);
    EXPECT_LE(reference.memory_bytes(), cap) << a;
    // Ascending, descending and shuffled, one at a time and in batches: the same sketch, each
    // within the cap.
    std::vector<std::vector<double>> orders;
    std::sort(data.begin(), data.end());
    orders.push_back(data);
    orders.emplace_back(data.rbegin(), data.rend());
    std::mt19937_64 engine(4);
    for (std::size_t i = data.size() - 1; i > 0; --i) std::swap(data[i], data[engine() % (i + 1)]);
    orders.push_back(data);
    for (std::size_t k = 0; k < orders.size(); ++k) {
      QuantileSketch one_by_one(a);
      for (const double v : orders[k]) one_by_one.add(v);
      QuantileSketch batched(a);
      for (std::size_t first = 0; first < orders[k].size(); first += 300) {
        batched.add_strided(orders[k].data() + first,
                            std::min<std::size_t>(300, orders[k].size() - first));
      }
      EXPECT_LE(one_by_one.memory_bytes(), cap) << a << " order " << k;
      EXPECT_LE(batched.memory_bytes(), cap) << a << " order " << k;
      expect_same_state(reference, one_by_one, "one by one, order " + std::to_string(k));
      expect_same_state(reference, batched, "batched, order " + std::to_string(k));
    }
  }
}

TEST(QuantileSketchMemory, AccuracyHoldsWithin2To128OfTheLargestMagnitude) {
  // Log-uniform magnitudes over 1e-300 .. 1e300, both signs: the collapse must engage (the test
  // checks that it does) and leave the documented guarantee.
  for (const double a : {QuantileSketch::default_relative_accuracy, 0.02}) {
    Generator gen(12);
    std::vector<double> data;
    for (int i = 0; i < 100000; ++i) {
      const double v = std::pow(10.0, -300.0 + 600.0 * gen.uniform());
      data.push_back(gen.uniform() < 0.3 ? -v : v);
    }
    QuantileSketch sketch(a);
    sketch.add_strided(data.data(), data.size());
    std::sort(data.begin(), data.end());
    const double largest_positive = data.back();
    const double largest_negative = -data.front();
    std::size_t collapsed = 0;
    for (int i = 1; i < 1000; ++i) {
      const double q = i / 1000.0;
      const double exact = exact_quantile(data, q);
      const double estimate = sketch.quantile(q);
      const double floor = std::ldexp(exact > 0 ? largest_positive : largest_negative, -128);
      if (std::fabs(exact) >= floor) {
        EXPECT_LE(std::fabs(estimate - exact), (a + 1e-12) * std::fabs(exact)) << "q=" << q;
      } else {
        // Collapsed: same sign, magnitude between the true one and M / 2^128.
        ++collapsed;
        EXPECT_EQ(std::signbit(estimate), std::signbit(exact)) << "q=" << q;
        EXPECT_GE(std::fabs(estimate), std::fabs(exact)) << "q=" << q;
        EXPECT_LE(std::fabs(estimate), floor * (1.0 + 1e-12)) << "q=" << q;
      }
    }
    EXPECT_GT(collapsed, 100U);  // not vacuous
    EXPECT_LE(sketch.memory_bytes(), 2 * 4 * QuantileSketch::max_bins_per_sign(a));
  }
}

TEST(QuantileSketchMemory, MergeRespectsTheCapWhateverTheOrder) {
  const double a = QuantileSketch::default_relative_accuracy;
  const std::size_t cap = 2 * 4 * QuantileSketch::max_bins_per_sign(a);
  std::vector<double> data = adversarial_data();
  std::mt19937_64 engine(6);
  for (std::size_t i = data.size() - 1; i > 0; --i) std::swap(data[i], data[engine() % (i + 1)]);
  QuantileSketch single(a);
  single.add_strided(data.data(), data.size());
  // Shards by magnitude, so that each shard's own window sits elsewhere: tiny, middling and
  // huge values, and one of everything.
  std::vector<QuantileSketch> shards(4, QuantileSketch(a));
  for (std::size_t i = 0; i < data.size(); ++i) {
    const double e = std::log10(std::fabs(data[i]) + 1e-320);
    shards[i % 5 == 0 ? 3 : e < -100 ? 0 : e < 100 ? 1 : 2].add(data[i]);
  }
  const std::vector<std::vector<int>> orders = {
      {0, 1, 2, 3}, {3, 2, 1, 0}, {2, 0, 3, 1}, {1, 3, 0, 2}};
  for (const auto& order : orders) {
    QuantileSketch merged(a);
    for (const int k : order) {
      merged.merge(shards[static_cast<std::size_t>(k)]);
      EXPECT_LE(merged.memory_bytes(), cap);
    }
    expect_same_state(single, merged, "merge order " + std::to_string(order[0]) +
                                          std::to_string(order[1]) + std::to_string(order[2]) +
                                          std::to_string(order[3]));
  }
  {  // pairwise, as a parallel reduction
    QuantileSketch left = shards[0];
    left.merge(shards[2]);
    QuantileSketch right = shards[3];
    right.merge(shards[1]);
    right.merge(left);
    EXPECT_LE(right.memory_bytes(), cap);
    expect_same_state(single, right, "tree");
  }
}

// ---------------------------------------------------------------------------------------------
// The shard encoding (encode / decode): what travels between machines must answer and merge
// exactly as the sketch it came from.

std::string encoded(const QuantileSketch& sketch) {
  gapcast::ByteWriter out;
  sketch.encode(out);
  return out.take();
}

QuantileSketch decoded(const std::string& bytes, double accuracy) {
  gapcast::ByteReader in(bytes);
  QuantileSketch sketch = QuantileSketch::decode(in, accuracy);
  EXPECT_TRUE(in.at_end()) << "decode left " << in.remaining() << " bytes";
  return sketch;
}

QuantileSketch sketch_of(const std::vector<double>& values, double accuracy) {
  QuantileSketch sketch(accuracy);
  for (const double v : values) sketch.add(v);
  return sketch;
}

TEST(QuantileSketchEncoding, RoundTripKeepsEveryAnswer) {
  Generator gen(41);
  std::vector<double> positive;
  std::vector<double> negative;
  for (int i = 0; i < 3000; ++i) {
    positive.push_back(gen.lognormal(1.0, 2.0));
    negative.push_back(-gen.lognormal(-3.0, 1.5));
  }
  const std::vector<std::pair<std::string, std::vector<double>>> cases = {
      {"positive", positive},
      {"negative", negative},
      {"zeros", {0.0, -0.0, 0.0, 1e-301}},
      {"infinities", {kInf, -kInf, kInf}},
      {"one value", {-2.5}},
      {"varied", varied_data(5000, 42)},
      {"edges", edge_data(3000, 43)},
      {"collapsed", adversarial_data()},
      {"empty", {}},
  };
  for (const double a : {QuantileSketch::default_relative_accuracy, 0.02}) {
    for (const auto& [label, values] : cases) {
      const QuantileSketch original = sketch_of(values, a);
      const std::string bytes = encoded(original);
      const QuantileSketch back = decoded(bytes, a);
      expect_same_state(original, back, label);
      EXPECT_EQ(back.count(), values.size()) << label;
      EXPECT_EQ(back.relative_accuracy(), a) << label;
      EXPECT_EQ(encoded(back), bytes) << label;  // and it encodes as it was
      if (values.empty()) {
        EXPECT_TRUE(std::isnan(back.quantile(0.5)));
        EXPECT_TRUE(std::isnan(back.min()) && std::isnan(back.max()));
      }
    }
  }
}

TEST(QuantileSketchEncoding, TheBytesDependOnTheValuesNotOnTheirOrder) {
  // Different orders leave different window slack and offsets behind; the bytes must not show
  // it. (Only one kind of zero: which of +0 and -0 is the minimum does depend on order.)
  std::vector<double> data = varied_data(20000, 44);
  const std::string original = encoded(sketch_of(data, 0.005));
  std::vector<double> sorted = data;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(encoded(sketch_of(sorted, 0.005)), original);
  std::reverse(sorted.begin(), sorted.end());
  EXPECT_EQ(encoded(sketch_of(sorted, 0.005)), original);
  std::mt19937_64 engine(45);
  for (std::size_t i = data.size() - 1; i > 0; --i) std::swap(data[i], data[engine() % (i + 1)]);
  QuantileSketch batched(0.005);
  batched.add_strided(data.data(), data.size());
  EXPECT_EQ(encoded(batched), original);
  // Not vacuous: other values give other bytes.
  data.back() = data.back() > 0 ? data.back() * 3.0 : 7.0;
  EXPECT_NE(encoded(sketch_of(data, 0.005)), original);
}

TEST(QuantileSketchEncoding, MergedDecodedHalvesEqualTheWhole) {
  const std::vector<double> data = edge_data(20000, 46);
  const std::vector<double> first(data.begin(), data.begin() + 8000);
  const std::vector<double> second(data.begin() + 8000, data.end());
  const QuantileSketch whole = sketch_of(data, 0.005);
  QuantileSketch merged = decoded(encoded(sketch_of(first, 0.005)), 0.005);
  merged.merge(decoded(encoded(sketch_of(second, 0.005)), 0.005));
  expect_same_state(whole, merged, "decoded halves");
  EXPECT_EQ(encoded(merged), encoded(whole));
  // A decoded sketch also keeps taking values like the original.
  QuantileSketch grown = decoded(encoded(sketch_of(first, 0.005)), 0.005);
  for (const double v : second) grown.add(v);
  expect_same_state(whole, grown, "decoded then added");
}

// Hand-made sketch bytes in encode()'s layout: positive bins (the first absolute, then steps)
// with their counts, no negative bins, no zeros or infinities, min and max.
std::string sketch_bytes(const std::vector<std::pair<std::int64_t, std::uint64_t>>& bins,
                         double min, double max) {
  gapcast::ByteWriter out;
  out.varint(bins.size());
  for (std::size_t i = 0; i < bins.size(); ++i) {
    if (i == 0) {
      out.i32(static_cast<std::int32_t>(bins[i].first));
    } else {
      out.varint(static_cast<std::uint64_t>(bins[i].first - bins[i - 1].first));
    }
    out.varint(bins[i].second);
  }
  out.varint(0);  // no negative bins
  out.u64(0);
  out.u64(0);
  out.u64(0);
  out.f64(min);
  out.f64(max);
  return out.take();
}

bool decode_throws_invalid_argument(const std::string& bytes, double accuracy) {
  try {
    gapcast::ByteReader in(bytes);
    (void)QuantileSketch::decode(in, accuracy);
  } catch (const std::invalid_argument&) {
    return true;
  }
  return false;
}

TEST(QuantileSketchEncoding, MalformedBytesAreRefused) {
  const double a = 0.02;
  const auto cap = static_cast<std::int64_t>(QuantileSketch::max_bins_per_sign(a));
  // Well-formed hand-made bytes decode: the refusals below are for what they change.
  const QuantileSketch fine = decoded(sketch_bytes({{10, 2}, {12, 1}}, 1.2, 1.3), a);
  EXPECT_EQ(fine.count(), 3U);
  EXPECT_EQ(fine.quantile(0.0), 1.2);
  EXPECT_FALSE(decode_throws_invalid_argument(sketch_bytes({{0, 1}, {cap - 1, 1}}, 1.0, 2.0), a));

  // More bins than the cap allows, or bins spread wider than it.
  std::vector<std::pair<std::int64_t, std::uint64_t>> too_many;
  for (std::int64_t b = 0; b <= cap; ++b) too_many.emplace_back(b, 1);
  EXPECT_TRUE(decode_throws_invalid_argument(sketch_bytes(too_many, 1.0, 2.0), a));
  EXPECT_TRUE(decode_throws_invalid_argument(sketch_bytes({{0, 1}, {cap, 1}}, 1.0, 2.0), a));
  // A bin with a zero count, or one beyond the 32-bit counts.
  EXPECT_TRUE(decode_throws_invalid_argument(sketch_bytes({{10, 0}}, 1.2, 1.2), a));
  EXPECT_TRUE(decode_throws_invalid_argument(sketch_bytes({{10, 1}, {11, 0}}, 1.2, 1.3), a));
  EXPECT_TRUE(decode_throws_invalid_argument(sketch_bytes({{10, 1ULL << 32}}, 1.2, 1.2), a));
  // Bins out of order (a zero step).
  EXPECT_TRUE(decode_throws_invalid_argument(sketch_bytes({{10, 1}, {10, 1}}, 1.2, 1.2), a));
  // Min and max that contradict the counts: NaN, or min > max with values present, or values
  // present with the empty sketch's min and max.
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_TRUE(decode_throws_invalid_argument(sketch_bytes({{10, 1}}, nan, 1.2), a));
  EXPECT_TRUE(decode_throws_invalid_argument(sketch_bytes({{10, 1}}, 1.3, 1.2), a));
  EXPECT_TRUE(decode_throws_invalid_argument(sketch_bytes({{10, 1}}, kInf, -kInf), a));
  EXPECT_TRUE(decode_throws_invalid_argument(sketch_bytes({}, 1.0, 1.0), a));
  // Truncated anywhere.
  const std::string bytes = encoded(sketch_of(varied_data(500, 47), a));
  for (const std::size_t size : {std::size_t{0}, std::size_t{3}, bytes.size() / 2,
                                 bytes.size() - 1}) {
    EXPECT_TRUE(decode_throws_invalid_argument(bytes.substr(0, size), a)) << size;
  }
}

}  // namespace

namespace gapcast {
namespace {

TEST(QuantileSketchBatch, ManyQuantilesInOnePassEqualOneAtATime) {
  QuantileSketch sketch(0.005);
  std::mt19937_64 engine(99);
  std::normal_distribution<double> normal(0.0, 3.0);
  for (int i = 0; i < 20000; ++i) sketch.add(normal(engine));
  sketch.add(0.0);
  sketch.add(std::numeric_limits<double>::infinity());
  const std::vector<double> qs{0.95, 0.0, 0.5, 0.05, 1.0, 0.25, 0.75, 0.5, 0.999};
  std::vector<double> out(qs.size());
  sketch.quantiles(qs, out);
  for (std::size_t i = 0; i < qs.size(); ++i) {
    EXPECT_EQ(out[i], sketch.quantile(qs[i])) << "q=" << qs[i];
  }
  QuantileSketch empty(0.005);
  std::vector<double> none(2);
  empty.quantiles(std::vector<double>{0.1, 0.9}, none);
  EXPECT_TRUE(std::isnan(none[0]) && std::isnan(none[1]));
}

// ---------------------------------------------------------------------------------------------
// Counts beyond 65535. The windows hold the low 16 bits of each count and carry the rest into a
// side table (sparse, then dense when many bins carry); every count must still be exact. The
// expectations are written out as the encoding of the exact counts, so a dropped or doubled
// carry, anywhere, changes the bytes.

struct ExactBin {
  std::int32_t bin;
  std::uint64_t count;
};

// The bytes encode() writes for a sketch with exactly these bins (ascending) and no zeros or
// infinities (the format of QuantileSketch::encode).
std::string exact_encoding(const std::vector<ExactBin>& positive,
                           const std::vector<ExactBin>& negative, double min, double max) {
  gapcast::ByteWriter out;
  for (const auto* bins : {&positive, &negative}) {
    out.varint(bins->size());
    for (std::size_t i = 0; i < bins->size(); ++i) {
      if (i == 0) {
        out.i32((*bins)[i].bin);
      } else {
        out.varint(static_cast<std::uint64_t>((*bins)[i].bin - (*bins)[i - 1].bin));
      }
      out.varint((*bins)[i].count);
    }
  }
  out.u64(0);
  out.u64(0);
  out.u64(0);
  out.f64(min);
  out.f64(max);
  return out.take();
}

std::int32_t bin_at(double v, double accuracy) {
  return QuantileSketch::bin_index(v, QuantileSketch::bin_multiplier(accuracy));
}

// `copies` copies of each value, in the order given (value by value).
std::vector<double> repeated(const std::vector<std::pair<double, int>>& values) {
  std::vector<double> out;
  for (const auto& [v, copies] : values) out.insert(out.end(), static_cast<std::size_t>(copies), v);
  return out;
}

TEST(QuantileSketchCarry, CountsBeyond65535AreExactOnEveryPath) {
  const double a = QuantileSketch::default_relative_accuracy;
  std::vector<double> data = repeated({{1.0, 70000}, {2.0, 200000}, {5.0, 3}, {-4.0, 65536}});
  const std::string expected =
      exact_encoding({{bin_at(1.0, a), 70000}, {bin_at(2.0, a), 200000}, {bin_at(5.0, a), 3}},
                     {{bin_at(4.0, a), 65536}}, -4.0, 5.0);
  std::mt19937_64 engine(16);
  std::vector<double> shuffled = data;
  std::shuffle(shuffled.begin(), shuffled.end(), engine);
  for (const auto* order : {&data, &shuffled}) {
    const std::string label = order == &data ? "sorted" : "shuffled";
    QuantileSketch one_by_one(a);
    for (const double v : *order) one_by_one.add(v);
    EXPECT_EQ(encoded(one_by_one), expected) << label;
    QuantileSketch batched(a);
    batched.add_strided(order->data(), order->size());
    EXPECT_EQ(encoded(batched), expected) << label;
    // The fold's path: SummaryCell::fold_rows feeds add_finite in batches.
    SummaryCell cell(a);
    cell.add_strided(order->data(), order->size(), 1, false);
    EXPECT_EQ(encoded(cell.sketch()), expected) << label;
  }
  // The quantile walks read whole counts: rank 65536 + 4463 is still a 1.0, rank 70000 a 2.0
  // (with a dropped carry, bin 1.0 would hold 4464 values and both would be 2.0).
  const QuantileSketch sketch = sketch_of(data, a);
  const double n1 = static_cast<double>(sketch.count() - 1);
  const auto at_rank = [&](double rank) { return (rank + 0.5) / n1; };
  EXPECT_LT(sketch.quantile(at_rank(65535)), 0.0);               // the last -4.0
  EXPECT_NEAR(sketch.quantile(at_rank(65536)), 1.0, 0.01);       // the first 1.0
  EXPECT_NEAR(sketch.quantile(at_rank(65536 + 69999)), 1.0, 0.01);
  EXPECT_NEAR(sketch.quantile(at_rank(65536 + 70000)), 2.0, 0.02);
  EXPECT_NEAR(sketch.quantile(at_rank(65536 + 269999)), 2.0, 0.02);
  EXPECT_NEAR(sketch.quantile(at_rank(65536 + 270000)), 5.0, 0.05);
  std::vector<double> qs;
  for (int i = 0; i <= 1000; ++i) qs.push_back(i / 1000.0);
  std::vector<double> out(qs.size());
  sketch.quantiles(qs, out);
  for (std::size_t i = 0; i < qs.size(); ++i) EXPECT_EQ(out[i], sketch.quantile(qs[i])) << qs[i];
}

TEST(QuantileSketchCarry, MergesCarryWhenTheSumPasses65535) {
  const double a = QuantileSketch::default_relative_accuracy;
  // 40,000 + 30,000 in one bin: neither side carries, the sum does. 100,000 + 100,000: both
  // sides carry already.
  QuantileSketch left = sketch_of(repeated({{3.0, 40000}, {9.0, 100000}}), a);
  QuantileSketch right = sketch_of(repeated({{3.0, 30000}, {9.0, 100000}, {7.0, 1}}), a);
  const std::string expected = exact_encoding(
      {{bin_at(3.0, a), 70000}, {bin_at(7.0, a), 1}, {bin_at(9.0, a), 200000}}, {}, 3.0, 9.0);
  QuantileSketch merged = left;
  merged.merge(right);
  EXPECT_EQ(encoded(merged), expected);
  QuantileSketch other_way = right;
  other_way.merge(left);
  EXPECT_EQ(encoded(other_way), expected);
  QuantileSketch doubled = left;
  doubled.merge(doubled);  // self-merge: every count twice
  EXPECT_EQ(encoded(doubled),
            exact_encoding({{bin_at(3.0, a), 80000}, {bin_at(9.0, a), 200000}}, {}, 3.0, 9.0));
  // Merging decoded halves is the shard path.
  QuantileSketch from_shards = decoded(encoded(left), a);
  from_shards.merge(decoded(encoded(right), a));
  EXPECT_EQ(encoded(from_shards), expected);
  expect_same_state(merged, from_shards, "merged shards");
}

TEST(QuantileSketchCarry, RoundTripKeepsCarriedCounts) {
  const double a = QuantileSketch::default_relative_accuracy;
  const QuantileSketch sketch =
      sketch_of(repeated({{-2.5, 131072}, {-1.0, 3}, {0.5, 65535}, {0.75, 65536}, {8.0, 250000}}),
                a);
  const std::string bytes = encoded(sketch);
  EXPECT_EQ(bytes, exact_encoding({{bin_at(0.5, a), 65535}, {bin_at(0.75, a), 65536},
                                   {bin_at(8.0, a), 250000}},
                                  {{bin_at(1.0, a), 3}, {bin_at(2.5, a), 131072}}, -2.5, 8.0));
  QuantileSketch back = decoded(bytes, a);
  EXPECT_EQ(encoded(back), bytes);
  expect_same_state(sketch, back, "decoded");
  // The decoded sketch keeps counting: one more 0.5 carries its bin, one more 0.75 does not.
  back.add(0.5);
  back.add(0.75);
  EXPECT_EQ(encoded(back), exact_encoding({{bin_at(0.5, a), 65536}, {bin_at(0.75, a), 65537},
                                           {bin_at(8.0, a), 250000}},
                                          {{bin_at(1.0, a), 3}, {bin_at(2.5, a), 131072}},
                                          -2.5, 8.0));
}

TEST(QuantileSketchCarry, TheLargestCountStillFitsAndOneMoreThrows) {
  const double a = QuantileSketch::default_relative_accuracy;
  const std::int32_t bin = bin_at(1.0, a);
  const std::string full = exact_encoding({{bin, 0xffffffffu}}, {}, 1.0, 1.0);
  QuantileSketch sketch = decoded(full, a);
  EXPECT_EQ(encoded(sketch), full);
  EXPECT_EQ(sketch.count(), 0xffffffffu);
  EXPECT_THROW(sketch.add(1.0), std::overflow_error);
  EXPECT_EQ(encoded(sketch), full);  // unchanged by the refused value
  QuantileSketch almost = decoded(exact_encoding({{bin, 0xfffffff0u}}, {}, 1.0, 1.0), a);
  almost.merge(sketch_of(repeated({{1.0, 15}}), a));
  EXPECT_EQ(encoded(almost), full);
  EXPECT_THROW(almost.merge(sketch_of(repeated({{1.0, 1}}), a)), std::overflow_error);
}

TEST(QuantileSketchCarry, CollapsedBinsCarryTheirWholeCounts) {
  // a = 0.05 keeps B(a) = 962 bins per sign, 128 octaves: 1e30 is 2^199 above 1e-30, so the
  // bins of 1e-30 and 2e-30 collapse into the floor, bin(1e30) - B + 1.
  const double a = 0.05;
  const auto cap = static_cast<std::int32_t>(QuantileSketch::max_bins_per_sign(a));
  const std::int32_t top = bin_at(1e30, a);
  const std::int32_t floor = top - cap + 1;
  ASSERT_GT(floor, bin_at(2e-30, a));
  const std::string expected =
      exact_encoding({{floor, 70000 + 70001 + 65536}, {top, 1}}, {}, 1e-30, 1e30);
  // Small values first (they carry in their own bins, which then collapse), the large one first
  // (they go straight to the floor), and merges of each part.
  std::vector<double> small = repeated({{1e-30, 70000}, {2e-30, 70001}});
  // The floor bin's own representative value: 65,536 more values that land there directly.
  const double floor_value = QuantileSketch::bin_value(floor, QuantileSketch::bin_multiplier(a));
  ASSERT_EQ(bin_at(floor_value, a), floor);
  std::vector<double> at_floor = repeated({{floor_value, 65536}});
  std::vector<double> all = small;
  all.insert(all.end(), at_floor.begin(), at_floor.end());
  all.push_back(1e30);
  QuantileSketch ascending(a);
  for (const double v : all) ascending.add(v);
  EXPECT_EQ(encoded(ascending), expected);
  std::vector<double> reversed(all.rbegin(), all.rend());
  QuantileSketch descending(a);
  descending.add_strided(reversed.data(), reversed.size());
  EXPECT_EQ(encoded(descending), expected);
  QuantileSketch merged = sketch_of(small, a);
  merged.merge(sketch_of(at_floor, a));
  EXPECT_EQ(encoded(merged), exact_encoding({{bin_at(1e-30, a), 70000}, {bin_at(2e-30, a), 70001},
                                             {floor, 65536}},
                                            {}, 1e-30, at_floor.front()));
  merged.merge(sketch_of({1e30}, a));
  EXPECT_EQ(encoded(merged), expected);
  EXPECT_LE(merged.memory_bytes(), 2 * 4 * QuantileSketch::max_bins_per_sign(a));
}

TEST(QuantileSketchCarry, ManyCarriedBinsTakeTheDenseTableWithinTheBound) {
  // Twelve neighbouring bins of 70,000 values each: more carried bins than the sparse table may
  // hold for so small a window, so the high halves move to the dense table.
  const double a = 0.05;
  std::vector<std::pair<double, int>> values;
  std::vector<ExactBin> bins;
  for (int k = 0; k < 12; ++k) {
    const double v = std::pow(1.1, k);
    values.emplace_back(v, 70000 + k);
    bins.push_back({bin_at(v, a), static_cast<std::uint64_t>(70000 + k)});
  }
  for (std::size_t k = 1; k < bins.size(); ++k) ASSERT_GT(bins[k].bin, bins[k - 1].bin);
  const std::vector<double> data = repeated(values);
  const std::string expected = exact_encoding(bins, {}, 1.0, std::pow(1.1, 11));
  QuantileSketch one_by_one = sketch_of(data, a);
  EXPECT_EQ(encoded(one_by_one), expected);
  std::vector<double> shuffled = data;
  std::mt19937_64 engine(3);
  std::shuffle(shuffled.begin(), shuffled.end(), engine);
  QuantileSketch batched(a);
  batched.add_strided(shuffled.data(), shuffled.size());
  EXPECT_EQ(encoded(batched), expected);
  QuantileSketch halves = sketch_of(std::vector<double>(data.begin(), data.begin() + 400000), a);
  halves.merge(sketch_of(std::vector<double>(data.begin() + 400000, data.end()), a));
  EXPECT_EQ(encoded(halves), expected);
  EXPECT_EQ(encoded(decoded(expected, a)), expected);
  for (const auto* s : {&one_by_one, &batched, &halves}) {
    EXPECT_LE(s->memory_bytes(), 2 * 4 * QuantileSketch::max_bins_per_sign(a));
  }
}

TEST(QuantileSketchCarry, WindowsTakeTwoBytesABinUntilABinCarries) {
  const double a = QuantileSketch::default_relative_accuracy;
  QuantileSketch sketch(a);
  for (int i = 0; i < 65535; ++i) sketch.add(1.0);
  const std::size_t window = sketch.memory_bytes();
  EXPECT_GT(window, 0U);
  sketch.add(1.0);  // the 65536th: one sparse entry, at most the window's own bytes again
  EXPECT_GT(sketch.memory_bytes(), window);
  EXPECT_LE(sketch.memory_bytes(), 2 * window);
}

}  // namespace
}  // namespace gapcast
