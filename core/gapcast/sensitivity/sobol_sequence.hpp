#pragma once
/// Sobol' low-discrepancy points in [0, 1)^d, optionally scrambled.
///
/// Direction numbers: Joe and Kuo (2008), file new-joe-kuo-6.21201, as tabulated in Boost
/// (boost/random/detail/sobol_table.hpp, the first 3667 dimensions); the first coordinate is
/// the van der Corput sequence. Points come in Gray-code order (Antonov and Saleev), the order
/// of scipy.stats.qmc.Sobol and Boost, so unscrambled point i equals scipy's point i exactly.
///
/// Point i is a pure function of i (the XOR of the direction numbers selected by the bits of
/// gray(i) = i ^ (i >> 1)), so any block of points can be computed without the ones before it,
/// and a design built in parallel is bit-identical for any thread count.
///
/// Scrambling (Owen-type randomisation, as scipy's scramble=True): a random lower-triangular
/// binary matrix with unit diagonal per coordinate (Matousek's linear matrix scramble) applied
/// to the direction numbers, then a random digital shift (XOR). Both keep the net property:
/// for every k, each coordinate of the first 2^k points still has exactly one point in each
/// interval [j 2^-k, (j + 1) 2^-k). They remove the point at the origin and make estimates
/// unbiased over seeds. The random bits are drawn from gapcast's counter-based streams keyed
/// by (seed, "sobol_scramble", coordinate), so a seed gives the same points everywhere.
///
/// Values are k 2^-52 for integers k < 2^52 (exact in a double, never 1). Unscrambled, point 0
/// is the origin, which a quantile function may send to -infinity: use scrambled points for a
/// design, unscrambled ones to compare with references.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace gapcast::sensitivity {

class SobolSequence {
 public:
  /// Largest dimension of the direction-number table.
  static constexpr std::size_t kMaxDimension = 3667;
  /// Bits per coordinate; indices must be below 2^kBits.
  static constexpr int kBits = 52;

  /// Throws std::invalid_argument unless 1 <= dimension <= kMaxDimension.
  /// With a seed, the points are scrambled (linear matrix scramble and digital shift).
  explicit SobolSequence(std::size_t dimension,
                         std::optional<std::uint64_t> scramble_seed = std::nullopt);

  std::size_t dimension() const noexcept { return dimension_; }
  bool scrambled() const noexcept { return scrambled_; }

  /// Point `index` into out[0, dimension). Throws std::out_of_range for index >= 2^kBits and
  /// std::invalid_argument when out has the wrong size.
  void point(std::uint64_t index, std::span<double> out) const;
  std::vector<double> point(std::uint64_t index) const;

  /// Points first, ..., first + count - 1, row-major (count x dimension). Blocks are computed
  /// in parallel, each from its first point by Gray-code steps (one XOR per coordinate per
  /// point); the result equals point(first + r) for every row r.
  std::vector<double> points(std::uint64_t first, std::size_t count) const;

 private:
  void check_range(std::uint64_t first, std::uint64_t count) const;
  // The integer coordinates of point `index` (before the shift), into `state`.
  void integer_point(std::uint64_t index, std::span<std::uint64_t> state) const;
  void write(std::span<const std::uint64_t> state, std::span<double> out) const;

  std::size_t dimension_;
  bool scrambled_;
  // Direction number of bit k in coordinate d at directions_[k * dimension_ + d]: the layout
  // that lets one XOR pass run over all coordinates.
  std::vector<std::uint64_t> directions_;
  std::vector<std::uint64_t> shift_;  // digital shift per coordinate (zero unscrambled)
};

}  // namespace gapcast::sensitivity
