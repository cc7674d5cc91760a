#include "gapcast/summary/weighted_quantile_sketch.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "gapcast/summary/quantile_sketch.hpp"
#include "gapcast/summary/summary_cell.hpp"

namespace {

using gapcast::QuantileSketch;
using gapcast::SummaryCell;
using gapcast::WeightedQuantileSketch;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// mt19937_64's output is fixed by the standard, the std:: distributions are not: the transforms
// are written out so that the data, and so the tests, are the same on every platform.
class Generator {
 public:
  explicit Generator(std::uint64_t seed) : engine_(seed) {}
  double uniform() { return (static_cast<double>(engine_() >> 11) + 0.5) * 0x1.0p-53; }
  double normal() {  // Box-Muller
    const double u1 = uniform();
    const double u2 = uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
  }
  std::uint64_t next() { return engine_(); }

 private:
  std::mt19937_64 engine_;
};

std::uint64_t bits_of(double x) { return std::bit_cast<std::uint64_t>(x); }

template <class T>
void shuffle(std::vector<T>& data, std::uint64_t seed) {
  std::mt19937_64 engine(seed);
  for (std::size_t i = data.size() - 1; i > 0; --i) std::swap(data[i], data[engine() % (i + 1)]);
}

// Values of every kind the bins tell apart: both signs over a wide range of magnitudes, repeats,
// both zeros and magnitudes below min_magnitude, powers of two and their neighbours over the
// whole exponent range (so that both signs collapse their lowest bins), the largest doubles and
// infinities.
std::vector<double> edge_values(std::size_t n, std::uint64_t seed, bool with_extremes) {
  Generator gen(seed);
  std::vector<double> data;
  for (std::size_t i = 0; i < n; ++i) {
    const double magnitude = std::exp(6.0 * gen.normal());
    const double u = gen.uniform();
    data.push_back(u < 0.3 ? -magnitude : u < 0.35 ? std::round(magnitude) : magnitude);
  }
  if (with_extremes) {
    for (const double v : {0.0, -0.0, 1e-300, -1e-300, 1e-310, -1e-310,
                           std::numeric_limits<double>::max(), -std::numeric_limits<double>::max(),
                           kInf, -kInf, kInf, -kInf}) {
      data.push_back(v);
    }
    for (int e = -996; e <= 1023; e += 11) {
      const double p = std::ldexp(1.0, e);
      for (const double v : {p, std::nextafter(p, 0.0), 1.5 * p}) {
        data.push_back(v);
        data.push_back(-v);
      }
    }
  }
  shuffle(data, seed + 1);
  return data;
}

// Levels that probe every rank of a sketch of n values (or 4000 of them): the tie points
// r / (n - 1), where q (n - 1) is (about) an integer and rounding would show first, the
// midpoints between them, and both ends.
std::vector<double> probe_levels(std::size_t n) {
  std::vector<double> qs = {0.0, 1.0};
  if (n < 2) return qs;
  const std::size_t step = std::max<std::size_t>(1, n / 4000);
  for (std::size_t r = 0; r + 1 < n; r += step) {
    qs.push_back(static_cast<double>(r) / static_cast<double>(n - 1));
    qs.push_back((static_cast<double>(r) + 0.5) / static_cast<double>(n - 1));
  }
  return qs;
}

template <class Sketch>
std::vector<double> quantiles_of(const Sketch& sketch, const std::vector<double>& qs) {
  std::vector<double> out(qs.size());
  sketch.quantiles(qs, out);
  return out;
}

// Everything a weighted sketch reports, bit for bit.
void expect_same_state(const WeightedQuantileSketch& expected,
                       const WeightedQuantileSketch& actual, const std::string& label) {
  ASSERT_EQ(actual.count(), expected.count()) << label;
  EXPECT_EQ(actual.infinite_count(), expected.infinite_count()) << label;
  EXPECT_EQ(bits_of(actual.total_weight()), bits_of(expected.total_weight())) << label;
  EXPECT_EQ(bits_of(actual.min()), bits_of(expected.min())) << label;
  EXPECT_EQ(bits_of(actual.max()), bits_of(expected.max())) << label;
  EXPECT_EQ(actual.memory_bytes(), expected.memory_bytes()) << label;
  const std::vector<double> qs = probe_levels(static_cast<std::size_t>(expected.count()));
  const std::vector<double> e = quantiles_of(expected, qs);
  const std::vector<double> a = quantiles_of(actual, qs);
  for (std::size_t i = 0; i < qs.size(); ++i) {
    ASSERT_EQ(bits_of(a[i]), bits_of(e[i])) << label << " q=" << qs[i] << ": " << a[i] << " vs "
                                            << e[i];
  }
}

// The definition in the header, computed from the sorted data: the smallest value x whose
// cumulative weight exceeds q W (n - 1) / n over the values of positive weight (sums in long
// double, so that the reference is not the sketch's own rounding).
class ExactWeightedQuantile {
 public:
  explicit ExactWeightedQuantile(std::vector<std::pair<double, double>> pairs)
      : pairs_(std::move(pairs)) {
    std::erase_if(pairs_, [](const auto& p) { return !(p.second > 0.0); });
    std::sort(pairs_.begin(), pairs_.end());
    long double seen = 0.0L;
    for (const auto& p : pairs_) cumulative_.push_back(seen += p.second);
  }
  [[nodiscard]] double operator()(double q) const {
    const auto n = static_cast<long double>(pairs_.size());
    const long double threshold = static_cast<long double>(q) * cumulative_.back() * (n - 1) / n;
    const auto it = std::upper_bound(cumulative_.begin(), cumulative_.end(), threshold);
    if (it == cumulative_.end()) return pairs_.back().first;
    return pairs_[static_cast<std::size_t>(it - cumulative_.begin())].first;
  }

 private:
  std::vector<std::pair<double, double>> pairs_;
  std::vector<long double> cumulative_;
};

// ---------------------------------------------------------------------------------------------
// Equal weights: the weighted rule is QuantileSketch's rule, and the answers are its answers.

TEST(WeightedQuantileSketch, EqualWeightsGiveQuantileSketchBitForBit) {
  for (const double a : {QuantileSketch::default_relative_accuracy, 0.02, 0.001}) {
    for (const bool extremes : {false, true}) {
      const std::vector<double> data = edge_values(6001, 11, extremes);
      QuantileSketch plain(a);
      plain.add_strided(data.data(), data.size());
      const std::vector<double> qs = probe_levels(data.size());
      const std::vector<double> expected = quantiles_of(plain, qs);
      // 0.37 is not a power of two: its sums are inexact, which the relative weights absorb.
      for (const double w : {1.0, 0.37, 1e-300, 3e300}) {
        const std::string label = "a=" + std::to_string(a) + " w=" + std::to_string(w) +
                                  (extremes ? " with extremes" : "");
        const std::vector<double> weights(data.size(), w);
        WeightedQuantileSketch batched(a);
        batched.add_finite(data.data(), weights.data(), data.size());
        WeightedQuantileSketch one_by_one(a);
        for (const double v : data) one_by_one.add(v, w);
        ASSERT_EQ(batched.count(), plain.count()) << label;
        EXPECT_EQ(batched.infinite_count(), plain.infinite_count()) << label;
        EXPECT_EQ(bits_of(batched.min()), bits_of(plain.min())) << label;
        EXPECT_EQ(bits_of(batched.max()), bits_of(plain.max())) << label;
        EXPECT_EQ(batched.total_weight(), static_cast<double>(data.size()) * w) << label;
        const std::vector<double> actual = quantiles_of(batched, qs);
        for (std::size_t i = 0; i < qs.size(); ++i) {
          ASSERT_EQ(bits_of(actual[i]), bits_of(expected[i]))
              << label << " q=" << qs[i] << ": " << actual[i] << " vs " << expected[i];
        }
        expect_same_state(batched, one_by_one, label + " one by one");
      }
    }
  }
}

TEST(WeightedQuantileSketch, EqualWeightsMatchForEveryCountUpToAFew) {
  // Small counts, where q (n - 1) is an integer for many of the usual levels (the median of an
  // odd count, every level at n = 2, 5, 21, 101): exactly the ties the weighted comparisons must
  // resolve as the unweighted ones.
  const std::vector<double> levels = {0.0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0};
  const std::vector<double> data = edge_values(130, 5, false);
  for (std::size_t n = 1; n <= data.size(); ++n) {
    QuantileSketch plain;
    WeightedQuantileSketch weighted;
    for (std::size_t i = 0; i < n; ++i) {
      plain.add(data[i]);
      weighted.add(data[i], 0.37);
    }
    const std::vector<double> e = quantiles_of(plain, levels);
    const std::vector<double> a = quantiles_of(weighted, levels);
    for (std::size_t i = 0; i < levels.size(); ++i) {
      ASSERT_EQ(bits_of(a[i]), bits_of(e[i])) << "n=" << n << " q=" << levels[i];
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Weighted answers.

TEST(WeightedQuantileSketch, SmallExamplesFollowTheDefinition) {
  {  // n = 3, W = 12: T(0.5) = 0.5 * 12 * 2 / 3 = 4; cumulative 1, 2, 12 -> the maximum.
    WeightedQuantileSketch s;
    s.add(1.0, 1.0);
    s.add(2.0, 1.0);
    s.add(3.0, 10.0);
    EXPECT_EQ(s.quantile(0.5), 3.0);
    EXPECT_EQ(s.quantile(0.0), 1.0);
    // T(0.1) = 0.8 < 1, the minimum's own weight: the minimum, exactly.
    EXPECT_EQ(s.quantile(0.1), 1.0);
    // T(0.15) = 1.2: the cumulative weight passes it at 2.
    EXPECT_NEAR(s.quantile(0.15), 2.0, 2.0 * s.relative_accuracy());
    EXPECT_EQ(s.count(), 3U);
    EXPECT_EQ(s.total_weight(), 12.0);
  }
  {  // A heavy minimum. n = 4, W = 7, T(q) = 5.25 q; cumulative 10 -> 4, 20 -> 5, 30 -> 6,
     // 40 -> 7.
    WeightedQuantileSketch s;
    for (const auto& [v, w] : {std::pair{20.0, 1.0}, {10.0, 4.0}, {30.0, 1.0}, {40.0, 1.0}}) {
      s.add(v, w);
    }
    EXPECT_EQ(s.quantile(0.5), 10.0);  // T = 2.625 < 4, the minimum's weight: exactly
    EXPECT_EQ(s.quantile(0.7), 10.0);  // T = 3.675
    EXPECT_NEAR(s.quantile(0.9), 20.0, 20.0 * s.relative_accuracy());  // T = 4.725
    EXPECT_NEAR(s.quantile(0.97), 30.0, 30.0 * s.relative_accuracy());  // T = 5.0925
    // q = 1: T = W (n - 1) / n = 5.25, passed at 30. The maximum's weight, 1, is below
    // W / n = 1.75, so by the definition it is not the answer.
    EXPECT_NEAR(s.quantile(1.0), 30.0, 30.0 * s.relative_accuracy());
    EXPECT_EQ(s.max(), 40.0);
  }
}

TEST(WeightedQuantileSketch, InfinitiesCarryTheirWeight) {
  // n = 4, W = 8, T(q) = 6 q. Cumulative: -inf 2, 1 -> 3, 2 -> 4, +inf -> 8.
  WeightedQuantileSketch s;
  s.add(-kInf, 2.0);
  s.add(1.0, 1.0);
  s.add(2.0, 1.0);
  s.add(kInf, 4.0);
  EXPECT_EQ(s.infinite_count(), 2U);
  EXPECT_EQ(s.quantile(0.0), -kInf);
  EXPECT_EQ(s.quantile(0.3), -kInf);  // T = 1.8 < 2
  EXPECT_NEAR(s.quantile(0.34), 1.0, s.relative_accuracy());  // T = 2.04
  EXPECT_NEAR(s.quantile(0.5), 2.0, 2.0 * s.relative_accuracy());  // T = 3
  EXPECT_EQ(s.quantile(0.7), kInf);  // T = 4.2 >= 8 - 4
  EXPECT_EQ(s.min(), -kInf);
  EXPECT_EQ(s.max(), kInf);
}

TEST(WeightedQuantileSketch, WithinRelativeAccuracyOfTheExactWeightedQuantile) {
  for (const double a : {QuantileSketch::default_relative_accuracy, 0.02, 0.001}) {
    Generator gen(23);
    std::vector<std::pair<double, double>> pairs;
    WeightedQuantileSketch sketch(a);
    for (int i = 0; i < 50000; ++i) {
      const double v = std::exp(2.0 * gen.normal()) * (gen.uniform() < 0.4 ? -1.0 : 1.0);
      // Weights over twelve orders of magnitude, a tenth of them zero.
      const double w = gen.uniform() < 0.1 ? 0.0 : std::exp(4.0 * gen.normal());
      pairs.emplace_back(v, w);
      sketch.add(v, w);
    }
    const ExactWeightedQuantile exact_quantile(pairs);
    for (int i = 0; i <= 1000; ++i) {
      const double q = i / 1000.0;
      const double exact = exact_quantile(q);
      const double estimate = sketch.quantile(q);
      EXPECT_LE(std::fabs(estimate - exact), (a + 1e-12) * std::fabs(exact))
          << "a=" << a << " q=" << q << " exact=" << exact << " estimate=" << estimate;
    }
    // And not merely the unweighted quantile: the weights move the median far.
    std::vector<double> values;
    for (const auto& p : pairs) {
      if (p.second > 0.0) values.push_back(p.first);
    }
    std::sort(values.begin(), values.end());
    EXPECT_NE(exact_quantile(0.5), values[(values.size() - 1) / 2]);
  }
}

// The closed-form test of conditioning: a normal prior N(2, 1), one observation y = 3 with a
// normal likelihood of standard deviation 0.5. The posterior is normal with precision
// 1 / 1 + 1 / 0.25 = 5: N(2.8, 1 / sqrt(5)). Weighting 200,000 prior draws by the likelihood
// must reproduce its mean and quantiles within Monte Carlo error and the sketch's accuracy.
TEST(WeightedQuantileSketch, ReproducesAClosedFormNormalPosterior) {
  constexpr double mu0 = 2.0;
  constexpr double sd0 = 1.0;
  constexpr double y = 3.0;
  constexpr double s = 0.5;
  const double precision = 1.0 / (sd0 * sd0) + 1.0 / (s * s);
  const double mu = (mu0 / (sd0 * sd0) + y / (s * s)) / precision;
  const double sd = 1.0 / std::sqrt(precision);
  constexpr std::size_t n = 200000;
  Generator gen(2718);
  std::vector<double> x(n);
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i) {
    x[i] = mu0 + sd0 * gen.normal();
    w[i] = std::exp(-(x[i] - y) * (x[i] - y) / (2.0 * s * s));
  }
  for (const double a : {QuantileSketch::default_relative_accuracy, 0.001}) {
    SummaryCell cell(a, true);
    cell.add_weighted_strided(x.data(), w.data(), n, 1, false);
    WeightedQuantileSketch sketch(a);
    sketch.add_finite(x.data(), w.data(), n);

    // Self-normalised importance sampling: an estimate sum(w g) / sum(w) has variance about
    // sum(w^2 (g - estimate)^2) / sum(w)^2. The effective sample size here is about 0.42 n.
    const double total = cell.total_weight();
    const double ess = total * total / cell.sum_of_squared_weights();
    EXPECT_GT(ess, 0.40 * static_cast<double>(n));
    EXPECT_LT(ess, 0.44 * static_cast<double>(n));
    const double mean = cell.mean();
    double mean_variance = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      mean_variance += w[i] * w[i] * (x[i] - mean) * (x[i] - mean);
    }
    const double mean_se = std::sqrt(mean_variance) / total;
    EXPECT_LT(mean_se, 0.002);  // so that 4 standard errors are a sharp test
    EXPECT_NEAR(mean, mu, 4.0 * mean_se) << "a=" << a;

    // A quantile estimate's standard error: that of the weighted fraction below the true
    // quantile x_q, divided by the posterior density there. The sketch adds at most a |x_q|.
    const std::vector<std::pair<double, double>> levels = {
        {0.05, -1.6448536269514722}, {0.5, 0.0}, {0.95, 1.6448536269514722}};
    std::vector<double> qs;
    for (const auto& level : levels) qs.push_back(level.first);
    std::vector<double> from_cell(qs.size());
    cell.quantiles(qs, from_cell);
    for (std::size_t k = 0; k < levels.size(); ++k) {
      const auto [q, z] = levels[k];
      const double x_q = mu + sd * z;
      double variance = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        const double indicator = (x[i] <= x_q ? 1.0 : 0.0) - q;
        variance += w[i] * w[i] * indicator * indicator;
      }
      const double density = std::exp(-0.5 * z * z) / (sd * std::sqrt(2.0 * std::numbers::pi));
      const double se = std::sqrt(variance) / total / density;
      EXPECT_LT(se, 0.005);
      const double estimate = sketch.quantile(q);
      EXPECT_EQ(bits_of(from_cell[k]), bits_of(estimate));
      EXPECT_NEAR(estimate, x_q, 4.0 * se + a * std::fabs(x_q)) << "a=" << a << " q=" << q;
    }
    // Not vacuous: the prior's quantiles are far outside these tolerances.
    EXPECT_GT(std::fabs(mu0 - 1.6448536269514722 * sd0 - (mu - 1.6448536269514722 * sd)), 0.5);
  }
}

// ---------------------------------------------------------------------------------------------
// Weight 0, invalid input, batching, scale.

TEST(WeightedQuantileSketch, ZeroWeightsChangeNothing) {
  const std::vector<double> data = edge_values(3000, 31, false);
  Generator gen(32);
  WeightedQuantileSketch without(0.005);
  WeightedQuantileSketch with(0.005);
  // Values of weight 0 beyond everything else (they would move the minimum, the maximum, the
  // windows and the extreme quantiles if they counted), and an unremarkable one.
  const std::vector<double> ignored = {1e300,  -1e300, kInf,   -kInf, 0.0,
                                       -0.0,   1e-310, 5.0,    -std::numeric_limits<double>::max(),
                                       1e-200};
  std::size_t k = 0;
  for (const double v : data) {
    const double w = std::exp(gen.normal());
    without.add(v, w);
    with.add(ignored[k++ % ignored.size()], 0.0);
    with.add(v, w);
    with.add(ignored[k++ % ignored.size()], -0.0);  // -0 is a weight of zero too
  }
  std::vector<double> batch_values = ignored;
  std::vector<double> batch_weights(ignored.size(), 0.0);
  with.add_finite(batch_values.data(), batch_weights.data(), batch_values.size());
  expect_same_state(without, with, "zero weights");

  WeightedQuantileSketch only_zero;
  for (const double v : ignored) only_zero.add(v, 0.0);
  EXPECT_EQ(only_zero.count(), 0U);
  EXPECT_EQ(only_zero.total_weight(), 0.0);
  EXPECT_EQ(only_zero.memory_bytes(), 0U);
  EXPECT_TRUE(std::isnan(only_zero.quantile(0.5)));
  EXPECT_TRUE(std::isnan(only_zero.min()));
  EXPECT_TRUE(std::isnan(only_zero.max()));
}

TEST(WeightedQuantileSketch, InvalidInputsThrowAndAddNothing) {
  EXPECT_THROW(WeightedQuantileSketch{0.0}, std::invalid_argument);
  EXPECT_THROW(WeightedQuantileSketch{1.0}, std::invalid_argument);
  EXPECT_THROW(WeightedQuantileSketch{kNaN}, std::invalid_argument);
  WeightedQuantileSketch s;
  s.add(2.0, 1.5);
  for (const double w : {-1.0, -1e-300, kNaN, kInf, -kInf}) {
    EXPECT_THROW(s.add(1.0, w), std::invalid_argument) << w;
  }
  EXPECT_THROW(s.add(kNaN, 1.0), std::invalid_argument);
  EXPECT_THROW(s.add(kNaN, 0.0), std::invalid_argument);  // a NaN value is an error at any weight
  // A batch with one bad pair adds none of its pairs.
  const std::vector<double> values = {1.0, -3.0, 7.0, 9.0};
  for (const auto& weights : {std::vector<double>{1.0, 1.0, -2.0, 1.0},
                              std::vector<double>{1.0, kNaN, 1.0, 1.0}}) {
    EXPECT_THROW(s.add_finite(values.data(), weights.data(), values.size()),
                 std::invalid_argument);
  }
  const std::vector<double> with_nan = {1.0, kNaN};
  const std::vector<double> ones = {1.0, 1.0};
  EXPECT_THROW(s.add_finite(with_nan.data(), ones.data(), 2), std::invalid_argument);
  EXPECT_EQ(s.count(), 1U);
  EXPECT_EQ(s.total_weight(), 1.5);
  EXPECT_EQ(s.min(), 2.0);
  EXPECT_EQ(s.max(), 2.0);
  EXPECT_THROW((void)s.quantile(-0.1), std::invalid_argument);
  EXPECT_THROW((void)s.quantile(1.1), std::invalid_argument);
  EXPECT_THROW((void)s.quantile(kNaN), std::invalid_argument);
  std::vector<double> out(1);
  EXPECT_THROW(s.quantiles(std::vector<double>{0.1, 0.2}, out), std::invalid_argument);
  EXPECT_THROW((void)WeightedQuantileSketch::max_memory_bytes(0.0), std::invalid_argument);
}

// Weights as likelihoods produce them: mostly ordinary, with runs of tiny ones (a sample far from
// an observation), huge ones, subnormal ones and zeros. The first weight is tiny, so that later
// weights are up to 2^1700 times the first: the scale must grow several times.
std::vector<double> likelihood_weights(std::size_t n, std::uint64_t seed) {
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

TEST(WeightedQuantileSketch, AnyBatchingGivesTheSameSketch) {
  const std::vector<double> values = edge_values(5000, 41, true);
  const std::vector<double> weights = likelihood_weights(values.size(), 42);
  WeightedQuantileSketch one_by_one(0.005);
  for (std::size_t i = 0; i < values.size(); ++i) one_by_one.add(values[i], weights[i]);
  for (const std::size_t batch : {1, 7, 255, 256, 257, 1000, 100000}) {
    WeightedQuantileSketch batched(0.005);
    for (std::size_t first = 0; first < values.size(); first += batch) {
      const std::size_t k = std::min(batch, values.size() - first);
      batched.add_finite(values.data() + first, weights.data() + first, k);
    }
    expect_same_state(one_by_one, batched, "batch " + std::to_string(batch));
  }
  // The scale grew (else the sums would have overflowed to +inf): the total is right.
  long double total = 0.0L;
  for (const double w : weights) total += w;
  EXPECT_TRUE(std::isfinite(one_by_one.total_weight()));
  EXPECT_NEAR(one_by_one.total_weight() / static_cast<double>(total), 1.0, 1e-12);
}

TEST(WeightedQuantileSketch, WeightsSpanningTheWholeRangeStayAccurate) {
  // The scale grows as ever larger weights arrive; the answers are those of the definition.
  Generator gen(51);
  std::vector<std::pair<double, double>> pairs;
  WeightedQuantileSketch sketch(0.01);
  const std::vector<double> weights = likelihood_weights(20000, 52);
  for (const double w : weights) {
    const double v = 100.0 * gen.uniform() + 1.0;
    pairs.emplace_back(v, w);
    sketch.add(v, w);
  }
  const ExactWeightedQuantile exact_quantile(pairs);
  for (const double q : {0.0, 0.01, 0.1, 0.5, 0.9, 0.99, 1.0}) {
    const double exact = exact_quantile(q);
    EXPECT_LE(std::fabs(sketch.quantile(q) - exact), (0.01 + 1e-12) * exact) << "q=" << q;
  }
}

TEST(WeightedQuantileSketch, ScalingEveryWeightByAPowerOfTwoChangesNoQuantile) {
  // Only ratios of weights matter, and a power of two keeps every ratio exact.
  const std::vector<double> values = edge_values(3000, 61, true);
  Generator gen(62);
  std::vector<double> weights(values.size());
  for (double& w : weights) w = std::exp(3.0 * gen.normal());
  WeightedQuantileSketch base;
  base.add_finite(values.data(), weights.data(), values.size());
  for (const int k : {-500, -40, 40, 500}) {
    std::vector<double> scaled = weights;
    for (double& w : scaled) w = std::ldexp(w, k);
    WeightedQuantileSketch other;
    other.add_finite(values.data(), scaled.data(), values.size());
    EXPECT_EQ(other.total_weight(), std::ldexp(base.total_weight(), k));
    const std::vector<double> qs = probe_levels(values.size());
    const std::vector<double> e = quantiles_of(base, qs);
    const std::vector<double> a = quantiles_of(other, qs);
    for (std::size_t i = 0; i < qs.size(); ++i) {
      ASSERT_EQ(bits_of(a[i]), bits_of(e[i])) << "k=" << k << " q=" << qs[i];
    }
  }
}

TEST(WeightedQuantileSketch, ManyQuantilesInOnePassEqualOneAtATime) {
  WeightedQuantileSketch sketch;
  const std::vector<double> values = edge_values(20000, 71, true);
  const std::vector<double> weights = likelihood_weights(values.size(), 72);
  sketch.add_finite(values.data(), weights.data(), values.size());
  const std::vector<double> qs{0.95, 0.0, 0.5, 0.05, 1.0, 0.25, 0.75, 0.5, 0.999, 0.001};
  const std::vector<double> out = quantiles_of(sketch, qs);
  for (std::size_t i = 0; i < qs.size(); ++i) {
    EXPECT_EQ(bits_of(out[i]), bits_of(sketch.quantile(qs[i]))) << "q=" << qs[i];
  }
}

TEST(WeightedQuantileSketch, SingleValueAndClear) {
  WeightedQuantileSketch s;
  s.add(-7.25, 0.3);
  for (const double q : {0.0, 0.5, 1.0}) EXPECT_EQ(s.quantile(q), -7.25);
  s.clear();
  EXPECT_EQ(s.count(), 0U);
  EXPECT_EQ(s.total_weight(), 0.0);
  EXPECT_EQ(s.memory_bytes(), 0U);
  EXPECT_TRUE(std::isnan(s.quantile(0.5)));
  s.add(42.0, 1e-200);
  EXPECT_EQ(s.quantile(0.5), 42.0);
  EXPECT_EQ(s.total_weight(), 1e-200);
}

// ---------------------------------------------------------------------------------------------
// The memory bound: QuantileSketch's cap, with 8-byte bins.

// Values 10^k for k = -300 .. 300 in steps of 1/8 decade, both signs, plus zeros: far more bins
// than the cap at every accuracy tested.
std::vector<double> adversarial_values() {
  std::vector<double> data;
  for (int i = -2400; i <= 2400; ++i) {
    const double v = std::pow(10.0, i / 8.0);
    data.push_back(v);
    data.push_back(-v);
  }
  data.push_back(0.0);
  return data;
}

TEST(WeightedQuantileSketchMemory, BoundFollowsTheDocumentedFormula) {
  for (const double a : {0.5, 0.05, QuantileSketch::default_relative_accuracy, 0.001, 1e-4}) {
    EXPECT_EQ(WeightedQuantileSketch::max_memory_bytes(a),
              sizeof(WeightedQuantileSketch) + 2 * 8 * QuantileSketch::max_bins_per_sign(a))
        << a;
  }
  EXPECT_NEAR(static_cast<double>(WeightedQuantileSketch::max_memory_bytes(0.005)), 154e3, 1e3);
}

TEST(WeightedQuantileSketchMemory, CapHoldsForValuesSpanningTheWholeRange) {
  for (const double a : {0.05, QuantileSketch::default_relative_accuracy, 0.001}) {
    const std::size_t cap = 2 * 8 * QuantileSketch::max_bins_per_sign(a);
    std::vector<double> data = adversarial_values();
    std::vector<std::vector<double>> orders;
    std::sort(data.begin(), data.end());
    orders.push_back(data);
    orders.emplace_back(data.rbegin(), data.rend());
    shuffle(data, 4);
    orders.push_back(data);
    for (std::size_t k = 0; k < orders.size(); ++k) {
      const std::vector<double>& values = orders[k];
      // Random weights: the memory follows the values, whatever their weights.
      Generator gen(5 + k);
      std::vector<double> weights(values.size());
      for (double& w : weights) w = std::exp(2.0 * gen.normal());
      WeightedQuantileSketch weighted(a);
      weighted.add_finite(values.data(), weights.data(), values.size());
      EXPECT_LE(weighted.memory_bytes(), cap) << a << " order " << k;
      // With equal weights the collapsed sketch answers as QuantileSketch's does.
      const std::vector<double> ones(values.size(), 1.0);
      WeightedQuantileSketch unit(a);
      unit.add_finite(values.data(), ones.data(), values.size());
      EXPECT_LE(unit.memory_bytes(), cap) << a << " order " << k;
      QuantileSketch plain(a);
      plain.add_strided(values.data(), values.size());
      const std::vector<double> qs = probe_levels(values.size());
      const std::vector<double> e = quantiles_of(plain, qs);
      const std::vector<double> u = quantiles_of(unit, qs);
      for (std::size_t i = 0; i < qs.size(); ++i) {
        ASSERT_EQ(bits_of(u[i]), bits_of(e[i])) << a << " order " << k << " q=" << qs[i];
      }
    }
  }
}

TEST(WeightedQuantileSketchMemory, AccuracyHoldsWithin2To128OfTheLargestMagnitude) {
  // QuantileSketch's guarantee under the cap, for weighted quantiles: log-uniform magnitudes over
  // 1e-300 .. 1e300 of both signs, random weights; the collapse must engage (checked).
  for (const double a : {QuantileSketch::default_relative_accuracy, 0.02}) {
    Generator gen(12);
    std::vector<std::pair<double, double>> pairs;
    WeightedQuantileSketch sketch(a);
    double largest_positive = 0.0;
    double largest_negative = 0.0;
    for (int i = 0; i < 100000; ++i) {
      const double magnitude = std::pow(10.0, -300.0 + 600.0 * gen.uniform());
      const double v = gen.uniform() < 0.3 ? -magnitude : magnitude;
      const double w = std::exp(gen.normal());
      pairs.emplace_back(v, w);
      sketch.add(v, w);
      (v > 0 ? largest_positive : largest_negative) =
          std::max(v > 0 ? largest_positive : largest_negative, magnitude);
    }
    std::size_t collapsed = 0;
    const ExactWeightedQuantile exact_quantile(pairs);
    for (int i = 1; i < 1000; ++i) {
      const double q = i / 1000.0;
      const double exact = exact_quantile(q);
      const double estimate = sketch.quantile(q);
      const double floor = std::ldexp(exact > 0 ? largest_positive : largest_negative, -128);
      if (std::fabs(exact) >= floor) {
        EXPECT_LE(std::fabs(estimate - exact), (a + 1e-12) * std::fabs(exact)) << "q=" << q;
      } else {
        ++collapsed;
        EXPECT_EQ(std::signbit(estimate), std::signbit(exact)) << "q=" << q;
        EXPECT_GE(std::fabs(estimate), std::fabs(exact)) << "q=" << q;
        EXPECT_LE(std::fabs(estimate), floor * (1.0 + 1e-12)) << "q=" << q;
      }
    }
    EXPECT_GT(collapsed, 100U);  // not vacuous
    EXPECT_LE(sketch.memory_bytes(), 2 * 8 * QuantileSketch::max_bins_per_sign(a));
  }
}

}  // namespace
