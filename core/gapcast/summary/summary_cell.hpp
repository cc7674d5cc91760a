#pragma once
/// One summary cell (a scenario x metric x month, or a scenario x scalar metric): the streaming
/// statistics of one quantity over samples. A quantile sketch for the quantiles, an exact sum
/// (ExactSum) for the mean, and counts of finite, infinite and undefined values.
///
/// Values are added in sample order by one thread at a time; two cells that saw the same values
/// in the same order are bit-identical, which is what makes a run's summaries independent of
/// the thread count. An unweighted cell is more than that: every part of it (integer counts,
/// the sketch's bins, the exact sum) depends only on the multiset of values, so cells filled
/// from disjoint sets of samples and merged (merge(), in sample order for the sketch's tie
/// rule on equal extremes) equal the cell that saw all of them: what lets a run be split into
/// shards on several machines and merged bit for bit (run/shard.hpp).
///
/// Weighted cells (SummaryCell(a, true)), for runs conditioned on observations: every sample
/// comes with a weight w >= 0 (add_weighted_strided) and the statistics become weighted ones: a
/// WeightedQuantileSketch for the quantiles, and the mean sum(w v) / sum(w) over finite values.
/// Samples of weight 0 are ignored altogether, so counts() stays a count of samples (those of
/// positive weight). The weighted state lives on the heap, so unweighted cells, the common case,
/// pay one null pointer for it.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <vector>

#include "gapcast/summary/exact_sum.hpp"
#include "gapcast/summary/quantile_sketch.hpp"
#include "gapcast/summary/weighted_quantile_sketch.hpp"

namespace gapcast {

class ByteWriter;
class ByteReader;

/// Counts behind each cell, for judging a statistic (how many samples were beyond the horizon).
struct CellCounts {
  std::uint64_t finite = 0;
  std::uint64_t infinite = 0;   ///< e.g. threshold not reached within the horizon
  std::uint64_t undefined = 0;  ///< e.g. a delay when neither run reaches the threshold
};

namespace detail {

/// An owning pointer that copies the object it owns, so that SummaryCell keeps its implicit
/// copy operations (runs fill vectors of cells by copying one) while its weighted state, absent
/// from unweighted cells, lives on the heap.
template <class T>
class CopiedPtr {
 public:
  CopiedPtr() = default;
  explicit CopiedPtr(std::unique_ptr<T> p) : p_(std::move(p)) {}
  CopiedPtr(const CopiedPtr& other) : p_(other.p_ ? std::make_unique<T>(*other.p_) : nullptr) {}
  CopiedPtr& operator=(const CopiedPtr& other) {
    if (this != &other) p_ = other.p_ ? std::make_unique<T>(*other.p_) : nullptr;
    return *this;
  }
  CopiedPtr(CopiedPtr&&) noexcept = default;
  CopiedPtr& operator=(CopiedPtr&&) noexcept = default;
  ~CopiedPtr() = default;

  [[nodiscard]] T* get() const { return p_.get(); }
  T& operator*() const { return *p_; }
  T* operator->() const { return p_.get(); }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  std::unique_ptr<T> p_;
};

}  // namespace detail

class SummaryCell {
 public:
  explicit SummaryCell(double accuracy) : sketch_(accuracy) {}
  /// A weighted cell when `weighted` (see above): it takes add_weighted*() only, and its plain
  /// sketch stays empty (no bins).
  SummaryCell(double accuracy, bool weighted)
      : sketch_(accuracy),
        weighted_(weighted ? std::make_unique<Weighted>(accuracy) : nullptr) {}

  /// Adds one sample's value. `probability` cells hold 0/1 indicators: only their mean is
  /// summarised, so the sketch is skipped. Unweighted cells only (std::logic_error otherwise).
  void add(double v, bool probability) {
    if (weighted_) [[unlikely]] throw_weighted();
    if (std::isfinite(v)) [[likely]] {
      ++counts_.finite;
      exact_.add(v);
      if (!probability) sketch_.add(v);
      return;
    }
    add_non_finite(v, probability);
  }

  /// Adds first[0], first[stride], ..., first[(n - 1) stride] in that order: the cell ends
  /// bit-identical to n calls of add(). Contiguous values that are all finite (the usual
  /// column of fold_rows) go straight to the exact sum and, in batches of 256, to the sketch.
  /// Otherwise the finite values of each run of up to 256 are gathered first: the exact sum
  /// then walks only those, and the sketch takes them as one batch.
  /// Unweighted cells only (std::logic_error otherwise).
  void add_strided(const double* first, std::size_t n, std::size_t stride, bool probability) {
    if (weighted_) [[unlikely]] throw_weighted();
    if (stride == 1 && all_finite(first, n)) [[likely]] {
      // The common case (fold_rows' columns): the values are taken where they are, without
      // the copy that sets the non-finite ones apart.
      counts_.finite += n;
      exact_.add(first, n);
      if (!probability) {
        for (std::size_t done = 0; done < n; done += QuantileSketch::batch_size) {
          sketch_.add_finite(first + done, std::min(QuantileSketch::batch_size, n - done));
        }
      }
      return;
    }
    constexpr std::size_t batch = QuantileSketch::batch_size;
    double finite[batch];
    for (std::size_t done = 0; done < n;) {
      const std::size_t k = std::min(batch, n - done);
      const double* p = first + done * stride;
      std::size_t m = 0;
      for (std::size_t i = 0; i < k; ++i, p += stride) {
        const double v = *p;
        finite[m] = v;
        if (std::isfinite(v)) [[likely]] {
          ++m;
        } else {
          // Infinities reach the sketch before the finite values of this run: its counts do
          // not depend on order, and an infinity never ties with a finite minimum or maximum.
          add_non_finite(v, probability);
        }
      }
      counts_.finite += m;
      exact_.add(finite, m);
      if (!probability) sketch_.add_finite(finite, m);
      done += k;
    }
  }

  /// Adds values first[0], first[stride], ..., first[(n - 1) stride] with weights weights[0],
  /// weights[1], ..., weights[n - 1] (contiguous: one weight per sample), in that order, to a
  /// weighted cell. A sample of weight 0 is skipped entirely (its value may be anything); one of
  /// positive weight counts as finite, infinite or undefined (NaN) like add(); finite values
  /// enter the weighted mean, and finite and infinite values the weighted sketch unless
  /// `probability`. Cutting a sequence into calls of any sizes gives a bit-identical cell.
  /// Throws std::invalid_argument, adding nothing, if a weight is negative, NaN or infinite,
  /// and std::logic_error on an unweighted cell.
  void add_weighted_strided(const double* first, const double* weights, std::size_t n,
                            std::size_t stride, bool probability) {
    check_weights(weights, n);
    add_weighted_unchecked(first, weights, n, stride, probability);
  }
  /// One sample: add_weighted_strided(&v, &w, 1, 1, probability).
  void add_weighted(double v, double w, bool probability) {
    add_weighted_strided(&v, &w, 1, 1, probability);
  }

  /// Worst-case bytes of one unweighted cell at sketch accuracy a (see
  /// QuantileSketch::max_memory_bytes); times the number of cells, the figure a run's options
  /// can check an accuracy against.
  [[nodiscard]] static std::size_t max_memory_bytes(double relative_accuracy) {
    return sizeof(SummaryCell) - sizeof(QuantileSketch) +
           QuantileSketch::max_memory_bytes(relative_accuracy);
  }
  /// The same for a cell of either kind: a weighted cell adds its heap state, whose sketch has
  /// 8-byte bins (WeightedQuantileSketch::max_memory_bytes), to an empty plain sketch.
  [[nodiscard]] static std::size_t max_memory_bytes(double relative_accuracy, bool weighted) {
    if (!weighted) return max_memory_bytes(relative_accuracy);
    return sizeof(SummaryCell) + sizeof(Weighted) - sizeof(WeightedQuantileSketch) +
           WeightedQuantileSketch::max_memory_bytes(relative_accuracy);
  }

  /// The mean over finite values (weighted: sum(w v) / sum(w) over finite values of positive
  /// weight); +-inf if any value (of positive weight) was infinite (NaN if both signs were
  /// seen), NaN if there were no values.
  [[nodiscard]] double mean() const {
    if (counts_.infinite > 0) return infinite_sign_ * std::numeric_limits<double>::infinity();
    if (counts_.finite == 0) return std::numeric_limits<double>::quiet_NaN();
    if (weighted_) {
      // Both sums are in relative weights (see Weighted), so the scale cancels; with equal
      // weights the denominator is exactly the count and the mean the unweighted one, bit for bit.
      return exact_.value() / (weighted_->weight_sum + weighted_->weight_compensation);
    }
    return exact_.value_divided_by(counts_.finite);
  }
  /// Sum of the weights of the samples behind mean(): those counted in counts().finite
  /// (compensated sum). For an unweighted cell every weight is 1: the finite count.
  [[nodiscard]] double total_weight() const {
    if (!weighted_) return static_cast<double>(counts_.finite);
    const Weighted& w = *weighted_;
    return (w.weight_sum + w.weight_compensation) * w.scale;
  }
  /// Sum of the squared weights of the same samples (compensated), so that
  /// total_weight()^2 / sum_of_squared_weights() is the effective sample size behind the mean.
  [[nodiscard]] double sum_of_squared_weights() const {
    if (!weighted_) return static_cast<double>(counts_.finite);
    const Weighted& w = *weighted_;
    return (w.square_sum + w.square_compensation) * w.scale * w.scale;
  }
  /// Quantiles from whichever sketch the cell has (QuantileSketch::quantiles or
  /// WeightedQuantileSketch::quantiles, same rank rule for equal weights).
  void quantiles(std::span<const double> qs, std::span<double> out) const {
    if (weighted_) {
      weighted_->sketch.quantiles(qs, out);
    } else {
      sketch_.quantiles(qs, out);
    }
  }
  [[nodiscard]] bool weighted() const { return static_cast<bool>(weighted_); }
  /// The plain sketch: empty in a weighted cell.
  [[nodiscard]] const QuantileSketch& sketch() const { return sketch_; }
  /// The weighted sketch; std::logic_error on an unweighted cell.
  [[nodiscard]] const WeightedQuantileSketch& weighted_sketch() const {
    if (!weighted_) throw std::logic_error("SummaryCell::weighted_sketch: the cell is unweighted");
    return weighted_->sketch;
  }
  [[nodiscard]] const CellCounts& counts() const { return counts_; }

  /// Adds everything `later` saw, as if its values had followed this cell's: the result is
  /// bit-identical to one cell fed both sequences (see the top of this file). Unweighted cells
  /// of the same accuracy only: a weighted cell's floating-point sums depend on the order of
  /// its samples, so std::logic_error.
  void merge(const SummaryCell& later);
  /// The cell's state in the shard format; unweighted cells only (std::logic_error).
  void encode(ByteWriter& out) const;
  /// Reads what encode() wrote; throws std::invalid_argument for a malformed state.
  [[nodiscard]] static SummaryCell decode(ByteReader& in, double accuracy);

 private:
  friend void fold_rows_weighted(std::span<SummaryCell> cells, std::span<const char> probability,
                                 const double* rows, const double* weights, std::size_t n_rows,
                                 std::size_t row_stride);

  /// A weighted cell's own state. Weights are kept relative to `scale`, the first positive
  /// weight of a finite value, for the reason WeightedQuantileSketch gives: equal weights are
  /// then exactly 1 and the weighted mean is the unweighted one bit for bit. The cell's exact_
  /// holds sum(r v), r = w / scale: the products are rounded, their sum is exact, so with equal
  /// weights (r = 1) it is the unweighted cell's sum bit for bit.
  struct Weighted {
    explicit Weighted(double accuracy) : sketch(accuracy) {}
    WeightedQuantileSketch sketch;
    double scale = 0.0;
    double weight_sum = 0.0, weight_compensation = 0.0;  ///< sum(r), compensated
    double square_sum = 0.0, square_compensation = 0.0;  ///< sum(r^2), compensated
  };

  /// Whether values[0..n) are all finite: one pass without branches (the compiler vectorises
  /// it), cheaper than testing each value on the way to a copy.
  static bool all_finite(const double* values, std::size_t n) {
    // Counts the values that are not <= DBL_MAX in magnitude: infinities and NaN.
    std::uint64_t non_finite = 0;
    for (std::size_t i = 0; i < n; ++i) {
      non_finite += std::fabs(values[i]) <= std::numeric_limits<double>::max() ? 0 : 1;
    }
    return non_finite == 0;
  }

  [[noreturn]] static void throw_weighted() {
    throw std::logic_error("SummaryCell: a weighted cell takes add_weighted*() only");
  }
  static void check_weights(const double* weights, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      // Negated so that NaN fails it too.
      if (!(weights[i] >= 0.0 && weights[i] <= std::numeric_limits<double>::max())) {
        throw std::invalid_argument("SummaryCell: a weight must be finite and >= 0");
      }
    }
  }

  // Neumaier's compensated sum: adds v to total, keeping the rounding error in compensation.
  static void add_compensated(double& total, double& compensation, double v) {
    const double t = total + v;
    compensation += std::abs(total) >= std::abs(v) ? (total - t) + v : (v - t) + total;
    total = t;
  }

  /// The weighted path, weights already checked. Samples of positive weight and defined value
  /// go to the sketch in sample order (infinities included, among the finite values, so that
  /// the sketch's sums see the same sequence whatever the batching).
  void add_weighted_unchecked(const double* first, const double* weights, std::size_t n,
                              std::size_t stride, bool probability) {
    if (!weighted_) {
      throw std::logic_error("SummaryCell::add_weighted_strided: the cell is unweighted");
    }
    Weighted& state = *weighted_;
    constexpr std::size_t batch = WeightedQuantileSketch::batch_size;
    double kept_values[batch];
    double kept_weights[batch];
    for (std::size_t done = 0; done < n;) {
      const std::size_t k = std::min(batch, n - done);
      const double* p = first + done * stride;
      const double* w = weights + done;
      done += k;
      std::size_t m = 0;
      for (std::size_t i = 0; i < k; ++i, p += stride) {
        if (!(w[i] > 0.0)) continue;
        const double v = *p;
        if (std::isfinite(v)) [[likely]] {
          ++counts_.finite;
          const double r = relative_weight(state, w[i]);
          exact_.add(r * v);
          add_compensated(state.weight_sum, state.weight_compensation, r);
          add_compensated(state.square_sum, state.square_compensation, r * r);
        } else if (std::isnan(v)) {
          ++counts_.undefined;
          continue;
        } else {
          note_infinite(v);
        }
        kept_values[m] = v;
        kept_weights[m] = w[i];
        ++m;
      }
      if (!probability) state.sketch.add_unchecked(kept_values, kept_weights, m);
    }
  }

  /// w / scale, setting the scale at the first call and growing it by a power of two (with
  /// every stored sum shrunk by the same power, exactly) when the ratio passes 2^256, so that
  /// sum(r^2) cannot overflow however far apart the likelihoods are.
  double relative_weight(Weighted& state, double w) {
    if (state.scale == 0.0) state.scale = w;
    const double r = w / state.scale;
    if (r <= WeightedQuantileSketch::rescale_above) [[likely]] return r;
    const int k = std::ilogb(w) - std::ilogb(state.scale);  // > 256
    state.scale = std::ldexp(state.scale, k);
    // The exact sum restarts from its value scaled by 2^-k: one rounding, at an event (weights
    // 2^256 apart) that equal weights never meet, and the same whatever the batching.
    const double scaled = std::ldexp(exact_.value(), -k);
    exact_ = ExactSum();
    exact_.add(scaled);
    state.weight_sum = std::ldexp(state.weight_sum, -k);
    state.weight_compensation = std::ldexp(state.weight_compensation, -k);
    state.square_sum = std::ldexp(state.square_sum, -2 * k);
    state.square_compensation = std::ldexp(state.square_compensation, -2 * k);
    return w / state.scale;
  }

  void note_infinite(double v) {
    ++counts_.infinite;
    const double sign = v > 0 ? 1.0 : -1.0;
    infinite_sign_ = (infinite_sign_ == 0.0 || infinite_sign_ == sign)
                         ? sign
                         : std::numeric_limits<double>::quiet_NaN();
  }

  void add_non_finite(double v, bool probability) {
    if (std::isnan(v)) {
      ++counts_.undefined;
      return;
    }
    note_infinite(v);
    if (!probability) sketch_.add(v);
  }

  QuantileSketch sketch_;
  ExactSum exact_;  ///< sum of the finite values (weighted cells: of r v, see Weighted)
  double infinite_sign_ = 0.0;  // +1 / -1 once an infinity of that sign was seen; NaN if both
  CellCounts counts_;
  detail::CopiedPtr<Weighted> weighted_;  ///< null for an unweighted cell
};

/// Folds rows of values into cells: row r (r = 0 .. n_rows - 1) holds one sample's values, the
/// one for cells[c] at rows[r * row_stride + c]. Every cell takes its values in row order, so
/// the cells end exactly as after cells[c].add(rows[r * row_stride + c], probability[c] != 0)
/// for r = 0, 1, ... (the Monte Carlo driver's fold of a wave, for one block of cells).
///
/// Up to 32 cells at a time: their slices of all rows are first copied into columns (a
/// thread-local buffer of at most 32 x n_rows values), reading each row's slice contiguously,
/// then each cell takes its column in one batch, so that its bin windows are loaded into the
/// cache once per call (the sketch also asks for the counts it will increment ahead of time:
/// prefetch_count in quantile_sketch.cpp). (Reading a column straight from the rows, a new page
/// and cache line per value, measured about a quarter slower on a wave of 20,000 cells.)
namespace detail {

/// The gather both folds share: blocks of up to 32 cells, each block's slices of all rows
/// copied into columns, then add(cell index, column) for each cell of the block.
template <class Add>
inline void fold_columns(std::size_t n_cells, const double* rows, std::size_t n_rows,
                         std::size_t row_stride, Add&& add) {
  constexpr std::size_t width = 32;
  thread_local std::vector<double> columns;
  for (std::size_t first = 0; first < n_cells; first += width) {
    const std::size_t w = std::min(width, n_cells - first);
    columns.resize(w * n_rows);
    for (std::size_t r = 0; r < n_rows; ++r) {
      const double* row = rows + r * row_stride + first;
      for (std::size_t c = 0; c < w; ++c) columns[c * n_rows + r] = row[c];
    }
    for (std::size_t c = 0; c < w; ++c) add(first + c, columns.data() + c * n_rows);
  }
}

}  // namespace detail

inline void fold_rows(std::span<SummaryCell> cells, std::span<const char> probability,
                      const double* rows, std::size_t n_rows, std::size_t row_stride) {
  detail::fold_columns(cells.size(), rows, n_rows, row_stride,
                       [&](std::size_t c, const double* column) {
                         cells[c].add_strided(column, n_rows, 1, probability[c] != 0);
                       });
}

/// fold_rows for weighted cells: row r's values all carry weights[r] (one sample, one weight).
/// Every cell ends exactly as after cells[c].add_weighted(rows[r * row_stride + c], weights[r],
/// probability[c] != 0) for r = 0, 1, ...; so folding a run's rows in waves of any sizes gives
/// the same cells. The weights are checked once for all cells: std::invalid_argument, adding
/// nothing, for a negative, NaN or infinite one; std::logic_error if a cell is unweighted.
inline void fold_rows_weighted(std::span<SummaryCell> cells, std::span<const char> probability,
                               const double* rows, const double* weights, std::size_t n_rows,
                               std::size_t row_stride) {
  SummaryCell::check_weights(weights, n_rows);
  for (const SummaryCell& cell : cells) {
    if (!cell.weighted()) {
      throw std::logic_error("fold_rows_weighted: the cells must be weighted");
    }
  }
  detail::fold_columns(cells.size(), rows, n_rows, row_stride,
                       [&](std::size_t c, const double* column) {
                         cells[c].add_weighted_unchecked(column, weights, n_rows, 1,
                                                         probability[c] != 0);
                       });
}

}  // namespace gapcast
