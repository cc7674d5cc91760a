#pragma once
/// Observations that condition a run (docs/conditioning.md): what has been seen since the
/// world's start month, each with a likelihood. Every sample is weighted by the product of its
/// likelihoods, and every summary of the run becomes an importance-weighted summary.
///
/// An observation reads one time-series metric at one month from one scenario's run (the
/// world as it unfolded under that scenario's policy; by default the run's baseline scenario).
/// Three forms:
///   normal     {"value": v, "sd": s}       likelihood exp(-((x - v) / s)^2 / 2)
///   lognormal  {"value": v, "sigma": s}    likelihood exp(-((ln x - ln v) / s)^2 / 2), 0 at x <= 0
///   between    [low, high]                 1 inside, 0 outside: rejection
/// Likelihoods are relative to their peak (1 at x = v), so weights lie in [0, 1] and do not
/// depend on the sample count: a sample's weight is the same in any run (prefix-stable).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gapcast/scenario/diagnostics.hpp"
#include "gapcast/scenario/source_document.hpp"
#include "gapcast/util/dates.hpp"

namespace gapcast {

struct Observation {
  enum class Form { normal, lognormal, between };
  std::string name;
  std::string metric;    ///< a time-series metric of the catalogue
  YearMonth date;
  std::string scenario;  ///< "" = the run's observed scenario (see observed_scenario_index)
  Form form = Form::normal;
  double value = 0.0, spread = 0.0;  ///< normal: value, sd; lognormal: value, sigma
  double low = 0.0, high = 0.0;      ///< between
  std::string source, note;

  friend bool operator==(const Observation&, const Observation&) = default;

  /// This observation's likelihood of a sample whose metric took the value x, in [0, 1]. A
  /// non-finite x (an event beyond the horizon) has likelihood 0.
  [[nodiscard]] double likelihood(double x) const;
  /// "lognormal around 1.2e+06 (sigma 0.3)", "between 600000 and 1.2e+06": for tables.
  [[nodiscard]] std::string describe() const;
};

/// The JSON form of one observation (the file's array items and the run options' form).
nlohmann::ordered_json to_json(const Observation& observation);

/// Reads an array of observations at `pointer` of `doc` (the "observations" member of a file,
/// or the run options' "observations"), reporting every problem, located, to `diagnostics`:
/// unknown members, a missing or unknown metric (with the valid names), a malformed date, not
/// exactly one form, a non-positive spread, bounds out of order, duplicate names.
std::vector<Observation> parse_observations(const nlohmann::json& array, const DocumentRef& doc,
                                            const std::string& pointer,
                                            Diagnostics& diagnostics);

/// Reads an observations file ({"kind": "observations", "observations": [...]}). Throws
/// InputError with every problem, located by line and column.
std::vector<Observation> load_observations(const std::string& path,
                                           const DocumentLimits& limits = {});

}  // namespace gapcast
