// The grammar of a parameter specification: how analysts write a number or a distribution.
//
//   2368                                     a point value (no source: fails --strict)
//   {"value": 2368, "source": "..."}         a point value with provenance
//   {"ci90": [2.8, 6]}                       lognormal with that 90% interval ("2.8 to 6")
//   {"p5": 2.8, "p50": 3.5, "p95": 6}        two-piece lognormal through three percentiles
//   {"dist": "<kind>", ...}                  explicit form, see kind_keys() below
//   any of the above + "truncate": [lo, hi]  (null for an open end)
//   any of the above + "unit", "source", "note"
//
// Units: a duration may be written in months or years and is converted to the parameter's
// canonical unit by scaling every location number (values, bounds, percentiles, means and sds);
// other parameters accept only their canonical unit. The unit belongs to the parameter: a
// mixture component cannot carry its own.
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "gapcast/util/suggest.hpp"
#include "gapcast/scenario/detail/loader_support.hpp"

namespace gapcast::detail {
namespace {

constexpr int max_mixture_depth = 4;

struct KindKeys {
  std::string_view kind;
  std::vector<std::string_view> keys;  // keys allowed besides "dist" and the meta keys
  std::string_view usage;
};

const std::vector<KindKeys>& kind_keys() {
  static const std::vector<KindKeys> table{
      {"point", {"value"}, "{\"dist\": \"point\", \"value\": x}"},
      {"uniform", {"low", "high"}, "{\"dist\": \"uniform\", \"low\": a, \"high\": b}"},
      {"log_uniform", {"low", "high"}, "{\"dist\": \"log_uniform\", \"low\": a, \"high\": b}"},
      {"normal", {"mean", "sd", "p5", "p95"},
       "{\"dist\": \"normal\", \"mean\": m, \"sd\": s} or {\"dist\": \"normal\", \"p5\": a, "
       "\"p95\": b}"},
      {"lognormal", {"mu", "sigma", "p5", "p95"},
       "{\"dist\": \"lognormal\", \"p5\": a, \"p95\": b} or {\"dist\": \"lognormal\", \"mu\": m, "
       "\"sigma\": s}"},
      {"triangular", {"low", "mode", "high"},
       "{\"dist\": \"triangular\", \"low\": a, \"mode\": m, \"high\": b}"},
      {"pert", {"low", "mode", "high", "lambda"},
       "{\"dist\": \"pert\", \"low\": a, \"mode\": m, \"high\": b}"},
      {"beta", {"alpha", "beta", "low", "high"},
       "{\"dist\": \"beta\", \"alpha\": a, \"beta\": b} (optionally \"low\", \"high\")"},
      {"bernoulli", {"p"}, "{\"dist\": \"bernoulli\", \"p\": 0.35}"},
      {"discrete", {"values", "weights"},
       "{\"dist\": \"discrete\", \"values\": [...], \"weights\": [...]}"},
      {"percentiles", {"space"},
       "{\"dist\": \"percentiles\", \"p5\": a, \"p50\": m, \"p95\": b} (\"space\": \"log\" or "
       "\"linear\")"},
      {"mixture", {"components", "weights"},
       "{\"dist\": \"mixture\", \"components\": [...], \"weights\": [...]}"},
  };
  return table;
}

/// Matches "p5", "p50", "p95", "p2.5": a percentile key, "p" then one or two digits and
/// optionally "." and one to six digits (the schema's pattern ^p[0-9]{1,2}(\.[0-9]{1,6})?$).
/// Returns the level in (0, 100). Written by hand rather than with std::regex, whose
/// backtracking matcher recurses once per character and can exhaust the stack on a long key.
std::optional<double> percentile_key(std::string_view key) {
  auto digits = [&](std::size_t from) {
    std::size_t n = 0;
    while (from + n < key.size() && key[from + n] >= '0' && key[from + n] <= '9') ++n;
    return n;
  };
  if (key.size() < 2 || key[0] != 'p') return std::nullopt;
  const std::size_t whole = digits(1);
  if (whole < 1 || whole > 2) return std::nullopt;
  std::size_t end = 1 + whole;
  if (end < key.size()) {
    if (key[end] != '.') return std::nullopt;
    const std::size_t fraction = digits(end + 1);
    if (fraction < 1 || fraction > 6 || end + 1 + fraction != key.size()) return std::nullopt;
    end = key.size();
  }
  double level = 0.0;
  // At most 9 characters of digits and one point: exact enough, and no locale involved.
  double scale = 1.0;
  bool after_point = false;
  for (std::size_t i = 1; i < end; ++i) {
    if (key[i] == '.') {
      after_point = true;
      continue;
    }
    const double d = key[i] - '0';
    if (after_point) {
      scale /= 10.0;
      level += d * scale;
    } else {
      level = level * 10.0 + d;
    }
  }
  if (level <= 0.0 || level >= 100.0) return std::nullopt;
  return level;
}

/// Four significant digits, for numbers the engine computed (tails, not what the file says).
std::string significant(double x) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.4g", x);
  return buffer;
}

/// The uniforms the sampler can hand a quantile function: its own draws lie in
/// [2^-53, 1 - 2^-53] and the copula's in [DBL_MIN, 1 - 2^-53] (correlation.cpp), so these
/// probe both ends of what can ever be drawn, plus the points describe() prints.
constexpr double kProbeUniforms[] = {std::numeric_limits<double>::min(), 0x1.0p-53, 0.05, 0.5,
                                     0.95, 1.0 - 0x1.0p-53};

/// Whether every value the distribution can produce lies in the parameter's valid range. The
/// comparison is on the support (the smallest and largest values possible at all), not on a tail
/// quantile, so a scenario that loads cannot draw an invalid value however many samples run.
/// Numbers that give no finite answer (a beta with alpha = beta = 1e300) are refused as well.
bool within_valid_range(const Distribution& dist, const ParameterInfo& info,
                        const std::string& pointer, const LoadContext& ctx) {
  for (const double u : kProbeUniforms) {
    double x = 0.0;
    try {
      x = dist.quantile(u);
    } catch (const DistributionError&) {
      x = std::numeric_limits<double>::quiet_NaN();
    }
    if (!std::isfinite(x)) {
      ctx.error(pointer, "these numbers give the distribution no finite value at probability " +
                             significant(u) + " (got " + significant(x) +
                             "); choose parameters of a more moderate size");
      return false;
    }
  }
  const double low = dist.support_low();
  const double high = dist.support_high();
  if (low >= info.min && high <= info.max) return true;
  const std::string range = "[" + number_text(info.min) + ", " + number_text(info.max) + "] " +
                            std::string(info.unit);
  if (dist.is_point()) {
    ctx.error(pointer, "value " + number_text(low) + ", outside the valid range of " +
                           std::string(info.name) + " " + range);
    return false;
  }
  const bool too_low = low < info.min;
  const double reach = too_low ? low : high;
  const std::string reaches =
      std::isinf(reach)
          ? std::string(reach > 0 ? "arbitrarily large values" : "arbitrarily large negative values")
          : (too_low ? "values down to " : "values up to ") + significant(reach);
  // Suggest bounds that keep what is already inside and cut only what is outside.
  const std::string lo_text = std::isinf(info.min) ? "null" : number_text(std::max(low, info.min));
  const std::string hi_text = std::isinf(info.max) ? "null" : number_text(std::min(high, info.max));
  ctx.error(pointer, dist.kind() + " distribution can produce " + reaches +
                         ", outside the valid range of " + std::string(info.name) + " " + range +
                         "; however rare such a draw is, a large run would meet it; add "
                         "\"truncate\": [" + lo_text + ", " + hi_text + "] or narrow it");
  return false;
}

/// A number as written times the unit scale; reports a value that overflows in the
/// conversion (1e308 years is not a number of months).
std::optional<double> scaled(const json& value, const std::string& pointer,
                             const LoadContext& ctx, double scale) {
  auto x = read_number(value, pointer, ctx);
  if (!x) return std::nullopt;
  const double y = *x * scale;
  if (!std::isfinite(y)) {
    ctx.error(pointer, "the number " + number_text(*x) + " is too large once converted to the "
                       "parameter's unit");
    return std::nullopt;
  }
  return y;
}

struct Reader {
  const json& obj;
  const std::string& pointer;
  const LoadContext& ctx;
  bool ok = true;

  std::optional<double> number(std::string_view key, double scale = 1.0) {
    const auto it = obj.find(key);
    if (it == obj.end()) {
      ctx.error(pointer, "missing key \"" + std::string(key) + "\"");
      ok = false;
      return std::nullopt;
    }
    auto x = scaled(*it, child(pointer, key), ctx, scale);
    if (!x) ok = false;
    return x;
  }
  std::optional<double> optional_number(std::string_view key, double fallback,
                                        double scale = 1.0) {
    if (!obj.contains(key)) return fallback;
    return number(key, scale);
  }
  std::optional<std::vector<double>> numbers(std::string_view key, double scale = 1.0) {
    const auto it = obj.find(key);
    if (it == obj.end()) {
      ctx.error(pointer, "missing key \"" + std::string(key) + "\"");
      ok = false;
      return std::nullopt;
    }
    if (!it->is_array() || it->empty()) {
      ctx.error(child(pointer, key), "expected a non-empty array of numbers, got " +
                                         (it->is_array() ? std::string("an empty array")
                                                         : describe_value(*it)));
      ok = false;
      return std::nullopt;
    }
    std::vector<double> out;
    for (std::size_t i = 0; i < it->size(); ++i) {
      auto x = scaled((*it)[i], child(child(pointer, key), i), ctx, scale);
      if (!x) {
        ok = false;
        return std::nullopt;
      }
      out.push_back(*x);
    }
    return out;
  }
  bool has(std::string_view key) const { return obj.contains(key); }
};

/// Runs a factory, turning DistributionError into a located diagnostic.
template <class Factory>
std::optional<Distribution> build(const std::string& pointer, const LoadContext& ctx,
                                  Factory&& factory) {
  try {
    return factory();
  } catch (const DistributionError& e) {
    ctx.error(pointer, e.what());
    return std::nullopt;
  }
}

std::optional<Distribution> parse_percentile_form(const json& obj, const std::string& pointer,
                                                  const LoadContext& ctx, double scale,
                                                  bool log_space) {
  std::map<double, std::pair<std::string, double>> points;  // level -> (key, value)
  bool numbers_ok = true;
  for (const auto& item : obj.items()) {
    const auto level = percentile_key(item.key());
    if (!level) continue;
    auto x = scaled(item.value(), child(pointer, item.key()), ctx, scale);
    if (!x) {
      numbers_ok = false;
      continue;
    }
    if (const auto [it, inserted] = points.try_emplace(*level, item.key(), *x); !inserted) {
      ctx.error(child(pointer, item.key()), "names the same percentile as \"" +
                                                it->second.first + "\"");
      return std::nullopt;
    }
  }
  if (!numbers_ok) return std::nullopt;
  if (points.size() != 3 || !points.contains(50.0)) {
    ctx.error(pointer,
              "a percentile specification needs exactly three percentiles including the median, "
              "e.g. {\"p5\": 2.8, \"p50\": 3.5, \"p95\": 6}");
    return std::nullopt;
  }
  // Plain variables rather than structured bindings: clang 14 (the fuzzing build) cannot
  // capture structured bindings in the lambda below.
  auto it = points.begin();
  const double q_low = it->first;
  const auto low = (it++)->second;
  const auto mid = (it++)->second;
  const double q_high = it->first;
  const auto high = it->second;
  // The factory checks these too; saying it with the file's own keys is clearer.
  if (!(low.second < mid.second && mid.second < high.second)) {
    ctx.error(pointer, "percentiles must increase with their level: " + low.first + "=" +
                           number_text(low.second) + " < " + mid.first + "=" +
                           number_text(mid.second) + " < " + high.first + "=" +
                           number_text(high.second) + " does not hold");
    return std::nullopt;
  }
  if (log_space && !(low.second > 0.0)) {
    ctx.error(pointer, "percentiles are read in log space (a two-piece lognormal), which needs "
                       "every value > 0 (got " + low.first + "=" + number_text(low.second) +
                       "); for quantities that can be zero or negative use {\"dist\": "
                       "\"percentiles\", \"space\": \"linear\", ...}");
    return std::nullopt;
  }
  return build(pointer, ctx, [&] {
    return Distribution::from_percentiles(low.second, mid.second, high.second, q_low / 100.0,
                                          q_high / 100.0, log_space);
  });
}

// Long because: one short branch per explicit form ("uniform", "beta", ...), each reading its
// own keys; a dispatch table would hide which keys each form takes.
std::optional<Distribution> parse_explicit(const json& obj, const std::string& kind,
                                           const std::string& pointer, const LoadContext& ctx,
                                           double scale, int depth) {
  Reader r{obj, pointer, ctx};
  const std::string at = pointer;
  if (kind == "point") {
    auto v = r.number("value", scale);
    if (!r.ok) return std::nullopt;
    return build(at, ctx, [&] { return Distribution::point(*v); });
  }
  if (kind == "uniform" || kind == "log_uniform") {
    auto lo = r.number("low", scale);
    auto hi = r.number("high", scale);
    if (!r.ok) return std::nullopt;
    return build(at, ctx, [&] {
      return kind == "uniform" ? Distribution::uniform(*lo, *hi)
                               : Distribution::log_uniform(*lo, *hi);
    });
  }
  if (kind == "normal") {
    if (r.has("p5") || r.has("p95")) {
      auto lo = r.number("p5", scale);
      auto hi = r.number("p95", scale);
      if (!r.ok) return std::nullopt;
      return build(at, ctx, [&] { return Distribution::normal_from_interval(*lo, *hi, 0.90); });
    }
    auto mean = r.number("mean", scale);
    auto sd = r.number("sd", scale);
    if (!r.ok) return std::nullopt;
    return build(at, ctx, [&] { return Distribution::normal(*mean, *sd); });
  }
  if (kind == "lognormal") {
    if (r.has("p5") || r.has("p95")) {
      auto lo = r.number("p5", scale);
      auto hi = r.number("p95", scale);
      if (!r.ok) return std::nullopt;
      return build(at, ctx,
                   [&] { return Distribution::lognormal_from_interval(*lo, *hi, 0.90); });
    }
    auto mu = r.number("mu");
    auto sigma = r.number("sigma");
    if (!r.ok) return std::nullopt;
    return build(at, ctx, [&] { return Distribution::lognormal(*mu + std::log(scale), *sigma); });
  }
  if (kind == "triangular" || kind == "pert") {
    auto lo = r.number("low", scale);
    auto mode = r.number("mode", scale);
    auto hi = r.number("high", scale);
    auto lambda = r.optional_number("lambda", 4.0);
    if (!r.ok) return std::nullopt;
    return build(at, ctx, [&] {
      return kind == "triangular" ? Distribution::triangular(*lo, *mode, *hi)
                                  : Distribution::pert(*lo, *mode, *hi, *lambda);
    });
  }
  if (kind == "beta") {
    auto a = r.number("alpha");
    auto b = r.number("beta");
    auto lo = r.optional_number("low", 0.0, scale);
    auto hi = r.optional_number("high", 1.0 * scale, scale);  // default [0, 1] in file units
    if (!r.ok) return std::nullopt;
    return build(at, ctx, [&] { return Distribution::beta(*a, *b, *lo, *hi); });
  }
  if (kind == "bernoulli") {
    if (scale != 1.0) {
      ctx.error(pointer, "a bernoulli parameter takes values 0 and 1 and cannot change units");
      return std::nullopt;
    }
    auto p = r.number("p");
    if (!r.ok) return std::nullopt;
    return build(at, ctx, [&] { return Distribution::bernoulli(*p); });
  }
  if (kind == "discrete") {
    auto values = r.numbers("values", scale);
    auto weights = r.numbers("weights");
    if (!r.ok) return std::nullopt;
    if (values->size() != weights->size()) {
      ctx.error(child(pointer, "weights"),
                "has " + std::to_string(weights->size()) + " entries but \"values\" has " +
                    std::to_string(values->size()) + "; give one weight per value");
      return std::nullopt;
    }
    return build(at, ctx, [&] { return Distribution::discrete(*values, *weights); });
  }
  if (kind == "percentiles") {
    bool log_space = true;
    if (const auto it = obj.find("space"); it != obj.end()) {
      if (*it == "log") log_space = true;
      else if (*it == "linear") log_space = false;
      else {
        ctx.error(child(pointer, "space"),
                  "expected \"log\" or \"linear\", got " + describe_value(*it));
        return std::nullopt;
      }
    }
    return parse_percentile_form(obj, pointer, ctx, scale, log_space);
  }
  if (kind == "mixture") {
    if (depth >= max_mixture_depth) {
      ctx.error(pointer, "mixtures may nest at most " + std::to_string(max_mixture_depth) +
                             " levels deep");
      return std::nullopt;
    }
    const auto comps = obj.find("components");
    auto weights = r.numbers("weights");
    if (comps == obj.end() || !comps->is_array() || comps->empty()) {
      ctx.error(pointer, "a mixture needs \"components\": a non-empty array of distributions");
      return std::nullopt;
    }
    if (!r.ok) return std::nullopt;
    if (weights->size() != comps->size()) {
      ctx.error(child(pointer, "weights"),
                "has " + std::to_string(weights->size()) + " entries but \"components\" has " +
                    std::to_string(comps->size()) + "; give one weight per component");
      return std::nullopt;
    }
    std::vector<Distribution> parts;
    bool all_ok = true;
    for (std::size_t i = 0; i < comps->size(); ++i) {
      auto part = parse_distribution((*comps)[i], child(child(pointer, "components"), i), ctx,
                                     scale, depth + 1);
      if (part) parts.push_back(std::move(*part));
      else all_ok = false;
    }
    if (!all_ok) return std::nullopt;
    return build(at, ctx, [&] { return Distribution::mixture(parts, *weights); });
  }
  return std::nullopt;  // unreachable: the caller checked the kind
}

}  // namespace

const std::vector<std::string_view>* distribution_kind_keys(std::string_view kind) {
  for (const auto& k : kind_keys()) {
    if (k.kind == kind) return &k.keys;
  }
  return nullptr;
}

const std::vector<std::string_view>& distribution_kind_names() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const auto& k : kind_keys()) out.push_back(k.kind);
    return out;
  }();
  return names;
}

// Long because: it tells the shorthand forms apart (a number, "value", "ci90", percentiles,
// "dist") in the order the documentation lists them, then applies "truncate" to any of them.
std::optional<Distribution> parse_distribution(const json& value, const std::string& pointer,
                                               const LoadContext& ctx, double scale, int depth) {
  if (value.is_number()) {
    auto x = scaled(value, pointer, ctx, scale);
    if (!x) return std::nullopt;
    return build(pointer, ctx, [&] { return Distribution::point(*x); });
  }
  if (!value.is_object()) {
    ctx.error(pointer, "expected a number or a distribution object, got " +
                           describe_value(value));
    return std::nullopt;
  }
  if (depth > 0 && value.contains("unit")) {
    // The parameter's unit converts every component alike; a component with another unit
    // would silently be read in the parameter's.
    ctx.error(child(pointer, "unit"), "a mixture component cannot have its own unit; give "
                                      "\"unit\" once, on the parameter");
    return std::nullopt;
  }

  // Which form is this? Exactly one of: "dist", "value", "ci90", percentile keys.
  const auto& meta_keys = keys_of("parameter_meta");
  std::vector<std::string_view> allowed(meta_keys.begin(), meta_keys.end());
  std::optional<Distribution> dist;
  const bool has_percentiles = [&] {
    for (const auto& item : value.items()) {
      if (percentile_key(item.key())) return true;
    }
    return false;
  }();

  if (const auto kind_it = value.find("dist"); kind_it != value.end()) {
    if (!kind_it->is_string()) {
      ctx.error(child(pointer, "dist"), "expected the name of a distribution, got " +
                                            describe_value(*kind_it));
      return std::nullopt;
    }
    const std::string kind = kind_it->get<std::string>();
    const KindKeys* entry = nullptr;
    for (const auto& k : kind_keys()) {
      if (k.kind == kind) entry = &k;
    }
    if (entry == nullptr) {
      std::vector<std::string> names;
      for (const auto& k : kind_keys()) names.emplace_back(k.kind);
      std::string message = "unknown distribution \"" + kind + "\"";
      if (auto s = closest_match(kind, names)) message += "; did you mean \"" + *s + "\"?";
      message += " Known forms:";
      for (std::size_t i = 0; i < names.size(); ++i) message += (i ? ", " : " ") + names[i];
      ctx.error(child(pointer, "dist"), message);
      return std::nullopt;
    }
    allowed.push_back("dist");
    allowed.insert(allowed.end(), entry->keys.begin(), entry->keys.end());
    if (kind == "percentiles") {
      for (const auto& item : value.items()) {
        if (percentile_key(item.key())) allowed.push_back(item.key());
      }
    }
    const std::size_t errors_before = ctx.diag->error_count();
    check_keys(value, pointer, ctx, allowed, "a " + kind + " distribution");
    if (ctx.diag->error_count() != errors_before) return std::nullopt;
    dist = parse_explicit(value, kind, pointer, ctx, scale, depth);
  } else if (value.contains("value")) {
    allowed.push_back("value");
    const std::size_t errors_before = ctx.diag->error_count();
    check_keys(value, pointer, ctx, allowed, "a point value");
    if (ctx.diag->error_count() != errors_before) return std::nullopt;
    auto x = scaled(value["value"], child(pointer, "value"), ctx, scale);
    if (!x) return std::nullopt;
    dist = build(child(pointer, "value"), ctx, [&] { return Distribution::point(*x); });
  } else if (value.contains("ci90")) {
    allowed.push_back("ci90");
    const std::size_t errors_before = ctx.diag->error_count();
    check_keys(value, pointer, ctx, allowed, "a 90% interval");
    if (ctx.diag->error_count() != errors_before) return std::nullopt;
    const auto& ci = value["ci90"];
    const std::string at = child(pointer, "ci90");
    if (!ci.is_array() || ci.size() != 2) {
      ctx.error(at, "expected [low, high], got " +
                        (ci.is_array() ? "an array of " + std::to_string(ci.size()) + " numbers"
                                       : describe_value(ci)));
      return std::nullopt;
    }
    auto lo = scaled(ci[0], child(at, 0), ctx, scale);
    auto hi = scaled(ci[1], child(at, 1), ctx, scale);
    if (!lo || !hi) return std::nullopt;
    if (*lo <= 0.0) {
      ctx.error(at, "\"ci90\" is a lognormal interval and needs 0 < low (got low=" +
                        number_text(*lo) + "); for quantities that can be zero or negative "
                        "use {\"dist\": \"normal\", \"p5\": low, \"p95\": high}");
      return std::nullopt;
    }
    if (!(*lo < *hi)) {
      ctx.error(at, "a 90% interval is [low, high] with low < high (got low=" +
                        number_text(*lo) + ", high=" + number_text(*hi) + ")");
      return std::nullopt;
    }
    dist = build(at, ctx, [&] { return Distribution::lognormal_from_interval(*lo, *hi, 0.90); });
  } else if (has_percentiles) {
    for (const auto& item : value.items()) {
      if (percentile_key(item.key())) allowed.push_back(item.key());
    }
    const std::size_t errors_before = ctx.diag->error_count();
    check_keys(value, pointer, ctx, allowed, "a percentile specification");
    if (ctx.diag->error_count() != errors_before) return std::nullopt;
    dist = parse_percentile_form(value, pointer, ctx, scale, true);
  } else {
    ctx.error(pointer,
              "cannot tell which distribution this is: give {\"value\": x}, {\"ci90\": [low, "
              "high]}, {\"p5\": a, \"p50\": m, \"p95\": b}, or {\"dist\": \"<kind>\", ...}");
    return std::nullopt;
  }
  if (!dist) return std::nullopt;

  if (const auto t = value.find("truncate"); t != value.end()) {
    const std::string at = child(pointer, "truncate");
    if (!t->is_array() || t->size() != 2) {
      ctx.error(at, "expected [low, high] (null for an open end), got " +
                        (t->is_array() ? "an array of " + std::to_string(t->size()) + " values"
                                       : describe_value(*t)));
      return std::nullopt;
    }
    double bounds[2] = {-HUGE_VAL, HUGE_VAL};
    for (std::size_t i = 0; i < 2; ++i) {
      if ((*t)[i].is_null()) continue;
      auto x = scaled((*t)[i], child(at, i), ctx, scale);
      if (!x) return std::nullopt;
      bounds[i] = *x;
    }
    if (dist->is_point()) {
      ctx.error(at, "a point value cannot be truncated");
      return std::nullopt;
    }
    try {
      dist = dist->truncated(bounds[0], bounds[1]);
    } catch (const DistributionError& e) {
      ctx.error(at, e.what());
      return std::nullopt;
    }
  }
  return dist;
}

std::optional<ParameterSpec> parse_parameter(const json& value, const std::string& pointer,
                                             const LoadContext& ctx, const ParameterInfo& info,
                                             std::string name) {
  double scale = 1.0;
  std::string source, note;
  if (value.is_object()) {
    if (const auto u = value.find("unit"); u != value.end()) {
      if (!u->is_string()) {
        ctx.error(child(pointer, "unit"), "expected a unit name, got " + describe_value(*u));
        return std::nullopt;
      }
      const std::string unit = u->get<std::string>();
      if (unit == info.unit) {
        scale = 1.0;
      } else if (info.unit_kind == UnitKind::duration_months && unit == "years") {
        scale = 12.0;
      } else if (info.unit_kind == UnitKind::duration_years && unit == "months") {
        scale = 1.0 / 12.0;
      } else {
        std::string expected = "\"" + std::string(info.unit) + "\"";
        if (info.unit_kind == UnitKind::duration_months) expected += " or \"years\"";
        if (info.unit_kind == UnitKind::duration_years) expected += " or \"months\"";
        ctx.error(child(pointer, "unit"),
                  "unit \"" + unit + "\" does not fit this parameter; expected " + expected);
        return std::nullopt;
      }
    }
    for (const char* key : {"source", "note"}) {
      if (const auto it = value.find(key); it != value.end()) {
        if (!it->is_string()) {
          ctx.error(child(pointer, key), "expected a string, got " + describe_value(*it));
          return std::nullopt;
        }
        (std::string(key) == "source" ? source : note) = it->get<std::string>();
      }
    }
  }
  auto dist = parse_distribution(value, pointer, ctx, scale, 0);
  if (!dist) return std::nullopt;

  if (!within_valid_range(*dist, info, pointer, ctx)) return std::nullopt;
  if (ctx.strict && source.empty()) {
    ctx.error(pointer, "parameter " + name +
                           " has no \"source\"; --strict requires a citation (or a source "
                           "such as \"judgement: <reason>\") for every parameter");
  }

  ParameterSpec spec;
  spec.name = std::move(name);
  spec.dist = std::move(*dist);
  spec.unit = std::string(info.unit);
  spec.source = std::move(source);
  spec.note = std::move(note);
  spec.description = std::string(info.description);
  spec.valid_min = info.min;
  spec.valid_max = info.max;
  const Located where = ctx.locate(pointer);
  spec.file = where.file;
  spec.pointer = where.detail.empty() ? where.pointer : where.pointer + " " + where.detail;
  spec.line = where.line;
  spec.spec = value;
  return spec;
}

}  // namespace gapcast::detail
