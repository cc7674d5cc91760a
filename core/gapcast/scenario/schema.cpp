// The embedded JSON Schemas and validation against them with valijson.
//
// valijson is compiled here only, with exceptions enabled: without VALIJSON_USE_EXCEPTIONS it
// calls abort() on a problem, which the engine must never do.
#define VALIJSON_USE_EXCEPTIONS 1
#include "gapcast/scenario/schema.hpp"

#include <array>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>

#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "gapcast/scenario/json_locator.hpp"
#include "gapcast/scenario/detail/loader_support.hpp"

namespace gapcast {
namespace detail {
// Defined in the source CMake generates from scenarios/schema (cmake/EmbedSchemas.cmake).
const std::vector<std::pair<std::string_view, std::string_view>>& embedded_schemas();
}  // namespace detail

namespace {

// Beyond this many violations in one document the rest add nothing a reader can act on.
constexpr std::size_t max_violations = 200;

constexpr std::array<std::pair<SchemaKind, std::string_view>, 4> kind_names{{
    {SchemaKind::scenario, "scenario"},
    {SchemaKind::world, "world"},
    {SchemaKind::policy, "policy"},
    {SchemaKind::distribution, "distribution"},
}};

std::string_view text_of(std::string_view name) {
  for (const auto& [n, text] : detail::embedded_schemas()) {
    if (n == name) return text;
  }
  throw std::logic_error("schema " + std::string(name) + " is not embedded");
}

/// The parsed schema of one kind, with every "$ref" to a sibling file resolved from the
/// embedded copies. valijson 1.0 does not read "$id", so a relative reference such as
/// "distribution.schema.json#/definitions/parameter" reaches fetch() as the bare file name;
/// the same references resolve against the "$id" URL in Python's jsonschema and against the
/// file's own location in editors, and all three land on the same file.
class CompiledSchema {
 public:
  explicit CompiledSchema(std::string_view name) {
    const nlohmann::json root = nlohmann::json::parse(text_of(name));
    valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
    const valijson::adapters::NlohmannJsonAdapter adapter(root);
    parser.populateSchema(
        adapter, schema_,
        [](const std::string& uri) -> const nlohmann::json* {
          std::string file = uri.substr(uri.find_last_of('/') + 1);
          file = file.substr(0, file.find('#'));
          const std::string suffix = ".schema.json";
          if (file.size() <= suffix.size() ||
              file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0) {
            return nullptr;
          }
          return new nlohmann::json(
              nlohmann::json::parse(text_of(file.substr(0, file.size() - suffix.size()))));
        },
        [](const nlohmann::json* doc) { delete doc; });
  }
  [[nodiscard]] const valijson::Schema& schema() const { return schema_; }

 private:
  valijson::Schema schema_;
};

const CompiledSchema& compiled(SchemaKind kind) {
  // Built on first use (function-local statics are initialised once, thread-safely); the
  // schemas are fixed, so a failure here is a bug caught by the tests, not an input problem.
  static const std::array<CompiledSchema, 4> schemas{
      CompiledSchema("scenario"), CompiledSchema("world"), CompiledSchema("policy"),
      CompiledSchema("distribution")};
  return schemas[static_cast<std::size_t>(kind)];
}

/// valijson reports a failed member and then, once per enclosing level, that the parent
/// failed because of it. Those parent messages repeat the inner one without saying more.
bool is_wrapper(const std::string& message) {
  static const std::array<std::string_view, 10> wrappers{
      "Failed to validate against schema associated with property name",
      "Failed to validate item #",
      "Cannot validate item #",
      "Failed to validate against child schema",
      "Failed to validate against any schemas allowed by anyOf",
      "Failed to validate against a conditional schema",
      "Failed to validate against additional properties schema",
      "Failed to validate against schema associated with pattern",
      "Failed to validate against exactly one child schema",
      "Failed to validate against dependent schema",
  };
  for (const auto& w : wrappers) {
    if (message.compare(0, w.size(), w) == 0) return true;
  }
  return false;
}

/// Some of valijson's sentences, in the loader's words.
std::string reword(const std::string& message) {
  const std::string unknown =
      "Object contains a property that could not be validated using 'properties' or "
      "'additionalProperties' constraints: '";
  if (message.compare(0, unknown.size(), unknown) == 0) {
    std::string key = message.substr(unknown.size());
    if (key.size() >= 2) key.resize(key.size() - 2);  // "'."
    return "unknown key \"" + key + "\"";
  }
  const std::string missing = "Missing required property '";
  if (message.compare(0, missing.size(), missing) == 0) {
    std::string key = message.substr(missing.size());
    if (key.size() >= 2) key.resize(key.size() - 2);
    return "missing required key \"" + key + "\"";
  }
  if (message == "Value type not permitted by 'type' constraint.") {
    return "this kind of value is not allowed here";
  }
  if (message == "Failed to match against any enum values.") {
    return "not one of the allowed values";
  }
  return message;
}

}  // namespace

const std::vector<SchemaFile>& schema_files() {
  static const std::vector<SchemaFile> files = [] {
    std::vector<SchemaFile> out;
    for (const auto& [kind, name] : kind_names) {
      static const std::array<std::string_view, 4> file_names{
          "scenario.schema.json", "world.schema.json", "policy.schema.json",
          "distribution.schema.json"};
      out.push_back({kind, name, file_names[static_cast<std::size_t>(kind)], text_of(name)});
    }
    return out;
  }();
  return files;
}

const SchemaFile& schema_file(SchemaKind kind) {
  return schema_files()[static_cast<std::size_t>(kind)];
}

std::optional<SchemaKind> schema_kind(std::string_view name) {
  for (const auto& [kind, n] : kind_names) {
    if (n == name) return kind;
  }
  return std::nullopt;
}

std::vector<SchemaViolation> validate_with_schema(SchemaKind kind,
                                                  const nlohmann::json& document) {
  std::vector<SchemaViolation> raw;
  try {
    valijson::Validator validator(valijson::Validator::kStrongTypes);
    valijson::ValidationResults results;
    const valijson::adapters::NlohmannJsonAdapter adapter(document);
    if (validator.validate(compiled(kind).schema(), adapter, &results)) return {};
    valijson::ValidationResults::Error error;
    while (results.popError(error)) {
      // The context is "<root>" followed by "[member]" / "[index]" per level; a pointer
      // token is the same text either way.
      std::string pointer;
      for (std::size_t i = 1; i < error.context.size(); ++i) {
        std::string token = error.context[i];
        if (token.size() >= 2 && token.front() == '[' && token.back() == ']') {
          token = token.substr(1, token.size() - 2);
        }
        pointer += "/" + escape_pointer_token(token);
      }
      raw.push_back({std::move(pointer), std::move(error.description)});
    }
  } catch (const std::exception& e) {
    // Nothing in the documents should make valijson throw; if it does, the document is still
    // reported as not validated rather than taking the process down.
    return {{"", std::string("could not be checked against the schema: ") + e.what()}};
  }
  // A wrapper is dropped when a real violation lies at or below it. Sorted sets keep this
  // O(n log n): a document with thousands of bad entries must not take quadratic time.
  std::set<std::string> leaves;
  for (const auto& v : raw) {
    if (!is_wrapper(v.message)) leaves.insert(v.pointer);
  }
  const auto explained = [&](const std::string& pointer) {
    if (leaves.contains(pointer)) return true;
    const std::string below = pointer + "/";
    const auto it = leaves.lower_bound(below);
    return it != leaves.end() && it->compare(0, below.size(), below) == 0;
  };
  std::vector<SchemaViolation> out;
  std::set<std::pair<std::string, std::string>> seen;
  const std::string unknown_prefix = "unknown key \"";
  for (auto& v : raw) {
    if (is_wrapper(v.message) && explained(v.pointer)) continue;
    v.message = reword(v.message);
    // valijson reports an unknown member at its object; the member itself is the place (and
    // may have come from another file than the object, through an override).
    if (v.message.compare(0, unknown_prefix.size(), unknown_prefix) == 0) {
      v.pointer += "/" + escape_pointer_token(
                             v.message.substr(unknown_prefix.size(),
                                              v.message.size() - unknown_prefix.size() - 1));
    }
    if (!seen.emplace(v.pointer, v.message).second) continue;
    out.push_back(std::move(v));
    if (out.size() >= max_violations) break;
  }
  return out;
}

std::vector<std::string> distribution_kinds() {
  const auto& names = detail::distribution_kind_names();
  return {names.begin(), names.end()};
}

std::vector<std::string> loader_keys(std::string_view object_kind) {
  if (object_kind.substr(0, 5) == "dist:") {
    const auto* keys = detail::distribution_kind_keys(object_kind.substr(5));
    if (keys == nullptr) return {};
    return {keys->begin(), keys->end()};
  }
  const auto& keys = detail::keys_of(object_kind);
  return {keys.begin(), keys.end()};
}

}  // namespace gapcast
