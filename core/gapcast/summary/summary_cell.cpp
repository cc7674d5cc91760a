#include "gapcast/summary/summary_cell.hpp"

#include "gapcast/util/byte_codec.hpp"

namespace gapcast {

void SummaryCell::merge(const SummaryCell& later) {
  if (weighted_ || later.weighted_) {
    throw std::logic_error("SummaryCell::merge: weighted cells do not merge exactly");
  }
  counts_.finite += later.counts_.finite;
  counts_.infinite += later.counts_.infinite;
  counts_.undefined += later.counts_.undefined;
  // The sign rule of note_infinite(), applied to the later cell's summary of its signs.
  if (later.infinite_sign_ != 0.0) {
    infinite_sign_ = (infinite_sign_ == 0.0 || infinite_sign_ == later.infinite_sign_)
                         ? later.infinite_sign_
                         : std::numeric_limits<double>::quiet_NaN();
  }
  exact_.merge(later.exact_);
  sketch_.merge(later.sketch_);
}

void SummaryCell::encode(ByteWriter& out) const {
  if (weighted_) throw std::logic_error("SummaryCell::encode: weighted cells are not encoded");
  out.u64(counts_.finite);
  out.u64(counts_.infinite);
  out.u64(counts_.undefined);
  out.f64(infinite_sign_);
  // The exact sum's words as zigzag variable-length numbers: most are small or zero.
  const auto words = exact_.canonical_words();
  out.varint(words.size());
  for (std::uint64_t w : words) {
    const auto v = static_cast<std::int64_t>(w);
    out.varint((static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
  }
  sketch_.encode(out);
}

SummaryCell SummaryCell::decode(ByteReader& in, double accuracy) {
  SummaryCell cell(accuracy);
  cell.counts_.finite = in.u64();
  cell.counts_.infinite = in.u64();
  cell.counts_.undefined = in.u64();
  cell.infinite_sign_ = in.f64();
  const double sign = cell.infinite_sign_;
  if (!(sign == 0.0 || sign == 1.0 || sign == -1.0 || std::isnan(sign)) ||
      (sign == 0.0) != (cell.counts_.infinite == 0)) {
    throw std::invalid_argument("a summary cell's infinity sign does not match its counts");
  }
  const std::uint64_t n_words = in.varint();
  if (n_words > in.remaining()) throw std::invalid_argument("a summary cell's sum is truncated");
  std::vector<std::uint64_t> words(static_cast<std::size_t>(n_words));
  for (auto& w : words) {
    const std::uint64_t z = in.varint();
    w = (z >> 1) ^ (~(z & 1) + 1);
  }
  cell.exact_ = ExactSum::from_canonical_words(words);
  cell.sketch_ = QuantileSketch::decode(in, accuracy);
  // A probability cell keeps no sketch; any other holds every finite and infinite value.
  const std::uint64_t n = cell.sketch_.count();
  if (n != 0 && n != cell.counts_.finite + cell.counts_.infinite) {
    throw std::invalid_argument("a summary cell's sketch does not hold its counted values");
  }
  return cell;
}

}  // namespace gapcast
