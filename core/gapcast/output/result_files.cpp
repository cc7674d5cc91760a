#include "gapcast/output/result_files.hpp"
#include "gapcast/output/detail/manifest_support.hpp"

#include <charconv>
#include <cmath>
#include <ctime>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "gapcast/output/atomic_output.hpp"
#include "gapcast/util/number_text.hpp"
#include "gapcast/util/sha256.hpp"

namespace gapcast {
namespace {

using ordered = nlohmann::ordered_json;
using detail::source_files_json;
using detail::utc_now;

/// Statistic labels: "mean", then "p5", "p25", ... ("p2.5" for fractional levels).
std::vector<std::string> stat_labels(const Results& r) {
  std::vector<std::string> labels{"mean"};
  for (double q : r.quantiles) labels.push_back("p" + format_number(q * 100.0));
  return labels;
}

ordered number_or_null(double x) { return std::isfinite(x) ? ordered(x) : ordered(nullptr); }

ordered scenario_input_json(const ScenarioInput& in) {
  ordered j;
  if (!in.file.empty()) {
    j["file"] = in.file;
  } else {
    // Embedded as JSON rather than as a string so that the manifest stays readable; the
    // loader hashes its own canonical dump, which does not depend on key order or spacing.
    j["document"] = ordered::parse(in.document);
    j["label"] = in.label;
    j["base_dir"] = in.base_dir;
  }
  if (!in.files.empty()) j["files"] = source_files_json(in.files);
  return j;
}

const nlohmann::json& member(const nlohmann::json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) {
    throw std::invalid_argument(where + " has no \"" + key + "\"");
  }
  return j.at(key);
}

std::string string_member(const nlohmann::json& j, const char* key, const std::string& where) {
  const auto& v = member(j, key, where);
  if (!v.is_string()) throw std::invalid_argument(where + "/" + key + " is not a string");
  return v.get<std::string>();
}

ScenarioInput scenario_input_from_json(const nlohmann::json& j, const std::string& where) {
  if (!j.is_object()) throw std::invalid_argument(where + " is not an object");
  ScenarioInput in;
  if (j.contains("file")) {
    in.file = string_member(j, "file", where);
    if (in.file.empty()) throw std::invalid_argument(where + "/file is empty");
  } else {
    const auto& doc = member(j, "document", where);
    if (!doc.is_object()) throw std::invalid_argument(where + "/document is not an object");
    in.document = doc.dump();
    in.label = string_member(j, "label", where);
    in.base_dir = string_member(j, "base_dir", where);
  }
  if (j.contains("files")) {
    const auto& files = j.at("files");
    if (!files.is_array()) throw std::invalid_argument(where + "/files is not a list");
    for (std::size_t i = 0; i < files.size(); ++i) {
      const std::string at = where + "/files/" + std::to_string(i);
      in.files.push_back({string_member(files[i], "role", at), string_member(files[i], "path", at),
                          "", string_member(files[i], "sha256", at)});
    }
  }
  return in;
}

}  // namespace

std::string run_inputs_json(const RunInputs& inputs) {
  ordered j;
  ordered scenarios = ordered::array();
  for (const auto& s : inputs.scenarios) scenarios.push_back(scenario_input_json(s));
  j["scenarios"] = scenarios;
  j["baseline"] = inputs.baseline ? scenario_input_json(*inputs.baseline) : ordered(nullptr);
  j["set"] = inputs.set;
  return j.dump(1);
}

RunInputs run_inputs_from_json(std::string_view text) {
  const auto j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) throw std::invalid_argument("inputs: not valid JSON");
  RunInputs inputs;
  const auto& scenarios = member(j, "scenarios", "inputs");
  if (!scenarios.is_array() || scenarios.empty()) {
    throw std::invalid_argument("inputs/scenarios is not a non-empty list");
  }
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    inputs.scenarios.push_back(
        scenario_input_from_json(scenarios[i], "inputs/scenarios/" + std::to_string(i)));
  }
  if (j.contains("baseline") && !j.at("baseline").is_null()) {
    inputs.baseline = scenario_input_from_json(j.at("baseline"), "inputs/baseline");
  }
  if (j.contains("set")) {
    const auto& set = j.at("set");
    if (!set.is_array()) throw std::invalid_argument("inputs/set is not a list");
    for (const auto& v : set) {
      if (!v.is_string()) throw std::invalid_argument("inputs/set holds a non-string");
      inputs.set.push_back(v.get<std::string>());
    }
  }
  return inputs;
}

/// A conditioned run's outcome (the observations themselves are in the options): how much the
/// weighted samples are worth, and the warnings the run gave.
static void add_conditioning(const RunInfo& info, ordered& run) {
  if (info.options.observations.empty()) return;
  run["observations"] = info.options.observations.size();
  run["effective_sample_size"] = info.effective_sample_size;
  run["weight_sum"] = info.weight_sum;
  run["warnings"] = info.warnings;
}

std::string results_json(const Results& r) {
  ordered j;
  j["format"] = "gapcast-results";
  j["format_version"] = 1;
  j["engine_version"] = r.info.engine_version;
  ordered run;
  run["seed"] = r.info.options.seed;
  run["samples"] = r.info.samples;
  run["central"] = r.info.options.central;
  run["start"] = format_year_month(r.info.start);
  run["horizon"] = format_year_month(r.info.options.horizon);
  run["threshold_multiple"] = r.info.options.threshold_multiple;
  run["baseline_policy"] = r.info.baseline_policy;
  run["quantile_accuracy"] = r.info.options.quantile_accuracy;
  add_conditioning(r.info, run);
  j["run"] = run;
  j["dates"] = r.dates;
  j["quantiles"] = r.quantiles;
  ordered scenarios = ordered::array();
  for (const auto& s : r.scenarios) {
    ordered e;
    e["name"] = s.name;
    e["title"] = s.title;
    e["world"] = s.world_name;
    e["policy"] = s.policy_name;
    e["fingerprint"] = s.fingerprint;
    e["world_fingerprint"] = s.world_fingerprint;
    e["policy_fingerprint"] = s.policy_fingerprint;
    scenarios.push_back(e);
  }
  j["scenarios"] = scenarios;
  ordered metrics = ordered::array(), scalar_metrics = ordered::array();
  for (const auto& m : r.metrics) metrics.push_back(to_json(m));
  for (const auto& m : r.scalar_metrics) scalar_metrics.push_back(to_json(m));
  j["metrics"] = metrics;
  j["scalar_metrics"] = scalar_metrics;

  const auto labels = stat_labels(r);
  const std::size_t n_stats = r.stats(), n_dates = r.dates.size();
  ordered series;
  for (std::size_t s = 0; s < r.scenarios.size(); ++s) {
    ordered per_metric;
    for (std::size_t m = 0; m < r.metrics.size(); ++m) {
      ordered stats;
      const bool probability = r.metrics[m].kind == MetricKind::probability;
      for (std::size_t st = 0; st < (probability ? 1 : n_stats); ++st) {
        ordered values = ordered::array();
        for (std::size_t k = 0; k < n_dates; ++k) {
          values.push_back(number_or_null(r.series_value(s, m, k, st)));
        }
        stats[probability ? std::string("probability") : labels[st]] = values;
      }
      per_metric[r.metrics[m].name] = stats;
    }
    series[r.scenarios[s].name] = per_metric;
  }
  j["series"] = series;

  ordered scalars;
  for (std::size_t s = 0; s < r.scenarios.size(); ++s) {
    ordered per_metric;
    for (std::size_t m = 0; m < r.scalar_metrics.size(); ++m) {
      ordered stats;
      for (std::size_t st = 0; st < n_stats; ++st) {
        stats[labels[st]] = number_or_null(r.scalar_value(s, m, st));
      }
      const auto& counts = r.scalar_counts[s * r.scalar_metrics.size() + m];
      stats["samples_finite"] = counts.finite;
      stats["samples_beyond_horizon"] = counts.infinite;
      stats["samples_undefined"] = counts.undefined;
      per_metric[r.scalar_metrics[m].name] = stats;
    }
    scalars[r.scenarios[s].name] = per_metric;
  }
  j["scalars"] = scalars;
  return j.dump(1) + "\n";
}

std::string series_csv(const Results& r) {
  const auto labels = stat_labels(r);
  std::string out = "scenario,metric,date";
  for (const auto& l : labels) out += "," + l;
  out += "\n";
  for (std::size_t s = 0; s < r.scenarios.size(); ++s) {
    for (std::size_t m = 0; m < r.metrics.size(); ++m) {
      for (std::size_t k = 0; k < r.dates.size(); ++k) {
        out += csv_field(r.scenarios[s].name) + "," + r.metrics[m].name + "," + r.dates[k];
        for (std::size_t st = 0; st < r.stats(); ++st) {
          out += "," + format_number(r.series_value(s, m, k, st));
        }
        out += "\n";
      }
    }
  }
  return out;
}

std::string scalars_csv(const Results& r) {
  const auto labels = stat_labels(r);
  std::string out = "scenario,metric";
  for (const auto& l : labels) out += "," + l;
  out += ",samples_finite,samples_beyond_horizon,samples_undefined\n";
  for (std::size_t s = 0; s < r.scenarios.size(); ++s) {
    for (std::size_t m = 0; m < r.scalar_metrics.size(); ++m) {
      out += csv_field(r.scenarios[s].name) + "," + r.scalar_metrics[m].name;
      for (std::size_t st = 0; st < r.stats(); ++st) {
        out += "," + format_number(r.scalar_value(s, m, st));
      }
      const auto& c = r.scalar_counts[s * r.scalar_metrics.size() + m];
      out += "," + std::to_string(c.finite) + "," + std::to_string(c.infinite) + "," +
             std::to_string(c.undefined) + "\n";
    }
  }
  return out;
}

std::string samples_csv(const Results& r) {
  if (r.raw_scalars.empty()) return "";
  const std::size_t n_scen = r.scenarios.size(), n_m = r.metrics.size(),
                    n_d = r.raw_date_indices.size(), n_k = r.scalar_metrics.size(),
                    n_p = r.raw_parameter_names.size();
  const std::size_t n_samples = r.raw_scalars.size() / (n_scen * n_k);
  std::string out = "sample,scenario";
  for (const auto& m : r.scalar_metrics) out += "," + m.name;
  for (const auto& m : r.metrics) {
    for (std::size_t d : r.raw_date_indices) out += "," + m.name + "@" + r.dates[d];
  }
  // The drawn parameters under the names `--set` gives them (world.chips.h20.tpp): the prefix
  // keeps them apart from the metric columns, whatever a parameter is called.
  for (const auto& name : r.raw_parameter_names) out += "," + csv_field("world." + name);
  // A conditioned run: each sample's weight, the product of its likelihoods.
  const bool weighted = !r.raw_weights.empty();
  if (weighted) out += ",weight";
  out += "\n";
  for (std::size_t i = 0; i < n_samples; ++i) {
    for (std::size_t s = 0; s < n_scen; ++s) {
      out += std::to_string(i) + "," + csv_field(r.scenarios[s].name);
      for (std::size_t k = 0; k < n_k; ++k) {
        out += "," + format_number(r.raw_scalars[(i * n_scen + s) * n_k + k]);
      }
      for (std::size_t m = 0; m < n_m; ++m) {
        for (std::size_t d = 0; d < n_d; ++d) {
          out += "," + format_number(r.raw_series[((i * n_scen + s) * n_m + m) * n_d + d]);
        }
      }
      // A parameter the scenario's world does not have is NaN, written as an empty field.
      for (std::size_t p = 0; p < n_p; ++p) {
        out += "," + format_number(r.raw_parameters[(i * n_scen + s) * n_p + p]);
      }
      if (weighted) out += "," + format_number(r.raw_weights[i]);
      out += "\n";
    }
  }
  return out;
}

std::string manifest_json(const Results& r, const std::vector<std::string>& command,
                          const std::vector<std::pair<std::string, std::string>>& files,
                          const RunInputs* inputs) {
  ordered j;
  j["format"] = "gapcast-manifest";
  j["format_version"] = 1;
  ordered engine;
  engine["version"] = r.info.engine_version;
  engine["git_commit"] = r.info.git_commit;
  engine["compiler"] = r.info.compiler;
  engine["build_type"] = r.info.build_type;
  j["engine"] = engine;
  ordered run;
  run["seed"] = r.info.options.seed;
  run["samples"] = r.info.samples;
  run["central"] = r.info.options.central;
  run["threads"] = r.info.threads;
  run["start"] = format_year_month(r.info.start);
  run["horizon"] = format_year_month(r.info.options.horizon);
  run["threshold_multiple"] = r.info.options.threshold_multiple;
  run["baseline_policy"] = r.info.baseline_policy;
  run["quantiles"] = r.quantiles;
  run["quantile_accuracy"] = r.info.options.quantile_accuracy;
  run["wave_size"] = r.info.wave_size;
  // Raw output changes the result files (samples.csv), so a rerun must ask for the same
  // months; they are recorded as months rather than indices to read without the start month.
  run["keep_raw"] = !r.raw_scalars.empty();
  ordered raw_dates = ordered::array();
  for (std::size_t d : r.raw_date_indices) {
    if (d < r.dates.size()) raw_dates.push_back(r.dates[d]);
  }
  run["raw_dates"] = raw_dates;
  run["wall_seconds"] = r.info.wall_seconds;
  run["solver_steps"] = r.info.solver_steps;
  run["created_utc"] = utc_now();
  add_conditioning(r.info, run);
  j["run"] = run;
  ordered solver;
  solver["method"] = "Boost.Odeint runge_kutta_dopri5, dense output, error-controlled";
  solver["abs_tolerance"] = r.info.options.solver.abs_tolerance;
  solver["rel_tolerance"] = r.info.options.solver.rel_tolerance;
  solver["max_step_months"] = r.info.options.solver.max_step_months;
  solver["max_steps"] = r.info.options.solver.max_steps;
  solver["restart_at_breakpoints"] = true;
  j["solver"] = solver;
  // The options exactly as the run was given them: what `gapcast reproduce` reruns (the two
  // sections above are the same settings, kept for reading).
  j["options"] = to_json(r.info.options);
  detail::add_manifest_tail(j, r.scenarios, files, command,
                            inputs != nullptr ? run_inputs_json(*inputs) : std::string());
  return j.dump(1) + "\n";
}

std::vector<std::pair<std::string, std::string>> result_file_contents(
    const Results& results, const std::vector<std::string>& command, const RunInputs* inputs,
    const std::vector<std::pair<std::string, std::string>>& streamed) {
  std::vector<std::pair<std::string, std::string>> contents{
      {"results.json", results_json(results)},
      {"series.csv", series_csv(results)},
      {"scalars.csv", scalars_csv(results)},
  };
  if (!results.assumptions_json.empty()) contents.emplace_back("assumptions.json", results.assumptions_json);
  if (std::string raw = samples_csv(results); !raw.empty()) {
    contents.emplace_back("samples.csv", std::move(raw));
  }
  std::vector<std::pair<std::string, std::string>> digests;
  for (const auto& [name, text] : contents) digests.emplace_back(name, sha256_hex(text));
  for (const auto& file : streamed) digests.push_back(file);
  contents.emplace_back("manifest.json", manifest_json(results, command, digests, inputs));
  return contents;
}

std::vector<std::string> write_results(
    const Results& results, OutputTransaction& output, const std::vector<std::string>& command,
    const RunInputs* inputs, const std::vector<std::pair<std::string, std::string>>& streamed) {
  std::vector<std::string> names;
  for (const auto& [name, text] : result_file_contents(results, command, inputs, streamed)) {
    output.write(name, text);
    names.push_back(name);
  }
  for (const auto& file : streamed) names.push_back(file.first);
  output.commit();
  return names;
}

std::vector<std::string> write_results(const Results& results, const std::filesystem::path& out_dir,
                                       const std::vector<std::string>& command,
                                       const RunInputs* inputs) {
  OutputTransaction output(out_dir);
  return write_results(results, output, command, inputs);
}

}  // namespace gapcast
