#pragma once
// Internal helpers shared by the world, policy and scenario loaders: typed field access that
// reports located, explained errors instead of throwing, and the source map that lets one
// composed document (a world file plus a scenario's overrides plus --set values) report each
// problem in the file, or on the command line, where the offending value was written.
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "gapcast/util/dates.hpp"
#include "gapcast/scenario/diagnostics.hpp"
#include "gapcast/uncertainty/distributions.hpp"
#include "gapcast/scenario/json_locator.hpp"
#include "gapcast/scenario/scenario.hpp"

namespace gapcast::detail {

using nlohmann::json;

/// Where a value was written: a place in a document, or a command-line override.
struct Origin {
  DocumentRef doc;      ///< file name and locator (locator null for in-memory input)
  std::string pointer;  ///< pointer of the value inside that document
  std::string label;    ///< non-empty for a command-line override: "--set world.x=4"
};

/// A resolved location, ready to put into a Diagnostic or a ParameterSpec.
struct Located {
  std::string file;
  std::size_t line = 0, column = 0;
  std::string pointer;  ///< pointer in `file`, or the --set argument for command-line values
  std::string detail;   ///< for command-line values: the pointer inside the --set value
};

/// Maps pointers of a composed world or policy back to where each part was written. The base
/// is the world/policy as read (a file, or an inline object at some pointer of a scenario
/// file); each overlay records that the subtree at `at` was replaced by an override.
struct SourceMap {
  struct Overlay {
    std::string at;  ///< pointer in the composed document
    Origin origin;
  };
  Origin base;
  std::vector<Overlay> overlays;

  /// Records that `at` now comes from `origin`: overlays at or below `at` are gone with the
  /// value they described.
  void overlay(const std::string& at, Origin origin);
  /// Where `pointer` (in the composed document) was written.
  [[nodiscard]] Located locate(const std::string& pointer) const;
  /// A text that differs whenever two maps would locate some pointer differently.
  [[nodiscard]] std::string identity() const;
};

/// Whether `prefix` is `pointer` or one of its ancestors (token-wise: "/a" is an ancestor of
/// "/a/b" but not of "/ab").
bool pointer_is_within(std::string_view pointer, std::string_view prefix);

/// Where the JSON being read lives, and where diagnostics go.
struct LoadContext {
  Diagnostics* diag = nullptr;
  std::shared_ptr<const SourceMap> map;
  bool strict = false;

  /// A context whose pointers are `prefix` + pointer in `doc`, without overrides.
  static LoadContext plain(Diagnostics* diag, const DocumentRef& doc, std::string prefix,
                           bool strict);

  void error(const std::string& pointer, std::string message) const;
  void warning(const std::string& pointer, std::string message) const;
  [[nodiscard]] Located locate(const std::string& pointer) const { return map->locate(pointer); }
};

/// Builds the diagnostic for a problem at `where`. Command-line values put their --set
/// argument where the pointer goes and the pointer inside the value in front of the message.
Diagnostic make_diagnostic(Severity severity, const Located& where, std::string message);

std::string child(const std::string& pointer, std::string_view key);
std::string child(const std::string& pointer, std::size_t index);

/// "a string (\"abc\")", "the number 5", "null", "an array", "an object", "true".
std::string describe_value(const json& value);
/// Shortest round-trip text of a number.
std::string number_text(double value);

/// Reports a type error unless `value` is an object. Returns whether it is.
bool expect_object(const json& value, const std::string& pointer, const LoadContext& ctx,
                   std::string_view what);

/// Reports every key of `object` not in `allowed`, with a "did you mean" suggestion.
void check_keys(const json& object, const std::string& pointer, const LoadContext& ctx,
                std::span<const std::string_view> allowed, std::string_view where);

/// Required/optional field readers. Missing required fields and wrong types are reported.
std::optional<std::string> read_string(const json& object, std::string_view key,
                                       const std::string& pointer, const LoadContext& ctx,
                                       bool required);
std::optional<double> read_number(const json& value, const std::string& pointer,
                                  const LoadContext& ctx);
/// Reports "source" and "note" members of `object` that are not strings (provenance text).
/// Returns whether `object` has a non-empty "source".
bool check_provenance(const json& object, const std::string& pointer, const LoadContext& ctx);
/// A "YYYY-MM" month.
std::optional<YearMonth> read_month(const json& value, const std::string& pointer,
                                    const LoadContext& ctx);

// ---- the vocabulary of each kind of object, shared with the schema drift test ----------------

/// Keys the hand-written parsers accept, by object kind ("scenario", "world", "foreign_chip",
/// "domestic_chip", "line", "correlation", "policy", "lever_change", "lever_constant",
/// "parameter_meta"). tests/cpp/schema_test.cpp compares each list with the JSON schema.
const std::vector<std::string_view>& keys_of(std::string_view object_kind);

/// The "dist" kinds the parameter grammar understands, in documentation order.
const std::vector<std::string_view>& distribution_kind_names();
/// The keys an explicit form of `kind` takes besides "dist" and the meta keys; null for an
/// unknown kind.
const std::vector<std::string_view>* distribution_kind_keys(std::string_view kind);

/// Parses a parameter specification (number or distribution object) for a parameter of the
/// given kind. Adds diagnostics and returns nullopt when it cannot be used.
std::optional<ParameterSpec> parse_parameter(const json& value, const std::string& pointer,
                                             const LoadContext& ctx, const ParameterInfo& info,
                                             std::string name);

/// Parses just the distribution part of a specification (also used for mixture components).
/// `scale` converts the written unit to the canonical one.
std::optional<Distribution> parse_distribution(const json& value, const std::string& pointer,
                                               const LoadContext& ctx, double scale, int depth);

/// World and policy from their JSON (already parsed). Diagnostics go to ctx.
std::optional<World> parse_world(const json& value, const LoadContext& ctx);
std::optional<Policy> parse_policy(const json& value, const LoadContext& ctx);

/// Checks that every chip class a policy names exists in the world and is foreign.
void check_policy_against_world(const Policy& policy, const World& world,
                                const LoadContext& policy_ctx);

}  // namespace gapcast::detail
