#pragma once
/// The streaming summaries of a run: one SummaryCell per scenario x metric x month and per
/// scenario x scalar metric, fed one wave of samples at a time, and turned into the statistics
/// of Results at the end.
///
/// A wave arrives as rows, one per sample in sample order; row j holds sample j's value of
/// every cell, laid out as CellLayout says. fold_cells() adds the wave's values of a block of
/// neighbouring cells, walking the rows in order, so every cell sees its values in sample
/// order whoever folds which block: the summaries, and so the result files, are bit-identical
/// for any thread count.
///
/// A weighted run (conditioned on observations) gives each sample a weight, the same for all of
/// its cells: its cells are weighted SummaryCells, fed by fold_cells_weighted(), and finish()
/// reports weighted means and quantiles. The unweighted path is untouched by this.
#include <cstddef>
#include <span>
#include <vector>

#include "gapcast/metrics/metrics.hpp"
#include "gapcast/summary/summary_cell.hpp"

namespace gapcast {

class ByteWriter;
class ByteReader;

/// Where each cell's value sits in a sample's row: every scenario's series cells
/// ([scenario][metric][month]) first, then every scenario's scalar cells ([scenario][scalar]).
struct CellLayout {
  std::size_t scenarios = 0, metrics = 0, months = 0, scalars = 0;

  [[nodiscard]] std::size_t series_cells() const { return scenarios * metrics * months; }
  [[nodiscard]] std::size_t scalar_cells() const { return scenarios * scalars; }
  [[nodiscard]] std::size_t row_size() const { return series_cells() + scalar_cells(); }
  /// First cell of scenario s's series block (metrics x months) and of its scalars.
  [[nodiscard]] std::size_t series_offset(std::size_t s) const { return s * metrics * months; }
  [[nodiscard]] std::size_t scalar_offset(std::size_t s) const {
    return series_cells() + s * scalars;
  }
};

class RunSummaries {
 public:
  /// `metrics` is the series metric catalogue (probability metrics keep only their mean).
  /// `weighted` makes every cell a weighted one (see above).
  RunSummaries(CellLayout layout, const std::vector<MetricInfo>& metrics, double accuracy,
               bool weighted = false);

  [[nodiscard]] const CellLayout& layout() const { return layout_; }
  [[nodiscard]] std::size_t cell_count() const { return cells_.size(); }

  /// Adds the values of cells [cell_begin, cell_end) from `count` rows of `rows` (row j starts
  /// at rows + j * layout().row_size()), in row order. Blocks of cells may be folded
  /// concurrently; one block must not be folded by two threads at once.
  void fold_cells(const double* rows, std::size_t count, std::size_t cell_begin,
                  std::size_t cell_end);
  /// fold_cells for a weighted run: weights[j] is row j's weight (>= 0 and finite), applied to
  /// every cell of the row; a row of weight 0 changes nothing. Folding the rows in waves of any
  /// sizes gives bit-identical summaries. Throws std::invalid_argument for an invalid weight
  /// (adding nothing) and std::logic_error if the summaries are not weighted.
  void fold_cells_weighted(const double* rows, const double* weights, std::size_t count,
                           std::size_t cell_begin, std::size_t cell_end);
  [[nodiscard]] bool weighted() const { return weighted_; }

  /// The statistics of every cell: for each cell, its mean then the requested quantiles
  /// (1 + quantiles.size() values, C order: series cells then scalar cells, as CellLayout),
  /// and its counts. A quantile of a probability cell or of a cell without values is NaN.
  /// Weighted summaries give weighted means and quantiles, and counts of the samples of positive
  /// weight.
  struct Statistics {
    std::vector<double> series, scalars;
    std::vector<CellCounts> series_counts, scalar_counts;
  };
  [[nodiscard]] Statistics finish(std::span<const double> quantiles) const;

  /// Adds the cells of `later`, summaries of samples that follow these ones (a later shard of
  /// the same run): afterwards every cell is bit-identical to the cell one run over both sets
  /// of samples would hold (SummaryCell::merge). Merging shards in sample order gives the
  /// summaries of the whole run. Throws std::invalid_argument for a different layout and
  /// std::logic_error for weighted summaries.
  void merge(const RunSummaries& later);
  /// The layout and every cell, in the shard format (run/shard.hpp); unweighted summaries only.
  void encode(ByteWriter& out) const;
  /// Reads what encode() wrote, for summaries over `metrics` at `accuracy`; throws
  /// std::invalid_argument for malformed data or a layout that does not fit the catalogue.
  [[nodiscard]] static RunSummaries decode(ByteReader& in, const std::vector<MetricInfo>& metrics,
                                           double accuracy);

 private:
  CellLayout layout_;
  std::vector<SummaryCell> cells_;
  std::vector<char> probability_;  ///< per cell: a 0/1 indicator (mean only)
  bool weighted_ = false;
};

}  // namespace gapcast
