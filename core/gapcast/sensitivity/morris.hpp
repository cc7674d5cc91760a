#pragma once
/// Morris elementary effects: the trajectory design (Morris 1991, with groups as in
/// Campolongo et al. 2007) and the screening measures mu, mu* and sigma, computed as
/// SALib.analyze.morris does (SALib 1.6), so the same X and Y give the same numbers.
///
/// Design. The unit cube is a grid of p levels {0, 1/(p-1), ..., 1} (p even, default 4); a
/// step moves a coordinate by delta = p / (2 (p - 1)), i.e. p/2 levels. Each of r trajectories
/// starts at a random point of the lower half of the grid (levels 0 .. p/2 - 1), then moves
/// one group at a time, in a random order, until every group has moved once: G + 1 rows. Each
/// parameter's step goes up or down at random (a parameter stepping down starts p/2 levels
/// higher), so every parameter of a group moves on the group's step, each in its own direction
/// (SALib's sampler without trajectory optimisation). Trajectory t's draws come from the
/// stream keyed by (seed, "morris_design", t): the design is the same for any thread count.
/// Levels include 0 and 1; for a marginal without bounds, map level value v to the quantile
/// at (v (p - 1) + 1/2) / p (the centres of p equal-probability cells) rather than at v.
///
/// Analysis. For parameter i and trajectory t, the elementary effect is
///     EE_i = sign(x_after,i - x_before,i) (y_after - y_before) / delta
/// on the step where x_i changes (SALib's form, so a step down counts with its sign). Then
/// mu_i = mean(EE_i), mu*_i = mean(|EE_i|), sigma_i = sd(EE_i, ddof = 1) over trajectories;
/// a group reports the mean over its parameters of mu and mu*, and sigma only when it has one
/// parameter (NaN otherwise), as SALib does. mu*_conf is z * sd of mu* over bootstrap
/// resamples of the trajectories (keyed by (seed, "morris_bootstrap", resample)).
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gapcast/sensitivity/parameter_groups.hpp"

namespace gapcast::sensitivity {

struct MorrisOptions {
  std::size_t trajectories = 20;  // r
  int num_levels = 4;             // p, even, >= 2
  std::uint64_t seed = 0;
};

struct MorrisDesign {
  std::size_t trajectories = 0;  // r
  std::size_t parameters = 0;    // D
  std::size_t groups = 0;        // G
  int num_levels = 0;
  double delta = 0.0;
  std::vector<double> points;  // r (G + 1) rows x D, row-major, on the grid in [0, 1]

  std::size_t rows() const noexcept { return trajectories * (groups + 1); }
  double at(std::size_t row, std::size_t column) const { return points[row * parameters + column]; }
};

/// delta = p / (2 (p - 1)); throws std::invalid_argument unless p is even and >= 2.
double morris_delta(int num_levels);

/// The trajectories; throws std::invalid_argument for no trajectory or a bad level count.
MorrisDesign morris_design(const ParameterGroups& groups, const MorrisOptions& options);

struct MorrisAnalysisOptions {
  int num_levels = 4;  // as in the design: it sets delta
  std::size_t num_resamples = 1000;  // bootstrap of mu*; 0 for no interval (NaN)
  double confidence = 0.95;
  std::uint64_t seed = 0;
};

struct MorrisIndices {
  std::size_t trajectories = 0;
  std::vector<double> mu, mu_star, sigma, mu_star_conf;  // one per group
};

/// X: the design's rows (row-major, rows x D) in the unit cube or mapped through increasing
/// functions (only the direction of each change is used); Y: one finite value per row.
/// Throws std::invalid_argument for mismatched sizes, fewer than 2 trajectories, non-finite
/// values, or a step that changes parameters of two groups (X is then not a design for these
/// groups).
MorrisIndices morris_indices(const ParameterGroups& groups, std::span<const double> x,
                             std::span<const double> y, const MorrisAnalysisOptions& options = {});

}  // namespace gapcast::sensitivity
