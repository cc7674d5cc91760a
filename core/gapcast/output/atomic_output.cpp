#include "gapcast/output/atomic_output.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <system_error>
#include <utility>

namespace fs = std::filesystem;

namespace gapcast {
namespace {

// Distinguishes transactions of one process over its lifetime (e.g. several runs in one
// Python session); the pid distinguishes processes.
std::atomic<unsigned long long> g_staging_counter{0};

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

[[noreturn]] void fail_errno(const std::string& what, const fs::path& p, int error_number) {
  throw std::runtime_error(what + " " + quoted(p) + ": " + std::strerror(error_number));
}

/// The output directory as an absolute path without a trailing separator, with symlinks in
/// its existing part resolved: the staging directory must land on the same filesystem as the
/// real output directory, since rename(2) cannot cross filesystems.
fs::path resolved(const fs::path& out_dir) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::absolute(out_dir, ec), ec);
  if (ec) p = fs::absolute(out_dir).lexically_normal();
  if (!p.has_filename() && p.has_parent_path() && p != p.root_path()) p = p.parent_path();
  return p;
}

/// A relative name must stay inside the output directory: no absolute paths and no "..".
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
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(target.c_str(), "wb"),
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

bool is_inside(const fs::path& path, const fs::path& dir) {
  auto p = path.begin();
  for (auto d = dir.begin(); d != dir.end(); ++d, ++p) {
    if (p == path.end() || *p != *d) return false;
  }
  return true;
}

/// Step 1: what may not be replaced, checked before anything is created.
void check_location(const fs::path& out, const OutputTransaction::Options& options,
                    const fs::path& as_given) {
  if (!out.has_parent_path() || out == out.root_path()) {
    throw OutputLocationError("cannot use " + quoted(as_given) +
                              " as an output directory: it would replace the whole filesystem");
  }
  std::error_code ec;
  const auto status = fs::status(out, ec);
  if (fs::exists(status)) {
    if (!fs::is_directory(status)) {
      throw OutputLocationError(quoted(as_given) +
                                " exists and is not a directory; give a directory to write into");
    }
    const bool empty = fs::is_empty(out, ec);
    if (!empty && !fs::exists(out / options.marker_file, ec)) {
      throw OutputLocationError(
          quoted(as_given) + " is a directory with other files in it (no " +
          options.marker_file +
          "): gapcast replaces its output directory as a whole, so it writes only into a new "
          "or empty directory or over its own earlier output; choose another directory");
    }
  }
  for (const auto& input : options.inputs) {
    const fs::path in = fs::weakly_canonical(fs::absolute(input, ec), ec);
    if (!ec && is_inside(in, out)) {
      throw OutputLocationError(quoted(as_given) + " holds " + quoted(input) +
                                ", an input of this run; the output directory is replaced as a "
                                "whole, so write it somewhere else");
    }
  }
}

/// The pid in a staging or old-set name ".NAME.staging-PID-N" / ".NAME.old-PID", or 0.
long pid_in(const std::string& name, const std::string& prefix) {
  if (name.rfind(prefix, 0) != 0) return 0;
  const std::string rest = name.substr(prefix.size());
  char* end = nullptr;
  const long pid = std::strtol(rest.c_str(), &end, 10);
  return (end != rest.c_str() && pid > 0) ? pid : 0;
}

bool process_is_gone(long pid) { return ::kill(static_cast<pid_t>(pid), 0) == -1 && errno == ESRCH; }

/// Step 3: leftovers of writers that died before committing (SIGKILL, power loss).
void remove_stale_staging(const fs::path& parent, const std::string& name) {
  std::error_code ec;
  const std::string staging_prefix = "." + name + ".staging-";
  const std::string old_prefix = "." + name + ".old-";
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string file = entry.path().filename().string();
    long pid = pid_in(file, staging_prefix);
    if (pid == 0) pid = pid_in(file, old_prefix);
    if (pid != 0 && pid != static_cast<long>(::getpid()) && process_is_gone(pid)) {
      std::error_code ignored;
      fs::remove_all(entry.path(), ignored);
    }
  }
}

/// renameat2(RENAME_EXCHANGE): swaps two existing paths atomically. Returns false when the
/// kernel or filesystem cannot (the caller then falls back to two renames).
bool exchange(const fs::path& a, const fs::path& b) {
#ifdef RENAME_EXCHANGE
  if (::renameat2(AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) == 0) return true;
  if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
    fail_errno("cannot swap the new output into", b, errno);
  }
#else
  (void)a;
  (void)b;
#endif
  return false;
}

}  // namespace

OutputTransaction::OutputTransaction(fs::path out_dir, Options options)
    : out_dir_(std::move(out_dir)), options_(std::move(options)) {
  const fs::path out = resolved(out_dir_);
  check_location(out, options_, out_dir_);
  const fs::path parent = out.parent_path();
  const std::string name = out.filename().string();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) {
    throw OutputLocationError("cannot create " + quoted(parent) + " for " + quoted(out_dir_) +
                              ": " + ec.message());
  }

  // Step 2: one writer at a time.
  lock_path_ = parent / ("." + name + ".lock");
  lock_fd_ = ::open(lock_path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) {
    throw OutputLocationError("cannot write in " + quoted(parent) + " (for " + quoted(out_dir_) +
                              "): " + std::strerror(errno));
  }
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    char holder[32] = {0};
    const ssize_t n = ::pread(lock_fd_, holder, sizeof holder - 1, 0);
    ::close(lock_fd_);
    lock_fd_ = -1;
    std::string who = n > 0 ? std::string(holder, static_cast<std::size_t>(n)) : "";
    who.erase(std::remove(who.begin(), who.end(), '\n'), who.end());
    throw OutputLocationError("another gapcast process" + (who.empty() ? "" : " (pid " + who + ")") +
                              " is writing " + quoted(out_dir_) +
                              "; wait for it to finish or choose another directory");
  }
  const std::string pid = std::to_string(static_cast<long>(::getpid())) + "\n";
  if (::ftruncate(lock_fd_, 0) != 0 || ::pwrite(lock_fd_, pid.data(), pid.size(), 0) < 0) {
    // The pid is only for the message another writer prints; the lock itself holds.
  }

  remove_stale_staging(parent, name);

  // Step 4: a fresh staging directory beside the output (same filesystem).
  const std::string prefix = "." + name + ".staging-" + std::to_string(static_cast<long>(::getpid())) + "-";
  while (true) {
    const fs::path candidate = parent / (prefix + std::to_string(g_staging_counter++));
    // create_directory returns false if the name exists (a leftover of a crashed process that
    // had our pid): never reuse it, its contents are not ours.
    if (fs::create_directory(candidate, ec)) {
      staging_ = candidate;
      break;
    }
    if (ec) {
      throw OutputLocationError("cannot create a staging directory in " + quoted(parent) + ": " +
                                ec.message());
    }
  }
  out_dir_ = out;
}

OutputTransaction::~OutputTransaction() {
  // A destructor must not throw (it may run during unwinding of the very error that aborted the
  // run), so failures to clean up are ignored: the next writer removes what is left.
  try {
    std::error_code ec;
    if (!committed_ && !staging_.empty()) fs::remove_all(staging_, ec);
  } catch (...) {  // NOLINT(bugprone-empty-catch): remove_all may still allocate and throw
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void OutputTransaction::check_cancelled() const {
  if (options_.cancel != nullptr && options_.cancel->load()) throw OutputCancelled();
}

void OutputTransaction::write(const std::string& relative_name, std::string_view content) {
  if (committed_) {
    throw std::logic_error("OutputTransaction::write after commit ('" + relative_name + "')");
  }
  check_relative_name(relative_name);
  check_cancelled();
  const fs::path target = staging_ / fs::path(relative_name);
  std::error_code ec;
  fs::create_directories(target.parent_path(), ec);
  if (ec) fail_errno("cannot create directory", target.parent_path(), ec.value());
  write_file(target, content);
  if (std::find(files_.begin(), files_.end(), relative_name) == files_.end()) {
    files_.push_back(relative_name);
  }
}

void OutputTransaction::commit() {
  if (committed_) return;
  check_cancelled();
  std::error_code ec;
  if (!fs::exists(out_dir_, ec)) {
    if (::rename(staging_.c_str(), out_dir_.c_str()) != 0) {
      fail_errno("cannot move the new output into", out_dir_, errno);
    }
  } else if (exchange(staging_, out_dir_)) {
    fs::remove_all(staging_, ec);  // now the earlier set; a failure leaves a stale directory
  } else {
    // No atomic exchange here: move the earlier set aside, then the new one in. A reader in
    // between sees no directory, never a mixture.
    const fs::path old =
        out_dir_.parent_path() /
        ("." + out_dir_.filename().string() + ".old-" + std::to_string(static_cast<long>(::getpid())));
    fs::remove_all(old, ec);
    if (::rename(out_dir_.c_str(), old.c_str()) != 0) {
      fail_errno("cannot move the earlier output aside:", out_dir_, errno);
    }
    if (::rename(staging_.c_str(), out_dir_.c_str()) != 0) {
      const int error = errno;
      ::rename(old.c_str(), out_dir_.c_str());  // put the earlier set back
      fail_errno("cannot move the new output into", out_dir_, error);
    }
    fs::remove_all(old, ec);
  }
  committed_ = true;
  staging_.clear();
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
  }
}

}  // namespace gapcast
