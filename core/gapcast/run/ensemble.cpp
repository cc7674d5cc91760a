#include "gapcast/run/ensemble.hpp"

#include <limits>
#include <stdexcept>

#include "gapcast/run/plan.hpp"
#include "gapcast/run/results.hpp"

namespace gapcast {

EnsembleTable::EnsembleTable(const RunOptions& options, const RunPlan& plan,
                             const Results& skeleton, const CellLayout& layout, bool weighted)
    : plan_(plan), layout_(layout), weighted_(weighted) {
  for (const auto& s : skeleton.scenarios) scenario_names_.push_back(s.name);
  const auto& names = options.ensemble_metrics.empty() ? default_ensemble_metrics()
                                                       : options.ensemble_metrics;
  if (weighted_) columns_.emplace_back("weight");
  // Every scalar metric by default (they are few and what scenario discovery asks about);
  // only the named ones when a list is given.
  for (std::size_t k = 0; k < skeleton.scalar_metrics.size(); ++k) {
    const auto& name = skeleton.scalar_metrics[k].name;
    bool chosen = options.ensemble_metrics.empty();
    for (const auto& n : names) chosen = chosen || n == name;
    if (!chosen) continue;
    scalar_cells_.push_back(k);
    columns_.push_back(name);
  }
  const auto months = ensemble_months(options, plan.start);
  for (const auto& name : names) {
    // The row's metric index: the whole catalogue, whatever the summaries record.
    const int metric = series_metric_position(name);
    if (metric < 0) continue;  // a scalar metric, placed above
    for (const auto& month : months) {
      const int k = months_between(plan.start, month);
      if (k < 0) {
        throw RunOptionError(RunOptionError::Kind::value, "ensemble_dates",
                             format_year_month(month) + " is before the start month " +
                                 format_year_month(plan.start));
      }
      series_cells_.emplace_back(static_cast<std::size_t>(metric), static_cast<std::size_t>(k));
      columns_.push_back(name + "@" + format_year_month(month));
    }
  }
  for (const auto& p : plan.raw_parameter_names) columns_.push_back("world." + p);
}

void EnsembleTable::fill(std::uint64_t first, std::size_t count, const double* rows,
                         const std::vector<std::vector<double>>& parameters,
                         const double* weights, EnsembleChunk& chunk) const {
  const std::size_t n_scen = scenario_names_.size();
  const std::size_t n_rows = count * n_scen;
  chunk.columns = columns_;
  chunk.sample.resize(n_rows);
  chunk.scenario.resize(n_rows);
  chunk.values.assign(columns_.size(),
                      std::vector<double>(n_rows, std::numeric_limits<double>::quiet_NaN()));
  const std::size_t row_size = layout_.row_size();
  const std::size_t n_params = plan_.raw_parameter_names.size();
  const std::size_t first_parameter = columns_.size() - n_params;
  for (std::size_t j = 0; j < count; ++j) {
    const double* row = rows + j * row_size;
    for (std::size_t s = 0; s < n_scen; ++s) {
      const std::size_t r = j * n_scen + s;
      chunk.sample[r] = static_cast<std::int64_t>(first + j);
      chunk.scenario[r] = scenario_names_[s];
      std::size_t c = 0;
      if (weighted_) chunk.values[c++][r] = weights[j];
      for (std::size_t k : scalar_cells_) chunk.values[c++][r] = row[layout_.scalar_offset(s) + k];
      for (const auto& [metric, month] : series_cells_) {
        chunk.values[c++][r] = row[layout_.series_offset(s) + metric * layout_.months + month];
      }
      // This scenario's world's parameters, in their union columns.
      const std::size_t world = plan_.integrations[plan_.scenarios[s].own].world;
      const std::size_t offset = plan_.raw_parameter_offsets[world];
      const auto& to = plan_.raw_parameter_columns[world];
      for (std::size_t k = 0; k < to.size(); ++k) {
        chunk.values[first_parameter + to[k]][r] = parameters[j][offset + k];
      }
    }
  }
}

}  // namespace gapcast
