#include "option_flags.hpp"

#include <algorithm>

namespace gapcast::cli {

std::string flag_name(const std::string& option) {
  if (option == "keep_raw") return "--raw";
  if (option == "observations") return "--observe";
  std::string flag = "--" + option;
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

void print_option_error(const RunOptionError& e) {
  // The format of every other input problem that has no file position.
  std::cerr << "<command line>: error: " << flag_name(e.option()) << ": " << e.problem() << "\n";
}

CLI::Option* OptionFlags::add(CLI::App& cmd, const std::string& name, const std::string& flags,
                              const std::string& help) {
  const auto defaults = to_json(RunOptions{});
  std::string shown = defaults.at(name).dump();
  if (defaults.at(name).is_string()) shown = defaults.at(name).get<std::string>();
  const bool no_default = defaults.at(name).is_array() && defaults.at(name).empty();
  // A string option with a callback: CLI11 does no conversion of its own, so "1e6" and
  // "-1" reach the engine's parser as typed.
  return cmd
      .add_option_function<std::string>(
          flags, [this, name](const std::string& text) { given_.emplace_back(name, text); },
          no_default ? help : help + " [default: " + shown + "]")
      ->type_name(name == "horizon" ? "YYYY-MM" : "VALUE")
      ->allow_extra_args(false);
}

void OptionFlags::apply(RunOptions& options) const {
  for (const auto& [name, text] : given_) set_run_option(options, name, text);
}

}  // namespace gapcast::cli
