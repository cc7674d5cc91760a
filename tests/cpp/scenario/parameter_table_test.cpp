// The parameter table: one row per sampled parameter, with the distribution's own quantiles.
#include <gtest/gtest.h>

#include "gapcast/scenario/parameter_table.hpp"
#include "test_support.hpp"

namespace gapcast {
namespace {

TEST(ParameterTable, OneRowPerParameterWithCentralValueAndInterval) {
  const auto s = testing::load_one("scenarios/baseline.json");
  const auto rows = parameter_rows(*s.world);
  ASSERT_EQ(rows.size(), s.world->parameters.size());
  const auto& densing = rows[static_cast<std::size_t>(P::densing_doubling_months)];
  EXPECT_EQ(densing.name, "densing_doubling_months");
  EXPECT_EQ(densing.group, "world");
  EXPECT_EQ(densing.unit, "months");
  EXPECT_NEAR(densing.median, 3.5, 1e-12);
  EXPECT_NEAR(densing.p5, 2.8, 1e-9);
  EXPECT_NEAR(densing.p95, 6.0, 1e-9);
  EXPECT_FALSE(densing.fixed);
  EXPECT_NE(densing.source.find("Densing"), std::string::npos);
  // Chip fields carry their class as the group.
  bool found = false;
  for (const auto& r : rows) {
    if (r.name == "chips.h20.tpp") {
      found = true;
      EXPECT_EQ(r.group, "chip h20");
      EXPECT_TRUE(r.fixed);
      EXPECT_EQ(r.median, 2368.0);
    }
  }
  EXPECT_TRUE(found);
}

TEST(ParameterTable, EveryShippedParameterHasASource) {
  const auto s = testing::load_one("scenarios/baseline.json");
  for (const auto& r : parameter_rows(*s.world)) EXPECT_FALSE(r.source.empty()) << r.name;
}

TEST(ParameterTable, RenderingsListEveryParameter) {
  const auto s = testing::load_one("scenarios/baseline.json");
  const auto md = parameter_table_markdown(*s.world);
  const auto csv = parameter_table_csv(*s.world);
  for (const auto& p : s.world->parameters) {
    EXPECT_NE(md.find("`" + p.name + "`"), std::string::npos) << p.name;
    EXPECT_NE(csv.find(p.name + ","), std::string::npos) << p.name;
  }
}

}  // namespace
}  // namespace gapcast
