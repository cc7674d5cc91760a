#pragma once
/// Replacing an output directory (a results set, a report) whole or not at all.
///
/// Protocol, for an output directory P/NAME (the Python report writer follows the same one,
/// python/gapcast/_atomic_dir.py, so the two never mix):
///   1. The location is checked before any work: NAME must not be a file, an existing NAME
///      must be empty or a previous output of the same kind (it holds the marker file, e.g.
///      manifest.json), and it must not hold an input of the run. Problems are
///      OutputLocationError, which callers report as bad input (exit 2).
///   2. An exclusive flock(2) on P/.NAME.lock (holding the writer's pid) is taken for the
///      whole transaction: a second writer to the same directory is refused at once, naming
///      the first. The kernel drops the lock when its holder dies, so a crash leaves no lock.
///   3. Holding the lock, staging directories of dead processes (P/.NAME.staging-PID-N whose
///      PID no longer runs) are removed.
///   4. Every file is written into a fresh P/.NAME.staging-PID-N.
///   5. commit() swaps the staging directory in: renameat2(RENAME_EXCHANGE) when NAME exists
///      (a reader sees the old set or the new one, never both; stale files of an earlier set
///      are gone with it), rename(2) when it does not; then the old set is deleted.
///   6. Without commit() (an error, an exception, cancellation between files) the destructor
///      removes the staging directory and the earlier set is untouched.
#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace gapcast {

/// The output location cannot be used (a file, a foreign non-empty directory, a directory
/// holding an input, another writer at work, no permission). Nothing has been written.
class OutputLocationError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Raised by write() and commit() when the transaction's cancel flag turned true.
class OutputCancelled : public std::runtime_error {
 public:
  OutputCancelled() : std::runtime_error("output cancelled") {}
};

class OutputTransaction {
 public:
  struct Options {
    /// A file every output of this kind holds (manifest.json for results, report.json for
    /// reports): an existing non-empty directory without it is not replaced.
    std::string marker_file = "manifest.json";
    /// Files the run reads; the output directory may not contain any of them.
    std::vector<std::filesystem::path> inputs;
    /// Polled between files: when it turns true, write()/commit() throw OutputCancelled.
    const std::atomic<bool>* cancel = nullptr;
  };

  /// Checks the location, takes the lock and prepares a staging directory (steps 1-3). Throws
  /// OutputLocationError.
  OutputTransaction(std::filesystem::path out_dir, Options options);
  explicit OutputTransaction(std::filesystem::path out_dir)
      : OutputTransaction(std::move(out_dir), Options{}) {}
  OutputTransaction(const OutputTransaction&) = delete;
  OutputTransaction& operator=(const OutputTransaction&) = delete;
  ~OutputTransaction();

  /// Writes `content` to `relative_name` (may contain subdirectories) in the staging area.
  /// Throws std::runtime_error naming the path on any I/O failure.
  void write(const std::string& relative_name, std::string_view content);
  /// Replaces the output directory with the staged files (step 5). Throws std::runtime_error
  /// on failure, leaving the earlier output in place.
  void commit();

  [[nodiscard]] const std::filesystem::path& out_dir() const { return out_dir_; }
  /// Where files are staged (for writers that produce files themselves, e.g. plots).
  [[nodiscard]] const std::filesystem::path& staging_dir() const { return staging_; }
  [[nodiscard]] const std::vector<std::string>& files() const { return files_; }

 private:
  void check_cancelled() const;

  std::filesystem::path out_dir_, staging_, lock_path_;
  Options options_;
  int lock_fd_ = -1;
  std::vector<std::string> files_;
  bool committed_ = false;
};

}  // namespace gapcast
