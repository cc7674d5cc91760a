// `gapcast run` and `gapcast compare`: load scenarios, run the Monte Carlo, print tables, write
// result files.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "gapcast/scenario/diagnostics.hpp"
#include "gapcast/run/monte_carlo.hpp"
#include "gapcast/output/result_files.hpp"
#include "gapcast/scenario/loader.hpp"
#include "gapcast/output/tables.hpp"
#include "progress.hpp"

namespace gapcast::cli {
namespace {

std::atomic<bool> interrupted{false};

extern "C" void on_interrupt(int) { interrupted.store(true); }

struct RunArgs {
  std::vector<std::string> files;
  std::uint64_t samples = 1000;
  std::uint64_t seed = 20260101;
  unsigned threads = 0;
  std::string horizon = "2035-12";
  std::string out;
  std::string baseline;
  bool central = false;
  double threshold_multiple = 1.0;
  double rtol = 1e-5, atol = 1e-5;
  std::vector<double> quantiles{5, 25, 50, 75, 95};
  std::vector<std::string> set;
  double quantile_accuracy = 0.005;
  std::vector<int> years;
  bool quiet = false;
  bool no_progress = false;
  bool raw = false;
};

void print_warnings(const std::vector<Diagnostic>& warnings) {
  for (const auto& w : warnings) std::cerr << format_diagnostic(w) << "\n";
}

int execute(const RunArgs& a, const std::vector<std::string>& argv, bool compare) {
  auto horizon = parse_year_month(a.horizon);
  if (!horizon) {
    std::cerr << "gapcast: --horizon \"" << a.horizon << "\" is not a month written YYYY-MM\n";
    return exit_bad_input;
  }
  LoadResult loaded;
  std::shared_ptr<const Policy> baseline;
  // How the scenarios were given, for the manifest: `gapcast reproduce` reruns from this.
  RunInputs inputs;
  for (const auto& f : a.files) {
    ScenarioInput in;
    in.file = f;
    inputs.scenarios.push_back(std::move(in));
  }
  inputs.set = a.set;
  try {
    LoadOptions load_options;
    load_options.set = a.set;
    loaded = load_scenarios(a.files, load_options);
    if (!a.baseline.empty()) {
      auto base = load_scenarios({a.baseline}, load_options);
      baseline = base.scenarios.front().policy;
      ScenarioInput in;
      in.file = a.baseline;
      in.files = base.scenarios.front().files;
      inputs.baseline = std::move(in);
      print_warnings(base.warnings);
    }
  } catch (const InputError& e) {
    for (const auto& d : e.diagnostics()) std::cerr << format_diagnostic(d) << "\n";
    std::cerr << "gapcast: " << e.diagnostics().size()
              << (e.diagnostics().size() == 1 ? " problem" : " problems")
              << " in the input; nothing was run or written\n";
    return exit_bad_input;
  }
  print_warnings(loaded.warnings);

  RunOptions options;
  options.samples = a.samples;
  options.seed = a.seed;
  options.threads = a.threads;
  options.horizon = *horizon;
  options.central = a.central;
  options.threshold_multiple = a.threshold_multiple;
  options.solver.rel_tolerance = a.rtol;
  options.solver.abs_tolerance = a.atol;
  options.quantiles.clear();
  for (double q : a.quantiles) options.quantiles.push_back(q / 100.0);
  options.quantile_accuracy = a.quantile_accuracy;
  options.baseline_policy = baseline;
  options.keep_raw = a.raw;
  options.cancel = &interrupted;
  ProgressReporter progress(!a.no_progress);
  options.progress = [&](std::uint64_t done, std::uint64_t total) { progress.update(done, total); };

  interrupted.store(false);
  auto previous = std::signal(SIGINT, on_interrupt);
  Results results;
  try {
    results = run(loaded.scenarios, options);
  } catch (const RunCancelled&) {
    std::signal(SIGINT, previous);
    progress.finish();
    std::cerr << "gapcast: interrupted; nothing was written\n";
    return exit_interrupted;
  } catch (const SimulationError& e) {
    std::signal(SIGINT, previous);
    progress.finish();
    std::cerr << "gapcast: error: " << e.what() << "\nnothing was written\n";
    return exit_bad_input;
  } catch (const std::invalid_argument& e) {
    std::signal(SIGINT, previous);
    progress.finish();
    std::cerr << "gapcast: error: " << e.what() << "\n";
    return exit_bad_input;
  }
  std::signal(SIGINT, previous);
  progress.finish();

  if (!a.quiet) {
    const auto months = report_months(results, a.years);
    std::ostringstream head;
    head << "gapcast " << results.info.engine_version << ": " << results.info.samples
         << (results.info.central ? " central sample (every parameter at its median)"
                                  : " samples")
         << ", seed " << results.info.seed << ", " << results.scenarios.size()
         << " scenario(s), " << results.dates.front() << " to " << results.dates.back() << "\n\n";
    std::cout << head.str() << summary_table(results, months);
    if (compare) std::cout << comparison_table(results, months);
  }
  if (!a.out.empty()) {
    try {
      const auto files = write_results(results, a.out, argv, &inputs);
      std::cerr << "wrote";
      for (const auto& f : files) std::cerr << " " << f;
      std::cerr << " to " << a.out << "\n";
    } catch (const std::exception& e) {
      std::cerr << "gapcast: could not write results to " << a.out << ": " << e.what() << "\n";
      return exit_internal;
    }
  }
  return exit_ok;
}

}  // namespace

Command add_run_command(CLI::App& app, const std::vector<std::string>& argv, bool compare) {
  auto args = std::make_shared<RunArgs>();
  CLI::App* cmd = app.add_subcommand(
      compare ? "compare" : "run",
      compare ? "Run scenarios in the same sampled worlds and compare each with the baseline and "
                "no controls: denied compute, added gap months, delays, probabilities."
              : "Run one or more scenarios and print their levels and gaps.");
  // Missing or unreadable files are reported by the loader, in the same format as every other
  // input problem.
  cmd->add_option("scenarios", args->files, "Scenario files (JSON)")->required();
  cmd->add_option("-n,--samples", args->samples, "Monte Carlo samples (worlds drawn)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{100000000}));
  cmd->add_option("--seed", args->seed, "Seed of the counter-based random streams")
      ->capture_default_str();
  cmd->add_option("-j,--threads", args->threads,
                  "Worker threads (0 = all cores); results do not depend on it")
      ->capture_default_str()
      ->check(CLI::Range(0u, 1024u));
  cmd->add_option("--horizon", args->horizon, "Last output month, YYYY-MM")->capture_default_str();
  cmd->add_option("-o,--out", args->out,
                  "Directory for results.json, series.csv, scalars.csv and manifest.json "
                  "(written atomically; created if missing)");
  cmd->add_option("--baseline", args->baseline,
                  "Scenario file whose policy is the baseline for paired comparisons "
                  "(default: the scenario named \"baseline\", if given)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--central", args->central,
                "Run one sample with every parameter at its median (reproduces point "
                "arithmetic; ignores --samples)");
  cmd->add_option("--threshold-multiple", args->threshold_multiple,
                  "Capability threshold as a multiple of the frontier's effective training "
                  "compute in the start month")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--rtol", args->rtol, "Relative error tolerance of the ODE solver")
      ->capture_default_str()
      ->check(CLI::Range(1e-12, 1e-2));
  cmd->add_option("--atol", args->atol, "Absolute error tolerance of the ODE solver")
      ->capture_default_str()
      ->check(CLI::Range(1e-12, 1.0));
  cmd->add_option("--quantiles", args->quantiles, "Percentiles to report, in (0, 100)")
      ->delimiter(',')
      ->capture_default_str()
      ->check(CLI::Range(1e-6, 100.0 - 1e-6));
  cmd->add_option("--quantile-accuracy", args->quantile_accuracy,
                  "Relative accuracy of the streaming quantile summaries")
      ->capture_default_str()
      ->check(CLI::Range(1e-5, 0.1));
  cmd->add_option("--years", args->years,
                  "Years whose December the terminal tables show (default: two years in, "
                  "mid-range, last month)")
      ->delimiter(',');
  add_set_option(*cmd, args->set);
  cmd->add_flag("-q,--quiet", args->quiet, "Do not print tables");
  cmd->add_flag("--no-progress", args->no_progress, "Do not show progress on stderr");
  cmd->add_flag("--raw", args->raw,
                "Also write samples.csv: per-sample values every January (memory grows with "
                "the sample count)");
  return [args, &argv, compare, cmd]() -> int {
    (void)cmd;
    return execute(*args, argv, compare);
  };
}

}  // namespace gapcast::cli
