#pragma once
/// Line and column for JSON Pointers in a scenario file's text.
///
/// nlohmann/json (3.11 in Debian) reports positions only for syntax errors. Semantic errors
/// ("/world/parameters/x/p5: must be positive") need the line and column of the offending value,
/// so the loader scans the text once more with this small, non-recursive scanner and records
/// where every value and every object key starts. The scanner also notices duplicate keys,
/// which nlohmann silently resolves by keeping the last one.
///
/// The text must already have been accepted by nlohmann::json::parse; on anything else the
/// scanner stops early and simply knows fewer locations (it never throws or reads out of bounds).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace gapcast {

struct TextLocation {
  std::size_t line = 0;    ///< 1-based
  std::size_t column = 0;  ///< 1-based, counted in Unicode code points (UTF-8 aware)
  std::size_t offset = 0;  ///< 0-based byte offset
};

/// Line/column of a byte offset in `text`.
TextLocation location_of_offset(std::string_view text, std::size_t offset);

/// RFC 6901 escaping of one reference token: "~" -> "~0", "/" -> "~1".
std::string escape_pointer_token(std::string_view token);

class JsonLocator {
 public:
  struct DuplicateKey {
    std::string pointer;  ///< pointer of the member that appears twice
    TextLocation first, second;
  };

  JsonLocator() = default;
  explicit JsonLocator(std::string_view text);

  /// Where the value at `pointer` starts ("" is the root).
  [[nodiscard]] std::optional<TextLocation> value(std::string_view pointer) const;
  /// Where the key of the object member at `pointer` starts (the opening quote).
  [[nodiscard]] std::optional<TextLocation> key(std::string_view pointer) const;
  /// The location of `pointer` if known, else of its nearest known ancestor, else line 1 col 1.
  [[nodiscard]] TextLocation nearest(std::string_view pointer) const;
  [[nodiscard]] const std::vector<DuplicateKey>& duplicate_keys() const { return duplicates_; }
  /// Deepest nesting of arrays/objects seen (the root container is depth 1).
  [[nodiscard]] std::size_t max_depth() const { return max_depth_; }

 private:
  std::unordered_map<std::string, TextLocation> values_, keys_;
  std::vector<DuplicateKey> duplicates_;
  std::size_t max_depth_ = 0;
};

}  // namespace gapcast
