#include "gapcast/summary/weighted_quantile_sketch.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace gapcast {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Window slack as in QuantileSketch (see there): a quarter of the window, between 8 and 256
// bins, on the side that grew, so that values arriving in monotone order do not copy the
// window on every new bin, while spare bins stay a small part of a run's memory.
std::size_t slack_for(std::size_t current_size) {
  return std::clamp<std::size_t>(current_size / 4, 8, 256);
}

// Written as negated range checks so that NaN fails them too.
bool valid_weight(double w) { return w >= 0.0 && w <= std::numeric_limits<double>::max(); }

void check_pairs(const double* values, const double* weights, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i) {
    if (!valid_weight(weights[i])) {
      throw std::invalid_argument(
          "WeightedQuantileSketch: a weight must be finite and >= 0, got " +
          std::to_string(weights[i]));
    }
    if (std::isnan(values[i])) {
      throw std::invalid_argument("WeightedQuantileSketch: NaN is not a valid value");
    }
  }
}

}  // namespace

std::int64_t WeightedQuantileSketch::Store::reserve(std::int32_t bin, std::int64_t cap) {
  const auto size = static_cast<std::int64_t>(weights.size());
  const std::int64_t cur_lo = offset;
  const std::int64_t cur_hi = cur_lo + size - 1;
  // The window keeps the `cap` bins ending at the highest bin seen; anything lower is stored in
  // the lowest of them (QuantileSketch's "collapsing lowest" store).
  const std::int64_t new_top = std::max<std::int64_t>(top, bin);
  const std::int64_t floor = new_top - cap + 1;
  const std::int64_t want_lo = std::max<std::int64_t>(bin, floor);
  // Already covered: then nothing needs collapsing either, since the window holds `top` and the
  // floor only rises when `bin` is above the window.
  if (size > 0 && want_lo >= cur_lo && bin <= cur_hi) return floor;

  std::int64_t new_lo = 0;
  std::int64_t new_hi = 0;
  if (size == 0) {
    const auto half = static_cast<std::int64_t>(slack_for(0) / 2);
    new_lo = want_lo - half;
    new_hi = bin + static_cast<std::int64_t>(slack_for(0)) - half - 1;
  } else {
    const auto slack = static_cast<std::int64_t>(slack_for(weights.size()));
    new_lo = want_lo < cur_lo ? want_lo - slack : cur_lo;
    new_hi = bin > cur_hi ? bin + slack : cur_hi;
  }
  new_lo = std::max(new_lo, floor);
  new_hi = std::min(new_hi, new_lo + cap - 1);  // >= new_top, since new_lo >= floor

  // A fresh vector, so that its capacity is its size and memory_bytes() measures the window.
  std::vector<double> grown(static_cast<std::size_t>(new_hi - new_lo + 1), 0.0);
  if (size > 0) {
    // Old bins below the new window exist only when new_lo is the floor: their weights go to
    // it, summed from the lowest bin up (a fixed order, so the result is reproducible).
    double collapsed = 0.0;
    bool any_collapsed = false;
    for (std::int64_t b = cur_lo; b <= std::min(cur_hi, new_lo - 1); ++b) {
      collapsed += weights[static_cast<std::size_t>(b - cur_lo)];
      any_collapsed = true;
    }
    const std::int64_t first = std::max(cur_lo, new_lo);
    const std::int64_t last = std::min(cur_hi, new_hi);
    if (first <= last) {
      std::copy(weights.begin() + (first - cur_lo), weights.begin() + (last - cur_lo + 1),
                grown.begin() + (first - new_lo));
    }
    if (any_collapsed) grown.front() += collapsed;
  }
  weights.swap(grown);
  offset = static_cast<std::int32_t>(new_lo);
  return floor;
}

void WeightedQuantileSketch::Store::add_outside(std::int32_t bin, double r, std::int64_t cap) {
  const std::int64_t floor = reserve(bin, cap);
  weights[static_cast<std::size_t>(std::max<std::int64_t>(bin, floor) - offset)] += r;
}

WeightedQuantileSketch::WeightedQuantileSketch(double relative_accuracy)
    : accuracy_(relative_accuracy),
      multiplier_(QuantileSketch::bin_multiplier(relative_accuracy)),  // validates
      cap_(static_cast<std::int64_t>(QuantileSketch::max_bins_per_sign(relative_accuracy))),
      min_(kInf),
      max_(-kInf) {}

std::size_t WeightedQuantileSketch::max_memory_bytes(double relative_accuracy) {
  return sizeof(WeightedQuantileSketch) +
         2 * QuantileSketch::max_bins_per_sign(relative_accuracy) * sizeof(double);
}

void WeightedQuantileSketch::rescale(int k) {
  // Powers of two: exact for every weight that stays a normal number, so a rescaled sketch holds
  // the same information (and with equal weights this never runs: every ratio is 1).
  scale_ = std::ldexp(scale_, k);
  for (Store* store : {&positive_, &negative_}) {
    for (double& w : store->weights) w = std::ldexp(w, -k);
  }
  for (double* w : {&zero_weight_, &pos_inf_weight_, &neg_inf_weight_, &total_, &min_weight_,
                    &max_weight_}) {
    *w = std::ldexp(*w, -k);
  }
}

void WeightedQuantileSketch::add_one(double value, double w) {
  if (scale_ == 0.0) scale_ = w;
  double r = w / scale_;
  if (r > rescale_above) {  // also when w / scale_ overflowed to +inf
    rescale(std::ilogb(w) - std::ilogb(scale_));
    r = w / scale_;
  }
  put(value, r, QuantileSketch::bin_index(std::fabs(value), multiplier_));
}

void WeightedQuantileSketch::add(double value, double weight) { add_finite(&value, &weight, 1); }

void WeightedQuantileSketch::add_finite(const double* values, const double* weights,
                                        std::size_t n) {
  check_pairs(values, weights, n);
  add_unchecked(values, weights, n);
}

void WeightedQuantileSketch::add_unchecked(const double* values, const double* weights,
                                           std::size_t n) {
  // Look ahead over a batch: the bins and relative weights of all its values in one loop without
  // branches (bin_index is bit arithmetic on any double; for zeros and infinities the bin is
  // computed but not used). Then apply them in order. When the scale is not yet set, or some
  // weight would make it grow, the batch takes the value-by-value path instead, so that the
  // scale changes at exactly the same value whatever the batching.
  std::int32_t bins[batch_size];
  double relative[batch_size];
  for (std::size_t done = 0; done < n;) {
    const std::size_t k = std::min(batch_size, n - done);
    const double* v = values + done;
    const double* w = weights + done;
    done += k;
    if (scale_ > 0.0) {
      double largest = 0.0;
      for (std::size_t i = 0; i < k; ++i) {
        bins[i] = QuantileSketch::bin_index(std::fabs(v[i]), multiplier_);
        relative[i] = w[i] / scale_;
        largest = std::max(largest, relative[i]);
      }
      if (largest <= rescale_above) {
        for (std::size_t i = 0; i < k; ++i) {
          if (w[i] > 0.0) put(v[i], relative[i], bins[i]);
        }
        continue;
      }
    }
    for (std::size_t i = 0; i < k; ++i) {
      if (w[i] > 0.0) add_one(v[i], w[i]);
    }
  }
}

// One walk over the groups in value order (-inf, negative bins from the largest magnitude, zeros,
// positive bins, +inf) answers every requested level, visited in ascending order.
void WeightedQuantileSketch::quantiles(std::span<const double> qs, std::span<double> out) const {
  if (qs.size() != out.size()) {
    throw std::invalid_argument("WeightedQuantileSketch::quantiles: qs and out differ in length");
  }
  std::vector<std::size_t> order(qs.size());
  for (std::size_t i = 0; i < order.size(); ++i) {
    if (!(qs[i] >= 0.0 && qs[i] <= 1.0)) {
      throw std::invalid_argument("WeightedQuantileSketch::quantiles: q must be in [0, 1], got " +
                                  std::to_string(qs[i]));
    }
    order[i] = i;
  }
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return qs[a] < qs[b]; });
  if (count_ == 0) {
    for (double& v : out) v = kNaN;
    return;
  }
  // T(q) = q (n - 1) * (W / n), in relative weights. Evaluated in this order so that with equal
  // weights (W = n exactly, W / n = 1) it is bit for bit QuantileSketch's q (n - 1); a level is
  // then settled by the first group whose cumulative weight exceeds it, as QuantileSketch
  // settles rank floor(q (n - 1)) by the first group whose cumulative count exceeds the rank.
  const double n_minus_1 = static_cast<double>(count_ - 1);
  const double unit = total_ / static_cast<double>(count_);
  // Beyond this the remaining weight is the maximum's own sample: the maximum is the answer
  // (QuantileSketch's rank n - 1). Below min_weight_ the minimum is (its rank 0).
  const double below_max = total_ - max_weight_;
  const auto clamp = [this](double v) { return std::clamp(v, min_, max_); };
  std::size_t next = 0;
  auto settle = [&](double seen, auto&& value) {
    while (next < order.size()) {
      const double threshold = qs[order[next]] * n_minus_1 * unit;
      if (!(threshold < seen)) return;
      out[order[next]] = threshold < min_weight_   ? min_
                         : threshold >= below_max ? max_
                                                  : value();
      ++next;
    }
  };
  auto fixed = [](double v) { return [v] { return v; }; };
  double seen = neg_inf_weight_;
  settle(seen, fixed(-kInf));
  const std::vector<double>& negative = negative_.weights;
  for (std::size_t i = negative.size(); i-- > 0 && next < order.size();) {
    if (negative[i] == 0.0) continue;
    seen += negative[i];
    const auto bin = static_cast<std::int32_t>(negative_.offset + static_cast<std::int64_t>(i));
    settle(seen, [&] { return clamp(-QuantileSketch::bin_value(bin, multiplier_)); });
  }
  seen += zero_weight_;
  settle(seen, fixed(clamp(0.0)));
  const std::vector<double>& positive = positive_.weights;
  for (std::size_t i = 0; i < positive.size() && next < order.size(); ++i) {
    if (positive[i] == 0.0) continue;
    seen += positive[i];
    const auto bin = static_cast<std::int32_t>(positive_.offset + static_cast<std::int64_t>(i));
    settle(seen, [&] { return clamp(QuantileSketch::bin_value(bin, multiplier_)); });
  }
  // What is left lies in the +inf weight (or, for unequal weights, in the rounding of the sums).
  settle(kInf, fixed(pos_inf_weight_ > 0.0 ? kInf : max_));
}

double WeightedQuantileSketch::quantile(double q) const {
  double out = kNaN;
  quantiles(std::span<const double>(&q, 1), std::span<double>(&out, 1));
  return out;
}

double WeightedQuantileSketch::total_weight() const { return total_ * scale_; }

double WeightedQuantileSketch::min() const { return count_ == 0 ? kNaN : min_; }

double WeightedQuantileSketch::max() const { return count_ == 0 ? kNaN : max_; }

std::size_t WeightedQuantileSketch::memory_bytes() const {
  return (positive_.weights.capacity() + negative_.weights.capacity()) * sizeof(double);
}

void WeightedQuantileSketch::clear() {
  // Fresh stores (not weights.clear()) also release the windows' memory.
  positive_ = Store{};
  negative_ = Store{};
  scale_ = 0.0;
  zero_weight_ = 0.0;
  pos_inf_weight_ = 0.0;
  neg_inf_weight_ = 0.0;
  total_ = 0.0;
  count_ = 0;
  infinite_count_ = 0;
  min_ = kInf;
  max_ = -kInf;
  min_weight_ = 0.0;
  max_weight_ = 0.0;
}

}  // namespace gapcast
