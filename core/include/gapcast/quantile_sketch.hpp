#pragma once
/// Streaming, mergeable quantile summary with a relative-accuracy guarantee (DDSketch,
/// Masson, Rim & Lee, VLDB 2019).
///
/// Positive values go to logarithmically spaced bins: value v > 0 lands in bin
/// i = ceil(log(v) / log(gamma)) with gamma = (1 + a) / (1 - a), and any quantile it reports is
/// within relative error a of the true sample quantile (for the rank definition below).
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
#include <cstdint>
#include <vector>

namespace gapcast {

class QuantileSketch {
 public:
  static constexpr double default_relative_accuracy = 0.005;

  explicit QuantileSketch(double relative_accuracy = default_relative_accuracy);

  /// Adds one value. NaN is a programming error: it throws std::invalid_argument.
  void add(double value);
  /// Adds every count of `other`, which must have the same relative accuracy.
  void merge(const QuantileSketch& other);

  [[nodiscard]] double quantile(double q) const;  ///< NaN if empty
  [[nodiscard]] std::uint64_t count() const;      ///< all values including infinities
  [[nodiscard]] std::uint64_t infinite_count() const;  ///< +inf and -inf values
  [[nodiscard]] double min() const;  ///< exact; NaN if empty
  [[nodiscard]] double max() const;  ///< exact; NaN if empty
  [[nodiscard]] double relative_accuracy() const { return accuracy_; }
  /// Bytes held by the bin windows (for memory tests).
  [[nodiscard]] std::size_t memory_bytes() const;
  void clear();

 private:
  struct Store {  ///< contiguous window of bin counts starting at bin `offset`
    std::int32_t offset = 0;
    std::vector<std::uint64_t> counts;
    std::uint64_t total = 0;
    void add(std::int32_t bin, std::uint64_t n);
  };
  [[nodiscard]] std::int32_t bin_of(double magnitude) const;
  [[nodiscard]] double value_of(std::int32_t bin) const;

  double accuracy_;
  double gamma_;
  double inv_log_gamma_;
  double min_positive_;
  Store positive_, negative_;
  std::uint64_t zero_count_ = 0;
  std::uint64_t pos_inf_ = 0, neg_inf_ = 0;
  double min_, max_;
};

}  // namespace gapcast
