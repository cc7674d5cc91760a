// `gapcast schema`: print the JSON Schema of scenario, world, policy or distribution files, as
// built into the program (the same text as scenarios/schema/*.schema.json).
#include <iostream>

#include "commands.hpp"
#include "gapcast/scenario/schema.hpp"

namespace gapcast::cli {

Command add_schema_command(CLI::App& app) {
  auto which = std::make_shared<std::string>("scenario");
  CLI::App* cmd = app.add_subcommand(
      "schema",
      "Print the JSON Schema (draft-07) of scenario, world, policy or distribution files. The "
      "files in scenarios/schema/ are the same text; editors use them through \"$schema\".");
  cmd->add_option("kind", *which, "Which schema")
      ->capture_default_str()
      ->check(CLI::IsMember({"scenario", "world", "policy", "distribution"}));
  return [which]() -> int {
    const auto kind = schema_kind(*which);
    if (!kind) return exit_bad_input;  // unreachable: CLI11 checked the name
    std::cout << schema_file(*kind).text;
    return exit_ok;
  };
}

}  // namespace gapcast::cli
