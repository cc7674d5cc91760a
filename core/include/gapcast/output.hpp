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
///   samples.csv    (with raw output) one row per sample and scenario
///   manifest.json  engine version and commit, seed, sample count, thread count, solver
///                  settings, scenario files with SHA-256, result files with SHA-256, wall
///                  time, and the command that reruns the result
/// Every file except the manifest depends only on the inputs, the seed and the sample count:
/// it is byte-identical for any thread count. Non-finite statistics are written as null (JSON)
/// or left empty (CSV), never as NaN or inf.
#include <filesystem>
#include <string>
#include <vector>

#include "gapcast/results.hpp"

namespace gapcast {

/// Shortest text that reads back as the same double ("" for NaN and infinities).
std::string format_number(double value);

std::string results_json(const Results& results);
std::string series_csv(const Results& results);
std::string scalars_csv(const Results& results);
std::string samples_csv(const Results& results);  ///< empty if the run kept no raw values

/// `command` is the command line that produced the run (recorded for rerunning); `files` are
/// the result files written beside the manifest with their contents' SHA-256.
std::string manifest_json(const Results& results, const std::vector<std::string>& command,
                          const std::vector<std::pair<std::string, std::string>>& files);

/// Writes every file above into `out_dir` atomically. Returns the file names written.
std::vector<std::string> write_results(const Results& results, const std::filesystem::path& out_dir,
                                       const std::vector<std::string>& command);

}  // namespace gapcast
