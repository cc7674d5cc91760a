#pragma once
/// Sobol' indices from the outputs of a Saltelli design (saltelli_design.hpp), with the
/// estimators of SALib.analyze.sobol (SALib 1.6), so that the same Y gives the same numbers:
///
///     V      = population variance of f_A and f_B together (numpy.var, ddof = 0)
///     S1_i   = mean(f_B (f_ABi - f_A)) / V                      Saltelli et al. (2010)
///     ST_i   = mean((f_A - f_ABi)^2) / (2 V)                    Jansen (1999)
///     V_ij   = mean(f_BAi f_ABj - f_A f_B) / V,  S2_ij = V_ij - S1_i - S1_j   Saltelli (2002)
///
/// As SALib does, Y is first standardised by the mean and standard deviation of all its
/// values: the first-order estimator is not invariant to a shift of Y, and centring reduces
/// its variance. Indices are per group (each parameter its own group by default).
///
/// Intervals: B bootstrap resamples of the N base rows (with replacement), every index
/// re-estimated on each (the joint variance as E[y^2] - E[y]^2 of the resampled f_A and f_B,
/// on the standardised scale); the reported half-width is z * sd(resampled estimates, ddof = 1),
/// z = Phi^-1(0.5 + confidence / 2), as SALib reports it. Resample r draws its rows from
/// gapcast's counter-based stream keyed by (seed, "sobol_bootstrap", r), and resamples run in
/// parallel into their own slots, so estimates and intervals are bit-identical for any thread
/// count. (SALib uses NumPy's generator, so its intervals differ by bootstrap noise.)
///
/// Non-finite Y (an event month of +inf because the event never happens) is refused with a
/// message that counts the values: dropping rows would break the design. A constant output
/// (V = 0) leaves the indices undefined: they are NaN and `defined` is false.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace gapcast::sensitivity {

struct SobolOptions {
  bool second_order = false;      // must match the design
  std::size_t num_resamples = 1000;  // bootstrap resamples; 0 for no intervals (NaN)
  double confidence = 0.95;
  std::uint64_t seed = 0;  // the bootstrap's seed
};

struct SobolIndices {
  std::size_t groups = 0;        // G
  std::size_t base_samples = 0;  // N
  bool second_order = false;
  /// False when f_A and f_B do not vary (a constant output): every index is then NaN.
  bool defined = true;
  /// Population variance of f_A and f_B on the scale of Y (before standardising).
  double output_variance = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> S1, S1_conf, ST, ST_conf;  // one per group; _conf are half-widths
  /// G x G row-major, entry (i, j) for i < j; NaN on and below the diagonal (as SALib). Empty
  /// without second order.
  std::vector<double> S2, S2_conf;

  double s2(std::size_t i, std::size_t j) const { return S2.at(i * groups + j); }
  double s2_conf(std::size_t i, std::size_t j) const { return S2_conf.at(i * groups + j); }
};

/// The bootstrap's resamples as counts: counts()[r * N + j] is how often base row j is drawn
/// in resample r (the rows drawn from the stream keyed by (seed, "sobol_bootstrap", r)).
/// Drawn once, it serves every output analysed with the same N, resample count and seed:
/// each output's resampled sums are then one matrix product (counts x per-row terms) instead
/// of a gather per resample, which is what makes intervals on hundreds of outputs cheap.
class SobolBootstrap {
 public:
  SobolBootstrap(std::size_t base_samples, std::size_t resamples, std::uint64_t seed);
  std::size_t base_samples() const noexcept { return base_samples_; }
  std::size_t resamples() const noexcept { return resamples_; }
  std::uint64_t seed() const noexcept { return seed_; }
  const std::vector<double>& counts() const noexcept { return counts_; }

 private:
  std::size_t base_samples_, resamples_;
  std::uint64_t seed_;
  std::vector<double> counts_;  // resamples x base_samples, row-major
};

/// Y in the design's row order (saltelli_design.hpp), one value per row; its length must be
/// N (G + 2), or N (2G + 2) with second order. Throws std::invalid_argument for a length that
/// fits neither, non-finite values (counted in the message), N < 2, a confidence outside
/// (0, 1), one bootstrap resample, or a `bootstrap` drawn for another N, resample count or
/// seed. Without `bootstrap` the resamples are drawn for this call.
SobolIndices sobol_indices(std::size_t groups, std::span<const double> y,
                           const SobolOptions& options = {},
                           const SobolBootstrap* bootstrap = nullptr);

/// Half-width an interval should not exceed: an index known to +-0.05 separates a parameter
/// that matters (0.2) from one that does not (0) and ranks most pairs.
inline constexpr double kTargetHalfWidth = 0.05;

/// What to tell a user about one index.
struct IndexCheck {
  enum class Kind { first_order, total, second_order };
  Kind kind = Kind::first_order;
  std::size_t group = 0;
  std::size_t other = 0;  // the second group of a second-order index (else == group)
  double value = 0.0;
  double half_width = 0.0;
  /// Below zero even allowing for the interval (value + half_width < 0): the estimator is
  /// struggling (N too small for this output, or a non-smooth output).
  bool negative = false;
  /// Interval wider than the target (half_width > target).
  bool wide = false;
  /// N that would bring the half-width to the target, assuming it shrinks like 1/sqrt(N):
  /// N (half_width / target)^2 rounded up to a power of two; N itself when not wide.
  std::size_t suggested_base_samples = 0;
};

/// One check per index, in the order S1, ST, then S2 (i < j); none when the indices are
/// undefined or have no intervals.
std::vector<IndexCheck> check_indices(const SobolIndices& indices,
                                      double target_half_width = kTargetHalfWidth);

}  // namespace gapcast::sensitivity
