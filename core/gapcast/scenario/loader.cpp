// Loading scenario files: composition (extends, overrides, --set), the schema pass and the
// semantic parsers, with every problem reported where it was written.
//
// How one scenario is put together:
//   1. The scenario file is read; if it "extends" another scenario file, that one is composed
//      first (recursively; a cycle is an error naming the whole chain).
//   2. Its own "world" and "policy" (a path or an inline object) replace the inherited ones.
//   3. Its "overrides" (JSON Pointer -> value) replace members of the composed world/policy.
//   4. Command-line --set overrides are applied last, to every scenario of the call.
//   5. The composed world and policy are checked against the JSON Schema (valijson), then
//      parsed by the hand-written parsers, which also check what a schema cannot say.
// Each composed world/policy carries a SourceMap, so an error in a value that came from an
// override points at the override (the scenario file's "/overrides/..." member, or the --set
// argument), and every other error at the world or policy file.
//
// Schema and semantic passes overlap on purpose (the schema is what editors and other tools
// see; the engine must never accept what it rejects). Each problem is reported once: a schema
// violation is dropped when the semantic pass reported an error in the same file at the same
// place, below it, or above it (except at the document root); the semantic message is the
// better one (it says what was expected and suggests the nearest valid key). A schema
// violation with no semantic counterpart is reported as it is, and still rejects the input.
#include "gapcast/scenario/loader.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>

#include "gapcast/scenario/schema.hpp"
#include "gapcast/util/sha256.hpp"
#include "gapcast/util/suggest.hpp"
#include "gapcast/scenario/detail/loader_support.hpp"

namespace gapcast {
namespace {

using detail::child;
using detail::describe_value;
using detail::LoadContext;
using detail::Located;
using detail::Origin;
using detail::SourceMap;
using nlohmann::json;

/// Longer chains than this are almost certainly a mistake (and bound the recursion).
constexpr std::size_t max_extends_depth = 32;
const std::string command_line_file = "<command line>";

/// A world or a policy as composed so far.
struct Part {
  json value;
  std::shared_ptr<SourceMap> map;
  std::optional<SourceFile> file;  ///< the world/policy file, when it came from one
};

struct Composition {
  std::optional<Part> world, policy;
  std::vector<SourceFile> files;  ///< scenario files this one extends, nearest first
  bool ok = true;
};

/// A path written with "\u0000" would be cut at that character by the operating system and
/// name a different file than the one written.
constexpr const char* nul_in_path_message =
    "a file path must not contain the character \\u0000 (the operating system would cut the "
    "path there and open another file)";

/// Scenario names: 1 to 64 ASCII letters, digits, '_' or '-' (docs/scenarios.md).
bool valid_scenario_name(const std::string& name) {
  return !name.empty() && name.size() <= 64 &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
         });
}

/// The name of a scenario given as text or a JSON value without "name": its label's stem
/// ("test.json" -> "test") when that is a valid name, else "scenario" (a label such as
/// "<dict>" names the source in messages, not the scenario).
std::string in_memory_default_name(const std::string& label) {
  const std::string stem = std::filesystem::path(label).stem().string();
  return valid_scenario_name(stem) ? stem : "scenario";
}

/// A name as it can be shown on one line: quoted, control characters escaped.
std::string quoted_name(const std::string& name) {
  std::string out = "\"";
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20) {
      out += c == '\n' ? "\\n" : "\\x" + std::string(1, "0123456789abcdef"[(c >> 4) & 0xF]) +
                                     std::string(1, "0123456789abcdef"[c & 0xF]);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

/// Why a --set value that reads as a number to strtod is still not a JSON number (1e400
/// overflows a double; +4, .5, inf and nan are not written that way in JSON), or nothing when
/// the text is not numeric at all (then it is taken as a string such as "banned").
std::optional<std::string> numeric_text_problem(const std::string& text) {
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(begin, &end);
  if (end == begin || *end != '\0') return std::nullopt;
  if (errno == ERANGE && std::isinf(x)) {
    return "the number " + text + " is too large for a double (the largest is about 1.8e308)";
  }
  return "\"" + text + "\" is not a number as JSON writes it (e.g. 4, 0.5, -2, 1e-3)";
}

/// A --set argument, parsed once per load call.
struct SetOverride {
  std::string label;    ///< "--set world.x=4", as shown in messages and the manifest
  std::string part;     ///< "world" or "policy"
  std::vector<std::string> tokens;  ///< pointer tokens inside the part
  json value;
};

/// RFC 6901: "/a/b~1c" -> {"a", "b/c"}. Returns nullopt (with a reason) when malformed.
std::optional<std::vector<std::string>> split_pointer(std::string_view pointer,
                                                      std::string& why) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  if (pointer.front() != '/') {
    why = "a JSON Pointer starts with \"/\"";
    return std::nullopt;
  }
  std::string token;
  for (std::size_t i = 1; i <= pointer.size(); ++i) {
    if (i == pointer.size() || pointer[i] == '/') {
      tokens.push_back(std::move(token));
      token.clear();
      continue;
    }
    if (pointer[i] == '~') {
      if (i + 1 < pointer.size() && (pointer[i + 1] == '0' || pointer[i + 1] == '1')) {
        token.push_back(pointer[i + 1] == '0' ? '~' : '/');
        ++i;
        continue;
      }
      why = "\"~\" must be followed by 0 (for \"~\") or 1 (for \"/\")";
      return std::nullopt;
    }
    token.push_back(pointer[i]);
  }
  return tokens;
}

std::string join_pointer(const std::vector<std::string>& tokens, std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count && i < tokens.size(); ++i) {
    out += "/" + escape_pointer_token(tokens[i]);
  }
  return out;
}

/// An array index token: digits without a leading zero.
std::optional<std::size_t> array_index(const std::string& token) {
  if (token.empty() || token.size() > 9) return std::nullopt;
  if (token.size() > 1 && token[0] == '0') return std::nullopt;
  std::size_t index = 0;
  for (const char c : token) {
    if (c < '0' || c > '9') return std::nullopt;
    index = index * 10 + static_cast<std::size_t>(c - '0');
  }
  return index;
}

/// Whether `text` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF).
bool valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0Fu;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + extra >= text.size()) return false;  // the sequence is cut off
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0u) != 0x80u) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

bool is_root(const std::string& pointer) { return pointer.empty() || pointer == "/"; }

/// Whether a semantic diagnostic covers a schema violation: same file, and the semantic one
/// is at the same place, below it, above it (but not at the root, which would cover the whole
/// document), or inside the same object. The last case exists because valijson, once one
/// member of an object fails, may also call a valid sibling "unknown" (its bookkeeping of
/// matched pattern properties stops at the first failure); the semantic message about the
/// member that is really wrong is the one to show.
bool covers(const Diagnostic& semantic, const Diagnostic& schema) {
  if (semantic.file != schema.file) return false;
  const std::string s = is_root(schema.pointer) ? "" : schema.pointer;
  const std::string e = is_root(semantic.pointer) ? "" : semantic.pointer;
  if (detail::pointer_is_within(e, s) || (!e.empty() && detail::pointer_is_within(s, e))) {
    return true;
  }
  const std::size_t slash = s.rfind('/');
  const std::string parent = slash == std::string::npos ? std::string() : s.substr(0, slash);
  return !parent.empty() && detail::pointer_is_within(e, parent);
}

class Loader {
 public:
  explicit Loader(LoadOptions options) : options_(std::move(options)) { parse_sets(); }

  std::shared_ptr<SourceDocument> read(const std::filesystem::path& path,
                                       const std::string& display) {
    const auto key = canonical(path);
    if (auto it = docs_.find(key); it != docs_.end()) return it->second;
    auto doc = read_json_file(path, display, diag_, options_.limits);
    std::shared_ptr<SourceDocument> shared =
        doc ? std::make_shared<SourceDocument>(std::move(*doc)) : nullptr;
    docs_[key] = shared;
    return shared;
  }

  std::optional<Scenario> scenario(const SourceDocument& doc, const std::string& default_name,
                                   const std::filesystem::path& base_dir) {
    if (!doc.json.is_object()) return std::nullopt;  // already reported by the reader
    const std::size_t errors_before = diag_.error_count();
    const LoadContext ctx = LoadContext::plain(&diag_, doc.ref(), "", options_.strict);
    Scenario scenario;
    const auto written_name = detail::read_string(doc.json, "name", "", ctx, false);
    scenario.name = written_name.value_or(default_name);
    if (!valid_scenario_name(scenario.name)) {
      // Names label table rows, CSV cells and --scenarios lists; a comma, a newline or an
      // empty name would break them.
      ctx.error(written_name ? "/name" : "",
                (written_name ? "scenario name " : "scenario name (from the file name) ") +
                    quoted_name(scenario.name) +
                    " is not valid: use 1 to 64 letters, digits, '_' or '-'" +
                    (written_name ? "" : "; give the file another name or add \"name\""));
    }
    scenario.title =
        detail::read_string(doc.json, "title", "", ctx, false).value_or(scenario.name);
    scenario.description =
        detail::read_string(doc.json, "description", "", ctx, false).value_or("");
    scenario.files.push_back({"scenario", doc.display_name, doc.path.string(), doc.sha256});

    std::vector<std::pair<std::filesystem::path, std::string>> chain{
        {doc.path.empty() ? std::filesystem::path() : canonical(doc.path), doc.display_name}};
    Composition composed = compose(doc, base_dir, chain);
    for (const auto& set : sets_) apply_set(set, composed);
    // Whatever could be composed is still parsed, so that one run reports the problems of
    // the world and policy files too, not only those of the scenario file.
    if (!composed.ok || !composed.world || !composed.policy) {
      if (composed.world) parsed<World>(*composed.world);
      if (composed.policy) parsed<Policy>(*composed.policy);
      return std::nullopt;
    }

    scenario.files.insert(scenario.files.end(), composed.files.begin(), composed.files.end());
    for (const auto* part : {&*composed.world, &*composed.policy}) {
      if (part->file) scenario.files.push_back(*part->file);
    }
    for (const auto& set : sets_) {
      scenario.files.push_back({"override", set.label, "", sha256_hex(set.label)});
    }

    const auto world = parsed<World>(*composed.world);
    const auto policy = parsed<Policy>(*composed.policy);
    if (world && policy) {
      const LoadContext policy_ctx{&diag_, composed.policy->map, options_.strict};
      detail::check_policy_against_world(*policy, *world, policy_ctx);
    }
    // A cached world or policy that failed earlier adds no new diagnostics, so test the parts.
    if (!world || !policy || diag_.error_count() != errors_before) return std::nullopt;
    scenario.world = world;
    scenario.policy = policy;
    scenario.fingerprint = sha256_hex(world->fingerprint + policy->fingerprint);
    return scenario;
  }

  /// Checks a whole scenario document (as written, before composition) against the scenario
  /// schema, once per document.
  void validate_document(const SourceDocument& doc) {
    const std::string key = doc.display_name + "#" + doc.sha256;
    if (!validated_.insert(key).second) return;
    const auto map = std::make_shared<SourceMap>();
    map->base.doc = doc.ref();
    schema_pass(SchemaKind::scenario, doc.json, *map);
  }

  Diagnostics& diagnostics() { return diag_; }

  /// Every diagnostic of the call: semantic ones, then schema violations they do not cover,
  /// without repeats. Throws InputError if any is an error.
  std::vector<Diagnostic> finish() {
    std::vector<Diagnostic> all = diag_.all();
    std::vector<Diagnostic> errors;
    for (const auto& d : all) {
      if (d.severity == Severity::error) errors.push_back(d);
    }
    for (const auto& s : schema_) {
      const bool covered = std::any_of(errors.begin(), errors.end(),
                                       [&](const Diagnostic& e) { return covers(e, s); });
      if (!covered) all.push_back(s);
    }
    // A set of keys rather than pairwise comparison: a file with thousands of bad entries
    // must not make reporting them quadratic.
    std::vector<Diagnostic> unique;
    std::set<std::string> seen;
    for (auto& d : all) {
      const std::string key = std::to_string(static_cast<int>(d.severity)) + '\n' + d.file +
                              '\n' + std::to_string(d.line) + ':' + std::to_string(d.column) +
                              '\n' + d.pointer + '\n' + d.message;
      if (seen.insert(key).second) unique.push_back(std::move(d));
    }
    if (std::any_of(unique.begin(), unique.end(),
                    [](const Diagnostic& d) { return d.severity == Severity::error; })) {
      throw InputError(std::move(unique));
    }
    return unique;
  }

 private:
  static std::filesystem::path canonical(const std::filesystem::path& path) {
    std::error_code ec;
    auto key = std::filesystem::weakly_canonical(std::filesystem::absolute(path, ec), ec);
    return ec ? path : key;
  }

  void schema_pass(SchemaKind kind, const json& value, const SourceMap& map) {
    for (const auto& v : validate_with_schema(kind, value)) {
      schema_.push_back(detail::make_diagnostic(Severity::error, map.locate(v.pointer),
                                                "does not match the " +
                                                    std::string(schema_file(kind).file) + ": " +
                                                    v.message));
    }
  }

  /// Reports a problem with an override itself (its pointer or path), at the override.
  void override_error(const Origin& origin, std::string message) {
    SourceMap map;
    map.base = origin;
    diag_.add(detail::make_diagnostic(Severity::error, map.locate(""), std::move(message)));
  }

  Composition compose(const SourceDocument& doc, const std::filesystem::path& base_dir,
                      std::vector<std::pair<std::filesystem::path, std::string>>& chain) {
    const LoadContext ctx = LoadContext::plain(&diag_, doc.ref(), "", options_.strict);
    Composition c;
    // The kind comes first: a world file given as a scenario would otherwise list each of its
    // members as an unknown key before saying what is actually wrong.
    if (const auto kind = detail::read_string(doc.json, "kind", "", ctx, false);
        kind && *kind != "scenario") {
      ctx.error("/kind", "this file is a \"" + *kind +
                             "\"; gapcast runs scenario files, which name a \"world\" and a "
                             "\"policy\" (or extend another scenario)");
      c.ok = false;
      return c;
    }
    validate_document(doc);
    detail::check_keys(doc.json, "", ctx, detail::keys_of("scenario"), "a scenario");

    const auto extends = doc.json.find("extends");
    if (extends != doc.json.end()) {
      if (!extends->is_string() || extends->get_ref<const std::string&>().empty()) {
        ctx.error("/extends", "expected the path of a scenario file, got " +
                                  describe_value(*extends));
        c.ok = false;
      } else if (extends->get_ref<const std::string&>().find('\0') != std::string::npos) {
        ctx.error("/extends", nul_in_path_message);
        c.ok = false;
      } else {
        c = compose_base(extends->get<std::string>(), doc, base_dir, chain, ctx);
      }
    }
    for (const char* key : {"world", "policy"}) {
      const auto it = doc.json.find(key);
      if (it == doc.json.end()) {
        if (extends == doc.json.end()) {
          ctx.error("", std::string("missing required key \"") + key + "\" (a path to a " + key +
                            " file, or an inline object; or \"extends\" to inherit one)");
          c.ok = false;
        }
        continue;
      }
      auto part = part_from(*it, key, doc, base_dir, ctx);
      if (!part) {
        c.ok = false;
        continue;
      }
      (std::string(key) == "world" ? c.world : c.policy) = std::move(*part);
    }
    apply_file_overrides(doc, c, ctx);
    return c;
  }

  Composition compose_base(const std::string& relative, const SourceDocument& doc,
                           const std::filesystem::path& base_dir,
                           std::vector<std::pair<std::filesystem::path, std::string>>& chain,
                           const LoadContext& ctx) {
    Composition failed;
    failed.ok = false;
    const std::filesystem::path path = base_dir / relative;
    const std::string display =
        (std::filesystem::path(doc.display_name).parent_path() / relative)
            .lexically_normal()
            .string();
    const auto key = canonical(path);
    for (std::size_t i = 0; i < chain.size(); ++i) {
      if (chain[i].first.empty() || chain[i].first != key) continue;
      std::string cycle;
      for (std::size_t j = i; j < chain.size(); ++j) cycle += chain[j].second + " -> ";
      ctx.error("/extends", "\"extends\" forms a cycle: " + cycle + display);
      return failed;
    }
    if (chain.size() >= max_extends_depth) {
      ctx.error("/extends", "\"extends\" chains may be at most " +
                                std::to_string(max_extends_depth) + " files long");
      return failed;
    }
    const auto base = read(path, display);
    if (!base) {
      ctx.error("/extends", "the scenario file \"" + relative + "\" could not be loaded (see "
                                                               "above)");
      return failed;
    }
    if (!base->json.is_object()) return failed;  // reported by the reader
    chain.emplace_back(key, base->display_name);
    Composition c = compose(*base, base->path.parent_path(), chain);
    chain.pop_back();
    c.files.insert(c.files.begin(),
                   SourceFile{"extends", base->display_name, base->path.string(), base->sha256});
    return c;
  }

  /// The "world" or "policy" member of a scenario: a path to a file or an inline object.
  std::optional<Part> part_from(const json& value, const std::string& key,
                                const SourceDocument& doc, const std::filesystem::path& base_dir,
                                const LoadContext& ctx) {
    Part part;
    part.map = std::make_shared<SourceMap>();
    if (value.is_object()) {
      part.value = value;
      part.map->base.doc = doc.ref();
      part.map->base.pointer = "/" + key;
      return part;
    }
    if (!value.is_string() || value.get_ref<const std::string&>().empty()) {
      ctx.error("/" + key, "expected a path to a " + key + " file or an inline object, got " +
                               describe_value(value));
      return std::nullopt;
    }
    const std::string relative = value.get<std::string>();
    if (relative.find('\0') != std::string::npos) {
      ctx.error("/" + key, nul_in_path_message);
      return std::nullopt;
    }
    const std::string display =
        (std::filesystem::path(doc.display_name).parent_path() / relative)
            .lexically_normal()
            .string();
    auto referenced = read(base_dir / relative, display);
    if (!referenced) {
      ctx.error("/" + key, "the " + key + " file \"" + relative + "\" could not be loaded (see "
                                                                  "above)");
      return std::nullopt;
    }
    if (!referenced->json.is_object()) return std::nullopt;  // reported by the reader
    part.value = referenced->json;
    part.map->base.doc = referenced->ref();
    part.file = SourceFile{key, referenced->display_name, referenced->path.string(),
                           referenced->sha256};
    return part;
  }

  void apply_file_overrides(const SourceDocument& doc, Composition& c, const LoadContext& ctx) {
    const auto overrides = doc.json.find("overrides");
    if (overrides == doc.json.end()) return;
    if (!detail::expect_object(*overrides, "/overrides", ctx,
                               "overrides {\"/world/...\": value, \"/policy/...\": value}")) {
      c.ok = false;
      return;
    }
    std::vector<std::string> applied;
    for (const auto& [pointer, value] : overrides->items()) {
      Origin origin{doc.ref(), child("/overrides", pointer), ""};
      std::string why;
      const auto tokens = split_pointer(pointer, why);
      if (!tokens) {
        override_error(origin, "\"" + pointer + "\" is not a JSON Pointer: " + why);
        c.ok = false;
        continue;
      }
      if (tokens->empty() || ((*tokens)[0] != "world" && (*tokens)[0] != "policy")) {
        override_error(origin, "an override's pointer starts with /world or /policy, e.g. "
                               "\"/world/parameters/densing_doubling_months\" (got \"" +
                                   pointer + "\")");
        c.ok = false;
        continue;
      }
      bool overlaps = false;
      for (const auto& earlier : applied) {
        if (detail::pointer_is_within(pointer, earlier) ||
            detail::pointer_is_within(earlier, pointer)) {
          override_error(origin, "overlaps the override \"" + earlier +
                                     "\"; give either the whole value or the parts");
          overlaps = true;
        }
      }
      if (overlaps) {
        c.ok = false;
        continue;
      }
      applied.push_back(pointer);
      const std::vector<std::string> inner(tokens->begin() + 1, tokens->end());
      if (!apply(c, (*tokens)[0], inner, value, origin)) c.ok = false;
    }
  }

  void apply_set(const SetOverride& set, Composition& c) {
    const Origin origin{DocumentRef{command_line_file, nullptr}, "", set.label};
    apply(c, set.part, set.tokens, set.value, origin);
  }

  /// Replaces (or adds) the member at `tokens` of the world or policy. In a world every
  /// object on the way must exist: a missing one is a misspelt chip class or line, and
  /// creating it would only produce a confusing "missing origin". In a policy, missing
  /// levers and lever tables mean "no controls", so they are created.
  bool apply(Composition& c, const std::string& which, const std::vector<std::string>& tokens,
             const json& value, const Origin& origin) {
    Part* part = which == "world" ? (c.world ? &*c.world : nullptr)
                                  : (c.policy ? &*c.policy : nullptr);
    if (part == nullptr) return false;  // the part itself failed and was reported
    // Copy-on-write: a part inherited from a base scenario shares its map with it.
    part->map = std::make_shared<SourceMap>(*part->map);
    const bool create = which == "policy";
    if (tokens.empty()) {
      part->value = value;
      part->map->overlay("", origin);
      return true;
    }
    json* node = &part->value;
    std::vector<std::string> created;
    for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
      const std::string& token = tokens[i];
      const std::string where = "/" + which + join_pointer(tokens, i);
      if (node->is_object()) {
        if (!node->contains(token)) {
          if (!create) {
            std::vector<std::string> keys;
            for (const auto& item : node->items()) keys.push_back(item.key());
            std::string message =
                "the " + which + " has no member \"" + token + "\" in " + where;
            if (auto s = closest_match(token, keys)) message += "; did you mean \"" + *s + "\"?";
            message += " (an override can replace existing members of a world, not invent "
                       "new objects)";
            override_error(origin, message);
            return false;
          }
          (*node)[token] = json::object();
          created.push_back(join_pointer(tokens, i + 1));
        }
        node = &(*node)[token];
      } else if (node->is_array()) {
        const auto index = array_index(token);
        if (!index || *index >= node->size()) {
          override_error(origin, where + " is an array of " + std::to_string(node->size()) +
                                     " elements; \"" + token + "\" is not one of its indices");
          return false;
        }
        node = &(*node)[*index];
      } else {
        override_error(origin, where + " is " + describe_value(*node) +
                                   ", which has no members to override");
        return false;
      }
    }
    const std::string& last = tokens.back();
    const std::string where = "/" + which + join_pointer(tokens, tokens.size() - 1);
    if (node->is_object()) {
      (*node)[last] = value;
    } else if (node->is_array()) {
      const auto index = array_index(last);
      if (!index || *index >= node->size()) {
        override_error(origin, where + " is an array of " + std::to_string(node->size()) +
                                   " elements; \"" + last + "\" is not one of its indices");
        return false;
      }
      (*node)[*index] = value;
    } else {
      override_error(origin, where + " is " + describe_value(*node) +
                                 ", which has no members to override");
      return false;
    }
    // Outermost first: a deeper overlay never erases a shallower one, and a pointer below the
    // value maps into the override's value while a created object maps to the override.
    for (const auto& at : created) part->map->overlay(at, origin);
    part->map->overlay(join_pointer(tokens, tokens.size()), origin);
    return true;
  }

  /// Parses --set PATH=VALUE arguments. PATH is "world.<parameter>", "world.<member>.<...>",
  /// "policy.<lever>", "policy.chips.<class>.<lever>", "policy.levers.<...>", or a JSON
  /// Pointer "/world/..." or "/policy/...".
  void parse_sets() {
    for (const auto& arg : options_.set) {
      SetOverride set;
      set.label = "--set " + arg;
      const auto report = [&](const std::string& message) {
        Diagnostic d;
        d.file = command_line_file;
        d.pointer = set.label;
        d.message = message;
        diag_.add(std::move(d));
      };
      if (!valid_utf8(arg)) {
        // Every name and value ends up in JSON, which holds only UTF-8 text; a file's bytes are
        // checked by the JSON parser, an argument's here.
        Diagnostic d;
        d.file = command_line_file;
        d.message = "a --set argument is not valid UTF-8 text";
        diag_.add(std::move(d));
        continue;
      }
      const auto eq = arg.find('=');
      if (eq == std::string::npos || eq == 0) {
        report("expected PATH=VALUE, e.g. --set world.densing_doubling_months=4.0 or --set "
               "policy.levers.enforcement_intensity=0.5");
        continue;
      }
      if (!set_target(arg.substr(0, eq), set, report)) continue;
      auto value = set_value(arg.substr(eq + 1), set.label, report);
      if (!value) continue;
      set.value = std::move(*value);
      sets_.push_back(std::move(set));
    }
  }

  /// The part ("world" or "policy") and the member tokens a --set PATH names, with the
  /// shortcuts resolved; false after reporting when PATH is not one.
  template <class Report>
  bool set_target(const std::string& path, SetOverride& set, const Report& report) {
    std::vector<std::string> tokens;
    if (path.front() == '/') {
      std::string why;
      auto split = split_pointer(path, why);
      if (!split) {
        report("\"" + path + "\" is not a JSON Pointer: " + why);
        return false;
      }
      tokens = std::move(*split);
    } else {
      std::size_t start = 0;
      while (true) {
        const auto dot = path.find('.', start);
        tokens.push_back(path.substr(start, dot == std::string::npos ? dot : dot - start));
        if (dot == std::string::npos) break;
        start = dot + 1;
      }
      if (std::any_of(tokens.begin(), tokens.end(),
                      [](const std::string& t) { return t.empty(); })) {
        report("\"" + path + "\" has an empty name between dots");
        return false;
      }
    }
    if (tokens.empty() || (tokens[0] != "world" && tokens[0] != "policy")) {
      report("the path must start with \"world.\" or \"policy.\" (got \"" + path + "\")");
      return false;
    }
    set.part = tokens[0];
    tokens.erase(tokens.begin());
    if (path.front() != '/' && !tokens.empty()) {
      // Shortcuts: a name that is not a member of a world is a world parameter, and one that
      // is not a member of a policy is a lever.
      const auto& members = detail::keys_of(set.part == "world" ? "world" : "policy");
      const bool member = std::find(members.begin(), members.end(), tokens[0]) != members.end();
      if (!member) tokens.insert(tokens.begin(), set.part == "world" ? "parameters" : "levers");
    }
    set.tokens = std::move(tokens);
    return true;
  }

  /// The JSON value of a --set VALUE, or nothing after reporting why there is none. A value is
  /// JSON (a number, an object, "quoted text", null); anything that is not JSON and does not
  /// try to be (banned, 2026-03) is taken as a string.
  template <class Report>
  std::optional<json> set_value(const std::string& text, const std::string& label,
                                const Report& report) {
    if (text.empty()) {
      report("no value after \"=\"");
      return std::nullopt;
    }
    const std::size_t first_at = text.find_first_not_of(" \t");
    const char first = first_at == std::string::npos ? ' ' : text[first_at];
    const std::size_t errors_before = diag_.error_count();
    Diagnostics quiet;
    auto value = detail_parse_value(text, label, quiet);
    if (!value) {
      if (first == '{' || first == '[' || first == '"') {
        // It tries to be JSON: its own located problems, named by the argument.
        for (const auto& d : quiet.all()) {
          Diagnostic copy = d;
          copy.pointer = label;
          const std::string prefix = label + ": ";
          if (copy.message.compare(0, prefix.size(), prefix) == 0) {
            copy.message = copy.message.substr(prefix.size());
          }
          diag_.add(std::move(copy));
        }
        return std::nullopt;
      }
      if (const auto problem = numeric_text_problem(text)) {
        report(*problem);
        return std::nullopt;
      }
      value = json(text);
    }
    if (diag_.error_count() != errors_before) return std::nullopt;
    return value;
  }

  std::optional<json> detail_parse_value(const std::string& text, const std::string& label,
                                         Diagnostics& diagnostics) {
    return parse_json_value(text, command_line_file, label, diagnostics, options_.limits);
  }

  template <class Part_>
  std::shared_ptr<const Part_> parsed(const Part& part) {
    // A world or policy named by several scenarios is parsed (and its problems reported)
    // once; the key is where each piece came from and what the composed value is.
    const std::string key = part.map->identity() + "#" + sha256_hex(part.value.dump());
    auto& cache = cache_for<Part_>();
    if (const auto it = cache.find(key); it != cache.end()) return it->second;
    const LoadContext ctx{&diag_, part.map, options_.strict};
    std::shared_ptr<const Part_> result;
    if constexpr (std::is_same_v<Part_, World>) {
      schema_pass(SchemaKind::world, part.value, *part.map);
      if (auto world = detail::parse_world(part.value, ctx)) {
        auto& shared = worlds_[world->fingerprint];
        if (!shared) shared = std::make_shared<const World>(std::move(*world));
        result = shared;
      }
    } else {
      schema_pass(SchemaKind::policy, part.value, *part.map);
      if (auto policy = detail::parse_policy(part.value, ctx)) {
        result = std::make_shared<const Policy>(std::move(*policy));
      }
    }
    cache[key] = result;
    return result;
  }

  template <class Part_>
  std::map<std::string, std::shared_ptr<const Part_>>& cache_for() {
    if constexpr (std::is_same_v<Part_, World>) return world_cache_;
    else return policy_cache_;
  }

  LoadOptions options_;
  Diagnostics diag_;
  std::vector<Diagnostic> schema_;  ///< schema violations, merged in finish()
  std::set<std::string> validated_;
  std::vector<SetOverride> sets_;
  std::map<std::filesystem::path, std::shared_ptr<SourceDocument>> docs_;
  std::map<std::string, std::shared_ptr<const World>> worlds_;
  std::map<std::string, std::shared_ptr<const World>> world_cache_;
  std::map<std::string, std::shared_ptr<const Policy>> policy_cache_;
};

void check_unique_names(const std::vector<Scenario>& scenarios, Diagnostics& diag) {
  std::map<std::string, std::string> seen;
  for (const auto& s : scenarios) {
    const std::string& file = s.files.front().display_name;
    auto [it, inserted] = seen.emplace(s.name, file);
    if (!inserted) {
      diag.file_error(file, "scenario name \"" + s.name + "\" is also used by " + it->second +
                                "; names must be unique within a run");
    }
  }
}

std::vector<Diagnostic> only_warnings(const std::vector<Diagnostic>& all) {
  std::vector<Diagnostic> out;
  for (const auto& d : all) {
    if (d.severity == Severity::warning) out.push_back(d);
  }
  return out;
}

}  // namespace

LoadResult load_scenarios(const std::vector<std::string>& files, const LoadOptions& options) {
  Loader loader(options);
  LoadResult result;
  for (const auto& file : files) {
    const std::filesystem::path path(file);
    auto doc = loader.read(path, file);
    if (!doc) continue;
    std::error_code ec;
    const auto base = std::filesystem::absolute(path, ec).parent_path();
    if (auto s = loader.scenario(*doc, path.stem().string(), base)) {
      result.scenarios.push_back(std::move(*s));
    }
  }
  check_unique_names(result.scenarios, loader.diagnostics());
  result.warnings = only_warnings(loader.finish());
  return result;
}

LoadResult load_scenario_json(const json& value, const std::string& label,
                              const std::filesystem::path& base_dir, const LoadOptions& options) {
  Loader loader(options);
  LoadResult result;
  if (!check_value_limits(value, label, loader.diagnostics(), options.limits)) {
    loader.finish();
    return result;
  }
  const SourceDocument doc = document_from_json(value, label);
  if (!doc.json.is_object()) {
    loader.diagnostics().file_error(label, "a scenario must be a JSON object (a dict), not " +
                                               describe_value(doc.json));
  } else if (auto s = loader.scenario(doc, in_memory_default_name(label), base_dir)) {
    result.scenarios.push_back(std::move(*s));
  }
  result.warnings = only_warnings(loader.finish());
  return result;
}

LoadResult load_scenario_text(std::string text, const std::string& label,
                              const std::filesystem::path& base_dir, const LoadOptions& options) {
  Loader loader(options);
  LoadResult result;
  auto doc = parse_json_text(std::move(text), label, loader.diagnostics(), options.limits);
  if (doc) {
    if (auto s = loader.scenario(*doc, in_memory_default_name(label), base_dir)) {
      result.scenarios.push_back(std::move(*s));
    }
  }
  result.warnings = only_warnings(loader.finish());
  return result;
}

}  // namespace gapcast
