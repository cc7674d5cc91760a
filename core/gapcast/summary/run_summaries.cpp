#include "gapcast/summary/run_summaries.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

#include "gapcast/util/byte_codec.hpp"

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

void RunSummaries::merge(const RunSummaries& later) {
  const CellLayout& a = layout_;
  const CellLayout& b = later.layout_;
  if (a.scenarios != b.scenarios || a.metrics != b.metrics || a.months != b.months ||
      a.scalars != b.scalars) {
    throw std::invalid_argument("RunSummaries::merge: the summaries have different layouts");
  }
  for (std::size_t c = 0; c < cells_.size(); ++c) cells_[c].merge(later.cells_[c]);
}

void RunSummaries::encode(ByteWriter& out) const {
  if (weighted_) throw std::logic_error("RunSummaries::encode: weighted summaries");
  out.u64(layout_.scenarios);
  out.u64(layout_.metrics);
  out.u64(layout_.months);
  out.u64(layout_.scalars);
  for (const SummaryCell& cell : cells_) cell.encode(out);
}

RunSummaries RunSummaries::decode(ByteReader& in, const std::vector<MetricInfo>& metrics,
                                  double accuracy) {
  CellLayout layout;
  layout.scenarios = static_cast<std::size_t>(in.u64());
  layout.metrics = static_cast<std::size_t>(in.u64());
  layout.months = static_cast<std::size_t>(in.u64());
  layout.scalars = static_cast<std::size_t>(in.u64());
  // Each cell takes at least its counts, sign and sketch header: a size bound that refuses a
  // corrupted layout before the cells are allocated.
  constexpr std::uint64_t min_cell_bytes = 8 * 4;
  const std::uint64_t cells_fit = in.remaining() / min_cell_bytes;
  const auto fits = [&](std::uint64_t scenarios, std::uint64_t per_scenario) {
    return per_scenario <= cells_fit && (scenarios == 0 || per_scenario == 0 ||
                                         scenarios <= cells_fit / per_scenario);
  };
  if (layout.metrics != metrics.size() || layout.months > cells_fit ||
      layout.scalars > cells_fit ||
      !fits(layout.scenarios, layout.metrics * layout.months + layout.scalars)) {
    throw std::invalid_argument("the summaries' layout (" + std::to_string(layout.scenarios) +
                                " scenarios, " + std::to_string(layout.metrics) + " metrics, " +
                                std::to_string(layout.months) +
                                " months) does not fit this engine's metric catalogue or the "
                                "data that follows");
  }
  RunSummaries summaries(layout, metrics, accuracy, false);
  for (SummaryCell& cell : summaries.cells_) cell = SummaryCell::decode(in, accuracy);
  return summaries;
}

}  // namespace gapcast
