#pragma once
/// Numbers and fields as text in result files (JSON, CSV) and messages.
#include <string>

namespace gapcast {

/// Shortest text that reads back as the same double ("" for NaN and infinities, which result
/// files leave empty or write as null).
std::string format_number(double value);

/// A CSV field (RFC 4180): quoted, with inner quotes doubled, when it holds a comma, a quote
/// or a line break; as is otherwise.
std::string csv_field(const std::string& text);

}  // namespace gapcast
