#pragma once
/// A sample design: given points of the unit cube that replace a run's random draws.
///
/// A global-sensitivity analysis evaluates the model at points a design chooses (Saltelli's
/// A/B/AB blocks, Morris trajectories), not at random draws: row i of the design is sample i
/// of the run, and its coordinates go through each parameter's quantile function as a drawn
/// uniform would (WorldSampler::from_point). Columns are named by parameter; a world parameter
/// the design leaves out is held at its median. No copula is applied: the estimators assume
/// independent coordinates, and the sensitivity run says so when the world has correlations.
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "gapcast/scenario/scenario.hpp"

namespace gapcast {

struct SampleDesign {
  std::vector<std::string> parameters;  ///< the columns: world parameter names
  std::size_t rows = 0;
  std::vector<double> points;  ///< rows x parameters, row-major, each in (0, 1)

  [[nodiscard]] std::span<const double> row(std::size_t i) const {
    return {points.data() + i * parameters.size(), parameters.size()};
  }
};

/// For each world, the design column of each of its parameters (-1: not in the design).
/// Throws std::invalid_argument when a column names no parameter of any world (with a
/// suggestion), when a column is named twice, or when a point lies outside (0, 1) (a
/// quantile function is not finite at 0 or 1 for unbounded distributions).
std::vector<std::vector<std::ptrdiff_t>> design_columns(
    const SampleDesign& design, const std::vector<std::shared_ptr<const World>>& worlds);

}  // namespace gapcast
