#include "gapcast/summary/exact_sum.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <boost/multiprecision/cpp_int.hpp>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using boost::multiprecision::cpp_int;
using gapcast::ExactSum;

constexpr double kMax = std::numeric_limits<double>::max();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kTiny = std::numeric_limits<double>::denorm_min();        // 2^-1074
constexpr double kMinNormal = std::numeric_limits<double>::min();          // 2^-1022
constexpr double kMaxDenormal = kMinNormal - kTiny;

static_assert(sizeof(ExactSum) <= 600, "the accumulator must stay small: one per summary cell");

// ---- An independent reference: the exact sum as a big integer in units of 2^-1074 ----------

// v * 2^1074, from frexp (v = f * 2^e with f in [0.5, 1), so f * 2^53 is an integer) rather
// than from the bit fields the accumulator reads.
cpp_int scaled(double v) {
  if (v == 0.0) return 0;
  int e = 0;
  const double f = std::frexp(v, &e);
  cpp_int m = static_cast<std::int64_t>(std::ldexp(f, 53));
  const int shift = e - 53 + 1074;
  if (shift >= 0) return m << shift;
  return m / (cpp_int(1) << -shift);  // denormals: the division is exact
}

cpp_int exact_sum(const std::vector<double>& values) {
  cpp_int s = 0;
  for (const double v : values) s += scaled(v);
  return s;
}

// Round s * 2^-1074 to nearest, ties to even, with big-integer arithmetic and ldexp.
double round_reference(const cpp_int& s) {
  if (s == 0) return 0.0;
  const cpp_int a = abs(s);
  const auto length = static_cast<unsigned>(msb(a)) + 1;
  double r = 0.0;
  if (length <= 53) {
    r = std::ldexp(static_cast<double>(a.convert_to<std::uint64_t>()), -1074);
  } else {
    const unsigned shift = length - 53;
    cpp_int q = a >> shift;
    const cpp_int rest = a - (q << shift);
    const cpp_int half = cpp_int(1) << (shift - 1);
    if (rest > half || (rest == half && (q & 1) != 0)) ++q;
    r = std::ldexp(static_cast<double>(q.convert_to<std::uint64_t>()),
                   static_cast<int>(shift) - 1074);  // inf when beyond the double range
  }
  return s < 0 ? -r : r;
}

// The signed integer that canonical_words() describes (its documented layout), to check the
// accumulator's state exactly and not only its rounded value.
cpp_int from_words(const std::vector<std::uint64_t>& words) {
  const std::uint64_t header = words.at(0);
  const bool negative = ((header >> 16) & 1U) != 0;
  const auto low = static_cast<unsigned>((header >> 8) & 0xFFU);
  cpp_int s = 0;
  for (std::size_t i = words.size(); i-- > 1;) s = (s << 32) + words[i];
  s <<= 32 * low;
  return negative ? cpp_int(-s) : s;
}

ExactSum sum_of(const std::vector<double>& values) {
  ExactSum s;
  s.add(values.data(), values.size());
  return s;
}

std::string hex(double v) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%a", v);
  return buffer;
}

std::uint64_t bits_of(double v) { return std::bit_cast<std::uint64_t>(v); }

// Checks both the exact state (through the canonical words) and the rounded value, bit for bit.
void expect_exact(const std::vector<double>& values, const std::string& label) {
  const cpp_int reference = exact_sum(values);
  const ExactSum s = sum_of(values);
  EXPECT_EQ(from_words(s.canonical_words()), reference) << label;
  const double expected = round_reference(reference);
  EXPECT_EQ(bits_of(s.value()), bits_of(expected))
      << label << ": value " << hex(s.value()) << ", expected " << hex(expected);
  ExactSum one_by_one;
  for (const double v : values) one_by_one.add(v);
  EXPECT_EQ(bits_of(one_by_one.value()), bits_of(expected)) << label << " (one by one)";
}

void expect_value(const std::vector<double>& values, double expected, const std::string& label) {
  const double got = sum_of(values).value();
  EXPECT_EQ(bits_of(got), bits_of(expected))
      << label << ": value " << hex(got) << ", expected " << hex(expected);
  // The reference must agree with the hand-worked answer, or it could not catch anything.
  EXPECT_EQ(bits_of(round_reference(exact_sum(values))), bits_of(expected)) << label;
}

// mt19937_64's output is fixed by the standard; the transforms are written out so that the
// data are the same on every platform.
class Generator {
 public:
  explicit Generator(std::uint64_t seed) : engine_(seed) {}
  std::uint64_t bits() { return engine_(); }
  std::uint64_t below(std::uint64_t n) { return engine_() % n; }
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }

  // Any finite double whose biased exponent field lies in [lo, hi], of either sign.
  double with_field(unsigned lo, unsigned hi) {
    const std::uint64_t field = lo + below(hi - lo + 1);
    const std::uint64_t fraction = bits() & ((std::uint64_t{1} << 52) - 1);
    const std::uint64_t sign = bits() & 1U;
    return std::bit_cast<double>((sign << 63) | (field << 52) | fraction);
  }
  double any_finite() { return with_field(0, 2046); }

  template <class T>
  void shuffle(std::vector<T>& v) {  // Fisher-Yates, spelled out for the same reason
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[below(i)]);
  }

 private:
  std::mt19937_64 engine_;
};

// ---- Exactness and rounding -----------------------------------------------------------------

TEST(ExactSum, ReferenceIsExactWhereNaiveSummationIsNot) {
  // Guards the other tests against a vacuous reference.
  const std::vector<double> values = {1e308, 1.0, -1e308};
  double naive = 0.0;
  for (const double v : values) naive += v;
  EXPECT_EQ(naive, 0.0);
  expect_value(values, 1.0, "1e308 + 1 - 1e308");
}

TEST(ExactSum, CancellationCases) {
  expect_value({1e308, 1.0, -1e308}, 1.0, "1e308 + 1 - 1e308");
  expect_value({1.0, 1e100, 1.0, -1e100}, 2.0, "1 + 1e100 + 1 - 1e100");
  expect_value({1e-300, 1e300, -1e300}, 1e-300, "1e-300 + 1e300 - 1e300");
  expect_value({0.1, 0.2, -0.3}, round_reference(exact_sum({0.1, 0.2, -0.3})), "0.1 + 0.2 - 0.3");
  EXPECT_NE(sum_of({0.1, 0.2, -0.3}).value(), 0.0);  // the doubles are not exactly 1/10 etc.
  expect_value({kMax, kTiny, -kMax}, kTiny, "max + 2^-1074 - max");
}

TEST(ExactSum, TiesRoundToEvenBothWays) {
  const double two53 = 0x1.0p53;
  expect_value({two53, 1.0}, two53, "2^53 + 1: tie, down to even");
  expect_value({two53, 3.0}, two53 + 4.0, "2^53 + 3: tie, up to even");
  expect_value({two53, 1.0, 0x1.0p-60}, two53 + 2.0, "2^53 + 1 + 2^-60: above the tie");
  expect_value({two53, 1.0, -0x1.0p-60}, two53, "2^53 + 1 - 2^-60: below the tie");
  expect_value({two53, 3.0, -0x1.0p-60}, two53 + 2.0, "2^53 + 3 - 2^-60: below the tie");
  expect_value({-two53, -1.0}, -two53, "-(2^53 + 1)");
  expect_value({-two53, -3.0}, -two53 - 4.0, "-(2^53 + 3)");
  expect_value({-two53, -1.0, -0x1.0p-60}, -two53 - 2.0, "-(2^53 + 1 + 2^-60)");
  expect_value({-two53, -1.0, kTiny}, -two53, "-(2^53 + 1) + 2^-1074");
  // The sticky bit far below: the tie is broken by a denormal 2100 bits down.
  expect_value({0x1.0p1000, 0x1.0p947, kTiny}, 0x1.0000000000001p1000, "tie + 2^-1074");
  expect_value({1.0, 0x1.0p-54, 0x1.0p-54}, 1.0, "1 + 2^-54 + 2^-54: tie from parts, down");
  expect_value({1.0 + 0x1.0p-52, 0x1.0p-54, 0x1.0p-54}, 1.0 + 0x1.0p-51,
               "1 + 2^-52 + 2^-54 + 2^-54: tie from parts, up");
}

TEST(ExactSum, RandomTiesRoundToEven) {
  Generator gen(11);
  for (int trial = 0; trial < 2000; ++trial) {
    const double x = gen.with_field(60, 1900);
    const double next = std::nextafter(x, x > 0 ? kInf : -kInf);
    const double half_ulp = (next - x) / 2;  // exact: a power of two well inside the range
    const bool x_is_even = (bits_of(x) & 1U) == 0;
    const double even = x_is_even ? x : next;
    const double odd = x_is_even ? next : x;
    const std::string label = "x = " + hex(x);
    expect_value({x, half_ulp}, even, label + " + half ulp");
    expect_value({half_ulp / 2, x, half_ulp / 2}, even, label + " + two quarter ulps");
    const double nudge = half_ulp * 0x1.0p-40;
    expect_value({x, half_ulp, nudge}, next, label + " + half ulp + a little");
    expect_value({x, half_ulp, -nudge}, x, label + " + half ulp - a little");
    EXPECT_NE(bits_of(even), bits_of(odd));
  }
}

TEST(ExactSum, Denormals) {
  expect_value({kTiny, kTiny}, 2 * kTiny, "2^-1074 * 2");
  expect_value({kMinNormal, -kTiny}, kMaxDenormal, "min normal - 2^-1074");
  expect_value({kMaxDenormal, kTiny}, kMinNormal, "max denormal + 2^-1074");
  expect_value({kMaxDenormal, kMaxDenormal}, 2 * kMaxDenormal, "2 max denormals");
  expect_value({-kTiny, -kTiny, -kTiny}, -3 * kTiny, "-3 * 2^-1074");
  expect_value({1.0, kTiny, -1.0}, kTiny, "1 + 2^-1074 - 1");
  Generator gen(3);
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<double> values;
    const auto n = 1 + gen.below(40);
    for (std::uint64_t i = 0; i < n; ++i) values.push_back(gen.with_field(0, 3));
    expect_exact(values, "denormals, trial " + std::to_string(trial));
  }
}

TEST(ExactSum, OverflowToInfinityAndTransientOverflow) {
  expect_value({1.7e308, 1.7e308}, kInf, "1.7e308 * 2");
  expect_value({-1.7e308, -1.7e308}, -kInf, "-1.7e308 * 2");
  expect_value({kMax, kMax, -kMax}, kMax, "max + max - max");
  expect_value({-kMax, -kMax, kMax}, -kMax, "-max - max + max");
  expect_value({kMax, kMax, kMax, -kMax, -kMax}, kMax, "3 max - 2 max");
  // max has an odd significand, so max + half its ulp is a tie that rounds up, to infinity.
  expect_value({kMax, 0x1.0p970}, kInf, "max + half ulp");
  expect_value({kMax, 0x1.0p970, -kTiny}, kMax, "max + half ulp - 2^-1074");
  expect_value({kMax, 0x1.0p969}, kMax, "max + quarter ulp");
}

TEST(ExactSum, RandomWideRangeMatchesReference) {
  Generator gen(2024);
  for (int trial = 0; trial < 3000; ++trial) {
    std::vector<double> values;
    const auto n = gen.below(30);
    // Half the trials over all exponents, half within a window where more bits interact.
    const auto centre = static_cast<unsigned>(40 + gen.below(1966));
    for (std::uint64_t i = 0; i < n; ++i) {
      values.push_back(trial % 2 == 0 ? gen.any_finite()
                                      : gen.with_field(centre - 40, centre + 40));
    }
    expect_exact(values, "trial " + std::to_string(trial));
  }
}

TEST(ExactSum, RandomNearCancellationMatchesReference) {
  // Most values cancel exactly, so the result is decided by what is left, often far below the
  // largest inputs.
  Generator gen(77);
  for (int trial = 0; trial < 1000; ++trial) {
    std::vector<double> values;
    const auto n = 2 + gen.below(40);
    for (std::uint64_t i = 0; i < n; ++i) values.push_back(gen.any_finite());
    std::vector<double> all = values;
    for (std::size_t i = 1; i < values.size(); ++i) all.push_back(-values[i]);
    for (std::uint64_t i = 0; i < 3; ++i) all.push_back(gen.with_field(0, 1100));
    gen.shuffle(all);
    expect_exact(all, "trial " + std::to_string(trial));
  }
}

TEST(ExactSum, NegatedValuesGiveTheNegatedResult) {
  Generator gen(5);
  for (int trial = 0; trial < 500; ++trial) {
    std::vector<double> values;
    std::vector<double> negated;
    const auto n = 1 + gen.below(20);
    for (std::uint64_t i = 0; i < n; ++i) {
      values.push_back(gen.with_field(900, 1100));
      negated.push_back(-values.back());
    }
    const double v = sum_of(values).value();
    if (v == 0.0) continue;
    EXPECT_EQ(bits_of(sum_of(negated).value()), bits_of(-v));
  }
}

// ---- Zero -----------------------------------------------------------------------------------

TEST(ExactSum, ZeroIsPositiveZero) {
  const ExactSum empty;
  EXPECT_TRUE(empty.is_zero());
  EXPECT_EQ(bits_of(empty.value()), bits_of(0.0));
  EXPECT_FALSE(std::signbit(sum_of({1.0, -1.0}).value()));
  EXPECT_TRUE(sum_of({1.0, -1.0}).is_zero());
  EXPECT_FALSE(std::signbit(sum_of({-0.0}).value()));
  EXPECT_FALSE(std::signbit(sum_of({-0.0, -0.0}).value()));
  EXPECT_FALSE(std::signbit(sum_of({-kMax, kMax}).value()));
  EXPECT_FALSE(sum_of({kTiny}).is_zero());
  EXPECT_FALSE(sum_of({-kTiny}).is_zero());
  EXPECT_EQ(sum_of({1.0, -1.0}), empty);
  EXPECT_EQ(sum_of({-0.0}).canonical_words(), empty.canonical_words());
}

// ---- Order, grouping and merging ------------------------------------------------------------

std::vector<double> mixed_values(std::size_t n, std::uint64_t seed) {
  Generator gen(seed);
  std::vector<double> values;
  values.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    switch (i % 4) {
      case 0: values.push_back(gen.with_field(900, 1150)); break;   // both signs, 2^-123..2^127
      case 1: values.push_back(1e-3 + 1e6 * gen.uniform()); break;  // typical metric values
      case 2: values.push_back(gen.any_finite() * 0x1.0p-200); break;
      default: values.push_back(gen.with_field(0, 2046)); break;
    }
  }
  return values;
}

TEST(ExactSum, ShufflesGiveIdenticalWordsAndValue) {
  std::vector<double> values = mixed_values(100000, 1);
  const ExactSum original = sum_of(values);
  const double expected = round_reference(exact_sum(values));
  EXPECT_EQ(bits_of(original.value()), bits_of(expected));
  Generator gen(8);
  for (int shuffle = 0; shuffle < 4; ++shuffle) {
    gen.shuffle(values);
    const ExactSum shuffled = sum_of(values);
    EXPECT_EQ(shuffled.canonical_words(), original.canonical_words()) << "shuffle " << shuffle;
    EXPECT_EQ(bits_of(shuffled.value()), bits_of(original.value())) << "shuffle " << shuffle;
    EXPECT_EQ(shuffled, original);
  }
}

TEST(ExactSum, ShufflesOfTypicalValuesDisagreeWithoutIt) {
  // The test above would be vacuous if plain summation of such data were order independent.
  std::vector<double> values = mixed_values(100000, 1);
  for (double& v : values) v = std::fabs(v) > 1e6 || std::fabs(v) < 1e-3 ? 1.0 : v;
  double forward = 0.0;
  for (const double v : values) forward += v;
  double backward = 0.0;
  for (auto it = values.rbegin(); it != values.rend(); ++it) backward += *it;
  EXPECT_NE(forward, backward);
  std::vector<double> reversed(values.rbegin(), values.rend());
  EXPECT_EQ(sum_of(values).canonical_words(), sum_of(reversed).canonical_words());
}

TEST(ExactSum, ArrayAddEqualsSingleAdds) {
  const std::vector<double> values = mixed_values(10007, 4);
  ExactSum singles;
  for (const double v : values) singles.add(v);
  ExactSum blocks;  // uneven blocks, so that carry propagation falls at different places
  std::size_t at = 0;
  for (std::size_t len = 1; at < values.size(); len = len * 3 + 1) {
    const std::size_t n = std::min(len, values.size() - at);
    blocks.add(values.data() + at, n);
    at += n;
  }
  EXPECT_EQ(singles.canonical_words(), sum_of(values).canonical_words());
  EXPECT_EQ(blocks.canonical_words(), sum_of(values).canonical_words());
  EXPECT_EQ(from_words(singles.canonical_words()), exact_sum(values));
}

TEST(ExactSum, MergingRandomSplitsEqualsTheWhole) {
  const std::vector<double> values = mixed_values(20000, 9);
  const ExactSum whole = sum_of(values);
  Generator gen(10);
  for (int trial = 0; trial < 60; ++trial) {
    const auto pieces = 1 + gen.below(7);
    std::vector<std::size_t> cuts = {0, values.size()};
    for (std::uint64_t i = 1; i < pieces; ++i) cuts.push_back(gen.below(values.size() + 1));
    std::sort(cuts.begin(), cuts.end());
    std::vector<ExactSum> parts;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      ExactSum part;
      for (std::size_t k = cuts[i]; k < cuts[i + 1]; ++k) part.add(values[k]);
      parts.push_back(part);
    }
    gen.shuffle(parts);
    ExactSum merged;
    if (trial % 2 == 0) {
      for (const ExactSum& p : parts) merged.merge(p);
    } else {  // merge into the first piece, as a shard merger would
      merged = parts.front();
      for (std::size_t i = 1; i < parts.size(); ++i) merged.merge(parts[i]);
    }
    EXPECT_EQ(merged, whole) << "trial " << trial;
    EXPECT_EQ(merged.canonical_words(), whole.canonical_words()) << "trial " << trial;
    EXPECT_EQ(bits_of(merged.value()), bits_of(whole.value())) << "trial " << trial;
  }
}

TEST(ExactSum, MergeWithItself) {
  const std::vector<double> values = mixed_values(3001, 12);
  std::vector<double> twice = values;
  twice.insert(twice.end(), values.begin(), values.end());
  ExactSum a = sum_of(values);
  const ExactSum copy = a;
  a.merge(copy);
  EXPECT_EQ(a, sum_of(twice));
  ExactSum b = sum_of(values);
  b.merge(b);  // the same object on both sides
  EXPECT_EQ(b, sum_of(twice));
  EXPECT_EQ(from_words(b.canonical_words()), 2 * exact_sum(values));
  EXPECT_EQ(bits_of(b.value()), bits_of(round_reference(2 * exact_sum(values))));
}

TEST(ExactSum, AddsAfterMergeStayExact) {
  const std::vector<double> values = mixed_values(9000, 13);
  ExactSum a = sum_of(std::vector<double>(values.begin(), values.begin() + 4000));
  a.merge(sum_of(std::vector<double>(values.begin() + 4000, values.begin() + 5000)));
  a.add(values.data() + 5000, 4000);
  EXPECT_EQ(from_words(a.canonical_words()), exact_sum(values));
}

// ---- Serialisation --------------------------------------------------------------------------

TEST(ExactSum, CanonicalWordsRoundTrip) {
  std::vector<ExactSum> sums = {ExactSum(), sum_of({1.0}), sum_of({-1.0}), sum_of({kTiny}),
                                sum_of({-kMax, -kMax}), sum_of(mixed_values(5000, 14))};
  ExactSum huge;  // enough maxima that the top chunk carries more than 32 bits' worth
  for (int i = 0; i < 300000; ++i) huge.add(-kMax);
  sums.push_back(huge);
  Generator gen(15);
  for (int i = 0; i < 200; ++i) {
    std::vector<double> values;
    for (int k = 0; k < 10; ++k) values.push_back(gen.any_finite());
    sums.push_back(sum_of(values));
  }
  for (const ExactSum& s : sums) {
    const std::vector<std::uint64_t> words = s.canonical_words();
    const ExactSum back = ExactSum::from_canonical_words(words);
    EXPECT_EQ(back, s);
    EXPECT_EQ(back.canonical_words(), words);
    EXPECT_EQ(bits_of(back.value()), bits_of(s.value()));
    // A restored accumulator keeps accumulating exactly.
    ExactSum continued = back;
    continued.add(1.0);
    ExactSum expected = s;
    expected.add(1.0);
    EXPECT_EQ(continued, expected);
  }
  EXPECT_EQ(ExactSum().canonical_words().size(), 1U);
  EXPECT_EQ(sum_of({1.0, 1e6, 123.456}).canonical_words().size(), 4U);  // compact for typical sums
}

TEST(ExactSum, MalformedWordsThrow) {
  const std::vector<std::uint64_t> good = sum_of({-3.5, 1e10, 1e-10}).canonical_words();
  ASSERT_GE(good.size(), 3U);
  EXPECT_NO_THROW(ExactSum::from_canonical_words(good));
  const auto rejects = [](std::vector<std::uint64_t> words, const char* what) {
    EXPECT_THROW(ExactSum::from_canonical_words(words), std::invalid_argument) << what;
  };
  rejects({}, "empty");
  std::vector<std::uint64_t> w = good;
  w.push_back(1);
  rejects(w, "one word too many");
  w = good;
  w.pop_back();
  rejects(w, "one word too few");
  w = good;
  w[0] ^= std::uint64_t{1} << 40;
  rejects(w, "wrong tag");
  w = good;
  w[0] |= std::uint64_t{1} << 20;
  rejects(w, "reserved bit");
  w = good;
  w[1] = std::uint64_t{1} << 32;
  rejects(w, "digit not below 2^32");
  w = good;
  w[1] = 0;
  rejects(w, "lowest digit zero");
  w = good;
  w.back() = 0;
  rejects(w, "highest digit zero");
  w = good;
  w[0] = (w[0] & ~std::uint64_t{0xFF00}) | (std::uint64_t{67} << 8);
  rejects(w, "digits beyond the range");
  const std::uint64_t zero_header = ExactSum().canonical_words()[0];
  rejects({zero_header | (std::uint64_t{1} << 16)}, "negative zero");
  rejects({zero_header | (std::uint64_t{5} << 8)}, "zero with an offset");
  // Digit 67 (the top chunk's upper half) at 2^30 would put the sum beyond the range.
  rejects({zero_header | (std::uint64_t{67} << 8) | 1U, std::uint64_t{1} << 30}, "too large");
  EXPECT_NO_THROW(ExactSum::from_canonical_words(
      std::vector<std::uint64_t>{zero_header | (std::uint64_t{67} << 8) | 1U,
                                 (std::uint64_t{1} << 30) - 1}));
}

TEST(ExactSum, MergeBeyondTheRangeThrows) {
  const std::uint64_t zero_header = ExactSum().canonical_words()[0];
  ExactSum big = ExactSum::from_canonical_words(std::vector<std::uint64_t>{
      zero_header | (std::uint64_t{67} << 8) | 1U, (std::uint64_t{1} << 30) - 1});
  EXPECT_EQ(big.value(), kInf);
  EXPECT_THROW(big.merge(big), std::overflow_error);
  EXPECT_EQ(big.value(), kInf);  // unchanged by the failed merge
}

// ---- Carry propagation ----------------------------------------------------------------------

// The largest piece a double can put into one chunk comes from a full significand whose lowest
// bit sits just below a chunk boundary (bit 31 of a chunk): its upper piece is almost 2^52.
// Biased exponent field 2016 puts the lowest bit at 2^(2016 - 1075), bit 2015 = 62 * 32 + 31
// of the scaled sum. The largest finite double itself contributes under 2^50 per chunk, so it
// alone would not show a carry interval that is too long.
const double kWorstForChunks = std::bit_cast<double>((std::uint64_t{2016} << 52) |
                                                     ((std::uint64_t{1} << 52) - 1));

TEST(ExactSum, ManyLargestValuesDoNotOverflowTheChunks) {
  for (const double big : {kMax, kWorstForChunks}) {
    for (const std::size_t n : {std::size_t{2049}, std::size_t{4097}, std::size_t{5000000}}) {
      const std::string label = std::to_string(n) + " times " + hex(big);
      const std::vector<double> bigs(n, big);
      const std::vector<double> negatives(n - 1, -big);
      ExactSum s = sum_of(bigs);
      EXPECT_EQ(from_words(s.canonical_words()), cpp_int(n) * scaled(big)) << label;
      EXPECT_EQ(bits_of(s.value()), bits_of(round_reference(cpp_int(n) * scaled(big)))) << label;
      s.add(negatives.data(), negatives.size());
      EXPECT_EQ(s, sum_of({big})) << label;
      EXPECT_EQ(bits_of(s.value()), bits_of(big)) << label;

      ExactSum negative;  // the same through single adds, negatives first
      for (const double v : negatives) negative.add(v);
      negative.add(-big);
      EXPECT_EQ(from_words(negative.canonical_words()), -cpp_int(n) * scaled(big)) << label;
      for (std::size_t i = 0; i + 1 < n; ++i) negative.add(big);
      EXPECT_EQ(bits_of(negative.value()), bits_of(-big)) << label;
    }
  }
  EXPECT_EQ(sum_of(std::vector<double>(5000000, kMax)).value(), kInf);
  EXPECT_EQ(sum_of(std::vector<double>(5000000, -kMax)).value(), -kInf);
}

TEST(ExactSum, MergingAccumulatorsJustBeforeTheirCarryPropagation) {
  // Both sides hold nearly as much as a chunk can take between propagations; merge must not add
  // them chunk by chunk as they stand.
  for (const std::size_t n : {std::size_t{2046}, std::size_t{2047}}) {
    const std::vector<double> values(n, kWorstForChunks);
    ExactSum a = sum_of(values);
    const ExactSum b = sum_of(values);
    a.merge(b);
    EXPECT_EQ(from_words(a.canonical_words()), cpp_int(2 * n) * scaled(kWorstForChunks)) << n;
    const std::vector<double> negatives(n, -kWorstForChunks);
    ExactSum c = sum_of(negatives);
    c.merge(sum_of(negatives));
    EXPECT_EQ(from_words(c.canonical_words()), -cpp_int(2 * n) * scaled(kWorstForChunks)) << n;
  }
}

TEST(ExactSum, AlternatingLargestValuesAndSmallOnes) {
  // Large values of both signs interleaved with tiny ones: the chunks swing both ways between
  // propagations, and the tiny ones must all survive.
  ExactSum s;
  const int n = 1000000;
  for (int i = 0; i < n; ++i) {
    s.add(i % 2 == 0 ? kMax : -kMax);
    s.add(kTiny);
  }
  EXPECT_EQ(from_words(s.canonical_words()), cpp_int(n) * scaled(kTiny));
  EXPECT_EQ(s.value(), n * kTiny);
}

// ---- Odds and ends --------------------------------------------------------------------------

TEST(ExactSum, ValueDividedBy) {
  const ExactSum s = sum_of({1.0, 2.0, 3.0, 4.0});
  EXPECT_EQ(s.value_divided_by(4), 2.5);
  const std::vector<double> values = mixed_values(1000, 16);
  const ExactSum t = sum_of(values);
  EXPECT_EQ(bits_of(t.value_divided_by(1000)), bits_of(t.value() / 1000.0));
}

TEST(ExactSum, NonFiniteInputsDoNotCrash) {
  EXPECT_EQ(sum_of({kInf}).value(), kInf);
  EXPECT_EQ(sum_of({-kInf, 1.0}).value(), -kInf);
  const ExactSum nan = sum_of({std::numeric_limits<double>::quiet_NaN(), 1.0});
  (void)nan.value();  // unspecified, but defined behaviour
  (void)nan.canonical_words();
}

}  // namespace
