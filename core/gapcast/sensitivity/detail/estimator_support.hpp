#pragma once
// Small pieces the sensitivity estimators share: counter-based random integers for designs
// and bootstraps, the finite-output check, and the interval arithmetic SALib reports.
// Private to the library.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace gapcast::sensitivity::detail {

/// 52 random bits, a pure function of (seed, stream, sample, index): the integer behind
/// gapcast::uniform_at's (k + 0.5) * 2^-52, recovered exactly. Keyed draws are what make a
/// design or a bootstrap identical for any thread count.
std::uint64_t random_bits(std::uint64_t seed, std::uint64_t stream, std::uint64_t sample,
                          std::uint64_t index) noexcept;

/// A uniform integer in [0, n), n >= 1, from the same keyed draw (bias below n 2^-52).
std::size_t random_below(std::size_t n, std::uint64_t seed, std::uint64_t stream,
                         std::uint64_t sample, std::uint64_t index) noexcept;

/// Throws std::invalid_argument unless every value is finite, saying how many are not, where
/// the first is, and what to do about an event that never happens (docs/sensitivity.md).
void require_finite(std::span<const double> values, std::string_view what);

/// z with P(|Z| <= z) = confidence for a standard normal Z (norm.ppf(0.5 + confidence / 2));
/// throws std::invalid_argument unless 0 < confidence < 1.
double normal_quantile_for(double confidence);

/// Sample standard deviation (divisor n - 1) of the finite values, summed in index order;
/// NaN with fewer than two.
double sample_sd(std::span<const double> values) noexcept;

}  // namespace gapcast::sensitivity::detail
