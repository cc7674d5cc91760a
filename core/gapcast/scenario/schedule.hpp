#pragma once
/// A policy lever's value over time: constant pieces (dated steps) and linear pieces (ramps).
///
/// t is in months from the run's start month. Before the first change the lever holds its
/// initial value (for shipped levers: the no-controls value). A step at t0 sets the value from t0
/// on. A ramp from t0 to t1 moves linearly from whatever the value is at t0 to the target value
/// at t1 and holds it afterwards. Every t where the value or its slope changes is a breakpoint:
/// the integrator stops there and restarts its stepper, so no adaptive step straddles a
/// discontinuity.
#include <string>
#include <vector>

namespace gapcast {

class Schedule {
 public:
  explicit Schedule(double initial = 0.0);

  /// Value becomes `value` at t. Changes must be added in time order; t must not lie inside an
  /// earlier ramp (the caller validates dates and reports errors; here it is a precondition,
  /// checked with std::invalid_argument).
  void step(double t, double value);
  /// Linear change from the value at t0 to `value` at t1 > t0.
  void ramp(double t0, double t1, double value);

  [[nodiscard]] double value(double t) const;
  /// Coefficients (a, b) with value(t') = a + b t' for t' in the piece that contains t.
  [[nodiscard]] std::pair<double, double> linear_at(double t) const;
  /// Times where the value or slope changes, ascending, without duplicates.
  [[nodiscard]] std::vector<double> breakpoints() const;
  [[nodiscard]] double initial() const { return pieces_.front().value; }
  [[nodiscard]] bool is_constant() const { return pieces_.size() == 1; }
  /// Largest and smallest values the lever takes at any time.
  [[nodiscard]] double max_value() const;
  [[nodiscard]] double min_value() const;
  /// A canonical text form of the pieces, for fingerprints: two schedules with the same text
  /// are the same function of time.
  [[nodiscard]] std::string canonical() const;

 private:
  struct Piece {
    double start;  ///< piece applies for t >= start (until the next piece)
    double value;  ///< value at `start`
    double slope;  ///< per month
  };
  std::vector<Piece> pieces_;
};

}  // namespace gapcast
