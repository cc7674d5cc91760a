#include "gapcast/sensitivity/sobol_sequence.hpp"

#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <algorithm>
#include <bit>
#include <boost/random/detail/sobol_table.hpp>
#include <stdexcept>
#include <string>

#include "gapcast/sampling/random_stream.hpp"
#include "gapcast/sensitivity/detail/estimator_support.hpp"

namespace gapcast::sensitivity {
namespace {

constexpr int kBits = SobolSequence::kBits;
constexpr std::uint64_t kMask = (std::uint64_t{1} << kBits) - 1;
using JoeKuo = boost::random::detail::qrng_tables::sobol;
static_assert(JoeKuo::max_dimension == SobolSequence::kMaxDimension);

// The m_k (k = 0 .. kBits-1) of one coordinate: the table's initial values, then Bratley and
// Fox's recurrence m_k = 2 a_1 m_{k-1} ^ 4 a_2 m_{k-2} ^ ... ^ 2^s m_{k-s} ^ m_{k-s} for the
// coordinate's primitive polynomial of degree s (the table stores it with both end terms, so
// bit j of `poly` is the coefficient of z^j). Coordinate 0 has m_k = 1 (van der Corput).
std::vector<std::uint64_t> joe_kuo_m(std::size_t coordinate) {
  std::vector<std::uint64_t> m(kBits, 1);
  if (coordinate == 0) return m;
  const std::uint64_t poly = JoeKuo::polynomial(coordinate - 1);
  const int degree = static_cast<int>(std::bit_width(poly)) - 1;
  for (int k = 0; k < degree; ++k) m[k] = JoeKuo::minit(coordinate - 1, k);
  for (int k = degree; k < kBits; ++k) {
    std::uint64_t value = m[k - degree] ^ (m[k - degree] << degree);
    for (int j = 1; j < degree; ++j) {
      if ((poly >> j) & 1) value ^= m[k - degree + j] << (degree - j);
    }
    m[k] = value;
  }
  return m;
}

// Applies a lower-triangular binary matrix with unit diagonal to the digits of v (digit 0 is
// the most significant of kBits): output digit i is digit i XOR the parity of the earlier
// digits selected by row i's random bits. Linear over XOR, so scrambling the direction
// numbers scrambles every point the same way.
std::uint64_t matrix_scramble(std::uint64_t v, const std::vector<std::uint64_t>& rows) {
  std::uint64_t out = 0;
  for (int i = 0; i < kBits; ++i) {
    const int position = kBits - 1 - i;  // bit position of digit i
    const std::uint64_t row = rows[i] | (std::uint64_t{1} << position);
    out |= static_cast<std::uint64_t>(std::popcount(v & row) & 1) << position;
  }
  return out;
}

}  // namespace

SobolSequence::SobolSequence(std::size_t dimension, std::optional<std::uint64_t> scramble_seed)
    : dimension_(dimension), scrambled_(scramble_seed.has_value()) {
  if (dimension < 1 || dimension > kMaxDimension) {
    throw std::invalid_argument("a Sobol' sequence has 1 to " + std::to_string(kMaxDimension) +
                                " dimensions, not " + std::to_string(dimension));
  }
  directions_.assign(kBits * dimension, 0);
  shift_.assign(dimension, 0);
  const std::uint64_t stream = stream_id("sobol_scramble");
  for (std::size_t d = 0; d < dimension; ++d) {
    const auto m = joe_kuo_m(d);
    std::vector<std::uint64_t> rows(kBits, 0);
    if (scrambled_) {
      // Row i may use only the digits before i: the bits above digit i's position.
      for (int i = 0; i < kBits; ++i) {
        const std::uint64_t above = kMask & ~((std::uint64_t{1} << (kBits - i)) - 1);
        rows[i] = detail::random_bits(*scramble_seed, stream, d, static_cast<std::uint64_t>(i)) &
                  above;
      }
      shift_[d] = detail::random_bits(*scramble_seed, stream, d, kBits) & kMask;
    }
    for (int k = 0; k < kBits; ++k) {
      const std::uint64_t v = m[k] << (kBits - 1 - k);
      directions_[k * dimension + d] = scrambled_ ? matrix_scramble(v, rows) : v;
    }
  }
}

void SobolSequence::check_range(std::uint64_t first, std::uint64_t count) const {
  const std::uint64_t limit = std::uint64_t{1} << kBits;
  if (first >= limit || count > limit - first) {
    throw std::out_of_range("Sobol' point indices must be below 2^" + std::to_string(kBits));
  }
}

void SobolSequence::integer_point(std::uint64_t index, std::span<std::uint64_t> state) const {
  std::fill(state.begin(), state.end(), std::uint64_t{0});
  const std::uint64_t gray = index ^ (index >> 1);
  for (int k = 0; k < kBits; ++k) {
    if (((gray >> k) & 1) == 0) continue;
    const std::uint64_t* v = directions_.data() + k * dimension_;
    for (std::size_t d = 0; d < dimension_; ++d) state[d] ^= v[d];
  }
}

void SobolSequence::write(std::span<const std::uint64_t> state, std::span<double> out) const {
  for (std::size_t d = 0; d < dimension_; ++d) {
    out[d] = static_cast<double>(state[d] ^ shift_[d]) * 0x1.0p-52;
  }
}

void SobolSequence::point(std::uint64_t index, std::span<double> out) const {
  check_range(index, 1);
  if (out.size() != dimension_) {
    throw std::invalid_argument("a Sobol' point of dimension " + std::to_string(dimension_) +
                                " needs as many values, not " + std::to_string(out.size()));
  }
  std::vector<std::uint64_t> state(dimension_);
  integer_point(index, state);
  write(state, out);
}

std::vector<double> SobolSequence::point(std::uint64_t index) const {
  std::vector<double> out(dimension_);
  point(index, out);
  return out;
}

std::vector<double> SobolSequence::points(std::uint64_t first, std::size_t count) const {
  check_range(first, count);
  std::vector<double> out(count * dimension_);
  // Blocks of fixed size: each starts from its own first point, so the values do not depend
  // on how TBB splits the range.
  constexpr std::size_t kBlock = 512;
  const std::size_t blocks = (count + kBlock - 1) / kBlock;
  tbb::parallel_for(tbb::blocked_range<std::size_t>(0, blocks), [&](const auto& range) {
    std::vector<std::uint64_t> state(dimension_);
    for (std::size_t b = range.begin(); b != range.end(); ++b) {
      const std::size_t begin = b * kBlock;
      const std::size_t end = std::min(count, begin + kBlock);
      integer_point(first + begin, state);
      for (std::size_t r = begin; r < end; ++r) {
        if (r > begin) {
          // gray(i) and gray(i - 1) differ in bit ctz(i): one direction number per coordinate.
          const auto k = static_cast<std::size_t>(std::countr_zero(first + r));
          const std::uint64_t* v = directions_.data() + k * dimension_;
          for (std::size_t d = 0; d < dimension_; ++d) state[d] ^= v[d];
        }
        write(state, std::span<double>(out).subspan(r * dimension_, dimension_));
      }
    }
  });
  return out;
}

}  // namespace gapcast::sensitivity
