// Morris: the trajectory design's structure, exact elementary effects of a linear model,
// groups, refusals, and bit-identity across thread counts.
#include "gapcast/sensitivity/morris.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <cmath>
#include <functional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using namespace gapcast::sensitivity;

using gapcast::testing::message_of;

std::vector<double> evaluate(const MorrisDesign& design,
                             const std::function<double(const double*)>& model) {
  std::vector<double> y(design.rows());
  for (std::size_t r = 0; r < y.size(); ++r) y[r] = model(&design.points[r * design.parameters]);
  return y;
}

TEST(MorrisDesign, EachStepMovesOneGroupByDeltaOnTheGrid) {
  const auto groups = ParameterGroups::from_members(
      {"a", "b", "c", "d"}, {{"ab", {"a", "b"}}, {"c", {"c"}}, {"d", {"d"}}});
  const MorrisDesign design = morris_design(groups, {50, 6, 3});
  ASSERT_EQ(design.rows(), 50u * 4u);
  EXPECT_DOUBLE_EQ(design.delta, 0.6);  // 6 / (2 * 5)
  for (const double v : design.points) {
    const double level = v * 5;
    EXPECT_EQ(level, std::round(level));
    EXPECT_GE(v, 0.0);
    EXPECT_LE(v, 1.0);
  }
  for (std::size_t t = 0; t < 50; ++t) {
    std::set<std::size_t> moved_groups;
    for (std::size_t s = 0; s < 3; ++s) {
      std::set<std::size_t> moved;
      for (std::size_t p = 0; p < 4; ++p) {
        const double change = design.at(t * 4 + s + 1, p) - design.at(t * 4 + s, p);
        if (change == 0.0) continue;
        EXPECT_NEAR(std::abs(change), design.delta, 1e-12);
        moved.insert(groups.group_of(p));
      }
      ASSERT_EQ(moved.size(), 1u) << "trajectory " << t << " step " << s;
      moved_groups.insert(*moved.begin());
    }
    EXPECT_EQ(moved_groups.size(), 3u);  // every group moves once
  }
}

TEST(MorrisIndices, ALinearModelHasEffectsEqualToItsCoefficients) {
  const std::vector<double> c = {3.0, -2.0, 0.5, 0.0};
  const auto groups = ParameterGroups::singletons({"a", "b", "c", "d"});
  const MorrisDesign design = morris_design(groups, {40, 4, 1});
  const auto y = evaluate(design, [&](const double* x) {
    return c[0] * x[0] + c[1] * x[1] + c[2] * x[2] + c[3] * x[3];
  });
  const MorrisIndices m = morris_indices(groups, design.points, y, {4, 200, 0.95, 2});
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_NEAR(m.mu_star[i], std::abs(c[i]), 1e-12) << i;
    EXPECT_NEAR(m.mu[i], c[i], 1e-12) << i;
    EXPECT_NEAR(m.sigma[i], 0.0, 1e-12) << i;
    EXPECT_NEAR(m.mu_star_conf[i], 0.0, 1e-12) << i;
  }
}

TEST(MorrisIndices, InteractionsShowAsSigmaAndGroupsAsMeans) {
  const auto groups = ParameterGroups::from_members({"a", "b", "c"},
                                                    {{"ab", {"a", "b"}}, {"c", {"c"}}});
  const MorrisDesign design = morris_design(groups, {64, 4, 5});
  const auto y = evaluate(design, [](const double* x) { return x[0] * x[2] + 2 * x[1]; });
  const MorrisIndices m = morris_indices(groups, design.points, y, {4, 200, 0.95, 2});
  ASSERT_EQ(m.mu_star.size(), 2u);
  EXPECT_TRUE(std::isnan(m.sigma[0]));  // a group of two reports no sigma (as SALib)
  EXPECT_GT(m.sigma[1], 0.05);         // c's effect depends on a
  EXPECT_GT(m.mu_star[0], m.mu_star[1]);
  EXPECT_GT(m.mu_star_conf[1], 0.0);
}

TEST(MorrisIndices, AreTheSameForAnyThreadCount) {
  const auto groups = ParameterGroups::singletons({"a", "b", "c"});
  MorrisDesign d1, d2;
  tbb::task_arena(1).execute([&] { d1 = morris_design(groups, {100, 4, 8}); });
  tbb::task_arena(2).execute([&] { d2 = morris_design(groups, {100, 4, 8}); });
  ASSERT_EQ(d1.points, d2.points);
  const auto y = evaluate(d1, [](const double* x) { return std::sin(6 * x[0]) * x[1] + x[2]; });
  MorrisIndices one, two;
  tbb::task_arena(1).execute([&] { one = morris_indices(groups, d1.points, y); });
  tbb::task_arena(2).execute([&] { two = morris_indices(groups, d1.points, y); });
  EXPECT_EQ(one.mu_star, two.mu_star);
  EXPECT_EQ(one.mu_star_conf, two.mu_star_conf);
  EXPECT_NE(morris_design(groups, {100, 4, 9}).points, d1.points);
}

TEST(MorrisIndices, RefusesDesignsThatDoNotFit) {
  const auto singles = ParameterGroups::singletons({"a", "b", "c"});
  const auto grouped = ParameterGroups::from_members({"a", "b", "c"},
                                                     {{"ab", {"a", "b"}}, {"c", {"c"}}});
  const MorrisDesign design = morris_design(grouped, {6, 4, 1});
  const std::vector<double> y(design.rows(), 1.0);
  // A grouped design read with singleton groups: sizes do not fit (3 rows per trajectory, not 4).
  EXPECT_THROW(morris_indices(singles, design.points, y), std::invalid_argument);
  // A step that moves a (group "ab") and c together is not a step of this design.
  const double t = 2.0 / 3.0;
  const std::vector<double> x = {0, 0, 0, t, t, 0, t, t, t,   // a valid trajectory
                                 0, 0, 0, t, 0, t, t, t, t};  // step 1 moves a and c
  const std::string m = message_of(
      [&] { morris_indices(grouped, x, std::vector<double>{1, 2, 3, 4, 5, 6}); });
  EXPECT_NE(m.find("trajectory 1, step 1 changes parameters of groups \"ab\" and \"c\""),
            std::string::npos)
      << m;
  EXPECT_NE(message_of([&] { morris_design(singles, {5, 5, 1}); }).find("even"),
            std::string::npos);
  EXPECT_THROW(morris_design(singles, {0, 4, 1}), std::invalid_argument);
}

}  // namespace
