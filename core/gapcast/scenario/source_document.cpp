#include "gapcast/scenario/source_document.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "gapcast/util/sha256.hpp"

namespace gapcast {
namespace {

/// A structural limit exceeded at a byte offset of the text.
struct LimitProblem {
  std::size_t offset;
  std::string message;
};

/// One pass over the raw text, outside strings, before any parser runs: nesting depth,
/// members per array or object, and values in total. A file of a million '[' or a
/// million-element array is rejected here, with the position of the offending bracket, before
/// a parser recurses or allocates for it.
std::optional<LimitProblem> scan_limits(std::string_view text, const DocumentLimits& limits) {
  struct Open {
    std::size_t offset;
    std::size_t members;
    bool is_array;
  };
  std::vector<Open> stack;
  std::size_t values = 0;
  bool in_string = false, escaped = false, counted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c == ',' ) {
      counted = false;
      if (!stack.empty() && ++stack.back().members >= limits.max_array_length) {
        const Open& open = stack.back();
        return LimitProblem{open.offset, std::string(open.is_array ? "array" : "object") +
                                             " has more than " +
                                             std::to_string(limits.max_array_length) +
                                             (open.is_array ? " elements" : " members") +
                                             "; at most " +
                                             std::to_string(limits.max_array_length) +
                                             " are allowed"};
      }
      continue;
    }
    if (c == ']' || c == '}') {
      if (!stack.empty()) stack.pop_back();
      counted = true;
      continue;
    }
    if (c == ':') {
      counted = false;
      continue;
    }
    // The first character of a value (or of an object key, which is counted the same way:
    // both cost the loader one recorded location).
    if (!counted || c == '[' || c == '{') {
      if (++values > limits.max_values) {
        return LimitProblem{i, "the document has more than " +
                                   std::to_string(limits.max_values) +
                                   " values; scenario files may have at most that many"};
      }
      counted = c != '[' && c != '{';
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (stack.size() >= limits.max_depth) {
        return LimitProblem{i, "nesting is more than " + std::to_string(limits.max_depth) +
                                   " levels deep; at most " +
                                   std::to_string(limits.max_depth) + " are allowed"};
      }
      stack.push_back({i, 0, c == '['});
    }
  }
  return std::nullopt;
}

/// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 3,
/// column 7: " (or just "[json.exception.out_of_range.406] "); the position is reported
/// separately, so keep only the explanation. Bytes outside ASCII are shown as <0xNN>: the text
/// quoted back ("last read: ...") may be the very byte that is not valid UTF-8, and it must
/// not garble the terminal or the log it is printed to.
std::string parse_error_reason(const std::string& what) {
  std::string reason = what;
  if (reason.compare(0, 16, "[json.exception.") == 0) {
    const auto bracket = reason.find("] ");
    if (bracket != std::string::npos) reason = reason.substr(bracket + 2);
  }
  if (reason.compare(0, 14, "parse error at") == 0) {
    const auto colon = reason.find(": ");
    if (colon != std::string::npos) reason = reason.substr(colon + 2);
  }
  std::string clean;
  for (const char c : reason) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x80) {
      clean.push_back(c);
    } else {
      static const char* hex = "0123456789ABCDEF";
      clean += "<0x";
      clean.push_back(hex[byte >> 4]);
      clean.push_back(hex[byte & 0xF]);
      clean += ">";
    }
  }
  return clean;
}

/// nlohmann's DOM builder, except that a parse error records where it happened instead of
/// throwing. json::parse() throws out_of_range.406 for a number beyond double range (1e400)
/// without any position; through the SAX interface the position is available for every error.
class LocatingDomParser : public nlohmann::detail::json_sax_dom_parser<nlohmann::json> {
 public:
  explicit LocatingDomParser(nlohmann::json& result)
      : nlohmann::detail::json_sax_dom_parser<nlohmann::json>(result, false) {}

  bool parse_error(std::size_t position, const std::string& last_token,
                   const nlohmann::detail::exception& ex) {
    failed = true;
    error_position = position;
    error_token = last_token;
    reason = parse_error_reason(ex.what());
    overflow = ex.id == 406;
    return false;
  }

  bool failed = false, overflow = false;
  std::size_t error_position = 0;
  std::string error_token, reason;
};

struct ParseOutcome {
  std::optional<nlohmann::json> value;
  std::size_t offset = 0;  ///< of the error
  std::string reason;
};

ParseOutcome parse_with_position(std::string_view text) {
  ParseOutcome outcome;
  nlohmann::json result;
  LocatingDomParser sax(result);
  const bool ok = nlohmann::json::sax_parse(text, &sax);
  if (ok && !sax.failed) {
    outcome.value = std::move(result);
    return outcome;
  }
  // `error_position` counts the characters read, so it is one past the offending one; for an
  // overflowing number the whole literal has been read, and its first digit is the place.
  std::size_t offset = sax.error_position > 0 ? sax.error_position - 1 : 0;
  if (sax.overflow && sax.error_token.size() <= sax.error_position) {
    offset = sax.error_position - sax.error_token.size();
  }
  outcome.offset = std::min(offset, text.size());
  outcome.reason = sax.failed ? sax.reason : std::string("the text is not valid JSON");
  if (sax.overflow) {
    outcome.reason = "the number " + sax.error_token +
                     " is beyond the range of a double (about 1.8e308)";
  } else if (outcome.offset < text.size() &&
             (text[outcome.offset] == 'N' || text[outcome.offset] == 'I')) {
    outcome.reason += "; JSON has no NaN or Infinity: write a finite number";
  }
  return outcome;
}

}  // namespace

std::optional<SourceDocument> parse_json_text(std::string text, const std::string& display_name,
                                              Diagnostics& diagnostics,
                                              const DocumentLimits& limits) {
  if (text.size() > limits.max_bytes) {
    diagnostics.file_error(display_name, "file is " + std::to_string(text.size()) +
                                             " bytes; scenario files may be at most " +
                                             std::to_string(limits.max_bytes) + " bytes");
    return std::nullopt;
  }
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    diagnostics.file_error(display_name, "file is empty; expected a JSON object");
    return std::nullopt;
  }
  if (const auto problem = scan_limits(text, limits)) {
    const TextLocation where = location_of_offset(text, problem->offset);
    diagnostics.error_at(display_name, where.line, where.column, problem->message);
    return std::nullopt;
  }

  SourceDocument doc;
  doc.display_name = display_name;
  auto parsed = parse_with_position(text);
  if (!parsed.value) {
    const TextLocation where = location_of_offset(text, parsed.offset);
    diagnostics.error_at(display_name, where.line, where.column,
                         "invalid JSON: " + parsed.reason);
    return std::nullopt;
  }
  doc.json = std::move(*parsed.value);
  doc.text = std::move(text);
  doc.locator = std::make_shared<JsonLocator>(doc.text);
  doc.sha256 = sha256_hex(doc.text);

  const DocumentRef ref = doc.ref();
  for (const auto& dup : doc.locator->duplicate_keys()) {
    Diagnostic d;
    d.file = display_name;
    d.line = dup.second.line;
    d.column = dup.second.column;
    d.pointer = dup.pointer;
    d.message = "duplicate key (first defined at line " + std::to_string(dup.first.line) +
                ", column " + std::to_string(dup.first.column) +
                "); each key may appear once per object";
    diagnostics.add(std::move(d));
  }
  if (!doc.json.is_object()) {
    diagnostics.error(ref, "", std::string("the top level must be a JSON object, not ") +
                                   doc.json.type_name());
  }
  return doc;
}

std::optional<nlohmann::json> parse_json_value(const std::string& text,
                                               const std::string& display_name,
                                               const std::string& what,
                                               Diagnostics& diagnostics,
                                               const DocumentLimits& limits) {
  if (text.size() > limits.max_bytes) {
    diagnostics.file_error(display_name, what + ": the value is " + std::to_string(text.size()) +
                                             " bytes; at most " +
                                             std::to_string(limits.max_bytes) + " are allowed");
    return std::nullopt;
  }
  if (const auto problem = scan_limits(text, limits)) {
    diagnostics.file_error(display_name, what + ": at character " +
                                             std::to_string(problem->offset + 1) + ": " +
                                             problem->message);
    return std::nullopt;
  }
  auto parsed = parse_with_position(text);
  if (!parsed.value) {
    diagnostics.file_error(display_name, what + ": invalid JSON at character " +
                                             std::to_string(parsed.offset + 1) + ": " +
                                             parsed.reason);
    return std::nullopt;
  }
  // Duplicate keys are as ambiguous on the command line as in a file.
  const JsonLocator locator(text);
  if (!locator.duplicate_keys().empty()) {
    diagnostics.file_error(display_name, what + ": duplicate key " +
                                             locator.duplicate_keys().front().pointer +
                                             "; each key may appear once per object");
    return std::nullopt;
  }
  return std::move(parsed.value);
}

bool check_value_limits(const nlohmann::json& value, const std::string& display_name,
                        Diagnostics& diagnostics, const DocumentLimits& limits) {
  // Serialising is itself recursive, so the depth is checked on the value first, iteratively.
  std::vector<std::pair<const nlohmann::json*, std::size_t>> stack{{&value, 1}};
  while (!stack.empty()) {
    const auto [node, depth] = stack.back();
    stack.pop_back();
    if (!node->is_structured()) continue;
    if (depth > limits.max_depth) {
      diagnostics.file_error(display_name, "nesting is more than " +
                                               std::to_string(limits.max_depth) +
                                               " levels deep; at most " +
                                               std::to_string(limits.max_depth) +
                                               " are allowed");
      return false;
    }
    for (const auto& child : *node) stack.emplace_back(&child, depth + 1);
  }
  const std::string text = value.dump();
  if (text.size() > limits.max_bytes) {
    diagnostics.file_error(display_name, "the value is " + std::to_string(text.size()) +
                                             " bytes as JSON; at most " +
                                             std::to_string(limits.max_bytes) +
                                             " are allowed");
    return false;
  }
  if (const auto problem = scan_limits(text, limits)) {
    diagnostics.file_error(display_name, problem->message);
    return false;
  }
  return true;
}

std::optional<SourceDocument> read_json_file(const std::filesystem::path& path,
                                             const std::string& display_name,
                                             Diagnostics& diagnostics,
                                             const DocumentLimits& limits) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) {
    // A symbolic-link loop or a path through a file is not "not found": say what it is.
    const bool missing = !ec || ec == std::errc::no_such_file_or_directory;
    diagnostics.file_error(display_name,
                           missing ? "file not found" : "cannot be read: " + ec.message());
    return std::nullopt;
  }
  if (std::filesystem::is_directory(status)) {
    diagnostics.file_error(display_name, "is a directory; expected a JSON file");
    return std::nullopt;
  }
  if (!std::filesystem::is_regular_file(status)) {
    diagnostics.file_error(display_name, "is not a regular file; expected a JSON file");
    return std::nullopt;
  }
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > limits.max_bytes) {
    diagnostics.file_error(display_name, "file is " + std::to_string(size) +
                                             " bytes; scenario files may be at most " +
                                             std::to_string(limits.max_bytes) + " bytes");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diagnostics.file_error(display_name,
                           std::string("cannot be read: ") + std::strerror(errno));
    return std::nullopt;
  }
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) {
    diagnostics.file_error(display_name,
                           std::string("cannot be read: ") + std::strerror(errno));
    return std::nullopt;
  }
  auto doc = parse_json_text(buffer.str(), display_name, diagnostics, limits);
  if (doc) doc->path = std::filesystem::weakly_canonical(std::filesystem::absolute(path), ec);
  return doc;
}

SourceDocument document_from_json(nlohmann::json value, const std::string& display_name) {
  SourceDocument doc;
  doc.display_name = display_name;
  doc.text = value.dump();
  doc.json = std::move(value);
  doc.locator = nullptr;
  doc.sha256 = sha256_hex(doc.text);
  return doc;
}

}  // namespace gapcast
