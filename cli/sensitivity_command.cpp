// `gapcast sensitivity`: which uncertain parameters drive each output (docs/sensitivity.md).
// Loads the scenarios, runs the analysis (gapcast/run/sensitivity.hpp), prints the leading
// drivers of a few headline outputs and writes sensitivity.json, sensitivity.csv,
// assumptions.json and manifest.json. Options are checked before anything is computed.
#include <algorithm>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <numeric>
#include <optional>
#include <sstream>

#include "commands.hpp"
#include "gapcast/output/sensitivity_files.hpp"
#include "gapcast/run/sensitivity.hpp"
#include "gapcast/scenario/diagnostics.hpp"
#include "gapcast/scenario/loader.hpp"
#include "interrupts.hpp"
#include "option_flags.hpp"
#include "progress.hpp"
#include "scenario_inputs.hpp"

namespace gapcast::cli {
namespace {

struct SensitivityArgs {
  std::vector<std::string> files;
  OptionFlags flags;
  std::string method = "sobol";
  std::size_t samples = 1024;
  bool second_order = false;
  std::vector<std::string> parameters;
  std::vector<std::string> groups;  // NAME=a,b,c as typed
  int levels = 4;
  std::size_t slices = 10;
  std::size_t resamples = 200;
  double confidence = 0.95;
  std::string baseline;
  std::vector<std::string> set;
  std::string out;
  int top = 5;
  bool quiet = false;
  bool no_progress = false;
};

/// "<command line>: error: --metrics: ..." with this command's flag names.
void print_error(const RunOptionError& e) {
  std::string flag = flag_name(e.option());
  if (e.option() == "ensemble_metrics") flag = "--metrics";
  if (e.option() == "ensemble_dates") flag = "--dates";
  if (e.option() == "groups") flag = "--group";
  std::cerr << "<command line>: error: " << flag << ": " << e.problem() << "\n";
}

SensitivityOptions sensitivity_options_from(const SensitivityArgs& a) {
  SensitivityOptions o;
  o.method = parse_sensitivity_method(a.method);
  o.samples = a.samples;
  o.second_order = a.second_order;
  o.parameters = a.parameters;
  for (const auto& text : a.groups) {
    const auto eq = text.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
      throw RunOptionError(RunOptionError::Kind::value, "groups",
                           "expected NAME=PARAMETER,PARAMETER,..., got \"" + text + "\"");
    }
    std::vector<std::string> members;
    std::stringstream list(text.substr(eq + 1));
    for (std::string item; std::getline(list, item, ',');) {
      if (!item.empty()) members.push_back(item);
    }
    o.groups.emplace_back(text.substr(0, eq), members);
  }
  o.levels = a.levels;
  o.slices = a.slices;
  o.resamples = a.resamples;
  o.confidence = a.confidence;
  return o;
}

/// The headline outputs the terminal shows: the training gap and the paired effects at 2030
/// and at the horizon, when the analysis has them.
std::vector<std::size_t> headline_outputs(const SensitivityResults& r) {
  std::vector<std::size_t> out;
  const std::string last = format_year_month(r.run_options.horizon);
  for (const char* metric : {"gap_training", "added_gap_months_vs_no_controls",
                             "added_gap_months_vs_baseline"}) {
    for (const std::string& month : {std::string("2030-12"), last}) {
      const auto it = std::find(r.outputs.begin(), r.outputs.end(),
                                std::string(metric) + "@" + month);
      const auto i = static_cast<std::size_t>(it - r.outputs.begin());
      if (it != r.outputs.end() && std::find(out.begin(), out.end(), i) == out.end()) {
        out.push_back(i);
      }
    }
  }
  if (out.empty() && !r.outputs.empty()) out.push_back(0);
  return out;
}

void print_drivers(const SensitivityResults& r, int top) {
  // The ranking statistic and its interval: total index, mu*, or the mean KS statistic.
  const std::size_t rank = r.options.method == SensitivityMethod::pawn ? 1 : 2;
  const std::ptrdiff_t conf = r.options.method == SensitivityMethod::sobol   ? 3
                              : r.options.method == SensitivityMethod::morris ? 3
                                                                              : -1;
  std::cout << "gapcast sensitivity: " << method_name(r.options.method) << ", "
            << r.groups.size() << " factor(s), " << r.evaluations
            << " model evaluations per scenario, seed " << r.run_options.seed << "\n";
  for (std::size_t s = 0; s < r.scenarios.size(); ++s) {
    for (std::size_t o : headline_outputs(r)) {
      const auto& ix = r.at(s, o);
      std::cout << "\n" << r.scenarios[s] << ", "
                << (ix.transform == "log10" ? "log10 " : "") << r.outputs[o] << ": ";
      if (!ix.defined) {
        std::cout << "not analysed (" << ix.note << ")\n";
        continue;
      }
      std::cout << "leading drivers by " << r.statistics[rank] << "\n";
      std::vector<std::size_t> order(r.groups.size());
      std::iota(order.begin(), order.end(), std::size_t{0});
      const auto& v = ix.values[rank];
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return (std::isnan(v[b]) ? -1e300 : v[b]) < (std::isnan(v[a]) ? -1e300 : v[a]);
      });
      for (int k = 0; k < std::min<int>(top, static_cast<int>(order.size())); ++k) {
        const std::size_t g = order[static_cast<std::size_t>(k)];
        std::cout << "  " << std::left << std::setw(44) << r.groups[g] << std::right
                  << std::setw(9) << std::setprecision(3) << v[g];
        if (conf >= 0 && std::isfinite(ix.values[static_cast<std::size_t>(conf)][g])) {
          std::cout << " +- " << std::setprecision(2)
                    << ix.values[static_cast<std::size_t>(conf)][g];
        }
        if (r.options.method == SensitivityMethod::sobol) {
          std::cout << "   (first order " << std::setprecision(3) << ix.values[0][g] << ")";
        }
        std::cout << "\n";
      }
    }
  }
}

// Long because: a command's whole flow (options, inputs, output location, run, print, write)
// with the exit status of each way out.
int execute(const SensitivityArgs& a, const std::vector<std::string>& argv) {
  RunOptions run_options;
  SensitivityOptions options;
  try {
    a.flags.apply(run_options);
    run_options.ensemble = true;  // the analysis keeps every row's outputs (in memory)
    validate(run_options);
    options = sensitivity_options_from(a);
  } catch (const RunOptionError& e) {
    print_error(e);
    return exit_bad_input;
  }
  const auto in = load_inputs(a.files, a.baseline, a.set);
  if (!in) return exit_bad_input;
  InterruptGuard interrupts;
  std::optional<OutputTransaction> output;
  if (!claim_output(a.out, *in, output)) return exit_bad_input;
  ProgressReporter progress(!a.no_progress);
  RunContext context;
  context.cancel = InterruptGuard::flag();
  context.progress = [&](std::uint64_t done, std::uint64_t total) { progress.update(done, total); };
  SensitivityResults results;
  try {
    results = run_sensitivity(in->scenarios, run_options, options, in->baseline_policy(),
                              context);
    progress.finish();
  } catch (const RunCancelled&) {
    progress.finish();
    std::cerr << "gapcast: interrupted; nothing was written\n";
    return exit_interrupted;
  } catch (const RunOptionError& e) {
    progress.finish();
    print_error(e);
    return exit_bad_input;
  } catch (const std::invalid_argument& e) {
    progress.finish();
    std::cerr << "gapcast: error: " << e.what() << "\nnothing was written\n";
    return exit_bad_input;
  } catch (const SimulationError& e) {
    progress.finish();
    std::cerr << "gapcast: error: " << e.what() << "\nnothing was written\n";
    return exit_bad_input;
  }
  for (const auto& w : results.warnings) std::cerr << "gapcast: warning: " << w << "\n";
  if (!a.quiet) print_drivers(results, a.top);
  if (!output) return exit_ok;
  try {
    const auto names = write_sensitivity(results, *output, argv, &in->given);
    std::cerr << "wrote";
    for (const auto& n : names) std::cerr << " " << n;
    std::cerr << " to " << a.out << "\n";
  } catch (const OutputCancelled&) {
    std::cerr << "gapcast: interrupted while writing; " << a.out << " was left as it was\n";
    return exit_interrupted;
  } catch (const std::exception& e) {
    std::cerr << "gapcast: could not write to " << a.out << ": " << e.what() << "\n";
    return exit_internal;
  }
  return exit_ok;
}

}  // namespace

Command add_sensitivity_command(CLI::App& app, const std::vector<std::string>& argv) {
  auto args = std::make_shared<SensitivityArgs>();
  CLI::App* cmd = app.add_subcommand(
      "sensitivity",
      "Global sensitivity analysis: which uncertain parameters drive each output (every "
      "metric at every chosen month, the threshold month, the paired policy effects), per "
      "scenario. Methods: sobol (first-order and total indices with bootstrap intervals, "
      "N (G + 2) model runs), morris (elementary effects mu*, sigma: cheap screening, "
      "r (G + 1) runs), pawn (given-data KS indices on the ordinary, correlated Monte Carlo "
      "sample, N runs). See docs/sensitivity.md for choosing N.");
  cmd->add_option("scenarios", args->files, "Scenario files (JSON)")->required();
  cmd->add_option("-m,--method", args->method, "sobol, morris or pawn")
      ->capture_default_str();
  cmd->add_option("-n,--samples", args->samples,
                  "sobol: base samples N (a power of two); morris: trajectories r; pawn: "
                  "Monte Carlo samples")
      ->capture_default_str();
  cmd->add_flag("--second-order", args->second_order,
                "sobol: also second-order indices (N (2G + 2) runs)");
  cmd->add_option("--parameters", args->parameters,
                  "The factors, comma-separated (default: every uncertain parameter)")
      ->delimiter(',');
  cmd->add_option("--group", args->groups,
                  "NAME=PARAMETER,PARAMETER,... analysed as one factor; repeatable; a factor "
                  "in no group stays a factor of its own, one in two groups is an error");
  cmd->add_option("--levels", args->levels, "morris: grid levels (even)")->capture_default_str();
  cmd->add_option("--slices", args->slices, "pawn: slices per parameter")->capture_default_str();
  cmd->add_option("--resamples", args->resamples,
                  "Bootstrap resamples for the intervals (0: none)")
      ->capture_default_str();
  cmd->add_option("--confidence", args->confidence, "Confidence level of the intervals")
      ->capture_default_str();
  auto& f = args->flags;
  f.add(*cmd, "seed", "--seed", "Seed of the design's scrambling and of the bootstrap");
  f.add(*cmd, "threads", "-j,--threads",
        "Worker threads (0 = all cores); results do not depend on it");
  f.add(*cmd, "horizon", "--horizon", "Last output month");
  f.add(*cmd, "ensemble_metrics", "--metrics",
        "Metrics to analyse, comma-separated (default: the gaps, the target's compute and "
        "hardware, the US stock, domestic output, import pressure and the effects against no "
        "controls; the scalar metrics always)");
  f.add(*cmd, "ensemble_dates", "--dates",
        "Months to analyse, comma-separated YYYY-MM (default: every December and the horizon)");
  cmd->add_option("--baseline", args->baseline,
                  "Scenario file whose policy is the baseline for paired effects")
      ->check(CLI::ExistingFile);
  add_set_option(*cmd, args->set);
  cmd->add_option("-o,--out", args->out,
                  "Directory for sensitivity.json, sensitivity.csv, assumptions.json and "
                  "manifest.json (replaced as a whole)");
  cmd->add_option("--top", args->top, "Drivers printed per output")->capture_default_str();
  cmd->add_flag("-q,--quiet", args->quiet, "Do not print the drivers");
  cmd->add_flag("--no-progress", args->no_progress, "Do not show progress on stderr");
  return [args, &argv]() -> int { return execute(*args, argv); };
}

}  // namespace gapcast::cli
