#pragma once
/// The worker threads of a run (a TBB arena of the requested size), behind a small interface
/// so that the rest of the engine does not include TBB.
#include <cstddef>
#include <functional>
#include <memory>

namespace gapcast {

class Workers {
 public:
  /// `threads` workers (0: one per hardware thread). More threads than cores is allowed:
  /// results do not depend on the thread count, and the thread-count tests use it.
  explicit Workers(unsigned threads);
  ~Workers();
  Workers(const Workers&) = delete;
  Workers& operator=(const Workers&) = delete;

  [[nodiscard]] unsigned size() const;
  /// Calls body(begin, end) over blocks of [0, n) of about `grain` items, in parallel, and
  /// returns when all are done. Exceptions thrown by `body` propagate.
  void parallel_for(std::size_t n, std::size_t grain,
                    const std::function<void(std::size_t, std::size_t)>& body);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gapcast
