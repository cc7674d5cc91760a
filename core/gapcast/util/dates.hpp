#pragma once
/// Calendar months. gapcast's clock counts months from the start month of a run: t = 0 is the
/// first day of the start month, t = 12 the first day of the same month a year later. Policy
/// dates and report dates are whole months written "YYYY-MM".
#include <optional>
#include <string>
#include <string_view>

namespace gapcast {

struct YearMonth {
  int year = 2026;
  int month = 1;  ///< 1..12

  friend auto operator<=>(const YearMonth&, const YearMonth&) = default;
};

/// Parses "YYYY-MM" (four-digit year 1900..2200, two-digit month 01..12). Returns nullopt and
/// sets `why` to a short reason on failure.
std::optional<YearMonth> parse_year_month(std::string_view text, std::string* why = nullptr);
/// "YYYY-MM".
std::string format_year_month(YearMonth ym);
/// Whole months from `from` to `to` (negative when `to` is earlier).
int months_between(YearMonth from, YearMonth to);
/// The month `months` after `start`.
YearMonth add_months(YearMonth start, int months);

}  // namespace gapcast
