// The Saltelli design: SALib's row order, group columns taken from B (or A), and the
// refusals that name what to do.
#include "gapcast/sensitivity/saltelli_design.hpp"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "gapcast/sensitivity/sobol_sequence.hpp"
#include "test_support.hpp"

namespace {

using namespace gapcast::sensitivity;

using gapcast::testing::message_of;

TEST(SaltelliDesign, RowsFollowSalibsOrder) {
  const auto groups = ParameterGroups::singletons({"x1", "x2", "x3"});
  for (const bool second : {false, true}) {
    const SaltelliDesign design = saltelli_design(groups, {8, second, true, 5});
    const SaltelliLayout& l = design.layout;
    ASSERT_EQ(l.rows(), 8u * (second ? 8u : 5u));
    ASSERT_EQ(design.points.size(), l.rows() * 3);
    const SobolSequence sobol(6, 5);
    for (std::size_t j = 0; j < 8; ++j) {
      const auto base = sobol.point(j);  // A = first 3 coordinates, B = last 3
      for (std::size_t c = 0; c < 3; ++c) {
        EXPECT_EQ(design.at(j * l.rows_per_base(), c), base[c]);
        EXPECT_EQ(design.at(j * l.rows_per_base() + l.rows_per_base() - 1, c), base[3 + c]);
        for (std::size_t g = 0; g < 3; ++g) {
          EXPECT_EQ(design.at(j * l.rows_per_base() + 1 + g, c), c == g ? base[3 + c] : base[c]);
          if (second) {
            EXPECT_EQ(design.at(j * l.rows_per_base() + 4 + g, c),
                      c == g ? base[c] : base[3 + c]);
          }
        }
      }
    }
  }
}

TEST(SaltelliDesign, AGroupSwitchesAllItsColumnsTogether) {
  const auto groups = ParameterGroups::from_members({"x1", "x2", "x3"},
                                                    {{"x1 and x3", {"x3", "x1"}}, {"x2", {"x2"}}});
  const SaltelliDesign design = saltelli_design(groups, {4, true, true, 1});
  const SaltelliLayout& l = design.layout;
  ASSERT_EQ(l.rows_per_base(), 6u);  // A, AB_1, AB_2, BA_1, BA_2, B
  for (std::size_t j = 0; j < 4; ++j) {
    const auto at = [&](std::size_t row, std::size_t c) { return design.at(row, c); };
    for (std::size_t c = 0; c < 3; ++c) {
      const bool in_first = c != 1;
      EXPECT_EQ(at(l.row_ab(j, 0), c), in_first ? at(l.row_b(j), c) : at(l.row_a(j), c));
      EXPECT_EQ(at(l.row_ab(j, 1), c), in_first ? at(l.row_a(j), c) : at(l.row_b(j), c));
      EXPECT_EQ(at(l.row_ba(j, 0), c), in_first ? at(l.row_a(j), c) : at(l.row_b(j), c));
    }
  }
}

TEST(SaltelliDesign, UnscrambledBaseIsTheSobolSequenceFromPointZero) {
  const auto groups = ParameterGroups::singletons({"a", "b"});
  const SaltelliDesign design = saltelli_design(groups, {4, false, false, 0});
  const SobolSequence sobol(4);
  for (std::size_t j = 0; j < 4; ++j) {
    const auto base = sobol.point(j);
    EXPECT_EQ(design.at(design.layout.row_a(j), 1), base[1]);
    EXPECT_EQ(design.at(design.layout.row_b(j), 0), base[2]);
  }
}

TEST(SaltelliDesign, RefusesABaseCountThatIsNotAPowerOfTwoNamingTheNextOne) {
  const auto groups = ParameterGroups::singletons({"x1", "x2"});
  const std::string m = message_of([&] { saltelli_design(groups, {1000, false, true, 0}); });
  EXPECT_NE(m.find("N = 1000 is not a power of two"), std::string::npos) << m;
  EXPECT_NE(m.find("use N = 1024"), std::string::npos) << m;
  EXPECT_NE(message_of([&] { saltelli_design(groups, {5000, false, true, 0}); }).find("8192"),
            std::string::npos);
  EXPECT_THROW(saltelli_design(groups, {1, false, true, 0}), std::invalid_argument);
  EXPECT_THROW(saltelli_design(groups, {0, false, true, 0}), std::invalid_argument);
  EXPECT_EQ(next_power_of_two(1025), 2048u);
  EXPECT_EQ(next_power_of_two(1024), 1024u);
}

TEST(SaltelliDesign, RefusesOverlappingOrMissingGroupsNamingTheParameter) {
  const std::string twice = message_of([] {
    ParameterGroups::from_members({"x1", "x2", "x3"}, {{"g1", {"x1", "x2"}}, {"g2", {"x2", "x3"}}});
  });
  EXPECT_NE(twice.find("\"x2\" is in two groups"), std::string::npos) << twice;
  const std::string none = message_of([] {
    ParameterGroups::from_members({"x1", "x2", "x3"}, {{"g1", {"x1", "x3"}}});
  });
  EXPECT_NE(none.find("\"x2\" is in no group"), std::string::npos) << none;
}

TEST(SaltelliDesign, IsTheSameForAnyThreadCount) {
  const auto groups = ParameterGroups::singletons({"a", "b", "c", "d"});
  SaltelliDesign one, two;
  tbb::task_arena(1).execute([&] { one = saltelli_design(groups, {2048, true, true, 3}); });
  tbb::task_arena(2).execute([&] { two = saltelli_design(groups, {2048, true, true, 3}); });
  EXPECT_EQ(one.points, two.points);
}

}  // namespace
