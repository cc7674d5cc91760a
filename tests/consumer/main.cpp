// Loads a shipped scenario and runs its central sample through the installed library: if the
// headers, the exported target or its dependencies were incomplete, this would not build or
// link. Prints the training gap in the last month.
#include <iostream>

#include "gapcast/metrics/metrics.hpp"
#include "gapcast/run/monte_carlo.hpp"
#include "gapcast/scenario/loader.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer SCENARIO.json\n";
    return 2;
  }
  const auto loaded = gapcast::load_scenarios({argv[1]}, gapcast::LoadOptions{});
  gapcast::RunOptions options;
  options.central = true;
  const gapcast::Results results = gapcast::run(loaded.scenarios, options);
  const int metric = results.metric_index("gap_training");
  const double gap = results.series_value(0, static_cast<std::size_t>(metric),
                                          results.dates.size() - 1, 0);
  std::cout << results.scenarios.front().name << " " << results.dates.back() << " gap_training "
            << gap << "\n";
  return gap > 0.0 ? 0 : 1;
}
