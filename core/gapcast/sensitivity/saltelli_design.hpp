#pragma once
/// The Saltelli design for Sobol' indices: N base rows of a 2D-dimensional Sobol' sequence
/// split into A (first D coordinates) and B (last D), and for each base row j the block
///
///     A_j, AB_1 .. AB_G, [BA_1 .. BA_G,] B_j
///
/// where AB_g is A_j with group g's columns taken from B_j and BA_g is B_j with group g's
/// columns taken from A_j (only for second-order indices). That is SALib's row order
/// (SALib.sample.sobol.sample), so N (G + 2) rows, or N (2G + 2) with second order. With the
/// same (unscrambled) points the design equals SALib's row for row.
///
/// Points are in the unit cube; the caller maps each column through its parameter's quantile
/// function. N must be a power of two: Sobol' points are balanced only in blocks of 2^k.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "gapcast/sensitivity/parameter_groups.hpp"

namespace gapcast::sensitivity {

/// Where the rows of one base row's block are.
struct SaltelliLayout {
  std::size_t base_samples = 0;  // N
  std::size_t groups = 0;        // G
  bool second_order = false;

  std::size_t rows_per_base() const noexcept { return (second_order ? 2 : 1) * groups + 2; }
  std::size_t rows() const noexcept { return base_samples * rows_per_base(); }
  std::size_t row_a(std::size_t j) const noexcept { return j * rows_per_base(); }
  std::size_t row_ab(std::size_t j, std::size_t g) const noexcept { return row_a(j) + 1 + g; }
  std::size_t row_ba(std::size_t j, std::size_t g) const noexcept {
    return row_a(j) + 1 + groups + g;
  }
  std::size_t row_b(std::size_t j) const noexcept { return row_a(j) + rows_per_base() - 1; }
};

struct SaltelliOptions {
  std::size_t base_samples = 1024;  // N, a power of two, at least 2
  bool second_order = false;
  bool scramble = true;     // linear matrix scramble + digital shift (sobol_sequence.hpp)
  std::uint64_t seed = 0;   // the scramble's seed
};

struct SaltelliDesign {
  SaltelliLayout layout;
  std::size_t parameters = 0;  // D
  std::vector<double> points;  // layout.rows() x parameters, row-major, in [0, 1)

  double at(std::size_t row, std::size_t column) const { return points[row * parameters + column]; }
};

/// The smallest power of two >= n (1 for n = 0).
std::size_t next_power_of_two(std::size_t n) noexcept;

/// Throws std::invalid_argument unless n is a power of two >= 2; the message names the next
/// power of two.
void require_power_of_two_base(std::size_t n);

/// The design; built in parallel, bit-identical for any thread count. Throws
/// std::invalid_argument for a bad N or more parameters than the Sobol' table allows
/// (2D <= SobolSequence::kMaxDimension).
SaltelliDesign saltelli_design(const ParameterGroups& groups, const SaltelliOptions& options);

}  // namespace gapcast::sensitivity
