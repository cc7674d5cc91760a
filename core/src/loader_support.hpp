#pragma once
// Internal helpers shared by the world, policy and scenario loaders: typed field access that
// reports located, explained errors instead of throwing.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "gapcast/dates.hpp"
#include "gapcast/diagnostics.hpp"
#include "gapcast/distributions.hpp"
#include "gapcast/json_locator.hpp"
#include "gapcast/scenario.hpp"

namespace gapcast::detail {

using nlohmann::json;

/// Where the JSON being read lives: the document, and the pointer of this subtree inside it
/// (non-empty for a world or policy written inline in a scenario file).
struct LoadContext {
  Diagnostics* diag = nullptr;
  DocumentRef doc;
  std::string prefix;
  bool strict = false;

  void error(const std::string& pointer, std::string message) const {
    diag->error(doc, prefix + pointer, std::move(message));
  }
  void warning(const std::string& pointer, std::string message) const {
    diag->warning(doc, prefix + pointer, std::move(message));
  }
  [[nodiscard]] std::string full(const std::string& pointer) const { return prefix + pointer; }
  [[nodiscard]] std::size_t line_of(const std::string& pointer) const;
};

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
/// A "YYYY-MM" month. `allow_null` accepts null (returns nullopt without an error; `is_null`
/// tells the caller which case it was).
std::optional<YearMonth> read_month(const json& value, const std::string& pointer,
                                    const LoadContext& ctx);

/// Parses a parameter specification (number or distribution object) for a parameter of the
/// given kind. Adds diagnostics and returns nullopt when it cannot be used.
std::optional<ParameterSpec> parse_parameter(const json& value, const std::string& pointer,
                                             const LoadContext& ctx, const ParameterInfo& info,
                                             std::string name);

/// Parses just the distribution part of a specification (used for mixture components and for
/// command-line overrides). `scale` converts the written unit to the canonical one.
std::optional<Distribution> parse_distribution(const json& value, const std::string& pointer,
                                               const LoadContext& ctx, double scale, int depth);

/// World and policy from their JSON (already parsed). Diagnostics go to ctx.
std::optional<World> parse_world(const json& value, const LoadContext& ctx);
std::optional<Policy> parse_policy(const json& value, const LoadContext& ctx);

/// Checks that every chip class a policy names exists in the world and is foreign.
void check_policy_against_world(const Policy& policy, const World& world,
                                const LoadContext& policy_ctx);

}  // namespace gapcast::detail
