#pragma once
/// A small streaming writer of Apache Parquet files: flat schemas of required INT64, DOUBLE and
/// UTF-8 string columns, PLAIN encoding, no compression, one row group per call. Enough for the
/// per-sample ensembles of a run (docs/ensembles.md), which pandas, polars, DuckDB and pyarrow
/// then open in one line, without a dependency on the Arrow C++ libraries (not among the
/// project's system packages).
///
/// Memory: only the row group being written is held, so a file of any number of rows is
/// written in constant memory. Bytes: a function of the columns, the metadata and the row
/// groups only (no timestamps, no addresses), so the same rows give the same file.
///
/// The format is the one of the Parquet specification (github.com/apache/parquet-format):
/// "PAR1", then per row group and column one data page (a PageHeader in the Thrift compact
/// protocol followed by the PLAIN-encoded values), then the FileMetaData (Thrift compact), its
/// 4-byte little-endian length and "PAR1".
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace gapcast {

class ParquetWriter {
 public:
  enum class Type { int64, float64, utf8 };
  struct Column {
    std::string name;
    Type type = Type::float64;
  };
  /// One column's values in a row group: its vector must match the column's type.
  using Values = std::variant<std::vector<std::int64_t>, std::vector<double>,
                              std::vector<std::string>>;

  /// Starts a file on `out` (writes the leading magic). `metadata` becomes the file's
  /// key-value metadata (in this order); `created_by` its "created_by" field. Throws
  /// std::invalid_argument for no columns, an empty or duplicate column name (or one that is
  /// not valid UTF-8), std::runtime_error when the stream fails.
  ParquetWriter(std::ostream& out, std::vector<Column> columns,
                std::vector<std::pair<std::string, std::string>> metadata,
                std::string created_by);

  /// Writes one row group. `values[c]` holds column c's values, all of the same length (the
  /// group's rows, at least 1). Throws std::invalid_argument on a wrong count, type or length
  /// (or a string that is not valid UTF-8, which readers would refuse), before writing
  /// anything, std::runtime_error when the stream fails, std::logic_error after finish().
  void write_row_group(const std::vector<Values>& values);

  /// Writes the footer. A file with no row group is valid (0 rows). Calling it twice throws
  /// std::logic_error.
  void finish();

  [[nodiscard]] std::uint64_t rows() const { return rows_; }
  [[nodiscard]] const std::vector<Column>& columns() const { return columns_; }

 private:
  struct ChunkInfo {
    std::int64_t offset = 0;         ///< file offset of the column chunk's page header
    std::int64_t total_bytes = 0;    ///< page header + values
    std::int64_t values = 0;
  };
  struct GroupInfo {
    std::int64_t rows = 0;
    std::int64_t total_bytes = 0;
    std::vector<ChunkInfo> chunks;
  };

  /// Writes `bytes` and counts them in position_; throws std::runtime_error when it fails.
  void emit(std::string_view bytes);
  /// The FileMetaData of the groups written so far, in the Thrift compact protocol.
  [[nodiscard]] std::string file_metadata() const;

  std::ostream& out_;
  std::vector<Column> columns_;
  std::vector<std::pair<std::string, std::string>> metadata_;
  std::string created_by_;
  std::vector<GroupInfo> groups_;
  std::int64_t position_ = 0;  ///< bytes written so far
  std::uint64_t rows_ = 0;
  bool finished_ = false;
};

}  // namespace gapcast
