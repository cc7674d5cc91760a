#include "gapcast/summary/quantile_sketch.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "gapcast/util/byte_codec.hpp"

namespace gapcast {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Below this magnitude a value is treated as zero. It is far below anything the model
// produces, and keeping it well above the subnormal range keeps every bin index of a finite
// value inside a few hundred thousand bins of zero for the accuracies we accept.
constexpr double kMinPositive = QuantileSketch::min_magnitude;

// Smallest accepted accuracy. With a = 1e-6, log(DBL_MAX) / log(gamma) is about 3.5e8, which
// still fits an int32 bin index with room to spare; a finer accuracy could overflow it.
constexpr double kMinAccuracy = 1e-6;

// When a window has to grow we add slack on the side that grew (a quarter of the window, at
// most kMaxSlack bins), so that values arriving in monotone order do not shift the whole
// vector on every new bin. The cap keeps the overhead a small constant: a Monte Carlo run
// holds tens of thousands of sketches, so spare bins are most of the memory beyond the data.
constexpr std::size_t kMaxSlack = 256;

std::size_t slack_for(std::size_t current_size) {
  return std::clamp<std::size_t>(current_size / 4, 8, kMaxSlack);
}

}  // namespace

// Long because: the new window's bounds, the collapse into the floor and the move of both halves
// of the counts (window and side table) belong together, and the overflow check has to come
// before any of them changes, so that a throw leaves the store as it was.
std::int64_t QuantileSketch::Store::reserve(std::int32_t lo, std::int32_t hi, std::int64_t cap) {
  const auto size = static_cast<std::int64_t>(counts.size());
  const std::int64_t cur_lo = offset;
  const std::int64_t cur_hi = cur_lo + size - 1;
  // The per-value paths do not maintain `top` (it costs an instruction per value): bring it up
  // to the highest bin with a count, scanning down from the window's end (at most the slack
  // above the highest bin).
  for (std::int64_t b = cur_hi; b > std::max<std::int64_t>(top, cur_lo - 1); --b) {
    if (count(static_cast<std::size_t>(b - cur_lo)) != 0) {
      top = static_cast<std::int32_t>(b);
      break;
    }
  }
  // The collapse floor follows the highest bin: the window keeps the `cap` bins ending there.
  // Since the highest bin only grows, a bin's final place, max(bin, final floor), does not
  // depend on the order in which values and merges arrived.
  const std::int64_t new_top = std::max<std::int64_t>(top, hi);
  const std::int64_t floor = new_top - cap + 1;
  const std::int64_t want_lo = std::max<std::int64_t>(lo, floor);
  // Inside the window already: nothing to collapse either, since the window holds the highest
  // bin and is at most `cap` long, so it lies entirely at or above the floor.
  if (size > 0 && want_lo >= cur_lo && hi <= cur_hi) return floor;

  // The new window: the old one widened to the new bins, with slack on the side that grew so
  // that values arriving in monotone order do not reallocate on every new bin; never below the
  // floor, never longer than `cap`.
  std::int64_t new_lo = 0;
  std::int64_t new_hi = 0;
  if (size == 0) {
    // A small window around the first bins, so that neighbours fit without a reallocation.
    const auto half = static_cast<std::int64_t>(slack_for(0) / 2);
    new_lo = want_lo - half;
    new_hi = hi + static_cast<std::int64_t>(slack_for(0)) - half - 1;
  } else {
    const auto slack = static_cast<std::int64_t>(slack_for(counts.size()));
    new_lo = want_lo < cur_lo ? want_lo - slack : cur_lo;
    new_hi = hi > cur_hi ? hi + slack : cur_hi;
  }
  new_lo = std::max(new_lo, floor);
  new_hi = std::min(new_hi, new_lo + cap - 1);  // >= new_top, since new_lo >= floor

  // Build the new window in a fresh vector (so that its capacity equals its size and
  // memory_bytes() reflects the window exactly). Old counts below new_lo exist only when
  // new_lo is the floor: they collapse into it. None lie above new_hi (>= every old bin with a
  // count).
  const auto new_size = static_cast<std::size_t>(new_hi - new_lo + 1);
  std::vector<std::uint16_t> grown(new_size, 0);
  std::vector<std::uint16_t> grown_highs(highs.empty() ? 0 : new_size, 0);
  std::uint64_t collapsed = 0;
  std::uint64_t front = 0;  // the old count of bin new_lo, which receives the collapsed ones
  if (size > 0) {
    for (std::int64_t b = cur_lo; b <= std::min(cur_hi, new_lo - 1); ++b) {
      collapsed += count(static_cast<std::size_t>(b - cur_lo));
    }
    const std::int64_t first = std::max(cur_lo, new_lo);
    const std::int64_t last = std::min(cur_hi, new_hi);
    if (first <= last) {
      std::copy(counts.begin() + (first - cur_lo), counts.begin() + (last - cur_lo + 1),
                grown.begin() + (first - new_lo));
      if (!highs.empty()) {
        std::copy(highs.begin() + (first - cur_lo), highs.begin() + (last - cur_lo + 1),
                  grown_highs.begin() + (first - new_lo));
      }
      if (first == new_lo) front = count(static_cast<std::size_t>(new_lo - cur_lo));
    }
    // Checked before anything changes, so that a throw leaves the sketch as it was.
    if (collapsed > max_count - front) {
      throw std::overflow_error("QuantileSketch: more than 2^32 - 1 values in one bin");
    }
  }
  // Sparse high halves are keyed by bin, not slot: those of collapsed bins go (they are in
  // `collapsed`), the others stay valid in the moved window.
  carries.erase(carries.begin(),
                std::lower_bound(carries.begin(), carries.end(), new_lo,
                                 [](const Carry& c, std::int64_t bin) { return c.bin < bin; }));
  counts.swap(grown);
  highs.swap(grown_highs);
  offset = static_cast<std::int32_t>(new_lo);
  if (collapsed > 0) set(0, static_cast<std::uint32_t>(front + collapsed));
  fit_side_table();
  return floor;
}

void QuantileSketch::Store::fit_side_table() {
  if (highs.empty()) return;
  // A small window goes dense at its first carry (four sparse entries would outweigh it); once
  // it has grown, the few carried bins are cheaper sparse again. Only at half the window's
  // bytes, so that a store does not switch back and forth as it grows.
  std::size_t carried = 0;
  for (const std::uint16_t h : highs) carried += h != 0 ? 1 : 0;
  const std::size_t capacity = std::max<std::size_t>(4, carried);
  if (2 * capacity * sizeof(Carry) > counts.size() * sizeof(std::uint16_t)) return;
  std::vector<Carry> sparse;
  sparse.reserve(capacity);
  for (std::size_t i = 0; i < highs.size(); ++i) {
    if (highs[i] != 0) {
      const auto bin = static_cast<std::int32_t>(offset + static_cast<std::int64_t>(i));
      sparse.push_back({bin, highs[i]});
    }
  }
  carries.swap(sparse);
  std::vector<std::uint16_t>().swap(highs);
}

std::uint32_t QuantileSketch::Store::high(std::size_t i) const {
  if (!highs.empty()) return highs[i];
  const auto bin = static_cast<std::int32_t>(offset + static_cast<std::int64_t>(i));
  const auto it = std::lower_bound(carries.begin(), carries.end(), bin,
                                   [](const Carry& c, std::int32_t b) { return c.bin < b; });
  return it != carries.end() && it->bin == bin ? it->high : 0;
}

void QuantileSketch::Store::set_high(std::size_t i, std::uint32_t h) {
  if (!highs.empty()) {
    highs[i] = static_cast<std::uint16_t>(h);
    return;
  }
  const auto bin = static_cast<std::int32_t>(offset + static_cast<std::int64_t>(i));
  const auto it = std::lower_bound(carries.begin(), carries.end(), bin,
                                   [](const Carry& c, std::int32_t b) { return c.bin < b; });
  if (it != carries.end() && it->bin == bin) {
    if (h != 0) {
      it->high = h;
    } else {
      carries.erase(it);
    }
    return;
  }
  if (h == 0) return;
  const auto at = it - carries.begin();
  if (carries.size() == carries.capacity()) {
    // Grow by hand (doubling), so that the capacity, which is what memory_bytes() and the
    // worst case count, never passes the window's own bytes: past that, switch to the dense
    // side table, at most as large.
    const std::size_t grown = std::max<std::size_t>(4, 2 * carries.size());
    if (grown * sizeof(Carry) > counts.size() * sizeof(std::uint16_t)) {
      std::vector<std::uint16_t> dense(counts.size(), 0);
      for (const Carry& c : carries) {
        dense[static_cast<std::size_t>(std::int64_t{c.bin} - offset)] =
            static_cast<std::uint16_t>(c.high);
      }
      dense[i] = static_cast<std::uint16_t>(h);
      highs.swap(dense);
      std::vector<Carry>().swap(carries);  // releases the sparse table's memory
      return;
    }
    carries.reserve(grown);
  }
  carries.insert(carries.begin() + at, Carry{bin, h});
}

void QuantileSketch::Store::add_to(std::size_t i, std::uint64_t n) {
  const std::uint64_t c = count(i);
  if (n > max_count - c) {
    throw std::overflow_error("QuantileSketch: more than 2^32 - 1 values in one bin");
  }
  set(i, static_cast<std::uint32_t>(c + n));
}

void QuantileSketch::Store::add(std::int32_t bin, std::uint64_t n, std::int64_t cap) {
  const std::int64_t floor = reserve(bin, bin, cap);
  add_to(static_cast<std::size_t>(std::max<std::int64_t>(bin, floor) - offset), n);
  total += n;
  top = std::max(top, bin);
}


namespace {

void check_accuracy(double relative_accuracy) {
  // Written as a negated range check so that NaN is rejected too.
  if (!(relative_accuracy >= kMinAccuracy && relative_accuracy < 1.0)) {
    throw std::invalid_argument("QuantileSketch: relative accuracy must be in [1e-6, 1), got " +
                                std::to_string(relative_accuracy));
  }
}

double gamma_for(double relative_accuracy) {
  return (1.0 + relative_accuracy) / (1.0 - relative_accuracy);
}

// Bins per unit of the interpolated log2 (see below).
double multiplier_for(double relative_accuracy) {
  return 0.75 / std::log(gamma_for(relative_accuracy));
}

}  // namespace

std::size_t QuantileSketch::max_bins_per_sign(double relative_accuracy) {
  check_accuracy(relative_accuracy);
  // A value v keeps its own bin when bin(v) >= bin(M) - (B - 1), M the sign's largest
  // magnitude. With L the interpolated log2, L(2^k x) = L(x) + k exactly and L is increasing,
  // so M <= 2^k v gives L(v) m >= L(M) m - k m, hence bin(v) >= bin(M) - ceil(k m). B - 1 =
  // ceil(k m) + 1 keeps one bin to spare for the rounding of L(v) m in floating point.
  const double bins =
      std::ceil(static_cast<double>(kept_octaves) * multiplier_for(relative_accuracy));
  return static_cast<std::size_t>(bins) + 2;
}

double QuantileSketch::bin_multiplier(double relative_accuracy) {
  check_accuracy(relative_accuracy);
  return multiplier_for(relative_accuracy);
}

std::size_t QuantileSketch::max_memory_bytes(double relative_accuracy) {
  // Per sign: the window's low halves, 2 bytes a bin, and a side table of at most as many bytes
  // (Store), for B(a) bins.
  return sizeof(QuantileSketch) +
         2 * max_bins_per_sign(relative_accuracy) * (2 * sizeof(std::uint16_t));
}

QuantileSketch::QuantileSketch(double relative_accuracy)
    : accuracy_(relative_accuracy),
      gamma_(0.0),
      multiplier_(0.0),
      min_positive_(kMinPositive),
      cap_(static_cast<std::int64_t>(max_bins_per_sign(relative_accuracy))),  // validates
      min_(kInf),
      max_(-kInf) {
  gamma_ = gamma_for(relative_accuracy);
  multiplier_ = multiplier_for(relative_accuracy);
}

// Bin index without a logarithm. A positive double is 2^e x s with s in [1, 2); the mapping
// approximates log2 by L(v) = e + q(s) with the quadratic q(s) = (6s - s^2 - 5) / 3, which is
// monotone on [1, 2] with q(1) = 0 and q(2) = 1, so L is increasing and continuous across
// powers of two. Along L, d(ln v)/dL = 1 / (s q'(s)) = 3 / (6s - 2s^2), at most 3/4 on [1, 2].
// Bins of width 1/m in L therefore span at most a factor exp(3 / (4 m)) in value; choosing
// m = 3 / (4 ln gamma) makes that factor gamma, exactly the bin width of the logarithmic
// mapping, so the relative-accuracy guarantee is unchanged while about 8% more bins are used
// (3 / (4 ln 2) = 1.082). The computation is a handful of exact bit operations and
// multiplications: several times cheaper than std::log, and the same on every platform.
namespace {

/// Inverse of the interpolated log2 used by bin_of (in the header).
double approx_exp2(double x) {
  const double e = std::floor(x);
  const double f = x - e;
  const double s = 3.0 - std::sqrt(4.0 - 3.0 * f);
  return std::ldexp(s, static_cast<int>(e));
}

}  // namespace

double QuantileSketch::value_of(std::int32_t bin) const { return bin_value(bin, multiplier_); }

double QuantileSketch::bin_value(std::int32_t bin, double multiplier) {
  // Bin i holds (lo, hi] with lo = L^-1((i - 1)/m) and hi = L^-1(i/m), hi / lo <= gamma. The
  // harmonic-style midpoint 2 lo hi / (lo + hi) is within (hi - lo)/(hi + lo) <= a of every
  // value in the bin.
  const double hi = approx_exp2(static_cast<double>(bin) / multiplier);
  const double lo = approx_exp2(static_cast<double>(bin - 1) / multiplier);
  const double twice_product = 2.0 * lo * hi;
  if (std::isnormal(twice_product)) return twice_product / (lo + hi);
  // The product leaves the normal range for bins beyond about 1e154 or below 1e-154 (where it
  // used to make every quantile the exact maximum or minimum). Scaled by a power of two the same
  // operations are exact scalings of the above, so this is the value it would have had with an
  // unbounded exponent. A bin whose upper end is beyond DBL_MAX gives +inf: the caller clamps it
  // to the exact maximum.
  if (!std::isfinite(hi)) return hi;
  int exponent = 0;
  (void)std::frexp(hi, &exponent);
  const double l = std::ldexp(lo, -exponent);
  const double h = std::ldexp(hi, -exponent);
  return std::ldexp(2.0 * l * h / (l + h), exponent);
}

void QuantileSketch::add_general(double value) {
  if (std::isnan(value)) {
    throw std::invalid_argument("QuantileSketch::add: NaN is not a valid value");
  }
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
  if (std::isinf(value)) {
    ++(value > 0 ? pos_inf_ : neg_inf_);
  } else if (std::fabs(value) < min_positive_) {
    ++zero_count_;
  } else if (value > 0) {
    positive_.add(bin_of(value), 1, cap_);
  } else {
    negative_.add(bin_of(-value), 1, cap_);
  }
}

namespace {

// The batch path. A batch's values are first classified in a loop without branches over two
// values at a time (GCC and Clang vector extensions: SSE2 on baseline x86-64): the
// bin of each, the slot it takes in the current window of its sign, and the running minimum
// and maximum. A second, scalar loop then increments the counts, taking a branch that is almost
// never mispredicted: most values fall in the positive window.
//
// Keys: a positive value inside its window gets its slot (< 2^30: a window is at most B(a) <
// 5e7 bins); a negative one inside its window kNegativeKey + slot; a zero kZeroKey; anything
// else (outside its window) kOutsideKey. All fit an int32, the conversion SSE2 vectorises.
constexpr std::uint32_t kNegativeKey = 0x40000000u;
constexpr std::uint32_t kZeroKey = 0x7fffffffu;
constexpr std::uint32_t kOutsideKey = 0x7ffffffeu;

struct Windows {
  double positive_offset, positive_size;
  double negative_offset, negative_size;
  double multiplier, min_positive;
  std::uintptr_t positive_counts, negative_counts;  ///< addresses of the two windows' counts
};

// Asks the cache for the count a key will increment. A run's bin windows (about 80 MB for the
// shipped scenarios, at 16 bits a count) are far beyond the caches, so the increments wait on
// memory; asked for while the rest of the batch is classified, the counts have mostly arrived
// when the increment loop reaches them. Zero and outside keys point nowhere useful: a prefetch
// never faults, and the arithmetic is on integers, so no pointer leaves its array.
#if defined(__GNUC__)
inline void prefetch_count(const Windows& w, std::uint32_t key) {
  const std::uintptr_t base = (key & kNegativeKey) != 0 ? w.negative_counts : w.positive_counts;
  const std::uintptr_t slot = key & (kNegativeKey - 1);
  __builtin_prefetch(reinterpret_cast<const void*>(base + slot * sizeof(std::uint16_t)), 1);
}
#endif

// ceil(L(|v|) * multiplier) for a finite v (bit for bit bin_of in the header; see there and
// value_of below), and the key described above. Written once as a template so that the vector
// loop and the scalar remainder do the same operations in the same order; T is double or a
// vector of doubles, U the unsigned 64-bit integer of the same shape.
template <class T, class U>
struct Lanes {
  static T from_bits(U u) {
    T t;
    std::memcpy(&t, &u, sizeof t);
    return t;
  }
  static U to_bits(T t) {
    U u;
    std::memcpy(&u, &t, sizeof u);
    return u;
  }
  // Selects by a mask of all-ones / all-zeros lanes.
  static T select(U mask, T yes, T no) {
    return from_bits((to_bits(yes) & mask) | (to_bits(no) & ~mask));
  }
  // All-ones where the sign bit of x is set.
  static U sign_mask(T x) { return U{} - (to_bits(x) >> 63); }

  static void classify(T v, const Windows& w, T& ceiling, T& key) {
    constexpr double two52 = 4503599627370496.0;        // 2^52
    constexpr double round_magic = 6755399441055744.0;  // 1.5 * 2^52
    const U bits = to_bits(v);
    // The exponent as a double: 2^52 + field exactly, minus 2^52 + 1023 (exact: integers).
    const T exponent = from_bits(((bits >> 52) & 0x7ff) | 0x4330000000000000ULL) - (two52 + 1023.0);
    const T s = from_bits((bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
    const T log2_approx = exponent + (s * (6.0 - s) - 5.0) * (1.0 / 3.0);
    const T scaled = log2_approx * w.multiplier;
    // ceil(scaled): the nearest integer by the 1.5 * 2^52 trick (exact for |scaled| < 2^51),
    // plus 1 where that fell below scaled, i.e. where rounded - scaled has its sign bit set
    // (it is +0 when they are equal).
    const T rounded = (scaled + round_magic) - round_magic;
    ceiling = rounded + from_bits(sign_mask(rounded - scaled) & 0x3ff0000000000000ULL);

    const U negative = sign_mask(v);
    const T magnitude = from_bits(bits & 0x7fffffffffffffffULL);
    // |v| < min_positive exactly when the difference is negative (never -0: distinct finite
    // doubles have a nonzero difference).
    const U zero = sign_mask(magnitude - w.min_positive);
    const T slot = ceiling - select(negative, T{} + w.negative_offset, T{} + w.positive_offset);
    const T size = select(negative, T{} + w.negative_size, T{} + w.positive_size);
    // 0 <= slot < size, from sign bits: slot >= 0 is "not negative" (slot is an integer, so
    // -0 cannot occur), slot < size is "slot - size negative".
    const U inside = ~sign_mask(slot) & sign_mask(slot - size);
    const T tagged = slot + from_bits(to_bits(T{} + static_cast<double>(kNegativeKey)) & negative);
    key = select(zero, T{} + static_cast<double>(kZeroKey),
                 select(inside, tagged, T{} + static_cast<double>(kOutsideKey)));
  }
};

// First value of values[0..n) equal to zero (of either sign); the batch has one.
double first_zero(const double* values, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (values[i] == 0.0) return values[i];
  }
  return 0.0;
}

}  // namespace

// Long because: it is the hot kernel of every run (every value of every metric passes through
// it); the bin computation, the batch range check and the slow path are kept inline so that the
// compiler vectorises the common case. benchmarks/sketch_fold.cpp measures it.
void QuantileSketch::add_finite(const double* values, std::size_t n) {
  if (n == 0) return;
  if (positive_.total + n > max_count || negative_.total + n > max_count) {
    // Some bin could reach 2^32: the per-value path checks every count.
    for (std::size_t i = 0; i < n; ++i) add(values[i]);
    return;
  }
  const Windows w{static_cast<double>(positive_.offset),
                  static_cast<double>(positive_.counts.size()),
                  static_cast<double>(negative_.offset),
                  static_cast<double>(negative_.counts.size()),
                  multiplier_,
                  min_positive_,
                  reinterpret_cast<std::uintptr_t>(positive_.counts.data()),
                  reinterpret_cast<std::uintptr_t>(negative_.counts.data())};
  std::int32_t bins[batch_size];
  std::uint32_t keys[batch_size];
  double lowest = min_;
  double highest = max_;
  std::size_t i = 0;
#if defined(__GNUC__)
  // Two lanes: the width of SSE2, so that no function passes vectors wider than the baseline
  // ABI's registers.
  using v2d = double __attribute__((vector_size(16)));
  using v2u = std::uint64_t __attribute__((vector_size(16)));
  using v2i = std::int32_t __attribute__((vector_size(8)));
  {
    v2d low = v2d{} + min_;
    v2d high = v2d{} + max_;
    for (; i + 2 <= n; i += 2) {
      v2d v;
      std::memcpy(&v, values + i, sizeof v);
      v2d ceiling;
      v2d key;
      Lanes<v2d, v2u>::classify(v, w, ceiling, key);
      // Per lane, as add() does: replace only when strictly smaller (larger).
      low = v < low ? v : low;
      high = v > high ? v : high;
      const v2i b = __builtin_convertvector(ceiling, v2i);
      const v2i k = __builtin_convertvector(key, v2i);
      std::memcpy(bins + i, &b, sizeof b);
      std::memcpy(keys + i, &k, sizeof k);
      prefetch_count(w, static_cast<std::uint32_t>(k[0]));
      prefetch_count(w, static_cast<std::uint32_t>(k[1]));
    }
    for (int lane = 0; lane < 2; ++lane) {
      if (low[lane] < lowest) lowest = low[lane];
      if (high[lane] > highest) highest = high[lane];
    }
  }
#endif
  for (; i < n; ++i) {
    double ceiling = 0.0;
    double key = 0.0;
    Lanes<double, std::uint64_t>::classify(values[i], w, ceiling, key);
    if (values[i] < lowest) lowest = values[i];
    if (values[i] > highest) highest = values[i];
    bins[i] = static_cast<std::int32_t>(ceiling);
    keys[i] = static_cast<std::uint32_t>(key);
  }
  // add() keeps the first of +0 and -0 when the minimum (maximum) is zero; the lanes above may
  // have met them in another order. Any other minimum is one bit pattern.
  if (lowest < min_) min_ = lowest == 0.0 ? first_zero(values, n) : lowest;
  if (highest > max_) max_ = highest == 0.0 ? first_zero(values, n) : highest;

  // Low halves of the counts; a wrap to 0 carries into the side table (rare: once per 65536
  // values of a bin). The check at the top keeps every whole count within 2^32 - 1. carry()
  // changes only the side table, so these pointers stay valid.
  std::uint16_t* const positive = positive_.counts.data();
  std::uint16_t* const negative = negative_.counts.data();
  const auto positive_size = static_cast<std::uint32_t>(positive_.counts.size());
  std::uint64_t n_zero = 0;
  std::uint64_t n_negative = 0;
  std::uint16_t deferred[batch_size];
  static_assert(batch_size <= 65536);
  std::size_t n_deferred = 0;
  for (std::size_t j = 0; j < n; ++j) {
    const std::uint32_t key = keys[j];
    if (key < positive_size) [[likely]] {
      if (++positive[key] == 0) [[unlikely]] positive_.carry(key);
    } else if (key < kOutsideKey && key >= kNegativeKey) {
      if (++negative[key - kNegativeKey] == 0) [[unlikely]] negative_.carry(key - kNegativeKey);
      ++n_negative;
    } else if (key == kZeroKey) {
      ++n_zero;
    } else {
      deferred[n_deferred++] = static_cast<std::uint16_t>(j);
    }
  }
  zero_count_ += n_zero;
  positive_.total += n - n_zero - n_negative - n_deferred;
  negative_.total += n_negative;
  if (n_deferred == 0) return;

  // Values outside their window: grow (or collapse) each window once for all of them.
  for (const bool is_negative : {false, true}) {
    std::int32_t lo = std::numeric_limits<std::int32_t>::max();
    std::int32_t hi = std::numeric_limits<std::int32_t>::min();
    std::uint64_t k = 0;
    for (std::size_t j = 0; j < n_deferred; ++j) {
      if ((values[deferred[j]] < 0.0) != is_negative) continue;
      lo = std::min(lo, bins[deferred[j]]);
      hi = std::max(hi, bins[deferred[j]]);
      ++k;
    }
    if (k == 0) continue;
    Store& store = is_negative ? negative_ : positive_;
    const std::int64_t floor = store.reserve(lo, hi, cap_);
    for (std::size_t j = 0; j < n_deferred; ++j) {
      if ((values[deferred[j]] < 0.0) != is_negative) continue;
      const std::int64_t bin = std::max<std::int64_t>(bins[deferred[j]], floor);
      const auto slot = static_cast<std::size_t>(bin - store.offset);
      if (++store.counts[slot] == 0) [[unlikely]] store.carry(slot);
    }
    store.total += k;
    store.top = std::max(store.top, hi);
  }
}

void QuantileSketch::add_strided(const double* first, std::size_t n, std::size_t stride) {
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isnan(first[i * stride])) {
      throw std::invalid_argument("QuantileSketch::add_strided: NaN is not a valid value");
    }
  }
  double finite[batch_size];
  for (std::size_t done = 0; done < n;) {
    const std::size_t k = std::min(batch_size, n - done);
    const double* p = first + done * stride;
    std::size_t m = 0;
    for (std::size_t i = 0; i < k; ++i, p += stride) {
      const double v = *p;
      finite[m] = v;
      if (std::isfinite(v)) [[likely]] {
        ++m;
      } else {
        add_general(v);  // an infinity: its own count, and min or max (no ties with finite values)
      }
    }
    add_finite(finite, m);
    done += k;
  }
}

void QuantileSketch::merge(const QuantileSketch& other) {
  if (other.accuracy_ != accuracy_) {
    throw std::invalid_argument(
        "QuantileSketch::merge: relative accuracies differ (" + std::to_string(accuracy_) +
        " vs " + std::to_string(other.accuracy_) + ")");
  }
  if (&other == this) {
    // Adding a store to itself while walking it would read counts already doubled.
    const QuantileSketch copy = other;
    merge(copy);
    return;
  }
  const auto merge_store = [this](Store& into, const Store& from) {
    if (from.total == 0) return;
    // Widen the window once to cover both ends of `from` (collapsing if the cap requires),
    // then add counts. Only the integer counts and the highest bin matter for results, so any
    // order of merges gives the same bins.
    std::size_t first = 0;
    while (from.count(first) == 0) ++first;
    std::size_t last = from.counts.size() - 1;
    while (from.count(last) == 0) --last;
    const auto bin_at = [&from](std::size_t i) {
      return static_cast<std::int32_t>(from.offset + static_cast<std::int64_t>(i));
    };
    const std::int64_t floor = into.reserve(bin_at(first), bin_at(last), cap_);
    for (std::size_t i = first; i <= last; ++i) {
      const std::uint32_t c = from.count(i);
      if (c == 0) continue;
      into.add_to(static_cast<std::size_t>(std::max<std::int64_t>(bin_at(i), floor) - into.offset),
                  c);
    }
    into.total += from.total;
    into.top = std::max(into.top, bin_at(last));
  };
  merge_store(positive_, other.positive_);
  merge_store(negative_, other.negative_);
  zero_count_ += other.zero_count_;
  pos_inf_ += other.pos_inf_;
  neg_inf_ += other.neg_inf_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void QuantileSketch::quantiles(std::span<const double> qs, std::span<double> out) const {
  if (qs.size() != out.size()) {
    throw std::invalid_argument("QuantileSketch::quantiles: qs and out differ in length");
  }
  // Visit the requested levels in ascending order while walking the bins once; the answers
  // are the same as quantile(q) for each level, which the tests check.
  std::vector<std::size_t> order(qs.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (!(qs[i] >= 0.0 && qs[i] <= 1.0)) {
      throw std::invalid_argument("QuantileSketch::quantiles: q must be in [0, 1], got " +
                                  std::to_string(qs[i]));
    }
    order[i] = i;
  }
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return qs[a] < qs[b]; });
  const std::uint64_t n = count();
  if (n == 0) {
    for (double& v : out) v = kNaN;
    return;
  }
  const auto clamp = [this](double v) { return std::clamp(v, min_, max_); };
  std::size_t next = 0;
  std::uint64_t rank = 0;
  auto rank_of = [&](std::size_t i) {
    return std::min(static_cast<std::uint64_t>(std::floor(qs[i] * static_cast<double>(n - 1))),
                    n - 1);
  };
  // Resolves every pending level whose rank falls before `seen`; the value is computed only
  // when some level actually settles in this group. The extreme ranks take the exact minimum
  // and maximum, as in quantile().
  auto settle = [&](std::uint64_t seen, auto&& value) {
    while (next < order.size() && (rank = rank_of(order[next])) < seen) {
      out[order[next]] = rank == 0 ? min_ : rank == n - 1 ? max_ : value();
      ++next;
    }
  };
  auto fixed = [](double v) { return [v] { return v; }; };
  std::uint64_t seen = neg_inf_;
  settle(seen, fixed(-kInf));
  for (std::size_t i = negative_.counts.size(); i-- > 0 && next < order.size();) {
    const std::uint32_t c = negative_.count(i);
    if (c == 0) continue;
    seen += c;
    const auto bin = static_cast<std::int32_t>(negative_.offset + static_cast<std::int64_t>(i));
    settle(seen, [&] { return clamp(-value_of(bin)); });
  }
  seen += zero_count_;
  settle(seen, fixed(clamp(0.0)));
  for (std::size_t i = 0; i < positive_.counts.size() && next < order.size(); ++i) {
    const std::uint32_t c = positive_.count(i);
    if (c == 0) continue;
    seen += c;
    const auto bin = static_cast<std::int32_t>(positive_.offset + static_cast<std::int64_t>(i));
    settle(seen, [&] { return clamp(value_of(bin)); });
  }
  settle(n + 1, fixed(kInf));
}

double QuantileSketch::quantile(double q) const {
  if (!(q >= 0.0 && q <= 1.0)) {
    throw std::invalid_argument("QuantileSketch::quantile: q must be in [0, 1], got " +
                                std::to_string(q));
  }
  const std::uint64_t n = count();
  if (n == 0) return kNaN;
  auto rank = static_cast<std::uint64_t>(std::floor(q * static_cast<double>(n - 1)));
  rank = std::min(rank, n - 1);  // guards against rounding for astronomically large n
  // The extreme ranks are known exactly, so q = 0 and q = 1 report the true min and max
  // rather than a bin's representative value.
  if (rank == 0) return min_;
  if (rank == n - 1) return max_;

  // Walk the values in ascending order: -inf, negatives (largest magnitude first), zeros,
  // positives (smallest first), +inf. `seen` counts values strictly before the current group.
  const auto clamp = [this](double v) { return std::clamp(v, min_, max_); };
  std::uint64_t seen = neg_inf_;
  if (rank < seen) return -kInf;
  for (std::size_t i = negative_.counts.size(); i-- > 0;) {
    seen += negative_.count(i);
    if (rank < seen) {
      return clamp(-value_of(static_cast<std::int32_t>(negative_.offset +
                                                       static_cast<std::int64_t>(i))));
    }
  }
  seen += zero_count_;
  if (rank < seen) return clamp(0.0);
  for (std::size_t i = 0; i < positive_.counts.size(); ++i) {
    seen += positive_.count(i);
    if (rank < seen) {
      return clamp(value_of(static_cast<std::int32_t>(positive_.offset +
                                                      static_cast<std::int64_t>(i))));
    }
  }
  return kInf;  // the remaining values are the +inf ones
}

std::uint64_t QuantileSketch::count() const {
  return positive_.total + negative_.total + zero_count_ + pos_inf_ + neg_inf_;
}

std::uint64_t QuantileSketch::infinite_count() const { return pos_inf_ + neg_inf_; }

double QuantileSketch::min() const { return count() == 0 ? kNaN : min_; }

double QuantileSketch::max() const { return count() == 0 ? kNaN : max_; }

std::size_t QuantileSketch::memory_bytes() const {
  return positive_.memory_bytes() + negative_.memory_bytes();
}

void QuantileSketch::encode(ByteWriter& out) const {
  // Each sign's bins with a count, as (distance from the previous such bin, count) pairs of
  // variable-length numbers: the window's slack and empty bins (which depend on the order
  // values arrived in) stay out, so the bytes are a function of the counts, and compact.
  for (const Store* store : {&positive_, &negative_}) {
    std::uint64_t nonzero = 0;
    for (std::size_t i = 0; i < store->counts.size(); ++i) nonzero += store->count(i) != 0 ? 1 : 0;
    out.varint(nonzero);
    std::int64_t previous = std::int64_t{store->offset} - 1;
    for (std::size_t i = 0; i < store->counts.size(); ++i) {
      const std::uint32_t c = store->count(i);
      if (c == 0) continue;
      const std::int64_t bin = store->offset + static_cast<std::int64_t>(i);
      if (previous == std::int64_t{store->offset} - 1) {
        out.i32(static_cast<std::int32_t>(bin));  // the first bin, absolute
      } else {
        out.varint(static_cast<std::uint64_t>(bin - previous));
      }
      out.varint(c);
      previous = bin;
    }
  }
  out.u64(zero_count_);
  out.u64(pos_inf_);
  out.u64(neg_inf_);
  out.f64(min_);
  out.f64(max_);
}

QuantileSketch QuantileSketch::decode(ByteReader& in, double relative_accuracy) {
  QuantileSketch sketch(relative_accuracy);
  const auto corrupt = [](const char* what) {
    throw std::invalid_argument(std::string("a quantile sketch's bins are malformed: ") + what);
  };
  for (Store* store : {&sketch.positive_, &sketch.negative_}) {
    const std::uint64_t nonzero = in.varint();
    if (nonzero == 0) continue;
    if (nonzero > static_cast<std::uint64_t>(sketch.cap_) || nonzero > in.remaining()) {
      corrupt("more bins than the accuracy allows");
    }
    std::vector<std::pair<std::int64_t, std::uint32_t>> bins;
    bins.reserve(static_cast<std::size_t>(nonzero));
    std::int64_t bin = in.i32();
    for (std::uint64_t k = 0; k < nonzero; ++k) {
      if (k > 0) {
        const std::uint64_t step = in.varint();
        if (step == 0 || step > static_cast<std::uint64_t>(sketch.cap_)) corrupt("bin order");
        bin += static_cast<std::int64_t>(step);
      }
      const std::uint64_t count = in.varint();
      if (count == 0 || count > max_count) corrupt("a count out of range");
      bins.emplace_back(bin, static_cast<std::uint32_t>(count));
    }
    const std::int64_t first = bins.front().first;
    const std::int64_t last = bins.back().first;
    if (last - first + 1 > sketch.cap_ || last > std::numeric_limits<std::int32_t>::max()) {
      corrupt("a range wider than the accuracy allows");
    }
    store->offset = static_cast<std::int32_t>(first);
    store->top = static_cast<std::int32_t>(last);
    store->counts.assign(static_cast<std::size_t>(last - first + 1), 0);
    for (const auto& [b, c] : bins) {
      store->set(static_cast<std::size_t>(b - first), c);
      store->total += c;
    }
  }
  sketch.zero_count_ = in.u64();
  sketch.pos_inf_ = in.u64();
  sketch.neg_inf_ = in.u64();
  sketch.min_ = in.f64();
  sketch.max_ = in.f64();
  if (std::isnan(sketch.min_) || std::isnan(sketch.max_) ||
      (sketch.count() > 0) != (sketch.min_ <= sketch.max_)) {
    throw std::invalid_argument("a quantile sketch's minimum and maximum do not match its "
                                "counts");
  }
  return sketch;
}

void QuantileSketch::clear() {
  // Assigning fresh stores (not counts.clear()) also releases the memory of the windows.
  positive_ = Store{};
  negative_ = Store{};
  zero_count_ = 0;
  pos_inf_ = 0;
  neg_inf_ = 0;
  min_ = kInf;
  max_ = -kInf;
}

}  // namespace gapcast
