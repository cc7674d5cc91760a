#pragma once
// The CLI's subcommands. Each registers its options on a CLI11 app and returns a function that
// runs it and returns the process exit status.
#include <exception>
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "gapcast/run/results.hpp"

namespace gapcast::cli {

/// Exit statuses scripts can rely on (also listed in `gapcast --help`).
inline constexpr int exit_ok = 0;
inline constexpr int exit_internal = 1;
inline constexpr int exit_bad_input = 2;
inline constexpr int exit_interrupted = 130;

using Command = std::function<int()>;

Command add_run_command(CLI::App& app, const std::vector<std::string>& argv, bool compare);
Command add_validate_command(CLI::App& app);
Command add_parameters_command(CLI::App& app);
Command add_schema_command(CLI::App& app);
Command add_reproduce_command(CLI::App& app);
Command add_sensitivity_command(CLI::App& app, const std::vector<std::string>& argv);
Command add_merge_command(CLI::App& app, const std::vector<std::string>& argv);

/// The tables `run` prints (and `compare`'s comparison), at December of `years` or the default
/// report months; `merge` prints the same for the merged run.
void print_run_tables(const Results& results, const std::vector<int>& years, bool compare);

/// What a command that writes a results directory says when writing fails (an interrupt, or an
/// I/O error), and the exit status: the directory `out` is left as it was either way.
int report_write_failure(const std::string& out, const std::exception& e);

/// Registers the repeatable --set PATH=VALUE option (run, compare and validate share it).
void add_set_option(CLI::App& cmd, std::vector<std::string>& values);

}  // namespace gapcast::cli
