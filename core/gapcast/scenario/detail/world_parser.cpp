// Reading a world file: the start month, the uncertain parameters, the chip-class table, the
// domestic production lines and the rank correlations between parameters.
#include <algorithm>
#include <cmath>
#include <set>

#include "gapcast/util/sha256.hpp"
#include "gapcast/util/suggest.hpp"
#include "gapcast/scenario/detail/loader_support.hpp"

namespace gapcast::detail {
namespace {

/// Stands in for a parameter that failed to load, so that later checks (correlations) do not
/// report it a second time as unknown. The world is rejected anyway.
ParameterSpec placeholder(const ParameterInfo& info) {
  ParameterSpec spec;
  spec.name = std::string(info.name);
  spec.dist = Distribution::uniform(0.0, 1.0);
  return spec;
}

/// Adds a parameter to the world and returns its index, or -1 after reporting a problem.
int add_parameter(World& world, const json& value, const std::string& pointer,
                  const LoadContext& ctx, const ParameterInfo& info, std::string name) {
  auto spec = parse_parameter(value, pointer, ctx, info, std::move(name));
  if (!spec) return -1;
  world.parameters.push_back(std::move(*spec));
  return static_cast<int>(world.parameters.size() - 1);
}

/// A "YYYY-MM" month or null, as months from the world's start month. Returns false after
/// reporting a problem; `months` stays empty for null.
bool read_optional_month(const json& object, std::string_view key, const std::string& pointer,
                         const LoadContext& ctx, YearMonth start, std::optional<int>& months) {
  months.reset();
  const auto it = object.find(key);
  if (it == object.end()) {
    ctx.error(pointer, "missing required key \"" + std::string(key) +
                           "\" (a month \"YYYY-MM\", or null)");
    return false;
  }
  if (it->is_null()) return true;
  auto ym = read_month(*it, child(pointer, key), ctx);
  if (!ym) return false;
  months = months_between(start, *ym);
  return true;
}

void parse_chips(const json& chips, const std::string& pointer, const LoadContext& ctx,
                 World& world) {
  if (!expect_object(chips, pointer, ctx, "the chip-class table")) return;
  if (chips.empty()) ctx.error(pointer, "the chip-class table is empty; define at least one class");
  for (const auto& item : chips.items()) {
    // Named references rather than structured bindings: the field lambda below captures
    // `name`, which clang 14 (the fuzzing build) does not allow for a structured binding.
    const std::string& name = item.key();
    const json& entry = item.value();
    const std::string at = child(pointer, name);
    if (!expect_object(entry, at, ctx, "a chip class")) continue;
    ChipClass chip;
    chip.name = name;
    chip.param.fill(-1);
    chip.label = read_string(entry, "label", at, ctx, false).value_or(name);
    const auto origin = read_string(entry, "origin", at, ctx, true);
    if (!origin) continue;
    if (*origin == "foreign") {
      chip.origin = ChipOrigin::foreign;
      check_keys(entry, at, ctx, keys_of("foreign_chip"), "a foreign chip class");
    } else if (*origin == "domestic") {
      chip.origin = ChipOrigin::domestic;
      check_keys(entry, at, ctx, keys_of("domestic_chip"), "a domestic chip class");
    } else {
      ctx.error(child(at, "origin"),
                "expected \"foreign\" or \"domestic\", got \"" + *origin + "\"");
      continue;
    }
    check_provenance(entry, at, ctx);

    auto field = [&](ChipField f, const json& object, const std::string& object_pointer,
                     std::string_view key) {
      const auto it = object.find(key);
      if (it == object.end()) {
        ctx.error(object_pointer, "missing required key \"" + std::string(key) + "\" (" +
                                      std::string(info(f).description) + ")");
        return;
      }
      chip.param[static_cast<std::size_t>(f)] =
          add_parameter(world, *it, child(object_pointer, key), ctx, info(f),
                        "chips." + name + "." + std::string(chip_field_path(f)));
    };
    field(ChipField::tpp, entry, at, "tpp");
    field(ChipField::memory_bandwidth_tbps, entry, at, "memory_bandwidth_tbps");

    const auto stock_it = entry.find("initial_stock");
    const std::string stock_at = child(at, "initial_stock");
    const bool stock_ok = stock_it != entry.end() &&
                          expect_object(*stock_it, stock_at, ctx, "the initial stock by channel");
    if (stock_it == entry.end()) ctx.error(at, "missing required key \"initial_stock\"");

    if (chip.origin == ChipOrigin::foreign) {
      read_optional_month(entry, "volume_from", at, ctx, world.start, chip.volume_from);
      read_optional_month(entry, "volume_until", at, ctx, world.start, chip.volume_until);
      if (chip.volume_from && chip.volume_until && *chip.volume_until <= *chip.volume_from) {
        ctx.error(child(at, "volume_until"), "must be later than volume_from");
      }
      field(ChipField::demand_weight, entry, at, "demand_weight");
      field(ChipField::frontier_initial_share, entry, at, "frontier_initial_share");
      if (stock_ok) {
        check_keys(*stock_it, stock_at, ctx, keys_of("foreign_stock"),
                   "the initial stock of a foreign class");
        field(ChipField::initial_licensed, *stock_it, stock_at, "licensed");
        field(ChipField::initial_smuggled, *stock_it, stock_at, "smuggled");
      }
    } else {
      if (auto line = read_string(entry, "line", at, ctx, true)) chip.line = *line;
      read_optional_month(entry, "roadmap_from", at, ctx, world.start, chip.roadmap_from);
      if (stock_ok) {
        check_keys(*stock_it, stock_at, ctx, keys_of("domestic_stock"),
                   "the initial stock of a domestic class");
        field(ChipField::initial_domestic, *stock_it, stock_at, "domestic");
      }
    }
    world.chips.push_back(std::move(chip));
  }
}

void parse_lines(const json& lines, const std::string& pointer, const LoadContext& ctx,
                 World& world) {
  if (!expect_object(lines, pointer, ctx, "the domestic production lines")) return;
  for (const auto& [name, entry] : lines.items()) {
    const std::string at = child(pointer, name);
    if (!expect_object(entry, at, ctx, "a production line")) continue;
    check_keys(entry, at, ctx, keys_of("line"), "a production line");
    check_provenance(entry, at, ctx);
    DomesticLine line;
    line.name = name;
    line.label = read_string(entry, "label", at, ctx, false).value_or(name);
    line.param.fill(-1);
    const auto it = entry.find("packages_per_year_2026");
    if (it == entry.end()) {
      ctx.error(at, "missing required key \"packages_per_year_2026\"");
    } else {
      line.param[0] = add_parameter(world, *it, child(at, "packages_per_year_2026"), ctx,
                                    info(LineField::packages_per_year_2026),
                                    "domestic_lines." + name + ".packages_per_year_2026");
    }
    world.lines.push_back(std::move(line));
  }
}

void link_lines(const std::string& chips_pointer, const LoadContext& ctx, World& world) {
  for (auto& chip : world.chips) {
    if (chip.origin != ChipOrigin::domestic || chip.line.empty()) continue;
    for (std::size_t i = 0; i < world.lines.size(); ++i) {
      if (world.lines[i].name == chip.line) chip.line_index = static_cast<int>(i);
    }
    if (chip.line_index < 0) {
      ctx.error(child(child(chips_pointer, chip.name), "line"),
                "no production line named \"" + chip.line + "\" in \"domestic_lines\"");
    }
  }
  for (std::size_t i = 0; i < world.lines.size(); ++i) {
    bool producing_at_start = false, any = false;
    for (const auto& chip : world.chips) {
      if (chip.line_index != static_cast<int>(i)) continue;
      any = true;
      producing_at_start = producing_at_start || !chip.roadmap_from || *chip.roadmap_from <= 0;
    }
    if (!any) {
      ctx.error("/domestic_lines/" + escape_pointer_token(world.lines[i].name),
                "no domestic chip class is made on this line; give a class \"line\": \"" +
                    world.lines[i].name + "\"");
    } else if (!producing_at_start) {
      ctx.error("/domestic_lines/" + escape_pointer_token(world.lines[i].name),
                "none of this line's chip classes is in production at the start month; set "
                "the first class's \"roadmap_from\" to the start month or earlier (or null)");
    }
  }
}

// Long because: one located check per rule of a correlation entry (shape, names, self-pairs,
// duplicates, range) and then the matrix repair; the checks share the entry being read.
void parse_correlations(const json& value, const std::string& pointer, const LoadContext& ctx,
                        RepairPolicy repair, World& world) {
  if (!value.is_array()) {
    ctx.error(pointer, "expected an array of {\"parameters\": [a, b], \"rank\": r}, got " +
                           describe_value(value));
    return;
  }
  std::vector<std::string> names;
  for (const auto& p : world.parameters) names.push_back(p.name);
  std::vector<int> members;
  struct Pair {
    int a, b;
    double rank;
  };
  std::vector<Pair> pairs;
  std::set<std::pair<int, int>> seen;
  bool ok = true;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string at = child(pointer, i);
    const auto& entry = value[i];
    if (!expect_object(entry, at, ctx, "a correlation entry")) {
      ok = false;
      continue;
    }
    check_keys(entry, at, ctx, keys_of("correlation"), "a correlation entry");
    // A correlation is an assumption like any parameter, so --strict wants its source too.
    if (!check_provenance(entry, at, ctx) && ctx.strict) {
      ctx.error(at, "this correlation has no \"source\"; --strict requires a citation (or "
                    "\"judgement: <reason>\") for every correlation");
    }
    const auto params = entry.find("parameters");
    if (params == entry.end() || !params->is_array() || params->size() != 2 ||
        !(*params)[0].is_string() || !(*params)[1].is_string()) {
      ctx.error(at, "expected \"parameters\": two parameter names, e.g. [\"a\", \"b\"]");
      ok = false;
      continue;
    }
    int idx[2] = {-1, -1};
    for (std::size_t k = 0; k < 2; ++k) {
      const std::string name = (*params)[k].get<std::string>();
      idx[k] = world.index_of(name);
      if (idx[k] < 0) {
        std::string message = "unknown parameter \"" + name + "\"";
        if (auto s = closest_match(name, names)) message += "; did you mean \"" + *s + "\"?";
        ctx.error(child(child(at, "parameters"), k), message);
        ok = false;
      } else if (world.parameters[static_cast<std::size_t>(idx[k])].dist.is_point()) {
        ctx.warning(child(child(at, "parameters"), k),
                    "parameter \"" + name + "\" is a fixed value; correlating it has no effect");
      }
    }
    if (idx[0] >= 0 && idx[0] == idx[1]) {
      ctx.error(child(at, "parameters"), "a parameter cannot be correlated with itself");
      ok = false;
    }
    const auto rank_it = entry.find("rank");
    std::optional<double> rank;
    if (rank_it == entry.end()) ctx.error(at, "missing required key \"rank\"");
    else rank = read_number(*rank_it, child(at, "rank"), ctx);
    if (rank && (*rank < -1.0 || *rank > 1.0)) {
      ctx.error(child(at, "rank"), "a rank correlation must lie in [-1, 1] (got " +
                                       number_text(*rank) + ")");
      rank.reset();
    }
    if (!rank || idx[0] < 0 || idx[1] < 0 || idx[0] == idx[1]) {
      ok = false;
      continue;
    }
    const auto key = std::minmax(idx[0], idx[1]);
    if (!seen.insert(key).second) {
      ctx.error(at, "this pair of parameters is already correlated by an earlier entry");
      ok = false;
      continue;
    }
    for (int m : idx) {
      if (std::find(members.begin(), members.end(), m) == members.end()) members.push_back(m);
    }
    pairs.push_back({idx[0], idx[1], *rank});
  }
  if (!ok || members.empty()) return;

  const auto n = static_cast<Eigen::Index>(members.size());
  Eigen::MatrixXd rank = Eigen::MatrixXd::Identity(n, n);
  auto position = [&](int param) {
    return static_cast<Eigen::Index>(std::find(members.begin(), members.end(), param) -
                                     members.begin());
  };
  for (const auto& p : pairs) {
    rank(position(p.a), position(p.b)) = p.rank;
    rank(position(p.b), position(p.a)) = p.rank;
  }
  try {
    auto copula = std::make_shared<const GaussianCopula>(rank, repair);
    if (copula->repaired()) {
      std::string message =
          "the requested correlations cannot all hold at once; using the nearest valid set "
          "(largest change " + number_text(std::round(copula->max_repair_change() * 1000.0) /
                                           1000.0) +
          "). Achieved vs requested:";
      for (const auto& p : pairs) {
        message += " " + world.parameters[static_cast<std::size_t>(p.a)].name + "~" +
                   world.parameters[static_cast<std::size_t>(p.b)].name + " " +
                   number_text(std::round(copula->achieved_rank()(position(p.a), position(p.b)) *
                                          1000.0) / 1000.0) +
                   " (asked " + number_text(p.rank) + ");";
      }
      ctx.warning(pointer, message);
    }
    world.correlation = CorrelationGroup{members, rank, std::move(copula)};
  } catch (const CorrelationError& e) {
    ctx.error(pointer, e.what());
  }
}

}  // namespace

std::optional<World> parse_world(const json& value, const LoadContext& ctx) {
  if (!expect_object(value, "", ctx, "a world")) return std::nullopt;
  const std::size_t errors_before = ctx.diag->error_count();
  check_keys(value, "", ctx, keys_of("world"), "a world");
  if (const auto kind = read_string(value, "kind", "", ctx, false); kind && *kind != "world") {
    ctx.error("/kind", "this file is a \"" + *kind + "\", but a world is expected here");
  }

  World world;
  world.name = read_string(value, "name", "", ctx, false).value_or("world");
  world.title = read_string(value, "title", "", ctx, false).value_or("");
  world.description = read_string(value, "description", "", ctx, false).value_or("");
  if (const auto it = value.find("start"); it != value.end()) {
    if (auto ym = read_month(*it, "/start", ctx)) world.start = *ym;
  }

  // Global parameters: every catalogue entry is required, in catalogue order.
  const auto params = value.find("parameters");
  if (params == value.end()) {
    ctx.error("", "missing required key \"parameters\"");
  } else if (expect_object(*params, "/parameters", ctx, "the world parameters")) {
    std::vector<std::string_view> names;
    for (const auto& p : world_parameters()) names.push_back(p.name);
    check_keys(*params, "/parameters", ctx, names, "the world parameters");
    for (const auto& p : world_parameters()) {
      const auto it = params->find(p.name);
      if (it == params->end()) {
        ctx.error("/parameters", "missing parameter \"" + std::string(p.name) + "\" (" +
                                     std::string(p.description) + ")");
        world.parameters.push_back(placeholder(p));
        continue;
      }
      auto spec = parse_parameter(*it, child("/parameters", p.name), ctx, p, std::string(p.name));
      world.parameters.push_back(spec ? std::move(*spec) : placeholder(p));
    }
  }
  if (world.parameters.size() != global_parameter_count) {
    world.parameters.resize(global_parameter_count);
  }

  if (const auto it = value.find("chips"); it != value.end()) {
    parse_chips(*it, "/chips", ctx, world);
  } else {
    ctx.error("", "missing required key \"chips\" (the chip-class table)");
  }
  if (const auto it = value.find("domestic_lines"); it != value.end()) {
    parse_lines(*it, "/domestic_lines", ctx, world);
  } else {
    ctx.error("", "missing required key \"domestic_lines\"");
  }
  link_lines("/chips", ctx, world);

  RepairPolicy repair = RepairPolicy::reject;
  if (const auto it = value.find("correlation_repair"); it != value.end()) {
    if (*it == "nearest") repair = RepairPolicy::nearest;
    else if (*it != "reject") {
      ctx.error("/correlation_repair", "expected \"reject\" or \"nearest\", got " +
                                           describe_value(*it));
    }
  }
  if (const auto it = value.find("correlations"); it != value.end()) {
    parse_correlations(*it, "/correlations", ctx, repair, world);
  }

  if (ctx.diag->error_count() != errors_before) return std::nullopt;
  world.fingerprint = sha256_hex(value.dump());
  return world;
}

}  // namespace gapcast::detail
