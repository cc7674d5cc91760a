// `gapcast parameters`: every parameter of a scenario's world with its distribution, median,
// 90% interval and source (docs/parameters.md is this command's Markdown output).
#include <iostream>

#include "commands.hpp"
#include "gapcast/scenario/parameter_table.hpp"
#include "gapcast/scenario/loader.hpp"

namespace gapcast::cli {

Command add_parameters_command(CLI::App& app) {
  struct Args {
    std::string file;
    std::string format = "markdown";
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "parameters", "List every parameter of a scenario's world: distribution, median, 90% "
                    "interval, unit and source.");
  cmd->add_option("scenario", args->file, "Scenario file (JSON)")->required();
  cmd->add_option("--format", args->format, "markdown, csv or json")
      ->capture_default_str()
      ->check(CLI::IsMember({"markdown", "csv", "json"}));
  return [args]() -> int {
    try {
      const auto loaded = load_scenarios({args->file});
      for (const auto& w : loaded.warnings) std::cerr << format_diagnostic(w) << "\n";
      const World& world = *loaded.scenarios.front().world;
      if (args->format == "csv") std::cout << parameter_table_csv(world);
      else if (args->format == "json") std::cout << parameter_table_json(world);
      else std::cout << parameter_table_markdown(world);
      return exit_ok;
    } catch (const InputError& e) {
      for (const auto& d : e.diagnostics()) std::cerr << format_diagnostic(d) << "\n";
      return exit_bad_input;
    }
  };
}

}  // namespace gapcast::cli
