#include "gapcast/uncertainty/distributions.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numbers>
#include <numeric>
#include <string_view>
#include <utility>

#include <boost/math/distributions/triangular.hpp>
#include <boost/math/policies/policy.hpp>
#include <boost/math/quadrature/gauss.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/erf.hpp>

namespace gapcast {
namespace {

namespace bm = boost::math;

// Evaluate in double, not long double: long double is 80-bit on x86, 128-bit on aarch64 and
// 64-bit with MSVC, so promotion would make results differ between platforms. Overflow returns
// +-inf instead of throwing, so that an extreme but valid quantile never aborts a run.
using Policy = bm::policies::policy<bm::policies::promote_double<false>,
                                    bm::policies::overflow_error<bm::policies::ignore_error>>;

constexpr double kInf = std::numeric_limits<double>::infinity();
// Largest double below 1 and smallest positive normal double: the range into which derived
// probabilities are clamped before they are handed to a quantile function.
constexpr double kBelowOne = 1.0 - 0x1.0p-53;
constexpr double kTiny = std::numeric_limits<double>::min();
// Truncation bounds must keep at least this much base probability (see truncated()).
constexpr double kMinMass = 1e-12;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// ---------------------------------------------------------------- number formatting

// Shortest text that reads back as the same double; used in error messages, where the user
// must recognise the exact number they wrote.
std::string num(double x) {
  std::array<char, 64> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), x);
  return {buf.data(), r.ptr};
}

// At most 15 significant digits, no trailing zeros: a number as the user wrote it.
std::string num15(double x) {
  if (x == 0.0) return "0";  // also turns -0 into 0
  std::array<char, 64> buf{};
  const auto r =
      std::to_chars(buf.data(), buf.data() + buf.size(), x, std::chars_format::general, 15);
  return {buf.data(), r.ptr};
}

// At most four significant digits, no trailing zeros, no exponent for ordinary magnitudes;
// used by describe(). to_chars is locale-independent, so reports do not change with the
// user's locale.
std::string num4(double x) {
  if (!std::isfinite(x)) return num(x);
  if (x == 0.0) return "0";  // also turns -0 into 0
  std::array<char, 64> buf{};
  auto r = std::to_chars(buf.data(), buf.data() + buf.size(), x, std::chars_format::scientific, 3);
  double rounded = x;
  std::from_chars(buf.data(), r.ptr, rounded);
  const double a = std::fabs(rounded);
  if (a >= 1e-4 && a < 1e15) {
    r = std::to_chars(buf.data(), buf.data() + buf.size(), rounded, std::chars_format::fixed);
  } else {
    r = std::to_chars(buf.data(), buf.data() + buf.size(), rounded, std::chars_format::general,
                      4);
  }
  return {buf.data(), r.ptr};
}

// ---------------------------------------------------------------- validation helpers

[[noreturn]] void fail(const std::string& message) { throw DistributionError(message); }

struct Arg {
  std::string_view name;
  double value;
};

void require_finite(std::string_view kind, std::initializer_list<Arg> args) {
  for (const Arg& a : args) {
    if (!std::isfinite(a.value)) {
      fail(std::string(kind) + ": values must be finite (got " + std::string(a.name) + "=" +
           num(a.value) + ")");
    }
  }
}

void require_ordered(std::string_view kind, double low, double high) {
  if (!(low < high)) {
    fail(std::string(kind) + ": high must be greater than low (got low=" + num(low) +
         ", high=" + num(high) + ")");
  }
}

void require_level(double level) {
  if (!std::isfinite(level)) fail("interval level must be finite (got " + num(level) + ")");
  if (!(level > 0.0 && level < 1.0)) {
    fail("interval level must be in (0, 1), e.g. 0.9 for a 90% interval (got " + num(level) +
         ")");
  }
}

// Checks and normalises a weight vector; `what` names the owner in messages.
std::vector<double> normalised_weights(std::string_view what, const std::vector<double>& w) {
  double sum = 0.0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (!std::isfinite(w[i]) || w[i] < 0.0) {
      fail(std::string(what) +
           ": weights must be non-negative and sum to a positive number (got weight " +
           num(w[i]) + " at position " + std::to_string(i + 1) + ")");
    }
    sum += w[i];
  }
  if (!(sum > 0.0) || !std::isfinite(sum)) {
    fail(std::string(what) +
         ": weights must be non-negative and sum to a positive number (they sum to " + num(sum) +
         ")");
  }
  std::vector<double> out(w.size());
  for (std::size_t i = 0; i < w.size(); ++i) out[i] = w[i] / sum;
  return out;
}

// ---------------------------------------------------------------- standard normal

// Phi and Phi^-1 through erfc / erfc_inv (what boost::math::normal does internally), written
// out so that the lower tail keeps full relative precision: 0.5 erfc(-x / sqrt 2) does not
// lose digits for very negative x the way 1 - 0.5 erfc(x / sqrt 2) would.
double std_normal_cdf(double x) {
  if (x == -kInf) return 0.0;
  if (x == kInf) return 1.0;
  return 0.5 * bm::erfc(-x / std::numbers::sqrt2, Policy());
}
double std_normal_sf(double x) { return std_normal_cdf(-x); }
double std_normal_quantile(double p) {
  return -std::numbers::sqrt2 * bm::erfc_inv(2.0 * p, Policy());
}
double std_normal_pdf(double x) {
  return std::exp(-0.5 * x * x) * (std::numbers::inv_sqrtpi / std::numbers::sqrt2);
}
// P(alpha < Z <= beta), using the upper tail when the interval lies above 0 so that the
// difference of two numbers close to 1 never appears.
double std_normal_between(double alpha, double beta) {
  if (!(alpha < beta)) return 0.0;
  if (alpha >= 0.0) return std::max(0.0, std_normal_sf(alpha) - std_normal_sf(beta));
  return std::max(0.0, std_normal_cdf(beta) - std_normal_cdf(alpha));
}

double clamp_open(double p) { return std::clamp(p, kTiny, kBelowOne); }

// ---------------------------------------------------------------- beta helpers

struct BetaShape {
  double alpha, beta;
};
BetaShape pert_shape(const PertDist& d) {
  const double w = d.high - d.low;
  return {1.0 + d.lambda * (d.mode - d.low) / w, 1.0 + d.lambda * (d.high - d.mode) / w};
}

double scaled_beta_quantile(BetaShape s, double low, double high, double u) {
  double y = 0.0;
  try {
    y = bm::ibeta_inv(s.alpha, s.beta, u, Policy());
  } catch (const bm::evaluation_error&) {
    // Boost's Newton iteration finds no root for u below about 1e-200 (the copula can pass
    // u down to DBL_MIN). There I_y(a, b) = y^a / (a B(a, b)) (1 + O(y)), so to double
    // precision y = (u a B(a, b))^(1/a), evaluated in logs.
    const double log_beta =
        std::lgamma(s.alpha) + std::lgamma(s.beta) - std::lgamma(s.alpha + s.beta);
    y = std::exp((std::log(u) + std::log(s.alpha) + log_beta) / s.alpha);
  }
  return std::clamp(low + (high - low) * y, low, high);
}
double scaled_beta_cdf(BetaShape s, double low, double high, double x) {
  if (x <= low) return 0.0;
  if (x >= high) return 1.0;
  const double y = std::clamp((x - low) / (high - low), 0.0, 1.0);
  return bm::ibeta(s.alpha, s.beta, y, Policy());
}

bm::triangular_distribution<double, Policy> boost_triangular(const TriangularDist& d) {
  return bm::triangular_distribution<double, Policy>(d.low, d.mode, d.high);
}

// ---------------------------------------------------------------- partial moments

// Mass and first moment of the part of a distribution in (a, b]: P(a < X <= b) and
// E[X; a < X <= b]. Truncated means are ratios of the two. Both are computed analytically
// where possible (tail-accurate for the normal family), so a mean of, say, a normal truncated
// to [0, inf) is exact rather than the result of integrating an unbounded quantile function.
struct Partial {
  double mass = 0.0, moment = 0.0;
};
Partial partial(const Distribution& d, double a, double b);

Partial partial_normal(double mu, double sigma, double a, double b) {
  if (!(a < b)) return {};
  const double alpha = (a - mu) / sigma, beta = (b - mu) / sigma;
  const double mass = std_normal_between(alpha, beta);
  return {mass, mu * mass + sigma * (std_normal_pdf(alpha) - std_normal_pdf(beta))};
}

Partial partial_lognormal(double mu, double sigma, double a, double b) {
  if (!(a < b) || b <= 0.0) return {};
  const double alpha = a > 0.0 ? (std::log(a) - mu) / sigma : -kInf;
  const double beta = b == kInf ? kInf : (std::log(b) - mu) / sigma;
  // E[X; alpha < Z <= beta] = exp(mu + sigma^2 / 2) P(alpha - sigma < Z <= beta - sigma).
  return {std_normal_between(alpha, beta),
          std::exp(mu + 0.5 * sigma * sigma) * std_normal_between(alpha - sigma, beta - sigma)};
}

Partial partial_beta(BetaShape s, double low, double high, double a, double b) {
  const double sa = std::clamp((a - low) / (high - low), 0.0, 1.0);
  const double sb = std::clamp((b - low) / (high - low), 0.0, 1.0);
  if (!(sa < sb)) return {};
  // For Y ~ Beta(alpha, beta): E[Y; Y <= t] = alpha / (alpha + beta) * I_t(alpha + 1, beta).
  // Complements keep precision when the interval lies in the upper part.
  const bool upper = sa >= 0.5;
  auto between = [&](double al, double be) {
    return upper ? bm::ibetac(al, be, sa, Policy()) - bm::ibetac(al, be, sb, Policy())
                 : bm::ibeta(al, be, sb, Policy()) - bm::ibeta(al, be, sa, Policy());
  };
  const double mass = std::max(0.0, between(s.alpha, s.beta));
  const double y_moment =
      std::max(0.0, s.alpha / (s.alpha + s.beta) * between(s.alpha + 1.0, s.beta));
  return {mass, low * mass + (high - low) * y_moment};
}

Partial partial_triangular(const TriangularDist& d, double a, double b) {
  const double lo = std::max(a, d.low), hi = std::min(b, d.high);
  if (!(lo < hi)) return {};
  const auto dist = boost_triangular(d);
  // x * pdf(x) is a quadratic on each side of the mode, so a 7-point Gauss rule per side is
  // exact; this avoids the cancellation of the expanded polynomial formula.
  auto piece = [&](double x0, double x1) {
    if (!(x0 < x1)) return 0.0;
    return bm::quadrature::gauss<double, 7>::integrate(
        [&](double x) { return x * bm::pdf(dist, x); }, x0, x1);
  };
  const double moment = piece(lo, std::min(hi, d.mode)) + piece(std::max(lo, d.mode), hi);
  return {std::max(0.0, bm::cdf(dist, hi) - bm::cdf(dist, lo)), moment};
}

Partial partial(const Distribution& dist, double a, double b) {
  if (!(a < b)) return {};
  return std::visit(
      Overloaded{
          [&](const PointDist& d) -> Partial {
            return (a < d.value && d.value <= b) ? Partial{1.0, d.value} : Partial{};
          },
          [&](const UniformDist& d) -> Partial {
            const double lo = std::max(a, d.low), hi = std::min(b, d.high);
            if (!(lo < hi)) return {};
            const double mass = (hi - lo) / (d.high - d.low);
            return {mass, mass * std::midpoint(lo, hi)};
          },
          [&](const LogUniformDist& d) -> Partial {
            const double lo = std::max(a, d.low), hi = std::min(b, d.high);
            if (!(lo < hi)) return {};
            const double span = std::log(d.high) - std::log(d.low);
            return {(std::log(hi) - std::log(lo)) / span, (hi - lo) / span};
          },
          [&](const NormalDist& d) { return partial_normal(d.mean, d.sd, a, b); },
          [&](const LognormalDist& d) { return partial_lognormal(d.mu, d.sigma, a, b); },
          [&](const TriangularDist& d) { return partial_triangular(d, a, b); },
          [&](const PertDist& d) { return partial_beta(pert_shape(d), d.low, d.high, a, b); },
          [&](const BetaDist& d) {
            return partial_beta({d.alpha, d.beta}, d.low, d.high, a, b);
          },
          [&](const BernoulliDist& d) -> Partial {
            Partial p;
            if (a < 0.0 && 0.0 <= b) p.mass += 1.0 - d.p;
            if (a < 1.0 && 1.0 <= b) {
              p.mass += d.p;
              p.moment += d.p;
            }
            return p;
          },
          [&](const DiscreteDist& d) -> Partial {
            Partial p;
            for (std::size_t i = 0; i < d.values.size(); ++i) {
              if (a < d.values[i] && d.values[i] <= b) {
                p.mass += d.weights[i];
                p.moment += d.weights[i] * d.values[i];
              }
            }
            return p;
          },
          [&](const TwoPieceDist& d) -> Partial {
            // Below the median the distribution coincides with N(median, sd_low) (or its
            // lognormal), above it with N(median, sd_high); each half carries mass 1/2.
            Partial lo, hi;
            if (d.log_space) {
              const double m = std::exp(d.median);
              lo = partial_lognormal(d.median, d.sd_low, a, std::min(b, m));
              hi = partial_lognormal(d.median, d.sd_high, std::max(a, m), b);
            } else {
              lo = partial_normal(d.median, d.sd_low, a, std::min(b, d.median));
              hi = partial_normal(d.median, d.sd_high, std::max(a, d.median), b);
            }
            return {lo.mass + hi.mass, lo.moment + hi.moment};
          },
          [&](const MixtureDist& d) -> Partial {
            Partial p;
            for (std::size_t k = 0; k < d.components.size(); ++k) {
              if (d.weights[k] == 0.0) continue;
              const Partial c = partial(d.components[k], a, b);
              p.mass += d.weights[k] * c.mass;
              p.moment += d.weights[k] * c.moment;
            }
            return p;
          },
          [&](const TruncatedDist& d) -> Partial {
            const Partial whole = partial(d.base[0], d.low, d.high);
            const Partial part = partial(d.base[0], std::max(a, d.low), std::min(b, d.high));
            if (!(whole.mass > 0.0)) return {};
            return {part.mass / whole.mass, part.moment / whole.mass};
          },
      },
      dist.variant());
}

// ---------------------------------------------------------------- structure queries

// True if the distribution puts positive probability on single points. Such forms cannot be
// truncated by rescaling the uniform (an atom sitting on a bound would be lost or kept by
// accident), so truncated() handles them by filtering and reweighting instead.
bool has_atoms(const Distribution& dist) {
  return std::visit(Overloaded{
                        [](const PointDist&) { return true; },
                        [](const BernoulliDist&) { return true; },
                        [](const DiscreteDist&) { return true; },
                        [](const MixtureDist& d) {
                          for (std::size_t k = 0; k < d.components.size(); ++k) {
                            if (d.weights[k] > 0.0 && has_atoms(d.components[k])) return true;
                          }
                          return false;
                        },
                        [](const TruncatedDist& d) { return has_atoms(d.base[0]); },
                        [](const auto&) { return false; },
                    },
                    dist.variant());
}

// P(lo <= X <= hi), closed at both ends so that atoms on a bound count as inside.
double mass_closed(const Distribution& dist, double lo, double hi) {
  return std::visit(
      Overloaded{
          [&](const PointDist& d) { return (lo <= d.value && d.value <= hi) ? 1.0 : 0.0; },
          [&](const BernoulliDist& d) {
            return ((lo <= 0.0 && 0.0 <= hi) ? 1.0 - d.p : 0.0) +
                   ((lo <= 1.0 && 1.0 <= hi) ? d.p : 0.0);
          },
          [&](const DiscreteDist& d) {
            double m = 0.0;
            for (std::size_t i = 0; i < d.values.size(); ++i) {
              if (lo <= d.values[i] && d.values[i] <= hi) m += d.weights[i];
            }
            return m;
          },
          [&](const MixtureDist& d) {
            double m = 0.0;
            for (std::size_t k = 0; k < d.components.size(); ++k) {
              m += d.weights[k] * mass_closed(d.components[k], lo, hi);
            }
            return m;
          },
          [&](const auto&) { return std::max(0.0, dist.cdf(hi) - dist.cdf(lo)); },
      },
      dist.variant());
}

bool is_continuous(const Distribution& d) { return !has_atoms(d); }

std::string bounds_text(double low, double high) {
  return "[" + num(low) + ", " + num(high) + "]";
}

[[noreturn]] void fail_no_mass(double low, double high) {
  fail("truncation bounds " + bounds_text(low, high) + " leave no probability mass");
}

// Index of the last component/value with positive weight: the fallback when rounding leaves
// the running cumulative weight just below u.
std::size_t last_positive(const std::vector<double>& w) {
  std::size_t last = 0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i] > 0.0) last = i;
  }
  return last;
}

// Order-preserving map between doubles and integers: bisecting on these keys halves the
// number of representable doubles in the bracket, so it reaches adjacent doubles in at most
// 64 steps whatever the magnitudes involved (plain midpoint bisection can need ~2000 near 0).
std::int64_t order_key(double x) {
  const auto bits = std::bit_cast<std::int64_t>(x);
  return bits >= 0 ? bits : -(bits & std::numeric_limits<std::int64_t>::max());
}
double from_order_key(std::int64_t key) {
  if (key >= 0) return std::bit_cast<double>(key);
  return -std::bit_cast<double>(-key);
}

// Inverse CDF of a mixture: the smallest x with F(x) >= u. There is no closed form, but the
// answer is bracketed by the components' own u-quantiles (below the smallest of them every
// F_k < u, at the largest every F_k >= u). Bisection is exact for atoms (it lands on the
// jump) and monotone in u, which the copula and the central run (u = 0.5) rely on.
double mixture_quantile(const MixtureDist& d, const Distribution& self, double u) {
  double lo = kInf, hi = -kInf;
  std::size_t used = 0, only = 0;
  for (std::size_t k = 0; k < d.components.size(); ++k) {
    if (d.weights[k] == 0.0) continue;
    const double q = d.components[k].quantile(u);
    lo = std::min(lo, q);
    hi = std::max(hi, q);
    ++used;
    only = k;
  }
  if (used == 1) return d.components[only].quantile(u);
  // Rounding in the component quantiles can put the bracket a hair off; widen until
  // F(lo) < u <= F(hi) holds for the computed CDF.
  double step = std::max({hi - lo, 1e-9 * std::max(std::fabs(lo), std::fabs(hi)), 1e-300});
  while (lo > -kInf && self.cdf(lo) >= u) {
    lo -= step;
    step *= 2.0;
  }
  while (hi < kInf && self.cdf(hi) < u) {
    hi += step;
    step *= 2.0;
  }
  std::int64_t klo = order_key(lo), khi = order_key(hi);
  // The keys of -inf and +inf are 2^63 - 2^52 apart from 0 each way, so their difference can
  // overflow int64 but always fits uint64.
  while (static_cast<std::uint64_t>(khi) - static_cast<std::uint64_t>(klo) > 1) {
    const std::int64_t kmid = std::midpoint(klo, khi);
    (self.cdf(from_order_key(kmid)) >= u ? khi : klo) = kmid;
  }
  return from_order_key(khi);
}

}  // namespace

// ================================================================= factories

Distribution Distribution::point(double value) {
  require_finite("point", {{"value", value}});
  return Distribution(PointDist{value});
}

Distribution Distribution::uniform(double low, double high) {
  require_finite("uniform", {{"low", low}, {"high", high}});
  require_ordered("uniform", low, high);
  return Distribution(UniformDist{low, high});
}

Distribution Distribution::log_uniform(double low, double high) {
  require_finite("log_uniform", {{"low", low}, {"high", high}});
  if (!(low > 0.0)) fail("log_uniform needs 0 < low (got low=" + num(low) + ")");
  require_ordered("log_uniform", low, high);
  return Distribution(LogUniformDist{low, high});
}

Distribution Distribution::normal(double mean, double sd) {
  require_finite("normal", {{"mean", mean}, {"sd", sd}});
  if (!(sd > 0.0)) fail("normal: sd must be positive (got " + num(sd) + ")");
  return Distribution(NormalDist{mean, sd});
}

Distribution Distribution::lognormal(double mu, double sigma) {
  require_finite("lognormal", {{"mu", mu}, {"sigma", sigma}});
  if (!(sigma > 0.0)) fail("lognormal: sigma must be positive (got " + num(sigma) + ")");
  return Distribution(LognormalDist{mu, sigma});
}

Distribution Distribution::lognormal_from_interval(double low, double high, double level) {
  require_finite("lognormal interval", {{"low", low}, {"high", high}});
  require_level(level);
  if (!(low > 0.0)) fail("lognormal interval needs 0 < low (got low=" + num(low) + ")");
  require_ordered("lognormal interval", low, high);
  // z is the standard-normal quantile of the interval's upper end; the quantile function
  // evaluates exp(mu + sigma Phi^-1(u)), which reproduces low and high at the two ends.
  const double z = std_normal_quantile(0.5 + 0.5 * level);
  const double log_low = std::log(low), log_high = std::log(high);
  return Distribution(LognormalDist{0.5 * (log_low + log_high), (log_high - log_low) / (2.0 * z)});
}

Distribution Distribution::normal_from_interval(double low, double high, double level) {
  require_finite("normal interval", {{"low", low}, {"high", high}});
  require_level(level);
  require_ordered("normal interval", low, high);
  const double z = std_normal_quantile(0.5 + 0.5 * level);
  return Distribution(NormalDist{std::midpoint(low, high), (high - low) / (2.0 * z)});
}

Distribution Distribution::triangular(double low, double mode, double high) {
  require_finite("triangular", {{"low", low}, {"mode", mode}, {"high", high}});
  require_ordered("triangular", low, high);
  if (!(low <= mode && mode <= high)) {
    fail("triangular: mode must lie in [low, high] (got low=" + num(low) + ", mode=" + num(mode) +
         ", high=" + num(high) + ")");
  }
  return Distribution(TriangularDist{low, mode, high});
}

Distribution Distribution::pert(double low, double mode, double high, double lambda) {
  require_finite("pert", {{"low", low}, {"mode", mode}, {"high", high}, {"lambda", lambda}});
  require_ordered("pert", low, high);
  if (!(low <= mode && mode <= high)) {
    fail("pert: mode must lie in [low, high] (got low=" + num(low) + ", mode=" + num(mode) +
         ", high=" + num(high) + ")");
  }
  if (!(lambda > 0.0)) fail("pert: lambda must be positive (got " + num(lambda) + ")");
  return Distribution(PertDist{low, mode, high, lambda});
}

Distribution Distribution::beta(double alpha, double beta, double low, double high) {
  require_finite("beta", {{"alpha", alpha}, {"beta", beta}, {"low", low}, {"high", high}});
  if (!(alpha > 0.0)) fail("beta: alpha must be positive (got " + num(alpha) + ")");
  if (!(beta > 0.0)) fail("beta: beta must be positive (got " + num(beta) + ")");
  require_ordered("beta", low, high);
  return Distribution(BetaDist{alpha, beta, low, high});
}

Distribution Distribution::bernoulli(double p) {
  require_finite("bernoulli", {{"p", p}});
  if (!(p >= 0.0 && p <= 1.0)) fail("bernoulli: p must be in [0, 1] (got " + num(p) + ")");
  return Distribution(BernoulliDist{p});
}

Distribution Distribution::discrete(std::vector<double> values, std::vector<double> weights) {
  if (values.empty()) fail("discrete needs at least one value");
  if (values.size() != weights.size()) {
    fail("discrete needs one weight per value (got " + std::to_string(values.size()) +
         " values and " + std::to_string(weights.size()) + " weights)");
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      fail("discrete: values must be finite (got " + num(values[i]) + " at position " +
           std::to_string(i + 1) + ")");
    }
  }
  std::vector<double> w = normalised_weights("discrete", weights);
  // Sort by value, carrying each weight along, so that quantile() can scan the cumulative
  // distribution in order.
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t i, std::size_t j) { return values[i] < values[j]; });
  DiscreteDist d;
  d.values.reserve(values.size());
  d.weights.reserve(values.size());
  for (const std::size_t i : order) {
    if (!d.values.empty() && d.values.back() == values[i]) {
      fail("discrete: values must be distinct (got " + num(values[i]) + " more than once)");
    }
    d.values.push_back(values[i]);
    d.weights.push_back(w[i]);
  }
  return Distribution(std::move(d));
}

Distribution Distribution::from_percentiles(double x_low, double x_mid, double x_high,
                                            double q_low, double q_high, bool log_space) {
  require_finite("percentiles", {{"x_low", x_low},
                                 {"x_mid", x_mid},
                                 {"x_high", x_high},
                                 {"q_low", q_low},
                                 {"q_high", q_high}});
  if (!(q_low > 0.0 && q_low < 0.5)) {
    fail("percentiles: q_low must be in (0, 0.5) (got " + num(q_low) + ")");
  }
  if (!(q_high > 0.5 && q_high < 1.0)) {
    fail("percentiles: q_high must be in (0.5, 1) (got " + num(q_high) + ")");
  }
  if (!(x_low < x_mid && x_mid < x_high)) {
    fail("percentiles: values must increase, x_low < x_mid < x_high (got " + num(x_low) + ", " +
         num(x_mid) + ", " + num(x_high) + ")");
  }
  if (log_space && !(x_low > 0.0)) {
    fail("percentiles in log space need positive values (got x_low=" + num(x_low) + ")");
  }
  auto g = [&](double x) { return log_space ? std::log(x) : x; };
  // quantile(u) = g^-1(m + s Phi^-1(u)) with s = sd_low below the median and sd_high above.
  // Requiring quantile(q_low) = x_low gives sd_low = (m - g(x_low)) / -Phi^-1(q_low), and
  // likewise for the upper piece; quantile(0.5) = g^-1(m) = x_mid holds for any s.
  const double m = g(x_mid);
  const double sd_low = (m - g(x_low)) / -std_normal_quantile(q_low);
  const double sd_high = (g(x_high) - m) / std_normal_quantile(q_high);
  if (!(sd_low > 0.0 && sd_high > 0.0 && std::isfinite(sd_low) && std::isfinite(sd_high))) {
    fail("percentiles: values are too close together to define a distribution (got " +
         num(x_low) + ", " + num(x_mid) + ", " + num(x_high) + ")");
  }
  return Distribution(TwoPieceDist{m, sd_low, sd_high, log_space});
}

Distribution Distribution::mixture(std::vector<Distribution> components,
                                   std::vector<double> weights) {
  if (components.empty()) fail("mixture needs at least one component");
  if (components.size() != weights.size()) {
    fail("mixture needs one weight per component (got " + std::to_string(components.size()) +
         " components and " + std::to_string(weights.size()) + " weights)");
  }
  std::vector<double> w = normalised_weights("mixture", weights);
  return Distribution(MixtureDist{std::move(components), std::move(w)});
}

Distribution Distribution::truncated(double low, double high) const {
  if (std::isnan(low) || std::isnan(high)) {
    fail("truncation bounds must not be NaN (got " + bounds_text(low, high) + ")");
  }
  if (!(low < high)) {
    fail("truncation: high must be greater than low (got low=" + num(low) + ", high=" +
         num(high) + ")");
  }
  if (const auto* t = std::get_if<TruncatedDist>(&v_)) {
    // Truncating twice is truncating once to the intersection; this keeps a single level of
    // nesting and an exact quantile map.
    const double lo = std::max(low, t->low), hi = std::min(high, t->high);
    if (!(lo < hi)) fail_no_mass(low, high);
    return t->base[0].truncated(lo, hi);
  }
  if (const auto* p = std::get_if<PointDist>(&v_)) {
    if (!(low <= p->value && p->value <= high)) fail_no_mass(low, high);
    return *this;
  }
  if (std::holds_alternative<BernoulliDist>(v_) || std::holds_alternative<DiscreteDist>(v_)) {
    // Atoms: keep the values inside [low, high] (bounds included) and renormalise. The result
    // is a DiscreteDist (kind "discrete"), which is exactly the truncated law.
    std::vector<double> values, weights;
    if (const auto* b = std::get_if<BernoulliDist>(&v_)) {
      values = {0.0, 1.0};
      weights = {1.0 - b->p, b->p};
    } else {
      const auto& d = std::get<DiscreteDist>(v_);
      values = d.values;
      weights = d.weights;
    }
    std::vector<double> kept_values, kept_weights;
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (low <= values[i] && values[i] <= high && weights[i] > 0.0) {
        kept_values.push_back(values[i]);
        kept_weights.push_back(weights[i]);
      }
    }
    if (kept_values.empty()) fail_no_mass(low, high);
    return discrete(std::move(kept_values), std::move(kept_weights));
  }
  if (const auto* m = std::get_if<MixtureDist>(&v_)) {
    // The truncated law of a mixture is the mixture of the truncated components, each
    // reweighted by its own mass inside the (closed) bounds. Unlike rescaling the uniform,
    // this is exact when some component has atoms (one sitting on a bound stays in), and it
    // keeps the cheap per-component quantiles. The result is a MixtureDist.
    std::vector<Distribution> comps;
    std::vector<double> weights;
    for (std::size_t k = 0; k < m->components.size(); ++k) {
      if (m->weights[k] == 0.0) continue;
      const double mass = mass_closed(m->components[k], low, high);
      if (mass > kMinMass) {
        comps.push_back(m->components[k].truncated(low, high));
        weights.push_back(m->weights[k] * mass);
      }
    }
    if (comps.empty()) fail_no_mass(low, high);
    return mixture(std::move(comps), std::move(weights));
  }
  // Continuous: rescale the uniform between the base CDF values at the bounds.
  const double cdf_low = cdf(low), cdf_high = cdf(high);
  if (!(cdf_high - cdf_low > kMinMass)) fail_no_mass(low, high);
  return Distribution(TruncatedDist{{*this}, low, high, cdf_low, cdf_high});
}

// ================================================================= evaluation

double Distribution::quantile(double u) const {
  if (!(u > 0.0 && u < 1.0)) {
    throw DistributionError("quantile: u must be in the open interval (0, 1) (got " + num(u) +
                            ")");
  }
  return std::visit(
      Overloaded{
          [&](const PointDist& d) { return d.value; },
          [&](const UniformDist& d) {
            // std::lerp is exact at both ends and monotone in u.
            return std::clamp(std::lerp(d.low, d.high, u), d.low, d.high);
          },
          [&](const LogUniformDist& d) {
            return std::clamp(std::exp(std::lerp(std::log(d.low), std::log(d.high), u)), d.low,
                              d.high);
          },
          [&](const NormalDist& d) { return d.mean + d.sd * std_normal_quantile(u); },
          [&](const LognormalDist& d) {
            return std::exp(d.mu + d.sigma * std_normal_quantile(u));
          },
          [&](const TriangularDist& d) {
            return std::clamp(bm::quantile(boost_triangular(d), u), d.low, d.high);
          },
          [&](const PertDist& d) { return scaled_beta_quantile(pert_shape(d), d.low, d.high, u); },
          [&](const BetaDist& d) {
            return scaled_beta_quantile({d.alpha, d.beta}, d.low, d.high, u);
          },
          [&](const BernoulliDist& d) { return u <= 1.0 - d.p ? 0.0 : 1.0; },
          [&](const DiscreteDist& d) {
            double cum = 0.0;
            for (std::size_t i = 0; i < d.values.size(); ++i) {
              cum += d.weights[i];
              if (d.weights[i] > 0.0 && u <= cum) return d.values[i];
            }
            return d.values[last_positive(d.weights)];
          },
          [&](const TwoPieceDist& d) {
            const double z = std_normal_quantile(u);
            const double y = d.median + (z < 0.0 ? d.sd_low : d.sd_high) * z;
            return d.log_space ? std::exp(y) : y;
          },
          [&](const MixtureDist& d) { return mixture_quantile(d, *this, u); },
          [&](const TruncatedDist& d) {
            const double p = clamp_open(d.cdf_low + u * (d.cdf_high - d.cdf_low));
            return std::clamp(d.base[0].quantile(p), d.low, d.high);
          },
      },
      v_);
}

double Distribution::cdf(double x) const {
  if (std::isnan(x)) throw DistributionError("cdf: x must not be NaN");
  return std::visit(
      Overloaded{
          [&](const PointDist& d) { return x >= d.value ? 1.0 : 0.0; },
          [&](const UniformDist& d) {
            if (x <= d.low) return 0.0;
            if (x >= d.high) return 1.0;
            return std::clamp((x - d.low) / (d.high - d.low), 0.0, 1.0);
          },
          [&](const LogUniformDist& d) {
            if (x <= d.low) return 0.0;
            if (x >= d.high) return 1.0;
            const double span = std::log(d.high) - std::log(d.low);
            return std::clamp((std::log(x) - std::log(d.low)) / span, 0.0, 1.0);
          },
          [&](const NormalDist& d) { return std_normal_cdf((x - d.mean) / d.sd); },
          [&](const LognormalDist& d) {
            if (x <= 0.0) return 0.0;
            if (x == kInf) return 1.0;
            return std_normal_cdf((std::log(x) - d.mu) / d.sigma);
          },
          [&](const TriangularDist& d) {
            if (x <= d.low) return 0.0;
            if (x >= d.high) return 1.0;
            return bm::cdf(boost_triangular(d), x);
          },
          [&](const PertDist& d) { return scaled_beta_cdf(pert_shape(d), d.low, d.high, x); },
          [&](const BetaDist& d) { return scaled_beta_cdf({d.alpha, d.beta}, d.low, d.high, x); },
          [&](const BernoulliDist& d) {
            if (x < 0.0) return 0.0;
            if (x < 1.0) return 1.0 - d.p;
            return 1.0;
          },
          [&](const DiscreteDist& d) {
            double cum = 0.0;
            for (std::size_t i = 0; i < d.values.size() && d.values[i] <= x; ++i) {
              cum += d.weights[i];
            }
            return std::min(cum, 1.0);
          },
          [&](const TwoPieceDist& d) {
            double y = x;
            if (d.log_space) {
              if (x <= 0.0) return 0.0;
              if (x == kInf) return 1.0;
              y = std::log(x);
            }
            const double dev = y - d.median;
            return std_normal_cdf(dev / (dev < 0.0 ? d.sd_low : d.sd_high));
          },
          [&](const MixtureDist& d) {
            double sum = 0.0;
            for (std::size_t k = 0; k < d.components.size(); ++k) {
              if (d.weights[k] > 0.0) sum += d.weights[k] * d.components[k].cdf(x);
            }
            return std::clamp(sum, 0.0, 1.0);
          },
          [&](const TruncatedDist& d) {
            if (x < d.low) return 0.0;
            if (x >= d.high) return 1.0;
            return std::clamp((d.base[0].cdf(x) - d.cdf_low) / (d.cdf_high - d.cdf_low), 0.0, 1.0);
          },
      },
      v_);
}

double Distribution::mean() const {
  return std::visit(
      Overloaded{
          [](const PointDist& d) { return d.value; },
          [](const UniformDist& d) { return std::midpoint(d.low, d.high); },
          [](const LogUniformDist& d) {
            return (d.high - d.low) / (std::log(d.high) - std::log(d.low));
          },
          [](const NormalDist& d) { return d.mean; },
          [](const LognormalDist& d) { return std::exp(d.mu + 0.5 * d.sigma * d.sigma); },
          [](const TriangularDist& d) { return (d.low + d.mode + d.high) / 3.0; },
          [](const PertDist& d) {
            return (d.low + d.lambda * d.mode + d.high) / (d.lambda + 2.0);
          },
          [](const BetaDist& d) {
            return d.low + (d.high - d.low) * d.alpha / (d.alpha + d.beta);
          },
          [](const BernoulliDist& d) { return d.p; },
          [](const DiscreteDist& d) {
            double s = 0.0;
            for (std::size_t i = 0; i < d.values.size(); ++i) s += d.weights[i] * d.values[i];
            return s;
          },
          [](const TwoPieceDist& d) {
            if (d.log_space) {
              // E[e^(m + s Z); Z < 0] = e^(m + s^2/2) Phi(-s); E[e^(m + s Z); Z > 0] =
              // e^(m + s^2/2) Phi(s).
              return std::exp(d.median) *
                     (std::exp(0.5 * d.sd_low * d.sd_low) * std_normal_cdf(-d.sd_low) +
                      std::exp(0.5 * d.sd_high * d.sd_high) * std_normal_cdf(d.sd_high));
            }
            // Each half-normal piece has weight 1/2 and mean offset +-s sqrt(2 / pi).
            return d.median + (d.sd_high - d.sd_low) * (std::numbers::inv_sqrtpi /
                                                         std::numbers::sqrt2);
          },
          [](const MixtureDist& d) {
            double s = 0.0;
            for (std::size_t k = 0; k < d.components.size(); ++k) {
              if (d.weights[k] > 0.0) s += d.weights[k] * d.components[k].mean();
            }
            return s;
          },
          [](const TruncatedDist& d) {
            const Partial p = partial(d.base[0], d.low, d.high);
            return std::clamp(p.moment / p.mass, d.low, d.high);
          },
      },
      v_);
}

double Distribution::support_low() const {
  return std::visit(
      Overloaded{
          [](const PointDist& d) { return d.value; },
          [](const UniformDist& d) { return d.low; },
          [](const LogUniformDist& d) { return d.low; },
          [](const NormalDist&) { return -kInf; },
          [](const LognormalDist&) { return 0.0; },
          [](const TriangularDist& d) { return d.low; },
          [](const PertDist& d) { return d.low; },
          [](const BetaDist& d) { return d.low; },
          [](const BernoulliDist& d) { return d.p < 1.0 ? 0.0 : 1.0; },
          [](const DiscreteDist& d) {
            for (std::size_t i = 0; i < d.values.size(); ++i) {
              if (d.weights[i] > 0.0) return d.values[i];
            }
            return d.values.front();
          },
          [](const TwoPieceDist& d) { return d.log_space ? 0.0 : -kInf; },
          [](const MixtureDist& d) {
            double lo = kInf;
            for (std::size_t k = 0; k < d.components.size(); ++k) {
              if (d.weights[k] > 0.0) lo = std::min(lo, d.components[k].support_low());
            }
            return lo;
          },
          [](const TruncatedDist& d) { return std::max(d.low, d.base[0].support_low()); },
      },
      v_);
}

double Distribution::support_high() const {
  return std::visit(
      Overloaded{
          [](const PointDist& d) { return d.value; },
          [](const UniformDist& d) { return d.high; },
          [](const LogUniformDist& d) { return d.high; },
          [](const NormalDist&) { return kInf; },
          [](const LognormalDist&) { return kInf; },
          [](const TriangularDist& d) { return d.high; },
          [](const PertDist& d) { return d.high; },
          [](const BetaDist& d) { return d.high; },
          [](const BernoulliDist& d) { return d.p > 0.0 ? 1.0 : 0.0; },
          [](const DiscreteDist& d) { return d.values[last_positive(d.weights)]; },
          [](const TwoPieceDist&) { return kInf; },
          [](const MixtureDist& d) {
            double hi = -kInf;
            for (std::size_t k = 0; k < d.components.size(); ++k) {
              if (d.weights[k] > 0.0) hi = std::max(hi, d.components[k].support_high());
            }
            return hi;
          },
          [](const TruncatedDist& d) { return std::min(d.high, d.base[0].support_high()); },
      },
      v_);
}

std::string Distribution::kind() const {
  // Same order as the alternatives of Distribution::Variant.
  static constexpr std::array<std::string_view, std::variant_size_v<Variant>> kNames = {
      "point", "uniform",   "log_uniform", "normal",      "lognormal", "triangular", "pert",
      "beta",  "bernoulli", "discrete",    "percentiles", "mixture",   "truncated"};
  return std::string(kNames[v_.index()]);
}

// The numbers a user wrote are printed to 15 significant digits (every decimal a user types
// survives, while unit-conversion noise such as 0.1 + 0.2 does not), so a table of parameters
// shows 15832, not 15830; only the derived median and interval are rounded to four.
std::string Distribution::describe() const {
  std::string head = std::visit(
      Overloaded{
          [](const PointDist& d) { return "point: " + num15(d.value); },
          [](const UniformDist& d) {
            return "uniform on [" + num15(d.low) + ", " + num15(d.high) + "]";
          },
          [](const LogUniformDist& d) {
            return "log-uniform on [" + num15(d.low) + ", " + num15(d.high) + "]";
          },
          [](const NormalDist& d) {
            return "normal with mean " + num15(d.mean) + ", sd " + num15(d.sd);
          },
          // mu and sigma mean little to a reader; the median and interval appended below are
          // the natural description of a lognormal.
          [](const LognormalDist&) { return std::string("lognormal"); },
          [](const TriangularDist& d) {
            return "triangular with low " + num15(d.low) + ", mode " + num15(d.mode) + ", high " +
                   num15(d.high);
          },
          [](const PertDist& d) {
            std::string s = "PERT with low " + num15(d.low) + ", mode " + num15(d.mode) +
                            ", high " + num15(d.high);
            if (d.lambda != 4.0) s += ", lambda " + num15(d.lambda);
            return s;
          },
          [](const BetaDist& d) {
            std::string s = "beta(" + num15(d.alpha) + ", " + num15(d.beta) + ")";
            if (d.low != 0.0 || d.high != 1.0) {
              s += " on [" + num15(d.low) + ", " + num15(d.high) + "]";
            }
            return s;
          },
          [](const BernoulliDist& d) {
            return "bernoulli: 1 with probability " + num15(d.p) + ", else 0";
          },
          [](const DiscreteDist& d) {
            constexpr std::size_t kShown = 8;
            std::string s = "discrete:";
            for (std::size_t i = 0; i < d.values.size() && i < kShown; ++i) {
              s += (i == 0 ? " " : ", ") + num15(d.values[i]) + " (p " + num15(d.weights[i]) + ")";
            }
            if (d.values.size() > kShown) {
              s += ", ... (" + std::to_string(d.values.size()) + " values)";
            }
            return s;
          },
          [](const TwoPieceDist& d) {
            return std::string(d.log_space ? "two-piece lognormal" : "two-piece normal") +
                   " through percentiles";
          },
          [](const MixtureDist& d) {
            std::string s = "mixture of [";
            for (std::size_t k = 0; k < d.components.size(); ++k) {
              if (k > 0) s += "; ";
              s += num15(d.weights[k]) + " " + d.components[k].describe();
            }
            return s + "]";
          },
          [](const TruncatedDist& d) {
            return "[" + d.base[0].describe() + "] truncated to [" + num15(d.low) + ", " +
                   num15(d.high) + "]";
          },
      },
      v_);
  if (is_point() || !is_continuous(*this)) return head;
  return head + ": median " + num4(quantile(0.5)) + ", 90% interval " + num4(quantile(0.05)) +
         " to " + num4(quantile(0.95));
}

}  // namespace gapcast
