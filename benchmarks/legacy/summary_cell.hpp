#pragma once
// Frozen copy of core/gapcast/summary/summary_cell.hpp as of commit e84a549 (before the batch
// insertion and the memory cap), in namespace gapcast::legacy: benchmarks/sketch_fold.cpp times
// it side by side with the current code and checks that both give bit-identical cells.
// Do not edit, except to keep it compiling.
/// One summary cell (a scenario x metric x month, or a scenario x scalar metric): the streaming
/// statistics of one quantity over samples. A quantile sketch for the quantiles, a compensated
/// (Neumaier) sum for the mean, and counts of finite, infinite and undefined values.
///
/// Values are added in sample order by one thread at a time; two cells that saw the same values
/// in the same order are bit-identical, which is what makes a run's summaries independent of
/// the thread count.
#include <cmath>
#include <limits>

#include "legacy/quantile_sketch.hpp"
#include "gapcast/summary/summary_cell.hpp"  // CellCounts, shared with the current cell

namespace gapcast::legacy {

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

}  // namespace gapcast::legacy
