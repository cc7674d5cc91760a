#pragma once
/// The plan of a run: which integrations one sample needs and where their values go.
///
/// Scenarios that share a world share its draws (common random numbers); a (world, policy)
/// pair is integrated once per sample however many scenarios need it, as its own run or as a
/// counterfactual (no controls, baseline). Each scenario then reads three integrations: its
/// own, its world under no controls, and its world under the baseline policy (when there is a
/// baseline). The plan is made once, validated, and shared read-only by every worker.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "gapcast/metrics/metrics.hpp"
#include "gapcast/model/model.hpp"
#include "gapcast/run/options.hpp"
#include "gapcast/sampling/world_sampler.hpp"
#include "gapcast/scenario/scenario.hpp"
#include "gapcast/summary/run_summaries.hpp"

namespace gapcast {

/// The integrations a scenario's metrics read, as indices into RunPlan::integrations.
struct ScenarioIntegrations {
  std::size_t own = 0;
  std::size_t no_controls = 0;
  std::ptrdiff_t baseline = -1;  ///< -1 when the run has no baseline policy
};

/// One world under one policy, compiled for integration, with what it must record.
struct Integration {
  std::size_t world = 0;  ///< index into RunPlan::worlds
  std::shared_ptr<const Policy> policy;
  ScenarioModel model;
  ScenarioModel::Recording recording = ScenarioModel::Recording::paired_inputs;
};

struct RunPlan {
  YearMonth start;
  std::size_t months = 0;           ///< output months, start to horizon inclusive
  std::uint64_t samples = 0;        ///< 1 for a central run
  std::vector<std::shared_ptr<const World>> worlds;  ///< distinct worlds, first-seen order
  std::vector<WorldSampler> samplers;                ///< one per world
  std::vector<Integration> integrations;
  std::vector<ScenarioIntegrations> scenarios;       ///< one per scenario, in input order
  std::shared_ptr<const Policy> baseline;            ///< null when there is none
  /// What the summaries record (RunOptions::metrics and dates): series metrics as indices into
  /// the catalogue (catalogue order), output months as indices from the start (ascending).
  std::vector<std::size_t> recorded_metrics, recorded_months;
  /// The metric cells anything of the run reads (summaries, raw output, ensemble,
  /// observations), as WantedCells masks over the catalogue and the months; empty (every
  /// cell) without a recording selection. The integrations record only the wanted months.
  std::vector<char> wanted_metrics, wanted_months;
  std::vector<std::size_t> raw_date_indices;         ///< output months kept per sample
  /// With raw output: every parameter name of every world (first world's order, then each
  /// later world's names not seen yet), and per world the column of each of its parameters.
  std::vector<std::string> raw_parameter_names;
  std::vector<std::vector<std::size_t>> raw_parameter_columns;  ///< [world][parameter]
  /// [world]: where the world's parameters start in a sample's drawn values (every world's,
  /// one after the other, as WaveBuffer::parameters holds them).
  std::vector<std::size_t> raw_parameter_offsets;

  [[nodiscard]] std::size_t scenario_count() const { return scenarios.size(); }
  /// Whether the summaries record every metric at every month (no selection).
  [[nodiscard]] bool records_everything() const {
    return recorded_metrics.size() == detail::metric_count && recorded_months.size() == months;
  }
  /// A sample's row: every metric at every month, then the scalars, per scenario.
  [[nodiscard]] CellLayout row_layout() const;
  /// The summaries' cells: the recorded metrics at the recorded months, then the scalars.
  [[nodiscard]] CellLayout summary_layout() const;
  /// For each summary cell, its column in a sample's row (empty when everything is recorded).
  [[nodiscard]] std::vector<std::size_t> summary_columns() const;
};

/// Checks the scenarios and options together (validate(options), one start month, a horizon
/// after it, raw months inside the run, raw memory within its limit) and builds the plan.
/// `baseline` is the baseline policy when given separately; otherwise a scenario named
/// "baseline" supplies it. Throws std::invalid_argument (RunOptionError for an option).
RunPlan make_plan(const std::vector<Scenario>& scenarios, const RunOptions& options,
                  std::shared_ptr<const Policy> baseline);

}  // namespace gapcast
