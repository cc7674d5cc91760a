#include "gapcast/output/ensemble_file.hpp"

#include <stdexcept>

#include "gapcast/util/build_info.hpp"

namespace gapcast {

ParquetEnsembleFile::ParquetEnsembleFile(std::filesystem::path path,
                                         std::vector<std::pair<std::string, std::string>> metadata)
    : path_(std::move(path)), metadata_(std::move(metadata)) {
  out_.open(path_, std::ios::binary | std::ios::trunc);
  if (!out_) throw std::runtime_error("cannot write " + path_.string());
}

void ParquetEnsembleFile::write(const EnsembleChunk& chunk) {
  if (!writer_) {
    // The columns are known with the first chunk; the writer (and the file's magic) start then.
    std::vector<ParquetWriter::Column> columns{{"sample", ParquetWriter::Type::int64},
                                               {"scenario", ParquetWriter::Type::utf8}};
    for (const auto& name : chunk.columns) columns.push_back({name, ParquetWriter::Type::float64});
    writer_ = std::make_unique<ParquetWriter>(out_, std::move(columns), metadata_,
                                              "gapcast " + std::string(engine_version()));
  }
  std::vector<ParquetWriter::Values> values;
  values.reserve(2 + chunk.values.size());
  values.emplace_back(chunk.sample);
  values.emplace_back(chunk.scenario);
  for (const auto& column : chunk.values) values.emplace_back(column);
  writer_->write_row_group(values);
  if (!out_) throw std::runtime_error("cannot write " + path_.string());
}

void ParquetEnsembleFile::finish() {
  if (!writer_) {
    throw std::logic_error("an ensemble file needs at least one chunk (a run has a sample)");
  }
  writer_->finish();
  out_.close();
  if (!out_) throw std::runtime_error("cannot write " + path_.string());
}

std::vector<std::pair<std::string, std::string>> ensemble_metadata(
    const RunOptions& options, const std::vector<std::string>& scenarios) {
  std::string names;
  for (const auto& s : scenarios) names += (names.empty() ? "" : ",") + s;
  // The options that decide the file's contents. The thread count does not (runs are
  // bit-identical for any), nor does the raw-output memory limit (a rerun lifts it), so both
  // stay out and a rerun elsewhere writes the same bytes.
  auto recorded = to_json(options);
  recorded.erase("threads");
  recorded.erase("raw_limit_bytes");
  return {{"gapcast.format", "gapcast-ensemble"},
          {"gapcast.format_version", "1"},
          {"gapcast.engine_version", std::string(engine_version())},
          {"gapcast.seed", std::to_string(options.seed)},
          {"gapcast.samples", std::to_string(options.central ? 1 : options.samples)},
          {"gapcast.scenarios", names},
          {"gapcast.options", recorded.dump()}};
}

}  // namespace gapcast
