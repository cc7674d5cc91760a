#include "gapcast/run/observations.hpp"

#include <cmath>
#include <cstdio>
#include <set>

#include "gapcast/metrics/metrics.hpp"
#include "gapcast/util/suggest.hpp"

namespace gapcast {
namespace {

std::string number_text(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", x);
  return buffer;
}

std::vector<std::string> series_metric_names() {
  std::vector<std::string> names;
  for (const auto& m : series_metric_catalogue()) names.push_back(m.name);
  return names;
}

std::string joined(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& n : names) text += (text.empty() ? "" : ", ") + n;
  return text;
}

/// A finite number at `pointer`, or an error naming what was expected.
bool read_number(const nlohmann::json& value, const DocumentRef& doc, const std::string& pointer,
                 Diagnostics& diagnostics, double& out) {
  if (!value.is_number()) {
    diagnostics.error(doc, pointer, "expected a number, got " + std::string(value.type_name()));
    return false;
  }
  out = value.get<double>();
  if (!std::isfinite(out)) {
    diagnostics.error(doc, pointer, "expected a finite number");
    return false;
  }
  return true;
}

/// {"value": v, "<spread_name>": s} with s > 0 (and v > 0 when `positive_value`).
bool read_form(const nlohmann::json& body, const DocumentRef& doc, const std::string& pointer,
               const char* spread_name, bool positive_value, Diagnostics& diagnostics,
               Observation& o) {
  if (!body.is_object()) {
    diagnostics.error(doc, pointer,
                      std::string("expected an object {\"value\": ..., \"") + spread_name +
                          "\": ...}");
    return false;
  }
  bool ok = true;
  for (const auto& [key, v] : body.items()) {
    if (key != "value" && key != spread_name) {
      diagnostics.error(doc, pointer + "/" + key,
                        "unknown key \"" + key + "\" (expected \"value\" and \"" + spread_name +
                            "\")");
      ok = false;
    }
  }
  if (!body.contains("value") || !body.contains(spread_name)) {
    diagnostics.error(doc, pointer,
                      std::string("needs both \"value\" and \"") + spread_name + "\"");
    return false;
  }
  ok = read_number(body["value"], doc, pointer + "/value", diagnostics, o.value) && ok;
  ok = read_number(body[spread_name], doc, pointer + "/" + spread_name, diagnostics, o.spread) &&
       ok;
  if (!ok) return false;
  if (positive_value && o.value <= 0.0) {
    diagnostics.error(doc, pointer + "/value",
                      "a lognormal observation needs a value > 0, got " + number_text(o.value));
    ok = false;
  }
  if (o.spread <= 0.0) {
    diagnostics.error(doc, pointer + "/" + spread_name,
                      std::string(spread_name) + " must be > 0, got " + number_text(o.spread));
    ok = false;
  }
  return ok;
}

// Long because: it checks one observation member by member, each with its own located message
// (name, metric with the valid list, date, scenario, exactly one form, texts); splitting it
// would pass the same five arguments through every piece.
bool parse_one(const nlohmann::json& item, const DocumentRef& doc, const std::string& pointer,
               Diagnostics& diagnostics, Observation& o) {
  if (!item.is_object()) {
    diagnostics.error(doc, pointer, "expected an observation object");
    return false;
  }
  static const std::set<std::string> known = {"name",    "metric", "date",   "scenario",
                                              "normal",  "lognormal", "between", "source",
                                              "note"};
  bool ok = true;
  for (const auto& [key, v] : item.items()) {
    if (known.count(key) == 0) {
      std::string message = "unknown key \"" + key + "\" in an observation";
      if (auto near = closest_match(key, {known.begin(), known.end()})) {
        message += " (did you mean \"" + *near + "\"?)";
      }
      diagnostics.error(doc, pointer + "/" + key, message);
      ok = false;
    }
  }
  auto text = [&](const char* key, bool required, std::string& out) {
    if (!item.contains(key)) {
      if (required) {
        diagnostics.error(doc, pointer, std::string("missing \"") + key + "\"");
        ok = false;
      }
      return;
    }
    if (!item[key].is_string() || item[key].get<std::string>().empty()) {
      diagnostics.error(doc, pointer + "/" + key, "expected a non-empty string");
      ok = false;
      return;
    }
    out = item[key].get<std::string>();
  };
  text("name", true, o.name);
  std::string metric, date;
  text("metric", true, metric);
  text("date", true, date);
  text("scenario", false, o.scenario);
  text("source", true, o.source);
  text("note", false, o.note);

  if (!metric.empty()) {
    const auto names = series_metric_names();
    bool found = false;
    for (const auto& n : names) found = found || n == metric;
    if (!found) {
      std::string message = "unknown metric \"" + metric + "\"";
      if (auto near = closest_match(metric, names)) message += " (did you mean \"" + *near + "\"?)";
      diagnostics.error(doc, pointer + "/metric",
                        message + "; time-series metrics: " + joined(names));
      ok = false;
    }
    o.metric = metric;
  }
  if (!date.empty()) {
    std::string why;
    if (auto ym = parse_year_month(date, &why)) {
      o.date = *ym;
    } else {
      diagnostics.error(doc, pointer + "/date", "expected a month \"YYYY-MM\": " + why);
      ok = false;
    }
  }

  int forms = 0;
  if (item.contains("normal")) {
    ++forms;
    o.form = Observation::Form::normal;
    ok = read_form(item["normal"], doc, pointer + "/normal", "sd", false, diagnostics, o) && ok;
  }
  if (item.contains("lognormal")) {
    ++forms;
    o.form = Observation::Form::lognormal;
    ok = read_form(item["lognormal"], doc, pointer + "/lognormal", "sigma", true, diagnostics,
                   o) &&
         ok;
  }
  if (item.contains("between")) {
    ++forms;
    o.form = Observation::Form::between;
    const auto& b = item["between"];
    if (!b.is_array() || b.size() != 2) {
      diagnostics.error(doc, pointer + "/between", "expected [low, high]");
      ok = false;
    } else if (read_number(b[0], doc, pointer + "/between/0", diagnostics, o.low) &&
               read_number(b[1], doc, pointer + "/between/1", diagnostics, o.high)) {
      if (o.low > o.high) {
        diagnostics.error(doc, pointer + "/between",
                          "low (" + number_text(o.low) + ") is above high (" +
                              number_text(o.high) + ")");
        ok = false;
      }
    } else {
      ok = false;
    }
  }
  if (forms != 1) {
    diagnostics.error(doc, pointer,
                      forms == 0 ? "needs a likelihood: one of \"normal\", \"lognormal\" or "
                                   "\"between\""
                                 : "give exactly one of \"normal\", \"lognormal\" and "
                                   "\"between\"");
    ok = false;
  }
  return ok;
}

}  // namespace

double Observation::likelihood(double x) const {
  if (!std::isfinite(x)) return 0.0;
  switch (form) {
    case Form::normal: {
      const double z = (x - value) / spread;
      return std::exp(-0.5 * z * z);
    }
    case Form::lognormal: {
      if (x <= 0.0) return 0.0;
      const double z = (std::log(x) - std::log(value)) / spread;
      return std::exp(-0.5 * z * z);
    }
    case Form::between:
      return x >= low && x <= high ? 1.0 : 0.0;
  }
  return 0.0;
}

std::string Observation::describe() const {
  switch (form) {
    case Form::normal:
      return "normal around " + number_text(value) + " (sd " + number_text(spread) + ")";
    case Form::lognormal:
      return "lognormal around " + number_text(value) + " (sigma " + number_text(spread) + ")";
    case Form::between:
      return "between " + number_text(low) + " and " + number_text(high);
  }
  return "";
}

nlohmann::ordered_json to_json(const Observation& o) {
  nlohmann::ordered_json j;
  j["name"] = o.name;
  j["metric"] = o.metric;
  j["date"] = format_year_month(o.date);
  if (!o.scenario.empty()) j["scenario"] = o.scenario;
  switch (o.form) {
    case Observation::Form::normal:
      j["normal"] = {{"value", o.value}, {"sd", o.spread}};
      break;
    case Observation::Form::lognormal:
      j["lognormal"] = {{"value", o.value}, {"sigma", o.spread}};
      break;
    case Observation::Form::between:
      j["between"] = {o.low, o.high};
      break;
  }
  j["source"] = o.source;
  if (!o.note.empty()) j["note"] = o.note;
  return j;
}

std::vector<Observation> parse_observations(const nlohmann::json& array, const DocumentRef& doc,
                                            const std::string& pointer,
                                            Diagnostics& diagnostics) {
  std::vector<Observation> out;
  if (!array.is_array()) {
    diagnostics.error(doc, pointer, "expected an array of observations");
    return out;
  }
  std::set<std::string> names;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string at = pointer + "/" + std::to_string(i);
    Observation o;
    if (!parse_one(array[i], doc, at, diagnostics, o)) continue;
    if (!names.insert(o.name).second) {
      diagnostics.error(doc, at + "/name", "a second observation named \"" + o.name + "\"");
      continue;
    }
    out.push_back(std::move(o));
  }
  return out;
}

std::vector<Observation> load_observations(const std::string& path,
                                           const DocumentLimits& limits) {
  Diagnostics diagnostics;
  auto doc = read_json_file(path, path, diagnostics, limits);
  if (!doc) diagnostics.throw_if_errors();
  const auto& j = doc->json;
  const DocumentRef ref = doc->ref();
  std::vector<Observation> out;
  if (!j.is_object()) {
    diagnostics.error(ref, "", "expected an observations object {\"kind\": \"observations\", "
                               "\"observations\": [...]}");
  } else {
    for (const auto& [key, v] : j.items()) {
      if (key != "$schema" && key != "kind" && key != "title" && key != "description" &&
          key != "observations") {
        diagnostics.error(ref, "/" + key,
                          "unknown key \"" + key + "\" (expected $schema, kind, title, "
                          "description, observations)");
      }
    }
    if (!j.contains("kind") || j["kind"] != "observations") {
      diagnostics.error(ref, j.contains("kind") ? "/kind" : "",
                        "an observations file needs \"kind\": \"observations\"");
    }
    if (!j.contains("observations")) {
      diagnostics.error(ref, "", "missing \"observations\" (an array)");
    } else {
      out = parse_observations(j["observations"], ref, "/observations", diagnostics);
      if (out.empty() && !diagnostics.has_errors()) {
        diagnostics.error(ref, "/observations", "no observations: give at least one");
      }
    }
  }
  diagnostics.throw_if_errors();
  return out;
}

}  // namespace gapcast
