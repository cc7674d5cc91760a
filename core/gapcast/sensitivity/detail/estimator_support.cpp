#include "gapcast/sensitivity/detail/estimator_support.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "gapcast/sampling/random_stream.hpp"
#include "gapcast/util/number_text.hpp"

namespace gapcast::sensitivity::detail {

std::uint64_t random_bits(std::uint64_t seed, std::uint64_t stream, std::uint64_t sample,
                          std::uint64_t index) noexcept {
  // uniform_at returns (k + 0.5) 2^-52 with k < 2^52; times 2^52 that is k + 0.5 exactly (53
  // significant bits), so the truncation gives k back.
  return static_cast<std::uint64_t>(uniform_at(seed, stream, sample, index) * 0x1.0p52);
}

std::size_t random_below(std::size_t n, std::uint64_t seed, std::uint64_t stream,
                         std::uint64_t sample, std::uint64_t index) noexcept {
  // floor(u n) with u in (0, 1) can round up to n for large n; the clamp keeps it in range.
  const double u = uniform_at(seed, stream, sample, index);
  return std::min(static_cast<std::size_t>(u * static_cast<double>(n)), n - 1);
}

void require_finite(std::span<const double> values, std::string_view what) {
  std::size_t bad = 0;
  std::size_t first = 0;
  for (std::size_t i = values.size(); i-- > 0;) {
    if (!std::isfinite(values[i])) {
      ++bad;
      first = i;
    }
  }
  if (bad == 0) return;
  const double v = values[first];
  const std::string shown = std::isnan(v) ? "NaN" : (v > 0 ? "+inf" : "-inf");
  throw std::invalid_argument(
      std::string(what) + " holds " + std::to_string(bad) + " non-finite value" +
      (bad == 1 ? "" : "s") + " of " + std::to_string(values.size()) + " (the first, " + shown +
      ", at position " + std::to_string(first) +
      "); the estimators need a finite value for every row and do not drop rows, since that "
      "would break the design. Give such rows a finite value first: for an event month that "
      "is +inf because the event never happens, the horizon month (censoring) or whether the "
      "event happens by then (an indicator)");
}

double normal_quantile_for(double confidence) {
  if (!(confidence > 0.0 && confidence < 1.0)) {
    throw std::invalid_argument("the confidence level must lie strictly between 0 and 1, not " +
                                (std::isnan(confidence) ? "NaN" : format_number(confidence)));
  }
  return boost::math::quantile(boost::math::normal(), 0.5 + confidence / 2.0);
}

double sample_sd(std::span<const double> values) noexcept {
  double n = 0.0, sum = 0.0;
  for (const double v : values) {
    if (!std::isfinite(v)) continue;
    n += 1.0;
    sum += v;
  }
  if (n < 2.0) return std::numeric_limits<double>::quiet_NaN();
  const double mean = sum / n;
  double squares = 0.0;
  for (const double v : values) {
    if (std::isfinite(v)) squares += (v - mean) * (v - mean);
  }
  return std::sqrt(squares / (n - 1.0));
}

}  // namespace gapcast::sensitivity::detail
