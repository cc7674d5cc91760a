#pragma once
/// Plain-text summary tables for the terminal: the medians and 90% intervals an analyst reads
/// first, per scenario, at a few report months.
#include <string>
#include <vector>

#include "gapcast/run/results.hpp"

namespace gapcast {

/// Compact engineering notation: 1234567 -> "1.23M", 0.0123 -> "0.0123", 45.6 -> "45.6".
std::string format_compact(double value);

/// Report months for the tables: December of each year in `years` that lies in the run, else
/// (for an empty list) two years in, mid-range and the last output month.
std::vector<std::size_t> report_months(const Results& results, const std::vector<int>& years);

/// Levels per scenario: effective compute of both sides, gap ratio and gap in months.
std::string summary_table(const Results& results, const std::vector<std::size_t>& months);

/// Policy effects per scenario, paired against no controls and the baseline: denied compute,
/// added gap months, delay to the capability threshold, event probabilities.
std::string comparison_table(const Results& results, const std::vector<std::size_t>& months);

}  // namespace gapcast
