#include "gapcast/output/parquet_writer.hpp"

#include <bit>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace gapcast {
namespace {

// ---- the Thrift compact protocol --------------------------------------------------------
//
// Only what the Parquet footer and page headers use: i32 (enums too), i64, binary, lists and
// structs. A field starts with one byte holding the distance from the previous field id of
// the same struct (high nibble) and the value's type (low nibble); integers are zigzag
// varints; a struct ends with a 0 byte.

enum class Wire : std::uint8_t { i32 = 5, i64 = 6, binary = 8, list = 9, structure = 12 };

class CompactWriter {
 public:
  void i32(std::int16_t id, std::int32_t value) {
    header(id, Wire::i32);
    varint(zigzag(value));
  }
  void i64(std::int16_t id, std::int64_t value) {
    header(id, Wire::i64);
    varint(zigzag(value));
  }
  void binary(std::int16_t id, std::string_view value) {
    header(id, Wire::binary);
    element_binary(value);
  }
  /// A struct-valued field: its fields follow, then end_struct().
  void begin_struct(std::int16_t id) {
    header(id, Wire::structure);
    last_ids_.push_back(0);
  }
  /// A list-valued field of `size` elements of type `element`, written with the element_*
  /// functions (struct elements with begin_element() ... end_struct()).
  void begin_list(std::int16_t id, Wire element, std::size_t size) {
    header(id, Wire::list);
    const auto type = static_cast<std::uint8_t>(element);
    if (size < 15) {
      bytes_.push_back(static_cast<char>((size << 4) | type));
    } else {
      bytes_.push_back(static_cast<char>(0xF0u | type));
      varint(size);
    }
  }
  void element_i32(std::int32_t value) { varint(zigzag(value)); }
  void element_binary(std::string_view value) {
    varint(value.size());
    bytes_.append(value);
  }
  void begin_element() { last_ids_.push_back(0); }
  void end_struct() {
    bytes_.push_back('\0');
    last_ids_.pop_back();
  }
  /// The bytes of the outermost struct, closed.
  std::string finish() && {
    bytes_.push_back('\0');
    return std::move(bytes_);
  }

 private:
  static std::uint64_t zigzag(std::int64_t v) {
    // Arithmetic right shift (defined since C++20) spreads the sign over every bit.
    return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63);
  }
  void varint(std::uint64_t v) {
    while (v >= 0x80u) {
      bytes_.push_back(static_cast<char>((v & 0x7Fu) | 0x80u));
      v >>= 7;
    }
    bytes_.push_back(static_cast<char>(v));
  }
  void header(std::int16_t id, Wire type) {
    const int delta = id - last_ids_.back();
    const auto code = static_cast<unsigned>(type);
    if (delta > 0 && delta <= 15) {
      bytes_.push_back(static_cast<char>((static_cast<unsigned>(delta) << 4) | code));
    } else {
      // The long form: the type alone, then the id itself as a zigzag varint.
      bytes_.push_back(static_cast<char>(code));
      varint(zigzag(id));
    }
    last_ids_.back() = id;
  }

  std::string bytes_;
  std::vector<std::int16_t> last_ids_{0};  ///< per open struct, the id of its last field
};

// ---- Parquet enums (parquet.thrift) -----------------------------------------------------

constexpr std::int32_t kTypeInt64 = 2;
constexpr std::int32_t kTypeDouble = 5;
constexpr std::int32_t kTypeByteArray = 6;
constexpr std::int32_t kRequired = 0;
constexpr std::int32_t kConvertedUtf8 = 0;
constexpr std::int32_t kEncodingPlain = 0;
constexpr std::int32_t kEncodingRle = 3;
constexpr std::int32_t kCodecUncompressed = 0;
constexpr std::int32_t kPageData = 0;
constexpr std::string_view kMagic = "PAR1";

// Thrift sizes and counts of a page are i32.
constexpr auto kMaxI32 = static_cast<std::uint64_t>(std::numeric_limits<std::int32_t>::max());

std::int32_t physical_type(ParquetWriter::Type type) {
  switch (type) {
    case ParquetWriter::Type::int64: return kTypeInt64;
    case ParquetWriter::Type::float64: return kTypeDouble;
    case ParquetWriter::Type::utf8: return kTypeByteArray;
  }
  throw std::logic_error("unknown Parquet column type");
}

/// The index in ParquetWriter::Values of the vector that holds a column of `type`.
std::size_t variant_index(ParquetWriter::Type type) {
  switch (type) {
    case ParquetWriter::Type::int64: return 0;
    case ParquetWriter::Type::float64: return 1;
    case ParquetWriter::Type::utf8: return 2;
  }
  throw std::logic_error("unknown Parquet column type");
}

std::string_view type_name(std::size_t index) {
  static constexpr std::string_view names[] = {"int64", "float64", "utf8"};
  return index < 3 ? names[index] : "unknown";
}

/// Whether `text` is well-formed UTF-8, by the table of well-formed byte sequences in the
/// Unicode standard (ch. 3, table 3-7): the lead byte fixes how many continuation bytes follow
/// and the range the first of them may take, which rules out overlong forms, surrogates and
/// code points past U+10FFFF without decoding them.
bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    std::size_t tail = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
      tail = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      tail = 2;
      if (lead == 0xE0) low = 0xA0;   // below U+0800 would be overlong
      if (lead == 0xED) high = 0x9F;  // U+D800..DFFF are surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      tail = 3;
      if (lead == 0xF0) low = 0x90;   // below U+10000 would be overlong
      if (lead == 0xF4) high = 0x8F;  // past U+10FFFF
    } else {
      return false;
    }
    if (n - i - 1 < tail) return false;
    for (std::size_t k = 1; k <= tail; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if (b < low || b > high) return false;
      low = 0x80;  // only the first continuation byte has a narrower range
      high = 0xBF;
    }
    i += tail + 1;
  }
  return true;
}

void append_le(std::string& out, std::uint64_t v, int bytes) {
  for (int b = 0; b < bytes; ++b) {
    out.push_back(static_cast<char>(v & 0xFFu));
    v >>= 8;
  }
}

/// The PLAIN encoding of one column's values: 8-byte little-endian integers and IEEE doubles
/// (bit for bit, so NaN payloads, infinities and -0 survive), strings as a 4-byte
/// little-endian length and their bytes.
std::string plain_values(const ParquetWriter::Values& values, std::size_t size) {
  std::string out;
  out.reserve(size);
  if (const auto* ints = std::get_if<std::vector<std::int64_t>>(&values)) {
    for (const std::int64_t v : *ints) append_le(out, static_cast<std::uint64_t>(v), 8);
  } else if (const auto* doubles = std::get_if<std::vector<double>>(&values)) {
    for (const double v : *doubles) append_le(out, std::bit_cast<std::uint64_t>(v), 8);
  } else {
    for (const std::string& s : std::get<std::vector<std::string>>(values)) {
      append_le(out, s.size(), 4);
      out.append(s);
    }
  }
  return out;
}

/// The PageHeader of a v1 data page of `rows` PLAIN values taking `size` bytes. The columns
/// are required and flat, so the page holds no levels; the level encodings are still
/// required fields and say RLE, as other writers do.
std::string data_page_header(std::int32_t rows, std::int32_t size) {
  CompactWriter t;
  t.i32(1, kPageData);
  t.i32(2, size);  // uncompressed_page_size
  t.i32(3, size);  // compressed_page_size
  t.begin_struct(5);
  t.i32(1, rows);
  t.i32(2, kEncodingPlain);
  t.i32(3, kEncodingRle);
  t.i32(4, kEncodingRle);
  t.end_struct();
  return std::move(t).finish();
}

void write_schema(CompactWriter& t, const std::vector<ParquetWriter::Column>& columns) {
  t.begin_list(2, Wire::structure, columns.size() + 1);
  t.begin_element();
  t.binary(4, "schema");
  t.i32(5, static_cast<std::int32_t>(columns.size()));
  t.end_struct();
  for (const auto& column : columns) {
    t.begin_element();
    t.i32(1, physical_type(column.type));
    t.i32(3, kRequired);
    t.binary(4, column.name);
    if (column.type == ParquetWriter::Type::utf8) {
      t.i32(6, kConvertedUtf8);
      t.begin_struct(10);  // logicalType, a union: its STRING member, an empty struct
      t.begin_struct(1);
      t.end_struct();
      t.end_struct();
    }
    t.end_struct();
  }
}

}  // namespace

ParquetWriter::ParquetWriter(std::ostream& out, std::vector<Column> columns,
                             std::vector<std::pair<std::string, std::string>> metadata,
                             std::string created_by)
    : out_(out),
      columns_(std::move(columns)),
      metadata_(std::move(metadata)),
      created_by_(std::move(created_by)) {
  if (columns_.empty()) throw std::invalid_argument("a Parquet file needs at least one column");
  if (columns_.size() > kMaxI32 - 1) throw std::invalid_argument("too many Parquet columns");
  std::set<std::string_view> seen;
  for (const auto& column : columns_) {
    if (column.name.empty()) throw std::invalid_argument("a Parquet column has an empty name");
    if (!is_utf8(column.name)) {
      throw std::invalid_argument("a Parquet column name is not valid UTF-8");
    }
    if (!seen.insert(column.name).second) {
      throw std::invalid_argument("two Parquet columns are named '" + column.name + "'");
    }
    (void)physical_type(column.type);  // an out-of-range enum value fails here, not later
  }
  emit(kMagic);
}

void ParquetWriter::write_row_group(const std::vector<Values>& values) {
  if (finished_) throw std::logic_error("ParquetWriter::write_row_group after finish()");
  if (values.size() != columns_.size()) {
    throw std::invalid_argument("a Parquet row group has " + std::to_string(values.size()) +
                                " columns of values for " + std::to_string(columns_.size()) +
                                " columns");
  }
  // Everything is checked before the first byte is written, so that a refused group leaves
  // the file as it was and later groups can still be written.
  const auto size_of = [](const auto& v) { return v.size(); };
  const std::size_t row_count = std::visit(size_of, values.front());
  if (row_count == 0) throw std::invalid_argument("a Parquet row group needs at least one row");
  if (row_count > kMaxI32) throw std::invalid_argument("a Parquet row group has too many rows");
  std::vector<std::size_t> sizes(columns_.size());
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    const Column& column = columns_[c];
    const std::size_t expected = variant_index(column.type);
    if (values[c].index() != expected) {
      throw std::invalid_argument("Parquet column '" + column.name + "' holds " +
                                  std::string(type_name(expected)) + " values, not " +
                                  std::string(type_name(values[c].index())));
    }
    const std::size_t length = std::visit(size_of, values[c]);
    if (length != row_count) {
      throw std::invalid_argument("Parquet column '" + column.name + "' has " +
                                  std::to_string(length) + " values in a row group of " +
                                  std::to_string(row_count) + " rows");
    }
    std::uint64_t bytes = 8 * static_cast<std::uint64_t>(row_count);
    if (const auto* strings = std::get_if<std::vector<std::string>>(&values[c])) {
      bytes = 0;
      for (const std::string& s : *strings) {
        if (!is_utf8(s)) {
          throw std::invalid_argument("Parquet column '" + column.name +
                                      "' has a value that is not valid UTF-8");
        }
        bytes += 4 + static_cast<std::uint64_t>(s.size());
      }
    }
    if (bytes > kMaxI32) {
      throw std::invalid_argument("Parquet column '" + column.name +
                                  "' has more than 2 GiB of values in one row group");
    }
    sizes[c] = static_cast<std::size_t>(bytes);
  }

  GroupInfo group;
  group.rows = static_cast<std::int64_t>(row_count);
  for (std::size_t c = 0; c < columns_.size(); ++c) {
    const std::string page = plain_values(values[c], sizes[c]);
    const std::string header = data_page_header(static_cast<std::int32_t>(row_count),
                                                static_cast<std::int32_t>(page.size()));
    ChunkInfo chunk;
    chunk.offset = position_;
    chunk.total_bytes = static_cast<std::int64_t>(header.size() + page.size());
    chunk.values = static_cast<std::int64_t>(row_count);
    emit(header);
    emit(page);
    group.total_bytes += chunk.total_bytes;
    group.chunks.push_back(chunk);
  }
  groups_.push_back(std::move(group));
  rows_ += row_count;
}

void ParquetWriter::finish() {
  if (finished_) throw std::logic_error("ParquetWriter::finish called twice");
  finished_ = true;
  const std::string footer = file_metadata();
  if (footer.size() > std::numeric_limits<std::uint32_t>::max()) {
    throw std::runtime_error("the Parquet footer exceeds 4 GiB");
  }
  std::string tail;
  append_le(tail, footer.size(), 4);
  tail.append(kMagic);
  emit(footer);
  emit(tail);
  out_.flush();
  if (!out_) throw std::runtime_error("writing the Parquet file failed");
}

void ParquetWriter::emit(std::string_view bytes) {
  out_.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out_) throw std::runtime_error("writing the Parquet file failed");
  position_ += static_cast<std::int64_t>(bytes.size());
}

std::string ParquetWriter::file_metadata() const {
  CompactWriter t;
  t.i32(1, 1);  // version
  write_schema(t, columns_);
  t.i64(3, static_cast<std::int64_t>(rows_));
  t.begin_list(4, Wire::structure, groups_.size());
  for (const GroupInfo& group : groups_) {
    t.begin_element();
    t.begin_list(1, Wire::structure, group.chunks.size());
    for (std::size_t c = 0; c < group.chunks.size(); ++c) {
      const ChunkInfo& chunk = group.chunks[c];
      t.begin_element();
      // Where the chunk starts; readers locate pages by data_page_offset below.
      t.i64(2, chunk.offset);
      t.begin_struct(3);
      t.i32(1, physical_type(columns_[c].type));
      t.begin_list(2, Wire::i32, 1);
      t.element_i32(kEncodingPlain);
      t.begin_list(3, Wire::binary, 1);
      t.element_binary(columns_[c].name);
      t.i32(4, kCodecUncompressed);
      t.i64(5, chunk.values);
      t.i64(6, chunk.total_bytes);  // uncompressed: header and values
      t.i64(7, chunk.total_bytes);  // compressed: the same, there is no codec
      t.i64(9, chunk.offset);       // data_page_offset: the chunk is one data page
      t.end_struct();
      t.end_struct();
    }
    t.i64(2, group.total_bytes);
    t.i64(3, group.rows);
    t.i64(5, group.chunks.front().offset);  // file_offset: the group's first page
    t.i64(6, group.total_bytes);            // total_compressed_size
    t.end_struct();
  }
  if (!metadata_.empty()) {
    t.begin_list(5, Wire::structure, metadata_.size());
    for (const auto& [key, value] : metadata_) {
      t.begin_element();
      t.binary(1, key);
      t.binary(2, value);
      t.end_struct();
    }
  }
  if (!created_by_.empty()) t.binary(6, created_by_);
  return std::move(t).finish();
}

}  // namespace gapcast
