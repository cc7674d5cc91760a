#include "gapcast/summary/run_summaries.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace gapcast {

RunSummaries::RunSummaries(CellLayout layout, const std::vector<MetricInfo>& metrics,
                           double accuracy, bool weighted)
    : layout_(layout),
      cells_(layout.row_size(), SummaryCell(accuracy, weighted)),
      probability_(layout.row_size(), 0),
      weighted_(weighted) {
  for (std::size_t s = 0; s < layout_.scenarios; ++s) {
    for (std::size_t m = 0; m < layout_.metrics; ++m) {
      const bool probability = metrics[m].kind == MetricKind::probability;
      for (std::size_t k = 0; k < layout_.months; ++k) {
        probability_[layout_.series_offset(s) + m * layout_.months + k] = probability ? 1 : 0;
      }
    }
  }
}

void RunSummaries::fold_cells(const double* rows, std::size_t count, std::size_t cell_begin,
                              std::size_t cell_end) {
  fold_rows(std::span<SummaryCell>(cells_).subspan(cell_begin, cell_end - cell_begin),
            std::span<const char>(probability_).subspan(cell_begin, cell_end - cell_begin),
            rows + cell_begin, count, layout_.row_size());
}

void RunSummaries::fold_cells_weighted(const double* rows, const double* weights,
                                       std::size_t count, std::size_t cell_begin,
                                       std::size_t cell_end) {
  if (!weighted_) {
    throw std::logic_error("RunSummaries::fold_cells_weighted: the summaries are not weighted");
  }
  fold_rows_weighted(
      std::span<SummaryCell>(cells_).subspan(cell_begin, cell_end - cell_begin),
      std::span<const char>(probability_).subspan(cell_begin, cell_end - cell_begin),
      rows + cell_begin, weights, count, layout_.row_size());
}

RunSummaries::Statistics RunSummaries::finish(std::span<const double> quantiles) const {
  Statistics results;
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  const std::size_t n_stats = 1 + quantiles.size();
  auto statistics = [&](const SummaryCell& cell, bool probability, double* stats) {
    stats[0] = cell.mean();
    const std::span<double> out(stats + 1, quantiles.size());
    if (probability || cell.counts().finite + cell.counts().infinite == 0) {
      std::fill(out.begin(), out.end(), nan);
    } else {
      cell.quantiles(quantiles, out);
    }
  };
  const std::size_t series_cells = layout_.series_cells();
  results.series.assign(series_cells * n_stats, nan);
  results.series_counts.resize(series_cells);
  for (std::size_t c = 0; c < series_cells; ++c) {
    statistics(cells_[c], probability_[c] != 0, &results.series[c * n_stats]);
    results.series_counts[c] = cells_[c].counts();
  }
  const std::size_t scalar_cells = layout_.scalar_cells();
  results.scalars.assign(scalar_cells * n_stats, nan);
  results.scalar_counts.resize(scalar_cells);
  for (std::size_t c = 0; c < scalar_cells; ++c) {
    statistics(cells_[series_cells + c], false, &results.scalars[c * n_stats]);
    results.scalar_counts[c] = cells_[series_cells + c].counts();
  }
  return results;
}

}  // namespace gapcast
