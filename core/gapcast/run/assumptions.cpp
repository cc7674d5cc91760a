#include "gapcast/run/assumptions.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "gapcast/scenario/parameter_table.hpp"

namespace gapcast {

std::string assumptions_json(const std::vector<Scenario>& scenarios,
                             const std::vector<std::shared_ptr<const World>>& worlds) {
  nlohmann::ordered_json j;
  nlohmann::ordered_json world_list = nlohmann::ordered_json::array();
  for (const auto& w : worlds) {
    nlohmann::ordered_json entry;
    entry["name"] = w->name;
    entry["title"] = w->title;
    entry["description"] = w->description;
    entry["start"] = format_year_month(w->start);
    entry["fingerprint"] = w->fingerprint;
    entry["parameters"] = nlohmann::ordered_json::parse(parameter_table_json(*w));
    world_list.push_back(entry);
  }
  j["worlds"] = world_list;
  nlohmann::ordered_json policy_list = nlohmann::ordered_json::array();
  std::vector<std::string> seen;
  for (const auto& s : scenarios) {
    if (std::find(seen.begin(), seen.end(), s.policy->fingerprint) != seen.end()) continue;
    seen.push_back(s.policy->fingerprint);
    nlohmann::ordered_json entry;
    entry["name"] = s.policy->name;
    entry["title"] = s.policy->title;
    entry["description"] = s.policy->description;
    entry["fingerprint"] = s.policy->fingerprint;
    policy_list.push_back(entry);
  }
  j["policies"] = policy_list;
  return j.dump(1) + "\n";
}


}  // namespace gapcast
