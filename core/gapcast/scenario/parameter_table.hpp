#pragma once
/// Every parameter of a world, as rows an analyst can read: distribution, central value and
/// 90% interval, unit, source. The assumptions appendix of reports and docs/parameters.md are
/// built from these rows, so they always describe exactly what the engine samples.
#include <string>
#include <vector>

#include "gapcast/scenario/scenario.hpp"

namespace gapcast {

struct ParameterRow {
  std::string name;          ///< e.g. "densing_doubling_months", "chips.h20.tpp"
  std::string group;         ///< "world", "chip <class>", "line <name>"
  std::string unit;
  std::string distribution;  ///< Distribution::describe()
  bool fixed = false;        ///< a point value
  double median = 0.0, p5 = 0.0, p95 = 0.0, mean = 0.0;
  std::string description, source, note;
  std::string file, pointer;  ///< where it was defined
  std::size_t line = 0;
};

std::vector<ParameterRow> parameter_rows(const World& world);

/// Markdown table (one section per group), CSV, and JSON renderings of the rows.
std::string parameter_table_markdown(const World& world);
std::string parameter_table_csv(const World& world);
std::string parameter_table_json(const World& world);

}  // namespace gapcast
