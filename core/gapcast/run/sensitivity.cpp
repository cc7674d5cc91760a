#include "gapcast/run/sensitivity.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include <tbb/parallel_for.h>

#include "gapcast/metrics/metrics.hpp"
#include "gapcast/run/shard.hpp"
#include "gapcast/sensitivity/morris.hpp"
#include "gapcast/sensitivity/parameter_groups.hpp"
#include "gapcast/sensitivity/pawn.hpp"
#include "gapcast/sensitivity/saltelli_design.hpp"
#include "gapcast/sensitivity/sobol_indices.hpp"
#include "gapcast/util/build_info.hpp"
#include "gapcast/util/sha256.hpp"
#include "gapcast/util/suggest.hpp"

namespace gapcast {

namespace sa = gapcast::sensitivity;

const char* method_name(SensitivityMethod method) {
  switch (method) {
    case SensitivityMethod::sobol: return "sobol";
    case SensitivityMethod::morris: return "morris";
    case SensitivityMethod::pawn: return "pawn";
  }
  return "?";
}

SensitivityMethod parse_sensitivity_method(const std::string& text) {
  if (text == "sobol") return SensitivityMethod::sobol;
  if (text == "morris") return SensitivityMethod::morris;
  if (text == "pawn") return SensitivityMethod::pawn;
  throw RunOptionError(RunOptionError::Kind::value, "method",
                       "must be sobol, morris or pawn, got \"" + text + "\"");
}

const std::vector<std::string>& sensitivity_statistics(SensitivityMethod method) {
  static const std::vector<std::string> sobol{"S1", "S1_conf", "ST", "ST_conf"};
  static const std::vector<std::string> morris{"mu", "mu_star", "sigma", "mu_star_conf"};
  static const std::vector<std::string> pawn{"minimum", "mean", "median", "maximum", "cv"};
  switch (method) {
    case SensitivityMethod::sobol: return sobol;
    case SensitivityMethod::morris: return morris;
    case SensitivityMethod::pawn: return pawn;
  }
  return sobol;
}

namespace {

RunOptionError option_error(const std::string& option, const std::string& problem) {
  return RunOptionError(RunOptionError::Kind::value, option, problem);
}

/// Every run world's uncertain parameters (not a point mass), first world's order first.
std::vector<std::string> uncertain_parameters(const std::vector<Scenario>& scenarios) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& s : scenarios) {
    for (const auto& p : s.world->parameters) {
      if (!p.dist.is_point() && seen.insert(p.name).second) out.push_back(p.name);
    }
  }
  return out;
}

std::vector<std::string> chosen_factors(const std::vector<Scenario>& scenarios,
                                        const SensitivityOptions& options) {
  const auto uncertain = uncertain_parameters(scenarios);
  if (options.parameters.empty()) {
    if (uncertain.empty()) {
      throw option_error("parameters", "the scenarios' worlds have no uncertain parameter");
    }
    return uncertain;
  }
  std::set<std::string> seen;
  for (const auto& name : options.parameters) {
    if (std::find(uncertain.begin(), uncertain.end(), name) == uncertain.end()) {
      std::string problem = "\"" + name + "\" is not an uncertain parameter of the run's worlds";
      if (const auto close = closest_match(name, uncertain)) {
        problem += "; did you mean \"" + *close + "\"?";
      }
      throw option_error("parameters", problem);
    }
    if (!seen.insert(name).second) throw option_error("parameters", "\"" + name + "\" twice");
  }
  return options.parameters;
}

sa::ParameterGroups make_groups(const std::vector<std::string>& factors,
                                const SensitivityOptions& options) {
  try {
    if (options.groups.empty()) return sa::ParameterGroups::singletons(factors);
    // A factor no group names is a group of its own, after the named groups: naming only the
    // groups of interest is the common case.
    auto groups = options.groups;
    std::set<std::string> named;
    for (const auto& [name, members] : groups) named.insert(members.begin(), members.end());
    for (const auto& f : factors) {
      if (!named.contains(f)) groups.emplace_back(f, std::vector<std::string>{f});
    }
    return sa::ParameterGroups::from_members(factors, groups);
  } catch (const std::invalid_argument& e) {
    throw option_error("groups", e.what());
  }
}

void check_options(const SensitivityOptions& options, const RunOptions& run_options) {
  if (!run_options.observations.empty()) {
    throw option_error("observations", "a sensitivity analysis runs unconditioned: drop the "
                                       "observations");
  }
  if (run_options.central) throw option_error("central", "has no meaning in a sensitivity run");
  if (options.resamples == 1) throw option_error("resamples", "must be 0 (no intervals) or >= 2");
  if (!(options.confidence > 0.0 && options.confidence < 1.0)) {
    throw option_error("confidence", "must lie strictly between 0 and 1");
  }
  if (options.method == SensitivityMethod::sobol) {
    try {
      sa::require_power_of_two_base(options.samples);
    } catch (const std::invalid_argument& e) {
      throw option_error("samples", e.what());
    }
  } else if (options.samples < 2) {
    throw option_error("samples", "must be at least 2");
  }
  if (options.second_order && options.method != SensitivityMethod::sobol) {
    throw option_error("second_order", "is a Sobol' option (method sobol)");
  }
  if (options.method == SensitivityMethod::pawn &&
      (options.slices < 2 || options.slices > options.samples)) {
    throw option_error("slices", "must lie between 2 and the number of samples");
  }
}

/// The analysis keeps every evaluated row's outputs in memory (the estimators need them all):
/// refuse, before running, a size beyond the run's raw-output limit, with what to cut.
void check_memory(const std::vector<Scenario>& scenarios, const RunOptions& run_options,
                  std::size_t rows, std::size_t factors) {
  const auto months = ensemble_months(run_options, scenarios.front().world->start).size();
  const std::size_t metrics = run_options.ensemble_metrics.empty()
                                  ? default_ensemble_metrics().size()
                                  : run_options.ensemble_metrics.size();
  const std::size_t columns = metrics * months + detail::scalar_count + factors;
  const double bytes = 8.0 * static_cast<double>(rows) * static_cast<double>(columns) *
                       static_cast<double>(scenarios.size());
  if (bytes > static_cast<double>(run_options.raw_limit_bytes)) {
    throw option_error("samples",
                       "the analysis would hold " + std::to_string(rows) + " rows x " +
                           std::to_string(columns) + " values x " +
                           std::to_string(scenarios.size()) + " scenario(s) = " +
                           std::to_string(static_cast<long long>(bytes / 1048576.0)) +
                           " MiB in memory, above the limit of " +
                           std::to_string(run_options.raw_limit_bytes >> 20) +
                           " MiB (raw_limit_bytes): analyse fewer metrics or months, fewer "
                           "scenarios, or a smaller N");
  }
}

/// The design's points, shifted half a grid cell off 0 (scrambled Sobol' coordinates are
/// k 2^-52; the shift changes none of the design's balance and keeps quantile functions
/// finite) or, for Morris, to the centres of p equal-probability cells.
SampleDesign make_design(const sa::ParameterGroups& groups, const SensitivityOptions& options,
                         std::uint64_t seed) {
  SampleDesign design;
  design.parameters = groups.parameter_names();
  if (options.method == SensitivityMethod::sobol) {
    auto saltelli = sa::saltelli_design(
        groups, {options.samples, options.second_order, true, seed});
    design.rows = saltelli.layout.rows();
    design.points = std::move(saltelli.points);
    for (double& u : design.points) u += 0x1p-53;
  } else {
    auto morris = sa::morris_design(groups, {options.samples, options.levels, seed});
    design.rows = morris.rows();
    design.points = std::move(morris.points);
    const double p = options.levels;
    for (double& v : design.points) v = (v * (p - 1.0) + 0.5) / p;
  }
  return design;
}

/// Keeps a run's ensemble in memory: per scenario, per column, one value per row.
class MemorySink final : public EnsembleSink {
 public:
  explicit MemorySink(SensitivityRows& rows) : rows_(rows) {}
  void write(const EnsembleChunk& chunk) override {
    if (rows_.columns.empty()) rows_.columns = chunk.columns;
    for (std::size_t r = 0; r < chunk.rows(); ++r) {
      auto [it, added] = index_.try_emplace(chunk.scenario[r], rows_.scenarios.size());
      if (added) {
        rows_.scenarios.push_back(chunk.scenario[r]);
        rows_.values.emplace_back(rows_.columns.size());
      }
      auto& table = rows_.values[it->second];
      for (std::size_t c = 0; c < rows_.columns.size(); ++c) {
        table[c].push_back(chunk.values[c][r]);
      }
    }
  }

 private:
  SensitivityRows& rows_;
  std::map<std::string, std::size_t> index_;
};

/// Where a column or a scenario sits in evaluated rows.
std::size_t column_index(const SensitivityRows& rows, const std::string& name) {
  const auto it = std::find(rows.columns.begin(), rows.columns.end(), name);
  if (it == rows.columns.end()) throw std::logic_error("internal error: no column " + name);
  return static_cast<std::size_t>(it - rows.columns.begin());
}
std::size_t scenario_index(const SensitivityRows& rows, const std::string& name) {
  const auto it = std::find(rows.scenarios.begin(), rows.scenarios.end(), name);
  if (it == rows.scenarios.end()) throw std::logic_error("internal error: no scenario " + name);
  return static_cast<std::size_t>(it - rows.scenarios.begin());
}

/// Why an output cannot be analysed, or "" when it can.
std::string unusable(const std::vector<double>& y) {
  std::size_t nan = 0, inf = 0;
  for (double v : y) {
    nan += std::isnan(v) ? 1u : 0u;
    inf += std::isinf(v) ? 1u : 0u;
  }
  if (nan == y.size()) return "undefined in every sample (e.g. no baseline in the run)";
  if (nan > 0) return std::to_string(nan) + " of " + std::to_string(y.size()) + " values are undefined";
  if (inf > 0) {
    return std::to_string(inf) + " of " + std::to_string(y.size()) +
           " values are infinite (an event not reached by the horizon): analyse a month-indexed "
           "metric instead, or lengthen the horizon";
  }
  return "";
}

/// Units of quantities that span orders of magnitude (the figures draw them on log axes).
bool log_scale_unit(const std::string& unit) {
  static const std::set<std::string> units{"eff. H100e", "H100e", "H100e (bandwidth)", "x",
                                           "packages/yr", "H100e/yr", "GW"};
  return units.contains(unit);
}

/// The unit of an output ("metric@YYYY-MM" or a scalar metric's name).
std::string output_unit(const Results& results, const std::string& output) {
  const std::string metric = output.substr(0, output.find('@'));
  for (const auto& m : results.metrics) {
    if (m.name == metric) return m.unit;
  }
  for (const auto& m : results.scalar_metrics) {
    if (m.name == metric) return m.unit;
  }
  return "";
}

void analyse_one(const SensitivityOptions& options, const sa::ParameterGroups& groups,
                 const SampleDesign* design, const std::vector<double>& x,
                 std::uint64_t seed, const sa::SobolBootstrap* bootstrap,
                 std::vector<double> y, SensitivityIndices& out) {
  const std::size_t g = groups.group_count();
  const auto nan = std::numeric_limits<double>::quiet_NaN();
  const std::size_t n_stats = sensitivity_statistics(options.method).size();
  out.values.assign(n_stats, std::vector<double>(g, nan));
  if (const auto why = unusable(y); !why.empty()) {
    out.defined = false;
    out.note = why;
    return;
  }
  if (out.transform == "log10") {
    if (std::all_of(y.begin(), y.end(), [](double v) { return v > 0.0; })) {
      for (double& v : y) v = std::log10(v);
    } else {
      out.transform = "none";  // a level that reaches zero or below: analysed as it is
    }
  }
  switch (options.method) {
    case SensitivityMethod::sobol: {
      const auto s = sa::sobol_indices(
          g, y, {options.second_order, options.resamples, options.confidence, seed}, bootstrap);
      if (!s.defined) {
        out.defined = false;
        out.note = "constant in every sample";
        return;
      }
      out.values = {s.S1, s.S1_conf, s.ST, s.ST_conf};
      out.second_order = s.S2;
      out.second_order_conf = s.S2_conf;
      break;
    }
    case SensitivityMethod::morris: {
      const auto m = sa::morris_indices(groups, design->points, y,
                                        {options.levels, options.resamples, options.confidence,
                                         seed});
      out.values = {m.mu, m.mu_star, m.sigma, m.mu_star_conf};
      break;
    }
    case SensitivityMethod::pawn: {
      const auto p = sa::pawn_indices(groups, x, y, options.slices);
      out.values = {p.minimum, p.mean, p.median, p.maximum, p.cv};
      break;
    }
  }
}

/// Warnings a reader of the indices needs: correlations the design ignored, Sobol' indices
/// negative beyond their interval, intervals wider than the target (with the N to reach it).
void collect_warnings(const std::vector<Scenario>& scenarios, SensitivityResults& r) {
  if (r.options.method != SensitivityMethod::pawn) {
    for (const auto& s : scenarios) {
      if (s.world->correlation) {
        r.warnings.push_back(
            std::string("the world \"") + s.world->name +
            "\" correlates some parameters; the " + method_name(r.options.method) +
            " design samples every marginal independently, so these indices describe the "
            "uncorrelated model. PAWN (method pawn) uses the correlated sample.");
        break;
      }
    }
  }
  if (r.options.method != SensitivityMethod::sobol || r.options.resamples == 0) return;
  std::size_t negative = 0, wide = 0, suggested = r.options.samples;
  for (const auto& ix : r.indices) {
    if (!ix.defined) continue;
    sa::SobolIndices s;
    s.groups = r.groups.size();
    s.base_samples = r.options.samples;
    s.S1 = ix.values[0];
    s.S1_conf = ix.values[1];
    s.ST = ix.values[2];
    s.ST_conf = ix.values[3];
    for (const auto& check : sa::check_indices(s)) {
      negative += check.negative ? 1u : 0u;
      wide += check.wide ? 1u : 0u;
      suggested = std::max(suggested, check.suggested_base_samples);
    }
  }
  if (negative > 0) {
    r.warnings.push_back(std::to_string(negative) +
                         " indices are negative beyond their interval: the estimator struggles "
                         "at this N for those outputs");
  }
  if (wide > 0) {
    constexpr std::size_t most = std::size_t{1} << 20;
    r.warnings.push_back(std::to_string(wide) + " intervals are wider than +-" +
                         std::to_string(sa::kTargetHalfWidth).substr(0, 4) + "; " +
                         (suggested > most ? std::string("more than 1048576")
                                           : "about " + std::to_string(suggested)) +
                         " base samples would narrow them all to that");
  }
}


/// Everything the analysis fixes before the engine runs: the factors and groups, the design,
/// and the engine's options (samples = model evaluations).
struct Prepared {
  std::vector<std::string> parameters;
  sa::ParameterGroups groups;
  std::optional<SampleDesign> design;
  RunOptions engine;
};

Prepared prepare(const std::vector<Scenario>& scenarios, const RunOptions& run_options,
                 const SensitivityOptions& options) {
  check_options(options, run_options);
  auto parameters = chosen_factors(scenarios, options);
  auto groups = make_groups(parameters, options);
  Prepared p{std::move(parameters), std::move(groups), std::nullopt, run_options};
  p.engine.ensemble = true;
  p.engine.keep_raw = false;
  if (options.method == SensitivityMethod::pawn) {
    p.engine.samples = options.samples;
  } else {
    p.design = make_design(p.groups, options, run_options.seed);
    p.engine.samples = p.design->rows;
  }
  check_memory(scenarios, run_options, static_cast<std::size_t>(p.engine.samples),
               p.parameters.size());
  return p;
}

/// Runs the engine over rows `range` (all of them without one) into memory. `described`
/// receives the engine's Results (its description: scenarios, assumptions, options).
SensitivityRows evaluate(const std::vector<Scenario>& scenarios, const Prepared& p,
                         std::shared_ptr<const Policy> baseline, std::optional<SampleRange> range,
                         const RunContext& context, Results* described) {
  SensitivityRows rows;
  MemorySink sink(rows);
  RunContext inner = context;
  inner.ensemble = &sink;
  inner.design = p.design ? &*p.design : nullptr;
  inner.ensemble_only = true;
  auto partial = detail::run_range(scenarios, p.engine, std::move(baseline), range, inner);
  rows.range = range.value_or(SampleRange{0, p.engine.samples});
  rows.solver_steps = partial.results.info.solver_steps;
  if (described != nullptr) *described = std::move(partial.results);
  return rows;
}

// Long because: it is the analysis in order (per-output estimates over the evaluated rows,
// warnings, kept values); each step is one call and splitting it would only pass the same
// dozen locals around.
SensitivityResults analyse(const std::vector<Scenario>& scenarios, const RunOptions& run_options,
                           const SensitivityOptions& options, const Prepared& p,
                           const Results& engine_results, const SensitivityRows& rows,
                           bool keep_values) {
  SensitivityResults r;
  r.options = options;
  r.parameters = p.parameters;
  const auto& groups = p.groups;
  r.groups = groups.group_names();
  for (std::size_t k = 0; k < r.parameters.size(); ++k) r.group_of.push_back(groups.group_of(k));
  r.statistics = sensitivity_statistics(options.method);
  const RunOptions& engine = p.engine;
  const auto* design = p.design ? &*p.design : nullptr;
  r.run_options = engine;
  r.run_info = engine_results.info;
  r.assumptions_json = engine_results.assumptions_json;
  r.evaluations = static_cast<std::size_t>(engine.samples);
  for (const auto& s : engine_results.scenarios) r.scenarios.push_back(s.name);
  r.scenario_info = engine_results.scenarios;
  for (const auto& c : rows.columns) {
    if (c.rfind("world.", 0) != 0) r.outputs.push_back(c);
  }

  // PAWN reads the drawn factors themselves (the correlated sample), row-major.
  std::vector<std::vector<double>> x(r.scenarios.size());
  if (options.method == SensitivityMethod::pawn) {
    for (std::size_t s = 0; s < r.scenarios.size(); ++s) {
      const auto& table = rows.values[scenario_index(rows, r.scenarios[s])];
      x[s].resize(engine.samples * r.parameters.size());
      for (std::size_t k = 0; k < r.parameters.size(); ++k) {
        const auto& col = table[column_index(rows, "world." + r.parameters[k])];
        for (std::size_t i = 0; i < col.size(); ++i) x[s][i * r.parameters.size() + k] = col[i];
      }
    }
  }
  // One set of bootstrap resamples for every output: each output's intervals are then a
  // matrix product, and outputs are resampled alike (their intervals are comparable).
  std::optional<sa::SobolBootstrap> bootstrap;
  if (options.method == SensitivityMethod::sobol && options.resamples > 0) {
    bootstrap.emplace(options.samples, options.resamples, run_options.seed);
  }
  r.indices.resize(r.scenarios.size() * r.outputs.size());
  tbb::parallel_for(std::size_t{0}, r.indices.size(), [&](std::size_t i) {
    const std::size_t s = i / r.outputs.size(), o = i % r.outputs.size();
    auto& out = r.indices[i];
    out.scenario = r.scenarios[s];
    out.output = r.outputs[o];
    out.transform = log_scale_unit(output_unit(engine_results, out.output)) ? "log10" : "none";
    const auto& y = rows.values[scenario_index(rows, out.scenario)][column_index(rows, out.output)];
    analyse_one(options, groups, design, x[s], run_options.seed,
                bootstrap ? &*bootstrap : nullptr, y, out);
  });
  collect_warnings(scenarios, r);
  if (keep_values) {
    for (std::size_t s = 0; s < r.scenarios.size(); ++s) {
      r.inputs.push_back(design ? design->points : x[s]);
      auto& per_output = r.values.emplace_back();
      for (const auto& output : r.outputs) {
        per_output.push_back(rows.values[scenario_index(rows, r.scenarios[s])]
                                        [column_index(rows, output)]);
      }
    }
  }
  return r;
}

/// The pieces joined in row order; std::invalid_argument naming overlaps, gaps or pieces of
/// another analysis.
SensitivityRows join(std::vector<SensitivityRows> pieces, std::uint64_t evaluations,
                     const std::string& fingerprint) {
  if (pieces.empty()) throw std::invalid_argument("no evaluated rows to analyse");
  std::sort(pieces.begin(), pieces.end(), [](const SensitivityRows& a, const SensitivityRows& b) {
    return a.range.begin < b.range.begin;
  });
  SensitivityRows all = std::move(pieces.front());
  if (all.range.begin != 0) {
    throw std::invalid_argument("rows 0 to " + std::to_string(all.range.begin) +
                                " were not evaluated");
  }
  for (std::size_t k = 0; k < pieces.size(); ++k) {
    const SensitivityRows& piece = k == 0 ? all : pieces[k];
    if (piece.fingerprint != fingerprint) {
      throw std::invalid_argument("rows " + describe_range(piece.range) +
                                  " were evaluated for a different analysis (other options, "
                                  "scenarios or engine)");
    }
    if (k == 0) continue;
    if (piece.range.begin != all.range.end) {
      throw std::invalid_argument(
          piece.range.begin < all.range.end
              ? "rows " + describe_range(piece.range) + " overlap rows evaluated before"
              : "rows " + std::to_string(all.range.end) + " to " +
                    std::to_string(piece.range.begin) + " were not evaluated");
    }
    if (piece.columns != all.columns || piece.scenarios != all.scenarios) {
      throw std::invalid_argument("rows " + describe_range(piece.range) +
                                  " hold other columns or scenarios");
    }
    for (std::size_t s = 0; s < all.values.size(); ++s) {
      for (std::size_t c = 0; c < all.columns.size(); ++c) {
        auto& into = all.values[s][c];
        into.insert(into.end(), piece.values[s][c].begin(), piece.values[s][c].end());
      }
    }
    all.range.end = piece.range.end;
    all.solver_steps += piece.solver_steps;
  }
  if (all.range.end != evaluations) {
    throw std::invalid_argument("rows " + std::to_string(all.range.end) + " to " +
                                std::to_string(evaluations) + " were not evaluated");
  }
  return all;
}

}  // namespace

std::uint64_t sensitivity_evaluations(const std::vector<Scenario>& scenarios,
                                      const RunOptions& run_options,
                                      const SensitivityOptions& options) {
  return prepare(scenarios, run_options, options).engine.samples;
}

namespace {

/// The analysis options as text, every member, for the fingerprint.
std::string options_text(const SensitivityOptions& o) {
  char confidence[64];
  std::snprintf(confidence, sizeof confidence, "%a", o.confidence);
  std::string text = std::string(method_name(o.method)) + " " + std::to_string(o.samples) +
                     (o.second_order ? " second" : " first") + " " + std::to_string(o.levels) +
                     " " + std::to_string(o.slices) + " " + std::to_string(o.resamples) + " " +
                     confidence + " [";
  for (const auto& name : o.parameters) text += name + ",";
  text += "] [";
  for (const auto& [group, members] : o.groups) {
    text += group + "=";
    for (const auto& name : members) text += name + ",";
    text += ";";
  }
  return text + "]";
}

}  // namespace

std::string sensitivity_fingerprint(const std::vector<Scenario>& scenarios,
                                    const RunOptions& run_options,
                                    const SensitivityOptions& options,
                                    const std::shared_ptr<const Policy>& baseline) {
  const Prepared p = prepare(scenarios, run_options, options);
  auto engine = to_json(p.engine);
  engine.erase("threads");
  engine.erase("wave_size");
  std::string text = std::string(engine_version()) + "\n" + std::string(engine_git_commit()) +
                     "\n" + engine.dump() + "\n" + options_text(options) + "\n";
  for (const auto& s : scenarios) text += s.fingerprint + "\n";
  text += baseline ? baseline->fingerprint : std::string("-");
  return sha256_hex(text);
}

SensitivityRows evaluate_sensitivity_rows(const std::vector<Scenario>& scenarios,
                                          const RunOptions& run_options,
                                          const SensitivityOptions& options,
                                          std::shared_ptr<const Policy> baseline,
                                          SampleRange range, const RunContext& context) {
  const Prepared p = prepare(scenarios, run_options, options);
  if (range.begin >= range.end || range.end > p.engine.samples) {
    throw option_error("shard", "must be a non-empty range of the analysis's " +
                                    std::to_string(p.engine.samples) + " evaluations, got " +
                                    describe_range(range));
  }
  const auto fingerprint = sensitivity_fingerprint(scenarios, run_options, options, baseline);
  SensitivityRows rows = evaluate(scenarios, p, std::move(baseline), range, context, nullptr);
  rows.fingerprint = fingerprint;
  return rows;
}

SensitivityResults analyse_sensitivity_rows(const std::vector<Scenario>& scenarios,
                                            const RunOptions& run_options,
                                            const SensitivityOptions& options,
                                            std::shared_ptr<const Policy> baseline,
                                            std::vector<SensitivityRows> pieces,
                                            bool keep_values) {
  const Prepared p = prepare(scenarios, run_options, options);
  const auto fingerprint = sensitivity_fingerprint(scenarios, run_options, options, baseline);
  const SensitivityRows rows = join(std::move(pieces), p.engine.samples, fingerprint);
  auto described = detail::run_range(scenarios, p.engine, std::move(baseline),
                                     SampleRange{0, 0}, {});
  described.results.info.solver_steps = rows.solver_steps;
  return analyse(scenarios, run_options, options, p, described.results, rows, keep_values);
}

SensitivityResults run_sensitivity(const std::vector<Scenario>& scenarios,
                                   const RunOptions& run_options,
                                   const SensitivityOptions& options,
                                   std::shared_ptr<const Policy> baseline,
                                   const RunContext& context, bool keep_values) {
  const Prepared p = prepare(scenarios, run_options, options);
  Results engine_results;
  const SensitivityRows rows =
      evaluate(scenarios, p, std::move(baseline), std::nullopt, context, &engine_results);
  return analyse(scenarios, run_options, options, p, engine_results, rows, keep_values);
}

}  // namespace gapcast
