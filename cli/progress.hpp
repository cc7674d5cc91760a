#pragma once
// Progress on stderr for runs longer than a second: a redrawn bar on a terminal, a line every
// ten percent otherwise (logs stay readable).
#include <chrono>
#include <cstdint>

namespace gapcast::cli {

class ProgressReporter {
 public:
  explicit ProgressReporter(bool enabled);
  void update(std::uint64_t done, std::uint64_t total);
  void finish();

 private:
  bool enabled_, tty_;
  bool shown_ = false;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace gapcast::cli
