#include "gapcast/sensitivity/parameter_groups.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>

#include "gapcast/util/suggest.hpp"

namespace gapcast::sensitivity {
namespace {

// Index of each name; refuses empty or repeated names, which would make groups ambiguous.
std::map<std::string, std::size_t> index_names(const std::vector<std::string>& names,
                                               const char* what) {
  if (names.empty()) throw std::invalid_argument(std::string("no ") + what + "s given");
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) {
      throw std::invalid_argument(std::string(what) + " " + std::to_string(i + 1) +
                                  " has an empty name");
    }
    if (!index.emplace(names[i], i).second) {
      throw std::invalid_argument(std::string(what) + " \"" + names[i] +
                                  "\" is named twice");
    }
  }
  return index;
}

std::string unknown_parameter(const std::string& name, const std::string& group,
                              const std::vector<std::string>& parameters) {
  std::string message = "group \"" + group + "\" names \"" + name + "\", which is not a parameter";
  if (const auto guess = closest_match(name, parameters)) {
    message += " (did you mean \"" + *guess + "\"?)";
  }
  return message;
}

}  // namespace

ParameterGroups ParameterGroups::singletons(std::vector<std::string> parameter_names) {
  index_names(parameter_names, "parameter");
  ParameterGroups g;
  g.group_names_ = parameter_names;
  g.parameter_names_ = std::move(parameter_names);
  for (std::size_t i = 0; i < g.parameter_names_.size(); ++i) {
    g.group_of_.push_back(i);
    g.members_.push_back({i});
  }
  return g;
}

ParameterGroups ParameterGroups::from_members(
    std::vector<std::string> parameter_names,
    const std::vector<std::pair<std::string, std::vector<std::string>>>& groups) {
  const auto parameters = index_names(parameter_names, "parameter");
  std::vector<std::string> group_names;
  for (const auto& [name, members] : groups) group_names.push_back(name);
  index_names(group_names, "group");

  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  ParameterGroups g;
  g.group_of_.assign(parameter_names.size(), kNone);
  for (std::size_t k = 0; k < groups.size(); ++k) {
    const auto& [name, members] = groups[k];
    if (members.empty()) throw std::invalid_argument("group \"" + name + "\" has no parameter");
    std::vector<std::size_t> indices;
    for (const auto& member : members) {
      const auto found = parameters.find(member);
      if (found == parameters.end()) {
        throw std::invalid_argument(unknown_parameter(member, name, parameter_names));
      }
      std::size_t& owner = g.group_of_[found->second];
      if (owner != kNone) {
        throw std::invalid_argument("parameter \"" + member + "\" is in two groups: \"" +
                                    group_names[owner] + "\" and \"" + name + "\"");
      }
      owner = k;
      indices.push_back(found->second);
    }
    std::sort(indices.begin(), indices.end());
    g.members_.push_back(std::move(indices));
  }
  for (std::size_t i = 0; i < parameter_names.size(); ++i) {
    if (g.group_of_[i] == kNone) {
      throw std::invalid_argument("parameter \"" + parameter_names[i] +
                                  "\" is in no group; every parameter needs exactly one (a "
                                  "group of its own if it moves alone)");
    }
  }
  g.group_names_ = std::move(group_names);
  g.parameter_names_ = std::move(parameter_names);
  return g;
}

ParameterGroups ParameterGroups::from_labels(std::vector<std::string> parameter_names,
                                             const std::vector<std::string>& labels) {
  if (labels.size() != parameter_names.size()) {
    throw std::invalid_argument("one group label per parameter is needed: " +
                                std::to_string(parameter_names.size()) + " parameters, " +
                                std::to_string(labels.size()) + " labels");
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const auto same = [&](const auto& group) { return group.first == labels[i]; };
    auto it = std::find_if(groups.begin(), groups.end(), same);
    if (it == groups.end()) it = groups.insert(groups.end(), {labels[i], {}});
    it->second.push_back(parameter_names[i]);
  }
  return from_members(std::move(parameter_names), groups);
}

}  // namespace gapcast::sensitivity
