#include "gapcast/run/sample_design.hpp"

#include <stdexcept>
#include <unordered_map>

#include "gapcast/util/suggest.hpp"

namespace gapcast {

std::vector<std::vector<std::ptrdiff_t>> design_columns(
    const SampleDesign& design, const std::vector<std::shared_ptr<const World>>& worlds) {
  if (design.points.size() != design.rows * design.parameters.size()) {
    throw std::invalid_argument("sample design: " + std::to_string(design.points.size()) +
                                " coordinates for " + std::to_string(design.rows) + " rows of " +
                                std::to_string(design.parameters.size()) + " columns");
  }
  for (double u : design.points) {
    if (!(u > 0.0 && u < 1.0)) {
      throw std::invalid_argument("sample design: a coordinate lies outside (0, 1): " +
                                  std::to_string(u));
    }
  }
  std::unordered_map<std::string, std::ptrdiff_t> column_of;
  for (std::size_t c = 0; c < design.parameters.size(); ++c) {
    if (!column_of.emplace(design.parameters[c], static_cast<std::ptrdiff_t>(c)).second) {
      throw std::invalid_argument("sample design: parameter \"" + design.parameters[c] +
                                  "\" names two columns");
    }
  }
  std::vector<std::vector<std::ptrdiff_t>> out;
  std::vector<std::string> known;
  std::unordered_map<std::string, bool> used;
  for (const auto& world : worlds) {
    auto& columns = out.emplace_back();
    for (const auto& p : world->parameters) {
      const auto it = column_of.find(p.name);
      columns.push_back(it == column_of.end() ? -1 : it->second);
      if (it != column_of.end()) used[p.name] = true;
      known.push_back(p.name);
    }
  }
  for (const auto& name : design.parameters) {
    if (!used.contains(name)) {
      std::string message = "sample design: no world of the run has a parameter \"" + name + "\"";
      if (const auto close = closest_match(name, known)) message += "; did you mean \"" + *close + "\"?";
      throw std::invalid_argument(message);
    }
  }
  return out;
}

}  // namespace gapcast
