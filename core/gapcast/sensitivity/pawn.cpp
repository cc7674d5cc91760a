#include "gapcast/sensitivity/pawn.hpp"

#include <tbb/parallel_for.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "gapcast/sensitivity/detail/estimator_support.hpp"

namespace gapcast::sensitivity {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t kNoSlice = static_cast<std::size_t>(-1);

// numpy.quantile(values, q) with the default 'linear' method, on ascending values, with
// NumPy's arithmetic: virtual index (n - 1) q, and the interpolation computed from the nearer
// end (numpy's _lerp), so that slice boundaries that fall on data points match exactly.
double numpy_quantile(const std::vector<double>& sorted, double q) {
  const std::size_t n = sorted.size();
  const double index = static_cast<double>(n - 1) * q;
  if (index >= static_cast<double>(n - 1)) return sorted[n - 1];
  if (index < 0.0) return sorted[0];
  const double below = std::floor(index);
  const auto k = static_cast<std::size_t>(below);
  const double gamma = index - below;
  const double a = sorted[k], b = sorted[k + 1];
  const double diff = b - a;
  return gamma >= 0.5 ? b - diff * (1.0 - gamma) : a + diff * gamma;
}

// The slice of each row for one parameter (kNoSlice for none): slice k holds q_k <= x < q_k+1
// with q_k the quantile at level k * (1 / S), the levels numpy.arange(0, 1 + 1/S, 1/S) gives.
std::vector<std::size_t> slice_of_rows(std::span<const double> x, std::size_t d,
                                       std::size_t column, std::size_t slices) {
  const std::size_t n = x.size() / d;
  std::vector<double> values(n);
  for (std::size_t r = 0; r < n; ++r) values[r] = x[r * d + column];
  std::vector<double> sorted = values;
  std::sort(sorted.begin(), sorted.end());
  const double step = 1.0 / static_cast<double>(slices);
  std::vector<double> edges(slices + 1);
  for (std::size_t k = 0; k <= slices; ++k) {
    edges[k] = numpy_quantile(sorted, static_cast<double>(k) * step);
  }
  std::vector<std::size_t> slice(n, kNoSlice);
  for (std::size_t r = 0; r < n; ++r) {
    // The last edge <= x; its slice when x lies below the final edge.
    const auto above = std::upper_bound(edges.begin(), edges.end(), values[r]);
    const auto k = static_cast<std::size_t>(above - edges.begin());
    if (k >= 1 && k <= slices) slice[r] = k - 1;
  }
  return slice;
}

// KS statistic of each slice against all of Y: the largest |c1/n1 - c2/n2| over the values of
// Y, with c the counts at or below the value (scipy's searchsorted(side='right') form).
std::vector<double> ks_statistics(std::span<const double> y, const std::vector<std::size_t>& order,
                                  const std::vector<std::size_t>& slice, std::size_t slices) {
  std::vector<double> size(slices, 0.0), below(slices, 0.0), ks(slices, 0.0);
  for (const std::size_t s : slice) {
    if (s != kNoSlice) size[s] += 1.0;
  }
  const double total = static_cast<double>(y.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    for (; j < order.size() && y[order[j]] == y[order[i]]; ++j) {
      if (slice[order[j]] != kNoSlice) below[slice[order[j]]] += 1.0;
    }
    const double all = static_cast<double>(j) / total;
    for (std::size_t s = 0; s < slices; ++s) {
      if (size[s] > 0.0) ks[s] = std::max(ks[s], std::abs(below[s] / size[s] - all));
    }
    i = j;
  }
  for (std::size_t s = 0; s < slices; ++s) {
    if (size[s] == 0.0) ks[s] = kNaN;  // an empty slice says nothing (SALib skips it)
  }
  return ks;
}

// minimum, mean, median, maximum, CV, sd (ddof = 0) of the finite statistics.
std::array<double, 6> summarise(std::vector<double> ks) {
  ks.erase(std::remove_if(ks.begin(), ks.end(), [](double v) { return std::isnan(v); }),
           ks.end());
  if (ks.empty()) return {kNaN, kNaN, kNaN, kNaN, kNaN, kNaN};
  std::sort(ks.begin(), ks.end());
  const double n = static_cast<double>(ks.size());
  const double mean = std::accumulate(ks.begin(), ks.end(), 0.0) / n;
  const std::size_t mid = ks.size() / 2;
  const double median = ks.size() % 2 == 1 ? ks[mid] : (ks[mid - 1] + ks[mid]) / 2.0;
  double squares = 0.0;
  for (const double v : ks) squares += (v - mean) * (v - mean);
  const double sd = std::sqrt(squares / n);
  return {ks.front(), mean, median, ks.back(), sd / mean, sd};
}

void check_inputs(const ParameterGroups& groups, std::span<const double> x,
                  std::span<const double> y, std::size_t slices) {
  const std::size_t d = groups.parameter_count();
  if (x.size() != y.size() * d) {
    throw std::invalid_argument("X has " + std::to_string(x.size()) + " values; " +
                                std::to_string(y.size()) + " rows of " + std::to_string(d) +
                                " parameters need " + std::to_string(y.size() * d));
  }
  if (slices < 2) throw std::invalid_argument("PAWN needs at least 2 slices");
  if (y.size() < slices) {
    throw std::invalid_argument("PAWN with " + std::to_string(slices) + " slices needs at least " +
                                "as many rows; Y has " + std::to_string(y.size()));
  }
  detail::require_finite(x, "X");
  detail::require_finite(y, "Y");
}

}  // namespace

PawnIndices pawn_indices(const ParameterGroups& groups, std::span<const double> x,
                         std::span<const double> y, std::size_t slices) {
  check_inputs(groups, x, y, slices);
  const std::size_t d = groups.parameter_count();
  std::vector<std::size_t> order(y.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return y[a] < y[b]; });
  std::vector<std::array<double, 6>> per_parameter(d);
  tbb::parallel_for(std::size_t{0}, d, [&](std::size_t p) {
    per_parameter[p] = summarise(ks_statistics(y, order, slice_of_rows(x, d, p, slices), slices));
  });
  PawnIndices out;
  out.slices = slices;
  std::vector<double>* fields[6] = {&out.minimum, &out.mean,  &out.median,
                                    &out.maximum, &out.cv,    &out.stdev};
  for (std::size_t g = 0; g < groups.group_count(); ++g) {
    const auto& members = groups.members(g);
    for (std::size_t f = 0; f < 6; ++f) {
      double sum = 0.0;
      for (const std::size_t p : members) sum += per_parameter[p][f];
      fields[f]->push_back(sum / static_cast<double>(members.size()));
    }
  }
  return out;
}

}  // namespace gapcast::sensitivity
