// gapcast: the command-line program. A thin layer: parse arguments, call the engine library,
// map outcomes to exit statuses.
#include <exception>
#include <iostream>

#include "commands.hpp"
#include "gapcast/util/build_info.hpp"

int main(int argc, char** argv) {
  using namespace gapcast::cli;
  const std::vector<std::string> args(argv, argv + argc);
  CLI::App app{
      "gapcast: effective AI compute under export-control scenarios.\n\n"
      "Monte Carlo over uncertain worlds (chips, smuggling, domestic production, software\n"
      "progress), ODE dynamics per sample, paired comparisons between policies.\n\n"
      "Examples:\n"
      "  gapcast compare scenarios/*.json --samples 10000 --out results\n"
      "  gapcast run scenarios/baseline.json --central\n"
      "  gapcast validate --strict scenarios/*.json\n"
      "  gapcast run scenarios/baseline.json --set world.densing_doubling_months=4.0\n"
      "  gapcast schema world > world.schema.json\n"
      "  gapcast parameters scenarios/baseline.json > docs/parameters.md\n"
      "  gapcast report results -o report\n"
      "  gapcast reproduce results/manifest.json\n\n"
      "Exit status: 0 success; 2 bad usage or bad input (nothing is written); 1 internal\n"
      "failure; 130 interrupted (nothing is written). `reproduce` also exits 3 when the\n"
      "rerun's files differ from the manifest; `report` exits 1 when the Python package is\n"
      "not available.",
      "gapcast"};
  app.set_version_flag("--version", std::string("gapcast ") +
                                        std::string(gapcast::engine_version()) + " (" +
                                        std::string(gapcast::engine_git_commit()) + ")");
  app.require_subcommand(1);
  app.fallthrough(false);
  auto run = add_run_command(app, args, false);
  auto compare = add_run_command(app, args, true);
  auto validate = add_validate_command(app);
  auto schema = add_schema_command(app);
  auto parameters = add_parameters_command(app);
  auto report = add_report_command(app);
  auto reproduce = add_reproduce_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints the message and a pointer to --help
    return exit_bad_input;
  }
  try {
    if (app.got_subcommand("run")) return run();
    if (app.got_subcommand("compare")) return compare();
    if (app.got_subcommand("validate")) return validate();
    if (app.got_subcommand("schema")) return schema();
    if (app.got_subcommand("parameters")) return parameters();
    if (app.got_subcommand("report")) return report();
    if (app.got_subcommand("reproduce")) return reproduce();
  } catch (const std::exception& e) {
    std::cerr << "gapcast: internal error: " << e.what() << "\n";
    return exit_internal;
  }
  return exit_internal;
}
