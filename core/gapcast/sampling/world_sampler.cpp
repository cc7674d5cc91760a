#include "gapcast/sampling/world_sampler.hpp"

#include <array>
#include <cmath>
#include <stdexcept>

#include "gapcast/sampling/random_stream.hpp"
#include "gapcast/scenario/diagnostics.hpp"
#include "gapcast/util/number_text.hpp"

namespace gapcast {

WorldSampler::WorldSampler(const World& world) : world_(&world) {
  streams_.reserve(world.parameters.size());
  for (const auto& p : world.parameters) streams_.push_back(stream_id(p.name));
  if (world.correlation) copula_members_ = world.correlation->params;
}

void WorldSampler::sample(std::uint64_t seed, std::uint64_t sample_index,
                          std::span<double> values, bool central) const {
  const auto& params = world_->parameters;
  for (std::size_t k = 0; k < params.size(); ++k) {
    values[k] = central ? 0.5 : uniform_at(seed, streams_[k], sample_index, 0);
  }
  if (!central && !copula_members_.empty()) {
    // Gather the correlated parameters' uniforms, correlate them, scatter them back.
    std::array<double, 256> small{};
    std::vector<double> large;
    std::span<double> u;
    if (copula_members_.size() <= small.size()) {
      u = std::span<double>(small.data(), copula_members_.size());
    } else {
      large.resize(copula_members_.size());
      u = large;
    }
    for (std::size_t i = 0; i < copula_members_.size(); ++i) {
      u[i] = values[static_cast<std::size_t>(copula_members_[i])];
    }
    world_->correlation->copula->apply(u);
    for (std::size_t i = 0; i < copula_members_.size(); ++i) {
      values[static_cast<std::size_t>(copula_members_[i])] = u[i];
    }
  }
  to_quantiles(sample_index, values);
}

void WorldSampler::from_point(std::span<const double> point,
                              std::span<const std::ptrdiff_t> column, std::uint64_t sample_index,
                              std::span<double> values) const {
  for (std::size_t k = 0; k < world_->parameters.size(); ++k) {
    values[k] = column[k] < 0 ? 0.5 : point[static_cast<std::size_t>(column[k])];
  }
  to_quantiles(sample_index, values);
}

void WorldSampler::to_quantiles(std::uint64_t sample_index, std::span<double> values) const {
  const auto& params = world_->parameters;
  for (std::size_t k = 0; k < params.size(); ++k) {
    const auto& p = params[k];
    const double x = p.dist.quantile(values[k]);
    if (!(x >= p.valid_min && x <= p.valid_max)) [[unlikely]] {
      // The loader admits only distributions whose whole support lies in the valid range
      // (parameter_parser.cpp), so this is an internal assertion, not an input check.
      throw std::logic_error(
          "internal error: sample " + std::to_string(sample_index) + ": parameter " + p.name +
          " drew " + (std::isfinite(x) ? format_number(x) : std::to_string(x)) + ", outside its valid range [" + format_number(p.valid_min) +
          ", " + format_number(p.valid_max) + "] " + p.unit + " (" + p.file + " " + p.pointer +
          ") although the loader checked its support; please report this with the scenario");
    }
    values[k] = x;
  }
}

}  // namespace gapcast
