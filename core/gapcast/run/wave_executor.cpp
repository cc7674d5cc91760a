#include "gapcast/run/wave_executor.hpp"

#include <exception>
#include <string>

#include <tbb/enumerable_thread_specific.h>

#include "gapcast/metrics/metrics.hpp"
#include "gapcast/scenario/diagnostics.hpp"

namespace gapcast {

/// Per-thread working memory, reused across samples.
struct WaveExecutor::Scratch {
  std::vector<std::vector<double>> values;  // per world: drawn parameter values
  std::vector<ModelInputs> inputs;          // per world
  std::vector<RunOutput> outputs;           // per integration
};

struct WaveExecutor::ScratchPool {
  tbb::enumerable_thread_specific<Scratch> pool;
};

namespace {

/// "name=value, ..." of a sample's uncertain parameters, for error messages.
std::string drawn_values(const World& world, std::span<const double> values) {
  std::string text;
  for (std::size_t k = 0; k < world.parameters.size(); ++k) {
    if (world.parameters[k].dist.is_point()) continue;
    char number[32];
    std::snprintf(number, sizeof number, "%.6g", values[k]);
    text += (text.empty() ? "" : ", ") + world.parameters[k].name + "=" + number;
  }
  return text.empty() ? "(all parameters are fixed values)" : text;
}

}  // namespace

WaveExecutor::WaveExecutor(const RunPlan& plan, CellLayout layout, std::uint64_t seed,
                           bool central, bool keep_parameters, const SampleDesign* design)
    : plan_(plan),
      layout_(layout),
      seed_(seed),
      central_(central),
      keep_parameters_(keep_parameters),
      design_(design),
      scratch_(std::make_unique<ScratchPool>()) {
  if (design_ != nullptr) design_columns_ = design_columns(*design_, plan_.worlds);
}

WaveExecutor::~WaveExecutor() = default;

void WaveExecutor::integrate_sample(Scratch& sc, std::uint64_t sample, double* row,
                                    std::vector<double>* parameters, std::uint64_t& steps) const {
  if (sc.values.size() != plan_.worlds.size()) {
    sc.values.resize(plan_.worlds.size());
    sc.inputs.resize(plan_.worlds.size());
    for (std::size_t w = 0; w < plan_.worlds.size(); ++w) {
      sc.values[w].resize(plan_.samplers[w].size());
    }
    sc.outputs.resize(plan_.integrations.size());
  }
  for (std::size_t w = 0; w < plan_.worlds.size(); ++w) {
    if (design_ != nullptr) {
      plan_.samplers[w].from_point(design_->row(static_cast<std::size_t>(sample)),
                                   design_columns_[w], sample, sc.values[w]);
    } else {
      plan_.samplers[w].sample(seed_, sample, sc.values[w], central_);
    }
    sc.inputs[w] = ModelInputs::from_sample(*plan_.worlds[w], sc.values[w]);
  }
  steps = 0;
  for (std::size_t r = 0; r < plan_.integrations.size(); ++r) {
    const Integration& in = plan_.integrations[r];
    try {
      in.model.simulate(sc.inputs[in.world], sc.outputs[r], in.recording, plan_.wanted_months);
    } catch (const SimulationError& e) {
      throw SimulationError("sample " + std::to_string(sample) + ", policy \"" + in.policy->name +
                            "\" in world \"" + plan_.worlds[in.world]->name + "\": " + e.what() +
                            ". Drawn values of this sample: " +
                            drawn_values(*plan_.worlds[in.world], sc.values[in.world]));
    }
    steps += sc.outputs[r].steps;
  }
  // This sample's row: every scenario's metrics, contiguous, then every scenario's scalars.
  for (std::size_t s = 0; s < plan_.scenario_count(); ++s) {
    const ScenarioIntegrations& runs = plan_.scenarios[s];
    const RunOutput* baseline =
        runs.baseline >= 0 ? &sc.outputs[static_cast<std::size_t>(runs.baseline)] : nullptr;
    detail::scenario_metrics(
        sc.outputs[runs.own], &sc.outputs[runs.no_controls], baseline,
        std::span<double>(row + layout_.series_offset(s), layout_.metrics * layout_.months),
        std::span<double>(row + layout_.scalar_offset(s), layout_.scalars),
        detail::WantedCells{plan_.wanted_metrics, plan_.wanted_months});
  }
  if (parameters != nullptr) {
    parameters->clear();
    for (const auto& values : sc.values) {
      parameters->insert(parameters->end(), values.begin(), values.end());
    }
  }
}

bool WaveExecutor::run(Workers& workers, std::uint64_t first, std::size_t count,
                       WaveBuffer& buffer, const std::atomic<bool>* cancel) {
  const std::size_t row_size = layout_.row_size();
  buffer.rows.resize(count * row_size);
  buffer.steps.assign(count, 0);
  if (keep_parameters_) buffer.parameters.resize(count);
  std::vector<std::exception_ptr> errors(count);
  auto cancelled = [cancel] { return cancel != nullptr && cancel->load(std::memory_order_relaxed); };

  workers.parallel_for(count, 1, [&](std::size_t begin, std::size_t end) {
    Scratch& sc = scratch_->pool.local();
    for (std::size_t j = begin; j != end; ++j) {
      if (cancelled()) return;
      try {
        integrate_sample(sc, first + j, &buffer.rows[j * row_size],
                         keep_parameters_ ? &buffer.parameters[j] : nullptr, buffer.steps[j]);
      } catch (...) {
        errors[j] = std::current_exception();
      }
    }
  });
  if (cancelled()) return false;
  // The first failure in sample order, whichever thread met it first.
  for (const auto& e : errors) {
    if (e) std::rethrow_exception(e);
  }
  return true;
}

}  // namespace gapcast
