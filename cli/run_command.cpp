// `gapcast run` and `gapcast compare`: load scenarios, run the Monte Carlo, print tables, write
// result files. Everything that can be checked before computing (options, inputs, report years,
// the output directory) is checked before computing.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <optional>
#include <sstream>
#include <variant>

#include "commands.hpp"
#include "gapcast/output/ensemble_file.hpp"
#include "gapcast/output/result_files.hpp"
#include "gapcast/output/shard_file.hpp"
#include "gapcast/util/sha256.hpp"
#include "gapcast/output/tables.hpp"
#include "gapcast/run/monte_carlo.hpp"
#include "gapcast/run/shard.hpp"
#include "gapcast/scenario/diagnostics.hpp"
#include "gapcast/scenario/loader.hpp"
#include "interrupts.hpp"
#include "option_flags.hpp"
#include "progress.hpp"
#include "scenario_inputs.hpp"

namespace gapcast::cli {
namespace {

struct RunArgs {
  std::vector<std::string> files;
  OptionFlags flags;
  std::string quantiles;  // percentiles, as typed
  std::string out;
  std::string baseline;
  bool central = false;
  std::vector<std::string> set;
  std::vector<int> years;
  bool quiet = false;
  bool no_progress = false;
  bool raw = false;
  bool ensemble = false;
  std::string shard;      // START:STOP, as typed
  std::string out_shard;  // the shard file
  // Never reached here: runs with --scheduler go to gapcast-cluster before parsing.
  std::string scheduler, cluster_shards, connect_timeout;
};

/// The options from the flags: the engine's parser reads each flag's text, then validates.
/// Percentiles are the one option the command takes in other units.
RunOptions options_from(const RunArgs& a) {
  RunOptions options;
  a.flags.apply(options);
  options.ensemble = options.ensemble || a.ensemble;
  if (!a.quantiles.empty()) {
    options.quantiles.clear();
    std::string_view text = a.quantiles;
    while (true) {
      const auto comma = text.find(',');
      const double percent = parse_option_number("quantiles", text.substr(0, comma));
      if (!(percent > 0.0 && percent < 100.0)) {
        throw RunOptionError(RunOptionError::Kind::value, "quantiles",
                             "each percentile must lie strictly between 0 and 100, got " +
                                 std::string(text.substr(0, comma)));
      }
      options.quantiles.push_back(percent / 100.0);
      if (comma == std::string_view::npos) break;
      text.remove_prefix(comma + 1);
    }
  }
  options.central = a.central;
  options.keep_raw = options.keep_raw || a.raw;
  validate(options);
  return options;
}

/// --years must name years whose December the run contains and records (--dates).
bool check_years(const std::vector<int>& years, YearMonth start, const RunOptions& options) {
  const YearMonth horizon = options.horizon;
  for (int year : years) {
    const YearMonth december{year, 12};
    if (december < start || december > horizon) {
      std::cerr << "gapcast: --years: " << year << " has no December inside the run ("
                << format_year_month(start) << " to " << format_year_month(horizon)
                << "); give years from " << start.year << " to "
                << (horizon.month == 12 ? horizon.year : horizon.year - 1) << "\n";
      return false;
    }
    const auto& dates = options.dates;
    if (!dates.empty() && std::find(dates.begin(), dates.end(), december) == dates.end()) {
      std::cerr << "gapcast: --years: " << year << "-12 is not among the recorded months "
                << "(--dates); add it there or leave " << year << " out\n";
      return false;
    }
  }
  return true;
}

/// Runs `body` (a run or a shard of one, given its RunContext) with progress and Ctrl-C; on
/// failure prints why and returns the exit status instead.
template <class Body>
auto run_guarded(bool show_progress, EnsembleSink* ensemble, Body&& body)
    -> std::variant<decltype(body(std::declval<const RunContext&>())), int> {
  ProgressReporter progress(show_progress);
  RunContext context;
  context.cancel = InterruptGuard::flag();
  context.progress = [&](std::uint64_t done, std::uint64_t total) { progress.update(done, total); };
  context.ensemble = ensemble;
  try {
    auto outcome = body(context);
    progress.finish();
    return outcome;
  } catch (const RunCancelled&) {
    progress.finish();
    std::cerr << "gapcast: interrupted; nothing was written\n";
    return exit_interrupted;
  } catch (const SimulationError& e) {
    progress.finish();
    std::cerr << "gapcast: error: " << e.what() << "\nnothing was written\n";
    return exit_bad_input;
  } catch (const RunOptionError& e) {
    progress.finish();
    print_option_error(e);
    return exit_bad_input;
  } catch (const std::invalid_argument& e) {
    progress.finish();
    std::cerr << "gapcast: error: " << e.what() << "\n";
    return exit_bad_input;
  }
}

std::variant<Results, int> run_monte_carlo(const LoadedInputs& in, const RunOptions& options,
                                           bool show_progress, EnsembleSink* ensemble) {
  return run_guarded(show_progress, ensemble, [&](const RunContext& context) {
    return run(in.scenarios, options, in.baseline_policy(), context);
  });
}

/// "START:STOP" as two sample indices; nullopt (having said why) for anything else.
std::optional<SampleRange> parse_shard(const std::string& text, std::uint64_t samples) {
  const auto colon = text.find(':');
  const auto number = [](std::string_view part, std::uint64_t& out) {
    if (part.empty() || part.size() > 19) return false;
    out = 0;
    for (char c : part) {
      if (c < '0' || c > '9') return false;
      out = out * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return true;
  };
  SampleRange range;
  if (colon == std::string::npos ||
      !number(std::string_view(text).substr(0, colon), range.begin) ||
      !number(std::string_view(text).substr(colon + 1), range.end) ||
      range.begin >= range.end || range.end > samples) {
    std::cerr << "<command line>: error: --shard: expected START:STOP, sample indices with "
                 "START < STOP <= --samples ("
              << samples << "), got \"" << text << "\"\n";
    return std::nullopt;
  }
  return range;
}

/// The command line without the shard's own flags: the whole run, as a merged manifest
/// records it.
std::vector<std::string> without_shard_flags(const std::vector<std::string>& argv) {
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "--shard" || arg == "--out-shard") {
      ++i;
      continue;
    }
    if (arg.starts_with("--shard=") || arg.starts_with("--out-shard=")) continue;
    kept.push_back(arg);
  }
  return kept;
}

/// `--shard START:STOP --out-shard F`: runs those samples and writes their summaries to F.
int execute_shard(const RunArgs& a, const std::vector<std::string>& argv,
                  const RunOptions& options) {
  if (a.shard.empty() || a.out_shard.empty()) {
    std::cerr << "<command line>: error: --shard and --out-shard go together: the samples to "
                 "run and the file their summaries go to\n";
    return exit_bad_input;
  }
  if (!a.out.empty() || options.ensemble) {
    std::cerr << "<command line>: error: --shard writes a shard file, not a results directory: "
                 "leave out --out"
              << (options.ensemble ? " and --ensemble (shards stream ensembles from Python: "
                                     "gapcast.run(..., client=..., ensemble=DIR))"
                                   : "")
              << "; merge the shards with `gapcast merge SHARDS... --out DIR`\n";
    return exit_bad_input;
  }
  const auto range = parse_shard(a.shard, options.samples);
  if (!range) return exit_bad_input;
  const auto in = load_inputs(a.files, a.baseline, a.set);
  if (!in) return exit_bad_input;
  InterruptGuard interrupts;
  auto outcome = run_guarded(!a.no_progress, nullptr, [&](const RunContext& context) {
    return run_shard(in->scenarios, options, in->baseline_policy(), *range, context);
  });
  if (const int* status = std::get_if<int>(&outcome)) return *status;
  ShardPayload payload{std::move(std::get<RunShard>(outcome)), without_shard_flags(argv),
                       run_inputs_json(in->given)};
  try {
    write_shard_file(a.out_shard, payload);
  } catch (const std::exception& e) {
    std::cerr << "gapcast: " << e.what() << "\n";
    return exit_internal;
  }
  std::cerr << "wrote shard " << describe_range(*range) << " of " << options.samples
            << " samples to " << a.out_shard << "; merge with `gapcast merge`\n";
  return exit_ok;
}


int write_output(const Results& results, OutputTransaction& output, const RunArgs& a,
                 const std::vector<std::string>& argv, const RunInputs& given,
                 ParquetEnsembleFile* ensemble) {
  try {
    std::vector<std::pair<std::string, std::string>> streamed;
    if (ensemble != nullptr) {
      ensemble->finish();
      streamed.emplace_back(ensemble_file_name, sha256_file_hex(ensemble->path()));
    }
    const auto files = write_results(results, output, argv, &given, streamed);
    std::cerr << "wrote";
    for (const auto& f : files) std::cerr << " " << f;
    std::cerr << " to " << a.out << "\n";
    return exit_ok;
  } catch (const std::exception& e) {
    return report_write_failure(a.out, e);
  }
}

int execute(const RunArgs& a, const std::vector<std::string>& argv, bool compare) {
  RunOptions options;
  try {
    options = options_from(a);
  } catch (const RunOptionError& e) {
    print_option_error(e);
    return exit_bad_input;
  } catch (const InputError& e) {  // an observations file (--observe)
    for (const auto& d : e.diagnostics()) std::cerr << format_diagnostic(d) << "\n";
    std::cerr << "gapcast: " << e.diagnostics().size()
              << (e.diagnostics().size() == 1 ? " problem" : " problems")
              << " in the observations; nothing was run or written\n";
    return exit_bad_input;
  }
  if (!a.shard.empty() || !a.out_shard.empty()) return execute_shard(a, argv, options);
  const auto in = load_inputs(a.files, a.baseline, a.set);
  if (!in) return exit_bad_input;
  if (!check_years(a.years, in->scenarios.front().world->start, options)) {
    return exit_bad_input;
  }

  // The output location is checked (and claimed) before the computation.
  InterruptGuard interrupts;
  std::optional<OutputTransaction> output;
  if (!claim_output(a.out, *in, output)) return exit_bad_input;

  // The ensemble streams into the output's staging area during the run (docs/ensembles.md).
  std::optional<ParquetEnsembleFile> ensemble;
  if (options.ensemble) {
    if (!output) {
      std::cerr << "<command line>: error: --ensemble: writes " << ensemble_file_name
                << " into the results directory; give --out DIR\n";
      return exit_bad_input;
    }
    std::vector<std::string> names;
    for (const auto& s : in->scenarios) names.push_back(s.name);
    try {
      ensemble.emplace(output->staging_dir() / ensemble_file_name,
                       ensemble_metadata(options, names));
    } catch (const std::exception& e) {
      std::cerr << "gapcast: --ensemble: " << e.what() << "\nnothing was run or written\n";
      return exit_bad_input;
    }
  }
  auto outcome = run_monte_carlo(*in, options, !a.no_progress, ensemble ? &*ensemble : nullptr);
  if (const int* status = std::get_if<int>(&outcome)) return *status;
  const Results& results = std::get<Results>(outcome);
  if (!results.info.options.observations.empty()) {
    std::cerr << "conditioned on " << results.info.options.observations.size()
              << " observation(s): effective sample size "
              << static_cast<long long>(std::llround(results.info.effective_sample_size))
              << " of " << results.info.samples << " samples\n";
  }
  for (const auto& w : results.info.warnings) std::cerr << "gapcast: warning: " << w << "\n";
  if (!a.quiet) print_run_tables(results, a.years, compare);
  return output ? write_output(results, *output, a, argv, in->given,
                               ensemble ? &*ensemble : nullptr)
                : exit_ok;
}

}  // namespace

int report_write_failure(const std::string& out, const std::exception& e) {
  if (dynamic_cast<const OutputCancelled*>(&e) != nullptr) {
    std::cerr << "gapcast: interrupted while writing; " << out << " was left as it was\n";
    return exit_interrupted;
  }
  std::cerr << "gapcast: could not write results to " << out << ": " << e.what() << "\n("
            << out << " was left as it was)\n";
  return exit_internal;
}

void print_run_tables(const Results& results, const std::vector<int>& years, bool compare) {
  const auto months = report_months(results, years);
  std::ostringstream head;
  head << "gapcast " << results.info.engine_version << ": " << results.info.samples
       << (results.info.options.central ? " central sample (every parameter at its median)"
                                        : " samples")
       << ", seed " << results.info.options.seed << ", " << results.scenarios.size()
       << " scenario(s), " << format_year_month(results.info.start) << " to "
       << format_year_month(results.info.options.horizon);
  const RunOptions& o = results.info.options;
  if (!o.metrics.empty() || !o.dates.empty()) {
    head << ", recording " << results.metrics.size() << " metric(s) at "
         << results.dates.size() << " month(s)";
  }
  head << "\n\n";
  std::cout << head.str() << summary_table(results, months);
  if (compare) std::cout << comparison_table(results, months);
}

// Long because: one registration per flag, each with the help text --help shows.
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
  auto& f = args->flags;
  f.add(*cmd, "samples", "-n,--samples",
        "Monte Carlo samples (worlds drawn), 1 to 10000000000; 1e6 is a million");
  f.add(*cmd, "seed", "--seed",
        "Seed of the counter-based random streams, 0 to 18446744073709551615");
  f.add(*cmd, "threads", "-j,--threads",
        "Worker threads (0 = all cores, at most 1024); results do not depend on it");
  f.add(*cmd, "horizon", "--horizon", "Last output month");
  cmd->add_option("-o,--out", args->out,
                  "Directory for results.json, series.csv, scalars.csv, assumptions.json, "
                  "samples.csv (with --raw) and manifest.json. It is replaced as a whole (new "
                  "files in, stale ones gone, all at once), so it must be new, empty, or an "
                  "earlier results directory");
  cmd->add_option("--baseline", args->baseline,
                  "Scenario file whose policy is the baseline for paired comparisons "
                  "(default: the scenario named \"baseline\", if given)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--central", args->central,
                "Run one sample with every parameter at its median (reproduces point "
                "arithmetic; ignores --samples)");
  f.add(*cmd, "threshold_multiple", "--threshold-multiple",
        "Capability threshold as a multiple of the frontier's effective training compute in "
        "the start month");
  f.add(*cmd, "rtol", "--rtol", "Relative error tolerance of the ODE solver, 1e-12 to 0.01");
  f.add(*cmd, "atol", "--atol", "Absolute error tolerance of the ODE solver, 1e-12 to 1");
  f.add(*cmd, "max_step_months", "--max-step-months",
        "Longest step the ODE solver may take, in months");
  cmd->add_option("--quantiles", args->quantiles,
                  "Percentiles to report, comma-separated, increasing, each in (0, 100) "
                  "[default: 5,25,50,75,95]");
  f.add(*cmd, "quantile_accuracy", "--quantile-accuracy",
        "Relative accuracy of the streaming quantile summaries, 0.001 to 0.1 (memory per "
        "summary grows as 1/accuracy)");
  f.add(*cmd, "metrics", "--metrics",
        "Series metrics to record, comma-separated (default: all of them; an unknown name "
        "is refused with the list); scalar metrics are always recorded. Fewer metrics and "
        "--dates fold fewer summaries, which is most of a run's cost beyond the model itself");
  f.add(*cmd, "dates", "--dates",
        "Output months to record, comma-separated YYYY-MM (default: every month from the "
        "start to --horizon)");
  cmd->add_option("--years", args->years,
                  "Years whose December the terminal tables show (default: two years in, "
                  "mid-range, last month)")
      ->delimiter(',');
  add_set_option(*cmd, args->set);
  cmd->add_flag("-q,--quiet", args->quiet, "Do not print tables");
  cmd->add_flag("--no-progress", args->no_progress, "Do not show progress on stderr");
  cmd->add_flag("--raw", args->raw,
                "Also write samples.csv, one row per sample and scenario: the sample index, "
                "the scalar metrics, every recorded metric every January (or at --raw-dates; "
                "with --dates, at those months) and every "
                "drawn world parameter as the model used it (columns world.<parameter>, e.g. "
                "world.chips.h20.tpp), so any sample can be recomputed from --seed "
                "(docs/model.md §14); memory grows with the sample count");
  f.add(*cmd, "raw_dates", "--raw-dates", "Months for --raw, comma-separated YYYY-MM");
  cmd->add_flag("--ensemble", args->ensemble,
                "Stream every sample's values to ensemble.parquet in --out, one row per sample "
                "and scenario: the scalar metrics, the --ensemble-metrics at the "
                "--ensemble-dates, every drawn world parameter (world.<name>) and, with "
                "--observe, the weight; memory stays flat in the sample count "
                "(docs/ensembles.md)");
  f.add(*cmd, "ensemble_metrics", "--ensemble-metrics",
        "Metrics for --ensemble, comma-separated (default: the gaps, the target's compute and "
        "hardware, the US stock, domestic output, import pressure and the effects against no "
        "controls; scalar metrics are always kept unless a list names some)");
  f.add(*cmd, "ensemble_dates", "--ensemble-dates",
        "Months for --ensemble, comma-separated YYYY-MM (default: every December and the "
        "horizon)");
  cmd->add_option("--shard", args->shard,
                  "Run only samples START to STOP-1 of the --samples and write their summaries "
                  "to --out-shard, for splitting a run over machines; `gapcast merge` joins the "
                  "shards into results byte-identical to one run (docs/distributed.md)")
      ->type_name("START:STOP");
  cmd->add_option("--out-shard", args->out_shard,
                  "Shard file written by --shard (replaced atomically)")
      ->type_name("FILE");
  // Handled before parsing (main.cpp hands the command to gapcast-cluster); registered here
  // for --help.
  cmd->add_option("--scheduler", args->scheduler,
                  "Run on a Dask cluster: the scheduler's address (tcp://HOST:PORT). The run is "
                  "cut into shards, each runs this command with --shard on a worker (which "
                  "needs gapcast and the scenario files at the same paths), and the merge is "
                  "byte-identical to a local run (Python package with [dask]; "
                  "docs/distributed.md)")
      ->type_name("ADDRESS");
  cmd->add_option("--shards", args->cluster_shards,
                  "With --scheduler: shards to cut the run into (default: two per worker "
                  "thread)")
      ->type_name("K");
  cmd->add_option("--connect-timeout", args->connect_timeout,
                  "With --scheduler: seconds to wait for the scheduler [default: 10]")
      ->type_name("SECONDS");
  f.add(*cmd, "observations", "--observe",
        "Observations file (JSON, docs/conditioning.md): weights every sample by the "
        "likelihood of what has been observed since the start month, e.g. the target's "
        "hardware in 2026-06 or domestic output in 2026; every statistic becomes a weighted "
        "one, and the effective sample size is printed and recorded")
      ->type_name("FILE");
  return [args, &argv, compare]() -> int { return execute(*args, argv, compare); };
}

}  // namespace gapcast::cli
