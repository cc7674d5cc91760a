#pragma once
/// ExactSum: the exact sum of any number of finite doubles, so that a mean does not depend on
/// the order or grouping in which its samples were added. A run split into shards (each summing
/// its own range of samples, perhaps on another machine) and merged gives the same bits as the
/// run done in one piece.
///
/// The state is a "small superaccumulator" in the manner of R. M. Neal (arXiv:1505.05571): the
/// exact sum, scaled by 2^1074 so that it is an integer, held as 67 signed (two's complement)
/// 64-bit chunks, chunk i weighing 2^(32 i). A double is split by its exponent into two integer
/// pieces that go into two adjacent chunks (subtracted when the double is negative); nothing is
/// ever rounded. Each chunk has room for 2047 such pieces before it could overflow, so carries
/// between chunks are propagated only once every 2047 adds, which keeps add() to a dozen
/// integer operations.
///
/// After full carry propagation every chunk but the top one lies in [0, 2^32) and the top one
/// carries the sign: that form is unique for a given exact value, and is what value(),
/// operator== and canonical_words() work from. value() rounds the exact sum once, to nearest
/// with ties to even, so equal exact sums always give equal doubles.
///
/// Limits: non-finite inputs are not supported. They do not crash or invoke undefined
/// behaviour; +-inf happens to contribute +-2^1024, so a lone infinity gives an infinite value,
/// but NaN and mixtures of infinities give unspecified results. The sum stays exact up to about
/// 2^76 values of the largest magnitude (far beyond any run); merge() throws
/// std::overflow_error rather than go past that.
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace gapcast {

namespace detail {
// 67 chunks of 32 bits cover the 2098 bits a scaled double can reach (2046 + 52), the carries
// of up to 2^76 such values, and room for the top chunk's sign.
inline constexpr std::size_t kExactSumChunks = 67;
using ExactSumChunks = std::array<std::uint64_t, kExactSumChunks>;
}  // namespace detail

class ExactSum {
 public:
  ExactSum() = default;

  /// Adds one value (finite; see the class comment for non-finite ones).
  void add(double v) noexcept {
    if (adds_left_ == 0) propagate_carries();
    add_unchecked(v);
    --adds_left_;
  }

  /// Adds n values; the same result as n calls of add(double).
  void add(const double* values, std::size_t n) noexcept {
    while (n > 0) {
      if (adds_left_ == 0) propagate_carries();
      // The inner loop runs without the carry check: the block never exceeds what the chunks
      // can take before the next propagation.
      const std::size_t block = std::min<std::size_t>(n, adds_left_);
      add_block(values, block);
      values += block;
      n -= block;
      adds_left_ -= static_cast<std::uint32_t>(block);
    }
  }

  /// Adds the values of another accumulator: afterwards this holds the exact sum of both sets.
  /// Throws std::overflow_error if the result is beyond the range stated in the class comment.
  void merge(const ExactSum& other);

  /// The exact sum rounded to the nearest double, ties to even; +-inf when that is beyond the
  /// double range; +0.0 for an exact zero.
  [[nodiscard]] double value() const;

  /// The exact sum divided by n, as value() / n. Deterministic (a function of the exact sum and
  /// n only) but rounded twice: once in value(), once in the division.
  [[nodiscard]] double value_divided_by(std::uint64_t n) const {
    return value() / static_cast<double>(n);
  }

  [[nodiscard]] bool is_zero() const;

  /// The exact sum as a canonical sequence of words, for storing or sending shards. Equal
  /// exact sums give identical words, however they were reached. Layout (version 1):
  ///   word 0: bits 63..32 the tag 0x47435831 ("GCX1"), bits 31..17 zero, bit 16 the sign
  ///           (1 for negative), bits 15..8 the index of the lowest digit stored, bits 7..0 the
  ///           number of digits stored;
  ///   then the digits, lowest first, each in [0, 2^32): the magnitude of the sum times 2^1074
  ///   in base 2^32, stored from its lowest to its highest nonzero digit (none for zero, whose
  ///   sign bit is 0).
  [[nodiscard]] std::vector<std::uint64_t> canonical_words() const;

  /// The accumulator that canonical_words() described. Throws std::invalid_argument for
  /// anything that canonical_words() could not have produced (wrong length, wrong tag, digits
  /// out of range, non-canonical zero digits at either end, a negative zero, too large a sum).
  static ExactSum from_canonical_words(std::span<const std::uint64_t> words);

  /// Equality of the exact sums.
  friend bool operator==(const ExactSum& a, const ExactSum& b);

 private:
  // 2^32 + 2047 * 2^52 < 2^63: a chunk that starts in [0, 2^32) after propagation stays within
  // int64 range through 2047 adds, each adding less than 2^52 in magnitude to it.
  static constexpr std::uint32_t kAddsBetweenCarries = 2047;

  void add_unchecked(double v) noexcept {
    const Pieces p = pieces_of(v);
    chunks_[p.index] += p.low;
    chunks_[p.index + 1] += p.high;
  }

  // The pieces of one value: the chunk index they start at, and the two signed (two's
  // complement) pieces for chunks index and index + 1.
  struct Pieces {
    std::size_t index;
    std::uint64_t low, high;
  };
  static Pieces pieces_of(double v) noexcept {
    const auto bits = std::bit_cast<std::uint64_t>(v);
    const auto field = static_cast<std::uint32_t>(bits >> 52) & 0x7FFU;
    const std::uint64_t is_normal = field != 0 ? 1U : 0U;
    const std::uint64_t mantissa = (bits & ((std::uint64_t{1} << 52) - 1)) | (is_normal << 52);
    // The weight of the mantissa's lowest bit is 2^(field - 1075) for normal numbers and
    // 2^-1074 for denormals; scaled by 2^1074 that is bit `position` of the integer sum.
    const auto position = field - static_cast<std::uint32_t>(is_normal);
    const std::uint32_t shift = position & 31U;
    // Low piece: under 2^32. High piece: the rest, under 2^52 since mantissa < 2^53 and
    // shift < 32 (and 32 - shift is in 1..32, a valid shift of a 64-bit value).
    const std::uint64_t low = (mantissa << shift) & 0xFFFFFFFFU;
    const std::uint64_t high = mantissa >> (32U - shift);
    // All ones for a negative value: (x ^ m) - m is then -x, without a hard-to-predict branch.
    // The chunks are unsigned words read as two's complement, so wrapping is defined behaviour.
    const std::uint64_t negate = std::uint64_t{0} - (bits >> 63U);
    return {position >> 5U, (low ^ negate) - negate, (high ^ negate) - negate};
  }

  // Adds n <= adds_left_ values. Every value is added straight to its two chunks, without a
  // branch: the values of one summary cell straddle chunk boundaries often enough (zeros among
  // values near 1, spreads across 2^33) that a branch on "same chunk pair as the previous value"
  // was mispredicted on a large share of the cells. Alternate values go to a second, local set
  // of chunks, so that two values in a row hitting the same chunk do not wait on each other's
  // store; the local set is added in at the end. The chunks end as the same integers modulo
  // 2^64 as after one add per value (the additions commute), and the bound on them holds as it
  // does value by value: together they take at most n pieces each.
  void add_block(const double* values, std::size_t n) noexcept {
    constexpr std::size_t min_for_second_set = 32;  // below this, clearing it costs more
    std::size_t i = 0;
    if (n >= min_for_second_set) {
      detail::ExactSumChunks odd{};
      for (; i + 2 <= n; i += 2) {
        const Pieces a = pieces_of(values[i]);
        const Pieces b = pieces_of(values[i + 1]);
        chunks_[a.index] += a.low;
        chunks_[a.index + 1] += a.high;
        odd[b.index] += b.low;
        odd[b.index + 1] += b.high;
      }
      for (std::size_t k = 0; k < detail::kExactSumChunks; ++k) chunks_[k] += odd[k];
    }
    for (; i < n; ++i) add_unchecked(values[i]);
  }

  void propagate_carries() noexcept;

  detail::ExactSumChunks chunks_{};  // two's complement signed values
  std::uint32_t adds_left_ = kAddsBetweenCarries;
};

}  // namespace gapcast
