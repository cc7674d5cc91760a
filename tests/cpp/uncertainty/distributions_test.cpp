// Tests for gapcast::Distribution.
//
// Strategy. Every continuous form is checked three ways:
//   * its quantile() against an independent reference CDF written here from the textbook
//     closed form (std::erfc, polynomials, logs), never from Boost, so that a wrong parameter
//     mapping in the implementation cannot be reproduced by the reference;
//   * 200,000 draws (Philox uniforms through quantile()) against both quantile() and the
//     reference CDF, with bands derived from sampling error;
//   * mean() against a closed form and against the sample mean.
// Sampling bands: for continuous F, F(empirical p-quantile) has standard deviation
// sqrt(p (1 - p) / n); a frequency has sqrt(w (1 - w) / n); a sample mean has s / sqrt(n).
// All bands are kZ = 5 standard errors wide: with fixed seeds the tests are deterministic, and
// 5 SE keeps a correct implementation clear of the edges while a shift of a few hundredths of
// a standard deviation in a median is still caught.
#include "gapcast/uncertainty/distributions.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <numbers>
#include <numeric>
#include <string>
#include <vector>

#include "gapcast/sampling/random_stream.hpp"

namespace gapcast {
namespace {

constexpr std::size_t kDraws = 200'000;
constexpr double kZ = 5.0;
constexpr std::uint64_t kSeed = 0x6a09e667f3bcc908ULL;
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kLevels[] = {0.05, 0.25, 0.5, 0.75, 0.95};
// Standard normal quantiles, from tables (independent of the code under test).
constexpr double kZ95 = 1.6448536269514722;  // Phi^-1(0.95)
constexpr double kZ90 = 1.2815515655446004;  // Phi^-1(0.90)
constexpr double kZ75 = 0.6744897501960817;  // Phi^-1(0.75)

double Phi(double x) { return 0.5 * std::erfc(-x / std::numbers::sqrt2); }
double phi(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi); }

// Composite Simpson rule; n even. Used for reference means of truncated forms, split at any
// kink of the density so the rule stays accurate.
double Simpson(const std::function<double(double)>& f, double a, double b, int n = 20000) {
  const double h = (b - a) / n;
  double s = f(a) + f(b);
  for (int i = 1; i < n; ++i) s += f(a + i * h) * (i % 2 == 1 ? 4.0 : 2.0);
  return s * h / 3.0;
}

std::vector<double> Draw(const Distribution& d, std::uint64_t stream, std::size_t n = kDraws) {
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = d.quantile(uniform_at(kSeed, stream, i, 0));
  return x;
}

double SampleMean(const std::vector<double>& x) {
  return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}
double SampleSd(const std::vector<double>& x) {
  const double m = SampleMean(x);
  double s = 0.0;
  for (const double v : x) s += (v - m) * (v - m);
  return std::sqrt(s / static_cast<double>(x.size() - 1));
}
double Frequency(const std::vector<double>& x, const std::function<bool(double)>& pred) {
  return static_cast<double>(std::count_if(x.begin(), x.end(), pred)) /
         static_cast<double>(x.size());
}
double FrequencyBand(double w, std::size_t n) {
  return kZ * std::sqrt(w * (1.0 - w) / static_cast<double>(n));
}

// The empirical quantile of sorted data: the ceil(p n)-th order statistic.
double EmpiricalQuantile(const std::vector<double>& sorted, double p) {
  const auto k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::max<std::size_t>(k, 1) - 1];
}

template <class F>
std::string MessageOf(F&& f) {
  try {
    f();
  } catch (const DistributionError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected a DistributionError";
  return {};
}

// ------------------------------------------------------------------ continuous forms

struct ContinuousCase {
  std::string name;
  std::function<Distribution()> make;
  std::function<double(double)> ref_cdf;  // independent closed form
  double ref_mean;
};

double TriangularCdf(double x, double a, double c, double b) {
  if (x <= a) return 0.0;
  if (x >= b) return 1.0;
  if (x <= c) return (x - a) * (x - a) / ((b - a) * (c - a));
  return 1.0 - (b - x) * (b - x) / ((b - a) * (b - c));
}
// I_y(2, 4) = P(Binomial(5, y) >= 2): the CDF of Beta(2, 4), which is PERT(0, 0.25, 1).
double Beta24Cdf(double y) {
  y = std::clamp(y, 0.0, 1.0);
  return 1.0 - std::pow(1.0 - y, 5) - 5.0 * y * std::pow(1.0 - y, 4);
}
double Beta24Pdf(double y) { return 20.0 * y * std::pow(1.0 - y, 3); }
// I_y(2, 3) = 6y^2 - 8y^3 + 3y^4.
double Beta23Cdf(double y) {
  y = std::clamp(y, 0.0, 1.0);
  return 6 * y * y - 8 * y * y * y + 3 * y * y * y * y;
}
// Two-piece (split) lognormal through (2, 3, 10) at (5%, 50%, 95%).
const double kTwoPieceSl = std::log(3.0 / 2.0) / kZ95;
const double kTwoPieceSh = std::log(10.0 / 3.0) / kZ95;
double TwoPieceLogCdf(double x) {
  if (x <= 0) return 0.0;
  const double d = std::log(x / 3.0);
  return Phi(d / (d < 0 ? kTwoPieceSl : kTwoPieceSh));
}
// Density of one half (the density jumps at the median, so each half is integrated apart).
double TwoPieceLogPdf(double x, double s) {
  const double d = std::log(x / 3.0);
  return phi(d / s) / (x * s);
}
double BimodalCdf(double x) { return 0.3 * Phi(x + 5.0) + 0.7 * Phi((x - 5.0) / 2.0); }

std::vector<ContinuousCase> ContinuousCases() {
  const double ln_mu = 0.5 * std::log(2.8 * 6.0), ln_sigma = std::log(6.0 / 2.8) / (2 * kZ95);
  const double tn_mass = Phi(2.0) - Phi(-1.0);
  const double tl_mass = Phi(std::log(3.0)) - Phi(std::log(0.5));
  auto trunc_cdf = [](std::function<double(double)> f, double lo, double hi) {
    return [f, lo, hi](double x) {
      if (x <= lo) return 0.0;
      if (x >= hi) return 1.0;
      return (f(x) - f(lo)) / (f(hi) - f(lo));
    };
  };
  const auto tri = [](double x) { return TriangularCdf(x, 1, 3, 7); };
  const double tri_mass = tri(6) - tri(2);
  const double tri_mean =
      (Simpson([](double x) { return x * (x - 1) * 2 / (6.0 * 2.0); }, 2, 3) +
       Simpson([](double x) { return x * (7 - x) * 2 / (6.0 * 4.0); }, 3, 6)) /
      tri_mass;
  const double pert_mass = Beta24Cdf(0.6) - Beta24Cdf(0.1);
  const double pert_mean = Simpson([](double y) { return y * Beta24Pdf(y); }, 0.1, 0.6) / pert_mass;
  const double tp_mass = TwoPieceLogCdf(8) - TwoPieceLogCdf(2.5);
  const double tp_mean =
      (Simpson([](double x) { return x * TwoPieceLogPdf(x, kTwoPieceSl); }, 2.5, 3) +
       Simpson([](double x) { return x * TwoPieceLogPdf(x, kTwoPieceSh); }, 3, 8)) /
      tp_mass;
  const double bm_mass = BimodalCdf(6) - BimodalCdf(-6);
  const double bm_mean =
      (Simpson([](double x) { return x * (0.3 * phi(x + 5) + 0.35 * phi((x - 5) / 2)); }, -6, 6)) /
      bm_mass;

  return {
      {"uniform", [] { return Distribution::uniform(2, 5); },
       [](double x) { return std::clamp((x - 2) / 3, 0.0, 1.0); }, 3.5},
      {"log_uniform", [] { return Distribution::log_uniform(1, 100); },
       [](double x) { return x <= 1 ? 0.0 : std::min(1.0, std::log10(x) / 2); },
       99 / std::log(100.0)},
      {"normal", [] { return Distribution::normal(10, 2); },
       [](double x) { return Phi((x - 10) / 2); }, 10},
      {"normal_from_interval", [] { return Distribution::normal_from_interval(4, 16); },
       [](double x) { return Phi((x - 10) / (6 / kZ95)); }, 10},
      {"lognormal", [] { return Distribution::lognormal(1, 0.5); },
       [](double x) { return x <= 0 ? 0.0 : Phi((std::log(x) - 1) / 0.5); }, std::exp(1.125)},
      {"lognormal_from_interval", [] { return Distribution::lognormal_from_interval(2.8, 6); },
       [=](double x) { return x <= 0 ? 0.0 : Phi((std::log(x) - ln_mu) / ln_sigma); },
       std::exp(ln_mu + ln_sigma * ln_sigma / 2)},
      {"triangular", [] { return Distribution::triangular(1, 3, 7); }, tri, 11.0 / 3},
      {"triangular_mode_at_low", [] { return Distribution::triangular(0, 0, 1); },
       [](double x) { return TriangularCdf(x, 0, 0, 1); }, 1.0 / 3},
      {"pert", [] { return Distribution::pert(0, 0.25, 1); }, Beta24Cdf, 1.0 / 3},
      {"pert_scaled", [] { return Distribution::pert(10, 12.5, 20); },
       [](double x) { return Beta24Cdf((x - 10) / 10); }, (10 + 4 * 12.5 + 20) / 6},
      {"beta", [] { return Distribution::beta(2, 3); }, Beta23Cdf, 0.4},
      // Arcsine law: U-shaped density with integrable poles at both ends.
      {"beta_arcsine_scaled", [] { return Distribution::beta(0.5, 0.5, -1, 1); },
       [](double x) {
         const double y = std::clamp((x + 1) / 2, 0.0, 1.0);
         return 2 / std::numbers::pi * std::asin(std::sqrt(y));
       },
       0.0},
      {"percentiles_log", [] { return Distribution::from_percentiles(2, 3, 10); }, TwoPieceLogCdf,
       3 * (std::exp(kTwoPieceSl * kTwoPieceSl / 2) * Phi(-kTwoPieceSl) +
            std::exp(kTwoPieceSh * kTwoPieceSh / 2) * Phi(kTwoPieceSh))},
      {"percentiles_linear",
       [] { return Distribution::from_percentiles(-5, 0, 20, 0.1, 0.9, false); },
       [](double x) { return Phi(x < 0 ? x / (5 / kZ90) : x / (20 / kZ90)); },
       (20 / kZ90 - 5 / kZ90) / std::sqrt(2 * std::numbers::pi)},
      {"mixture_bimodal",
       [] {
         return Distribution::mixture({Distribution::normal(-5, 1), Distribution::normal(5, 2)},
                                      {3, 7});
       },
       BimodalCdf, 2.0},
      {"truncated_normal", [] { return Distribution::normal(0, 1).truncated(-1, 2); },
       [=](double x) { return std::clamp((Phi(x) - Phi(-1)) / tn_mass, 0.0, 1.0); },
       (phi(-1) - phi(2)) / tn_mass},
      {"truncated_normal_half_infinite",
       [] { return Distribution::normal(10, 5).truncated(0, kInf); },
       [](double x) { return x <= 0 ? 0.0 : (Phi((x - 10) / 5) - Phi(-2)) / Phi(2); },
       10 + 5 * phi(-2) / Phi(2)},
      {"truncated_lognormal", [] { return Distribution::lognormal(0, 1).truncated(0.5, 3); },
       trunc_cdf([](double x) { return x <= 0 ? 0.0 : Phi(std::log(x)); }, 0.5, 3),
       std::exp(0.5) * (Phi(std::log(3.0) - 1) - Phi(std::log(0.5) - 1)) / tl_mass},
      {"truncated_uniform", [] { return Distribution::uniform(2, 5).truncated(3, 10); },
       [](double x) { return std::clamp((x - 3) / 2, 0.0, 1.0); }, 4.0},
      {"truncated_log_uniform", [] { return Distribution::log_uniform(1, 100).truncated(10, 1e3); },
       [](double x) { return std::clamp(std::log10(x) - 1, 0.0, 1.0); }, 90 / std::log(10.0)},
      {"truncated_triangular", [] { return Distribution::triangular(1, 3, 7).truncated(2, 6); },
       trunc_cdf(tri, 2, 6), tri_mean},
      {"truncated_pert", [] { return Distribution::pert(0, 0.25, 1).truncated(0.1, 0.6); },
       trunc_cdf(Beta24Cdf, 0.1, 0.6), pert_mean},
      {"truncated_percentiles",
       [] { return Distribution::from_percentiles(2, 3, 10).truncated(2.5, 8); },
       trunc_cdf(TwoPieceLogCdf, 2.5, 8), tp_mean},
      // Truncating a mixture reweights truncated components; the result is a mixture again.
      {"truncated_mixture",
       [] {
         return Distribution::mixture({Distribution::normal(-5, 1), Distribution::normal(5, 2)},
                                      {3, 7})
             .truncated(-6, 6);
       },
       trunc_cdf(BimodalCdf, -6, 6), bm_mean},
  };
}

class ContinuousDistribution : public ::testing::TestWithParam<ContinuousCase> {
 protected:
  // Draws are shared by the tests of one case; each case has its own stream.
  static const std::vector<double>& SortedDraws(const ContinuousCase& c) {
    static std::map<std::string, std::vector<double>> cache;
    auto it = cache.find(c.name);
    if (it == cache.end()) {
      std::vector<double> x = Draw(c.make(), stream_id(c.name));
      std::sort(x.begin(), x.end());
      it = cache.emplace(c.name, std::move(x)).first;
    }
    return it->second;
  }
};

TEST_P(ContinuousDistribution, SampleQuantilesMatchQuantileFunctionAndReferenceCdf) {
  const ContinuousCase& c = GetParam();
  const Distribution d = c.make();
  const std::vector<double>& x = SortedDraws(c);
  for (const double p : kLevels) {
    const double band = kZ * std::sqrt(p * (1 - p) / static_cast<double>(x.size()));
    const double q_hat = EmpiricalQuantile(x, p);
    SCOPED_TRACE("p = " + std::to_string(p));
    // Against the reference CDF: F(empirical quantile) must be within the binomial band of p.
    EXPECT_NEAR(c.ref_cdf(q_hat), p, band);
    // Against quantile(): the empirical quantile lies between quantile(p -+ band).
    EXPECT_GE(q_hat, d.quantile(p - band));
    EXPECT_LE(q_hat, d.quantile(p + band));
  }
}

TEST_P(ContinuousDistribution, QuantileFunctionAgreesWithReferenceCdf) {
  const ContinuousCase& c = GetParam();
  const Distribution d = c.make();
  for (double p = 0.01; p < 1.0; p += 0.01) {
    EXPECT_NEAR(c.ref_cdf(d.quantile(p)), p, 1e-9) << "p = " << p;
  }
}

TEST_P(ContinuousDistribution, CdfMatchesReferenceCdf) {
  const ContinuousCase& c = GetParam();
  const Distribution d = c.make();
  const std::vector<double>& x = SortedDraws(c);
  for (std::size_t i = 0; i < x.size(); i += 997) {
    EXPECT_NEAR(d.cdf(x[i]), c.ref_cdf(x[i]), 1e-9) << "x = " << x[i];
  }
  EXPECT_EQ(d.cdf(-kInf), 0.0);
  EXPECT_EQ(d.cdf(kInf), 1.0);
}

TEST_P(ContinuousDistribution, CdfInvertsQuantileIncludingTails) {
  const ContinuousCase& c = GetParam();
  const Distribution d = c.make();
  for (const double u : {1e-12, 1e-8, 1e-4, 0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99, 1 - 1e-6}) {
    const double q = d.quantile(u);
    // Relative accuracy 1e-9, plus whatever the CDF moves across one ulp of q: near a finite
    // end of the support (an arcsine law on [-1, 1] at u = 1e-12, say) x itself cannot be
    // represented any closer.
    const double ulp_span =
        c.ref_cdf(std::nextafter(q, kInf)) - c.ref_cdf(std::nextafter(q, -kInf));
    EXPECT_NEAR(d.cdf(q), u, 1e-9 * u + 1e-14 + ulp_span) << "u = " << u;
  }
}

TEST_P(ContinuousDistribution, MeanMatchesClosedFormAndSampleMean) {
  const ContinuousCase& c = GetParam();
  const Distribution d = c.make();
  const std::vector<double>& x = SortedDraws(c);
  EXPECT_NEAR(d.mean(), c.ref_mean, 1e-9 * std::max(1.0, std::fabs(c.ref_mean)));
  const double se = SampleSd(x) / std::sqrt(static_cast<double>(x.size()));
  EXPECT_NEAR(SampleMean(x), d.mean(), kZ * se);
}

TEST_P(ContinuousDistribution, DrawsStayInsideSupport) {
  const ContinuousCase& c = GetParam();
  const Distribution d = c.make();
  const std::vector<double>& x = SortedDraws(c);
  EXPECT_GE(x.front(), d.support_low());
  EXPECT_LE(x.back(), d.support_high());
  EXPECT_LE(d.support_low(), d.support_high());
}

TEST_P(ContinuousDistribution, QuantileIsMonotone) {
  const Distribution d = GetParam().make();
  double previous = -kInf;
  for (int i = 1; i < 10000; ++i) {
    const double q = d.quantile(i / 10000.0);
    ASSERT_GE(q, previous) << "u = " << i / 10000.0;
    previous = q;
  }
}

TEST_P(ContinuousDistribution, DescriptionGivesMedianAndNinetyPercentInterval) {
  const std::string text = GetParam().make().describe();
  EXPECT_NE(text.find(": median "), std::string::npos) << text;
  EXPECT_NE(text.find(", 90% interval "), std::string::npos) << text;
}

INSTANTIATE_TEST_SUITE_P(AllKinds, ContinuousDistribution, ::testing::ValuesIn(ContinuousCases()),
                         [](const ::testing::TestParamInfo<ContinuousCase>& case_info) {
                           return case_info.param.name;
                         });

// ------------------------------------------------------------------ closed-form spot values

TEST(Normal, QuantilesEqualMeanPlusTabulatedZTimesSd) {
  const Distribution d = Distribution::normal(10, 2);
  EXPECT_NEAR(d.quantile(0.95), 10 + kZ95 * 2, 1e-12);
  EXPECT_NEAR(d.quantile(0.05), 10 - kZ95 * 2, 1e-12);
  EXPECT_NEAR(d.quantile(0.75), 10 + kZ75 * 2, 1e-12);
  EXPECT_EQ(d.median(), 10.0);
}

TEST(Normal, FromIntervalHitsBothEndsOfTheInterval) {
  const Distribution d = Distribution::normal_from_interval(4, 16);
  EXPECT_NEAR(d.quantile(0.05), 4, 1e-12);
  EXPECT_NEAR(d.quantile(0.95), 16, 1e-12);
  const Distribution d80 = Distribution::normal_from_interval(-3, 1, 0.8);
  EXPECT_NEAR(d80.quantile(0.1), -3, 1e-12);
  EXPECT_NEAR(d80.quantile(0.9), 1, 1e-12);
}

TEST(Lognormal, FromIntervalHitsBothEndsExactly) {
  const Distribution d = Distribution::lognormal_from_interval(2.8, 6);
  EXPECT_NEAR(d.quantile(0.05) / 2.8, 1.0, 1e-12);
  EXPECT_NEAR(d.quantile(0.95) / 6.0, 1.0, 1e-12);
  EXPECT_NEAR(d.median() / std::sqrt(2.8 * 6.0), 1.0, 1e-12);
  const Distribution d50 = Distribution::lognormal_from_interval(5, 10, 0.5);
  EXPECT_NEAR(d50.quantile(0.25) / 5.0, 1.0, 1e-12);
  EXPECT_NEAR(d50.quantile(0.75) / 10.0, 1.0, 1e-12);
}

TEST(Lognormal, MedianIsExpMu) {
  EXPECT_NEAR(Distribution::lognormal(1, 0.5).median(), std::numbers::e, 1e-14);
  EXPECT_EQ(Distribution::lognormal(1, 0.5).support_low(), 0.0);
  EXPECT_EQ(Distribution::lognormal(1, 0.5).cdf(-3), 0.0);
}

TEST(Uniform, QuantileIsLinearAndExactAtTheEnds) {
  const Distribution d = Distribution::uniform(2, 5);
  for (const double p : kLevels) EXPECT_NEAR(d.quantile(p), 2 + 3 * p, 1e-14);
  EXPECT_GE(d.quantile(1e-300), 2.0);
  EXPECT_LE(d.quantile(std::nextafter(1.0, 0.0)), 5.0);
}

TEST(LogUniform, QuantileIsGeometric) {
  const Distribution d = Distribution::log_uniform(1, 100);
  for (const double p : kLevels) EXPECT_NEAR(d.quantile(p), std::pow(10.0, 2 * p), 1e-12);
}

TEST(Triangular, QuantileMatchesClosedForm) {
  const Distribution d = Distribution::triangular(1, 3, 7);
  // F(mode) = (3 - 1) / (7 - 1) = 1/3; below it x = a + sqrt(u (b - a)(c - a)).
  for (const double p : kLevels) {
    const double expected = p < 1.0 / 3 ? 1 + std::sqrt(12 * p) : 7 - std::sqrt(24 * (1 - p));
    EXPECT_NEAR(d.quantile(p), expected, 1e-12) << "p = " << p;
  }
  EXPECT_NEAR(d.quantile(1.0 / 3), 3.0, 1e-12);
}

TEST(Pert, MeanIsLowPlusLambdaModePlusHighOverLambdaPlusTwo) {
  EXPECT_NEAR(Distribution::pert(1, 2, 9).mean(), (1 + 4 * 2 + 9) / 6.0, 1e-14);
  EXPECT_NEAR(Distribution::pert(1, 2, 9, 6).mean(), (1 + 6 * 2 + 9) / 8.0, 1e-14);
  // With lambda = 6 the sample mean must follow the formula too.
  const std::vector<double> x = Draw(Distribution::pert(1, 2, 9, 6), stream_id("pert-lambda-6"));
  EXPECT_NEAR(SampleMean(x), (1 + 6 * 2 + 9) / 8.0,
              kZ * SampleSd(x) / std::sqrt(static_cast<double>(x.size())));
}

TEST(Pert, SymmetricPertHasMedianAtMode) {
  EXPECT_NEAR(Distribution::pert(0, 5, 10).median(), 5.0, 1e-12);
}

TEST(Beta, MedianMatchesBisectionOfPolynomialCdf) {
  // Reference median of Beta(2, 3), found by bisection of 6y^2 - 8y^3 + 3y^4 = 1/2.
  double lo = 0, hi = 1;
  for (int i = 0; i < 200; ++i) (Beta23Cdf(0.5 * (lo + hi)) < 0.5 ? lo : hi) = 0.5 * (lo + hi);
  EXPECT_NEAR(Distribution::beta(2, 3).median(), lo, 1e-12);
  EXPECT_NEAR(Distribution::beta(2, 3, 10, 20).median(), 10 + 10 * lo, 1e-11);
  EXPECT_NEAR(lo, 0.38572756813238945, 1e-12);  // published value of the Beta(2, 3) median
}

TEST(Beta, ArcsineQuantileIsSineSquared) {
  const Distribution d = Distribution::beta(0.5, 0.5);
  for (const double p : kLevels) {
    const double s = std::sin(std::numbers::pi * p / 2);
    EXPECT_NEAR(d.quantile(p), s * s, 1e-12);
  }
}

TEST(Beta, QuantileReachesTheCopulasSmallestUniform) {
  // The copula hands quantile() uniforms down to DBL_MIN; there Boost's inverse finds no root
  // and used to throw. Beta(3, 3): I_y = 10 y^3 (1 + O(y)), so quantile(u) = (u / 10)^(1/3).
  const Distribution d = Distribution::beta(3, 3);
  for (const double u : {std::numeric_limits<double>::min(), 1e-300, 1e-250}) {
    EXPECT_NEAR(d.quantile(u) / std::cbrt(u / 10), 1.0, 1e-12) << u;
  }
  // PERT(2, 4, 6) is Beta(3, 3) on [2, 6]: its smallest draw is 2 + 4 * 2.8e-103, i.e. 2.
  EXPECT_EQ(Distribution::pert(2, 4, 6).quantile(std::numeric_limits<double>::min()), 2.0);
}

// ------------------------------------------------------------------ discrete forms

TEST(Bernoulli, FrequencyOfOnesIsP) {
  const Distribution d = Distribution::bernoulli(0.3);
  const std::vector<double> x = Draw(d, stream_id("bernoulli"));
  EXPECT_NEAR(Frequency(x, [](double v) { return v == 1.0; }), 0.3, FrequencyBand(0.3, x.size()));
  EXPECT_TRUE(std::all_of(x.begin(), x.end(), [](double v) { return v == 0.0 || v == 1.0; }));
  EXPECT_DOUBLE_EQ(d.mean(), 0.3);
  EXPECT_NEAR(SampleMean(x), 0.3, FrequencyBand(0.3, x.size()));
}

TEST(Bernoulli, QuantileIsSmallestValueWithCumulativeProbabilityAtLeastU) {
  const Distribution d = Distribution::bernoulli(0.25);
  EXPECT_EQ(d.quantile(0.75), 0.0);  // P(X <= 0) = 0.75 >= 0.75
  EXPECT_EQ(d.quantile(std::nextafter(0.75, 1.0)), 1.0);
  EXPECT_EQ(d.median(), 0.0);
  EXPECT_EQ(d.cdf(-0.5), 0.0);
  EXPECT_EQ(d.cdf(0.0), 0.75);
  EXPECT_EQ(d.cdf(0.999), 0.75);
  EXPECT_EQ(d.cdf(1.0), 1.0);
}

TEST(Bernoulli, ProbabilitiesZeroAndOneAreDegenerate) {
  const Distribution never = Distribution::bernoulli(0), always = Distribution::bernoulli(1);
  for (const double u : {1e-16, 0.5, 1 - 1e-16}) {
    EXPECT_EQ(never.quantile(u), 0.0);
    EXPECT_EQ(always.quantile(u), 1.0);
  }
  EXPECT_EQ(never.support_high(), 0.0);
  EXPECT_EQ(always.support_low(), 1.0);
}

TEST(Discrete, SortsValuesAndKeepsWeightsAligned) {
  const Distribution d = Distribution::discrete({5, 1, 3}, {2, 5, 3});
  const auto& v = std::get<DiscreteDist>(d.variant());
  EXPECT_EQ(v.values, (std::vector<double>{1, 3, 5}));
  ASSERT_EQ(v.weights.size(), 3u);
  EXPECT_DOUBLE_EQ(v.weights[0], 0.5);
  EXPECT_DOUBLE_EQ(v.weights[1], 0.3);
  EXPECT_DOUBLE_EQ(v.weights[2], 0.2);
}

TEST(Discrete, FrequenciesMatchWeights) {
  const Distribution d = Distribution::discrete({5, 1, 3, 7}, {0.2, 0.5, 0.3, 0.0});
  const std::vector<double> x = Draw(d, stream_id("discrete"));
  const std::map<double, double> expected = {{1, 0.5}, {3, 0.3}, {5, 0.2}};
  for (const auto& [value, w] : expected) {
    EXPECT_NEAR(Frequency(x, [value = value](double s) { return s == value; }), w,
                FrequencyBand(w, x.size()))
        << "value " << value;
  }
  EXPECT_EQ(Frequency(x, [](double s) { return s == 7.0; }), 0.0);  // zero weight: never drawn
  EXPECT_DOUBLE_EQ(d.mean(), 0.5 * 1 + 0.3 * 3 + 0.2 * 5);
  EXPECT_EQ(d.support_low(), 1.0);
  EXPECT_EQ(d.support_high(), 5.0);  // 7 has no weight
}

TEST(Discrete, QuantileAndCdfFollowTheCumulativeWeights) {
  const Distribution d = Distribution::discrete({1, 3, 5}, {0.5, 0.25, 0.25});
  EXPECT_EQ(d.quantile(0.5), 1.0);
  EXPECT_EQ(d.quantile(std::nextafter(0.5, 1.0)), 3.0);
  EXPECT_EQ(d.quantile(0.75), 3.0);
  EXPECT_EQ(d.quantile(std::nextafter(1.0, 0.0)), 5.0);
  EXPECT_EQ(d.cdf(0.9), 0.0);
  EXPECT_EQ(d.cdf(1.0), 0.5);
  EXPECT_EQ(d.cdf(4.0), 0.75);
  EXPECT_EQ(d.cdf(5.0), 1.0);
}

TEST(Point, AlwaysReturnsItsValue) {
  const Distribution d = Distribution::point(3.5);
  EXPECT_TRUE(d.is_point());
  for (const double u : {1e-300, 0.5, 1 - 1e-16}) EXPECT_EQ(d.quantile(u), 3.5);
  EXPECT_EQ(d.mean(), 3.5);
  EXPECT_EQ(d.cdf(3.49), 0.0);
  EXPECT_EQ(d.cdf(3.5), 1.0);
  EXPECT_EQ(d.support_low(), 3.5);
  EXPECT_EQ(d.support_high(), 3.5);
  EXPECT_EQ(d.describe(), "point: 3.5");
}

// ------------------------------------------------------------------ two-piece (percentiles)

TEST(Percentiles, PassesExactlyThroughTheThreeGivenPercentiles) {
  const Distribution log = Distribution::from_percentiles(2, 3, 10);
  EXPECT_NEAR(log.quantile(0.05) / 2.0, 1.0, 1e-12);
  EXPECT_NEAR(log.quantile(0.5) / 3.0, 1.0, 1e-12);
  EXPECT_NEAR(log.quantile(0.95) / 10.0, 1.0, 1e-12);
  const Distribution lin = Distribution::from_percentiles(-5, 0, 20, 0.1, 0.9, false);
  EXPECT_NEAR(lin.quantile(0.1), -5.0, 1e-12);
  EXPECT_NEAR(lin.quantile(0.5), 0.0, 1e-12);
  EXPECT_NEAR(lin.quantile(0.9), 20.0, 1e-12);
  const Distribution odd = Distribution::from_percentiles(0.01, 0.5, 400, 0.02, 0.99);
  EXPECT_NEAR(odd.quantile(0.02) / 0.01, 1.0, 1e-12);
  EXPECT_NEAR(odd.quantile(0.99) / 400.0, 1.0, 1e-12);
}

TEST(Percentiles, HalvesUseTheirOwnScale) {
  const Distribution d = Distribution::from_percentiles(2, 3, 10);
  const auto& v = std::get<TwoPieceDist>(d.variant());
  EXPECT_NEAR(v.median, std::log(3.0), 1e-15);
  EXPECT_NEAR(v.sd_low, kTwoPieceSl, 1e-14);
  EXPECT_NEAR(v.sd_high, kTwoPieceSh, 1e-14);
  EXPECT_TRUE(v.log_space);
}

// ------------------------------------------------------------------ mixture

TEST(Mixture, ComponentFrequenciesMatchWeights) {
  // Disjoint supports make the component of every draw identifiable.
  const Distribution d = Distribution::mixture(
      {Distribution::uniform(0, 1), Distribution::uniform(10, 11), Distribution::point(20)},
      {0.2, 0.5, 0.3});
  const std::vector<double> x = Draw(d, stream_id("mixture-frequencies"));
  EXPECT_NEAR(Frequency(x, [](double v) { return v < 1; }), 0.2, FrequencyBand(0.2, x.size()));
  EXPECT_NEAR(Frequency(x, [](double v) { return v >= 10 && v <= 11; }), 0.5,
              FrequencyBand(0.5, x.size()));
  EXPECT_NEAR(Frequency(x, [](double v) { return v == 20; }), 0.3, FrequencyBand(0.3, x.size()));
  EXPECT_NEAR(d.cdf(5), 0.2, 1e-15);
  EXPECT_NEAR(d.cdf(10.5), 0.45, 1e-15);
  EXPECT_EQ(d.cdf(20), 1.0);
  EXPECT_NEAR(d.mean(), 0.2 * 0.5 + 0.5 * 10.5 + 0.3 * 20, 1e-12);
}

TEST(Mixture, QuantileIsTheInverseOfTheMixtureCdf) {
  // Overlapping equal-weight components: the median of N(0, 1) + N(1, 1) is 0.5 by symmetry.
  const Distribution d =
      Distribution::mixture({Distribution::normal(0, 1), Distribution::normal(1, 1)}, {1, 1});
  EXPECT_NEAR(d.median(), 0.5, 1e-14);
  for (const double u : {1e-10, 0.01, 0.3, 0.5, 0.77, 0.999}) {
    const double q = d.quantile(u);
    EXPECT_NEAR(d.cdf(q), u, 1e-12 + 1e-9 * u);
    EXPECT_LT(d.cdf(std::nextafter(q, -kInf)), u);  // the smallest x with F(x) >= u
  }
}

TEST(Mixture, QuantileLandsExactlyOnAnAtom) {
  const Distribution d =
      Distribution::mixture({Distribution::point(0), Distribution::uniform(1, 2)}, {1, 1});
  EXPECT_EQ(d.quantile(0.25), 0.0);
  EXPECT_EQ(d.quantile(0.5), 0.0);  // F(0) = 0.5 >= 0.5
  EXPECT_NEAR(d.quantile(0.75), 1.5, 1e-14);
  EXPECT_GE(d.quantile(std::nextafter(0.5, 1.0)), 1.0);
}

TEST(Mixture, ZeroWeightComponentIsNeverDrawn) {
  const Distribution d =
      Distribution::mixture({Distribution::point(1), Distribution::point(2)}, {1, 0});
  for (const double u : {1e-16, 0.5, 1 - 1e-16}) EXPECT_EQ(d.quantile(u), 1.0);
  EXPECT_EQ(d.support_high(), 1.0);
}

TEST(Mixture, MedianAndDescriptionUseTheTrueMedian) {
  const Distribution d = Distribution::mixture(
      {Distribution::normal(-5, 1), Distribution::normal(5, 2)}, {3, 7});
  const std::string text = d.describe();
  // The true median solves 0.3 Phi(x + 5) + 0.7 Phi((x - 5) / 2) = 0.5 (bisection here).
  double lo = -10, hi = 10;
  for (int i = 0; i < 200; ++i) (BimodalCdf(0.5 * (lo + hi)) < 0.5 ? lo : hi) = 0.5 * (lo + hi);
  EXPECT_NEAR(d.median(), lo, 1e-12);
  EXPECT_NEAR(lo, 3.868, 5e-4);
  EXPECT_NE(text.find("]: median 3.868, 90% interval"), std::string::npos) << text;
}

// ------------------------------------------------------------------ truncation

TEST(Truncated, DrawsNeverLeaveTheBounds) {
  const Distribution d = Distribution::lognormal(0, 2).truncated(0.5, 3);
  const std::vector<double> x = Draw(d, stream_id("truncated-bounds"));
  const auto [lo, hi] = std::minmax_element(x.begin(), x.end());
  EXPECT_GE(*lo, 0.5);
  EXPECT_LE(*hi, 3.0);
  EXPECT_EQ(d.kind(), "truncated");
  EXPECT_EQ(d.support_low(), 0.5);
  EXPECT_EQ(d.support_high(), 3.0);
  // Far-tail uniforms still map inside.
  EXPECT_GE(d.quantile(1e-300), 0.5);
  EXPECT_LE(d.quantile(1 - 1e-16), 3.0);
}

TEST(Truncated, SupportIsTheIntersectionWithTheBaseSupport) {
  const Distribution d = Distribution::lognormal(0, 1).truncated(-kInf, 10);
  EXPECT_EQ(d.support_low(), 0.0);
  EXPECT_EQ(d.support_high(), 10.0);
  EXPECT_EQ(Distribution::normal(0, 1).truncated(0, kInf).support_high(), kInf);
}

TEST(Truncated, TruncatingTwiceUsesTheIntersection) {
  const Distribution twice = Distribution::normal(0, 1).truncated(-2, 3).truncated(-1, 5);
  const Distribution once = Distribution::normal(0, 1).truncated(-1, 3);
  for (const double u : {0.01, 0.3, 0.5, 0.9}) {
    EXPECT_DOUBLE_EQ(twice.quantile(u), once.quantile(u));
  }
  const auto& v = std::get<TruncatedDist>(twice.variant());
  EXPECT_EQ(v.low, -1.0);
  EXPECT_EQ(v.high, 3.0);
  EXPECT_EQ(v.base[0].kind(), "normal");
}

TEST(Truncated, DiscreteTruncationRenormalisesTheRemainingValues) {
  const Distribution d = Distribution::discrete({1, 2, 3, 4}, {1, 2, 3, 4}).truncated(2, 3);
  EXPECT_EQ(d.kind(), "discrete");
  const auto& v = std::get<DiscreteDist>(d.variant());
  EXPECT_EQ(v.values, (std::vector<double>{2, 3}));  // bounds are inclusive
  EXPECT_DOUBLE_EQ(v.weights[0], 0.4);
  EXPECT_DOUBLE_EQ(v.weights[1], 0.6);
  const Distribution b = Distribution::bernoulli(0.3).truncated(0.5, 2);
  EXPECT_EQ(b.quantile(1e-9), 1.0);
  EXPECT_EQ(Distribution::point(2).truncated(0, 5).describe(), "point: 2");
}

TEST(Truncated, MixtureWithAnAtomKeepsTheAtomsShareOfMass) {
  // Half the mass sits exactly on 0, the truncation's lower bound; it must be kept.
  const Distribution d =
      Distribution::mixture({Distribution::point(0), Distribution::normal(5, 1)}, {1, 1})
          .truncated(0, 6);
  EXPECT_EQ(d.kind(), "mixture");
  const double normal_mass = Phi(1) - Phi(-5);
  const double w0 = 1 / (1 + normal_mass);
  const std::vector<double> x = Draw(d, stream_id("truncated-mixture-atom"));
  EXPECT_NEAR(Frequency(x, [](double v) { return v == 0.0; }), w0, FrequencyBand(w0, x.size()));
  EXPECT_TRUE(std::all_of(x.begin(), x.end(), [](double v) { return v >= 0 && v <= 6; }));
  EXPECT_NEAR(d.cdf(5), w0 + (1 - w0) * (Phi(0) - Phi(-5)) / normal_mass, 1e-12);
}

TEST(Truncated, BoundsWithoutProbabilityMassAreRejected) {
  EXPECT_NE(MessageOf([] { (void)Distribution::normal(0, 1).truncated(50, 60); })
                .find("truncation bounds [50, 60] leave no probability mass"),
            std::string::npos);
  EXPECT_THROW((void)Distribution::uniform(0, 1).truncated(2, 3), DistributionError);
  EXPECT_THROW((void)Distribution::discrete({1, 2}, {1, 1}).truncated(1.2, 1.8), DistributionError);
  EXPECT_THROW((void)Distribution::point(1).truncated(2, 3), DistributionError);
  EXPECT_THROW((void)Distribution::normal(0, 1).truncated(-1, 1).truncated(2, 3),
               DistributionError);
  EXPECT_THROW((void)Distribution::normal(0, 1).truncated(1, 1), DistributionError);
  EXPECT_THROW((void)Distribution::normal(0, 1).truncated(std::nan(""), 1), DistributionError);
}

// ------------------------------------------------------------------ quantile domain

TEST(Quantile, RejectsArgumentsOutsideTheOpenUnitInterval) {
  const Distribution d = Distribution::normal(0, 1);
  for (const double u : {0.0, 1.0, -0.1, 1.5, std::nan(""), kInf}) {
    EXPECT_THROW((void)d.quantile(u), std::invalid_argument) << "u = " << u;
  }
  EXPECT_THROW((void)Distribution::point(1).quantile(0.0), DistributionError);
  EXPECT_THROW((void)d.cdf(std::nan("")), DistributionError);
}

// ------------------------------------------------------------------ validation

TEST(Validation, EveryInvalidArgumentThrowsDistributionError) {
  const double nan = std::nan("");
  using D = Distribution;
  EXPECT_THROW(D::point(nan), DistributionError);
  EXPECT_THROW(D::point(kInf), DistributionError);
  EXPECT_THROW(D::uniform(5, 2), DistributionError);
  EXPECT_THROW(D::uniform(2, 2), DistributionError);
  EXPECT_THROW(D::uniform(nan, 2), DistributionError);
  EXPECT_THROW(D::uniform(0, kInf), DistributionError);
  EXPECT_THROW(D::log_uniform(0, 2), DistributionError);
  EXPECT_THROW(D::log_uniform(-1, 2), DistributionError);
  EXPECT_THROW(D::log_uniform(3, 2), DistributionError);
  EXPECT_THROW(D::normal(0, 0), DistributionError);
  EXPECT_THROW(D::normal(0, -1), DistributionError);
  EXPECT_THROW(D::normal(nan, 1), DistributionError);
  EXPECT_THROW(D::normal(0, kInf), DistributionError);
  EXPECT_THROW(D::lognormal(0, 0), DistributionError);
  EXPECT_THROW(D::lognormal(-kInf, 1), DistributionError);
  EXPECT_THROW(D::lognormal_from_interval(-1, 2), DistributionError);
  EXPECT_THROW(D::lognormal_from_interval(0, 2), DistributionError);
  EXPECT_THROW(D::lognormal_from_interval(3, 2), DistributionError);
  EXPECT_THROW(D::lognormal_from_interval(1, 2, 1.0), DistributionError);
  EXPECT_THROW(D::lognormal_from_interval(1, 2, 0.0), DistributionError);
  EXPECT_THROW(D::lognormal_from_interval(1, 2, nan), DistributionError);
  EXPECT_THROW(D::normal_from_interval(2, 1), DistributionError);
  EXPECT_THROW(D::normal_from_interval(1, 2, 1.5), DistributionError);
  EXPECT_THROW(D::normal_from_interval(1, kInf), DistributionError);
  EXPECT_THROW(D::triangular(0, 2, 1), DistributionError);
  EXPECT_THROW(D::triangular(0, -1, 1), DistributionError);
  EXPECT_THROW(D::triangular(1, 1, 1), DistributionError);
  EXPECT_THROW(D::triangular(0, nan, 1), DistributionError);
  EXPECT_THROW(D::pert(0, 2, 1), DistributionError);
  EXPECT_THROW(D::pert(1, 1, 0), DistributionError);
  EXPECT_THROW(D::pert(0, 0.5, 1, 0), DistributionError);
  EXPECT_THROW(D::pert(0, 0.5, 1, -4), DistributionError);
  EXPECT_THROW(D::pert(0, 0.5, 1, nan), DistributionError);
  EXPECT_THROW(D::beta(0, 1), DistributionError);
  EXPECT_THROW(D::beta(1, -1), DistributionError);
  EXPECT_THROW(D::beta(1, 1, 2, 1), DistributionError);
  EXPECT_THROW(D::beta(1, 1, 0, kInf), DistributionError);
  EXPECT_THROW(D::bernoulli(-0.1), DistributionError);
  EXPECT_THROW(D::bernoulli(1.5), DistributionError);
  EXPECT_THROW(D::bernoulli(nan), DistributionError);
  EXPECT_THROW(D::discrete({}, {}), DistributionError);
  EXPECT_THROW(D::discrete({1, 2}, {1}), DistributionError);
  EXPECT_THROW(D::discrete({1, 2}, {1, -1}), DistributionError);
  EXPECT_THROW(D::discrete({1, 2}, {0, 0}), DistributionError);
  EXPECT_THROW(D::discrete({1, 2}, {1, nan}), DistributionError);
  EXPECT_THROW(D::discrete({1, 2}, {1, kInf}), DistributionError);
  EXPECT_THROW(D::discrete({1, nan}, {1, 1}), DistributionError);
  EXPECT_THROW(D::discrete({2, 1, 2}, {1, 1, 1}), DistributionError);
  EXPECT_THROW(D::from_percentiles(3, 2, 10), DistributionError);
  EXPECT_THROW(D::from_percentiles(2, 3, 3), DistributionError);
  EXPECT_THROW(D::from_percentiles(-1, 3, 10), DistributionError);
  EXPECT_THROW(D::from_percentiles(0, 3, 10), DistributionError);
  EXPECT_THROW(D::from_percentiles(2, 3, 10, 0.5, 0.95), DistributionError);
  EXPECT_THROW(D::from_percentiles(2, 3, 10, 0.0, 0.95), DistributionError);
  EXPECT_THROW(D::from_percentiles(2, 3, 10, 0.05, 0.5), DistributionError);
  EXPECT_THROW(D::from_percentiles(2, 3, 10, 0.05, 1.0), DistributionError);
  EXPECT_THROW(D::from_percentiles(2, nan, 10), DistributionError);
  EXPECT_THROW(D::mixture({}, {}), DistributionError);
  EXPECT_THROW(D::mixture({D::point(1)}, {1, 2}), DistributionError);
  EXPECT_THROW(D::mixture({D::point(1), D::point(2)}, {0, 0}), DistributionError);
  EXPECT_THROW(D::mixture({D::point(1), D::point(2)}, {1, -1}), DistributionError);
  EXPECT_NO_THROW(D::from_percentiles(-1, 0, 1, 0.05, 0.95, false));  // negative fine in linear
  EXPECT_NO_THROW(D::triangular(0, 0, 1));
  EXPECT_NO_THROW(D::triangular(0, 1, 1));
  EXPECT_NO_THROW(D::bernoulli(0));
}

TEST(Validation, MessagesSayWhatWasExpectedAndWhatWasGiven) {
  auto expect_message = [](const std::string& needle, const std::string& message) {
    EXPECT_PRED_FORMAT2(::testing::IsSubstring, needle, message);
  };
  expect_message("high must be greater than low (got low=5, high=2)",
                 MessageOf([] { Distribution::uniform(5, 2); }));
  expect_message("lognormal interval needs 0 < low (got low=-1)",
                 MessageOf([] { Distribution::lognormal_from_interval(-1, 6); }));
  expect_message("sd must be positive (got 0)", MessageOf([] { Distribution::normal(1, 0); }));
  expect_message("p must be in [0, 1] (got 1.5)", MessageOf([] { Distribution::bernoulli(1.5); }));
  expect_message("weights must be non-negative and sum to a positive number",
                 MessageOf([] { Distribution::discrete({1, 2}, {0, 0}); }));
  expect_message("mode must lie in [low, high]",
                 MessageOf([] { Distribution::triangular(0, 5, 1); }));
  expect_message("values must be finite (got sd=nan)",
                 MessageOf([] { Distribution::normal(0, std::nan("")); }));
  expect_message("values must be distinct",
                 MessageOf([] { Distribution::discrete({1, 1}, {1, 1}); }));
  expect_message("interval level must be in (0, 1)",
                 MessageOf([] { Distribution::normal_from_interval(1, 2, 90); }));
  expect_message("one weight per component (got 1 components and 2 weights)",
                 MessageOf([] { Distribution::mixture({Distribution::point(1)}, {1, 1}); }));
  expect_message("x_low < x_mid < x_high",
                 MessageOf([] { Distribution::from_percentiles(5, 3, 10); }));
}

// ------------------------------------------------------------------ names and descriptions

TEST(Kind, NamesEveryForm) {
  using D = Distribution;
  EXPECT_EQ(D::point(1).kind(), "point");
  EXPECT_EQ(D::uniform(0, 1).kind(), "uniform");
  EXPECT_EQ(D::log_uniform(1, 2).kind(), "log_uniform");
  EXPECT_EQ(D::normal(0, 1).kind(), "normal");
  EXPECT_EQ(D::normal_from_interval(0, 1).kind(), "normal");
  EXPECT_EQ(D::lognormal(0, 1).kind(), "lognormal");
  EXPECT_EQ(D::lognormal_from_interval(1, 2).kind(), "lognormal");
  EXPECT_EQ(D::triangular(0, 0.5, 1).kind(), "triangular");
  EXPECT_EQ(D::pert(0, 0.5, 1).kind(), "pert");
  EXPECT_EQ(D::beta(1, 2).kind(), "beta");
  EXPECT_EQ(D::bernoulli(0.5).kind(), "bernoulli");
  EXPECT_EQ(D::discrete({1}, {1}).kind(), "discrete");
  EXPECT_EQ(D::from_percentiles(1, 2, 3).kind(), "percentiles");
  EXPECT_EQ(D::mixture({D::point(1)}, {1}).kind(), "mixture");
  EXPECT_EQ(D::normal(0, 1).truncated(0, 1).kind(), "truncated");
}

TEST(Describe, GivesDefiningNumbersWithFourSignificantDigits) {
  EXPECT_EQ(Distribution::lognormal_from_interval(2.8, 6).describe(),
            "lognormal: median 4.099, 90% interval 2.8 to 6");
  EXPECT_EQ(Distribution::normal(10, 2).describe(),
            "normal with mean 10, sd 2: median 10, 90% interval 6.71 to 13.29");
  EXPECT_EQ(Distribution::uniform(0, 1000).describe(),
            "uniform on [0, 1000]: median 500, 90% interval 50 to 950");
  EXPECT_EQ(Distribution::bernoulli(0.25).describe(), "bernoulli: 1 with probability 0.25, else 0");
  EXPECT_EQ(Distribution::discrete({2, 1}, {3, 1}).describe(), "discrete: 1 (p 0.25), 2 (p 0.75)");
  EXPECT_EQ(Distribution::from_percentiles(2, 3, 10).describe(),
            "two-piece lognormal through percentiles: median 3, 90% interval 2 to 10");
  EXPECT_EQ(Distribution::pert(1, 2, 5, 6).describe().rfind("PERT with low 1, mode 2, high 5, "
                                                            "lambda 6: median ",
                                                            0),
            0u);
  // Half-normal: median Phi^-1(0.75) = 0.6745.
  const std::string half = Distribution::normal(0, 1).truncated(0, kInf).describe();
  EXPECT_NE(half.find("] truncated to [0, inf]: median 0.6745, 90% interval"), std::string::npos)
      << half;
}

TEST(Describe, IsDeterministicAndHasNoTrailingZeros) {
  const Distribution d = Distribution::lognormal(1, 0.3);
  EXPECT_EQ(d.describe(), d.describe());
  EXPECT_EQ(Distribution::point(0.1 + 0.2).describe(), "point: 0.3");
  // Written numbers are printed as written (15 significant digits), not rounded to four.
  EXPECT_EQ(Distribution::point(123456).describe(), "point: 123456");
  EXPECT_EQ(Distribution::point(15832).describe(), "point: 15832");
  EXPECT_EQ(Distribution::point(-0.000012346).describe(), "point: -1.2346e-05");
  EXPECT_EQ(Distribution::point(2.5e20).describe(), "point: 2.5e+20");
}

}  // namespace
}  // namespace gapcast
