#pragma once
// Run options on the command line: every flag's text goes to the engine's own option parser
// and validator (gapcast/run/options.hpp), so the command rejects exactly what Python and
// `reproduce` reject, with the same words; this file only maps option names to flags.
#include <iostream>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "gapcast/run/options.hpp"

namespace gapcast::cli {

/// The flag that sets an option ("samples" -> "--samples", "keep_raw" -> "--raw").
std::string flag_name(const std::string& option);

/// Prints "<command line>: error: --samples: must be ..." for a rejected option.
void print_option_error(const RunOptionError& e);

/// Collects option flags as typed; apply() hands them to the engine's parser in order.
class OptionFlags {
 public:
  /// Adds the flag for option `name` to `cmd` (`flags` like "-n,--samples"), with the
  /// engine's default shown in --help.
  CLI::Option* add(CLI::App& cmd, const std::string& name, const std::string& flags,
                   const std::string& help);
  /// Sets every given flag on `options`. Throws RunOptionError.
  void apply(RunOptions& options) const;

 private:
  std::vector<std::pair<std::string, std::string>> given_;  // (option, text) in flag order
};

}  // namespace gapcast::cli
