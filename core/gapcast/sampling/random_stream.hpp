#pragma once
/// Counter-based random streams (Random123 Philox4x64-10).
///
/// A uniform draw is a pure function of (seed, stream, sample, index): the key is
/// {seed, stream} and the counter is {sample, index / 4, 0, 0}; each Philox call yields four
/// 64-bit words, used in order. Nothing is shared between threads and nothing depends on the
/// order in which samples are processed, so results are bit-identical for any thread count,
/// and sample i of a 2N-sample run is sample i of an N-sample run.
///
/// Each uncertain parameter owns a stream whose id is a hash of its name (stream_id), so adding
/// or reordering parameters in a scenario file does not change any other parameter's draws.
#include <cstdint>
#include <string_view>

namespace gapcast {

/// Stable 64-bit stream id for a name (FNV-1a, then a SplitMix64 finaliser so that similar
/// names give unrelated keys). Identical on every platform.
std::uint64_t stream_id(std::string_view name) noexcept;

/// Uniform double in the open interval (0, 1) from a 64-bit word: the top 52 bits k, offset by
/// half a unit in the last place, (k + 0.5) * 2^-52, so that neither 0 nor 1 can occur. (With
/// 53 bits the largest value, (2^53 - 0.5) * 2^-53, is not representable and rounds to 1.0.)
/// The result set is symmetric about 0.5: if u occurs, so does 1 - u.
double u01_open(std::uint64_t word) noexcept;

/// The `index`-th uniform of (seed, stream, sample). Stateless; O(1).
double uniform_at(std::uint64_t seed, std::uint64_t stream, std::uint64_t sample,
                  std::uint64_t index) noexcept;

/// Sequential view of one (seed, stream, sample) stream: uniform() returns index 0, 1, 2, ...
/// and calls Philox once per four draws.
class SampleStream {
 public:
  SampleStream(std::uint64_t seed, std::uint64_t stream, std::uint64_t sample) noexcept;
  double uniform() noexcept;

 private:
  std::uint64_t seed_, stream_, sample_;
  std::uint64_t next_index_ = 0;
  std::uint64_t block_[4] = {0, 0, 0, 0};
};

}  // namespace gapcast
