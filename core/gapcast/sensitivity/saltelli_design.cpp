#include "gapcast/sensitivity/saltelli_design.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <bit>
#include <optional>
#include <stdexcept>
#include <string>

#include "gapcast/sensitivity/sobol_sequence.hpp"

namespace gapcast::sensitivity {

std::size_t next_power_of_two(std::size_t n) noexcept {
  return std::bit_ceil(std::max<std::size_t>(n, 1));
}

void require_power_of_two_base(std::size_t n) {
  if (n < 2) {
    throw std::invalid_argument("the base sample count N = " + std::to_string(n) +
                                " is too small: use a power of two of at least 2 (1024 is a "
                                "common start)");
  }
  if (!std::has_single_bit(n)) {
    const std::size_t up = next_power_of_two(n);
    throw std::invalid_argument("the base sample count N = " + std::to_string(n) +
                                " is not a power of two: Sobol' points are balanced only in "
                                "blocks of 2^k; use N = " + std::to_string(up) + " (or " +
                                std::to_string(up / 2) + ")");
  }
}

SaltelliDesign saltelli_design(const ParameterGroups& groups, const SaltelliOptions& options) {
  require_power_of_two_base(options.base_samples);
  const std::size_t d = groups.parameter_count();
  if (2 * d > SobolSequence::kMaxDimension) {
    throw std::invalid_argument("a Saltelli design of " + std::to_string(d) +
                                " parameters needs " + std::to_string(2 * d) +
                                " Sobol' coordinates; the direction-number table has " +
                                std::to_string(SobolSequence::kMaxDimension));
  }
  SaltelliDesign design;
  design.layout = {options.base_samples, groups.group_count(), options.second_order};
  design.parameters = d;
  const SobolSequence sequence(2 * d, options.scramble ? std::optional(options.seed)
                                                       : std::nullopt);
  const std::vector<double> base = sequence.points(0, options.base_samples);
  design.points.resize(design.layout.rows() * d);
  const SaltelliLayout& layout = design.layout;
  double* out = design.points.data();
  tbb::parallel_for(std::size_t{0}, layout.base_samples, [&](std::size_t j) {
    const double* a = base.data() + j * 2 * d;
    const double* b = a + d;
    std::copy(a, a + d, out + layout.row_a(j) * d);
    std::copy(b, b + d, out + layout.row_b(j) * d);
    for (std::size_t g = 0; g < layout.groups; ++g) {
      double* ab = out + layout.row_ab(j, g) * d;
      std::copy(a, a + d, ab);
      for (const std::size_t p : groups.members(g)) ab[p] = b[p];
      if (!layout.second_order) continue;
      double* ba = out + layout.row_ba(j, g) * d;
      std::copy(b, b + d, ba);
      for (const std::size_t p : groups.members(g)) ba[p] = a[p];
    }
  });
  return design;
}

}  // namespace gapcast::sensitivity
