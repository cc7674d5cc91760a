#include "gapcast/util/dates.hpp"

#include <charconv>
#include <cstdio>

namespace gapcast {

std::optional<YearMonth> parse_year_month(std::string_view text, std::string* why) {
  auto fail = [why](const char* reason) -> std::optional<YearMonth> {
    if (why != nullptr) *why = reason;
    return std::nullopt;
  };
  if (text.size() != 7 || text[4] != '-') return fail("expected a month written YYYY-MM");
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u}) {
    if (text[i] < '0' || text[i] > '9') return fail("expected a month written YYYY-MM");
  }
  int year = 0, month = 0;
  std::from_chars(text.data(), text.data() + 4, year);
  std::from_chars(text.data() + 5, text.data() + 7, month);
  if (month < 1 || month > 12) return fail("month must be between 01 and 12");
  if (year < 1900 || year > 2200) return fail("year must be between 1900 and 2200");
  return YearMonth{year, month};
}

std::string format_year_month(YearMonth ym) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d", ym.year, ym.month);
  return buffer;
}

int months_between(YearMonth from, YearMonth to) {
  return (to.year - from.year) * 12 + (to.month - from.month);
}

YearMonth add_months(YearMonth start, int months) {
  const int index = start.year * 12 + (start.month - 1) + months;
  // Floor division keeps negative offsets correct.
  const int year = index >= 0 ? index / 12 : -((-index + 11) / 12);
  return YearMonth{year, index - year * 12 + 1};
}

}  // namespace gapcast
