#pragma once
/// A run's per-sample ensemble as a Parquet file (docs/ensembles.md): columns `sample` (int64),
/// `scenario` (string), then the EnsembleTable's value columns (double), one row group per wave.
/// The file carries key-value metadata that ties it to its run (format, engine, seed, samples,
/// scenarios, the run options as JSON), so a reader can refuse a foreign or mismatched file.
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gapcast/output/parquet_writer.hpp"
#include "gapcast/run/ensemble.hpp"

namespace gapcast {

inline constexpr const char* ensemble_file_name = "ensemble.parquet";

class ParquetEnsembleFile final : public EnsembleSink {
 public:
  /// Opens `path` for writing (truncating it). Throws std::runtime_error naming the path.
  ParquetEnsembleFile(std::filesystem::path path,
                      std::vector<std::pair<std::string, std::string>> metadata);
  void write(const EnsembleChunk& chunk) override;
  /// Writes the footer and closes the file; throws std::runtime_error on an I/O failure.
  void finish();
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  std::vector<std::pair<std::string, std::string>> metadata_;
  std::ofstream out_;
  std::unique_ptr<ParquetWriter> writer_;
};

/// The metadata that identifies a run's ensemble: format and version, engine version, seed,
/// samples, the scenarios, and the run options as JSON.
std::vector<std::pair<std::string, std::string>> ensemble_metadata(const RunOptions& options,
                                                                   const std::vector<std::string>& scenarios);

}  // namespace gapcast
