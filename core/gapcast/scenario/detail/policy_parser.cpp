// Reading a policy file: dated schedules for each lever.
//
// A lever is written as a constant ("fee": 0.25, "export_status": "banned", or
// {"value": 0.25, "source": "..."}) or as a list of dated changes:
//   [{"from": "2026-01", "value": 0.25},
//    {"from": "2026-07", "to": "2027-07", "value": 1.0, "note": "ramps up over a year"}]
// An entry with "to" is a ramp: linear from the value in force at "from" to "value" at "to".
// Entries must be in date order and may not overlap.
#include <cmath>

#include "gapcast/util/dates.hpp"
#include "gapcast/util/sha256.hpp"
#include "gapcast/util/suggest.hpp"
#include "gapcast/scenario/detail/loader_support.hpp"

namespace gapcast::detail {
namespace {

std::optional<double> lever_value(const json& value, const std::string& pointer,
                                  const LoadContext& ctx, const LeverInfo& lever) {
  switch (lever.kind) {
    case LeverKind::export_status: {
      if (value.is_string()) {
        const auto s = value.get<std::string>();
        if (s == "banned") return static_cast<double>(ExportStatus::banned);
        if (s == "licensed") return static_cast<double>(ExportStatus::licensed);
        if (s == "unrestricted") return static_cast<double>(ExportStatus::unrestricted);
      }
      ctx.error(pointer, "expected \"banned\", \"licensed\" or \"unrestricted\", got " +
                             describe_value(value));
      return std::nullopt;
    }
    case LeverKind::optional_cap:
      if (value.is_null()) return HUGE_VAL;
      [[fallthrough]];
    case LeverKind::nonnegative:
    case LeverKind::fraction: {
      auto x = read_number(value, pointer, ctx);
      if (!x) return std::nullopt;
      if (*x < 0.0) {
        ctx.error(pointer, "must be >= 0 (got " + number_text(*x) + ")");
        return std::nullopt;
      }
      if (lever.kind == LeverKind::fraction && *x > 1.0) {
        ctx.error(pointer, "must be between 0 and 1 (got " + number_text(*x) + ")");
        return std::nullopt;
      }
      return x;
    }
  }
  return std::nullopt;
}

// Long because: each rule of a dated schedule (order, steps against ramps, null caps, ranges)
// is one located check in sequence over the same entries; the checks read best together.
std::optional<Schedule> parse_schedule(const json& value, const std::string& pointer,
                                       const LoadContext& ctx, const LeverInfo& lever) {
  if (!value.is_array()) {
    // A constant, possibly with provenance.
    const json* v = &value;
    if (value.is_object()) {
      check_keys(value, pointer, ctx, keys_of("lever_constant"), "a constant lever value");
      check_provenance(value, pointer, ctx);
      const auto it = value.find("value");
      if (it == value.end()) {
        ctx.error(pointer, "missing key \"value\"");
        return std::nullopt;
      }
      v = &*it;
    }
    auto x = lever_value(*v, value.is_object() ? child(pointer, "value") : pointer, ctx, lever);
    if (!x) return std::nullopt;
    return Schedule(*x);
  }

  Schedule schedule(lever.no_controls_value);
  double previous_end = -HUGE_VAL;
  std::string previous_text;  // how the previous change ends, for the ordering message
  bool ok = true;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const std::string at = child(pointer, i);
    const auto& entry = value[i];
    if (!expect_object(entry, at, ctx, "a dated lever change {\"from\": \"YYYY-MM\", ...}")) {
      ok = false;
      continue;
    }
    check_keys(entry, at, ctx, keys_of("lever_change"), "a dated lever change");
    check_provenance(entry, at, ctx);
    const auto from_it = entry.find("from");
    const auto value_it = entry.find("value");
    if (from_it == entry.end() || value_it == entry.end()) {
      ctx.error(at, "each change needs \"from\" (a month \"YYYY-MM\") and \"value\"");
      ok = false;
      continue;
    }
    // Dates and value are checked independently, so that one run reports every problem of
    // an entry; the schedule is only built from entries without any.
    const auto from = read_month(*from_it, child(at, "from"), ctx);
    const auto x = lever_value(*value_it, child(at, "value"), ctx, lever);
    if (!from) {
      ok = false;
      continue;
    }
    bool entry_ok = x.has_value();
    const double t0 = month_index(*from);
    if (t0 < previous_end) {
      ctx.error(child(at, "from"),
                "changes must be in date order without overlapping; this one starts " +
                    format_year_month(*from) + ", before the previous one " + previous_text);
      entry_ok = false;
    }
    const auto to_it = entry.find("to");
    // previous_end only moves forward: an entry reported as out of order must not let a
    // later one slip in before a change the schedule already holds (Schedule requires its
    // changes in time order).
    if (to_it == entry.end()) {
      if (entry_ok) schedule.step(t0, *x);
      if (t0 + 1e-9 > previous_end) {
        previous_end = t0 + 1e-9;  // a later step in the same month would be ambiguous
        previous_text = "(" + format_year_month(*from) + ")";
      }
      ok = ok && entry_ok;
      continue;
    }
    const auto to = read_month(*to_it, child(at, "to"), ctx);
    if (!to) {
      ok = false;
      continue;
    }
    if (lever.kind == LeverKind::export_status) {
      ctx.error(child(at, "to"), "export status changes in steps; a ramp (\"to\") is not "
                                 "possible for it");
      entry_ok = false;
    }
    const double t1 = month_index(*to);
    if (t1 <= t0) {
      ctx.error(child(at, "to"), "a ramp must end after it starts (\"to\" later than \"from\")");
      entry_ok = false;
    } else if (t1 > previous_end) {
      previous_end = t1;
      previous_text = "ends (its ramp runs to " + format_year_month(*to) + ")";
    }
    if (entry_ok && (!std::isfinite(*x) || !std::isfinite(schedule.value(t0)))) {
      ctx.error(at, "a ramp needs numeric values at both ends; \"no cap\" (null) can only "
                    "change in a step");
      entry_ok = false;
    }
    if (entry_ok) schedule.ramp(t0, t1, *x);
    ok = ok && entry_ok;
  }
  if (!ok) return std::nullopt;
  return schedule;
}

}  // namespace

std::optional<Policy> parse_policy(const json& value, const LoadContext& ctx) {
  if (!expect_object(value, "", ctx, "a policy")) return std::nullopt;
  const std::size_t errors_before = ctx.diag->error_count();
  check_keys(value, "", ctx, keys_of("policy"), "a policy");
  if (const auto kind = read_string(value, "kind", "", ctx, false); kind && *kind != "policy") {
    ctx.error("/kind", "this file is a \"" + *kind + "\", but a policy is expected here");
  }
  Policy policy;
  policy.name = read_string(value, "name", "", ctx, false).value_or("policy");
  policy.title = read_string(value, "title", "", ctx, false).value_or("");
  policy.description = read_string(value, "description", "", ctx, false).value_or("");

  const auto levers = value.find("levers");
  if (levers != value.end() && expect_object(*levers, "/levers", ctx, "the lever schedules")) {
    std::vector<std::string_view> allowed{"chips"};
    for (const auto& l : global_levers()) allowed.push_back(l.name);
    check_keys(*levers, "/levers", ctx, allowed, "the lever schedules");
    for (std::size_t i = 0; i < global_lever_count; ++i) {
      const auto& lever = global_levers()[i];
      const auto it = levers->find(lever.name);
      if (it == levers->end()) continue;
      if (auto s = parse_schedule(*it, child("/levers", lever.name), ctx, lever)) {
        policy.global_levers[i] = std::move(*s);
      }
    }
    if (const auto chips = levers->find("chips"); chips != levers->end()) {
      if (expect_object(*chips, "/levers/chips", ctx, "per-chip-class levers")) {
        std::vector<std::string_view> chip_allowed;
        for (const auto& l : chip_levers()) chip_allowed.push_back(l.name);
        for (const auto& [chip, entry] : chips->items()) {
          const std::string at = child("/levers/chips", chip);
          if (!expect_object(entry, at, ctx, "the levers of one chip class")) continue;
          check_keys(entry, at, ctx, chip_allowed, "the levers of a chip class");
          ChipLeverSchedules schedules = Policy::no_controls_chip();
          for (std::size_t i = 0; i < chip_lever_count; ++i) {
            const auto& lever = chip_levers()[i];
            const auto it = entry.find(lever.name);
            if (it == entry.end()) continue;
            if (auto s = parse_schedule(*it, child(at, lever.name), ctx, lever)) {
              schedules[i] = std::move(*s);
            }
          }
          policy.chip_levers.emplace(chip, std::move(schedules));
        }
      }
    }
  }
  if (ctx.diag->error_count() != errors_before) return std::nullopt;
  policy.fingerprint = policy_fingerprint(policy);
  return policy;
}

void check_policy_against_world(const Policy& policy, const World& world,
                                const LoadContext& policy_ctx) {
  std::vector<std::string> foreign;
  for (const auto& c : world.chips) {
    if (c.origin == ChipOrigin::foreign) foreign.push_back(c.name);
  }
  for (const auto& [name, schedules] : policy.chip_levers) {
    (void)schedules;
    const int idx = world.chip_index(name);
    const std::string at = child("/levers/chips", name);
    if (idx < 0) {
      std::string message = "the world \"" + world.name + "\" has no chip class \"" + name + "\"";
      if (auto s = closest_match(name, foreign)) message += "; did you mean \"" + *s + "\"?";
      policy_ctx.error(at, message);
    } else if (world.chips[static_cast<std::size_t>(idx)].origin != ChipOrigin::foreign) {
      policy_ctx.error(at, "\"" + name + "\" is a domestic chip class; export levers apply only "
                                         "to foreign classes");
    } else if (const auto& chip = world.chips[static_cast<std::size_t>(idx)];
               chip.volume_until && *chip.volume_until <= 0) {
      // Nothing of a class out of volume is bought, so its export status, fee and caps change
      // no number of the run; a policy that sets them would read as if they mattered.
      policy_ctx.warning(
          at, "these levers have no effect: chip class \"" + name + "\" leaves volume " +
                  "production in " + format_year_month(add_months(world.start,
                                                                 *chip.volume_until)) +
                  " (its volume_until in the world \"" + world.name + "\"), before the start " +
                  "month " + format_year_month(world.start) +
                  ", so none is bought during the run; remove them, or move the window with a "
                  "source if the class is still sold");
    }
  }
}

}  // namespace gapcast::detail
