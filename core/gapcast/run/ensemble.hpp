#pragma once
/// Per-sample ensembles (docs/ensembles.md): the values of chosen metrics at chosen months for
/// every sample and scenario, with the sample's drawn parameters (and weight, in a conditioned
/// run), handed to a sink one wave at a time so that memory stays flat in the sample count.
/// The engine decides what goes in a chunk; the sink (output/ensemble_file.hpp writes Parquet)
/// decides where it goes.
#include <cstdint>
#include <string>
#include <vector>

#include "gapcast/run/options.hpp"
#include "gapcast/summary/run_summaries.hpp"

namespace gapcast {

struct RunPlan;
struct Results;

/// One wave's rows: one per (sample, scenario), in sample order then scenario order.
struct EnsembleChunk {
  std::vector<std::string> columns;         ///< value columns, the same for every chunk
  std::vector<std::int64_t> sample;         ///< per row
  std::vector<std::string> scenario;        ///< per row
  std::vector<std::vector<double>> values;  ///< [column][row]
  [[nodiscard]] std::size_t rows() const { return sample.size(); }
};

/// Receives a run's ensemble, chunk by chunk in sample order. write() may throw; the run stops.
class EnsembleSink {
 public:
  virtual ~EnsembleSink() = default;
  virtual void write(const EnsembleChunk& chunk) = 0;
};

/// Which cell of a sample's row each value column reads, worked out once per run. Columns:
/// `weight` (conditioned runs), the chosen scalar metrics, `metric@YYYY-MM` for the chosen
/// series metrics at the chosen months, then `world.<parameter>` for every drawn parameter of
/// the run's worlds (NaN for a scenario whose world has no such parameter).
class EnsembleTable {
 public:
  EnsembleTable(const RunOptions& options, const RunPlan& plan, const Results& skeleton,
                const CellLayout& layout, bool weighted);

  /// Fills `chunk` with the wave's `count` samples starting at sample `first`. `rows` and
  /// `parameters` are the wave's (WaveBuffer), `weights` the samples' weights or null.
  void fill(std::uint64_t first, std::size_t count, const double* rows,
            const std::vector<std::vector<double>>& parameters, const double* weights,
            EnsembleChunk& chunk) const;

  [[nodiscard]] const std::vector<std::string>& columns() const { return columns_; }

 private:
  const RunPlan& plan_;
  CellLayout layout_;
  std::vector<std::string> scenario_names_;
  std::vector<std::string> columns_;
  bool weighted_ = false;
  std::vector<std::size_t> scalar_cells_;  ///< scalar index, per scalar column
  std::vector<std::pair<std::size_t, std::size_t>> series_cells_;  ///< (metric, month)
};

}  // namespace gapcast
