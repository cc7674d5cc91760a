#pragma once
/// Streaming quantile summary of weighted values: the importance-weighted counterpart of
/// QuantileSketch, for runs conditioned on observations, where every Monte Carlo sample carries
/// a weight w >= 0 (its likelihood) and every statistic becomes a weighted one.
///
/// Bins. Exactly QuantileSketch's: the same interpolated-log2 bins (QuantileSketch::bin_index),
/// the same representative value per bin (QuantileSketch::bin_value), mirrored bins for negative
/// values, exact zeros below QuantileSketch::min_magnitude, separate +inf and -inf, the exact
/// minimum and maximum (over values of positive weight) with reported quantiles clamped to them,
/// and the same memory cap B(a) bins per sign with the lowest bins collapsed beyond it. So the
/// relative-accuracy guarantee and the memory bound are QuantileSketch's; only the content of a
/// bin differs: a double weight instead of a 32-bit count, hence twice the bytes per bin
/// (max_memory_bytes: 154 KB at a = 0.005).
///
/// Quantile definition (weighted lower quantile). With n the number of values of positive weight
/// (infinities included) and W their total weight, quantile(q) is the smallest kept value x such
/// that the total weight of the values <= x exceeds
///     T(q) = q * W * (n - 1) / n.
/// With equal weights w this reads k w > q (n - 1) w for the k smallest values: the value of rank
/// floor(q (n - 1)), QuantileSketch's rule, and the sketch then returns QuantileSketch's answers
/// bit for bit (see "Relative weights" for why rounding does not spoil that). As there, the
/// answer is reported exactly when it is the minimum or the maximum, and otherwise as its bin's
/// value, within relative error a of the true weighted quantile and clamped to [min, max]. The
/// factor (n - 1) / n is what makes the rule QuantileSketch's for equal weights (q = 1 the
/// maximum, q = 0.5 of an odd count the middle value). With unequal weights q = 0 is still the
/// minimum, but q = 1 is the smallest value with less than W / n of the weight above it: the
/// maximum only if the maximum's own weight is at least W / n. NaN when there is no positive
/// weight.
///
/// Relative weights. Bins hold each weight divided by a scale, the first positive weight the
/// sketch saw. When all weights are equal every stored weight is then exactly 1, every sum an
/// exact integer, and T(q) is computed as exactly the same double as QuantileSketch's
/// q (n - 1): the comparisons that pick a quantile, ties included (q (n - 1) an integer), come
/// out as for the unweighted sketch, whatever the common weight (0.37 or 1e-300). For unequal
/// weights the division is one rounding per weight, far below the sketch's accuracy. Likelihood
/// weights can span hundreds of orders of magnitude; when a weight exceeds 2^256 times the
/// scale, the scale grows by a power of two and every stored weight shrinks by the same power,
/// so sums cannot overflow (weights that fall below 2^-1074 of the scale are lost, as they would
/// be in any sum with the large ones).
///
/// Determinism. The state after a sequence of (value, weight) pairs depends only on that
/// sequence: the batch path add_finite() computes bins and relative weights ahead in a loop the
/// compiler can vectorise, but applies them one value at a time in order, exactly as add(); so
/// a sequence cut into batches of any sizes gives a bit-identical sketch (which is what makes a
/// conditioned run identical for any thread count and wave size). Floating-point sums depend on
/// order, so unlike QuantileSketch there is no order-independent merge; each summary cell is
/// folded by one thread in sample order and needs none.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include "gapcast/summary/quantile_sketch.hpp"

namespace gapcast {

class WeightedQuantileSketch {
 public:
  explicit WeightedQuantileSketch(
      double relative_accuracy = QuantileSketch::default_relative_accuracy);

  /// Adds a value with weight w >= 0 (finite). Weight 0 leaves the sketch unchanged. Throws
  /// std::invalid_argument, leaving the sketch unchanged, for a NaN value (whatever its weight)
  /// or a negative, NaN or infinite weight.
  void add(double value, double weight);

  /// Adds (values[i], weights[i]) for i = 0 .. n - 1 in that order: bit-identical to n calls of
  /// add(). The name is the summary cell's use (its finite values), but +-infinity is accepted
  /// like add() does. Validates all n pairs first: on an invalid one it throws
  /// std::invalid_argument and adds none.
  void add_finite(const double* values, const double* weights, std::size_t n);

  /// The weighted lower quantile defined above; NaN if no value has positive weight. Throws
  /// std::invalid_argument for q outside [0, 1].
  [[nodiscard]] double quantile(double q) const;
  /// Several quantiles in one pass over the bins; out[i] is exactly quantile(qs[i]).
  void quantiles(std::span<const double> qs, std::span<double> out) const;

  /// Values added with positive weight (infinities included).
  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] std::uint64_t infinite_count() const { return infinite_count_; }
  /// Total weight of the values added, rescaled from the relative weights the sketch keeps (one
  /// rounding; +inf if it exceeds the largest double). 0 if empty.
  [[nodiscard]] double total_weight() const;
  [[nodiscard]] double min() const;  ///< exact, over values of positive weight; NaN if none
  [[nodiscard]] double max() const;  ///< exact, over values of positive weight; NaN if none
  [[nodiscard]] double relative_accuracy() const { return accuracy_; }
  /// Bytes held by the bin windows (for memory tests).
  [[nodiscard]] std::size_t memory_bytes() const;
  void clear();

  /// Worst-case bytes of one sketch at relative accuracy a, whatever values it sees: the object
  /// plus two full windows of 8-byte weights, sizeof(WeightedQuantileSketch) + 2 * 8 * B(a)
  /// (B(a) = QuantileSketch::max_bins_per_sign). Throws std::invalid_argument for an accuracy
  /// the constructor would refuse.
  [[nodiscard]] static std::size_t max_memory_bytes(double relative_accuracy);

 private:
  friend class SummaryCell;

  /// Values per batch of add_finite's look-ahead (stack buffers of this many values).
  static constexpr std::size_t batch_size = 256;
  /// A relative weight above this makes the scale grow (see "Relative weights").
  static constexpr double rescale_above = 0x1.0p256;

  /// Contiguous window of bin weights starting at bin `offset`, as QuantileSketch's store but
  /// with double weights and `top` kept exact (one comparison per value: the window logic
  /// below then needs no scan for it).
  struct Store {
    std::int32_t offset = 0;
    /// The highest bin that received a value (INT32_MIN if none). The collapse floor is
    /// top - cap + 1.
    std::int32_t top = std::numeric_limits<std::int32_t>::min();
    std::vector<double> weights;

    /// Adds relative weight r in bin `bin` (growing or collapsing the window as needed).
    void add(std::int32_t bin, double r, std::int64_t cap) {
      const std::int64_t slot = std::int64_t{bin} - offset;
      if (slot >= 0 && slot < static_cast<std::int64_t>(weights.size())) [[likely]] {
        // Inside the window no collapse is needed: the window holds `top`, is at most `cap`
        // bins long, and so lies above the floor even after `top` rises to this bin.
        weights[static_cast<std::size_t>(slot)] += r;
      } else {
        add_outside(bin, r, cap);
      }
      if (bin > top) top = bin;
    }
    void add_outside(std::int32_t bin, double r, std::int64_t cap);
    /// Makes the window cover bin `bin` (with the floor it implies), collapsing weights below
    /// the floor into it, and returns the floor: a bin b is then stored at max(b, floor).
    std::int64_t reserve(std::int32_t bin, std::int64_t cap);
  };

  /// Validated pairs; the cell calls this after validating its whole batch itself.
  void add_unchecked(const double* values, const double* weights, std::size_t n);
  /// One pair with positive weight w, at its place in the sequence (sets or grows the scale).
  void add_one(double value, double w);
  /// One pair with relative weight r; `bin` is its bin if it is a finite nonzero magnitude.
  void put(double value, double r, std::int32_t bin) {
    ++count_;
    total_ += r;
    // Strict comparisons keep the first of equal values (of +0 and -0), as QuantileSketch does;
    // the weight of the sample that set the minimum (maximum) lets quantiles() report it exactly.
    if (value < min_) {
      min_ = value;
      min_weight_ = r;
    }
    if (value > max_) {
      max_ = value;
      max_weight_ = r;
    }
    const double magnitude = std::fabs(value);
    if (magnitude >= QuantileSketch::min_magnitude && magnitude <= max_finite_) [[likely]] {
      (value > 0.0 ? positive_ : negative_).add(bin, r, cap_);
    } else if (magnitude < QuantileSketch::min_magnitude) {
      zero_weight_ += r;
    } else {
      ++infinite_count_;
      (value > 0.0 ? pos_inf_weight_ : neg_inf_weight_) += r;
    }
  }
  /// Multiplies the scale by 2^k and every stored weight by 2^-k.
  void rescale(int k);

  static constexpr double max_finite_ = std::numeric_limits<double>::max();

  double accuracy_;
  double multiplier_;
  std::int64_t cap_;  ///< B(a), bins per sign
  double scale_ = 0.0;  ///< the weight stored as 1 (0 until the first positive weight)
  Store positive_, negative_;
  double zero_weight_ = 0.0;
  double pos_inf_weight_ = 0.0, neg_inf_weight_ = 0.0;
  double total_ = 0.0;  ///< sum of the relative weights, in arrival order
  std::uint64_t count_ = 0, infinite_count_ = 0;
  double min_, max_;
  double min_weight_ = 0.0, max_weight_ = 0.0;  ///< relative weights of the samples at min, max
};

}  // namespace gapcast
