#pragma once
/// Rerunning a recorded result from its manifest and checking every result file byte for byte.
///
/// The manifest is untrusted input: it must be a regular file of sensible size, every option
/// goes through the run-options validator, the result files it lists must be the ones gapcast
/// writes (plain names inside the results directory), and the comparison is made against the
/// recorded SHA-256s in memory before anything is written. Before rerunning, every input file
/// is hashed again, so a changed scenario, world or policy is named as the cause instead of
/// showing up as a mysterious difference.
///
/// The CLI's `gapcast reproduce` prints a ReproduceReport; Python's gapcast.reproduce() returns
/// one.
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "gapcast/output/result_files.hpp"
#include "gapcast/run/monte_carlo.hpp"
#include "gapcast/scenario/diagnostics.hpp"

namespace gapcast {

/// The manifest (or a reproduce option) is unusable; nothing was rerun or written.
class ManifestError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

struct ReproduceOptions {
  /// manifest.json of a results directory, or the directory itself.
  std::filesystem::path manifest;
  /// Where the run's relative scenario paths resolve; empty: the recorded working directory
  /// when it exists, else the current one.
  std::filesystem::path directory;
  /// Write the rerun's result files here (replacing it whole); empty: write nothing. Must not
  /// be, or lie inside, the results directory.
  std::filesystem::path keep;
  unsigned threads = 0;
  /// Rerun even if input files changed since the run.
  bool force = false;
};

/// Manifests larger than this are refused (a real one is a few kilobytes per scenario).
inline constexpr std::uintmax_t max_manifest_bytes = 16u << 20;

/// An input file whose content or presence differs from the manifest.
struct InputChange {
  std::string path, role, what;
};

/// One result file: its recorded digest, the rerun's, the copy on disk beside the manifest.
struct FileCheck {
  enum class Status { ok, ok_no_copy_on_disk, rerun_differs, changed_on_disk, not_rerun, new_file };
  std::string name, recorded, rerun, on_disk;  ///< SHA-256 hex ("" when absent)
  Status status = Status::ok;
  [[nodiscard]] bool ok() const {
    return status == Status::ok || status == Status::ok_no_copy_on_disk ||
           status == Status::new_file;
  }
  [[nodiscard]] std::string describe(const std::string& results_dir_name) const;
};

struct ReproduceReport {
  std::filesystem::path manifest_path, results_dir, inputs_base;
  std::string recorded_version, recorded_commit;
  bool same_engine = true;
  std::uint64_t seed = 0, samples = 0;
  std::size_t scenarios = 0;
  bool legacy_inputs = false;  ///< the manifest predates "inputs"; its scenario list was used
  std::vector<Diagnostic> warnings;
  std::size_t inputs_checked = 0;
  std::vector<InputChange> input_changes;
  bool rerun = false;  ///< false when inputs changed and force was not given
  std::vector<FileCheck> files;
  std::filesystem::path kept;  ///< where the rerun's files were written, if anywhere

  /// Every recorded result file came out byte for byte.
  [[nodiscard]] bool reproduced() const;
};

/// Reads a manifest as untrusted input: a regular file of at most max_manifest_bytes holding
/// a gapcast manifest object. Throws ManifestError.
nlohmann::json read_manifest(const std::filesystem::path& path);

/// Reruns and compares. Throws ManifestError (bad manifest or --keep), InputError (inputs that
/// no longer load), RunCancelled, SimulationError, OutputLocationError (--keep location).
ReproduceReport reproduce(const ReproduceOptions& options, const RunContext& context = {});

}  // namespace gapcast
