#include "gapcast/output/atomic_output.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <utility>

#ifdef _WIN32
#include <process.h>
#define GAPCAST_GETPID _getpid
#else
#include <unistd.h>
#define GAPCAST_GETPID getpid
#endif

namespace fs = std::filesystem;

namespace gapcast {

namespace {

// Distinguishes transactions of one process (e.g. several runs in one Python session); the pid
// distinguishes processes writing next to the same output directory.
std::atomic<unsigned long long> g_staging_counter{0};

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

[[noreturn]] void fail(const std::string& what, const fs::path& p, const std::error_code& ec) {
  throw std::runtime_error(what + " " + quoted(p) + ": " + ec.message());
}

[[noreturn]] void fail_errno(const std::string& what, const fs::path& p, int error_number) {
  throw std::runtime_error(what + " " + quoted(p) + ": " + std::strerror(error_number));
}

// The output directory as an absolute path without a trailing separator. Symlinks in the
// existing part are resolved so that the staging directory lands on the same filesystem as the
// real output directory; rename(2) cannot move files across filesystems.
fs::path resolved_out_dir(const fs::path& out_dir) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(out_dir, ec);
  if (ec) {
    ec.clear();
    p = fs::absolute(out_dir, ec).lexically_normal();
    if (ec) p = out_dir.lexically_normal();
  }
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p;
}

// A relative name must stay inside the output directory: no absolute paths and no "..".
void check_relative_name(const std::string& relative_name) {
  const fs::path rel(relative_name);
  bool ok = !relative_name.empty() && !rel.has_root_path() && rel.has_filename();
  for (const auto& part : rel) {
    if (part == "..") ok = false;
  }
  if (!ok) {
    throw std::invalid_argument("OutputTransaction: invalid output file name '" + relative_name +
                                "' (must be a relative path inside the output directory)");
  }
}

void write_file(const fs::path& target, std::string_view content) {
  // C stdio so that errno describes the failure; every step that can fail is checked, since
  // a full disk typically shows up only at fflush or fclose.
  errno = 0;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(target.string().c_str(), "wb"),
                                                        &std::fclose);
  if (!file) fail_errno("cannot create", target, errno != 0 ? errno : EIO);
  if (!content.empty() &&
      std::fwrite(content.data(), 1, content.size(), file.get()) != content.size()) {
    fail_errno("cannot write", target, errno != 0 ? errno : EIO);
  }
  if (std::fflush(file.get()) != 0) fail_errno("cannot write", target, errno != 0 ? errno : EIO);
  std::FILE* raw = file.release();
  if (std::fclose(raw) != 0) fail_errno("cannot close", target, errno != 0 ? errno : EIO);
}

}  // namespace

OutputTransaction::OutputTransaction(fs::path out_dir) : out_dir_(std::move(out_dir)) {}

OutputTransaction::~OutputTransaction() {
  if (committed_ || staging_.empty()) return;
  // A destructor must not throw (it may run during unwinding of the very error that aborted the
  // run), so failures to clean up are ignored: at worst a hidden directory is left behind.
  try {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  } catch (...) {  // NOLINT(bugprone-empty-catch): remove_all may still allocate and throw
  }
}

void OutputTransaction::write(const std::string& relative_name, std::string_view content) {
  if (committed_) {
    throw std::logic_error("OutputTransaction::write after commit ('" + relative_name + "')");
  }
  check_relative_name(relative_name);

  if (staging_.empty()) {
    // The staging directory is created lazily (a transaction that writes nothing leaves no
    // trace) next to the output directory, so that commit's renames stay on one filesystem.
    // Errors here name the output directory as the user gave it, and the resolved directory
    // that failed, since the two can differ (symlinks, relative paths).
    const fs::path base = resolved_out_dir(out_dir_);
    const fs::path parent = base.parent_path();
    const std::string context = "cannot stage output for " + quoted(out_dir_) + ":";
    std::error_code ec;
    if (!parent.empty()) {
      fs::create_directories(parent, ec);
      if (ec) fail(context + " cannot create directory", parent, ec);
    }
    const std::string prefix = "." + base.filename().string() + ".staging-" +
                               std::to_string(static_cast<long long>(GAPCAST_GETPID())) + "-";
    while (true) {
      const fs::path candidate = parent / (prefix + std::to_string(g_staging_counter++));
      // create_directory returns false if the name exists (a leftover of a crashed process
      // that had our pid): never reuse it, its contents are not ours.
      if (fs::create_directory(candidate, ec)) {
        staging_ = candidate;
        break;
      }
      if (ec) fail(context + " cannot create staging directory", candidate, ec);
    }
  }

  const fs::path target = staging_ / fs::path(relative_name);
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) fail("cannot create directory", target.parent_path(), ec);
  write_file(target, content);
  if (std::find(files_.begin(), files_.end(), relative_name) == files_.end()) {
    files_.push_back(relative_name);
  }
}

void OutputTransaction::commit() {
  if (committed_) return;
  std::error_code ec;
  fs::create_directories(out_dir_, ec);
  if (ec) fail("cannot create output directory", out_dir_, ec);
  if (!fs::is_directory(out_dir_, ec)) {
    throw std::runtime_error("output path " + quoted(out_dir_) + " is not a directory");
  }
  for (const std::string& name : files_) {
    const fs::path destination = out_dir_ / fs::path(name);
    fs::create_directories(destination.parent_path(), ec);
    if (ec) fail("cannot create directory", destination.parent_path(), ec);
    // rename(2) replaces an existing file atomically: a reader sees the old or the new file,
    // never a mixture. If a later rename fails the earlier files are already in place; the
    // guarantee is per file, and the destructor still removes what is left in staging.
    fs::rename(staging_ / fs::path(name), destination, ec);
    if (ec) fail("cannot move result file into", destination, ec);
  }
  if (!staging_.empty()) {
    fs::remove_all(staging_, ec);  // only empty directories are left; failure is harmless
    staging_.clear();
  }
  committed_ = true;
}

}  // namespace gapcast
