#pragma once
/// Probability distributions for uncertain parameters.
///
/// Every distribution is sampled by its inverse CDF (`quantile(u)`) from a uniform draw that
/// comes from the parameter's own counter-based stream (random_stream.hpp). Sampling through
/// the quantile function has three consequences the engine relies on:
///   * results do not depend on the standard library's <random> distributions, which differ
///     between implementations;
///   * the Gaussian copula (correlation.hpp) can correlate any mix of marginals;
///   * the "central" run is simply u = 0.5 for every parameter, i.e. each median.
///
/// Factories validate their arguments and throw DistributionError whose message says what was
/// expected ("high must be greater than low (got low=5, high=2)"). The scenario loader adds the
/// file and JSON path in front of that message.
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace gapcast {

class DistributionError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

class Distribution;

struct PointDist {
  double value;
};
struct UniformDist {
  double low, high;
};
struct LogUniformDist {  ///< log(x) uniform on [log low, log high]; low > 0
  double low, high;
};
struct NormalDist {
  double mean, sd;
};
struct LognormalDist {  ///< log(x) ~ Normal(mu, sigma)
  double mu, sigma;
};
struct TriangularDist {
  double low, mode, high;
};
struct PertDist {  ///< Beta-PERT on [low, high] with the given mode; lambda = 4 is classic PERT
  double low, mode, high, lambda;
};
struct BetaDist {  ///< Beta(alpha, beta) scaled to [low, high]
  double alpha, beta, low, high;
};
struct BernoulliDist {  ///< 1 with probability p, else 0
  double p;
};
struct DiscreteDist {  ///< values sorted ascending, weights normalised to sum 1
  std::vector<double> values, weights;
};
/// Two-piece ("split") distribution through three percentiles: a normal (or, in log space, a
/// lognormal) whose lower half has scale sd_low and upper half sd_high, joined at the median.
/// Used for analysts' p5/p50/p95 style input where the interval is not symmetric.
struct TwoPieceDist {
  double median;  ///< in log space when log_space is true
  double sd_low, sd_high;
  bool log_space;
};
/// Mixture: component k with probability weights[k] (normalised). cdf() is sum_k w_k F_k(x);
/// quantile() is its exact inverse (the smallest x with cdf(x) >= u), found numerically, so
/// that it is monotone in u like every other form: the copula's rank correlations and the
/// central run's median (u = 0.5) mean the same for a mixture as for any other marginal.
struct MixtureDist {
  std::vector<Distribution> components;
  std::vector<double> weights;
};
/// Truncation to [low, high] by rescaling the uniform: quantile(u) = base.quantile(F(low) +
/// u (F(high) - F(low))). Exact for continuous bases; truncated() builds one only over a
/// continuous non-mixture form (see there) and rejects bounds that leave no probability mass.
struct TruncatedDist {
  std::vector<Distribution> base;  ///< exactly one element (vector gives the indirection)
  double low, high;
  double cdf_low, cdf_high;  ///< base CDF at the bounds, cached by the factory
};

class Distribution {
 public:
  using Variant = std::variant<PointDist, UniformDist, LogUniformDist, NormalDist, LognormalDist,
                               TriangularDist, PertDist, BetaDist, BernoulliDist, DiscreteDist,
                               TwoPieceDist, MixtureDist, TruncatedDist>;

  // ---- factories (all validate; all throw DistributionError) ----
  static Distribution point(double value);
  static Distribution uniform(double low, double high);
  static Distribution log_uniform(double low, double high);
  static Distribution normal(double mean, double sd);
  static Distribution lognormal(double mu, double sigma);
  /// Lognormal whose central `level` interval is [low, high], e.g. level 0.90 means low is the
  /// 5th and high the 95th percentile ("5 to 10"). Needs 0 < low < high.
  static Distribution lognormal_from_interval(double low, double high, double level = 0.90);
  /// Normal whose central `level` interval is [low, high]. Needs low < high.
  static Distribution normal_from_interval(double low, double high, double level = 0.90);
  static Distribution triangular(double low, double mode, double high);
  static Distribution pert(double low, double mode, double high, double lambda = 4.0);
  static Distribution beta(double alpha, double beta, double low = 0.0, double high = 1.0);
  static Distribution bernoulli(double p);
  static Distribution discrete(std::vector<double> values, std::vector<double> weights);
  /// Two-piece distribution through percentiles (q_low, q_mid=0.5, q_high) with values
  /// (x_low < x_mid < x_high). When log_space is true all three values must be > 0.
  static Distribution from_percentiles(double x_low, double x_mid, double x_high,
                                       double q_low = 0.05, double q_high = 0.95,
                                       bool log_space = true);
  static Distribution mixture(std::vector<Distribution> components, std::vector<double> weights);
  /// This distribution truncated to [low, high]; either bound may be +-infinity. Continuous
  /// forms other than mixtures give a TruncatedDist. Forms with atoms cannot be truncated
  /// exactly by rescaling the uniform, so they are filtered instead: bernoulli and discrete
  /// give a renormalised DiscreteDist of the values inside [low, high] (bounds included), and a
  /// point inside the bounds is returned unchanged. A mixture gives a MixtureDist of its
  /// truncated components, reweighted by their mass inside the bounds. Truncating a truncated
  /// distribution truncates its base to the intersection of the bounds. Throws if the bounds
  /// leave less than 1e-12 probability mass.
  [[nodiscard]] Distribution truncated(double low, double high) const;

  // ---- evaluation ----
  /// Inverse CDF. u must be in (0, 1) (else DistributionError); u = 0.5 gives the median. For
  /// discrete forms, the smallest value whose cumulative probability is >= u. Monotone in u.
  [[nodiscard]] double quantile(double u) const;
  /// P(X <= x).
  [[nodiscard]] double cdf(double x) const;
  [[nodiscard]] double median() const { return quantile(0.5); }
  [[nodiscard]] double mean() const;
  /// Smallest and largest values the distribution can produce (may be +-infinity).
  [[nodiscard]] double support_low() const;
  [[nodiscard]] double support_high() const;
  [[nodiscard]] bool is_point() const { return std::holds_alternative<PointDist>(v_); }
  /// Short name of the form: "point", "uniform", "lognormal", ...
  [[nodiscard]] std::string kind() const;
  /// Human-readable one-line description with the defining numbers, for reports and errors;
  /// continuous forms add the median and central 90% interval of their CDF (4 significant
  /// digits), e.g. "lognormal: median 4.099, 90% interval 2.8 to 6".
  [[nodiscard]] std::string describe() const;

  [[nodiscard]] const Variant& variant() const { return v_; }

 private:
  explicit Distribution(Variant v) : v_(std::move(v)) {}
  Variant v_;
};

}  // namespace gapcast
