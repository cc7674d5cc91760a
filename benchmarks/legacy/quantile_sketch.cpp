// Frozen copy of core/gapcast/summary/quantile_sketch.cpp as of commit e84a549 (before the batch
// insertion and the memory cap), in namespace gapcast::legacy: benchmarks/sketch_fold.cpp times
// it side by side with the current code and checks that both give bit-identical cells.
// Do not edit, except to keep it compiling.
#include "legacy/quantile_sketch.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>

namespace gapcast::legacy {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Below this magnitude a value is treated as zero. It is far below anything the model
// produces, and keeping it well above the subnormal range keeps every bin index of a finite
// value inside a few hundred thousand bins of zero for the accuracies we accept.
constexpr double kMinPositive = 1e-300;

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

void QuantileSketch::Store::add(std::int32_t bin, std::uint64_t n) {
  if (counts.empty()) {
    // First bin: a small window centred on it, so the next few neighbours fit without a
    // reallocation in either direction.
    const auto half = static_cast<std::int32_t>(slack_for(0) / 2);
    offset = bin - half;
    counts.assign(slack_for(0), 0);
  } else if (bin < offset) {
    const std::size_t missing = static_cast<std::size_t>(offset - bin);
    const std::size_t grow = missing + slack_for(counts.size());
    // Build the new window in a fresh vector (rather than insert at the front) so that its
    // capacity equals its size and memory_bytes() reflects the window exactly.
    std::vector<std::uint32_t> grown(counts.size() + grow, 0);
    std::copy(counts.begin(), counts.end(), grown.begin() + static_cast<std::ptrdiff_t>(grow));
    counts.swap(grown);
    offset -= static_cast<std::int32_t>(grow);
  } else if (static_cast<std::int64_t>(bin) - offset >=
             static_cast<std::int64_t>(counts.size())) {
    const std::size_t missing =
        static_cast<std::size_t>(static_cast<std::int64_t>(bin) - offset) - counts.size() + 1;
    const std::size_t grow = missing + slack_for(counts.size());
    std::vector<std::uint32_t> grown(counts.size() + grow, 0);
    std::copy(counts.begin(), counts.end(), grown.begin());
    counts.swap(grown);
  }
  std::uint32_t& slot = counts[static_cast<std::size_t>(bin - offset)];
  if (n > std::numeric_limits<std::uint32_t>::max() - slot) {
    throw std::overflow_error("QuantileSketch: more than 2^32 - 1 values in one bin");
  }
  slot += static_cast<std::uint32_t>(n);
  total += n;
}

QuantileSketch::QuantileSketch(double relative_accuracy)
    : accuracy_(relative_accuracy),
      gamma_(0.0),
      multiplier_(0.0),
      min_positive_(kMinPositive),
      min_(kInf),
      max_(-kInf) {
  // Written as a negated range check so that NaN is rejected too.
  if (!(relative_accuracy >= kMinAccuracy && relative_accuracy < 1.0)) {
    throw std::invalid_argument("QuantileSketch: relative accuracy must be in [1e-6, 1), got " +
                                std::to_string(relative_accuracy));
  }
  gamma_ = (1.0 + relative_accuracy) / (1.0 - relative_accuracy);
  multiplier_ = 0.75 / std::log(gamma_);
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

double QuantileSketch::value_of(std::int32_t bin) const {
  // Bin i holds (lo, hi] with lo = L^-1((i - 1)/m) and hi = L^-1(i/m), hi / lo <= gamma. The
  // harmonic-style midpoint 2 lo hi / (lo + hi) is within (hi - lo)/(hi + lo) <= a of every
  // value in the bin. Near DBL_MAX the bound may overflow; the caller clamps to the exact
  // maximum, which is then the better answer anyway.
  const double hi = approx_exp2(static_cast<double>(bin) / multiplier_);
  const double lo = approx_exp2(static_cast<double>(bin - 1) / multiplier_);
  return 2.0 * lo * hi / (lo + hi);
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
    positive_.add(bin_of(value), 1);
  } else {
    negative_.add(bin_of(-value), 1);
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
  const auto merge_store = [](Store& into, const Store& from) {
    if (from.total == 0) return;
    // Widen the window once to cover both ends of `from` (zero-count adds), then add counts.
    // Only the integer counts matter for results, so any order of merges gives the same bins.
    std::int32_t first = 0;
    std::int32_t last = 0;
    bool found = false;
    for (std::size_t i = 0; i < from.counts.size(); ++i) {
      if (from.counts[i] == 0) continue;
      const auto bin = static_cast<std::int32_t>(from.offset + static_cast<std::int64_t>(i));
      if (!found) first = bin;
      last = bin;
      found = true;
    }
    into.add(first, 0);
    into.add(last, 0);
    for (std::size_t i = 0; i < from.counts.size(); ++i) {
      if (from.counts[i] == 0) continue;
      into.add(static_cast<std::int32_t>(from.offset + static_cast<std::int64_t>(i)),
               from.counts[i]);
    }
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
    if (negative_.counts[i] == 0) continue;
    seen += negative_.counts[i];
    const auto bin = static_cast<std::int32_t>(negative_.offset + static_cast<std::int64_t>(i));
    settle(seen, [&] { return clamp(-value_of(bin)); });
  }
  seen += zero_count_;
  settle(seen, fixed(clamp(0.0)));
  for (std::size_t i = 0; i < positive_.counts.size() && next < order.size(); ++i) {
    if (positive_.counts[i] == 0) continue;
    seen += positive_.counts[i];
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
    seen += negative_.counts[i];
    if (rank < seen) {
      return clamp(-value_of(static_cast<std::int32_t>(negative_.offset +
                                                       static_cast<std::int64_t>(i))));
    }
  }
  seen += zero_count_;
  if (rank < seen) return clamp(0.0);
  for (std::size_t i = 0; i < positive_.counts.size(); ++i) {
    seen += positive_.counts[i];
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
  return (positive_.counts.capacity() + negative_.counts.capacity()) * sizeof(std::uint32_t);
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

}  // namespace gapcast::legacy
