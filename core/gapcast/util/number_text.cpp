#include "gapcast/util/number_text.hpp"

#include <charconv>
#include <cmath>

namespace gapcast {

std::string format_number(double value) {
  if (!std::isfinite(value)) return "";
  char buffer[64];
  const auto r = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, r.ptr);
}

}  // namespace gapcast
