// `gapcast merge`: joins the shard files of one run (`gapcast run/compare --shard`) into its
// results directory, byte-identical to the same run made on one machine (docs/distributed.md).
#include <iostream>
#include <map>
#include <optional>

#include "commands.hpp"
#include "gapcast/output/atomic_output.hpp"
#include "gapcast/output/result_files.hpp"
#include "gapcast/output/shard_file.hpp"
#include "gapcast/run/shard.hpp"
#include "interrupts.hpp"

namespace gapcast::cli {
namespace {

struct MergeArgs {
  std::vector<std::string> shards;
  std::string out;
  std::vector<int> years;
  bool quiet = false;
};

/// The merged run's command line: the whole run's, writing where this merge writes.
std::vector<std::string> merged_command(std::vector<std::string> command, const std::string& out) {
  for (std::size_t i = 0; i < command.size(); ++i) {
    if ((command[i] == "-o" || command[i] == "--out") && i + 1 < command.size()) {
      command[i + 1] = out;
      return command;
    }
  }
  command.push_back("--out");
  command.push_back(out);
  return command;
}

// Long because: reading, merging and writing each have their own failures to report, in the
// order a user meets them; split up, the shared state (files seen, the first header) would
// travel through every piece.
int execute(const MergeArgs& a) {
  // Shards are read and folded in one at a time (ShardMerger), so memory stays near one
  // shard's summaries however many there are.
  ShardMerger merger;
  std::vector<std::string> command;
  std::string inputs_json;
  std::map<std::string, std::string> file_of_range;
  const auto cannot_merge = [&](const std::exception& e) {
    std::cerr << "gapcast: cannot merge: " << e.what() << "\nshard files:";
    for (const auto& [range, file] : file_of_range) std::cerr << " " << file << " (" << range << ")";
    std::cerr << "\nnothing was written\n";
    return exit_bad_input;
  };
  for (const auto& file : a.shards) {
    std::optional<ShardPayload> payload;
    try {
      payload = read_shard_file(file);
    } catch (const std::exception& e) {
      std::cerr << "gapcast: " << e.what() << "\nnothing was written\n";
      return exit_bad_input;
    }
    const std::string range = describe_range(payload->shard.range);
    if (const auto seen = file_of_range.find(range); seen != file_of_range.end()) {
      std::cerr << "gapcast: " << file << " and " << seen->second
                << " are the same shard (samples " << range
                << "); give each shard once\nnothing was written\n";
      return exit_bad_input;
    }
    file_of_range[range] = file;
    if (command.empty()) {
      command = payload->command;
      inputs_json = payload->inputs_json;
    }
    try {
      merger.add(std::move(payload->shard));
    } catch (const ShardMergeError& e) {
      return cannot_merge(e);
    }
  }
  Results results;
  try {
    results = merger.finish();
  } catch (const ShardMergeError& e) {
    return cannot_merge(e);
  }
  const bool compare = command.size() > 1 && command[1] == "compare";
  if (!a.quiet) print_run_tables(results, a.years, compare);
  if (a.out.empty()) return exit_ok;

  InterruptGuard interrupts;
  try {
    OutputTransaction::Options where;
    where.cancel = InterruptGuard::flag();
    for (const auto& file : a.shards) where.inputs.emplace_back(file);
    OutputTransaction output(a.out, where);
    std::optional<RunInputs> inputs;
    if (!inputs_json.empty()) inputs = run_inputs_from_json(inputs_json);
    const auto files = write_results(results, output, merged_command(command, a.out),
                                     inputs ? &*inputs : nullptr);
    std::cerr << "merged " << a.shards.size() << " shard(s) of " << results.info.samples
              << " samples; wrote";
    for (const auto& f : files) std::cerr << " " << f;
    std::cerr << " to " << a.out << "\n";
    return exit_ok;
  } catch (const OutputLocationError& e) {
    std::cerr << "gapcast: --out: " << e.what() << "\nnothing was written\n";
    return exit_bad_input;
  } catch (const std::exception& e) {
    return report_write_failure(a.out, e);
  }
}

}  // namespace

Command add_merge_command(CLI::App& app, const std::vector<std::string>& /*argv*/) {
  auto args = std::make_shared<MergeArgs>();
  CLI::App* cmd = app.add_subcommand(
      "merge",
      "Join the shard files of one run (made with `run`/`compare` --shard START:STOP "
      "--out-shard F, on any machines, in any order) into its results: byte-identical to the "
      "same run on one machine. Shards of different runs, overlapping shards and missing "
      "samples are refused, naming what differs.");
  cmd->add_option("shards", args->shards, "Shard files, in any order")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--out", args->out,
                  "Results directory, as `run --out` writes it (replaced as a whole)");
  cmd->add_option("--years", args->years, "Years whose December the tables show")
      ->delimiter(',');
  cmd->add_flag("-q,--quiet", args->quiet, "Do not print tables");
  return [args]() -> int { return execute(*args); };
}

}  // namespace gapcast::cli
