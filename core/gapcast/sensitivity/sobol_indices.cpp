#include "gapcast/sensitivity/sobol_indices.hpp"

#include <tbb/parallel_for.h>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "gapcast/sampling/random_stream.hpp"
#include "gapcast/sensitivity/detail/estimator_support.hpp"
#include "gapcast/sensitivity/saltelli_design.hpp"

namespace gapcast::sensitivity {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kEps = std::numeric_limits<double>::epsilon();

// The standardised outputs split by role: a[n], b[n], ab[g * N + n], ba[g * N + n].
struct Columns {
  std::size_t n = 0, groups = 0;
  bool second_order = false;
  std::vector<double> a, b, ab, ba;
};

// Estimates in one flat vector: S1 (G), ST (G), then S2 (G x G, only i < j used).
struct Slots {
  std::size_t groups;
  std::size_t count() const { return 2 * groups + groups * groups; }
  std::size_t s1(std::size_t g) const { return g; }
  std::size_t st(std::size_t g) const { return groups + g; }
  std::size_t s2(std::size_t i, std::size_t j) const { return 2 * groups + i * groups + j; }
};

std::size_t base_count(std::size_t groups, std::size_t size, bool second_order) {
  const SaltelliLayout one{1, groups, second_order};
  const std::size_t block = one.rows_per_base();
  if (size % block != 0) {
    const SaltelliLayout other{1, groups, !second_order};
    std::string hint = size % other.rows_per_base() == 0
                           ? std::string("; it fits a design ") +
                                 (second_order ? "without" : "with") +
                                 " second order: set second_order to match the design"
                           : "";
    throw std::invalid_argument("Y has " + std::to_string(size) + " values, not a multiple of " +
                                std::to_string(block) + " = rows per base row for " +
                                std::to_string(groups) + " groups" +
                                (second_order ? " with" : " without") + " second order" + hint);
  }
  if (size / block < 2) throw std::invalid_argument("Y needs at least 2 base rows (N >= 2)");
  return size / block;
}

// Y standardised by its own mean and population standard deviation (SALib does the same
// before estimating), split into the design's roles.
Columns split(std::span<const double> y, std::size_t groups, bool second_order, double mean,
              double sd) {
  Columns c;
  c.n = base_count(groups, y.size(), second_order);
  c.groups = groups;
  c.second_order = second_order;
  const SaltelliLayout layout{c.n, groups, second_order};
  const auto z = [&](std::size_t row) { return (y[row] - mean) / sd; };
  c.a.resize(c.n);
  c.b.resize(c.n);
  c.ab.resize(groups * c.n);
  if (second_order) c.ba.resize(groups * c.n);
  for (std::size_t j = 0; j < c.n; ++j) {
    c.a[j] = z(layout.row_a(j));
    c.b[j] = z(layout.row_b(j));
    for (std::size_t g = 0; g < groups; ++g) {
      c.ab[g * c.n + j] = z(layout.row_ab(j, g));
      if (second_order) c.ba[g * c.n + j] = z(layout.row_ba(j, g));
    }
  }
  return c;
}

// Population variance of f_A and f_B together and whether they vary at all (SALib's test:
// range above machine epsilon on the standardised scale).
std::pair<double, bool> joint_variance(const Columns& c, const std::vector<std::size_t>& rows) {
  double sum = 0.0, low = HUGE_VAL, high = -HUGE_VAL;
  for (const std::size_t r : rows) {
    sum += c.a[r] + c.b[r];
    low = std::min({low, c.a[r], c.b[r]});
    high = std::max({high, c.a[r], c.b[r]});
  }
  const double count = 2.0 * static_cast<double>(rows.size());
  const double mean = sum / count;
  double squares = 0.0;
  for (const std::size_t r : rows) {
    squares += (c.a[r] - mean) * (c.a[r] - mean) + (c.b[r] - mean) * (c.b[r] - mean);
  }
  return {squares / count, high - low > kEps};
}

// Every index on the base rows `rows` (the identity for the point estimates, a resample for
// the bootstrap). A resample whose output does not vary gives zeros, as in SALib.
std::vector<double> estimate(const Columns& c, const std::vector<std::size_t>& rows) {
  const Slots slots{c.groups};
  std::vector<double> out(slots.count(), kNaN);
  const auto [variance, varies] = joint_variance(c, rows);
  const bool usable = varies && variance > kEps;
  const double m = static_cast<double>(rows.size());
  for (std::size_t g = 0; g < c.groups; ++g) {
    const double* ab = c.ab.data() + g * c.n;
    double first = 0.0, total = 0.0;
    for (const std::size_t r : rows) {
      first += c.b[r] * (ab[r] - c.a[r]);
      total += (c.a[r] - ab[r]) * (c.a[r] - ab[r]);
    }
    out[slots.s1(g)] = usable ? (first / m) / variance : 0.0;
    out[slots.st(g)] = usable ? (0.5 * (total / m)) / variance : 0.0;
  }
  if (!c.second_order) return out;
  for (std::size_t i = 0; i < c.groups; ++i) {
    for (std::size_t j = i + 1; j < c.groups; ++j) {
      const double* ba = c.ba.data() + i * c.n;
      const double* ab = c.ab.data() + j * c.n;
      double joint = 0.0;
      for (const std::size_t r : rows) joint += ba[r] * ab[r] - c.a[r] * c.b[r];
      out[slots.s2(i, j)] =
          usable ? (joint / m) / variance - out[slots.s1(i)] - out[slots.s1(j)] : 0.0;
    }
  }
  return out;
}

// The per-row terms whose resampled sums give every index: columns a + b, a^2 + b^2 (the
// joint mean and variance), then b (ab_g - a) and (a - ab_g)^2 per group, then
// ba_i ab_j - a b per pair i < j (second order). N x K, column-major.
Eigen::MatrixXd row_terms(const Columns& c) {
  const std::size_t g = c.groups;
  const std::size_t pairs = c.second_order ? g * (g - 1) / 2 : 0;
  const auto n = static_cast<Eigen::Index>(c.n);
  Eigen::MatrixXd t(n, static_cast<Eigen::Index>(2 + 2 * g + pairs));
  for (std::size_t j = 0; j < c.n; ++j) {
    const auto row = static_cast<Eigen::Index>(j);
    t(row, 0) = c.a[j] + c.b[j];
    t(row, 1) = c.a[j] * c.a[j] + c.b[j] * c.b[j];
    for (std::size_t k = 0; k < g; ++k) {
      const double ab = c.ab[k * c.n + j];
      t(row, static_cast<Eigen::Index>(2 + k)) = c.b[j] * (ab - c.a[j]);
      t(row, static_cast<Eigen::Index>(2 + g + k)) = (c.a[j] - ab) * (c.a[j] - ab);
    }
    std::size_t column = 2 + 2 * g;
    for (std::size_t i = 0; c.second_order && i < g; ++i) {
      for (std::size_t k = i + 1; k < g; ++k) {
        t(row, static_cast<Eigen::Index>(column++)) =
            c.ba[i * c.n + j] * c.ab[k * c.n + j] - c.a[j] * c.b[j];
      }
    }
  }
  return t;
}

// z times the standard deviation of each slot over the bootstrap's resampled estimates. A
// resample whose f_A and f_B do not vary gives zeros, as in SALib.
std::vector<double> bootstrap_half_widths(const Columns& c, const SobolOptions& options,
                                          const SobolBootstrap& bootstrap) {
  const Slots slots{c.groups};
  const std::size_t g = c.groups;
  const std::size_t count = bootstrap.resamples();
  using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  const Eigen::Map<const RowMajor> counts(bootstrap.counts().data(),
                                          static_cast<Eigen::Index>(count),
                                          static_cast<Eigen::Index>(c.n));
  const Eigen::MatrixXd sums = counts * row_terms(c);  // resamples x terms
  const double m = static_cast<double>(c.n);
  std::vector<double> estimates(count * slots.count(), 0.0);
  for (std::size_t r = 0; r < count; ++r) {
    const auto row = static_cast<Eigen::Index>(r);
    const double mean = sums(row, 0) / (2.0 * m);
    const double variance = sums(row, 1) / (2.0 * m) - mean * mean;
    if (!(variance > kEps)) continue;
    double* out = estimates.data() + r * slots.count();
    for (std::size_t k = 0; k < g; ++k) {
      out[slots.s1(k)] = (sums(row, static_cast<Eigen::Index>(2 + k)) / m) / variance;
      out[slots.st(k)] = 0.5 * (sums(row, static_cast<Eigen::Index>(2 + g + k)) / m) / variance;
    }
    std::size_t column = 2 + 2 * g;
    for (std::size_t i = 0; c.second_order && i < g; ++i) {
      for (std::size_t k = i + 1; k < g; ++k) {
        out[slots.s2(i, k)] = (sums(row, static_cast<Eigen::Index>(column++)) / m) / variance -
                              out[slots.s1(i)] - out[slots.s1(k)];
      }
    }
  }
  const double z = detail::normal_quantile_for(options.confidence);
  std::vector<double> half(slots.count(), kNaN);
  std::vector<double> column(count);
  for (std::size_t s = 0; s < slots.count(); ++s) {
    for (std::size_t r = 0; r < count; ++r) column[r] = estimates[r * slots.count() + s];
    half[s] = z * detail::sample_sd(column);
  }
  return half;
}

void fill(SobolIndices& out, const std::vector<double>& values, const std::vector<double>& half) {
  const std::size_t g = out.groups;
  const Slots slots{g};
  for (auto* v : {&out.S1, &out.S1_conf, &out.ST, &out.ST_conf}) v->assign(g, kNaN);
  if (out.second_order) {
    out.S2.assign(g * g, kNaN);
    out.S2_conf.assign(g * g, kNaN);
  }
  if (values.empty()) return;  // undefined: all NaN
  for (std::size_t i = 0; i < g; ++i) {
    out.S1[i] = values[slots.s1(i)];
    out.S1_conf[i] = half[slots.s1(i)];
    out.ST[i] = values[slots.st(i)];
    out.ST_conf[i] = half[slots.st(i)];
    for (std::size_t j = i + 1; out.second_order && j < g; ++j) {
      out.S2[i * g + j] = values[slots.s2(i, j)];
      out.S2_conf[i * g + j] = half[slots.s2(i, j)];
    }
  }
}

}  // namespace

SobolBootstrap::SobolBootstrap(std::size_t base_samples, std::size_t resamples,
                               std::uint64_t seed)
    : base_samples_(base_samples), resamples_(resamples), seed_(seed),
      counts_(base_samples * resamples, 0.0) {
  const std::uint64_t stream = stream_id("sobol_bootstrap");
  tbb::parallel_for(std::size_t{0}, resamples, [&](std::size_t r) {
    double* row = counts_.data() + r * base_samples;
    for (std::size_t k = 0; k < base_samples; ++k) {
      row[detail::random_below(base_samples, seed, stream, r, k)] += 1.0;
    }
  });
}

SobolIndices sobol_indices(std::size_t groups, std::span<const double> y,
                           const SobolOptions& options, const SobolBootstrap* bootstrap) {
  if (groups == 0) throw std::invalid_argument("Sobol' indices need at least one group");
  const std::size_t n = base_count(groups, y.size(), options.second_order);
  detail::require_finite(y, "Y");
  if (options.num_resamples == 1) {
    throw std::invalid_argument("a bootstrap needs at least 2 resamples (or 0 for none)");
  }
  detail::normal_quantile_for(options.confidence);  // validates before the work

  SobolIndices out;
  out.groups = groups;
  out.base_samples = n;
  out.second_order = options.second_order;
  double sum = 0.0;
  for (const double v : y) sum += v;
  const double mean = sum / static_cast<double>(y.size());
  double squares = 0.0;
  for (const double v : y) squares += (v - mean) * (v - mean);
  const double sd = std::sqrt(squares / static_cast<double>(y.size()));

  const Columns raw = split(y, groups, options.second_order, 0.0, 1.0);
  std::vector<std::size_t> all(n);
  for (std::size_t k = 0; k < n; ++k) all[k] = k;
  out.output_variance = joint_variance(raw, all).first;
  // A constant Y (sd = 0) cannot be standardised; a constant f_A and f_B has V = 0. Either
  // way the indices are 0/0.
  const Columns c = split(y, groups, options.second_order, mean, sd > 0.0 ? sd : 1.0);
  out.defined = sd > 0.0 && joint_variance(c, all).second;
  if (!out.defined) {
    fill(out, {}, {});
    return out;
  }
  const std::vector<double> values = estimate(c, all);
  std::vector<double> half(values.size(), kNaN);
  if (options.num_resamples > 0) {
    if (bootstrap != nullptr &&
        (bootstrap->base_samples() != n || bootstrap->resamples() != options.num_resamples ||
         bootstrap->seed() != options.seed)) {
      throw std::invalid_argument("the shared bootstrap was drawn for another N, resample "
                                  "count or seed");
    }
    const std::optional<SobolBootstrap> own =
        bootstrap == nullptr ? std::optional<SobolBootstrap>(std::in_place, n,
                                                             options.num_resamples, options.seed)
                             : std::nullopt;
    half = bootstrap_half_widths(c, options, bootstrap != nullptr ? *bootstrap : *own);
  }
  fill(out, values, half);
  return out;
}

std::vector<IndexCheck> check_indices(const SobolIndices& indices, double target_half_width) {
  if (!(target_half_width > 0.0)) {
    throw std::invalid_argument("the target half-width must be positive");
  }
  std::vector<IndexCheck> checks;
  if (!indices.defined) return checks;
  const auto add = [&](IndexCheck::Kind kind, std::size_t i, std::size_t j, double value,
                       double half) {
    if (!std::isfinite(half)) return;
    IndexCheck check{kind, i, j, value, half, value + half < 0.0, half > target_half_width,
                     indices.base_samples};
    if (check.wide) {
      const double ratio = half / target_half_width;
      const double needed = std::ceil(static_cast<double>(indices.base_samples) * ratio * ratio);
      check.suggested_base_samples = next_power_of_two(static_cast<std::size_t>(needed));
    }
    checks.push_back(check);
  };
  const std::size_t g = indices.groups;
  for (std::size_t i = 0; i < g; ++i) {
    add(IndexCheck::Kind::first_order, i, i, indices.S1[i], indices.S1_conf[i]);
  }
  for (std::size_t i = 0; i < g; ++i) {
    add(IndexCheck::Kind::total, i, i, indices.ST[i], indices.ST_conf[i]);
  }
  for (std::size_t i = 0; indices.second_order && i < g; ++i) {
    for (std::size_t j = i + 1; j < g; ++j) {
      add(IndexCheck::Kind::second_order, i, j, indices.s2(i, j), indices.s2_conf(i, j));
    }
  }
  return checks;
}

}  // namespace gapcast::sensitivity
