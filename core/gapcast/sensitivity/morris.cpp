#include "gapcast/sensitivity/morris.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "gapcast/sampling/random_stream.hpp"
#include "gapcast/sensitivity/detail/estimator_support.hpp"

namespace gapcast::sensitivity {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// One trajectory's rows into out (G + 1 rows of D values). Levels are integers until the end,
// so the grid values are exact and a step is exactly p/2 levels.
void write_trajectory(const ParameterGroups& groups, const MorrisOptions& options,
                      std::size_t t, double* out) {
  const std::size_t g_count = groups.group_count();
  const std::size_t d = groups.parameter_count();
  const std::uint64_t stream = stream_id("morris_design");
  std::vector<std::size_t> order(g_count);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (std::size_t k = g_count; k-- > 1;) {  // Fisher-Yates: draw k picks order[k]
    std::swap(order[k], order[detail::random_below(k + 1, options.seed, stream, t, k)]);
  }
  std::vector<std::size_t> step_of(g_count);  // group order[s] moves on step s + 1
  for (std::size_t s = 0; s < g_count; ++s) step_of[order[s]] = s + 1;
  const auto half = static_cast<std::size_t>(options.num_levels / 2);
  const double top = options.num_levels - 1;
  for (std::size_t p = 0; p < d; ++p) {
    const std::uint64_t key = g_count + 2 * p;
    const bool up = (detail::random_bits(options.seed, stream, t, key) & 1) != 0;
    const std::size_t low = detail::random_below(half, options.seed, stream, t, key + 1);
    const std::size_t before = up ? low : low + half;
    const std::size_t after = up ? low + half : low;
    const std::size_t moves = step_of[groups.group_of(p)];
    for (std::size_t row = 0; row <= g_count; ++row) {
      out[row * d + p] = static_cast<double>(row >= moves ? after : before) / top;
    }
  }
}

// Checks sizes and values; returns the number of trajectories.
std::size_t trajectory_count(const ParameterGroups& groups, std::span<const double> x,
                             std::span<const double> y) {
  const std::size_t d = groups.parameter_count();
  const std::size_t size = groups.group_count() + 1;
  if (x.size() != y.size() * d) {
    throw std::invalid_argument("X has " + std::to_string(x.size()) + " values; " +
                                std::to_string(y.size()) + " rows of " + std::to_string(d) +
                                " parameters need " + std::to_string(y.size() * d));
  }
  if (y.size() % size != 0 || y.size() / size < 2) {
    throw std::invalid_argument("Y has " + std::to_string(y.size()) +
                                " values; a Morris design for " +
                                std::to_string(groups.group_count()) + " groups has " +
                                std::to_string(size) + " rows per trajectory and at least 2 "
                                "trajectories");
  }
  detail::require_finite(x, "X");
  detail::require_finite(y, "Y");
  return y.size() / size;
}

// EE[p * r + t]: parameter p's elementary effect in trajectory t, as SALib forms it: the sum
// of the outputs after the steps where x_p rose and before those where it fell, minus the
// opposite, over delta.
std::vector<double> elementary_effects(const ParameterGroups& groups, std::span<const double> x,
                                       std::span<const double> y, std::size_t r, double delta) {
  const std::size_t d = groups.parameter_count();
  const std::size_t size = groups.group_count() + 1;
  std::vector<double> effects(d * r);
  for (std::size_t t = 0; t < r; ++t) {
    std::vector<double> up(d, 0.0), down(d, 0.0);
    for (std::size_t s = 0; s + 1 < size; ++s) {
      const std::size_t row = t * size + s;
      std::size_t moved_group = groups.group_count();
      for (std::size_t p = 0; p < d; ++p) {
        const double change = x[(row + 1) * d + p] - x[row * d + p];
        if (change == 0.0) continue;
        if (moved_group != groups.group_count() && moved_group != groups.group_of(p)) {
          throw std::invalid_argument(
              "trajectory " + std::to_string(t) + ", step " + std::to_string(s + 1) +
              " changes parameters of groups \"" + groups.group_name(moved_group) + "\" and \"" +
              groups.group_name(groups.group_of(p)) + "\": X is not a Morris design for these "
              "groups");
        }
        moved_group = groups.group_of(p);
        up[p] += change > 0 ? y[row + 1] : y[row];
        down[p] += change > 0 ? y[row] : y[row + 1];
      }
    }
    for (std::size_t p = 0; p < d; ++p) effects[p * r + t] = (up[p] - down[p]) / delta;
  }
  return effects;
}

double mean_abs(const double* values, std::size_t n, const std::vector<std::size_t>* pick) {
  double sum = 0.0;
  for (std::size_t k = 0; k < n; ++k) sum += std::abs(values[pick ? (*pick)[k] : k]);
  return sum / static_cast<double>(n);
}

// z * sd of mu* over bootstrap resamples of the trajectories, per parameter.
std::vector<double> mu_star_half_widths(const std::vector<double>& effects, std::size_t d,
                                        std::size_t r, const MorrisAnalysisOptions& options) {
  const std::size_t count = options.num_resamples;
  if (count == 0) return std::vector<double>(d, kNaN);
  std::vector<double> resampled(count * d);
  const std::uint64_t stream = stream_id("morris_bootstrap");
  tbb::parallel_for(std::size_t{0}, count, [&](std::size_t b) {
    std::vector<std::size_t> pick(r);
    for (std::size_t k = 0; k < r; ++k) {
      pick[k] = detail::random_below(r, options.seed, stream, b, k);
    }
    for (std::size_t p = 0; p < d; ++p) resampled[b * d + p] = mean_abs(&effects[p * r], r, &pick);
  });
  const double z = detail::normal_quantile_for(options.confidence);
  std::vector<double> half(d), column(count);
  for (std::size_t p = 0; p < d; ++p) {
    for (std::size_t b = 0; b < count; ++b) column[b] = resampled[b * d + p];
    half[p] = z * detail::sample_sd(column);
  }
  return half;
}

// The mean over each group's parameters (SALib's masked mean).
std::vector<double> group_means(const ParameterGroups& groups, const std::vector<double>& values) {
  std::vector<double> out(groups.group_count());
  for (std::size_t g = 0; g < out.size(); ++g) {
    double sum = 0.0;
    for (const std::size_t p : groups.members(g)) sum += values[p];
    out[g] = sum / static_cast<double>(groups.members(g).size());
  }
  return out;
}

}  // namespace

double morris_delta(int num_levels) {
  if (num_levels < 2 || num_levels % 2 != 0) {
    throw std::invalid_argument("the number of Morris levels must be even and at least 2, not " +
                                std::to_string(num_levels) +
                                " (an odd count makes the steps unbalanced)");
  }
  return num_levels / (2.0 * (num_levels - 1));
}

MorrisDesign morris_design(const ParameterGroups& groups, const MorrisOptions& options) {
  MorrisDesign design;
  design.delta = morris_delta(options.num_levels);
  if (options.trajectories == 0) throw std::invalid_argument("a Morris design needs trajectories");
  design.trajectories = options.trajectories;
  design.parameters = groups.parameter_count();
  design.groups = groups.group_count();
  design.num_levels = options.num_levels;
  design.points.resize(design.rows() * design.parameters);
  const std::size_t block = (design.groups + 1) * design.parameters;
  tbb::parallel_for(std::size_t{0}, design.trajectories, [&](std::size_t t) {
    write_trajectory(groups, options, t, design.points.data() + t * block);
  });
  return design;
}

MorrisIndices morris_indices(const ParameterGroups& groups, std::span<const double> x,
                             std::span<const double> y, const MorrisAnalysisOptions& options) {
  const double delta = morris_delta(options.num_levels);
  const std::size_t r = trajectory_count(groups, x, y);
  if (options.num_resamples == 1) {
    throw std::invalid_argument("a bootstrap needs at least 2 resamples (or 0 for none)");
  }
  detail::normal_quantile_for(options.confidence);
  const std::size_t d = groups.parameter_count();
  const std::vector<double> effects = elementary_effects(groups, x, y, r, delta);

  std::vector<double> mu(d), mu_star(d), sigma(d);
  for (std::size_t p = 0; p < d; ++p) {
    const double* e = &effects[p * r];
    mu[p] = std::accumulate(e, e + r, 0.0) / static_cast<double>(r);
    mu_star[p] = mean_abs(e, r, nullptr);
    sigma[p] = detail::sample_sd(std::span<const double>(e, r));
  }
  MorrisIndices out;
  out.trajectories = r;
  out.mu = group_means(groups, mu);
  out.mu_star = group_means(groups, mu_star);
  out.mu_star_conf = group_means(groups, mu_star_half_widths(effects, d, r, options));
  out.sigma.assign(groups.group_count(), kNaN);  // a spread across a group's mixed signs
  for (std::size_t g = 0; g < groups.group_count(); ++g) {
    if (groups.members(g).size() == 1) out.sigma[g] = sigma[groups.members(g).front()];
  }
  return out;
}

}  // namespace gapcast::sensitivity
