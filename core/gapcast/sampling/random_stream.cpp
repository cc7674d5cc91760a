#include "gapcast/sampling/random_stream.hpp"

#include <Random123/philox.h>

namespace gapcast {
namespace {

using Philox = r123::Philox4x64;  // Philox4x64 with the recommended 10 rounds

// One Philox call: the four words of block `block` of the (seed, stream, sample) stream.
// The layout (key = {seed, stream}, counter = {sample, block, 0, 0}) is part of the engine's
// reproducibility contract; the golden-value tests in random_stream_test.cpp pin it.
inline void philox_block(std::uint64_t seed, std::uint64_t stream, std::uint64_t sample,
                         std::uint64_t block, std::uint64_t out[4]) noexcept {
  const Philox::ctr_type counter = {{sample, block, 0, 0}};
  const Philox::key_type key = {{seed, stream}};
  const Philox::ctr_type words = Philox()(counter, key);
  for (int i = 0; i < 4; ++i) out[i] = words.v[i];
}

}  // namespace

std::uint64_t stream_id(std::string_view name) noexcept {
  // FNV-1a is byte-oriented and endian-independent, so the id is the same everywhere. Its
  // weakness is that names differing in the last byte give ids differing in few bits; the
  // SplitMix64 finaliser spreads every input bit over the whole word, so "gdp_1" and "gdp_2"
  // get unrelated Philox keys.
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : name) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
  h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
  return h ^ (h >> 31);
}

double u01_open(std::uint64_t word) noexcept {
  // (k + 0.5) * 2^-52 with k the top 52 bits. Every such value is exactly representable, lies
  // strictly inside (0, 1), and the set is symmetric about 0.5 (u and 1 - u both occur), so
  // quantile(u) and quantile(1 - u) are mirror images. With 53 bits the largest value,
  // (2^53 - 0.5) * 2^-53, is not representable and rounds to exactly 1.0.
  constexpr double kScale = 0x1.0p-52;
  return (static_cast<double>(word >> 12) + 0.5) * kScale;
}

double uniform_at(std::uint64_t seed, std::uint64_t stream, std::uint64_t sample,
                  std::uint64_t index) noexcept {
  std::uint64_t words[4];
  philox_block(seed, stream, sample, index / 4, words);
  return u01_open(words[index % 4]);
}

SampleStream::SampleStream(std::uint64_t seed, std::uint64_t stream, std::uint64_t sample) noexcept
    : seed_(seed), stream_(stream), sample_(sample) {}

double SampleStream::uniform() noexcept {
  // A fresh block is needed exactly when the index crosses a multiple of four; the block
  // number is the counter's second word, so this matches uniform_at word for word.
  const std::uint64_t lane = next_index_ % 4;
  if (lane == 0) philox_block(seed_, stream_, sample_, next_index_ / 4, block_);
  ++next_index_;
  return u01_open(block_[lane]);
}

}  // namespace gapcast
