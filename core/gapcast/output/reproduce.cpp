#include "gapcast/output/reproduce.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "gapcast/output/ensemble_file.hpp"
#include "gapcast/output/sensitivity_files.hpp"
#include "gapcast/scenario/loader.hpp"
#include "gapcast/util/build_info.hpp"
#include "gapcast/util/sha256.hpp"

namespace gapcast {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// The result files gapcast writes beside a manifest: the only names a manifest may list.
const std::vector<std::string> result_file_names{"results.json", "series.csv", "scalars.csv",
                                                 "assumptions.json", "samples.csv",
                                                 "ensemble.parquet", "sensitivity.json",
                                                 "sensitivity.csv"};

const json& need(const json& j, const char* key, const std::string& where) {
  if (!j.is_object() || !j.contains(key)) {
    throw ManifestError("the manifest has no " + where + (where.empty() ? "" : "/") + key);
  }
  return j.at(key);
}

std::string text_member(const json& j, const char* key, const std::string& where) {
  const auto& v = need(j, key, where);
  if (!v.is_string()) throw ManifestError("the manifest's " + where + "/" + key + " is not text");
  return v.get<std::string>();
}

bool is_sha256_hex(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

/// The run options: the manifest's "options" (written since options had one JSON form), or,
/// for older manifests, the same settings from its "run" and "solver" sections. Either way
/// they pass the validator, so a manifest cannot ask for a run no command line could.
RunOptions recorded_options(const json& manifest, unsigned threads) {
  json given;
  if (manifest.contains("options")) {
    given = manifest.at("options");
  } else {
    const auto& run = need(manifest, "run", "");
    given = json::object();
    for (const char* key : {"samples", "seed", "central", "horizon", "threshold_multiple",
                            "quantiles", "quantile_accuracy", "wave_size", "keep_raw"}) {
      if (run.contains(key) && !run.at(key).is_null()) given[key] = run.at(key);
    }
    if (run.value("keep_raw", false) && run.contains("raw_dates")) given["raw_dates"] = run.at("raw_dates");
    if (manifest.contains("solver") && manifest.at("solver").is_object()) {
      const auto& solver = manifest.at("solver");
      const std::pair<const char*, const char*> names[] = {{"abs_tolerance", "atol"},
                                                           {"rel_tolerance", "rtol"},
                                                           {"max_step_months", "max_step_months"},
                                                           {"max_steps", "max_steps"}};
      for (const auto& [from, to] : names) {
        if (solver.contains(from)) given[to] = solver.at(from);
      }
    }
  }
  if (given.is_object()) {
    given["threads"] = threads;
    // The raw limit only guards memory; the recorded run fitted within its own.
    given["raw_limit_bytes"] = RunOptionLimits::max_raw_limit_bytes;
  }
  try {
    return run_options_from_json(given);
  } catch (const RunOptionError& e) {
    throw ManifestError("the manifest's options/" + e.option() + " " + e.problem());
  }
}

/// RunInputs for a manifest written before "inputs" was recorded: the scenario files from the
/// scenario list, the --set overrides from its "override" entries, and --baseline from the
/// recorded command line.
RunInputs inputs_from_legacy(const json& manifest) {
  RunInputs inputs;
  const auto& scenarios = need(manifest, "scenarios", "");
  if (!scenarios.is_array()) throw ManifestError("the manifest's scenarios is not a list");
  for (const auto& s : scenarios) {
    for (const auto& f : need(s, "files", "scenarios[]")) {
      if (f.is_object() && f.value("role", "") == "scenario" && f.contains("path") &&
          f.at("path").is_string()) {
        inputs.scenarios.push_back(ScenarioInput{f.at("path").get<std::string>(), "", "", "", {}});
        break;
      }
    }
  }
  if (inputs.scenarios.size() != scenarios.size()) {
    throw ManifestError("the manifest does not name a scenario file for every scenario");
  }
  if (!scenarios.empty()) {
    const std::string prefix = "--set ";
    for (const auto& f : scenarios.front().at("files")) {
      const std::string path = f.is_object() ? f.value("path", "") : "";
      if (f.value("role", "") == "override" && path.rfind(prefix, 0) == 0) {
        inputs.set.push_back(path.substr(prefix.size()));
      }
    }
  }
  if (manifest.contains("command") && manifest.at("command").is_array()) {
    const auto& command = manifest.at("command");
    for (std::size_t i = 0; i < command.size(); ++i) {
      const std::string arg = command[i].is_string() ? command[i].get<std::string>() : "";
      std::string file;
      if (arg == "--baseline" && i + 1 < command.size() && command[i + 1].is_string()) {
        file = command[i + 1].get<std::string>();
      } else if (arg.rfind("--baseline=", 0) == 0) {
        file = arg.substr(11);
      }
      if (!file.empty()) inputs.baseline = ScenarioInput{file, "", "", "", {}};
    }
  }
  return inputs;
}

/// Loads the inputs in order (files and in-memory documents may be mixed). Consecutive files
/// are loaded in one call, as the command line loads them, so that a world shared by several
/// scenarios reports its warnings once. Throws InputError.
std::vector<Scenario> load_inputs(const std::vector<ScenarioInput>& inputs,
                                  const LoadOptions& options, std::vector<Diagnostic>& warnings) {
  std::vector<Scenario> out;
  std::vector<std::string> files;
  auto take = [&](LoadResult loaded) {
    for (auto& w : loaded.warnings) {
      const bool seen = std::any_of(warnings.begin(), warnings.end(), [&](const Diagnostic& d) {
        return format_diagnostic(d) == format_diagnostic(w);
      });
      if (!seen) warnings.push_back(std::move(w));
    }
    for (auto& s : loaded.scenarios) out.push_back(std::move(s));
  };
  auto flush = [&] {
    if (!files.empty()) take(load_scenarios(files, options));
    files.clear();
  };
  for (const auto& in : inputs) {
    if (!in.file.empty()) {
      files.push_back(in.file);
      continue;
    }
    flush();
    take(load_scenario_json(json::parse(in.document), in.label, in.base_dir, options));
  }
  flush();
  return out;
}

std::string short_hash(const std::string& hex) { return hex.size() > 12 ? hex.substr(0, 12) : hex; }

/// Compares the files a scenario reads now with those recorded (role, path, SHA-256).
void compare_files(const std::vector<SourceFile>& now, const std::vector<SourceFile>& recorded,
                   std::vector<InputChange>& changes) {
  for (const auto& r : recorded) {
    const SourceFile* match = nullptr;
    for (const auto& n : now) {
      if (n.role == r.role && n.display_name == r.display_name) match = &n;
    }
    if (match == nullptr) {
      changes.push_back({r.display_name, r.role, "no longer read by the scenario"});
    } else if (match->sha256 != r.sha256) {
      changes.push_back({r.display_name, r.role,
                         "CHANGED: sha256 " + short_hash(r.sha256) + "... recorded, now " +
                             short_hash(match->sha256) + "..."});
    }
  }
  for (const auto& n : now) {
    const bool known = std::any_of(recorded.begin(), recorded.end(), [&](const SourceFile& r) {
      return n.role == r.role && n.display_name == r.display_name;
    });
    if (!known) changes.push_back({n.display_name, n.role, "read now but not recorded in the manifest"});
  }
}

std::vector<SourceFile> recorded_files(const json& files) {
  std::vector<SourceFile> out;
  if (!files.is_array()) throw ManifestError("the manifest lists a scenario's files wrongly");
  for (const auto& f : files) {
    if (!f.is_object()) throw ManifestError("the manifest lists a scenario's files wrongly");
    out.push_back({f.value("role", ""), f.value("path", ""), "", f.value("sha256", "")});
  }
  return out;
}

/// The result files the manifest records, checked: known names only, proper digests.
std::vector<std::pair<std::string, std::string>> recorded_outputs(const json& manifest) {
  const auto& outputs = need(manifest, "outputs", "");
  if (!outputs.is_array()) throw ManifestError("the manifest's outputs is not a list");
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& o : outputs) {
    const std::string name = text_member(o, "path", "outputs[]");
    const std::string digest = text_member(o, "sha256", "outputs[]");
    if (std::find(result_file_names.begin(), result_file_names.end(), name) ==
        result_file_names.end()) {
      throw ManifestError("the manifest lists \"" + name +
                          "\" among its outputs, which is not a result file gapcast writes");
    }
    if (!is_sha256_hex(digest)) {
      throw ManifestError("the manifest's digest of " + name + " is not a SHA-256");
    }
    out.emplace_back(name, digest);
  }
  return out;
}

/// SHA-256 of a regular file beside the manifest, if there is one (never follows a name out
/// of the directory: names were checked against the known result files).
std::string digest_on_disk(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(file, ec))) return "";
  return sha256_file_hex(file);
}

/// Changes the working directory for the rerun and back afterwards: the recorded display
/// names are paths as typed, relative to where the run was made, and rerunning the same files
/// under other names would change assumptions.json.
class WorkingDirectory {
 public:
  explicit WorkingDirectory(const fs::path& dir) : previous_(fs::current_path()) {
    std::error_code ec;
    fs::current_path(dir, ec);
    if (ec) throw ManifestError("cannot change into " + dir.string() + ": " + ec.message());
  }
  ~WorkingDirectory() {
    std::error_code ec;
    fs::current_path(previous_, ec);
  }
  WorkingDirectory(const WorkingDirectory&) = delete;
  WorkingDirectory& operator=(const WorkingDirectory&) = delete;

 private:
  fs::path previous_;
};

bool is_same_or_inside(const fs::path& path, const fs::path& dir) {
  auto p = path.begin();
  for (auto d = dir.begin(); d != dir.end(); ++d, ++p) {
    if (p == path.end() || *p != *d) return false;
  }
  return true;
}

std::vector<std::string> recorded_command(const json& manifest) {
  std::vector<std::string> command;
  if (manifest.contains("command") && manifest.at("command").is_array()) {
    for (const auto& c : manifest.at("command")) {
      command.push_back(c.is_string() ? c.get<std::string>() : c.dump());
    }
  }
  return command;
}

void compare_outputs(const json& manifest,
                     const std::vector<std::pair<std::string, std::string>>& contents,
                     const std::vector<std::pair<std::string, std::string>>& streamed,
                     ReproduceReport& report) {
  std::map<std::string, std::string> rerun;
  for (const auto& [name, text] : contents) rerun[name] = sha256_hex(text);
  for (const auto& [name, digest] : streamed) rerun[name] = digest;
  std::map<std::string, bool> listed;
  for (const auto& [name, recorded] : recorded_outputs(manifest)) {
    listed[name] = true;
    FileCheck check;
    check.name = name;
    check.recorded = recorded;
    check.rerun = rerun.count(name) ? rerun.at(name) : "";
    check.on_disk = digest_on_disk(report.results_dir / name);
    if (check.rerun.empty()) {
      check.status = FileCheck::Status::not_rerun;
    } else if (check.rerun != recorded) {
      check.status = FileCheck::Status::rerun_differs;
    } else if (!check.on_disk.empty() && check.on_disk != recorded) {
      check.status = FileCheck::Status::changed_on_disk;
    } else {
      check.status = check.on_disk.empty() ? FileCheck::Status::ok_no_copy_on_disk
                                           : FileCheck::Status::ok;
    }
    report.files.push_back(check);
  }
  for (const auto& [name, digest] : rerun) {
    if (name == "manifest.json" || listed.count(name) != 0) continue;
    report.files.push_back({name, "", digest, "", FileCheck::Status::new_file});
  }
}

}  // namespace

std::string FileCheck::describe(const std::string& results_dir_name) const {
  switch (status) {
    case Status::ok: return "OK";
    case Status::ok_no_copy_on_disk: return "OK (rerun matches the manifest; no copy on disk)";
    case Status::rerun_differs: return "DIFFERS: the rerun's file is not the recorded one";
    case Status::changed_on_disk:
      return "DIFFERS: the file in " + results_dir_name + "/ was changed after the run";
    case Status::not_rerun: return "DIFFERS: the rerun did not write this file";
    case Status::new_file: return "NEW: written by this engine, not recorded in the manifest";
  }
  return "";
}

bool ReproduceReport::reproduced() const {
  if (!rerun || files.empty()) return false;
  return std::all_of(files.begin(), files.end(), [](const FileCheck& f) { return f.ok(); });
}

json read_manifest(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw ManifestError("cannot read " + path.string() + ": no such file");
  }
  if (!S_ISREG(st.st_mode)) {
    throw ManifestError(path.string() + " is not a regular file (a manifest.json of a results "
                                        "directory is)");
  }
  if (static_cast<std::uintmax_t>(st.st_size) > max_manifest_bytes) {
    throw ManifestError(path.string() + " is " + std::to_string(st.st_size) +
                        " bytes, more than any manifest (limit " +
                        std::to_string(max_manifest_bytes) + ")");
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  if (!in && !in.eof()) throw ManifestError("cannot read " + path.string());
  json manifest = json::parse(text.str(), nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object() ||
      manifest.value("format", "") != "gapcast-manifest") {
    throw ManifestError(path.string() +
                        " is not a gapcast manifest (manifest.json of a results directory)");
  }
  if (manifest.value("format_version", 0) != 1) {
    throw ManifestError(path.string() + " has manifest format_version " +
                        manifest.value("format_version", json()).dump() +
                        "; this gapcast reads version 1");
  }
  return manifest;
}

namespace {

/// The rerun's output, checked before anything runs: never the results directory being
/// checked or a folder inside it (that would overwrite the evidence and then compare it with
/// itself).
std::optional<OutputTransaction> keep_location(const ReproduceOptions& options,
                                               const fs::path& results_dir,
                                               const RunContext& context) {
  if (options.keep.empty()) return std::nullopt;
  std::error_code ec;
  const fs::path keep_dir = fs::weakly_canonical(fs::absolute(options.keep), ec);
  if (is_same_or_inside(keep_dir, results_dir)) {
    throw ManifestError("--keep " + options.keep.string() + " is inside the results directory " +
                        results_dir.string() + "; keep the rerun somewhere else");
  }
  return std::optional<OutputTransaction>(
      std::in_place, options.keep, OutputTransaction::Options{"manifest.json", {}, context.cancel});
}

/// How the scenarios were given: the manifest's "inputs", or, for older manifests, its
/// scenario list and command line.
RunInputs recorded_inputs(const json& manifest, ReproduceReport& report) {
  if (manifest.contains("inputs") && manifest.at("inputs").is_object()) {
    try {
      return run_inputs_from_json(manifest.at("inputs").dump());
    } catch (const std::invalid_argument& e) {
      throw ManifestError(std::string("the manifest's inputs are malformed: ") + e.what());
    }
  }
  report.legacy_inputs = true;
  return inputs_from_legacy(manifest);
}

void describe_recorded_run(const json& manifest, const RunOptions& options,
                           const RunInputs& inputs, ReproduceReport& report) {
  const json engine = manifest.contains("engine") && manifest.at("engine").is_object()
                          ? manifest.at("engine")
                          : json::object();
  report.recorded_version = engine.value("version", "?");
  report.recorded_commit = engine.value("git_commit", "?");
  report.same_engine = report.recorded_version == engine_version() &&
                       report.recorded_commit == engine_git_commit();
  report.seed = options.seed;
  report.samples = options.central ? 1 : options.samples;
  report.scenarios = inputs.scenarios.size();
}

/// Where relative scenario paths resolve: as asked, else where the run was made (if that
/// still exists), else here.
fs::path inputs_base(const ReproduceOptions& options, const json& manifest) {
  if (!options.directory.empty()) return options.directory;
  std::error_code ec;
  const std::string recorded = manifest.value("working_directory", "");
  return !recorded.empty() && fs::is_directory(recorded, ec) ? fs::path(recorded)
                                                              : fs::current_path();
}

/// Compares the files the inputs read now with the manifest's record of them.
void check_inputs(const json& manifest, const std::vector<Scenario>& scenarios,
                  const RunInputs& inputs, const std::vector<Scenario>& baseline,
                  ReproduceReport& report) {
  const auto& recorded_scenarios = need(manifest, "scenarios", "");
  if (!recorded_scenarios.is_array() || recorded_scenarios.size() != scenarios.size()) {
    throw ManifestError("the manifest lists " + std::to_string(recorded_scenarios.size()) +
                        " scenarios but its inputs give " + std::to_string(scenarios.size()));
  }
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const auto& rec = recorded_scenarios[i];
    const auto files = recorded_files(need(rec, "files", "scenarios[]"));
    report.inputs_checked += files.size();
    compare_files(scenarios[i].files, files, report.input_changes);
    if (rec.value("name", "") != scenarios[i].name) {
      report.input_changes.push_back({scenarios[i].files.front().display_name, "scenario",
                                      "its scenario is now named \"" + scenarios[i].name +
                                          "\", not \"" + rec.value("name", "") + "\""});
    }
  }
  if (inputs.baseline && !inputs.baseline->files.empty() && !baseline.empty()) {
    report.inputs_checked += inputs.baseline->files.size();
    compare_files(baseline.front().files, inputs.baseline->files, report.input_changes);
  }
}

/// The rerun of a sensitivity analysis (manifest "kind": "sensitivity"): the same design from
/// the recorded options and seed, the same files compared byte for byte.
ReproduceReport rerun_sensitivity(const json& manifest, const RunOptions& run_options,
                                  const std::vector<Scenario>& scenarios,
                                  const std::vector<Scenario>& baseline, const RunInputs& inputs,
                                  std::optional<OutputTransaction>& keep,
                                  const RunContext& context, ReproduceReport report) {
  SensitivityOptions analysis;
  try {
    analysis = sensitivity_options_from_json(need(manifest, "sensitivity", ""));
  } catch (const RunOptionError& e) {
    throw ManifestError("the manifest's sensitivity/" + e.option() + ": " + e.problem());
  }
  const auto results = run_sensitivity(
      scenarios, run_options, analysis, baseline.empty() ? nullptr : baseline.front().policy,
      context);
  report.rerun = true;
  report.samples = results.evaluations;
  const auto contents = sensitivity_file_contents(results, recorded_command(manifest), &inputs);
  compare_outputs(manifest, contents, {}, report);
  if (keep) {
    for (const auto& [name, text] : contents) keep->write(name, text);
    keep->commit();
    report.kept = keep->out_dir();
  }
  return report;
}

}  // namespace

ReproduceReport reproduce(const ReproduceOptions& options, const RunContext& context) {
  ReproduceReport report;
  std::error_code ec;
  report.manifest_path = fs::absolute(options.manifest);
  if (fs::is_directory(report.manifest_path, ec)) report.manifest_path /= "manifest.json";
  const json manifest = read_manifest(report.manifest_path);
  report.results_dir = fs::weakly_canonical(report.manifest_path.parent_path(), ec);

  // Everything the manifest says is checked before any work.
  auto keep = keep_location(options, report.results_dir, context);
  const RunInputs inputs = recorded_inputs(manifest, report);
  const RunOptions run_options = recorded_options(manifest, options.threads);
  recorded_outputs(manifest);
  describe_recorded_run(manifest, run_options, inputs, report);

  report.inputs_base = inputs_base(options, manifest);
  WorkingDirectory cwd(report.inputs_base);
  LoadOptions load_options;
  load_options.set = inputs.set;
  const auto scenarios = load_inputs(inputs.scenarios, load_options, report.warnings);
  std::vector<Scenario> baseline;
  if (inputs.baseline) baseline = load_inputs({*inputs.baseline}, load_options, report.warnings);
  check_inputs(manifest, scenarios, inputs, baseline, report);
  if (!report.input_changes.empty() && !options.force) return report;

  if (manifest.value("kind", "") == "sensitivity") {
    return rerun_sensitivity(manifest, run_options, scenarios, baseline, inputs, keep, context,
                             std::move(report));
  }
  // A recorded ensemble is streamed again, into --keep's staging area or a scratch file.
  std::optional<ParquetEnsembleFile> ensemble;
  std::optional<fs::path> scratch;
  RunContext run_context = context;
  if (run_options.ensemble) {
    fs::path where;
    if (keep) {
      where = keep->staging_dir() / ensemble_file_name;
    } else {
      scratch = fs::temp_directory_path() /
                ("gapcast-reproduce-" + std::to_string(::getpid()) + "-" + ensemble_file_name);
      where = *scratch;
    }
    std::vector<std::string> names;
    for (const auto& s : scenarios) names.push_back(s.name);
    ensemble.emplace(where, ensemble_metadata(run_options, names));
    run_context.ensemble = &*ensemble;
  }
  struct RemoveScratch {
    std::optional<fs::path>& path;
    ~RemoveScratch() {
      std::error_code ignored;
      if (path) fs::remove(*path, ignored);
    }
  } remove_scratch{scratch};
  const Results results = run(scenarios, run_options,
                              baseline.empty() ? nullptr : baseline.front().policy, run_context);
  std::vector<std::pair<std::string, std::string>> streamed;
  if (ensemble) {
    ensemble->finish();
    streamed.emplace_back(ensemble_file_name, sha256_file_hex(ensemble->path()));
  }
  report.rerun = true;
  // Compared in memory first: what is written to --keep is what was compared.
  const auto contents =
      result_file_contents(results, recorded_command(manifest), &inputs, streamed);
  compare_outputs(manifest, contents, streamed, report);
  if (keep) {
    for (const auto& [name, text] : contents) keep->write(name, text);
    keep->commit();
    report.kept = keep->out_dir();
  }
  return report;
}

}  // namespace gapcast
