#pragma once
/// PAWN indices (Pianosi and Wagener 2015; the given-data form of 2018) from an ordinary Monte
/// Carlo sample: any design, any dependence between inputs, no extra model runs. Computed as
/// SALib.analyze.pawn.analyze (SALib 1.6), so the same X, Y and S give the same numbers.
///
/// For each parameter X_i, the sample is cut into S slices at the empirical quantiles of X_i
/// (numpy.quantile's default, linear interpolation, at levels k / S): slice k holds the rows
/// with q_k <= x_i < q_{k+1}. (The right end is open for every slice, as in SALib, so the rows
/// at the maximum of X_i fall in none.) Each slice gives the Kolmogorov-Smirnov statistic
/// between the empirical CDF of Y in the slice and that of all of Y,
///     KS_k = max_y |F_slice(y) - F_all(y)|   (scipy.stats.ks_2samp's statistic),
/// and the index summarises the S statistics: minimum, mean, median, maximum, standard
/// deviation (ddof = 0) and CV = sd / mean, skipping empty slices. A parameter that does not
/// influence Y has every KS_k at the level of sampling noise (about sqrt(S / N)); if Y is an
/// increasing function of X_i alone, slice k holds exactly the k-th S-quantile band of Y and
/// KS_k = max(k, S - 1 - k) / S, from about 1/2 to 1 - 1/S. Groups report the mean of their
/// parameters' values.
#include <cstddef>
#include <span>
#include <vector>

#include "gapcast/sensitivity/parameter_groups.hpp"

namespace gapcast::sensitivity {

struct PawnIndices {
  std::size_t slices = 0;
  // One per group.
  std::vector<double> minimum, mean, median, maximum, cv, stdev;
};

/// X: N rows x D, row-major; Y: N finite values. Throws std::invalid_argument for mismatched
/// sizes, non-finite values, S < 2 or fewer rows than slices.
PawnIndices pawn_indices(const ParameterGroups& groups, std::span<const double> x,
                         std::span<const double> y, std::size_t slices = 10);

}  // namespace gapcast::sensitivity
