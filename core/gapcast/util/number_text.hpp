#pragma once
/// Numbers as text in result files and messages.
#include <string>

namespace gapcast {

/// Shortest text that reads back as the same double ("" for NaN and infinities, which result
/// files leave empty or write as null).
std::string format_number(double value);

}  // namespace gapcast
