#pragma once
/// Loading scenario files: the one loader used by the CLI, the Python package and the tests.
///
/// A scenario file names a world and a policy, each either a path (relative to the scenario
/// file) or an inline object, or "extends" another scenario file; "overrides" and --set values
/// then replace members by JSON path. Every document is checked against the published JSON
/// Schema and by the semantic parsers. Every problem in every file is collected and reported
/// together as an InputError; nothing is half-loaded.
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gapcast/scenario/diagnostics.hpp"
#include "gapcast/scenario/scenario.hpp"
#include "gapcast/scenario/source_document.hpp"

namespace gapcast {

struct LoadOptions {
  /// Every parameter (and every correlation) must carry a "source" (validate --strict).
  bool strict = false;
  DocumentLimits limits;
  /// Command-line overrides, each "PATH=VALUE" as typed after --set, applied in order to
  /// every scenario of the call after its own overrides. PATH is "world.<parameter>",
  /// "world.chips.<class>.<field>", "policy.<lever>", "policy.levers.chips.<class>.<lever>"
  /// (dotted), or a JSON Pointer "/world/..." / "/policy/..."; VALUE is JSON (a number, a
  /// distribution object, null) or, when it is not JSON, a string. docs/scenarios.md has the
  /// full rules. Errors are reported against "<command line>".
  std::vector<std::string> set;
};

struct LoadResult {
  std::vector<Scenario> scenarios;
  std::vector<Diagnostic> warnings;
};

/// Loads each file. Throws InputError with every error found in any of them. Scenario names
/// must be unique within one call.
LoadResult load_scenarios(const std::vector<std::string>& files, const LoadOptions& options = {});

/// Builds a scenario from JSON already in memory (a Python dict). Relative world/policy paths
/// resolve against `base_dir`. `label` stands in for a file name in messages.
LoadResult load_scenario_json(const nlohmann::json& value, const std::string& label,
                              const std::filesystem::path& base_dir,
                              const LoadOptions& options = {});

/// Builds a scenario from JSON text (a Python string, a fuzzer's input) with the same checks and
/// located messages as a file; `label` stands in for the file name. Relative paths resolve
/// against `base_dir`.
LoadResult load_scenario_text(std::string text, const std::string& label,
                              const std::filesystem::path& base_dir,
                              const LoadOptions& options = {});

}  // namespace gapcast
