#include "gapcast/util/sha256.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

namespace gapcast {

namespace {

// FIPS 180-4 §4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64
// primes.
constexpr std::array<std::uint32_t, 64> kRoundConstants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
    0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
    0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
    0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
    0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
    0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
    0xc67178f2};

constexpr std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

// Incremental hasher, so a file can be hashed in fixed-size chunks instead of being loaded
// whole, and the string and file variants share one implementation (and hence agree).
class Sha256 {
 public:
  void update(const unsigned char* data, std::size_t size) {
    total_bytes_ += size;
    while (size > 0) {
      const std::size_t take = std::min(size, block_.size() - block_used_);
      std::memcpy(block_.data() + block_used_, data, take);
      block_used_ += take;
      data += take;
      size -= take;
      if (block_used_ == block_.size()) {
        compress();
        block_used_ = 0;
      }
    }
  }

  std::string hex_digest() {
    // Padding (§5.1.1): a 1 bit, zeros up to 56 mod 64 bytes, then the message length in bits
    // as a big-endian 64-bit number. The length is captured before padding changes the count.
    const std::uint64_t bit_length = total_bytes_ * 8U;
    const unsigned char one = 0x80;
    update(&one, 1);
    const unsigned char zero = 0;
    while (block_used_ != 56) update(&zero, 1);
    std::array<unsigned char, 8> length{};
    for (int i = 0; i < 8; ++i) {
      length[static_cast<std::size_t>(i)] = static_cast<unsigned char>(bit_length >> (56 - 8 * i));
    }
    update(length.data(), length.size());

    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(64);
    for (const std::uint32_t word : state_) {
      for (int shift = 28; shift >= 0; shift -= 4) out.push_back(kHex[(word >> shift) & 0xFU]);
    }
    return out;
  }

 private:
  void compress() {
    std::array<std::uint32_t, 64> w{};
    for (std::size_t t = 0; t < 16; ++t) {
      w[t] = (static_cast<std::uint32_t>(block_[4 * t]) << 24) |
             (static_cast<std::uint32_t>(block_[4 * t + 1]) << 16) |
             (static_cast<std::uint32_t>(block_[4 * t + 2]) << 8) |
             static_cast<std::uint32_t>(block_[4 * t + 3]);
    }
    for (std::size_t t = 16; t < 64; ++t) {
      const std::uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
      const std::uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
    std::uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
    for (std::size_t t = 0; t < 64; ++t) {
      const std::uint32_t big_s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const std::uint32_t ch = (e & f) ^ (~e & g);
      const std::uint32_t t1 = h + big_s1 + ch + kRoundConstants[t] + w[t];
      const std::uint32_t big_s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
      const std::uint32_t t2 = big_s0 + maj;
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    state_[0] += a;
    state_[1] += b;
    state_[2] += c;
    state_[3] += d;
    state_[4] += e;
    state_[5] += f;
    state_[6] += g;
    state_[7] += h;
  }

  // §5.3.3: first 32 bits of the fractional parts of the square roots of the first 8 primes.
  std::array<std::uint32_t, 8> state_ = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                         0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::array<unsigned char, 64> block_{};
  std::size_t block_used_ = 0;
  std::uint64_t total_bytes_ = 0;
};

std::runtime_error read_error(const std::filesystem::path& file, int error_number) {
  return std::runtime_error("cannot read '" + file.string() +
                            "': " + std::strerror(error_number));
}

}  // namespace

std::string sha256_hex(std::string_view data) {
  Sha256 hasher;
  hasher.update(reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return hasher.hex_digest();
}

std::string sha256_file_hex(const std::filesystem::path& file) {
  // C stdio rather than ifstream: it sets errno reliably, and fread on a directory fails with
  // EISDIR instead of quietly looking like an empty file.
  errno = 0;
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> handle(
      std::fopen(file.string().c_str(), "rb"), &std::fclose);
  if (!handle) throw read_error(file, errno != 0 ? errno : ENOENT);
  Sha256 hasher;
  std::array<unsigned char, 64 * 1024> buffer{};
  while (true) {
    const std::size_t got = std::fread(buffer.data(), 1, buffer.size(), handle.get());
    hasher.update(buffer.data(), got);
    if (got < buffer.size()) {
      if (std::ferror(handle.get()) != 0) throw read_error(file, errno != 0 ? errno : EIO);
      break;  // end of file
    }
  }
  return hasher.hex_digest();
}

}  // namespace gapcast
