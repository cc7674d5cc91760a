// gapcast: the command-line program. A thin layer: parse arguments, call the engine library,
// map outcomes to exit statuses.
//
// Commands the engine does not implement itself are external, in the way git's are: for
// `gapcast NAME ARGS...` with an unknown NAME, the program runs `gapcast-NAME ARGS...` found
// next to itself or on the PATH. The Python package installs `gapcast-report` this way, so
// the report (drawn with matplotlib) is an ordinary program of its own and this one does not
// depend on Python at all.
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "gapcast/util/build_info.hpp"
#include "gapcast/util/suggest.hpp"

namespace {

namespace fs = std::filesystem;

const std::vector<std::string> builtin_commands{"run",        "compare",   "validate",
                                                "schema",     "parameters", "reproduce",
                                                "sensitivity", "merge"};

bool is_executable(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

/// `gapcast-NAME`: beside this program first (one installation stays together), then on PATH.
std::optional<fs::path> find_external(const std::string& name) {
  const std::string program = "gapcast-" + name;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && is_executable(self.parent_path() / program)) return self.parent_path() / program;
  const char* path = std::getenv("PATH");
  std::string_view dirs = path != nullptr ? path : "";
  while (!dirs.empty()) {
    const auto colon = dirs.find(':');
    const fs::path dir(std::string(dirs.substr(0, colon)));
    if (!dir.empty() && is_executable(dir / program)) return dir / program;
    if (colon == std::string_view::npos) break;
    dirs.remove_prefix(colon + 1);
  }
  return std::nullopt;
}

/// Replaces this process with `program`, given argv[first..]; returns only on failure.
int exec_program(const fs::path& program, int first, int argc, char** argv) {
  std::vector<char*> args{const_cast<char*>(program.c_str())};
  for (int i = first; i < argc; ++i) args.push_back(argv[i]);
  args.push_back(nullptr);
  // The Python drivers run this same program again (on cluster workers, for `merge`).
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) ::setenv("GAPCAST_PROGRAM", self.c_str(), 1);
  ::execv(program.c_str(), args.data());
  std::cerr << "gapcast: cannot run " << program.string() << ": " << std::strerror(errno)
            << "\n";
  return gapcast::cli::exit_internal;
}

/// `run` or `compare` with --scheduler: the run goes to a Dask cluster through the Python
/// package's gapcast-cluster, which runs this program's --shard on the workers.
bool wants_cluster(int argc, char** argv) {
  const std::string_view command = argv[1];
  if (command != "run" && command != "compare") return false;
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") return false;
    if (arg == "--scheduler" || arg.starts_with("--scheduler=")) return true;
  }
  return false;
}

/// Runs an external command in place of this process, or explains why there is none.
int run_external(const std::string& name, int argc, char** argv) {
  const bool plausible = name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") ==
                         std::string::npos;
  if (plausible) {
    if (const auto program = find_external(name)) return exec_program(*program, 2, argc, argv);
  }
  std::cerr << "gapcast: '" << name << "' is not a gapcast command";
  if (const auto close = gapcast::closest_match(name, builtin_commands)) {
    std::cerr << "; did you mean '" << *close << "'?";
  } else if (name == "report" || name == "diff" || name == "check" ||
             name == "discover") {
    std::cerr << " here: `gapcast " << name << "` is provided by the Python package (gapcast-"
              << name << "); install it with `python3 -m pip install .` in the source tree";
  }
  std::cerr << "\nCommands: run, compare, validate, schema, parameters, reproduce, sensitivity, "
               "merge, and\ngapcast-NAME programs on the PATH (report, diff, check, discover). "
               "See gapcast --help.\n";
  return gapcast::cli::exit_bad_input;
}

}  // namespace

// Long because: the program's help text and the table of subcommands are written out here, in
// the order --help lists them.
int main(int argc, char** argv) {
  using namespace gapcast::cli;
  if (argc >= 2 && wants_cluster(argc, argv)) {
    if (const auto program = find_external("cluster")) return exec_program(*program, 1, argc, argv);
    std::cerr << "gapcast: --scheduler runs through the Python package's gapcast-cluster, "
                 "which was not found beside this program or on the PATH; install it with "
                 "`python3 -m pip install \".[dask]\"` in the source tree\n";
    return exit_bad_input;
  }
  if (argc >= 2 && argv[1][0] != '-') {
    const std::string name = argv[1];
    if (std::find(builtin_commands.begin(), builtin_commands.end(), name) ==
        builtin_commands.end()) {
      return run_external(name, argc, argv);
    }
  }
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
      "  gapcast diff old-results results\n"
      "  gapcast check checks/published.json --results results\n"
      "  gapcast discover results --scenario comprehensive_embargo \\\n"
      "      --where \"gap_training@2030-12 < 10\"\n"
      "  gapcast reproduce results/manifest.json\n"
      "  gapcast sensitivity scenarios/baseline.json --method sobol -n 1024 --out sens\n"
      "  gapcast compare scenarios/*.json -n 1e6 --shard 0:500000 --out-shard a.shard\n"
      "  gapcast merge a.shard b.shard --out results\n\n"
      "Other commands are programs named gapcast-NAME next to this one or on the PATH\n"
      "(`gapcast report`, `diff`, `check` and `discover` run gapcast-report,\n"
      "gapcast-diff, gapcast-check and gapcast-discover, installed with the Python\n"
      "package).\n\n"
      "Exit status: 0 success; 2 bad usage or bad input (nothing is written); 1 internal\n"
      "failure; 130 interrupted (nothing is written). `reproduce` also exits 3 when the\n"
      "rerun's files differ from the manifest.",
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
  auto reproduce = add_reproduce_command(app);
  auto sensitivity = add_sensitivity_command(app, args);
  auto merge = add_merge_command(app, args);
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
    if (app.got_subcommand("reproduce")) return reproduce();
    if (app.got_subcommand("sensitivity")) return sensitivity();
    if (app.got_subcommand("merge")) return merge();
  } catch (const std::exception& e) {
    std::cerr << "gapcast: internal error: " << e.what() << "\n";
    return exit_internal;
  }
  return exit_internal;
}
