#pragma once
/// Which parameters move together in a sensitivity design: G groups over D parameters.
///
/// A group's index measures the parameters of the group switched together (for Sobol' indices,
/// the closed index of the group; for Morris, one step moves the whole group). Without groups
/// every parameter is its own group, named after it. Each parameter belongs to exactly one
/// group; the factories refuse anything else with a message that names the parameter, because
/// a parameter silently left out (or counted twice) would make every index wrong.
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace gapcast::sensitivity {

class ParameterGroups {
 public:
  /// Every parameter its own group, in the given order. Names must be unique and non-empty.
  static ParameterGroups singletons(std::vector<std::string> parameter_names);

  /// Groups given by their members, in the given order. Throws std::invalid_argument for an
  /// unknown parameter (with a suggestion), a parameter in two groups or in none (named), an
  /// empty group or a repeated group name.
  static ParameterGroups from_members(
      std::vector<std::string> parameter_names,
      const std::vector<std::pair<std::string, std::vector<std::string>>>& groups);

  /// Groups given as one label per parameter (SALib's problem["groups"]); the groups are
  /// ordered by first appearance of their label, as SALib orders them.
  static ParameterGroups from_labels(std::vector<std::string> parameter_names,
                                     const std::vector<std::string>& labels);

  std::size_t parameter_count() const noexcept { return parameter_names_.size(); }
  std::size_t group_count() const noexcept { return group_names_.size(); }
  const std::string& parameter_name(std::size_t parameter) const {
    return parameter_names_.at(parameter);
  }
  const std::string& group_name(std::size_t group) const { return group_names_.at(group); }
  /// The group of a parameter.
  std::size_t group_of(std::size_t parameter) const { return group_of_.at(parameter); }
  /// The parameters of a group, ascending.
  const std::vector<std::size_t>& members(std::size_t group) const { return members_.at(group); }
  const std::vector<std::string>& group_names() const noexcept { return group_names_; }
  const std::vector<std::string>& parameter_names() const noexcept { return parameter_names_; }

 private:
  ParameterGroups() = default;

  std::vector<std::string> parameter_names_;
  std::vector<std::string> group_names_;
  std::vector<std::size_t> group_of_;
  std::vector<std::vector<std::size_t>> members_;
};

}  // namespace gapcast::sensitivity
