// `gapcast reproduce MANIFEST`: rerun a recorded result and check that every result file comes
// out byte for byte as the manifest says. The work is the engine's (gapcast/output/reproduce.hpp,
// also behind Python's gapcast.reproduce()); this file parses arguments and prints.
#include <iomanip>
#include <iostream>

#include "commands.hpp"
#include "gapcast/output/reproduce.hpp"
#include "gapcast/scenario/diagnostics.hpp"
#include "gapcast/util/build_info.hpp"
#include "interrupts.hpp"
#include "option_flags.hpp"
#include "progress.hpp"

namespace gapcast::cli {
namespace {

/// Exit status when the rerun ran but some result file is not what the manifest records.
constexpr int exit_differs = 3;

struct Args {
  std::string manifest;
  std::string directory;
  std::string keep;
  std::string threads = "0";
  bool force = false;
  bool no_progress = false;
};

std::string short_hash(const std::string& hex) {
  if (hex.empty()) return "-";
  return hex.size() > 12 ? hex.substr(0, 12) : hex;
}

void print_header(const ReproduceReport& r) {
  std::cout << "gapcast reproduce " << r.manifest_path.string() << "\n"
            << "  recorded: gapcast " << r.recorded_version << " (" << r.recorded_commit
            << "), seed " << r.seed << ", " << r.samples << " samples, " << r.scenarios
            << " scenario(s)\n"
            << "  inputs resolved from " << r.inputs_base.string() << "\n";
  if (r.legacy_inputs) {
    std::cerr << "gapcast: note: the manifest does not record its inputs; reran the scenario "
                 "files it lists\n";
  }
  if (!r.same_engine) {
    std::cerr << "gapcast: warning: the result was made by gapcast " << r.recorded_version << " ("
              << r.recorded_commit << "); this is gapcast " << engine_version() << " ("
              << engine_git_commit() << "): a different engine may give different numbers\n";
  }
  for (const auto& w : r.warnings) std::cerr << format_diagnostic(w) << "\n";
}

void print_input_changes(const ReproduceReport& r) {
  std::size_t width = 5;
  for (const auto& c : r.input_changes) width = std::max(width, c.path.size());
  std::cout << "\ninputs that changed since the run:\n"
            << std::left << std::setw(static_cast<int>(width) + 2) << "input" << std::setw(10)
            << "role" << "status\n";
  for (const auto& c : r.input_changes) {
    std::cout << std::setw(static_cast<int>(width) + 2) << c.path << std::setw(10) << c.role
              << c.what << "\n";
  }
}

int print_comparison(const ReproduceReport& r) {
  std::size_t width = 4;
  for (const auto& f : r.files) width = std::max(width, f.name.size());
  std::cout << "\n"
            << std::left << std::setw(static_cast<int>(width) + 2) << "file" << std::setw(15)
            << "manifest" << std::setw(15) << "rerun" << std::setw(15) << "on disk"
            << "status\n";
  std::size_t differing = 0, recorded = 0;
  std::string names;
  const std::string dir_name = r.results_dir.filename().string();
  for (const auto& f : r.files) {
    std::cout << std::setw(static_cast<int>(width) + 2) << f.name << std::setw(15)
              << short_hash(f.recorded) << std::setw(15) << short_hash(f.rerun) << std::setw(15)
              << short_hash(f.on_disk) << f.describe(dir_name) << "\n";
    if (!f.recorded.empty()) ++recorded;
    if (!f.ok()) {
      ++differing;
      names += (names.empty() ? "" : ", ") + f.name;
    }
  }
  if (!r.kept.empty()) std::cout << "\nthe rerun's files are in " << r.kept.string() << "\n";
  if (differing == 0) {
    std::cout << "\nreproduced: all " << recorded
              << " result files match the manifest byte for byte\n";
    return exit_ok;
  }
  std::cout << "\nNOT reproduced: " << differing << " of " << recorded
            << " result files differ: " << names << "\n";
  return exit_differs;
}

int execute(const Args& a) {
  ReproduceOptions options;
  options.manifest = a.manifest;
  options.directory = a.directory;
  options.keep = a.keep;
  options.force = a.force;
  try {
    RunOptions threads;
    set_run_option(threads, "threads", a.threads);
    options.threads = threads.threads;
  } catch (const RunOptionError& e) {
    print_option_error(e);
    return exit_bad_input;
  }

  InterruptGuard interrupts;
  ProgressReporter progress(!a.no_progress);
  RunContext context;
  context.cancel = InterruptGuard::flag();
  context.progress = [&](std::uint64_t done, std::uint64_t total) { progress.update(done, total); };
  ReproduceReport report;
  try {
    report = reproduce(options, context);
  } catch (const ManifestError& e) {
    progress.finish();
    std::cerr << "gapcast: " << e.what() << "\nnothing was rerun or written\n";
    return exit_bad_input;
  } catch (const OutputLocationError& e) {
    progress.finish();
    std::cerr << "gapcast: --keep: " << e.what() << "\nnothing was rerun or written\n";
    return exit_bad_input;
  } catch (const InputError& e) {
    progress.finish();
    for (const auto& d : e.diagnostics()) std::cerr << format_diagnostic(d) << "\n";
    std::cerr << "gapcast: the run's inputs cannot be loaded as they were (missing or invalid "
                 "files above); nothing was rerun\n";
    return exit_bad_input;
  } catch (const RunCancelled&) {
    progress.finish();
    std::cerr << "gapcast: interrupted; nothing was written\n";
    return exit_interrupted;
  } catch (const OutputCancelled&) {
    progress.finish();
    std::cerr << "gapcast: interrupted while writing --keep; it was left as it was\n";
    return exit_interrupted;
  } catch (const SimulationError& e) {
    progress.finish();
    std::cerr << "gapcast: the rerun failed: " << e.what() << "\n";
    return exit_bad_input;
  }
  progress.finish();

  print_header(report);
  if (!report.input_changes.empty()) {
    print_input_changes(report);
    if (!report.rerun) {
      std::cout << "\nnot reproducible as recorded: " << report.input_changes.size()
                << (report.input_changes.size() == 1 ? " input differs" : " inputs differ")
                << " from the manifest; nothing was rerun (--force reruns with the inputs as "
                   "they are now)\n";
      return exit_bad_input;
    }
    std::cerr << "gapcast: warning: reran with changed inputs (--force)\n";
  } else {
    std::cout << "  inputs: " << report.inputs_checked << " file(s) unchanged (SHA-256)\n";
  }
  return print_comparison(report);
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
      "compared with the manifest's SHA-256 and with the files beside it, before anything is "
      "written. See docs/reports.md.\n"
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
                  "Worker threads (0 = all cores, at most 1024); results do not depend on it")
      ->capture_default_str();
  cmd->add_option("--keep", args->keep,
                  "Write the rerun's files into this directory (replaced whole; not inside the "
                  "results directory). Default: keep nothing");
  cmd->add_flag("--force", args->force,
                "Rerun even if input files changed since the run (the comparison then shows "
                "what the changes did)");
  cmd->add_flag("--no-progress", args->no_progress, "Do not show progress on stderr");
  return [args]() -> int { return execute(*args); };
}

}  // namespace gapcast::cli
