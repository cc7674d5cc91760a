// Sample designs replace a run's random draws by given points: a row of medians is the central
// world, rows map through the quantile functions, and a bad design is refused by name.
#include <gtest/gtest.h>

#include <cstring>

#include "gapcast/run/monte_carlo.hpp"
#include "gapcast/run/sample_design.hpp"
#include "test_support.hpp"

namespace gapcast {
namespace {

using testing::load_one;

std::vector<std::string> uncertain(const World& world) {
  std::vector<std::string> out;
  for (const auto& p : world.parameters) {
    if (!p.dist.is_point()) out.push_back(p.name);
  }
  return out;
}

TEST(SampleDesign, ARowOfMediansIsTheCentralWorld) {
  const auto s = load_one("scenarios/baseline.json");
  SampleDesign design;
  design.parameters = uncertain(*s.world);
  design.rows = 3;
  design.points.assign(design.rows * design.parameters.size(), 0.5);
  RunOptions options;
  options.samples = 3;
  options.horizon = {2029, 12};
  RunContext context;
  context.design = &design;
  const auto from_design = run({s}, options, nullptr, context);
  RunOptions central = options;
  central.central = true;
  const auto median = run({s}, central);
  // Three identical rows summarise to the central run's value at every quantile.
  const std::size_t months = from_design.dates.size();
  for (std::size_t k = 0; k < months; ++k) {
    EXPECT_DOUBLE_EQ(from_design.series_value(0, 0, k, 3), median.series_value(0, 0, k, 3));
  }
}

TEST(SampleDesign, ColumnsFollowTheParameterNamesAndTheRestStayAtTheMedian) {
  const auto s = load_one("scenarios/baseline.json");
  SampleDesign design;
  design.parameters = {"target_lag_months"};
  design.rows = 1;
  design.points = {0.25};
  const auto columns = design_columns(design, {s.world});
  ASSERT_EQ(columns.size(), 1u);
  std::size_t mapped = 0;
  for (std::size_t k = 0; k < s.world->parameters.size(); ++k) {
    if (s.world->parameters[k].name == "target_lag_months") {
      EXPECT_EQ(columns[0][k], 0);
      ++mapped;
    } else {
      EXPECT_EQ(columns[0][k], -1);
    }
  }
  EXPECT_EQ(mapped, 1u);
  WorldSampler sampler(*s.world);
  std::vector<double> values(sampler.size());
  sampler.from_point(design.row(0), columns[0], 0, values);
  for (std::size_t k = 0; k < values.size(); ++k) {
    const auto& p = s.world->parameters[k];
    EXPECT_DOUBLE_EQ(values[k], p.dist.quantile(p.name == "target_lag_months" ? 0.25 : 0.5))
        << p.name;
  }
}

TEST(SampleDesign, ABadDesignIsRefusedByName) {
  const auto s = load_one("scenarios/baseline.json");
  SampleDesign design;
  design.parameters = {"target_lag_month"};
  design.rows = 1;
  design.points = {0.5};
  try {
    design_columns(design, {s.world});
    FAIL() << "an unknown column was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("did you mean \"target_lag_months\""), std::string::npos)
        << e.what();
  }
  design.parameters = {"target_lag_months", "target_lag_months"};
  design.points = {0.5, 0.5};
  EXPECT_THROW(design_columns(design, {s.world}), std::invalid_argument);
  design.parameters = {"target_lag_months"};
  design.points = {0.0};
  EXPECT_THROW(design_columns(design, {s.world}), std::invalid_argument);
  design.points = {0.5, 0.5};
  EXPECT_THROW(design_columns(design, {s.world}), std::invalid_argument);  // size mismatch
  // The run checks that it evaluates exactly the design's rows.
  design.points = {0.5};
  RunOptions options;
  options.samples = 2;
  RunContext context;
  context.design = &design;
  EXPECT_THROW(run({s}, options, nullptr, context), RunOptionError);
}

}  // namespace
}  // namespace gapcast
