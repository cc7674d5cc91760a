#include "loader_support.hpp"

#include <charconv>
#include <cmath>

#include "gapcast/suggest.hpp"

namespace gapcast::detail {

std::size_t LoadContext::line_of(const std::string& pointer) const {
  if (doc.locator == nullptr) return 0;
  return doc.locator->nearest(prefix + pointer).line;
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
