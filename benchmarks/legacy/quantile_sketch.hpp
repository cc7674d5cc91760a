#pragma once
// Frozen copy of core/gapcast/summary/quantile_sketch.hpp as of commit e84a549 (before the batch
// insertion and the memory cap), in namespace gapcast::legacy: benchmarks/sketch_fold.cpp times
// it side by side with the current code and checks that both give bit-identical cells.
// Do not edit, except to keep it compiling.
/// Streaming, mergeable quantile summary with a relative-accuracy guarantee (DDSketch,
/// Masson, Rim & Lee, VLDB 2019).
///
/// Positive values go to logarithmically spaced bins, each spanning at most a factor
/// gamma = (1 + a) / (1 - a), so any quantile it reports is within relative error a of the
/// true sample quantile (for the rank definition below). The bin index comes from a quadratic
/// interpolation of log2 between powers of two (DDSketch's "interpolated mapping"), exact bit
/// arithmetic that avoids a logarithm per value at the cost of ~8% more bins.
/// Negative values use a mirrored set of bins, exact zeros (|v| < min_positive) a zero count,
/// and +-infinity their own counts (used for "event not reached by the horizon").
///
/// Why this sketch: merging adds integer counts per bin, so the result is identical whatever
/// the order or grouping of inserts and merges: the property that makes the Monte Carlo
/// summary bit-identical for any thread count. Memory is a window of counts per sign whose
/// length depends on the spread of the values (ln(max/min) / ln(gamma) bins), not on how many
/// values were added. The exact minimum and maximum are kept, and reported quantiles are
/// clamped to [min, max], so a sketch of one value returns that value exactly.
///
/// Quantile definition: the value of rank floor(q (n - 1)) among the n values sorted
/// ascending (0-based), i.e. the lower order statistic; q in [0, 1].
#include <cmath>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace gapcast::legacy {

class QuantileSketch {
 public:
  static constexpr double default_relative_accuracy = 0.005;

  explicit QuantileSketch(double relative_accuracy = default_relative_accuracy);

  /// Adds one value. NaN is a programming error: it throws std::invalid_argument.
  void add(double value) {
    // The common cases, a finite value inside the current window or an exact zero, stay inline: a
    // Monte Carlo run adds millions of values and this is most of them. Everything else
    // (zeros, negatives, infinities, NaN, window growth) takes the general path.
    const double magnitude = std::fabs(value);
    if (magnitude >= min_positive_ && magnitude <= max_finite_) {
      Store& store = value > 0.0 ? positive_ : negative_;
      const std::int64_t slot = std::int64_t{bin_of(magnitude)} - store.offset;
      if (slot >= 0 && slot < static_cast<std::int64_t>(store.counts.size())) {
        std::uint32_t& count = store.counts[static_cast<std::size_t>(slot)];
        if (count != max_count) {
          ++count;
          ++store.total;
          if (value < min_) min_ = value;
          if (value > max_) max_ = value;
          return;
        }
      }
    } else if (value == 0.0) {
      ++zero_count_;
      if (value < min_) min_ = value;
      if (value > max_) max_ = value;
      return;
    }
    add_general(value);
  }
  /// Adds every count of `other`, which must have the same relative accuracy.
  void merge(const QuantileSketch& other);

  [[nodiscard]] double quantile(double q) const;  ///< NaN if empty
  /// Several quantiles in one pass over the bins; out[i] is exactly quantile(qs[i]).
  void quantiles(std::span<const double> qs, std::span<double> out) const;
  [[nodiscard]] std::uint64_t count() const;      ///< all values including infinities
  [[nodiscard]] std::uint64_t infinite_count() const;  ///< +inf and -inf values
  [[nodiscard]] double min() const;  ///< exact; NaN if empty
  [[nodiscard]] double max() const;  ///< exact; NaN if empty
  [[nodiscard]] double relative_accuracy() const { return accuracy_; }
  /// Bytes held by the bin windows (for memory tests).
  [[nodiscard]] std::size_t memory_bytes() const;
  void clear();

 private:
  static constexpr std::uint32_t max_count = 0xffffffffu;
  static constexpr double max_finite_ = 1.7976931348623157e308;

  void add_general(double value);

  /// Contiguous window of bin counts starting at bin `offset`. Counts are 32-bit: a bin would
  /// need more than four billion values to overflow (add() throws std::overflow_error then),
  /// and half-width counts halve the cache lines a Monte Carlo wave touches per cell, which is
  /// what the summary's speed depends on.
  struct Store {
    std::int32_t offset = 0;
    std::vector<std::uint32_t> counts;
    std::uint64_t total = 0;
    void add(std::int32_t bin, std::uint64_t n);
  };
  /// Bin of a positive normal value: ceil(L(v) * multiplier_) with L the interpolated log2
  /// (see quantile_sketch.cpp). Inline because it is on the per-value path.
  [[nodiscard]] std::int32_t bin_of(double magnitude) const {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &magnitude, sizeof bits);
    const int exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
    bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
    double s = 0.0;
    std::memcpy(&s, &bits, sizeof s);
    const double log2_approx = static_cast<double>(exponent) + (s * (6.0 - s) - 5.0) * (1.0 / 3.0);
    // ceil without a library call (baseline x86-64 has no rounding instruction): truncate,
    // then step up when the truncation fell below a positive fraction.
    const double scaled = log2_approx * multiplier_;
    const auto truncated = static_cast<std::int32_t>(scaled);
    return truncated + (scaled > static_cast<double>(truncated) ? 1 : 0);
  }
  [[nodiscard]] double value_of(std::int32_t bin) const;

  double accuracy_;
  double gamma_;
  double multiplier_;  ///< bins per unit of the approximate log2 (see bin_of)
  double min_positive_;
  Store positive_, negative_;
  std::uint64_t zero_count_ = 0;
  std::uint64_t pos_inf_ = 0, neg_inf_ = 0;
  double min_, max_;
};

}  // namespace gapcast::legacy
