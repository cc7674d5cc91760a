#include "gapcast/run/monte_carlo.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>
#include <tbb/blocked_range.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

#include "gapcast/util/build_info.hpp"
#include "gapcast/scenario/diagnostics.hpp"
#include "gapcast/output/parameter_table.hpp"
#include "gapcast/summary/summary_cell.hpp"
#include "gapcast/sampling/world_sampler.hpp"
#include "gapcast/metrics/metrics.hpp"

namespace gapcast {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

/// A run to integrate: one world under one policy. Scenarios that share both share the run.
struct RunPlan {
  std::size_t world;
  std::shared_ptr<const Policy> policy;
};

struct ScenarioRuns {
  std::size_t own;
  std::size_t no_controls;
  std::ptrdiff_t baseline;  // -1 if there is no baseline policy
};

/// Per-thread working memory, reused across samples.
struct Scratch {
  std::vector<std::vector<double>> values;  // per world
  std::vector<ModelInputs> inputs;          // per world
  std::vector<RunOutput> outputs;           // per run
};

std::string drawn_values(const World& world, std::span<const double> values) {
  std::string text;
  for (std::size_t k = 0; k < world.parameters.size(); ++k) {
    if (world.parameters[k].dist.is_point()) continue;
    text += (text.empty() ? "" : ", ") + world.parameters[k].name + "=" +
            std::to_string(values[k]);
  }
  return text.empty() ? "(all parameters are fixed values)" : text;
}

/// The worlds' parameter tables and the policies' descriptions (see Results::assumptions_json).
std::string assumptions_json(const std::vector<Scenario>& scenarios,
                             const std::vector<std::shared_ptr<const World>>& worlds) {
  nlohmann::ordered_json j;
  nlohmann::ordered_json world_list = nlohmann::ordered_json::array();
  for (const auto& w : worlds) {
    nlohmann::ordered_json entry;
    entry["name"] = w->name;
    entry["title"] = w->title;
    entry["description"] = w->description;
    entry["start"] = format_year_month(w->start);
    entry["fingerprint"] = w->fingerprint;
    entry["parameters"] = nlohmann::ordered_json::parse(parameter_table_json(*w));
    world_list.push_back(entry);
  }
  j["worlds"] = world_list;
  nlohmann::ordered_json policy_list = nlohmann::ordered_json::array();
  std::vector<std::string> seen;
  for (const auto& s : scenarios) {
    if (std::find(seen.begin(), seen.end(), s.policy->fingerprint) != seen.end()) continue;
    seen.push_back(s.policy->fingerprint);
    nlohmann::ordered_json entry;
    entry["name"] = s.policy->name;
    entry["title"] = s.policy->title;
    entry["description"] = s.policy->description;
    entry["fingerprint"] = s.policy->fingerprint;
    policy_list.push_back(entry);
  }
  j["policies"] = policy_list;
  return j.dump(1) + "\n";
}

}  // namespace

int Results::metric_index(std::string_view name) const {
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    if (metrics[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int Results::scalar_index(std::string_view name) const {
  for (std::size_t i = 0; i < scalar_metrics.size(); ++i) {
    if (scalar_metrics[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int Results::scenario_index(std::string_view name) const {
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    if (scenarios[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

Results run(const std::vector<Scenario>& scenarios, const RunOptions& options) {
  const auto wall_start = std::chrono::steady_clock::now();
  if (scenarios.empty()) throw std::invalid_argument("no scenarios to run");
  const YearMonth start = scenarios.front().world->start;
  for (const auto& s : scenarios) {
    if (s.world->start != start) {
      throw std::invalid_argument("scenario \"" + s.name + "\" starts in " +
                                  format_year_month(s.world->start) + " but \"" +
                                  scenarios.front().name + "\" starts in " +
                                  format_year_month(start) +
                                  "; scenarios run together must share a start month");
    }
  }
  const int span = months_between(start, options.horizon);
  if (span < 0) {
    throw std::invalid_argument("the horizon " + format_year_month(options.horizon) +
                                " is before the start month " + format_year_month(start));
  }
  const auto months = static_cast<std::size_t>(span) + 1;
  const std::uint64_t n_samples = options.central ? 1 : options.samples;
  if (n_samples == 0) throw std::invalid_argument("the sample count must be at least 1");
  for (double q : options.quantiles) {
    if (!(q > 0.0 && q < 1.0)) {
      throw std::invalid_argument("quantile levels must lie strictly between 0 and 1");
    }
  }
  if (!(options.quantile_accuracy > 0.0 && options.quantile_accuracy < 0.5)) {
    throw std::invalid_argument("the quantile accuracy must lie in (0, 0.5)");
  }
  if (!(options.threshold_multiple > 0.0) || !std::isfinite(options.threshold_multiple)) {
    throw std::invalid_argument("the threshold multiple must be a positive number");
  }

  // The baseline policy for paired comparisons.
  std::shared_ptr<const Policy> baseline = options.baseline_policy;
  if (!baseline) {
    for (const auto& s : scenarios) {
      if (s.name == "baseline") baseline = s.policy;
    }
  }

  // Distinct worlds and runs.
  std::vector<std::shared_ptr<const World>> worlds;
  auto world_slot = [&](const std::shared_ptr<const World>& w) {
    for (std::size_t i = 0; i < worlds.size(); ++i) {
      if (worlds[i]->fingerprint == w->fingerprint) return i;
    }
    worlds.push_back(w);
    return worlds.size() - 1;
  };
  std::vector<RunPlan> plans;
  auto run_slot = [&](std::size_t world, const std::shared_ptr<const Policy>& policy) {
    for (std::size_t i = 0; i < plans.size(); ++i) {
      if (plans[i].world == world && plans[i].policy->fingerprint == policy->fingerprint) {
        return i;
      }
    }
    plans.push_back({world, policy});
    return plans.size() - 1;
  };
  const auto no_controls = std::make_shared<const Policy>(no_controls_policy());
  std::vector<ScenarioRuns> scenario_runs;
  for (const auto& s : scenarios) {
    const std::size_t w = world_slot(s.world);
    ScenarioRuns r{};
    r.own = run_slot(w, s.policy);
    r.no_controls = run_slot(w, no_controls);
    r.baseline = baseline ? static_cast<std::ptrdiff_t>(run_slot(w, baseline)) : -1;
    scenario_runs.push_back(r);
  }
  // Runs that are some scenario's own run record every series; the rest are counterfactuals
  // that only feed paired metrics.
  std::vector<ScenarioModel::Recording> recording(plans.size(),
                                                  ScenarioModel::Recording::paired_inputs);
  for (const auto& r : scenario_runs) recording[r.own] = ScenarioModel::Recording::all_series;
  std::vector<ScenarioModel> models;
  for (const auto& plan : plans) {
    models.emplace_back(worlds[plan.world], plan.policy, months, options.threshold_multiple,
                        options.solver);
  }
  std::vector<WorldSampler> samplers;
  for (const auto& w : worlds) samplers.emplace_back(*w);

  // Results skeleton.
  Results results;
  results.metrics = series_metric_catalogue();
  results.scalar_metrics = scalar_metric_catalogue();
  results.quantiles = options.quantiles;
  for (std::size_t k = 0; k < months; ++k) {
    results.dates.push_back(format_year_month(add_months(start, static_cast<int>(k))));
  }
  for (std::size_t s = 0; s < scenarios.size(); ++s) {
    const auto& sc = scenarios[s];
    ScenarioInfo info{sc.name,
                      sc.title,
                      sc.description,
                      sc.world->name,
                      sc.policy->name,
                      sc.fingerprint,
                      sc.world->fingerprint,
                      sc.policy->fingerprint,
                      sc.files,
                      scenario_runs[s].baseline >= 0};
    results.scenarios.push_back(std::move(info));
  }

  const std::size_t n_scen = scenarios.size();
  const std::size_t n_metrics = detail::metric_count;
  const std::size_t n_scalars = detail::scalar_count;
  const std::size_t series_cells = n_scen * n_metrics * months;
  const std::size_t total_cells = series_cells + n_scen * n_scalars;

  // Raw per-sample output.
  std::vector<std::size_t> raw_dates = options.raw_date_indices;
  if (options.keep_raw) {
    if (raw_dates.empty()) {
      for (std::size_t k = 0; k < months; ++k) {
        if (add_months(start, static_cast<int>(k)).month == 1) raw_dates.push_back(k);
      }
    }
    for (std::size_t d : raw_dates) {
      if (d >= months) throw std::invalid_argument("a raw output month is beyond the horizon");
    }
    const std::size_t per_sample =
        (n_scen * (n_metrics * raw_dates.size() + n_scalars) + worlds.front()->parameters.size()) *
        sizeof(double);
    if (per_sample * n_samples > options.raw_limit_bytes) {
      throw std::invalid_argument(
          "keeping per-sample values would need " +
          std::to_string(per_sample * n_samples / (1u << 20)) + " MiB, above the limit of " +
          std::to_string(options.raw_limit_bytes / (1u << 20)) +
          " MiB; ask for fewer samples or fewer raw months");
    }
    results.raw_date_indices = raw_dates;
    results.raw_series.reserve(n_samples * n_scen * n_metrics * raw_dates.size());
    results.raw_scalars.reserve(n_samples * n_scen * n_scalars);
    results.raw_parameters.reserve(n_samples * worlds.front()->parameters.size());
    for (const auto& p : worlds.front()->parameters) results.raw_parameter_names.push_back(p.name);
  }

  std::vector<SummaryCell> cells(total_cells, SummaryCell(options.quantile_accuracy));
  std::vector<char> is_probability(total_cells, 0);
  for (std::size_t s = 0; s < n_scen; ++s) {
    for (std::size_t m = 0; m < n_metrics; ++m) {
      const bool prob = results.metrics[m].kind == MetricKind::probability;
      for (std::size_t k = 0; k < months; ++k) is_probability[(s * n_metrics + m) * months + k] = prob;
    }
  }

  std::size_t wave = options.wave_size;
  if (wave == 0) {
    constexpr std::size_t budget = std::size_t{64} << 20;
    wave = std::clamp<std::size_t>(budget / (total_cells * sizeof(double)), 64, 1024);
  }
  wave = std::min<std::size_t>(wave, n_samples);
  std::vector<double> buffer(total_cells * wave);
  std::vector<std::exception_ptr> errors(wave);
  std::vector<std::vector<double>> wave_parameters(options.keep_raw ? wave : 0);

  const int max_threads = tbb::info::default_concurrency();
  const int threads = options.threads == 0 ? max_threads : static_cast<int>(options.threads);
  // More threads than cores is allowed (results do not depend on it, and the thread-count
  // tests use it); TBB's default market caps workers at the core count unless told otherwise.
  std::optional<tbb::global_control> allow_oversubscription;
  if (threads > max_threads) {
    allow_oversubscription.emplace(tbb::global_control::max_allowed_parallelism,
                                   static_cast<std::size_t>(threads));
  }
  tbb::task_arena arena(threads);
  tbb::enumerable_thread_specific<Scratch> scratch_pool;
  std::uint64_t total_steps = 0;
  std::vector<std::uint64_t> wave_steps(wave, 0);

  auto cancelled = [&] {
    return options.cancel != nullptr && options.cancel->load(std::memory_order_relaxed);
  };

  for (std::uint64_t first = 0; first < n_samples; first += wave) {
    const std::size_t count = static_cast<std::size_t>(std::min<std::uint64_t>(wave, n_samples - first));
    std::fill(errors.begin(), errors.end(), nullptr);

    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, count, 1), [&](const auto& range) {
        Scratch& sc = scratch_pool.local();
        if (sc.values.size() != worlds.size()) {
          sc.values.resize(worlds.size());
          sc.inputs.resize(worlds.size());
          for (std::size_t w = 0; w < worlds.size(); ++w) {
            sc.values[w].resize(samplers[w].size());
          }
          sc.outputs.resize(plans.size());
        }
        for (std::size_t j = range.begin(); j != range.end(); ++j) {
          if (cancelled()) return;
          const std::uint64_t sample = first + j;
          std::size_t current_run = plans.size();
          try {
            for (std::size_t w = 0; w < worlds.size(); ++w) {
              samplers[w].sample(options.seed, sample, sc.values[w], options.central);
              sc.inputs[w] = ModelInputs::from_sample(*worlds[w], sc.values[w]);
            }
            std::uint64_t steps = 0;
            for (std::size_t r = 0; r < plans.size(); ++r) {
              current_run = r;
              models[r].simulate(sc.inputs[plans[r].world], sc.outputs[r], recording[r]);
              steps += sc.outputs[r].steps;
            }
            wave_steps[j] = steps;
            // This sample's row of the wave buffer: every scenario's metrics, contiguous.
            double* row = &buffer[j * total_cells];
            for (std::size_t s = 0; s < n_scen; ++s) {
              const auto& runs = scenario_runs[s];
              detail::scenario_metrics(
                  sc.outputs[runs.own], &sc.outputs[runs.no_controls],
                  runs.baseline >= 0 ? &sc.outputs[static_cast<std::size_t>(runs.baseline)]
                                     : nullptr,
                  std::span<double>(row + s * n_metrics * months, n_metrics * months),
                  std::span<double>(row + series_cells + s * n_scalars, n_scalars));
            }
            if (options.keep_raw) wave_parameters[j] = sc.values.front();
          } catch (const SimulationError& e) {
            std::string where = "sample " + std::to_string(sample);
            if (current_run < plans.size()) {
              const auto& plan = plans[current_run];
              where += ", policy \"" + plan.policy->name + "\" in world \"" +
                       worlds[plan.world]->name + "\"";
              where += ": " + std::string(e.what()) + ". Drawn values of this sample: " +
                       drawn_values(*worlds[plan.world], sc.values[plan.world]);
            } else {
              where += ": " + std::string(e.what());
            }
            errors[j] = std::make_exception_ptr(SimulationError(where));
          } catch (...) {
            errors[j] = std::current_exception();
          }
        }
      });
    });
    if (cancelled()) throw RunCancelled();
    for (std::size_t j = 0; j < count; ++j) {
      if (errors[j]) std::rethrow_exception(errors[j]);
    }

    // Fold the wave into the summaries: each cell takes its values in sample order, so the
    // result does not depend on which thread computed which sample. A task owns a block of
    // neighbouring cells; fold_rows batches each cell's values (summary/summary_cell.hpp).
    arena.execute([&] {
      tbb::parallel_for(tbb::blocked_range<std::size_t>(0, total_cells, 32), [&](const auto& range) {
        fold_rows(std::span(cells).subspan(range.begin(), range.size()),
                  std::span<const char>(is_probability).subspan(range.begin(), range.size()),
                  buffer.data() + range.begin(), count, total_cells);
      });
    });
    for (std::size_t j = 0; j < count; ++j) total_steps += wave_steps[j];

    if (options.keep_raw) {
      for (std::size_t j = 0; j < count; ++j) {
        for (std::size_t s = 0; s < n_scen; ++s) {
          for (std::size_t m = 0; m < n_metrics; ++m) {
            for (std::size_t d : raw_dates) {
              results.raw_series.push_back(buffer[j * total_cells + (s * n_metrics + m) * months + d]);
            }
          }
          for (std::size_t k = 0; k < n_scalars; ++k) {
            results.raw_scalars.push_back(buffer[j * total_cells + series_cells + s * n_scalars + k]);
          }
        }
        results.raw_parameters.insert(results.raw_parameters.end(), wave_parameters[j].begin(),
                                      wave_parameters[j].end());
      }
    }
    if (options.progress) options.progress(first + count, n_samples);
  }

  // Final statistics.
  const std::size_t n_stats = 1 + options.quantiles.size();
  auto finish = [&](const SummaryCell& cell, bool probability, double* stats) {
    stats[0] = cell.mean();
    const std::span<double> out(stats + 1, options.quantiles.size());
    if (probability || cell.counts().finite + cell.counts().infinite == 0) {
      std::fill(out.begin(), out.end(), nan);
    } else {
      cell.sketch().quantiles(options.quantiles, out);
    }
  };
  results.series.assign(series_cells * n_stats, nan);
  results.series_counts.resize(series_cells);
  for (std::size_t c = 0; c < series_cells; ++c) {
    finish(cells[c], is_probability[c] != 0, &results.series[c * n_stats]);
    results.series_counts[c] = cells[c].counts();
  }
  results.scalars.assign(n_scen * n_scalars * n_stats, nan);
  results.scalar_counts.resize(n_scen * n_scalars);
  for (std::size_t c = 0; c < n_scen * n_scalars; ++c) {
    finish(cells[series_cells + c], false, &results.scalars[c * n_stats]);
    results.scalar_counts[c] = cells[series_cells + c].counts();
  }

  results.assumptions_json = assumptions_json(scenarios, worlds);

  RunInfo& info = results.info;
  info.engine_version = std::string(engine_version());
  info.git_commit = std::string(engine_git_commit());
  info.compiler = std::string(engine_compiler());
  info.build_type = std::string(engine_build_type());
  info.seed = options.seed;
  info.samples = n_samples;
  info.threads = static_cast<unsigned>(threads);
  info.central = options.central;
  info.start = start;
  info.horizon = options.horizon;
  info.threshold_multiple = options.threshold_multiple;
  info.solver = options.solver;
  info.quantile_accuracy = options.quantile_accuracy;
  info.wave_size = wave;
  info.solver_steps = total_steps;
  info.baseline_policy = baseline ? baseline->name : "";
  info.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
  return results;
}

}  // namespace gapcast
