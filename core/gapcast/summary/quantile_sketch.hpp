#pragma once
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
/// summary bit-identical for any thread count. The exact minimum and maximum are kept, and
/// reported quantiles are clamped to [min, max], so a sketch of one value returns that value
/// exactly.
///
/// Memory bound. Each sign keeps a contiguous window of counts whose length follows the spread
/// of the values, not their number, and is capped at
///     B(a) = ceil(128 m) + 2 bins,   m = 3 / (4 ln gamma) bins per octave (power of two),
/// i.e. 128 octaves (kept_octaves) at full resolution, plus two bins for rounding. When the
/// values of one sign need more bins than that, the lowest ones are collapsed (DDSketch's
/// "collapsing lowest" store): a value whose bin lies more than B(a) - 1 bins below the highest
/// bin of its sign is counted in the lowest kept bin instead. What this keeps:
///   * every reported quantile whose true value v has |v| >= M / 2^128, M the largest finite
///     magnitude of the same sign, is within relative error a of v (for data of one sign: every
///     quantile of rank at least the number of values below M / 2^128);
///   * a smaller magnitude is reported with the right sign, too large in magnitude but at most
///     M / 2^128 (so its absolute error is below M / 2^128 = 2.9e-39 M);
///   * counts, infinities, zeros, min and max stay exact.
/// The collapsed state is a function of the multiset of values (the highest bin is a maximum),
/// so inserts and merges in any order and grouping still give bit-identical sketches.
/// 2^128 = 3.4e38 is far wider than the data: the widest cell of the shipped scenarios spans
/// 2^67.5 between its smallest and largest value at 2,000 samples (and its 5% quantile is 2^62.5
/// below its maximum); results of runs that stay inside the cap are bit-identical to those of
/// the uncapped sketch. A window stores the low 16 bits of each count; the high bits of the
/// few counts beyond 65535 live in a side table (see Store), so a typical window takes 2 bytes
/// per bin, and at worst (many counts beyond 65535) 4 bytes per bin, as 32-bit counts did.
/// max_memory_bytes(a) is the worst case of one sketch, about 8 B(a) bytes:
/// 77 KB at a = 0.005, 768 KB at a = 5e-4, 3.8 MB at 1e-4. A run holds one sketch per summary
/// cell (SummaryCell::max_memory_bytes), so the run options can refuse, before running, an
/// accuracy whose worst case over the run's cells exceeds a memory limit.
///
/// Speed. add() is inline for the common cases; add_strided() takes a run of values at once
/// (the Monte Carlo driver's path, via fold_rows in summary_cell.hpp): bins for the whole run in
/// a loop without branches (SSE2 on baseline x86-64), then one increment per value, and window
/// growth once per run. Both give bit-identical sketches for the same values in the same order.
///
/// Quantile definition: the value of rank floor(q (n - 1)) among the n values sorted
/// ascending (0-based), i.e. the lower order statistic; q in [0, 1].
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <span>
#include <vector>

namespace gapcast {

class ByteWriter;
class ByteReader;

class QuantileSketch {
 public:
  static constexpr double default_relative_accuracy = 0.005;
  /// Dynamic range each sign keeps at full accuracy, in powers of two below its largest
  /// magnitude (see the memory bound above).
  static constexpr int kept_octaves = 128;

  explicit QuantileSketch(double relative_accuracy = default_relative_accuracy);

  /// Adds one value. NaN is a programming error: it throws std::invalid_argument.
  void add(double value) {
    // The common cases, a finite value inside the current window or an exact zero, stay inline.
    // Everything else (negatives outside the window, infinities, NaN, window growth) takes the
    // general path. A value inside the window never needs a collapse: the window is at most
    // B(a) bins long and holds the highest bin, so all of it lies above the collapse floor.
    const double magnitude = std::fabs(value);
    if (magnitude >= min_positive_ && magnitude <= max_finite_) {
      Store& store = value > 0.0 ? positive_ : negative_;
      const std::int64_t slot = std::int64_t{bin_of(magnitude)} - store.offset;
      if (slot >= 0 && slot < static_cast<std::int64_t>(store.counts.size())) {
        std::uint16_t& count = store.counts[static_cast<std::size_t>(slot)];
        // A count whose low half would wrap takes the general path, which carries into the
        // side table and checks the 2^32 - 1 limit on the whole count.
        if (count != 0xffffu) {
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

  /// Adds first[0], first[stride], ..., first[(n - 1) stride], in that order. The sketch ends
  /// bit-identical to n calls of add() with the same values, but the bins of a run of values are
  /// computed together in a loop the compiler vectorises, and each window grows at most once
  /// per run. If any of the values is NaN it throws std::invalid_argument and adds none of them.
  void add_strided(const double* first, std::size_t n, std::size_t stride = 1);

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

  /// The sketch's state in the shard format (run/shard.hpp): the kept range of each sign's
  /// bins with their counts, the zero and infinity counts, the exact minimum and maximum.
  /// The encoding depends only on the counts, not on the window's slack, so equal sketches
  /// encode equally; decode() makes a sketch that answers and merges exactly as the original.
  void encode(ByteWriter& out) const;
  /// Reads what encode() wrote, for a run of this relative accuracy; throws
  /// std::invalid_argument for a state that encode() could not have written.
  [[nodiscard]] static QuantileSketch decode(ByteReader& in, double relative_accuracy);

  /// B(a): the most bins one sign's window can hold at relative accuracy a (see above).
  /// Throws std::invalid_argument for an accuracy the constructor would refuse.
  [[nodiscard]] static std::size_t max_bins_per_sign(double relative_accuracy);
  /// Worst-case bytes of one sketch at relative accuracy a, whatever values and merges it sees:
  /// the object itself plus two full windows with their high halves, sizeof(QuantileSketch) +
  /// 2 * (2 + 2) * B(a) (see Store; heap allocator headers, a few dozen bytes, not included).
  [[nodiscard]] static std::size_t max_memory_bytes(double relative_accuracy);

  /// The bin mapping, public so that WeightedQuantileSketch keeps exactly these bins (and so the
  /// same accuracy guarantee, and the same answers when every weight is equal).
  /// Magnitudes below this are exact zeros for the sketch; bins are only for the rest.
  static constexpr double min_magnitude = 1e-300;
  /// Bins per unit of the interpolated log2 at relative accuracy a (the `m` above); throws
  /// std::invalid_argument for an accuracy the constructor would refuse.
  [[nodiscard]] static double bin_multiplier(double relative_accuracy);
  /// Bin of a finite magnitude >= min_magnitude, for the multiplier of bin_multiplier().
  [[nodiscard]] static std::int32_t bin_index(double magnitude, double multiplier) {
    return bin_of(magnitude, multiplier);
  }
  /// The positive value a bin reports (before clamping to [min, max]).
  [[nodiscard]] static double bin_value(std::int32_t bin, double multiplier);

 private:
  friend class SummaryCell;

  static constexpr std::uint32_t max_count = 0xffffffffu;
  static constexpr double max_finite_ = std::numeric_limits<double>::max();
  /// Values per batch of add_finite (stack buffers of this many values).
  static constexpr std::size_t batch_size = 256;

  void add_general(double value);
  /// Adds values[0..n), all finite (no NaN, no infinity), n <= batch_size: the batch path.
  void add_finite(const double* values, std::size_t n);

  /// High half of the count of bin `bin`, for a bin whose count passed 65535.
  struct Carry {
    std::int32_t bin;
    std::uint32_t high;
  };

  /// Contiguous window of bin counts starting at bin `offset`. A bin's count is 32-bit (more
  /// than 2^32 - 1 values in one bin throw std::overflow_error), but the window holds only its
  /// low 16 bits: half-width counts halve the cache lines a Monte Carlo wave touches per cell,
  /// which is what the summary's speed depends on, and halve the windows' memory. The high
  /// halves, nonzero only for bins with more than 65535 values (a handful per sketch, and only
  /// in large runs), are kept aside:
  ///   * sparse: `carries`, sorted by bin, while its capacity stays within the window's bytes
  ///     (8 bytes an entry against 2 bytes a bin, so for up to a quarter of the bins);
  ///   * dense: beyond that, `highs`, a second window of high halves parallel to `counts`
  ///     (back to sparse when the window grows enough: fit_side_table).
  /// Either way the side table takes at most as many bytes as the window, so a store takes at
  /// most 4 bytes per bin, the bound of 32-bit counts. The true count of slot i is count(i);
  /// everything that reads counts uses it, so counts, answers and encodings are those of
  /// 32-bit counts exactly.
  struct Store {
    std::int32_t offset = 0;
    /// At most the highest bin holding a count (INT32_MIN if none), exactly that after
    /// reserve(): the per-value paths leave it behind, reserve() catches up. The collapse floor
    /// is top - cap + 1.
    std::int32_t top = std::numeric_limits<std::int32_t>::min();
    std::vector<std::uint16_t> counts;  ///< low 16 bits of each bin's count
    std::vector<Carry> carries;         ///< sparse high halves (empty while dense)
    std::vector<std::uint16_t> highs;   ///< dense high halves: empty, or counts.size() of them
    std::uint64_t total = 0;

    /// True count of slot i (bin offset + i).
    [[nodiscard]] std::uint32_t count(std::size_t i) const {
      const std::uint32_t low = counts[i];
      if (carries.empty() && highs.empty()) [[likely]] return low;
      return low | (high(i) << 16);
    }
    [[nodiscard]] std::uint32_t high(std::size_t i) const;
    /// Records that the low half of slot i has just wrapped from 65535 to 0: one more 65536 in
    /// its high half. The caller guarantees the whole count stays within 2^32 - 1.
    void carry(std::size_t i) { set_high(i, high(i) + 1); }
    void set_high(std::size_t i, std::uint32_t h);
    /// Sets the true count of slot i.
    void set(std::size_t i, std::uint32_t c) {
      counts[i] = static_cast<std::uint16_t>(c);
      if ((c >> 16) != 0 || !carries.empty() || !highs.empty()) set_high(i, c >> 16);
    }
    /// Adds n to the count of slot i; throws std::overflow_error beyond 2^32 - 1.
    void add_to(std::size_t i, std::uint64_t n);
    /// After the window has grown: back to the sparse table if the carried bins fit it easily.
    void fit_side_table();
    /// Bytes held: the window and its side table.
    [[nodiscard]] std::size_t memory_bytes() const {
      return (counts.capacity() + highs.capacity()) * sizeof(std::uint16_t) +
             carries.capacity() * sizeof(Carry);
    }
    /// Makes the window cover the bins [lo, hi] that are about to receive counts, collapsing
    /// counts below the new floor into it, and returns the floor: a bin b is then counted at
    /// max(b, floor). The window never exceeds `cap` bins.
    std::int64_t reserve(std::int32_t lo, std::int32_t hi, std::int64_t cap);
    /// Adds n values in bin `bin` (general path: grows or collapses as needed).
    void add(std::int32_t bin, std::uint64_t n, std::int64_t cap);
  };
  /// Bin of a positive normal value: ceil(L(v) * multiplier_) with L the interpolated log2
  /// (see quantile_sketch.cpp). Inline because it is on the per-value path.
  [[nodiscard]] std::int32_t bin_of(double magnitude) const {
    return bin_of(magnitude, multiplier_);
  }
  [[nodiscard]] static std::int32_t bin_of(double magnitude, double multiplier) {
    std::uint64_t bits = 0;
    std::memcpy(&bits, &magnitude, sizeof bits);
    const int exponent = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
    bits = (bits & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL;
    double s = 0.0;
    std::memcpy(&s, &bits, sizeof s);
    const double log2_approx = static_cast<double>(exponent) + (s * (6.0 - s) - 5.0) * (1.0 / 3.0);
    // ceil without a library call (baseline x86-64 has no rounding instruction): truncate,
    // then step up when the truncation fell below a positive fraction.
    const double scaled = log2_approx * multiplier;
    const auto truncated = static_cast<std::int32_t>(scaled);
    return truncated + (scaled > static_cast<double>(truncated) ? 1 : 0);
  }
  [[nodiscard]] double value_of(std::int32_t bin) const;

  double accuracy_;
  double gamma_;
  double multiplier_;  ///< bins per unit of the approximate log2 (see bin_of)
  double min_positive_;
  std::int64_t cap_;   ///< B(a), bins per sign
  Store positive_, negative_;
  std::uint64_t zero_count_ = 0;
  std::uint64_t pos_inf_ = 0, neg_inf_ = 0;
  double min_, max_;
};

}  // namespace gapcast
