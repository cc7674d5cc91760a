#pragma once
/// The published JSON Schemas of scenario, world and policy files, built into the engine.
///
/// scenarios/schema/*.schema.json (draft-07) are the single source: CMake embeds them byte for
/// byte (cmake/EmbedSchemas.cmake), `gapcast schema` prints them, editors read them through the
/// files' "$schema" references, and the loader validates every document against them (with
/// valijson) before its own semantic checks. What a schema cannot say (ordered percentiles,
/// dates in order, a positive definite correlation matrix, names that must exist elsewhere)
/// stays in the hand-written parsers; tests/cpp/schema_test.cpp keeps the two vocabularies
/// equal.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace gapcast {

enum class SchemaKind { scenario, world, policy, distribution };

struct SchemaFile {
  SchemaKind kind;
  std::string_view name;  ///< "scenario", "world", "policy", "distribution"
  std::string_view file;  ///< "world.schema.json"
  std::string_view text;  ///< the file's exact contents
};

/// Every embedded schema, in the order scenario, world, policy, distribution.
const std::vector<SchemaFile>& schema_files();
/// The schema for a kind.
const SchemaFile& schema_file(SchemaKind kind);
/// "world" -> SchemaKind::world; nullopt for an unknown name.
std::optional<SchemaKind> schema_kind(std::string_view name);

/// One violation found by the schema validator.
struct SchemaViolation {
  std::string pointer;  ///< RFC 6901 pointer of the offending value ("" for the root)
  std::string message;  ///< the validator's explanation
};

/// Validates a document against the schema of `kind`. Only the innermost violations are
/// returned (a failed member explains its failed parents). Thread-safe; never throws for any
/// document.
std::vector<SchemaViolation> validate_with_schema(SchemaKind kind, const nlohmann::json& document);

/// The "dist" kinds the loader understands (for the drift test and documentation).
std::vector<std::string> distribution_kinds();

/// The keys the loader's hand-written checks accept in each kind of object ("scenario",
/// "world", "foreign_chip", "domestic_chip", "foreign_stock", "domestic_stock", "line",
/// "correlation", "policy", "lever_change", "lever_constant", "parameter_meta", and
/// "dist:<kind>" for the keys of an explicit distribution besides "dist" and the meta keys);
/// empty for an unknown kind. For the drift test against the schema.
std::vector<std::string> loader_keys(std::string_view object_kind);

}  // namespace gapcast
