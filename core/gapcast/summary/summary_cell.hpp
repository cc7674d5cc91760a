#pragma once
/// One summary cell (a scenario x metric x month, or a scenario x scalar metric): the streaming
/// statistics of one quantity over samples. A quantile sketch for the quantiles, a compensated
/// (Neumaier) sum for the mean, and counts of finite, infinite and undefined values.
///
/// Values are added in sample order by one thread at a time; two cells that saw the same values
/// in the same order are bit-identical, which is what makes a run's summaries independent of
/// the thread count.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <span>
#include <vector>

#include <cstdint>

#include "gapcast/summary/quantile_sketch.hpp"

namespace gapcast {

/// Counts behind each cell, for judging a statistic (how many samples were beyond the horizon).
struct CellCounts {
  std::uint64_t finite = 0;
  std::uint64_t infinite = 0;   ///< e.g. threshold not reached within the horizon
  std::uint64_t undefined = 0;  ///< e.g. a delay when neither run reaches the threshold
};


class SummaryCell {
 public:
  explicit SummaryCell(double accuracy) : sketch_(accuracy) {}

  /// Adds one sample's value. `probability` cells hold 0/1 indicators: only their mean is
  /// summarised, so the sketch is skipped.
  void add(double v, bool probability) {
    if (std::isfinite(v)) [[likely]] {
      ++counts_.finite;
      add_to_sum(v);
      if (!probability) sketch_.add(v);
      return;
    }
    add_non_finite(v, probability);
  }

  /// Adds first[0], first[stride], ..., first[(n - 1) stride] in that order: the cell ends
  /// bit-identical to n calls of add(). The finite values of each run of up to 256 are gathered
  /// first: the compensated sum then walks only those, and the sketch takes them as one batch.
  void add_strided(const double* first, std::size_t n, std::size_t stride, bool probability) {
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
      double sum = sum_;
      double compensation = compensation_;
      for (std::size_t i = 0; i < m; ++i) {
        const double v = finite[i];
        const double t = sum + v;
        compensation += std::abs(sum) >= std::abs(v) ? (sum - t) + v : (v - t) + sum;
        sum = t;
      }
      sum_ = sum;
      compensation_ = compensation;
      if (!probability) sketch_.add_finite(finite, m);
      done += k;
    }
  }

  /// Worst-case bytes of one cell at sketch accuracy a (see QuantileSketch::max_memory_bytes);
  /// times the number of cells, the figure a run's options can check an accuracy against.
  [[nodiscard]] static std::size_t max_memory_bytes(double relative_accuracy) {
    return sizeof(SummaryCell) - sizeof(QuantileSketch) +
           QuantileSketch::max_memory_bytes(relative_accuracy);
  }

  /// The mean over finite values; +-inf if any value was infinite (NaN if both signs were
  /// seen), NaN if there were no values.
  [[nodiscard]] double mean() const {
    if (counts_.infinite > 0) return infinite_sign_ * std::numeric_limits<double>::infinity();
    if (counts_.finite == 0) return std::numeric_limits<double>::quiet_NaN();
    return (sum_ + compensation_) / static_cast<double>(counts_.finite);
  }
  [[nodiscard]] const QuantileSketch& sketch() const { return sketch_; }
  [[nodiscard]] const CellCounts& counts() const { return counts_; }

 private:
  void add_non_finite(double v, bool probability) {
    if (std::isnan(v)) {
      ++counts_.undefined;
      return;
    }
    ++counts_.infinite;
    const double sign = v > 0 ? 1.0 : -1.0;
    infinite_sign_ = (infinite_sign_ == 0.0 || infinite_sign_ == sign)
                         ? sign
                         : std::numeric_limits<double>::quiet_NaN();
    if (!probability) sketch_.add(v);
  }

  void add_to_sum(double v) {
    const double t = sum_ + v;
    compensation_ += std::abs(sum_) >= std::abs(v) ? (sum_ - t) + v : (v - t) + sum_;
    sum_ = t;
  }

  QuantileSketch sketch_;
  double sum_ = 0.0, compensation_ = 0.0;
  double infinite_sign_ = 0.0;  // +1 / -1 once an infinity of that sign was seen; NaN if both
  CellCounts counts_;
};

/// Folds rows of values into cells: row r (r = 0 .. n_rows - 1) holds one sample's values, the
/// one for cells[c] at rows[r * row_stride + c]. Every cell takes its values in row order, so
/// the cells end exactly as after cells[c].add(rows[r * row_stride + c], probability[c] != 0)
/// for r = 0, 1, ... (the Monte Carlo driver's fold of a wave, for one block of cells).
///
/// Up to 32 cells at a time: their slices of all rows are first copied into columns (a
/// thread-local buffer of at most 32 x n_rows values), reading each row's slice contiguously,
/// then each cell takes its column in one batch, so that its bin windows are loaded into the
/// cache once per call. (Reading a column straight from the rows, a new page and cache line per
/// value, measured about a quarter slower on a wave of 20,000 cells.)
inline void fold_rows(std::span<SummaryCell> cells, std::span<const char> probability,
                      const double* rows, std::size_t n_rows, std::size_t row_stride) {
  constexpr std::size_t width = 32;
  thread_local std::vector<double> columns;
  for (std::size_t first = 0; first < cells.size(); first += width) {
    const std::size_t w = std::min(width, cells.size() - first);
    columns.resize(w * n_rows);
    for (std::size_t r = 0; r < n_rows; ++r) {
      const double* row = rows + r * row_stride + first;
      for (std::size_t c = 0; c < w; ++c) columns[c * n_rows + r] = row[c];
    }
    for (std::size_t c = 0; c < w; ++c) {
      cells[first + c].add_strided(columns.data() + c * n_rows, n_rows, 1,
                                   probability[first + c] != 0);
    }
  }
}

}  // namespace gapcast
