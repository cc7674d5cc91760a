#include "gapcast/scenario/scenario.hpp"

#include <algorithm>

#include "gapcast/util/sha256.hpp"

namespace gapcast {

int World::index_of(std::string_view parameter_name) const {
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    if (parameters[i].name == parameter_name) return static_cast<int>(i);
  }
  return -1;
}

int World::chip_index(std::string_view chip_name) const {
  for (std::size_t i = 0; i < chips.size(); ++i) {
    if (chips[i].name == chip_name) return static_cast<int>(i);
  }
  return -1;
}

ChipLeverSchedules Policy::no_controls_chip() {
  ChipLeverSchedules out;
  for (std::size_t i = 0; i < chip_lever_count; ++i) {
    out[i] = Schedule(::gapcast::chip_levers()[i].no_controls_value);
  }
  return out;
}

std::array<Schedule, global_lever_count> Policy::no_controls_globals() {
  std::array<Schedule, global_lever_count> out;
  for (std::size_t i = 0; i < global_lever_count; ++i) {
    out[i] = Schedule(::gapcast::global_levers()[i].no_controls_value);
  }
  return out;
}

const ChipLeverSchedules& Policy::chip(std::string_view chip_name) const {
  static const ChipLeverSchedules defaults = no_controls_chip();
  const auto it = chip_levers.find(chip_name);
  return it == chip_levers.end() ? defaults : it->second;
}

Policy no_controls_policy() {
  Policy p;
  p.name = "no_controls";
  p.title = "No controls (counterfactual)";
  p.description =
      "Every chip class exportable without caps or fees, no enforcement, allied alignment, "
      "remote-access or anti-distillation measures.";
  p.fingerprint = policy_fingerprint(p);
  return p;
}

std::string policy_fingerprint(const Policy& policy) {
  // Chip entries equal to the no-controls defaults are left out, so that naming a chip with
  // default levers and not naming it give the same fingerprint.
  static const std::string defaults = [] {
    std::string text;
    for (const auto& s : Policy::no_controls_chip()) text += s.canonical() + "|";
    return text;
  }();
  std::string text = "globals:";
  for (const auto& s : policy.global_levers) text += s.canonical() + "|";
  for (const auto& [name, schedules] : policy.chip_levers) {
    std::string chip;
    for (const auto& s : schedules) chip += s.canonical() + "|";
    if (chip != defaults) text += "chip " + name + ":" + chip;
  }
  return sha256_hex(text);
}

nlohmann::ordered_json to_json(const SourceFile& file) {
  nlohmann::ordered_json j;
  j["role"] = file.role;
  j["display_name"] = file.display_name;
  j["path"] = file.path;
  j["sha256"] = file.sha256;
  return j;
}

}  // namespace gapcast
