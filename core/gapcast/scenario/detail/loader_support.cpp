#include "gapcast/scenario/detail/loader_support.hpp"

#include <charconv>
#include <cmath>
#include <map>

#include "gapcast/util/suggest.hpp"

namespace gapcast::detail {

bool pointer_is_within(std::string_view pointer, std::string_view prefix) {
  if (prefix.empty()) return true;
  if (pointer.size() < prefix.size() || pointer.substr(0, prefix.size()) != prefix) return false;
  return pointer.size() == prefix.size() || pointer[prefix.size()] == '/';
}

void SourceMap::overlay(const std::string& at, Origin origin) {
  std::erase_if(overlays, [&](const Overlay& o) { return pointer_is_within(o.at, at); });
  overlays.push_back({at, std::move(origin)});
}

Located SourceMap::locate(const std::string& pointer) const {
  // The deepest overlay containing the pointer wrote it; overlays never nest with a stale
  // inner one because overlay() drops what a new overlay replaces.
  const Overlay* best = nullptr;
  for (const auto& o : overlays) {
    if (pointer_is_within(pointer, o.at) && (best == nullptr || o.at.size() > best->at.size())) {
      best = &o;
    }
  }
  const Origin& origin = best != nullptr ? best->origin : base;
  const std::string rest = best != nullptr ? pointer.substr(best->at.size()) : pointer;
  Located where;
  where.file = origin.doc.file;
  if (!origin.label.empty()) {
    where.pointer = origin.label;
    where.detail = rest;
    return where;
  }
  where.pointer = origin.pointer + rest;
  if (origin.doc.locator != nullptr) {
    const TextLocation at = origin.doc.locator->nearest(where.pointer);
    where.line = at.line;
    where.column = at.column;
  }
  return where;
}

std::string SourceMap::identity() const {
  std::string text = base.doc.file + "#" + base.pointer;
  for (const auto& o : overlays) {
    text += "|" + o.at + "=" + o.origin.doc.file + "#" + o.origin.pointer + "#" + o.origin.label;
  }
  return text;
}

LoadContext LoadContext::plain(Diagnostics* diag, const DocumentRef& doc, std::string prefix,
                               bool strict) {
  auto map = std::make_shared<SourceMap>();
  map->base.doc = doc;
  map->base.pointer = std::move(prefix);
  return LoadContext{diag, std::move(map), strict};
}

Diagnostic make_diagnostic(Severity severity, const Located& where, std::string message) {
  Diagnostic d;
  d.severity = severity;
  d.file = where.file;
  d.line = where.line;
  d.column = where.column;
  d.pointer = where.pointer.empty() ? std::string("/") : where.pointer;
  d.message = where.detail.empty() ? std::move(message) : where.detail + ": " + message;
  return d;
}

void LoadContext::error(const std::string& pointer, std::string message) const {
  diag->add(make_diagnostic(Severity::error, locate(pointer), std::move(message)));
}

void LoadContext::warning(const std::string& pointer, std::string message) const {
  diag->add(make_diagnostic(Severity::warning, locate(pointer), std::move(message)));
}

const std::vector<std::string_view>& keys_of(std::string_view object_kind) {
  static const std::map<std::string_view, std::vector<std::string_view>, std::less<>> tables{
      {"scenario",
       {"$schema", "kind", "name", "title", "description", "extends", "world", "policy",
        "overrides"}},
      {"world",
       {"$schema", "kind", "name", "title", "description", "start", "parameters", "chips",
        "domestic_lines", "correlations", "correlation_repair"}},
      {"foreign_chip",
       {"label", "origin", "source", "note", "tpp", "memory_bandwidth_tbps", "volume_from",
        "volume_until", "demand_weight", "frontier_initial_share", "initial_stock"}},
      {"domestic_chip",
       {"label", "origin", "source", "note", "tpp", "memory_bandwidth_tbps", "line",
        "roadmap_from", "initial_stock"}},
      {"foreign_stock", {"licensed", "smuggled"}},
      {"domestic_stock", {"domestic"}},
      {"line", {"label", "source", "note", "packages_per_year_2026"}},
      {"correlation", {"parameters", "rank", "source", "note"}},
      {"policy", {"$schema", "kind", "name", "title", "description", "levers"}},
      {"lever_change", {"from", "to", "value", "source", "note"}},
      {"lever_constant", {"value", "source", "note"}},
      {"parameter_meta", {"unit", "source", "note", "truncate"}},
  };
  static const std::vector<std::string_view> none;
  const auto it = tables.find(object_kind);
  return it == tables.end() ? none : it->second;
}

std::string child(const std::string& pointer, std::string_view key) {
  return pointer + "/" + escape_pointer_token(key);
}

std::string child(const std::string& pointer, std::size_t index) {
  return pointer + "/" + std::to_string(index);
}

std::string number_text(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string describe_value(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case json::value_t::string: {
      std::string text = value.get<std::string>();
      if (text.size() > 40) text = text.substr(0, 37) + "...";
      return "a string (\"" + text + "\")";
    }
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float:
      return "the number " + number_text(value.get<double>());
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    default:
      return "an unsupported value";
  }
}

bool expect_object(const json& value, const std::string& pointer, const LoadContext& ctx,
                   std::string_view what) {
  if (value.is_object()) return true;
  ctx.error(pointer, "expected " + std::string(what) + " (a JSON object), got " +
                         describe_value(value));
  return false;
}

void check_keys(const json& object, const std::string& pointer, const LoadContext& ctx,
                std::span<const std::string_view> allowed, std::string_view where) {
  std::vector<std::string> candidates(allowed.begin(), allowed.end());
  for (const auto& item : object.items()) {
    const std::string& key = item.key();
    bool known = false;
    for (const auto& a : allowed) known = known || a == key;
    if (known) continue;
    std::string message = "unknown key \"" + key + "\" in " + std::string(where);
    if (auto suggestion = closest_match(key, candidates)) {
      message += "; did you mean \"" + *suggestion + "\"?";
    } else if (candidates.size() <= 12) {
      message += "; expected one of:";
      for (std::size_t i = 0; i < candidates.size(); ++i) {
        message += (i == 0 ? " " : ", ") + candidates[i];
      }
    }
    ctx.error(child(pointer, key), message);
  }
}

std::optional<std::string> read_string(const json& object, std::string_view key,
                                       const std::string& pointer, const LoadContext& ctx,
                                       bool required) {
  const auto it = object.find(key);
  if (it == object.end()) {
    if (required) ctx.error(pointer, "missing required key \"" + std::string(key) + "\"");
    return std::nullopt;
  }
  if (!it->is_string()) {
    ctx.error(child(pointer, key), "expected a string, got " + describe_value(*it));
    return std::nullopt;
  }
  return it->get<std::string>();
}

bool check_provenance(const json& object, const std::string& pointer, const LoadContext& ctx) {
  bool has_source = false;
  for (const char* key : {"source", "note"}) {
    const auto it = object.find(key);
    if (it == object.end()) continue;
    if (!it->is_string()) {
      ctx.error(child(pointer, key), std::string("expected the ") + key +
                                         " as a string, got " + describe_value(*it));
    } else if (std::string_view(key) == "source") {
      has_source = !it->get_ref<const std::string&>().empty();
    }
  }
  return has_source;
}

std::optional<double> read_number(const json& value, const std::string& pointer,
                                  const LoadContext& ctx) {
  if (!value.is_number()) {
    ctx.error(pointer, "expected a number, got " + describe_value(value));
    return std::nullopt;
  }
  const double x = value.get<double>();
  if (!std::isfinite(x)) {
    ctx.error(pointer, "expected a finite number");
    return std::nullopt;
  }
  return x;
}

std::optional<YearMonth> read_month(const json& value, const std::string& pointer,
                                    const LoadContext& ctx) {
  if (!value.is_string()) {
    ctx.error(pointer, "expected a month written \"YYYY-MM\", got " + describe_value(value));
    return std::nullopt;
  }
  std::string why;
  const auto text = value.get<std::string>();
  auto ym = parse_year_month(text, &why);
  if (!ym) ctx.error(pointer, "invalid month \"" + text + "\": " + why);
  return ym;
}

}  // namespace gapcast::detail
