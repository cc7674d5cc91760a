#include "progress.hpp"

#include <cstdio>
#include <unistd.h>

namespace gapcast::cli {

ProgressReporter::ProgressReporter(bool enabled)
    : enabled_(enabled), tty_(isatty(STDERR_FILENO) != 0),
      start_(std::chrono::steady_clock::now()), last_draw_(start_) {}

void ProgressReporter::update(std::uint64_t done, std::uint64_t total) {
  if (!enabled_ || total == 0) return;
  const auto now = std::chrono::steady_clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (elapsed < 1.0) return;  // short runs stay silent
  const double fraction = static_cast<double>(done) / static_cast<double>(total);
  const double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
  if (tty_) {
    if (now - last_draw_ < std::chrono::milliseconds(100) && done < total) return;
    last_draw_ = now;
    const int width = 30;
    const int filled = static_cast<int>(fraction * width);
    std::fprintf(stderr, "\r[%.*s%*s] %5.1f%%  %llu/%llu samples  %.0fs elapsed, ~%.0fs left ",
                 filled, "==============================", width - filled, "", 100.0 * fraction,
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                 elapsed, eta);
    shown_ = true;
  } else {
    const int decile = static_cast<int>(fraction * 10.0);
    if (decile == last_decile_) return;
    last_decile_ = decile;
    std::fprintf(stderr, "progress: %3.0f%% (%llu/%llu samples, %.0fs elapsed)\n",
                 100.0 * fraction, static_cast<unsigned long long>(done),
                 static_cast<unsigned long long>(total), elapsed);
  }
  std::fflush(stderr);
}

void ProgressReporter::finish() {
  if (shown_ && tty_) std::fprintf(stderr, "\n");
}

}  // namespace gapcast::cli
