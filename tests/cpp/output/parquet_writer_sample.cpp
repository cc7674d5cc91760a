// gapcast_parquet_sample OUT: writes a fixed Parquet file with ParquetWriter, for
// tests/python/test_parquet_writer.py to open with pyarrow, polars and DuckDB. The Python test
// spells out the same values; change both together.
#include <cstdint>
#include <exception>
#include <fstream>
#include <iostream>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "gapcast/output/parquet_writer.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: gapcast_parquet_sample OUT\n";
    return 2;
  }
  using gapcast::ParquetWriter;
  using Ints = std::vector<std::int64_t>;
  using Doubles = std::vector<double>;
  using Strings = std::vector<std::string>;
  constexpr double inf = std::numeric_limits<double>::infinity();
  constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();
  constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();
  try {
    std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
    ParquetWriter writer(out,
                         {{"sample", ParquetWriter::Type::int64},
                          {"value", ParquetWriter::Type::float64},
                          {"label", ParquetWriter::Type::utf8}},
                         {{"gapcast.kind", "ensemble"},
                          {"gapcast.seed", "11"},
                          {"note", "\xc3\xbcn\xc3\xaf" "code"}},  // "ünïcode"
                         "gapcast parquet sample");
    // Non-ASCII labels as escapes, so the bytes do not depend on the compiler's source charset:
    // "é", "日本語", "rocket 🚀", "Ω≈ç√".
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const std::int64_t two_40 = std::int64_t{1} << 40;
    const std::int64_t below_2_53 = -(std::int64_t{1} << 53) - 1;
    writer.write_row_group(
        {Ints{0, 1, -1, i64_max}, Doubles{nan, inf, -inf, -0.0},
         Strings{"", "plain", "\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"}});
    writer.write_row_group({Ints{i64_min, 42, two_40, below_2_53},
                            Doubles{0.0, 1.5, 5e-324, 1e300},
                            Strings{"rocket \xf0\x9f\x9a\x80", "", "tab\tnewline\n",
                                    "\xce\xa9\xe2\x89\x88\xc3\xa7\xe2\x88\x9a"}});
    writer.write_row_group({Ints{7}, Doubles{0.1}, Strings{"last"}});
    writer.finish();
    out.close();
    if (!out) throw std::runtime_error("closing the file failed");
  } catch (const std::exception& e) {
    std::cerr << "gapcast_parquet_sample: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
