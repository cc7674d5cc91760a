#pragma once
/// Drawing one world: every parameter's value for one Monte Carlo sample.
///
/// Parameter k's uniform for sample i is uniform_at(seed, stream_id(name_k), i, 0): it depends
/// on nothing but the seed, the parameter's name and the sample index. Correlated parameters
/// then pass through the world's Gaussian copula, and every value through its distribution's
/// quantile function. Consequences:
///   * any thread can draw any sample (bit-identical for every thread count);
///   * the first N samples of a 2N-sample run are the N-sample run;
///   * two scenarios that share a parameter name share its draws, even if one of them changes
///     the parameter's distribution (common random numbers by quantile coupling);
///   * the central world (every median) is the draw with all uniforms equal to 0.5.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "gapcast/scenario/scenario.hpp"

namespace gapcast {

class WorldSampler {
 public:
  explicit WorldSampler(const World& world);

  [[nodiscard]] std::size_t size() const { return streams_.size(); }
  /// Fills `values` (size() entries, World::parameters order) for one sample. `central` gives
  /// the median world regardless of seed and sample. Throws SimulationError if a draw falls
  /// outside the parameter's valid range (possible only in far tails of unbounded forms).
  void sample(std::uint64_t seed, std::uint64_t sample_index, std::span<double> values,
              bool central = false) const;

  /// Fills `values` from given points of the unit cube instead of the random streams (a
  /// sensitivity design, run/sample_design.hpp): parameter k takes point[column[k]], or its
  /// median when column[k] < 0. No copula is applied: a design's coordinates are independent
  /// by construction, and the analysis that reads it assumes exactly that. `sample_index`
  /// only names the row in error messages.
  void from_point(std::span<const double> point, std::span<const std::ptrdiff_t> column,
                  std::uint64_t sample_index, std::span<double> values) const;

 private:
  /// Maps uniforms in `values` through each parameter's quantile function, in place.
  void to_quantiles(std::uint64_t sample_index, std::span<double> values) const;

  const World* world_;
  std::vector<std::uint64_t> streams_;
  std::vector<int> copula_members_;
};

}  // namespace gapcast
