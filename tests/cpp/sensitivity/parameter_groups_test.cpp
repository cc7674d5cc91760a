// Parameter groups: each parameter in exactly one group, and refusals that name it.
#include "gapcast/sensitivity/parameter_groups.hpp"
#include "test_support.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <stdexcept>
#include <string>

namespace {

using gapcast::sensitivity::ParameterGroups;

using gapcast::testing::message_of;

TEST(ParameterGroups, SingletonsNameEachGroupAfterItsParameter) {
  const auto g = ParameterGroups::singletons({"a", "b"});
  EXPECT_EQ(g.group_count(), 2u);
  EXPECT_EQ(g.group_name(1), "b");
  EXPECT_EQ(g.group_of(1), 1u);
}

TEST(ParameterGroups, LabelsGroupInOrderOfFirstAppearanceLikeSalib) {
  const auto g = ParameterGroups::from_labels({"a", "b", "c", "d"}, {"late", "early", "late", "x"});
  ASSERT_EQ(g.group_count(), 3u);
  EXPECT_EQ(g.group_names(), (std::vector<std::string>{"late", "early", "x"}));
  EXPECT_EQ(g.members(0), (std::vector<std::size_t>{0, 2}));
  EXPECT_EQ(g.group_of(1), 1u);
}

TEST(ParameterGroups, RefusalsNameTheParameter) {
  using Groups = std::vector<std::pair<std::string, std::vector<std::string>>>;
  const std::vector<std::string> names = {"alpha", "beta", "gamma"};
  EXPECT_NE(message_of([&] {
              ParameterGroups::from_members(names, Groups{{"g", {"alpha", "beta"}},
                                                          {"h", {"beta", "gamma"}}});
            }).find("\"beta\" is in two groups: \"g\" and \"h\""),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              ParameterGroups::from_members(names, Groups{{"g", {"alpha", "beta"}}});
            }).find("\"gamma\" is in no group"),
            std::string::npos);
  EXPECT_NE(message_of([&] {
              ParameterGroups::from_members(names, Groups{{"g", {"alpha", "beta", "gama"}}});
            }).find("did you mean \"gamma\""),
            std::string::npos);
  EXPECT_THROW(ParameterGroups::singletons({"a", "a"}), std::invalid_argument);
  EXPECT_THROW(ParameterGroups::from_labels({"a", "b"}, {"g"}), std::invalid_argument);
  EXPECT_THROW(ParameterGroups::from_members(names, Groups{{"g", {}}}), std::invalid_argument);
}

}  // namespace
