#include "gapcast/quantile_sketch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace gapcast {

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

// When a window has to grow we add this much slack on the side that grew (at most), so that
// values arriving in monotone order do not shift the whole vector on every new bin. The cap
// keeps the overhead a small constant instead of a factor of the spread.
constexpr std::size_t kMaxSlack = 1024;

std::size_t slack_for(std::size_t current_size) {
  return std::clamp<std::size_t>(current_size / 2, 8, kMaxSlack);
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
    std::vector<std::uint64_t> grown(counts.size() + grow, 0);
    std::copy(counts.begin(), counts.end(), grown.begin() + static_cast<std::ptrdiff_t>(grow));
    counts.swap(grown);
    offset -= static_cast<std::int32_t>(grow);
  } else if (static_cast<std::int64_t>(bin) - offset >=
             static_cast<std::int64_t>(counts.size())) {
    const std::size_t missing =
        static_cast<std::size_t>(static_cast<std::int64_t>(bin) - offset) - counts.size() + 1;
    const std::size_t grow = missing + slack_for(counts.size());
    std::vector<std::uint64_t> grown(counts.size() + grow, 0);
    std::copy(counts.begin(), counts.end(), grown.begin());
    counts.swap(grown);
  }
  counts[static_cast<std::size_t>(bin - offset)] += n;
  total += n;
}

QuantileSketch::QuantileSketch(double relative_accuracy)
    : accuracy_(relative_accuracy),
      gamma_(0.0),
      inv_log_gamma_(0.0),
      min_positive_(kMinPositive),
      min_(kInf),
      max_(-kInf) {
  // Written as a negated range check so that NaN is rejected too.
  if (!(relative_accuracy >= kMinAccuracy && relative_accuracy < 1.0)) {
    throw std::invalid_argument("QuantileSketch: relative accuracy must be in [1e-6, 1), got " +
                                std::to_string(relative_accuracy));
  }
  gamma_ = (1.0 + relative_accuracy) / (1.0 - relative_accuracy);
  inv_log_gamma_ = 1.0 / std::log(gamma_);
}

std::int32_t QuantileSketch::bin_of(double magnitude) const {
  // Bin i holds (gamma^(i-1), gamma^i]. Multiplying by a precomputed 1/log(gamma) (instead of
  // dividing) is fine: what matters for determinism is that the same value always maps to the
  // same bin, and it does, since the computation depends on nothing but the value.
  return static_cast<std::int32_t>(std::ceil(std::log(magnitude) * inv_log_gamma_));
}

double QuantileSketch::value_of(std::int32_t bin) const {
  // 2 gamma^i / (gamma + 1) is the point whose relative distance to both ends of the bin is
  // exactly a = (gamma - 1) / (gamma + 1). Near DBL_MAX gamma^i may overflow to infinity; the
  // caller clamps to the exact maximum, which is then the better answer anyway.
  return std::pow(gamma_, static_cast<double>(bin)) * (2.0 / (gamma_ + 1.0));
}

void QuantileSketch::add(double value) {
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
  return (positive_.counts.capacity() + negative_.counts.capacity()) * sizeof(std::uint64_t);
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
