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

int execute(const MergeArgs& a) {
  std::vector<RunShard> shards;
  std::optional<ShardPayload> first;
  std::map<std::string, std::string> file_of_range;
  for (const auto& file : a.shards) {
    try {
      ShardPayload payload = read_shard_file(file);
      const std::string range = describe_range(payload.shard.range);
      if (const auto seen = file_of_range.find(range); seen != file_of_range.end()) {
        std::cerr << "gapcast: " << file << " and " << seen->second
                  << " are the same shard (samples " << range
                  << "); give each shard once\nnothing was written\n";
        return exit_bad_input;
      }
      file_of_range[range] = file;
      shards.push_back(std::move(payload.shard));
      if (!first) first = std::move(payload);
    } catch (const std::exception& e) {
      std::cerr << "gapcast: " << e.what() << "\nnothing was written\n";
      return exit_bad_input;
    }
  }
  Results results;
  try {
    results = merge_shards(std::move(shards));
  } catch (const ShardMergeError& e) {
    std::cerr << "gapcast: cannot merge: " << e.what() << "\nshard files:";
    for (const auto& [range, file] : file_of_range) std::cerr << " " << file << " (" << range << ")";
    std::cerr << "\nnothing was written\n";
    return exit_bad_input;
  }
  const auto& command = first->command;
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
    if (!first->inputs_json.empty()) inputs = run_inputs_from_json(first->inputs_json);
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
  } catch (const OutputCancelled&) {
    std::cerr << "gapcast: interrupted while writing; " << a.out << " was left as it was\n";
    return exit_interrupted;
  } catch (const std::exception& e) {
    std::cerr << "gapcast: could not write results to " << a.out << ": " << e.what() << "\n("
              << a.out << " was left as it was)\n";
    return exit_internal;
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
