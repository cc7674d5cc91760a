#include "gapcast/summary/exact_sum.hpp"

#include <stdexcept>
#include <string>

namespace gapcast {

namespace {

using detail::ExactSumChunks;
using detail::kExactSumChunks;

constexpr std::size_t kTop = kExactSumChunks - 1;
constexpr std::uint64_t kDigitMask = 0xFFFFFFFFU;

// The magnitude, in base-2^32 digits: one per chunk below the top, two for the top chunk,
// whose magnitude is kept at most 2^62.
constexpr std::size_t kDigits = kExactSumChunks + 1;
constexpr std::int64_t kTopLimit = std::int64_t{1} << 62;

constexpr std::uint64_t kTag = 0x47435831U;  // "GCX1": the format of canonical_words()
constexpr std::uint64_t kSignBit = std::uint64_t{1} << 16;

__extension__ typedef unsigned __int128 Uint128;

std::int64_t as_signed(std::uint64_t word) { return static_cast<std::int64_t>(word); }

// Moves everything above the low 32 bits of each chunk into the next one. Shifting a signed
// value right is a floor division in C++20, so a negative chunk borrows from the next one and
// keeps its low bits as a value in [0, 2^32). Afterwards the chunks are the unique canonical
// form of their value: all but the top in [0, 2^32), the top signed.
void propagate(ExactSumChunks& chunks) {
  for (std::size_t i = 0; i < kTop; ++i) {
    const std::int64_t carry = as_signed(chunks[i]) >> 32;
    chunks[i] &= kDigitMask;
    chunks[i + 1] += static_cast<std::uint64_t>(carry);
  }
}

ExactSumChunks canonical(const ExactSumChunks& chunks) {
  ExactSumChunks copy = chunks;
  propagate(copy);
  return copy;
}

struct Magnitude {
  bool negative = false;
  std::array<std::uint64_t, kDigits> digits{};
};

// Sign and magnitude of a canonical form: rounding and the serialised form both want the
// magnitude, so that a negative sum is the exact mirror of the positive one.
Magnitude magnitude_of(ExactSumChunks chunks) {
  Magnitude m;
  if (as_signed(chunks[kTop]) < 0) {
    m.negative = true;
    for (auto& c : chunks) c = std::uint64_t{0} - c;
    propagate(chunks);  // the value is now positive, so the top chunk is too
  }
  for (std::size_t i = 0; i < kTop; ++i) m.digits[i] = chunks[i];
  m.digits[kTop] = chunks[kTop] & kDigitMask;
  m.digits[kTop + 1] = chunks[kTop] >> 32;
  return m;
}

// Index of the highest nonzero digit, or kDigits for zero.
std::size_t highest_digit(const Magnitude& m) {
  for (std::size_t i = kDigits; i-- > 0;) {
    if (m.digits[i] != 0) return i;
  }
  return kDigits;
}

}  // namespace

void ExactSum::propagate_carries() noexcept {
  propagate(chunks_);
  adds_left_ = kAddsBetweenCarries;
}

void ExactSum::merge(const ExactSum& other) {
  // Both sides are brought to canonical form first: each chunk is then under 2^32 in
  // magnitude (the top under 2^62), so the chunk-wise sum cannot overflow. Working on copies
  // also makes a.merge(a) right.
  ExactSumChunks sum = canonical(chunks_);
  const ExactSumChunks theirs = canonical(other.chunks_);
  for (std::size_t i = 0; i < kExactSumChunks; ++i) sum[i] += theirs[i];
  propagate(sum);
  const std::int64_t top = as_signed(sum[kTop]);
  if (top > kTopLimit || top < -kTopLimit) {
    throw std::overflow_error("ExactSum::merge: the sum is beyond the accumulator's range");
  }
  chunks_ = sum;
  adds_left_ = kAddsBetweenCarries;
}

// Rounds from the magnitude rather than the signed chunks, so that rounding to nearest even
// is symmetric: value() of the negated sum is exactly -value().
double ExactSum::value() const {
  const Magnitude m = magnitude_of(canonical(chunks_));
  const std::size_t top = highest_digit(m);
  if (top == kDigits) return 0.0;

  // The sum is S * 2^-1074 with S an integer of `length` bits.
  const int width = static_cast<int>(std::bit_width(m.digits[top]));
  const int length = 32 * static_cast<int>(top) + width;
  std::uint64_t bits = 0;
  if (length <= 53) {
    // Exact. S < 2^52 is the denormal with fraction S; S in [2^52, 2^53) is the normal number
    // of biased exponent 1 and fraction S - 2^52, whose bit pattern is again S.
    bits = m.digits[0] | (m.digits[1] << 32);
  } else {
    // The leading 64 bits of S, from the top three digits (top >= 1 here), plus a sticky bit
    // for any nonzero bit below them.
    const Uint128 window = (static_cast<Uint128>(m.digits[top]) << 64) |
                           (static_cast<Uint128>(m.digits[top - 1]) << 32) |
                           (top >= 2 ? m.digits[top - 2] : 0U);
    const auto leading = static_cast<std::uint64_t>(window >> width);
    bool sticky = (window & ((static_cast<Uint128>(1) << width) - 1)) != 0;
    for (std::size_t i = 0; i + 2 < top && !sticky; ++i) sticky = m.digits[i] != 0;

    std::uint64_t q = leading >> 11;  // 53 significant bits
    const std::uint64_t rest = leading & 0x7FFU;
    constexpr std::uint64_t kHalf = 0x400U;
    if (rest > kHalf || (rest == kHalf && (sticky || (q & 1U) != 0))) ++q;
    // The leading bit of S weighs 2^(length - 1 - 1074), so its biased exponent is
    // length - 1 - 1074 + 1023.
    auto exponent = static_cast<std::uint64_t>(length - 52);
    if (q == (std::uint64_t{1} << 53)) {  // rounded up to the next power of two
      q >>= 1;
      ++exponent;
    }
    bits = exponent >= 0x7FFU ? std::uint64_t{0x7FF} << 52
                              : (exponent << 52) | (q & ((std::uint64_t{1} << 52) - 1));
  }
  if (m.negative) bits |= std::uint64_t{1} << 63;
  return std::bit_cast<double>(bits);
}

bool ExactSum::is_zero() const {
  const ExactSumChunks c = canonical(chunks_);
  return std::all_of(c.begin(), c.end(), [](std::uint64_t w) { return w == 0; });
}

std::vector<std::uint64_t> ExactSum::canonical_words() const {
  const Magnitude m = magnitude_of(canonical(chunks_));
  const std::size_t top = highest_digit(m);
  if (top == kDigits) return {kTag << 32};
  std::size_t low = 0;
  while (m.digits[low] == 0) ++low;
  const std::size_t count = top - low + 1;
  std::vector<std::uint64_t> words;
  words.reserve(1 + count);
  words.push_back((kTag << 32) | (m.negative ? kSignBit : 0U) | (low << 8) | count);
  words.insert(words.end(), m.digits.begin() + static_cast<std::ptrdiff_t>(low),
               m.digits.begin() + static_cast<std::ptrdiff_t>(top + 1));
  return words;
}

ExactSum ExactSum::from_canonical_words(std::span<const std::uint64_t> words) {
  const auto fail = [](const char* what) {
    throw std::invalid_argument(std::string("ExactSum::from_canonical_words: ") + what);
  };
  if (words.empty()) fail("no header word");
  const std::uint64_t header = words[0];
  if ((header >> 32) != kTag) fail("unknown tag in the header word");
  if ((header & 0xFFFE0000U) != 0) fail("reserved header bits are set");
  const bool negative = (header & kSignBit) != 0;
  const std::size_t low = (header >> 8) & 0xFFU;
  const std::size_t count = header & 0xFFU;
  if (words.size() != 1 + count) fail("the length does not match the digit count");
  if (low + count > kDigits) fail("digits beyond the accumulator's range");
  const auto digits = words.subspan(1);
  if (count == 0 && (negative || low != 0)) fail("a zero must have sign 0 and start 0");
  if (count > 0 && (digits.front() == 0 || digits.back() == 0)) {
    fail("zero digits at either end are not canonical");
  }
  Magnitude m;
  m.negative = negative;
  for (std::size_t i = 0; i < count; ++i) {
    if (digits[i] > kDigitMask) fail("a digit is not below 2^32");
    m.digits[low + i] = digits[i];
  }
  if (m.digits[kTop + 1] >= (std::uint64_t{1} << 30)) fail("the sum is beyond the range");

  ExactSum result;
  for (std::size_t i = 0; i < kTop; ++i) result.chunks_[i] = m.digits[i];
  result.chunks_[kTop] = m.digits[kTop] | (m.digits[kTop + 1] << 32);
  if (negative) {
    for (auto& c : result.chunks_) c = std::uint64_t{0} - c;
    propagate(result.chunks_);
  }
  return result;
}

bool operator==(const ExactSum& a, const ExactSum& b) {
  return canonical(a.chunks_) == canonical(b.chunks_);
}

}  // namespace gapcast
