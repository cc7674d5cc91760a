#pragma once
/// Integrating one wave of samples: every sample of the wave is drawn, integrated under every
/// policy the plan needs, and turned into one row of metric values. Any thread may take any
/// sample; each sample's row depends only on the plan, the seed and its index.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include "gapcast/run/options.hpp"
#include "gapcast/run/plan.hpp"
#include "gapcast/run/sample_design.hpp"
#include "gapcast/run/workers.hpp"
#include "gapcast/summary/run_summaries.hpp"

namespace gapcast {

/// The values of one wave: row j of `rows` (CellLayout::row_size() doubles) is sample
/// first + j; when raw output is kept, `parameters[j]` holds its drawn parameters of every
/// world of the plan, one world after the other (RunPlan::worlds order, each in
/// World::parameters order).
struct WaveBuffer {
  std::vector<double> rows;
  std::vector<std::vector<double>> parameters;
  std::vector<std::uint64_t> steps;  ///< accepted solver steps per sample
};

class WaveExecutor {
 public:
  /// With a `design`, sample i takes the design's row i instead of its random draws (the
  /// design must outlive the executor).
  WaveExecutor(const RunPlan& plan, CellLayout layout, std::uint64_t seed, bool central,
               bool keep_parameters, const SampleDesign* design = nullptr);
  ~WaveExecutor();
  WaveExecutor(const WaveExecutor&) = delete;
  WaveExecutor& operator=(const WaveExecutor&) = delete;

  /// Integrates samples [first, first + count) on `workers` into buffer rows 0..count-1.
  /// Returns false, leaving the buffer incomplete, once `cancel` turns true. Throws
  /// SimulationError for the first failing sample in sample order, naming the sample, the
  /// integration and its draws.
  bool run(Workers& workers, std::uint64_t first, std::size_t count, WaveBuffer& buffer,
           const std::atomic<bool>* cancel);

 private:
  struct Scratch;
  void integrate_sample(Scratch& scratch, std::uint64_t sample, double* row,
                        std::vector<double>* parameters, std::uint64_t& steps) const;

  const RunPlan& plan_;
  CellLayout layout_;
  std::uint64_t seed_;
  bool central_;
  bool keep_parameters_;
  const SampleDesign* design_;
  std::vector<std::vector<std::ptrdiff_t>> design_columns_;  ///< [world][parameter]
  struct ScratchPool;
  std::unique_ptr<ScratchPool> scratch_;
};

}  // namespace gapcast
