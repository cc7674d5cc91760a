#include "gapcast/output/parquet_writer.hpp"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using gapcast::ParquetWriter;
using Type = ParquetWriter::Type;

// ---- a reader of the Thrift compact protocol, enough to check what the writer wrote ---------
//
// It decodes into a tree without knowing the Parquet structs, so the field ids the test looks
// up are checked against the writer independently of the writer's own constants.

struct Node {
  enum class Kind { integer, binary, list, structure };
  Kind kind = Kind::integer;
  int id = 0;  ///< the field id, for the fields of a struct
  std::int64_t integer = 0;
  std::string binary;
  std::vector<Node> items;  ///< list elements, or struct fields in the order written
};

class CompactReader {
 public:
  explicit CompactReader(std::string_view bytes) : bytes_(bytes) {}
  Node structure() {
    Node node;
    node.kind = Node::Kind::structure;
    int last = 0;
    for (;;) {
      const auto head = byte();
      if (head == 0) break;
      const int delta = head >> 4;
      const int id = delta != 0 ? last + delta : static_cast<int>(zigzag());
      Node field = value(head & 0x0F);
      field.id = id;
      node.items.push_back(std::move(field));
      last = id;
    }
    return node;
  }
  [[nodiscard]] std::size_t position() const { return position_; }

 private:
  std::uint8_t byte() {
    if (position_ >= bytes_.size()) throw std::runtime_error("compact data cut off");
    return static_cast<std::uint8_t>(bytes_[position_++]);
  }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0;; shift += 7) {
      const auto b = byte();
      v |= static_cast<std::uint64_t>(b & 0x7Fu) << shift;
      if ((b & 0x80u) == 0) return v;
    }
  }
  std::int64_t zigzag() {
    const std::uint64_t v = varint();
    return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1u);
  }
  Node value(int type) {
    Node node;
    switch (type) {
      case 5:  // i32
      case 6:  // i64
        node.integer = zigzag();
        return node;
      case 8: {  // binary
        node.kind = Node::Kind::binary;
        const auto size = static_cast<std::size_t>(varint());
        if (bytes_.size() - position_ < size) throw std::runtime_error("binary cut off");
        node.binary = std::string(bytes_.substr(position_, size));
        position_ += size;
        return node;
      }
      case 9: {  // list
        node.kind = Node::Kind::list;
        const auto head = byte();
        std::uint64_t size = head >> 4;
        if (size == 15) size = varint();
        for (std::uint64_t i = 0; i < size; ++i) node.items.push_back(value(head & 0x0F));
        return node;
      }
      case 12: return structure();
      default: throw std::runtime_error("unexpected compact type " + std::to_string(type));
    }
  }

  std::string_view bytes_;
  std::size_t position_ = 0;
};

const Node& field(const Node& node, int id) {
  for (const Node& f : node.items) {
    if (f.id == id) return f;
  }
  throw std::runtime_error("no field " + std::to_string(id));
}

bool has_field(const Node& node, int id) {
  for (const Node& f : node.items) {
    if (f.id == id) return true;
  }
  return false;
}

std::uint64_t le(std::string_view bytes, std::size_t at, int width) {
  std::uint64_t v = 0;
  for (int i = width - 1; i >= 0; --i) {
    v = (v << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  }
  return v;
}

/// A file split into its parts: the footer decoded, checked against the frame around it.
struct ParsedFile {
  Node meta;
  std::size_t footer_start = 0;
};

ParsedFile parse(const std::string& file) {
  EXPECT_GE(file.size(), 12u);
  EXPECT_EQ(file.substr(0, 4), "PAR1");
  EXPECT_EQ(file.substr(file.size() - 4), "PAR1");
  const auto length = static_cast<std::size_t>(le(file, file.size() - 8, 4));
  EXPECT_LE(length + 12, file.size());
  ParsedFile parsed;
  parsed.footer_start = file.size() - 8 - length;
  CompactReader reader(std::string_view(file).substr(parsed.footer_start, length));
  parsed.meta = reader.structure();
  EXPECT_EQ(reader.position(), length) << "the footer length is not the FileMetaData's";
  return parsed;
}

// ---- fixtures ------------------------------------------------------------------------------

const std::vector<ParquetWriter::Column> kColumns = {
    {"sample", Type::int64}, {"value", Type::float64}, {"label", Type::utf8}};
const std::vector<std::pair<std::string, std::string>> kMetadata = {
    {"gapcast.kind", "ensemble"}, {"gapcast.seed", "11"}};

/// A group of `rows` rows starting at row `first`; the first rows hold the awkward values.
std::vector<ParquetWriter::Values> group(std::int64_t first, std::size_t rows) {
  const double specials[] = {std::numeric_limits<double>::quiet_NaN(),
                             std::numeric_limits<double>::infinity(),
                             -std::numeric_limits<double>::infinity(), -0.0,
                             std::numeric_limits<double>::denorm_min()};
  std::vector<std::int64_t> ints;
  std::vector<double> doubles;
  std::vector<std::string> strings;
  for (std::size_t i = 0; i < rows; ++i) {
    const std::int64_t row = first + static_cast<std::int64_t>(i);
    ints.push_back(row % 3 == 0 ? std::numeric_limits<std::int64_t>::min() + row : row * 1000);
    doubles.push_back(i < 5 ? specials[i] : static_cast<double>(row) / 7.0);
    strings.push_back(i % 4 == 0 ? std::string() : "r\xc3\xa9" + std::to_string(row));  // "ré"
  }
  return {ints, doubles, strings};
}

const std::vector<std::size_t> kGroupRows = {1, 1000, 7};

std::string write_file(const std::vector<std::size_t>& group_rows) {
  std::ostringstream out;
  ParquetWriter writer(out, kColumns, kMetadata, "gapcast test");
  std::int64_t first = 0;
  for (const std::size_t rows : group_rows) {
    writer.write_row_group(group(first, rows));
    first += static_cast<std::int64_t>(rows);
  }
  writer.finish();
  EXPECT_EQ(writer.rows(), static_cast<std::uint64_t>(first));
  return out.str();
}

/// Checks one column chunk's page against the values written and returns where it ends.
std::size_t check_chunk(const std::string& file, const Node& chunk, const ParquetWriter::Values& v,
                        std::int32_t physical) {
  const Node& meta = field(chunk, 3);
  EXPECT_EQ(field(meta, 1).integer, physical);
  EXPECT_EQ(field(meta, 4).integer, 0);  // UNCOMPRESSED
  const auto rows = static_cast<std::int64_t>(
      std::visit([](const auto& values) { return values.size(); }, v));
  EXPECT_EQ(field(meta, 5).integer, rows);
  const auto offset = static_cast<std::size_t>(field(meta, 9).integer);
  EXPECT_EQ(field(chunk, 2).integer, field(meta, 9).integer);

  CompactReader reader(std::string_view(file).substr(offset));
  const Node header = reader.structure();
  EXPECT_EQ(field(header, 1).integer, 0);  // DATA_PAGE
  const auto size = field(header, 2).integer;
  EXPECT_EQ(field(header, 3).integer, size);
  EXPECT_EQ(field(field(header, 5), 1).integer, rows);
  EXPECT_EQ(field(field(header, 5), 2).integer, 0);  // PLAIN
  EXPECT_EQ(field(meta, 6).integer, static_cast<std::int64_t>(reader.position()) + size);
  EXPECT_EQ(field(meta, 7).integer, field(meta, 6).integer);

  std::size_t at = offset + reader.position();
  if (const auto* ints = std::get_if<std::vector<std::int64_t>>(&v)) {
    for (const std::int64_t x : *ints) {
      EXPECT_EQ(static_cast<std::int64_t>(le(file, at, 8)), x);
      at += 8;
    }
  } else if (const auto* doubles = std::get_if<std::vector<double>>(&v)) {
    for (const double x : *doubles) {
      EXPECT_EQ(le(file, at, 8), std::bit_cast<std::uint64_t>(x));  // bit for bit: NaN, -0
      at += 8;
    }
  } else {
    for (const std::string& s : std::get<std::vector<std::string>>(v)) {
      const auto length = static_cast<std::size_t>(le(file, at, 4));
      EXPECT_EQ(file.substr(at + 4, length), s);
      at += 4 + length;
    }
  }
  EXPECT_EQ(at, offset + reader.position() + static_cast<std::size_t>(size));
  return at;
}

// ---- tests ---------------------------------------------------------------------------------

TEST(ParquetWriter, FooterDescribesEveryGroupAndPage) {
  const std::string file = write_file(kGroupRows);
  const ParsedFile parsed = parse(file);
  const Node& meta = parsed.meta;
  EXPECT_EQ(field(meta, 1).integer, 1);     // version
  EXPECT_EQ(field(meta, 3).integer, 1008);  // num_rows

  const Node& schema = field(meta, 2);
  ASSERT_EQ(schema.items.size(), 4u);
  EXPECT_EQ(field(schema.items[0], 4).binary, "schema");
  EXPECT_EQ(field(schema.items[0], 5).integer, 3);
  const std::int32_t physical[] = {2, 5, 6};  // INT64, DOUBLE, BYTE_ARRAY
  for (std::size_t c = 0; c < 3; ++c) {
    const Node& element = schema.items[c + 1];
    EXPECT_EQ(field(element, 1).integer, physical[c]);
    EXPECT_EQ(field(element, 3).integer, 0);  // REQUIRED
    EXPECT_EQ(field(element, 4).binary, kColumns[c].name);
    EXPECT_EQ(has_field(element, 6), c == 2);  // converted_type UTF8 on the string column only
  }
  EXPECT_EQ(field(schema.items[3], 6).integer, 0);
  EXPECT_TRUE(has_field(field(schema.items[3], 10), 1));  // logicalType STRING

  const Node& groups = field(meta, 4);
  ASSERT_EQ(groups.items.size(), kGroupRows.size());
  std::size_t expected_offset = 4;  // pages follow each other from the leading magic on
  std::int64_t first = 0;
  for (std::size_t g = 0; g < kGroupRows.size(); ++g) {
    const Node& rg = groups.items[g];
    EXPECT_EQ(field(rg, 3).integer, static_cast<std::int64_t>(kGroupRows[g]));
    const auto values = group(first, kGroupRows[g]);
    const Node& chunks = field(rg, 1);
    ASSERT_EQ(chunks.items.size(), 3u);
    std::int64_t group_bytes = 0;
    for (std::size_t c = 0; c < 3; ++c) {
      const Node& chunk = chunks.items[c];
      EXPECT_EQ(static_cast<std::size_t>(field(field(chunk, 3), 9).integer), expected_offset);
      EXPECT_EQ(field(field(chunk, 3), 3).items.at(0).binary, kColumns[c].name);
      const std::size_t end = check_chunk(file, chunk, values[c], physical[c]);
      group_bytes += static_cast<std::int64_t>(end - expected_offset);
      expected_offset = end;
    }
    EXPECT_EQ(field(rg, 2).integer, group_bytes);
    first += static_cast<std::int64_t>(kGroupRows[g]);
  }
  EXPECT_EQ(expected_offset, parsed.footer_start);

  const Node& kv = field(meta, 5);
  ASSERT_EQ(kv.items.size(), kMetadata.size());
  for (std::size_t i = 0; i < kMetadata.size(); ++i) {
    EXPECT_EQ(field(kv.items[i], 1).binary, kMetadata[i].first);
    EXPECT_EQ(field(kv.items[i], 2).binary, kMetadata[i].second);
  }
  EXPECT_EQ(field(meta, 6).binary, "gapcast test");
}

TEST(ParquetWriter, SameRowsGiveTheSameBytes) {
  EXPECT_EQ(write_file(kGroupRows), write_file(kGroupRows));
  EXPECT_NE(write_file(kGroupRows), write_file({1, 1000, 8}));
}

TEST(ParquetWriter, FileWithoutGroupsIsValid) {
  const std::string file = write_file({});
  const ParsedFile parsed = parse(file);
  EXPECT_EQ(parsed.footer_start, 4u);
  EXPECT_EQ(field(parsed.meta, 3).integer, 0);
  EXPECT_TRUE(field(parsed.meta, 4).items.empty());
}

TEST(ParquetWriter, ManyColumnsUseTheLongListHeader) {
  // 20 columns: the schema list (21 elements) and each group's column list no longer fit the
  // size nibble of a compact list header.
  std::vector<ParquetWriter::Column> columns;
  std::vector<ParquetWriter::Values> values;
  for (int c = 0; c < 20; ++c) {
    columns.push_back({"c" + std::to_string(c), Type::int64});
    values.emplace_back(std::vector<std::int64_t>{c, -c});
  }
  std::ostringstream out;
  ParquetWriter writer(out, columns, {}, "");
  writer.write_row_group(values);
  writer.finish();
  const ParsedFile parsed = parse(out.str());
  EXPECT_EQ(field(parsed.meta, 2).items.size(), 21u);
  EXPECT_EQ(field(field(parsed.meta, 4).items.at(0), 1).items.size(), 20u);
  EXPECT_FALSE(has_field(parsed.meta, 5));  // no metadata, no list
  EXPECT_FALSE(has_field(parsed.meta, 6));
}

TEST(ParquetWriter, RefusesBadColumns) {
  std::ostringstream out;
  EXPECT_THROW(ParquetWriter(out, {}, {}, "x"), std::invalid_argument);
  EXPECT_THROW(ParquetWriter(out, {{"", Type::int64}}, {}, "x"), std::invalid_argument);
  EXPECT_THROW(ParquetWriter(out, {{"a", Type::int64}, {"a", Type::utf8}}, {}, "x"),
               std::invalid_argument);
  EXPECT_THROW(ParquetWriter(out, {{"\xff", Type::int64}}, {}, "x"), std::invalid_argument);
}

TEST(ParquetWriter, RefusesBadGroupsAndLeavesTheFileAsItWas) {
  std::ostringstream out;
  ParquetWriter writer(out, kColumns, kMetadata, "gapcast test");
  const std::size_t before = out.str().size();
  using Ints = std::vector<std::int64_t>;
  using Doubles = std::vector<double>;
  using Strings = std::vector<std::string>;
  // Wrong count of columns, a wrong type, a wrong length, no rows, text that is not UTF-8
  // (a lone continuation byte, an overlong '/', a surrogate, a cut-off sequence).
  const std::vector<std::vector<ParquetWriter::Values>> bad = {
      {Ints{1}, Doubles{1.0}},
      {Ints{1}, Doubles{1.0}, Strings{"a"}, Ints{1}},
      {Doubles{1.0}, Doubles{1.0}, Strings{"a"}},
      {Ints{1}, Ints{1}, Strings{"a"}},
      {Ints{1}, Doubles{1.0}, Ints{1}},
      {Ints{1, 2}, Doubles{1.0}, Strings{"a"}},
      {Ints{1}, Doubles{1.0, 2.0}, Strings{"a"}},
      {Ints{1}, Doubles{1.0}, Strings{"a", "b"}},
      {Ints{}, Doubles{}, Strings{}},
      {Ints{1}, Doubles{1.0}, Strings{"\x80"}},
      {Ints{1}, Doubles{1.0}, Strings{"\xc0\xaf"}},
      {Ints{1}, Doubles{1.0}, Strings{"\xed\xa0\x80"}},
      {Ints{1}, Doubles{1.0}, Strings{"ok\xe2\x82"}},
  };
  for (std::size_t i = 0; i < bad.size(); ++i) {
    EXPECT_THROW(writer.write_row_group(bad[i]), std::invalid_argument) << "case " << i;
  }
  EXPECT_EQ(out.str().size(), before);
  EXPECT_EQ(writer.rows(), 0u);

  // Valid UTF-8 at the edges: U+0800, U+D7FF, U+E000, U+10FFFF.
  writer.write_row_group(
      {Ints{7}, Doubles{0.5}, Strings{"\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf"}});
  writer.finish();
  const ParsedFile parsed = parse(out.str());
  EXPECT_EQ(field(parsed.meta, 3).integer, 1);
  EXPECT_EQ(field(parsed.meta, 4).items.size(), 1u);

  EXPECT_THROW(writer.write_row_group({Ints{1}, Doubles{1.0}, Strings{"a"}}), std::logic_error);
  EXPECT_THROW(writer.finish(), std::logic_error);
}

/// A stream buffer that takes `room` bytes and then refuses every further one.
class FullBuffer : public std::streambuf {
 public:
  explicit FullBuffer(std::size_t room) : room_(room) {}

 protected:
  int_type overflow(int_type c) override {
    if (room_ == 0) return traits_type::eof();
    --room_;
    return c;
  }

 private:
  std::size_t room_;
};

TEST(ParquetWriter, StreamFailuresAreRuntimeErrors) {
  FullBuffer none(0);
  std::ostream closed(&none);
  EXPECT_THROW(ParquetWriter(closed, kColumns, {}, ""), std::runtime_error);

  FullBuffer some(100);
  std::ostream short_stream(&some);
  ParquetWriter writer(short_stream, kColumns, {}, "");
  EXPECT_THROW(writer.write_row_group(group(0, 50)), std::runtime_error);
}

}  // namespace
