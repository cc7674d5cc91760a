// `gapcast reproduce MANIFEST`: rerun a recorded result and check that every result file comes
// out byte for byte as the manifest says.
//
// The rerun is built from the manifest alone: the run settings ("run", "solver") and how the
// scenarios were given ("inputs": files as typed, or in-memory documents from Python, the
// --baseline scenario and the --set overrides). Relative paths are resolved, as they were at
// run time, against the recorded working directory (or --directory), because the display names
// recorded in the manifest and in assumptions.json are the paths as typed: giving the same
// files under other names would change those files. Before running, every input file is hashed
// again and compared with the manifest, so a changed scenario, world or policy file is named
// as the cause rather than showing up as a mysterious difference in the results.
#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "gapcast/util/build_info.hpp"
#include "gapcast/scenario/diagnostics.hpp"
#include "gapcast/run/monte_carlo.hpp"
#include "gapcast/output/result_files.hpp"
#include "gapcast/scenario/loader.hpp"
#include "gapcast/util/sha256.hpp"
#include "progress.hpp"

namespace gapcast::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// Exit status when the rerun ran but some result file is not what the manifest records.
constexpr int exit_differs = 3;

std::atomic<bool> interrupted{false};
extern "C" void on_reproduce_interrupt(int) { interrupted.store(true); }

struct Args {
  std::string manifest;
  std::string directory;
  std::string keep;
  unsigned threads = 0;
  bool force = false;
  bool no_progress = false;
};

/// A problem with the manifest itself: reported with exit status 2.
struct ManifestError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const json& need(const json& j, const char* key, const char* where) {
  if (!j.is_object() || !j.contains(key)) {
    throw ManifestError(std::string("the manifest has no ") + where + "/" + key);
  }
  return j.at(key);
}

template <typename T>
T value_or(const json& section, const char* key, T fallback) {
  if (!section.is_object() || !section.contains(key) || section.at(key).is_null()) return fallback;
  return section.at(key).get<T>();
}

std::string short_hash(const std::string& hex) { return hex.size() > 12 ? hex.substr(0, 12) : hex; }

/// RunInputs for a manifest written before "inputs" was recorded: the scenario files from the
/// scenario list, the --set overrides from its "override" entries, and --baseline from the
/// recorded command line.
RunInputs inputs_from_legacy(const json& manifest) {
  RunInputs inputs;
  const auto& scenarios = need(manifest, "scenarios", "");
  for (const auto& s : scenarios) {
    for (const auto& f : need(s, "files", "scenarios[]")) {
      if (f.value("role", "") == "scenario") {
        ScenarioInput in;
        in.file = f.value("path", "");
        inputs.scenarios.push_back(std::move(in));
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
      const std::string path = f.value("path", "");
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
      if (!file.empty()) {
        ScenarioInput in;
        in.file = file;
        inputs.baseline = std::move(in);
      }
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
    warnings.insert(warnings.end(), loaded.warnings.begin(), loaded.warnings.end());
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

struct InputChange {
  std::string path, role, what;
};

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
    bool known = false;
    for (const auto& r : recorded) known = known || (n.role == r.role && n.display_name == r.display_name);
    if (!known) changes.push_back({n.display_name, n.role, "read now but not recorded in the manifest"});
  }
}

std::vector<SourceFile> recorded_files(const json& files) {
  std::vector<SourceFile> out;
  for (const auto& f : files) {
    out.push_back({f.value("role", ""), f.value("path", ""), "", f.value("sha256", "")});
  }
  return out;
}

/// The rerun's options from the manifest's "run" and "solver" sections; the raw months are
/// turned into indices once the scenarios (and so the start month) are known.
RunOptions options_from(const json& manifest, const std::vector<Scenario>& scenarios,
                        unsigned threads) {
  const auto& run = need(manifest, "run", "");
  RunOptions o;
  o.seed = need(run, "seed", "run").get<std::uint64_t>();
  o.samples = need(run, "samples", "run").get<std::uint64_t>();
  o.central = value_or<bool>(run, "central", false);
  o.threads = threads;
  const auto horizon = parse_year_month(need(run, "horizon", "run").get<std::string>());
  if (!horizon) throw ManifestError("the manifest's run/horizon is not a month YYYY-MM");
  o.horizon = *horizon;
  o.threshold_multiple = value_or<double>(run, "threshold_multiple", o.threshold_multiple);
  o.quantiles = need(run, "quantiles", "run").get<std::vector<double>>();
  o.quantile_accuracy = value_or<double>(run, "quantile_accuracy", o.quantile_accuracy);
  o.wave_size = value_or<std::size_t>(run, "wave_size", 0);
  if (manifest.contains("solver")) {
    const auto& solver = manifest.at("solver");
    o.solver.abs_tolerance = value_or<double>(solver, "abs_tolerance", o.solver.abs_tolerance);
    o.solver.rel_tolerance = value_or<double>(solver, "rel_tolerance", o.solver.rel_tolerance);
    o.solver.max_step_months =
        value_or<double>(solver, "max_step_months", o.solver.max_step_months);
    o.solver.max_steps = value_or<std::size_t>(solver, "max_steps", o.solver.max_steps);
  }
  // Older manifests do not say whether raw values were kept; a recorded samples.csv does.
  bool keep_raw = value_or<bool>(run, "keep_raw", false);
  if (!run.contains("keep_raw") && manifest.contains("outputs")) {
    for (const auto& f : manifest.at("outputs")) keep_raw = keep_raw || f.value("path", "") == "samples.csv";
  }
  o.keep_raw = keep_raw;
  if (keep_raw && run.contains("raw_dates") && !scenarios.empty()) {
    const YearMonth start = scenarios.front().world->start;
    for (const auto& d : run.at("raw_dates")) {
      const auto ym = parse_year_month(d.get<std::string>());
      if (!ym || months_between(start, *ym) < 0) {
        throw ManifestError("the manifest's run/raw_dates holds a bad month " + d.dump());
      }
      o.raw_date_indices.push_back(static_cast<std::size_t>(months_between(start, *ym)));
    }
  }
  // The limit only guards memory; the recorded run fitted, so the rerun must not be refused.
  o.raw_limit_bytes = std::numeric_limits<std::size_t>::max();
  return o;
}

/// A temporary directory for the rerun, removed on the way out unless the user keeps it.
class RerunDirectory {
 public:
  explicit RerunDirectory(const std::string& keep) {
    if (!keep.empty()) {
      path_ = fs::absolute(keep);
      return;
    }
    std::string pattern = (fs::temp_directory_path() / "gapcast-reproduce-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("could not create a temporary directory in " +
                               fs::temp_directory_path().string());
    }
    parent_ = pattern;
    path_ = parent_ / "rerun";
  }
  RerunDirectory(const RerunDirectory&) = delete;
  RerunDirectory& operator=(const RerunDirectory&) = delete;
  ~RerunDirectory() {
    std::error_code ec;
    if (!parent_.empty()) fs::remove_all(parent_, ec);
  }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path parent_, path_;
};

std::optional<std::string> digest_if_present(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) return std::nullopt;
  return sha256_file_hex(file);
}

int execute(const Args& a) {
  // --- the manifest ---------------------------------------------------------------------
  fs::path manifest_path = fs::absolute(a.manifest);
  std::error_code ec;
  if (fs::is_directory(manifest_path, ec)) manifest_path /= "manifest.json";
  std::ifstream in(manifest_path, std::ios::binary);
  if (!in) {
    std::cerr << "gapcast: cannot read " << manifest_path.string() << "\n";
    return exit_bad_input;
  }
  std::stringstream text;
  text << in.rdbuf();
  const json manifest = json::parse(text.str(), nullptr, false);
  if (manifest.is_discarded() || !manifest.is_object() ||
      manifest.value("format", "") != "gapcast-manifest") {
    std::cerr << "gapcast: " << manifest_path.string()
              << " is not a gapcast manifest (manifest.json of a results directory)\n";
    return exit_bad_input;
  }
  const fs::path results_dir = manifest_path.parent_path();
  const std::string keep = a.keep.empty() ? "" : fs::absolute(a.keep).string();

  RunInputs inputs;
  if (manifest.contains("inputs") && manifest.at("inputs").is_object()) {
    inputs = run_inputs_from_json(manifest.at("inputs").dump());
  } else {
    inputs = inputs_from_legacy(manifest);
    std::cerr << "gapcast: note: the manifest does not record its inputs; rerunning the "
                 "scenario files it lists"
              << (inputs.baseline ? " with the --baseline of its command line" : "") << "\n";
  }

  // --- where relative paths resolve -------------------------------------------------------
  fs::path base = a.directory;
  if (base.empty()) {
    const std::string recorded = manifest.value("working_directory", "");
    base = !recorded.empty() && fs::is_directory(recorded, ec) ? fs::path(recorded)
                                                                 : fs::current_path();
  }
  fs::current_path(base, ec);
  if (ec) {
    std::cerr << "gapcast: cannot change into " << base.string() << ": " << ec.message() << "\n";
    return exit_bad_input;
  }

  const auto& engine = manifest.contains("engine") ? manifest.at("engine") : json::object();
  const auto& run_section = need(manifest, "run", "");
  std::cout << "gapcast reproduce " << manifest_path.string() << "\n"
            << "  recorded: gapcast " << engine.value("version", "?") << " ("
            << engine.value("git_commit", "?") << "), seed " << run_section.value("seed", 0)
            << ", " << run_section.value("samples", 0) << " samples, "
            << inputs.scenarios.size() << " scenario(s)\n"
            << "  inputs resolved from " << base.string() << "\n";
  if (engine.value("version", "") != engine_version() ||
      engine.value("git_commit", "") != engine_git_commit()) {
    std::cerr << "gapcast: warning: the result was made by gapcast " << engine.value("version", "?")
              << " (" << engine.value("git_commit", "?") << "); this is gapcast "
              << engine_version() << " (" << engine_git_commit()
              << "): a different engine may give different numbers\n";
  }

  // --- load the inputs and check them against the manifest ------------------------------------
  LoadOptions load_options;
  load_options.set = inputs.set;
  std::vector<Scenario> scenarios;
  std::shared_ptr<const Policy> baseline;
  std::vector<Scenario> baseline_loaded;
  std::vector<Diagnostic> warnings;
  try {
    scenarios = load_inputs(inputs.scenarios, load_options, warnings);
    if (inputs.baseline) baseline_loaded = load_inputs({*inputs.baseline}, load_options, warnings);
  } catch (const InputError& e) {
    for (const auto& d : e.diagnostics()) std::cerr << format_diagnostic(d) << "\n";
    std::cerr << "gapcast: the run's inputs cannot be loaded as they were (missing or invalid "
                 "files above); nothing was rerun\n";
    return exit_bad_input;
  }
  std::vector<std::string> shown;
  for (const auto& w : warnings) {
    const std::string line = format_diagnostic(w);
    if (std::find(shown.begin(), shown.end(), line) != shown.end()) continue;
    shown.push_back(line);
    std::cerr << line << "\n";
  }
  if (!baseline_loaded.empty()) baseline = baseline_loaded.front().policy;

  std::vector<InputChange> changes;
  const auto& recorded_scenarios = need(manifest, "scenarios", "");
  if (recorded_scenarios.size() != scenarios.size()) {
    throw ManifestError("the manifest lists " + std::to_string(recorded_scenarios.size()) +
                        " scenarios but its inputs give " + std::to_string(scenarios.size()));
  }
  std::size_t checked = 0;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const auto& rec = recorded_scenarios[i];
    const auto files = recorded_files(need(rec, "files", "scenarios[]"));
    checked += files.size();
    compare_files(scenarios[i].files, files, changes);
    if (rec.value("name", "") != scenarios[i].name) {
      changes.push_back({scenarios[i].files.front().display_name, "scenario",
                         "its scenario is now named \"" + scenarios[i].name + "\", not \"" +
                             rec.value("name", "") + "\""});
    }
  }
  if (inputs.baseline && !inputs.baseline->files.empty() && !baseline_loaded.empty()) {
    checked += inputs.baseline->files.size();
    compare_files(baseline_loaded.front().files, inputs.baseline->files, changes);
  }
  if (!changes.empty()) {
    std::size_t width = 5;
    for (const auto& c : changes) width = std::max(width, c.path.size());
    std::cout << "\ninputs that changed since the run:\n"
              << std::left << std::setw(static_cast<int>(width) + 2) << "input" << std::setw(10)
              << "role" << "status\n";
    for (const auto& c : changes) {
      std::cout << std::setw(static_cast<int>(width) + 2) << c.path << std::setw(10) << c.role
                << c.what << "\n";
    }
    if (!a.force) {
      std::cout << "\nnot reproducible as recorded: " << changes.size()
                << (changes.size() == 1 ? " input differs" : " inputs differ")
                << " from the manifest; nothing was rerun (--force reruns with the inputs as "
                   "they are now)\n";
      return exit_bad_input;
    }
    std::cerr << "gapcast: warning: rerunning with changed inputs (--force)\n";
  } else {
    std::cout << "  inputs: " << checked << " file(s) unchanged (SHA-256)\n";
  }

  // --- rerun ---------------------------------------------------------------------------------
  RunOptions options = options_from(manifest, scenarios, a.threads);
  options.baseline_policy = baseline;
  options.cancel = &interrupted;
  ProgressReporter progress(!a.no_progress);
  options.progress = [&](std::uint64_t done, std::uint64_t total) { progress.update(done, total); };
  interrupted.store(false);
  auto previous = std::signal(SIGINT, on_reproduce_interrupt);
  Results results;
  try {
    results = run(scenarios, options);
  } catch (const RunCancelled&) {
    std::signal(SIGINT, previous);
    progress.finish();
    std::cerr << "gapcast: interrupted\n";
    return exit_interrupted;
  } catch (const std::exception& e) {
    std::signal(SIGINT, previous);
    progress.finish();
    std::cerr << "gapcast: the rerun failed: " << e.what() << "\n";
    return exit_bad_input;
  }
  std::signal(SIGINT, previous);
  progress.finish();

  std::vector<std::string> command;
  if (manifest.contains("command") && manifest.at("command").is_array()) {
    for (const auto& c : manifest.at("command")) command.push_back(c.is_string() ? c.get<std::string>() : c.dump());
  }
  RerunDirectory rerun(keep);
  const auto written = write_results(results, rerun.path(), command, &inputs);

  // --- compare -------------------------------------------------------------------------------
  struct Row {
    std::string name, recorded, rerun, on_disk, status;
    bool ok;
  };
  std::vector<Row> rows;
  std::map<std::string, bool> listed;
  for (const auto& out : need(manifest, "outputs", "")) {
    Row row;
    row.name = out.value("path", "");
    row.recorded = out.value("sha256", "");
    listed[row.name] = true;
    const auto again = digest_if_present(rerun.path() / row.name);
    const auto disk = digest_if_present(results_dir / row.name);
    row.rerun = again.value_or("-");
    row.on_disk = disk.value_or("-");
    if (!again) {
      row.ok = false;
      row.status = "DIFFERS: the rerun did not write this file";
    } else if (*again != row.recorded) {
      row.ok = false;
      row.status = "DIFFERS: the rerun's file is not the recorded one";
    } else if (disk && *disk != row.recorded) {
      row.ok = false;
      row.status = "DIFFERS: the file in " + results_dir.filename().string() +
                   "/ was changed after the run";
    } else {
      row.ok = true;
      row.status = disk ? "OK" : "OK (rerun matches the manifest; no copy on disk)";
    }
    rows.push_back(row);
  }
  for (const auto& name : written) {
    if (name == "manifest.json" || listed.count(name) != 0) continue;
    const auto again = digest_if_present(rerun.path() / name);
    rows.push_back({name, "-", again.value_or("-"), "-",
                    "NEW: written by this engine, not recorded in the manifest", true});
  }

  std::size_t width = 4;
  for (const auto& r : rows) width = std::max(width, r.name.size());
  std::cout << "\n"
            << std::left << std::setw(static_cast<int>(width) + 2) << "file" << std::setw(15)
            << "manifest" << std::setw(15) << "rerun" << std::setw(15) << "on disk"
            << "status\n";
  std::size_t differing = 0, recorded = 0;
  std::string names;
  for (const auto& r : rows) {
    std::cout << std::setw(static_cast<int>(width) + 2) << r.name << std::setw(15)
              << short_hash(r.recorded) << std::setw(15) << short_hash(r.rerun) << std::setw(15)
              << short_hash(r.on_disk) << r.status << "\n";
    if (r.recorded != "-") ++recorded;
    if (!r.ok) {
      ++differing;
      names += (names.empty() ? "" : ", ") + r.name;
    }
  }
  if (!keep.empty()) std::cout << "\nthe rerun's files are in " << keep << "\n";
  if (differing == 0) {
    std::cout << "\nreproduced: all " << recorded
              << " result files match the manifest byte for byte\n";
    return exit_ok;
  }
  std::cout << "\nNOT reproduced: " << differing << " of " << recorded
            << " result files differ: " << names << "\n";
  return exit_differs;
}

}  // namespace

Command add_reproduce_command(CLI::App& app) {
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "reproduce",
      "Rerun a recorded result from its manifest and check that every result file comes out "
      "byte for byte as recorded.");
  cmd->footer(
      "Input files are checked against their recorded SHA-256 first; the rerun's files are "
      "compared with the manifest's SHA-256 and with the files beside it. See "
      "docs/reports.md.\n"
      "Exit status: 0 every file reproduced; 3 the rerun ran but some file differs (listed); "
      "2 bad manifest, or an input is missing or changed since the run (nothing rerun unless "
      "--force); 1 internal failure; 130 interrupted.");
  cmd->add_option("manifest", args->manifest,
                  "manifest.json of a results directory (or the directory itself)")
      ->required();
  cmd->add_option("-C,--directory", args->directory,
                  "Resolve the run's relative scenario paths here (default: the recorded "
                  "working directory if it exists, else the current one)")
      ->check(CLI::ExistingDirectory);
  cmd->add_option("-j,--threads", args->threads,
                  "Worker threads (0 = all cores); results do not depend on it")
      ->capture_default_str()
      ->check(CLI::Range(0u, 1024u));
  cmd->add_option("--keep", args->keep,
                  "Write the rerun's files into this directory and keep them (default: a "
                  "temporary directory, removed afterwards)");
  cmd->add_flag("--force", args->force,
                "Rerun even if input files changed since the run (the comparison then shows "
                "what the changes did)");
  cmd->add_flag("--no-progress", args->no_progress, "Do not show progress on stderr");
  return [args]() -> int {
    try {
      return execute(*args);
    } catch (const ManifestError& e) {
      std::cerr << "gapcast: " << e.what() << "\n";
      return exit_bad_input;
    } catch (const json::exception& e) {
      std::cerr << "gapcast: the manifest is malformed: " << e.what() << "\n";
      return exit_bad_input;
    } catch (const std::invalid_argument& e) {
      std::cerr << "gapcast: the manifest is malformed: " << e.what() << "\n";
      return exit_bad_input;
    }
  };
}

}  // namespace gapcast::cli
