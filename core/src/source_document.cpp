#include "gapcast/source_document.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "gapcast/sha256.hpp"

namespace gapcast {
namespace {

/// Deepest bracket nesting outside strings, found without building anything, so that a file of
/// a million '[' is rejected before any parser recurses or allocates for it.
std::pair<std::size_t, std::size_t> nesting_depth(const std::string& text) {
  std::size_t depth = 0, deepest = 0, deepest_offset = 0;
  bool in_string = false, escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > deepest) {
        deepest = depth;
        deepest_offset = i;
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return {deepest, deepest_offset};
}

/// nlohmann's messages start with "[json.exception.parse_error.101] parse error at line 3,
/// column 7: "; the position is reported separately, so keep only the explanation.
std::string parse_error_reason(const std::string& what) {
  const auto colon = what.find(": ");
  std::string reason = colon == std::string::npos ? what : what.substr(colon + 2);
  return reason;
}

/// Longest array in a parsed document, to keep huge arrays out of the engine.
void check_arrays(const nlohmann::json& j, const std::string& pointer, const DocumentRef& doc,
                  const DocumentLimits& limits, Diagnostics& diagnostics) {
  if (j.is_array()) {
    if (j.size() > limits.max_array_length) {
      diagnostics.error(doc, pointer,
                        "array has " + std::to_string(j.size()) + " elements; at most " +
                            std::to_string(limits.max_array_length) + " are allowed");
      return;
    }
    for (std::size_t i = 0; i < j.size(); ++i) {
      check_arrays(j[i], pointer + "/" + std::to_string(i), doc, limits, diagnostics);
    }
  } else if (j.is_object()) {
    for (const auto& [key, value] : j.items()) {
      check_arrays(value, pointer + "/" + escape_pointer_token(key), doc, limits, diagnostics);
    }
  }
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
  const auto [depth, depth_offset] = nesting_depth(text);
  if (depth > limits.max_depth) {
    const TextLocation where = location_of_offset(text, depth_offset);
    diagnostics.error_at(display_name, where.line, where.column,
                         "nesting is " + std::to_string(depth) + " levels deep; at most " +
                             std::to_string(limits.max_depth) + " are allowed");
    return std::nullopt;
  }

  SourceDocument doc;
  doc.display_name = display_name;
  try {
    doc.json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is the 1-based index of the last character read.
    const std::size_t offset = e.byte > 0 ? e.byte - 1 : 0;
    const TextLocation where = location_of_offset(text, std::min(offset, text.size()));
    diagnostics.error_at(display_name, where.line, where.column,
                         "invalid JSON: " + parse_error_reason(e.what()));
    return std::nullopt;
  } catch (const nlohmann::json::exception& e) {
    // out_of_range.406 (number overflow such as 1e400) and friends carry no position.
    diagnostics.file_error(display_name, "invalid JSON: " + parse_error_reason(e.what()));
    return std::nullopt;
  }
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
  check_arrays(doc.json, "", ref, limits, diagnostics);
  return doc;
}

std::optional<SourceDocument> read_json_file(const std::filesystem::path& path,
                                             const std::string& display_name,
                                             Diagnostics& diagnostics,
                                             const DocumentLimits& limits) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    diagnostics.file_error(display_name, "file not found");
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
