// `gapcast validate`: check scenario files without running them.
#include <iostream>

#include "commands.hpp"
#include "gapcast/scenario/loader.hpp"

namespace gapcast::cli {

Command add_validate_command(CLI::App& app) {
  struct Args {
    std::vector<std::string> files;
    std::vector<std::string> set;
    bool strict = false;
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand(
      "validate", "Check scenario files (and the world and policy files they name) without "
                  "running them; every problem is listed with file:line:column and JSON path.");
  cmd->add_option("scenarios", args->files, "Scenario files (JSON)")->required();
  cmd->add_flag("--strict", args->strict,
                "Also require a \"source\" on every parameter and correlation (use for "
                "published scenarios)");
  add_set_option(*cmd, args->set);
  return [args]() -> int {
    LoadOptions options;
    options.strict = args->strict;
    options.set = args->set;
    try {
      const auto loaded = load_scenarios(args->files, options);
      for (const auto& w : loaded.warnings) std::cerr << format_diagnostic(w) << "\n";
      for (const auto& s : loaded.scenarios) {
        std::size_t uncertain = 0;
        for (const auto& p : s.world->parameters) uncertain += p.dist.is_point() ? 0 : 1;
        std::cout << "ok: " << s.files.front().display_name << " (scenario \"" << s.name
                  << "\": world \"" << s.world->name << "\" with " << s.world->parameters.size()
                  << " parameters, " << uncertain << " uncertain; policy \"" << s.policy->name
                  << "\")\n";
      }
      return exit_ok;
    } catch (const InputError& e) {
      for (const auto& d : e.diagnostics()) std::cerr << format_diagnostic(d) << "\n";
      std::size_t errors = 0;
      for (const auto& d : e.diagnostics()) errors += d.severity == Severity::error ? 1 : 0;
      std::cerr << "gapcast: " << errors << (errors == 1 ? " error" : " errors") << "\n";
      return exit_bad_input;
    }
  };
}

}  // namespace gapcast::cli

namespace gapcast::cli {

void add_set_option(CLI::App& cmd, std::vector<std::string>& values) {
  cmd.add_option("--set", values,
                 "Override a value of every scenario, PATH=VALUE (repeatable, applied in order "
                 "after the files' own overrides): world.<parameter>=4.0, "
                 "'world.<parameter>={\"p5\":3,\"p50\":4,\"p95\":6}', world.chips.h20.tpp=2400, "
                 "policy.levers.enforcement_intensity=0.5, policy.chips.h200.fee=0.3, or a JSON "
                 "Pointer /world/...=VALUE. See docs/scenarios.md.")
      // One PATH=VALUE per --set, so that "--set a=1 file.json" leaves file.json positional.
      ->allow_extra_args(false);
}

}  // namespace gapcast::cli
