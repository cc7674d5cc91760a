#pragma once
/// Little-endian binary encoding of fixed-width numbers, for the shard files that carry a run's
/// summaries between machines (run/shard.hpp). Doubles travel as their IEEE-754 bit patterns,
/// so a value read back is the value written, NaN payloads and signed zeros included: what
/// makes a merged run bit-identical to a local one.
///
/// ByteReader checks every read against the end of the buffer and throws
/// std::invalid_argument naming the byte offset, so a truncated or corrupted file is refused
/// with a message rather than read past its end.
#include <bit>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace gapcast {

class ByteWriter {
 public:
  void u8(std::uint8_t v) { out_.push_back(static_cast<char>(v)); }
  void u32(std::uint32_t v) { put(v, 4); }
  void u64(std::uint64_t v) { put(v, 8); }
  void i32(std::int32_t v) { u32(static_cast<std::uint32_t>(v)); }
  void f64(double v) { u64(std::bit_cast<std::uint64_t>(v)); }
  /// LEB128: seven bits per byte, small numbers in one byte (sparse counts, small chunks).
  void varint(std::uint64_t v) {
    while (v >= 0x80u) {
      out_.push_back(static_cast<char>((v & 0x7fu) | 0x80u));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  /// A length (u64) then the bytes.
  void text(std::string_view s) {
    u64(s.size());
    out_.append(s);
  }
  void raw(std::string_view s) { out_.append(s); }

  [[nodiscard]] const std::string& bytes() const { return out_; }
  [[nodiscard]] std::string take() { return std::move(out_); }

 private:
  void put(std::uint64_t v, int width) {
    for (int i = 0; i < width; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xffu));
  }
  std::string out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::string_view bytes) : in_(bytes) {}

  std::uint8_t u8() { return static_cast<std::uint8_t>(get(1)); }
  std::uint32_t u32() { return static_cast<std::uint32_t>(get(4)); }
  std::uint64_t u64() { return get(8); }
  std::int32_t i32() { return static_cast<std::int32_t>(u32()); }
  double f64() { return std::bit_cast<double>(u64()); }
  std::uint64_t varint() {
    std::uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      const std::uint64_t byte = get(1);
      v |= (byte & 0x7fu) << shift;
      if ((byte & 0x80u) == 0) return v;
    }
    throw std::invalid_argument("corrupted: a variable-length number longer than 64 bits at "
                                "byte " + std::to_string(at_));
  }
  std::string_view text() {
    const std::uint64_t n = u64();
    return raw(n);
  }
  std::string_view raw(std::uint64_t n) {
    if (n > in_.size() - at_) truncated(n);
    const std::string_view s = in_.substr(at_, static_cast<std::size_t>(n));
    at_ += static_cast<std::size_t>(n);
    return s;
  }
  /// A count of items of `item_bytes` bytes each that must still fit in the buffer: refuses
  /// a corrupted count before anything is allocated for it.
  std::uint64_t count(std::uint64_t item_bytes) {
    const std::uint64_t n = u64();
    if (item_bytes > 0 && n > (in_.size() - at_) / item_bytes) truncated(n * item_bytes);
    return n;
  }

  [[nodiscard]] std::size_t offset() const { return at_; }
  [[nodiscard]] std::size_t remaining() const { return in_.size() - at_; }
  [[nodiscard]] bool at_end() const { return at_ == in_.size(); }

 private:
  std::uint64_t get(int width) {
    if (static_cast<std::size_t>(width) > in_.size() - at_) {
      truncated(static_cast<std::uint64_t>(width));
    }
    std::uint64_t v = 0;
    for (int i = 0; i < width; ++i) {
      v |= std::uint64_t{static_cast<unsigned char>(in_[at_ + static_cast<std::size_t>(i)])}
           << (8 * i);
    }
    at_ += static_cast<std::size_t>(width);
    return v;
  }
  [[noreturn]] void truncated(std::uint64_t wanted) const {
    throw std::invalid_argument("truncated or corrupted: wanted " + std::to_string(wanted) +
                                " more bytes at byte " + std::to_string(at_) + " of " +
                                std::to_string(in_.size()));
  }

  std::string_view in_;
  std::size_t at_ = 0;
};

}  // namespace gapcast
