#pragma once
/// Machine-readable result files and the run manifest.
///
/// Written into an output directory, all or nothing (atomic_output.hpp):
///   results.json   every statistic of every scenario, metric and month, with the metric
///                  catalogue (names, units, meanings) and scenario fingerprints
///   series.csv     the same time series in long form: scenario,metric,date,mean,p5,...
///   scalars.csv    per-scenario event months and delays, with counts of samples beyond the
///                  horizon
///   assumptions.json  every world parameter (distribution, median, 90% interval, unit,
///                  source) and every policy's description: the inputs, documented
///   samples.csv    (with raw output) one row per sample and scenario, in sample order:
///                  sample (the index i of docs/model.md §14), scenario, the scalar metrics,
///                  metric@YYYY-MM at the raw months, then world.<parameter> for every drawn
///                  parameter of the run's worlds (the values the model used; empty where
///                  the scenario's world has no such parameter), so that any one sample can
///                  be recomputed from the seed and the stream recipe of §14
///   manifest.json  engine version and commit, seed, sample count, thread count, solver
///                  settings, scenario files with SHA-256, result files with SHA-256, wall
///                  time, the command that reruns the result, and the run's inputs as given
///                  (RunInputs), from which `gapcast reproduce` makes the same run again
/// Every file except the manifest depends only on the inputs, the seed and the sample count:
/// it is byte-identical for any thread count. Non-finite statistics are written as null (JSON)
/// or left empty (CSV), never as NaN or inf.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gapcast/output/atomic_output.hpp"
#include "gapcast/run/results.hpp"
#include "gapcast/util/number_text.hpp"

namespace gapcast {

std::string results_json(const Results& results);
std::string series_csv(const Results& results);
std::string scalars_csv(const Results& results);
std::string samples_csv(const Results& results);  ///< empty if the run kept no raw values

/// One scenario of a run as its caller gave it: a file path exactly as typed (relative paths
/// resolve against the run's working directory, and the manifest's display names and the
/// assumptions' file names depend on that spelling), or a scenario document held in memory
/// (a Python dict or an edited scenario) with the label and base directory it was loaded
/// with.
struct ScenarioInput {
  std::string file;      ///< path as given; empty for an in-memory document
  std::string document;  ///< JSON text of an in-memory scenario; empty for a file
  std::string label;     ///< the in-memory scenario's display name
  std::string base_dir;  ///< where the in-memory scenario's relative paths resolve
  /// The files read for it, with SHA-256. Recorded for the baseline only: the run's own
  /// scenarios already list theirs in the manifest's "scenarios".
  std::vector<SourceFile> files;
};

/// What a rerun needs beyond Results::info: how the scenarios were given. Kept under
/// "inputs" in the manifest.
struct RunInputs {
  std::vector<ScenarioInput> scenarios;
  std::optional<ScenarioInput> baseline;  ///< the --baseline scenario, when one was given
  std::vector<std::string> set;           ///< --set PATH=VALUE arguments, in order
};

/// The "inputs" object of a manifest, as JSON text.
std::string run_inputs_json(const RunInputs& inputs);
/// Reads RunInputs back from that JSON text (a manifest's "inputs"); throws
/// std::invalid_argument naming the member that is missing or of the wrong type.
RunInputs run_inputs_from_json(std::string_view text);

/// `command` is the command line that produced the run (recorded for rerunning); `files` are
/// the result files written beside the manifest with their contents' SHA-256; `inputs` (when
/// known) is how the scenarios were given, which is what `gapcast reproduce` reruns from.
std::string manifest_json(const Results& results, const std::vector<std::string>& command,
                          const std::vector<std::pair<std::string, std::string>>& files,
                          const RunInputs* inputs = nullptr);

/// Writes every file above through `output` and commits it: the output directory is replaced
/// by the new set whole (output/atomic_output.hpp). Returns the file names written.
/// `streamed` names files the run already wrote into the staging directory (an ensemble), with
/// their SHA-256: the manifest lists them beside the others.
std::vector<std::string> write_results(
    const Results& results, OutputTransaction& output, const std::vector<std::string>& command,
    const RunInputs* inputs = nullptr,
    const std::vector<std::pair<std::string, std::string>>& streamed = {});
/// The same into `out_dir`, checking the location first (OutputLocationError).
std::vector<std::string> write_results(const Results& results, const std::filesystem::path& out_dir,
                                       const std::vector<std::string>& command,
                                       const RunInputs* inputs = nullptr);

/// Every result file's name and text (manifest.json last), as write_results writes them.
/// `streamed` as for write_results: (name, SHA-256) of files written during the run.
std::vector<std::pair<std::string, std::string>> result_file_contents(
    const Results& results, const std::vector<std::string>& command, const RunInputs* inputs,
    const std::vector<std::pair<std::string, std::string>>& streamed = {});

}  // namespace gapcast
