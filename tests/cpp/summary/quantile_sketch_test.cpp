#include "gapcast/summary/quantile_sketch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using gapcast::QuantileSketch;

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
  // uses 3 / (4 ln 2) = 1.082 times as many; counters are 4 bytes. Allow the window's growth
  // slack on top, but nothing close to one counter per value.
  const double bins = std::log(1000.0) / std::log((1.0 + 0.005) / (1.0 - 0.005));
  const double interpolated_bins = bins * 3.0 / (4.0 * std::log(2.0));
  EXPECT_LE(static_cast<double>(after_10k), (interpolated_bins + 2 * 1024 + 16) * 4.0);
  EXPECT_GE(static_cast<double>(after_10k), interpolated_bins * 4.0);
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

}  // namespace
}  // namespace gapcast
