#include "gapcast/run/workers.hpp"

#include <optional>

#include <tbb/blocked_range.h>
#include <tbb/global_control.h>
#include <tbb/info.h>
#include <tbb/parallel_for.h>
#include <tbb/task_arena.h>

namespace gapcast {

struct Workers::Impl {
  explicit Impl(int n) : threads(n), arena(n) {}
  int threads;
  // TBB's default market caps workers at the core count unless told otherwise.
  std::optional<tbb::global_control> allow_oversubscription;
  tbb::task_arena arena;
};

namespace {
int resolve(unsigned threads) {
  const int cores = tbb::info::default_concurrency();
  return threads == 0 ? cores : static_cast<int>(threads);
}
}  // namespace

Workers::Workers(unsigned threads) : impl_(std::make_unique<Impl>(resolve(threads))) {
  if (impl_->threads > tbb::info::default_concurrency()) {
    impl_->allow_oversubscription.emplace(tbb::global_control::max_allowed_parallelism,
                                          static_cast<std::size_t>(impl_->threads));
  }
}

Workers::~Workers() = default;

unsigned Workers::size() const { return static_cast<unsigned>(impl_->threads); }

void Workers::parallel_for(std::size_t n, std::size_t grain,
                           const std::function<void(std::size_t, std::size_t)>& body) {
  impl_->arena.execute([&] {
    tbb::parallel_for(tbb::blocked_range<std::size_t>(0, n, grain),
                      [&](const tbb::blocked_range<std::size_t>& r) { body(r.begin(), r.end()); });
  });
}

}  // namespace gapcast
