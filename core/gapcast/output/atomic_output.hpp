#pragma once
/// All-or-nothing writing of a run's result files.
///
/// Files are written into a hidden staging directory next to the output directory
/// (`<parent>/.<dirname>.staging-<pid>-<n>`), flushed, and only moved into the output directory
/// by commit(), one rename(2) per file (atomic within one filesystem). If the run fails, is
/// interrupted or throws before commit(), the destructor removes the staging directory and
/// the output directory is untouched: a reader never sees a half-written file.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace gapcast {

class OutputTransaction {
 public:
  explicit OutputTransaction(std::filesystem::path out_dir);
  OutputTransaction(const OutputTransaction&) = delete;
  OutputTransaction& operator=(const OutputTransaction&) = delete;
  ~OutputTransaction();

  /// Writes `content` to `relative_name` (may contain subdirectories) in the staging area.
  /// Throws std::runtime_error naming the path on any I/O failure.
  void write(const std::string& relative_name, std::string_view content);
  /// Creates the output directory if needed and moves every staged file into it, replacing
  /// files of the same name. Throws std::runtime_error on failure.
  void commit();

  [[nodiscard]] const std::filesystem::path& out_dir() const { return out_dir_; }
  [[nodiscard]] const std::vector<std::string>& files() const { return files_; }

 private:
  std::filesystem::path out_dir_, staging_;
  std::vector<std::string> files_;
  bool committed_ = false;
};

}  // namespace gapcast
