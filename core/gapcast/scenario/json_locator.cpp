#include "gapcast/scenario/json_locator.hpp"

#include <cstdint>
#include <utility>

namespace gapcast {

namespace {

// Values nested deeper than this are scanned (for max_depth) but not recorded. Every recorded
// value stores its full pointer, so a document nested d levels deep costs O(d^2) bytes of
// pointers; a cap keeps a pathological "[[[[..." input from exhausting memory. Real scenario
// files are a handful of levels deep, so nothing they contain is ever skipped.
constexpr std::size_t kMaxRecordedDepth = 512;

bool is_continuation_byte(unsigned char c) { return (c & 0xC0U) == 0x80U; }

bool is_json_whitespace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Byte cursor that keeps the line and column of its position up to date, so the scanner never
// has to rescan the text to turn an offset into a location.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {
    // nlohmann accepts (and skips) a UTF-8 byte-order mark; editors do not display it, so it
    // must not take up a column either.
    if (text_.size() >= 3 && static_cast<unsigned char>(text_[0]) == 0xEF &&
        static_cast<unsigned char>(text_[1]) == 0xBB &&
        static_cast<unsigned char>(text_[2]) == 0xBF) {
      pos_ = 3;
    }
  }

  [[nodiscard]] bool at_end() const { return pos_ >= text_.size(); }
  [[nodiscard]] char peek() const { return text_[pos_]; }  // only when !at_end()
  [[nodiscard]] std::size_t pos() const { return pos_; }
  [[nodiscard]] TextLocation location() const { return {line_, column_, pos_}; }

  void advance() {
    const auto c = static_cast<unsigned char>(text_[pos_]);
    ++pos_;
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if (!is_continuation_byte(c)) {
      // A column is one code point: only the lead byte of a multibyte sequence counts. A '\r'
      // of a "\r\n" pair does count here, but the '\n' resets the column straight after, so
      // "\r\n" ends up as a single line break.
      ++column_;
    }
  }

  void skip_whitespace() {
    while (!at_end() && is_json_whitespace(peek())) advance();
  }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t line_ = 1;
  std::size_t column_ = 1;
};

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Reads four hex digits after "\u"; the cursor is on the first digit.
bool read_hex4(Cursor& cur, std::uint32_t& out) {
  out = 0;
  for (int i = 0; i < 4; ++i) {
    if (cur.at_end()) return false;
    const int d = hex_digit(cur.peek());
    if (d < 0) return false;
    out = out * 16 + static_cast<std::uint32_t>(d);
    cur.advance();
  }
  return true;
}

// Scans a string whose opening quote is under the cursor, leaving the cursor after the closing
// quote. With `decoded` non-null the JSON escapes are resolved into it (needed for keys, whose
// pointer tokens are the unescaped text). Returns false on truncated or malformed input.
bool scan_string(Cursor& cur, std::string* decoded) {
  cur.advance();  // opening quote
  while (!cur.at_end()) {
    const char c = cur.peek();
    if (c == '"') {
      cur.advance();
      return true;
    }
    if (c != '\\') {
      if (decoded != nullptr) decoded->push_back(c);
      cur.advance();
      continue;
    }
    cur.advance();  // backslash
    if (cur.at_end()) return false;
    const char e = cur.peek();
    cur.advance();
    if (decoded == nullptr) {
      continue;  // only skipping: the escaped character cannot end the string, whatever it is
    }
    switch (e) {
      case '"': decoded->push_back('"'); break;
      case '\\': decoded->push_back('\\'); break;
      case '/': decoded->push_back('/'); break;
      case 'b': decoded->push_back('\b'); break;
      case 'f': decoded->push_back('\f'); break;
      case 'n': decoded->push_back('\n'); break;
      case 'r': decoded->push_back('\r'); break;
      case 't': decoded->push_back('\t'); break;
      case 'u': {
        std::uint32_t cp = 0;
        if (!read_hex4(cur, cp)) return false;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          // A high surrogate must be followed by "\u" and a low surrogate; nlohmann rejects
          // anything else, so on such input we simply stop.
          std::uint32_t low = 0;
          if (cur.at_end() || cur.peek() != '\\') return false;
          cur.advance();
          if (cur.at_end() || cur.peek() != 'u') return false;
          cur.advance();
          if (!read_hex4(cur, low) || low < 0xDC00 || low > 0xDFFF) return false;
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return false;
        }
        append_utf8(*decoded, cp);
        break;
      }
      default:
        return false;
    }
  }
  return false;
}

// Skips a number or literal (true/false/null). The scanner only needs to know where it ends;
// nlohmann has already validated its form.
bool scan_scalar(Cursor& cur) {
  const char first = cur.peek();
  const bool plausible = first == '-' || (first >= '0' && first <= '9') || first == 't' ||
                         first == 'f' || first == 'n';
  if (!plausible) return false;
  while (!cur.at_end()) {
    const char c = cur.peek();
    if (is_json_whitespace(c) || c == ',' || c == ']' || c == '}' || c == ':' || c == '[' ||
        c == '{' || c == '"') {
      break;
    }
    cur.advance();
  }
  return true;
}

}  // namespace

TextLocation location_of_offset(std::string_view text, std::size_t offset) {
  if (offset > text.size()) offset = text.size();
  Cursor cur(text);
  while (cur.pos() < offset) cur.advance();
  TextLocation loc = cur.location();
  // Inside a multibyte character the cursor has already counted that character's lead byte;
  // report the column of the character the offset belongs to instead.
  if (offset < text.size() && is_continuation_byte(static_cast<unsigned char>(text[offset])) &&
      loc.column > 1) {
    --loc.column;
  }
  loc.offset = offset;  // also when the offset lies inside a byte-order mark
  return loc;
}

std::string escape_pointer_token(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (const char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Long because: a single-pass scanner is one state machine over the text; its states share
// the frame stack and the position, and splitting it would thread both through every piece.
JsonLocator::JsonLocator(std::string_view text) {
  // One frame per open array/object. The explicit stack (instead of recursion) is what keeps a
  // hostile "[[[[[..." document from overflowing the call stack.
  struct Frame {
    bool is_object = false;
    bool recorded = false;          // whether this container's members are recorded
    std::size_t pointer_length = 0; // length of `pointer` holding this container's pointer
    std::size_t next_index = 0;     // arrays: index of the next element
    std::string pending_token;      // objects: escaped token of the key just read
    TextLocation pending_key;       // objects: where that key starts
    std::unordered_map<std::string, TextLocation> seen_keys;  // decoded key -> first location
  };

  enum class Expect {
    Value,          // root, after ':' or after ',' in an array
    ValueOrClose,   // just after '['
    KeyOrClose,     // just after '{'
    Key,            // after ',' in an object
    Colon,          // after a key
    CommaOrClose,   // after a member value / array element
    Nothing,        // after the root value: only whitespace may follow
  };

  Cursor cur(text);
  std::vector<Frame> stack;
  std::string pointer;  // pointer of the innermost recorded container, shared by all frames
  Expect expect = Expect::Value;

  // After a value (scalar or closed container) the next token depends on the enclosing frame.
  const auto value_done = [&] {
    expect = stack.empty() ? Expect::Nothing : Expect::CommaOrClose;
  };

  // Called at the first byte of a value: records it and returns whether it is recorded, with
  // `pointer` temporarily extended by the value's token (the caller keeps it for containers).
  const auto begin_value = [&]() -> bool {
    const TextLocation here = cur.location();
    if (stack.empty()) {
      values_[""] = here;
      return true;
    }
    Frame& parent = stack.back();
    if (!parent.recorded || stack.size() >= kMaxRecordedDepth) {
      if (!parent.is_object) ++parent.next_index;
      return false;
    }
    pointer.resize(parent.pointer_length);
    pointer.push_back('/');
    if (parent.is_object) {
      pointer += parent.pending_token;
      keys_[pointer] = parent.pending_key;
    } else {
      pointer += std::to_string(parent.next_index++);
    }
    // For duplicate keys the later member overwrites the earlier one, which matches nlohmann
    // (it keeps the last value), so locations point at the value that was actually used.
    values_[pointer] = here;
    return true;
  };

  const auto open_container = [&](bool is_object) {
    const bool recorded = begin_value();
    Frame frame;
    frame.is_object = is_object;
    frame.recorded = recorded;
    frame.pointer_length = recorded ? pointer.size() : 0;
    stack.push_back(std::move(frame));
    if (stack.size() > max_depth_) max_depth_ = stack.size();
    cur.advance();
    expect = is_object ? Expect::KeyOrClose : Expect::ValueOrClose;
  };

  const auto close_container = [&] {
    cur.advance();
    stack.pop_back();
    // Restore the pointer of the enclosing container, if it is recorded.
    if (!stack.empty() && stack.back().recorded) pointer.resize(stack.back().pointer_length);
    value_done();
  };

  const auto read_key = [&]() -> bool {
    Frame& frame = stack.back();
    const TextLocation key_location = cur.location();
    std::string key;
    if (!scan_string(cur, frame.recorded ? &key : nullptr)) return false;
    if (frame.recorded) {
      frame.pending_token = escape_pointer_token(key);
      frame.pending_key = key_location;
      const auto [it, inserted] = frame.seen_keys.emplace(key, key_location);
      if (!inserted && stack.size() < kMaxRecordedDepth) {
        std::string member = pointer.substr(0, frame.pointer_length);
        member.push_back('/');
        member += frame.pending_token;
        duplicates_.push_back({std::move(member), it->second, key_location});
      }
    }
    expect = Expect::Colon;
    return true;
  };

  while (true) {
    cur.skip_whitespace();
    if (cur.at_end()) return;
    const char c = cur.peek();
    switch (expect) {
      case Expect::ValueOrClose:
        if (c == ']') {
          close_container();
          continue;
        }
        [[fallthrough]];
      case Expect::Value:
        if (c == '{' || c == '[') {
          open_container(c == '{');
        } else if (c == '"') {
          begin_value();
          if (!scan_string(cur, nullptr)) return;
          value_done();
        } else {
          // Check the first character before recording, so garbage is not given a location.
          if (!(c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n')) return;
          begin_value();
          if (!scan_scalar(cur)) return;
          value_done();
        }
        break;
      case Expect::KeyOrClose:
        if (c == '}') {
          close_container();
          continue;
        }
        [[fallthrough]];
      case Expect::Key:
        if (c != '"' || !read_key()) return;
        break;
      case Expect::Colon:
        if (c != ':') return;
        cur.advance();
        expect = Expect::Value;
        break;
      case Expect::CommaOrClose: {
        const bool is_object = stack.back().is_object;
        if (c == ',') {
          cur.advance();
          expect = is_object ? Expect::Key : Expect::Value;
        } else if (c == (is_object ? '}' : ']')) {
          close_container();
        } else {
          return;
        }
        break;
      }
      case Expect::Nothing:
        return;
    }
  }
}

std::optional<TextLocation> JsonLocator::value(std::string_view pointer) const {
  const auto it = values_.find(std::string(pointer));
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::optional<TextLocation> JsonLocator::key(std::string_view pointer) const {
  const auto it = keys_.find(std::string(pointer));
  if (it == keys_.end()) return std::nullopt;
  return it->second;
}

TextLocation JsonLocator::nearest(std::string_view pointer) const {
  // Drop one reference token at a time: "/a/b/c" -> "/a/b" -> "/a" -> "". An escaped "/" is
  // "~1", so every '/' in a pointer really separates tokens.
  while (true) {
    if (const auto it = values_.find(std::string(pointer)); it != values_.end()) {
      return it->second;
    }
    if (pointer.empty()) break;
    const std::size_t slash = pointer.rfind('/');
    pointer = slash == std::string_view::npos ? std::string_view{} : pointer.substr(0, slash);
  }
  return TextLocation{1, 1, 0};
}

}  // namespace gapcast
