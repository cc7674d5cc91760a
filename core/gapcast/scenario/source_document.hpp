#pragma once
/// Reading a JSON input file defensively: size and nesting limits, syntax errors with line and
/// column, duplicate keys, and a locator for later semantic errors. Nothing here throws on bad
/// input: problems go to the Diagnostics collector and the function returns nullopt.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "gapcast/scenario/diagnostics.hpp"
#include "gapcast/scenario/json_locator.hpp"

namespace gapcast {

/// Limits that keep hostile or broken files from exhausting memory or the stack. Scenario files
/// are a few kilobytes; these leave ample room.
struct DocumentLimits {
  std::size_t max_bytes = 8u << 20;  ///< 8 MiB
  std::size_t max_depth = 64;
  std::size_t max_array_length = 10000;  ///< elements of one array, members of one object
  /// Values in the whole document. The loader records a location for every value, so this
  /// bounds its memory as well as the work of every later pass.
  std::size_t max_values = 200000;
};

struct SourceDocument {
  std::string display_name;          ///< the path as the user wrote it (or a label)
  std::filesystem::path path;        ///< absolute, normalised; empty for in-memory text
  std::string text;
  nlohmann::json json;
  std::shared_ptr<JsonLocator> locator;
  std::string sha256;                ///< of the exact bytes read

  [[nodiscard]] DocumentRef ref() const { return {display_name, locator.get()}; }
};

/// Reads and parses `path`. On any problem adds located diagnostics and returns nullopt.
std::optional<SourceDocument> read_json_file(const std::filesystem::path& path,
                                             const std::string& display_name,
                                             Diagnostics& diagnostics,
                                             const DocumentLimits& limits = {});

/// Same checks for text already in memory (tests, Python strings).
std::optional<SourceDocument> parse_json_text(std::string text, const std::string& display_name,
                                              Diagnostics& diagnostics,
                                              const DocumentLimits& limits = {});

/// Parses a JSON value of any type (a command-line override's value) under the same limits.
/// Problems are reported as file-level errors of `display_name`, prefixed by `what`.
std::optional<nlohmann::json> parse_json_value(const std::string& text,
                                               const std::string& display_name,
                                               const std::string& what,
                                               Diagnostics& diagnostics,
                                               const DocumentLimits& limits = {});

/// Wraps an already-built JSON value (e.g. a Python dict) as a document without positions.
SourceDocument document_from_json(nlohmann::json value, const std::string& display_name);

/// Checks an in-memory value against the size limits (its serialised form). Returns false
/// after reporting a problem as a file-level error of `display_name`.
bool check_value_limits(const nlohmann::json& value, const std::string& display_name,
                        Diagnostics& diagnostics, const DocumentLimits& limits = {});

}  // namespace gapcast
