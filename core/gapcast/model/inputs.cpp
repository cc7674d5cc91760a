// Turning one sample's parameter values into the quantities the equations use, and the state
// vector's layout.
#include <cmath>

#include "gapcast/model/model.hpp"

namespace gapcast {

double months_of_progress(double ratio, double doubling_months) {
  return std::log2(ratio) * doubling_months;
}

std::string_view channel_name(Channel c) {
  switch (c) {
    case Channel::licensed: return "licensed";
    case Channel::smuggled: return "smuggled";
    case Channel::domestic: return "domestic";
    case Channel::remote: return "remote";
    default: return "?";
  }
}

StateLayout StateLayout::for_world(const World& world) {
  StateLayout layout;
  for (std::size_t i = 0; i < world.chips.size(); ++i) {
    (world.chips[i].origin == ChipOrigin::foreign ? layout.foreign : layout.domestic)
        .push_back(static_cast<int>(i));
  }
  layout.lines = world.lines.size();
  return layout;
}

std::string StateLayout::state_name(std::size_t index, const World& world) const {
  const std::size_t nf = foreign.size(), nd = domestic.size();
  auto chip = [&](int i) { return world.chips[static_cast<std::size_t>(i)].name; };
  if (index < nf) return "licensed stock of " + chip(foreign[index]);
  if (index < 2 * nf) return "smuggled stock of " + chip(foreign[index - nf]);
  if (index < 3 * nf) return "rented capacity of " + chip(foreign[index - 2 * nf]);
  if (index < 4 * nf) return "US stock of " + chip(foreign[index - 3 * nf]);
  if (index < 4 * nf + nd) return "domestic stock of " + chip(domestic[index - 4 * nf]);
  if (index < smuggling_flow()) {
    const std::size_t l = (index - 4 * nf - nd) / 3;
    static const char* what[] = {"output rate", "wafer bound", "HBM bound"};
    return std::string(what[(index - 4 * nf - nd) % 3]) + " of production line " +
           world.lines[l].name;
  }
  if (index == smuggling_flow()) return "smuggling flow";
  if (index == software_training()) return "target training software index";
  if (index == software_inference()) return "target inference software index";
  if (index == growth_fade()) return "growth-rate fade";
  if (index == demand_level()) return "foreign demand level";
  if (index == frontier_level()) return "US stock trend level";
  if (index == power_intensity()) return "US watts per H100e (relative)";
  if (index == serving_excess()) return "target distillation serving gain";
  return "offshore capacity level";
}

ModelInputs ModelInputs::from_sample(const World& world, std::span<const double> values) {
  ModelInputs in;
  for (std::size_t k = 0; k < global_parameter_count; ++k) in.p[k] = values[k];

  const std::size_t n = world.chips.size();
  in.train_h100e.assign(n, 0.0);
  in.infer_h100e.assign(n, 0.0);
  in.demand_weight.assign(n, 0.0);
  in.frontier_share.assign(n, 0.0);
  in.initial_licensed.assign(n, 0.0);
  in.initial_smuggled.assign(n, 0.0);
  in.initial_domestic.assign(n, 0.0);
  auto value = [&](const ChipClass& c, ChipField f) {
    const int idx = c.param[static_cast<std::size_t>(f)];
    return idx < 0 ? 0.0 : values[static_cast<std::size_t>(idx)];
  };
  double share_total = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto& c = world.chips[i];
    in.train_h100e[i] = value(c, ChipField::tpp) / h100_tpp;
    in.infer_h100e[i] = value(c, ChipField::memory_bandwidth_tbps) / h100_bandwidth_tbps;
    if (c.origin == ChipOrigin::foreign) {
      in.demand_weight[i] = value(c, ChipField::demand_weight);
      in.frontier_share[i] = value(c, ChipField::frontier_initial_share);
      share_total += in.frontier_share[i];
      in.initial_licensed[i] = value(c, ChipField::initial_licensed);
      in.initial_smuggled[i] = value(c, ChipField::initial_smuggled);
    } else {
      in.initial_domestic[i] = value(c, ChipField::initial_domestic);
    }
  }
  // The shares are relative weights; with all zero the US stock is spread evenly.
  for (std::size_t i = 0; i < n; ++i) {
    if (world.chips[i].origin != ChipOrigin::foreign) continue;
    in.frontier_share[i] = share_total > 0.0 ? in.frontier_share[i] / share_total : 0.0;
  }
  if (share_total <= 0.0) {
    std::size_t nf = 0;
    for (const auto& c : world.chips) nf += c.origin == ChipOrigin::foreign ? 1 : 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (world.chips[i].origin == ChipOrigin::foreign) in.frontier_share[i] = 1.0 / double(nf);
    }
  }
  in.line_output_0.assign(world.lines.size(), 0.0);
  for (std::size_t l = 0; l < world.lines.size(); ++l) {
    const int idx = world.lines[l].param[0];
    in.line_output_0[l] = idx < 0 ? 0.0 : values[static_cast<std::size_t>(idx)] / 12.0;
  }
  return in;
}

}  // namespace gapcast
