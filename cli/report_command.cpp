// `gapcast report RESULTS_DIR -o REPORT_DIR`: figures, tables, the assumptions appendix and an
// HTML page from a results directory.
//
// The report is drawn by the Python package (gapcast.report_main, with matplotlib): plotting
// belongs there, and one implementation serves both the command and notebooks, so a report
// made either way is the same bytes. This command therefore only checks its arguments and
// replaces itself (execv) with the Python interpreter the package was built for, so exit
// statuses, output and Ctrl-C behave exactly as the Python entry point's. The interpreter is,
// in order: $GAPCAST_PYTHON; the one CMake found at build time (under pip, the Python that
// installed the package, which is where `import gapcast` works); `python3` on the PATH.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <sstream>

#include "commands.hpp"

#ifndef GAPCAST_REPORT_PYTHON
#define GAPCAST_REPORT_PYTHON ""
#endif

namespace gapcast::cli {
namespace {

// Run by the interpreter with `-c`: a missing package or matplotlib becomes one clear message
// and exit status 1 rather than a traceback.
constexpr const char* bootstrap =
    "import sys\n"
    "try:\n"
    "    from gapcast.report_main import main\n"
    "except ImportError as error:\n"
    "    sys.stderr.write('gapcast: report needs the gapcast Python package (with matplotlib) '\n"
    "                     'in ' + sys.executable + ': ' + str(error) + '\\n'\n"
    "                     'install it with `python3 -m pip install .` in the source tree, or '\n"
    "                     'set GAPCAST_PYTHON to a Python that has it\\n')\n"
    "    sys.exit(1)\n"
    "sys.exit(main(sys.argv[1:], prog='gapcast report'))\n";

struct Args {
  std::string results;
  std::string out;
  std::vector<int> years;
  std::vector<std::string> scenarios, metrics, formats;
  int dpi = 300;
  bool quiet = false;
};

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

int execute(const Args& a) {
  std::vector<std::string> argv{"python", "-c", bootstrap, a.results, "--out", a.out};
  if (!a.years.empty()) {
    std::ostringstream years;
    for (std::size_t i = 0; i < a.years.size(); ++i) years << (i ? "," : "") << a.years[i];
    argv.insert(argv.end(), {"--years", years.str()});
  }
  if (!a.scenarios.empty()) argv.insert(argv.end(), {"--scenarios", joined(a.scenarios)});
  if (!a.metrics.empty()) argv.insert(argv.end(), {"--metrics", joined(a.metrics)});
  if (!a.formats.empty()) argv.insert(argv.end(), {"--formats", joined(a.formats)});
  argv.insert(argv.end(), {"--dpi", std::to_string(a.dpi)});
  if (a.quiet) argv.emplace_back("--quiet");

  std::vector<std::string> candidates;
  if (const char* env = std::getenv("GAPCAST_PYTHON"); env != nullptr && *env != '\0') {
    candidates.emplace_back(env);  // an explicit choice is not second-guessed
  } else {
    if (std::strlen(GAPCAST_REPORT_PYTHON) > 0) candidates.emplace_back(GAPCAST_REPORT_PYTHON);
    candidates.emplace_back("python3");
  }
  std::string tried;
  for (const auto& python : candidates) {
    argv[0] = python;
    std::vector<char*> c_argv;
    for (auto& s : argv) c_argv.push_back(s.data());
    c_argv.push_back(nullptr);
    std::cout.flush();
    std::cerr.flush();
    // execvp searches the PATH only for a bare name; a path is used as it is. It returns only
    // when the interpreter could not be started.
    execvp(c_argv[0], c_argv.data());
    tried += "\n  " + python + ": " + std::strerror(errno);
  }
  std::cerr << "gapcast: report needs Python with the gapcast package and matplotlib, but no "
               "interpreter could be started:"
            << tried << "\nset GAPCAST_PYTHON to the Python the package is installed in\n";
  return exit_internal;
}

}  // namespace

Command add_report_command(CLI::App& app) {
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "report",
      "Build a report from a results directory: figures (SVG, PDF, 300-dpi PNG), tables (CSV, "
      "Markdown, LaTeX), the assumptions appendix and index.html, each with its provenance.");
  cmd->footer(
      "Regenerating from the same results gives identical files. The report is drawn by the "
      "gapcast Python package (matplotlib) in the Python it was installed with; "
      "$GAPCAST_PYTHON chooses another. See docs/reports.md.\n"
      "Exit status: 0 success; 2 bad usage or unreadable results (nothing is written); 1 "
      "internal failure, or the Python package is not available; 130 interrupted.");
  cmd->add_option("results", args->results,
                  "Results directory written by `gapcast run/compare --out` (results.json, "
                  "manifest.json, assumptions.json; samples.csv if run with --raw)")
      ->required();
  cmd->add_option("-o,--out", args->out, "Report directory (created; its report files replaced)")
      ->required();
  cmd->add_option("--years", args->years,
                  "Years whose December the tables and effect figures show (default: two "
                  "years in, mid-range, last month)")
      ->delimiter(',');
  cmd->add_option("--scenarios", args->scenarios,
                  "Scenarios to show, in this order (default: all in the results)")
      ->delimiter(',');
  cmd->add_option("--metrics", args->metrics,
                  "Time-series metrics for fan charts and the key-metrics table (default: "
                  "target_training_effective, gap_training, gap_training_months, gap_inference)")
      ->delimiter(',');
  cmd->add_option("--formats", args->formats, "Figure formats among svg, pdf, png (default: all)")
      ->delimiter(',');
  cmd->add_option("--dpi", args->dpi, "Resolution of the PNG figures")
      ->capture_default_str()
      ->check(CLI::Range(50, 1200));
  cmd->add_flag("-q,--quiet", args->quiet, "Do not list the files written");
  return [args]() -> int { return execute(*args); };
}

}  // namespace gapcast::cli
