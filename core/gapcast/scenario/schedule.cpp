#include "gapcast/scenario/schedule.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <stdexcept>

namespace gapcast {

Schedule::Schedule(double initial) {
  pieces_.push_back({-std::numeric_limits<double>::infinity(), initial, 0.0});
}

void Schedule::step(double t, double value) {
  if (t < pieces_.back().start) throw std::invalid_argument("schedule changes must be in time order");
  if (t == pieces_.back().start) {
    pieces_.back() = {t, value, 0.0};
    return;
  }
  pieces_.push_back({t, value, 0.0});
}

void Schedule::ramp(double t0, double t1, double value) {
  if (!(t1 > t0)) throw std::invalid_argument("a ramp must end after it starts");
  if (t0 < pieces_.back().start) throw std::invalid_argument("schedule changes must be in time order");
  const double from = this->value(t0);
  const Piece rising{t0, from, (value - from) / (t1 - t0)};
  if (t0 == pieces_.back().start) pieces_.back() = rising;
  else pieces_.push_back(rising);
  pieces_.push_back({t1, value, 0.0});
}

std::pair<double, double> Schedule::linear_at(double t) const {
  // The last piece whose start is <= t. The first piece starts at -inf, so one always exists.
  auto it = std::upper_bound(pieces_.begin(), pieces_.end(), t,
                             [](double x, const Piece& p) { return x < p.start; });
  const Piece& p = *std::prev(it);
  if (p.slope == 0.0) return {p.value, 0.0};
  return {p.value - p.slope * p.start, p.slope};
}

double Schedule::value(double t) const {
  const auto [a, b] = linear_at(t);
  return b == 0.0 ? a : a + b * t;
}

std::vector<double> Schedule::breakpoints() const {
  std::vector<double> out;
  for (std::size_t i = 1; i < pieces_.size(); ++i) out.push_back(pieces_[i].start);
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double Schedule::max_value() const {
  double m = pieces_.front().value;
  for (const auto& p : pieces_) m = std::max(m, p.value);
  return m;
}

std::string Schedule::canonical() const {
  std::string text;
  char buffer[64];
  for (const auto& p : pieces_) {
    for (double x : {p.start, p.value, p.slope}) {
      const auto r = std::to_chars(buffer, buffer + sizeof buffer, x);
      text.append(buffer, r.ptr);
      text += ',';
    }
    text += ';';
  }
  return text;
}

double Schedule::min_value() const {
  double m = pieces_.front().value;
  for (const auto& p : pieces_) m = std::min(m, p.value);
  return m;
}

}  // namespace gapcast
