#pragma once
// SIGINT and SIGTERM for long commands: while a guard is alive, either signal sets a flag that
// the engine polls between samples and the output writer polls between files, so an
// interrupted command stops promptly, removes what it staged, and leaves earlier output as it
// was. The previous handlers come back when the guard goes.
#include <atomic>
#include <csignal>

namespace gapcast::cli {

class InterruptGuard {
 public:
  InterruptGuard();
  ~InterruptGuard();
  InterruptGuard(const InterruptGuard&) = delete;
  InterruptGuard& operator=(const InterruptGuard&) = delete;

  /// The flag the handlers set.
  [[nodiscard]] static const std::atomic<bool>* flag();

 private:
  struct sigaction previous_int_ {}, previous_term_{};
};

}  // namespace gapcast::cli
