#include "gapcast/run/results.hpp"

namespace gapcast {
namespace {

const nlohmann::json& member(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key)) {
    throw std::invalid_argument(std::string("run information has no \"") + key + "\"");
  }
  return j.at(key);
}

}  // namespace

nlohmann::ordered_json to_json(const RunInfo& i) {
  nlohmann::ordered_json j;
  j["engine_version"] = i.engine_version;
  j["git_commit"] = i.git_commit;
  j["compiler"] = i.compiler;
  j["build_type"] = i.build_type;
  j["seed"] = i.options.seed;
  j["samples"] = i.samples;
  j["threads"] = i.threads;
  j["central"] = i.options.central;
  j["start"] = format_year_month(i.start);
  j["horizon"] = format_year_month(i.options.horizon);
  j["threshold_multiple"] = i.options.threshold_multiple;
  nlohmann::ordered_json solver;
  solver["abs_tolerance"] = i.options.solver.abs_tolerance;
  solver["rel_tolerance"] = i.options.solver.rel_tolerance;
  solver["max_step_months"] = i.options.solver.max_step_months;
  solver["max_steps"] = i.options.solver.max_steps;
  j["solver"] = solver;
  j["quantile_accuracy"] = i.options.quantile_accuracy;
  j["wave_size"] = i.wave_size;
  j["wall_seconds"] = i.wall_seconds;
  j["solver_steps"] = i.solver_steps;
  j["baseline_policy"] = i.baseline_policy;
  if (!i.options.observations.empty()) {
    j["weight_sum"] = i.weight_sum;
    j["effective_sample_size"] = i.effective_sample_size;
  }
  if (!i.warnings.empty()) j["warnings"] = i.warnings;
  j["options"] = to_json(i.options);
  return j;
}

RunInfo run_info_from_json(const nlohmann::json& j) {
  try {
    RunInfo i;
    i.engine_version = member(j, "engine_version").get<std::string>();
    i.git_commit = member(j, "git_commit").get<std::string>();
    i.compiler = member(j, "compiler").get<std::string>();
    i.build_type = member(j, "build_type").get<std::string>();
    i.options = run_options_from_json(member(j, "options"));
    i.samples = member(j, "samples").get<std::uint64_t>();
    i.threads = member(j, "threads").get<unsigned>();
    i.wave_size = member(j, "wave_size").get<std::size_t>();
    const auto start = parse_year_month(member(j, "start").get<std::string>());
    if (!start) throw std::invalid_argument("run information has a bad start month");
    i.start = *start;
    i.wall_seconds = member(j, "wall_seconds").get<double>();
    i.solver_steps = member(j, "solver_steps").get<std::uint64_t>();
    i.baseline_policy = member(j, "baseline_policy").get<std::string>();
    // Present only for conditioned runs and runs with warnings.
    if (j.contains("weight_sum")) i.weight_sum = j["weight_sum"].get<double>();
    if (j.contains("effective_sample_size")) {
      i.effective_sample_size = j["effective_sample_size"].get<double>();
    }
    if (j.contains("warnings")) i.warnings = j["warnings"].get<std::vector<std::string>>();
    return i;
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(std::string("run information is malformed: ") + e.what());
  }
}

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

}  // namespace gapcast
