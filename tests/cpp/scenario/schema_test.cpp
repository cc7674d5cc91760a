// The published JSON Schemas against the engine: the embedded copies equal the files, every
// field is documented, and the schema's vocabulary (parameters, chip fields, levers,
// distribution kinds, the keys of every object) equals the catalogue and the loader's own
// lists, so neither can change without the other.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "gapcast/scenario/catalogue.hpp"
#include "gapcast/scenario/schema.hpp"

namespace {

using nlohmann::json;
using gapcast::SchemaKind;

std::string read_file(const std::string& relative) {
  std::ifstream in(std::string(GAPCAST_SOURCE_DIR) + "/" + relative, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json schema(SchemaKind kind) { return json::parse(gapcast::schema_file(kind).text); }

std::set<std::string> keys_of(const json& object) {
  std::set<std::string> out;
  for (const auto& item : object.items()) out.insert(item.key());
  return out;
}

std::set<std::string> as_set(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

bool starts_with(const std::string& text, std::string_view prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

/// Walks every "properties" map (outside "if" conditions, which only test values) and
/// collects the pointers of property schemas that lack a title or a description.
void undocumented(const json& node, const std::string& at, std::vector<std::string>& out) {
  if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      undocumented(node[i], at + "/" + std::to_string(i), out);
    }
    return;
  }
  if (!node.is_object()) return;
  for (const auto& item : node.items()) {
    if (item.key() == "if") continue;
    if ((item.key() == "properties" || item.key() == "patternProperties") &&
        item.value().is_object()) {
      for (const auto& prop : item.value().items()) {
        const json& p = prop.value();
        if (!p.is_object() || !p.contains("title") || !p.contains("description") ||
            p["description"].get<std::string>().size() < 8) {
          out.push_back(at + "/" + item.key() + "/" + prop.key());
        }
      }
    }
    undocumented(item.value(), at + "/" + item.key(), out);
  }
}

TEST(SchemaFiles, EmbeddedCopiesEqualTheFilesInScenariosSchema) {
  ASSERT_EQ(gapcast::schema_files().size(), 4u);
  for (const auto& f : gapcast::schema_files()) {
    EXPECT_EQ(std::string(f.text), read_file("scenarios/schema/" + std::string(f.file))) << f.file;
    EXPECT_EQ(gapcast::schema_kind(f.name), f.kind);
  }
  EXPECT_FALSE(gapcast::schema_kind("worlds").has_value());
}

TEST(SchemaFiles, AreDraft07WithAVersionedIdTitleAndDescription) {
  for (const auto& f : gapcast::schema_files()) {
    const json s = json::parse(f.text);
    EXPECT_EQ(s.at("$schema"), "http://json-schema.org/draft-07/schema#") << f.file;
    EXPECT_EQ(s.at("$id"), "https://gapcast.dev/schema/v1/" + std::string(f.file)) << f.file;
    EXPECT_FALSE(s.at("title").get<std::string>().empty()) << f.file;
    EXPECT_GT(s.at("description").get<std::string>().size(), 40u) << f.file;
  }
}

TEST(SchemaFiles, EveryFieldHasATitleAndADescription) {
  for (const auto& f : gapcast::schema_files()) {
    std::vector<std::string> missing;
    undocumented(json::parse(f.text), "", missing);
    EXPECT_TRUE(missing.empty()) << f.file << ": " << ::testing::PrintToString(missing);
  }
}

/// The schema of one parameter must carry the catalogue's description, range and units.
void expect_parameter(const json& s, const gapcast::ParameterInfo& info) {
  SCOPED_TRACE(std::string(info.name));
  ASSERT_TRUE(s.is_object());
  EXPECT_TRUE(starts_with(s.at("description"), info.description));
  EXPECT_EQ(s.at("allOf").at(0).at("$ref"), "distribution.schema.json#/definitions/parameter");
  if (std::isfinite(info.min)) {
    EXPECT_DOUBLE_EQ(s.at("minimum").get<double>(), info.min);
  }
  if (std::isfinite(info.max)) {
    EXPECT_DOUBLE_EQ(s.at("maximum").get<double>(), info.max);
  }
  std::set<std::string> units;
  for (const auto& u : s.at("properties").at("unit").at("enum")) units.insert(u);
  std::set<std::string> expected{std::string(info.unit)};
  if (info.unit_kind == gapcast::UnitKind::duration_months) expected.insert("years");
  if (info.unit_kind == gapcast::UnitKind::duration_years) expected.insert("months");
  EXPECT_EQ(units, expected);
  // The range of a written "value": always for fixed units; for durations only when no other
  // unit is named (the number is scaled before it is checked).
  const json& value = info.unit_kind == gapcast::UnitKind::fixed
                          ? s.at("properties").at("value")
                          : s.at("else").at("properties").at("value");
  if (std::isfinite(info.max)) {
    EXPECT_DOUBLE_EQ(value.at("maximum").get<double>(), info.max);
  }
}

TEST(SchemaVocabulary, WorldParametersEqualTheCatalogue) {
  const json params = schema(SchemaKind::world).at("properties").at("parameters");
  std::set<std::string> names;
  for (const auto& p : gapcast::world_parameters()) names.insert(std::string(p.name));
  EXPECT_EQ(keys_of(params.at("properties")), names);
  std::set<std::string> required;
  for (const auto& r : params.at("required")) required.insert(r);
  EXPECT_EQ(required, names);
  EXPECT_EQ(params.at("additionalProperties"), false);
  for (const auto& p : gapcast::world_parameters()) {
    expect_parameter(params.at("properties").at(std::string(p.name)), p);
  }
}

TEST(SchemaVocabulary, ChipAndLineFieldsEqualTheCatalogue) {
  const json defs = schema(SchemaKind::world).at("definitions");
  const json& foreign = defs.at("foreign_chip").at("properties");
  const json& domestic = defs.at("domestic_chip").at("properties");
  using gapcast::ChipField;
  for (const ChipField f : {ChipField::tpp, ChipField::memory_bandwidth_tbps}) {
    expect_parameter(foreign.at(std::string(gapcast::chip_field_path(f))), gapcast::info(f));
    expect_parameter(domestic.at(std::string(gapcast::chip_field_path(f))), gapcast::info(f));
  }
  expect_parameter(foreign.at("demand_weight"), gapcast::info(ChipField::demand_weight));
  expect_parameter(foreign.at("frontier_initial_share"),
                   gapcast::info(ChipField::frontier_initial_share));
  const json& fstock = foreign.at("initial_stock").at("properties");
  expect_parameter(fstock.at("licensed"), gapcast::info(ChipField::initial_licensed));
  expect_parameter(fstock.at("smuggled"), gapcast::info(ChipField::initial_smuggled));
  expect_parameter(domestic.at("initial_stock").at("properties").at("domestic"),
                   gapcast::info(ChipField::initial_domestic));
  // Every chip field of the catalogue appears somewhere above.
  std::set<std::string> covered{"tpp", "memory_bandwidth_tbps", "demand_weight",
                                "frontier_initial_share", "initial_stock.licensed",
                                "initial_stock.smuggled", "initial_stock.domestic"};
  for (const auto& f : gapcast::chip_fields()) {
    EXPECT_TRUE(covered.contains(std::string(f.name))) << f.name;
  }
  EXPECT_EQ(covered.size(), gapcast::chip_field_count);
  for (const auto& f : gapcast::line_fields()) {
    expect_parameter(defs.at("line").at("properties").at(std::string(f.name)), f);
  }
}

TEST(SchemaVocabulary, LeversEqualTheCatalogue) {
  const json policy = schema(SchemaKind::policy);
  const json& levers = policy.at("properties").at("levers").at("properties");
  std::set<std::string> globals{"chips"};
  for (const auto& l : gapcast::global_levers()) globals.insert(std::string(l.name));
  EXPECT_EQ(keys_of(levers), globals);
  const json& chip = policy.at("definitions").at("chip_levers").at("properties");
  std::set<std::string> per_chip;
  for (const auto& l : gapcast::chip_levers()) per_chip.insert(std::string(l.name));
  EXPECT_EQ(keys_of(chip), per_chip);

  auto schedule_of = [](gapcast::LeverKind kind) {
    switch (kind) {
      case gapcast::LeverKind::fraction: return "#/definitions/fraction_schedule";
      case gapcast::LeverKind::nonnegative: return "#/definitions/nonnegative_schedule";
      case gapcast::LeverKind::optional_cap: return "#/definitions/optional_cap_schedule";
      case gapcast::LeverKind::export_status: return "#/definitions/export_status_schedule";
    }
    return "";
  };
  for (const auto& l : gapcast::global_levers()) {
    const json& s = levers.at(std::string(l.name));
    EXPECT_TRUE(starts_with(s.at("description"), l.description)) << l.name;
    EXPECT_EQ(s.at("allOf").at(0).at("$ref"), schedule_of(l.kind)) << l.name;
  }
  for (const auto& l : gapcast::chip_levers()) {
    const json& s = chip.at(std::string(l.name));
    EXPECT_TRUE(starts_with(s.at("description"), l.description)) << l.name;
    EXPECT_EQ(s.at("allOf").at(0).at("$ref"), schedule_of(l.kind)) << l.name;
  }
  const json& fraction = policy.at("definitions").at("fraction_schedule");
  EXPECT_EQ(fraction.at("minimum"), 0);
  EXPECT_EQ(fraction.at("maximum"), 1);
  const json& status = policy.at("definitions").at("export_status_schedule");
  EXPECT_EQ(status.at("then").at("enum"), json({"banned", "licensed", "unrestricted"}));
  EXPECT_FALSE(status.at("items").at("properties").contains("to")) << "statuses do not ramp";
}

TEST(SchemaVocabulary, ObjectKeysEqualTheLoadersLists) {
  const json world = schema(SchemaKind::world);
  const json policy = schema(SchemaKind::policy);
  const json scenario = schema(SchemaKind::scenario);
  EXPECT_EQ(keys_of(scenario.at("properties")), as_set(gapcast::loader_keys("scenario")));
  EXPECT_EQ(keys_of(world.at("properties")), as_set(gapcast::loader_keys("world")));
  const json& defs = world.at("definitions");
  EXPECT_EQ(keys_of(defs.at("foreign_chip").at("properties")),
            as_set(gapcast::loader_keys("foreign_chip")));
  EXPECT_EQ(keys_of(defs.at("domestic_chip").at("properties")),
            as_set(gapcast::loader_keys("domestic_chip")));
  EXPECT_EQ(keys_of(defs.at("foreign_chip").at("properties").at("initial_stock").at("properties")),
            as_set(gapcast::loader_keys("foreign_stock")));
  EXPECT_EQ(
      keys_of(defs.at("domestic_chip").at("properties").at("initial_stock").at("properties")),
      as_set(gapcast::loader_keys("domestic_stock")));
  EXPECT_EQ(keys_of(defs.at("line").at("properties")), as_set(gapcast::loader_keys("line")));
  EXPECT_EQ(keys_of(defs.at("correlation").at("properties")),
            as_set(gapcast::loader_keys("correlation")));
  EXPECT_EQ(keys_of(policy.at("properties")), as_set(gapcast::loader_keys("policy")));
  for (const char* kind : {"fraction", "nonnegative", "optional_cap"}) {
    const json& s = policy.at("definitions").at(std::string(kind) + "_schedule");
    EXPECT_EQ(keys_of(s.at("items").at("properties")), as_set(gapcast::loader_keys("lever_change")))
        << kind;
    EXPECT_EQ(keys_of(s.at("properties")), as_set(gapcast::loader_keys("lever_constant"))) << kind;
  }
  EXPECT_TRUE(gapcast::loader_keys("no such object").empty());
}

TEST(SchemaVocabulary, DistributionKindsAndTheirKeysEqualTheGrammar) {
  const json dist = schema(SchemaKind::distribution);
  const json& defs = dist.at("definitions");
  std::vector<std::string> kinds;
  for (const auto& k : defs.at("distribution_object").at("properties").at("dist").at("enum")) {
    kinds.push_back(k);
  }
  EXPECT_EQ(kinds, gapcast::distribution_kinds());
  const auto meta = as_set(gapcast::loader_keys("parameter_meta"));
  for (const auto& kind : gapcast::distribution_kinds()) {
    SCOPED_TRACE(kind);
    const json& k = defs.at(kind);
    EXPECT_EQ(k.at("properties").at("dist").at("const"), kind);
    EXPECT_EQ(k.at("additionalProperties"), false);
    // The schema's keys for the kind = "dist" + the grammar's keys + the meta keys.
    std::set<std::string> expected = as_set(gapcast::loader_keys("dist:" + kind));
    expected.insert("dist");
    expected.insert(meta.begin(), meta.end());
    if (kind == "percentiles") expected.insert("p50");  // the other levels come by pattern
    EXPECT_EQ(keys_of(k.at("properties")), expected);
  }
  // The shorthand forms carry the same meta keys (a point value cannot be truncated).
  std::set<std::string> point = meta;
  point.erase("truncate");
  point.insert("value");
  EXPECT_EQ(keys_of(defs.at("point_value").at("properties")), point);
  std::set<std::string> interval = meta;
  interval.insert("ci90");
  EXPECT_EQ(keys_of(defs.at("interval90").at("properties")), interval);
}

TEST(SchemaVocabulary, OverridesOfferEveryParameterAndGlobalLever) {
  // A copy: a reference into the temporary document would dangle.
  const json props = schema(SchemaKind::scenario).at("properties").at("overrides").at("properties");
  for (const auto& p : gapcast::world_parameters()) {
    EXPECT_TRUE(props.contains("/world/parameters/" + std::string(p.name))) << p.name;
  }
  for (const auto& l : gapcast::global_levers()) {
    EXPECT_TRUE(props.contains("/policy/levers/" + std::string(l.name))) << l.name;
  }
}

// ---- validation through valijson ----------------------------------------------------------

TEST(SchemaValidation, ShippedFilesAreValid) {
  for (const auto& name : {"baseline", "comprehensive_embargo", "incremental_tightening",
                           "multilateral_alignment", "no_controls"}) {
    const json scenario = json::parse(read_file(std::string("scenarios/") + name + ".json"));
    EXPECT_TRUE(gapcast::validate_with_schema(SchemaKind::scenario, scenario).empty()) << name;
    const json policy = json::parse(read_file(std::string("scenarios/policy/") + name + ".json"));
    EXPECT_TRUE(gapcast::validate_with_schema(SchemaKind::policy, policy).empty()) << name;
  }
  const json world = json::parse(read_file("scenarios/world/default.json"));
  const auto violations = gapcast::validate_with_schema(SchemaKind::world, world);
  EXPECT_TRUE(violations.empty()) << violations.front().pointer << ": "
                                  << violations.front().message;
}

TEST(SchemaValidation, ReportsInnermostViolationsAtTheirPointers) {
  json world = json::parse(read_file("scenarios/world/default.json"));
  world["parameters"]["target_lag_months"] = 500;                        // above maximum
  world["chips"]["h20"]["tpp"] = "fast";                                 // wrong type
  world["chips"]["h20"].erase("memory_bandwidth_tbps");                  // missing
  world["parameters"]["densing_doubling_months"]["p50"] = "x";           // wrong type
  world["domestic_lines"]["huawei"]["speed"] = 1;                        // unknown key
  world["start"] = "2026-13";                                            // bad month
  const auto v = gapcast::validate_with_schema(SchemaKind::world, world);
  auto has = [&](const std::string& pointer, const std::string& fragment) {
    return std::any_of(v.begin(), v.end(), [&](const gapcast::SchemaViolation& x) {
      return x.pointer == pointer && x.message.find(fragment) != std::string::npos;
    });
  };
  std::string all;
  for (const auto& x : v) all += x.pointer + ": " + x.message + "\n";
  EXPECT_TRUE(has("/parameters/target_lag_months", "less than or equal to")) << all;
  EXPECT_TRUE(has("/chips/h20/tpp", "not allowed here")) << all;
  EXPECT_TRUE(has("/chips/h20", "missing required key \"memory_bandwidth_tbps\"")) << all;
  EXPECT_TRUE(has("/parameters/densing_doubling_months/p50", "not allowed here")) << all;
  EXPECT_TRUE(has("/domestic_lines/huawei/speed", "unknown key \"speed\"")) << all;
  EXPECT_TRUE(has("/start", "regex")) << all;
  // Wrappers ("failed to validate against schema associated with property ...") are gone.
  for (const auto& x : v) EXPECT_EQ(x.message.find("Failed to validate"), std::string::npos) << all;
}

TEST(SchemaValidation, RangesApplyToValuesInTheCanonicalUnitOnly) {
  json world = json::parse(read_file("scenarios/world/default.json"));
  // 0.25 years is 3 months, inside [0.5, 240] months, although 0.25 itself is below 0.5: in
  // another unit the number is scaled first, so only the engine can check it. In months (the
  // default, or named) the range is checked statically.
  world["parameters"]["densing_doubling_months"] = {{"value", 0.25}, {"unit", "years"}};
  EXPECT_TRUE(gapcast::validate_with_schema(SchemaKind::world, world).empty());
  world["parameters"]["densing_doubling_months"] = {{"value", 300}};
  EXPECT_FALSE(gapcast::validate_with_schema(SchemaKind::world, world).empty());
  world["parameters"]["densing_doubling_months"] = {{"value", 300}, {"unit", "months"}};
  EXPECT_FALSE(gapcast::validate_with_schema(SchemaKind::world, world).empty());
}

TEST(SchemaValidation, ScenarioSchemaChecksOverrideValuesAndPointers) {
  const json ok = {{"kind", "scenario"},
                   {"extends", "baseline.json"},
                   {"overrides",
                    {{"/world/parameters/densing_doubling_months", {{"p5", 3}, {"p50", 4}, {"p95", 6}}},
                     {"/world/chips/h20/tpp", 2400},
                     {"/policy/levers/chips/h200/fee", 0.3}}}};
  EXPECT_TRUE(gapcast::validate_with_schema(SchemaKind::scenario, ok).empty());
  json bad = ok;
  bad["overrides"]["/policy/levers/enforcement_intensity"] = 2;
  EXPECT_FALSE(gapcast::validate_with_schema(SchemaKind::scenario, bad).empty());
  bad = ok;
  bad["overrides"]["world/x"] = 1;
  EXPECT_FALSE(gapcast::validate_with_schema(SchemaKind::scenario, bad).empty());
  const json no_parts = {{"kind", "scenario"}, {"name", "x"}};
  EXPECT_FALSE(gapcast::validate_with_schema(SchemaKind::scenario, no_parts).empty());
}

TEST(SchemaValidation, NeverThrowsForOddDocuments) {
  for (const json& doc : {json(nullptr), json(1.5), json::array({1, 2}), json("text"),
                          json::object(), json({{"parameters", json::array()}})}) {
    for (const auto& f : gapcast::schema_files()) {
      EXPECT_NO_THROW((void)gapcast::validate_with_schema(f.kind, doc));
    }
  }
}

}  // namespace
