// PAWN: a parameter that determines Y scores high, one that does not enter Y scores low; the
// slicing and KS statistic on a sample small enough to check by hand; refusals.
#include "gapcast/sensitivity/pawn.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

namespace {

using namespace gapcast::sensitivity;

TEST(PawnIndices, SeparateAParameterThatMattersFromOneThatDoesNot) {
  // 4000 rows; x1 decides Y, x2 does not enter it, x3 enters weakly. mt19937_64's output is
  // fixed by the standard; the uniform transform is written out so the data are the same on
  // every platform.
  std::mt19937_64 engine(7);
  const auto uniform = [&] { return (static_cast<double>(engine() >> 11) + 0.5) * 0x1.0p-53; };
  const std::size_t n = 4000;
  std::vector<double> x(3 * n), y(n);
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t c = 0; c < 3; ++c) x[3 * r + c] = uniform();
    y[r] = std::exp(2 * x[3 * r]) + 0.2 * x[3 * r + 2];
  }
  const auto groups = ParameterGroups::singletons({"x1", "x2", "x3"});
  const PawnIndices p = pawn_indices(groups, x, y, 10);
  // Were Y an increasing function of x1 alone, slice k (of 10) would hold exactly the k-th
  // tenth of Y, and its KS statistic would be max(k, 9 - k) / 10: 0.5 to 0.9, median 0.7.
  // x3's small term blurs the slice edges a little.
  EXPECT_GT(p.median[0], 0.65);
  EXPECT_GT(p.minimum[0], 0.45);
  EXPECT_GT(p.maximum[0], 0.85);
  // An input that does not enter Y: KS of 400 rows against 4000 is sampling noise (its 95%
  // point is about 1.36 sqrt(1/400 + 1/4000) = 0.071).
  EXPECT_LT(p.median[1], 0.07);
  EXPECT_LT(p.maximum[1], 0.1);
  EXPECT_GT(p.median[2], p.median[1]);
  EXPECT_LT(p.median[2], p.median[0]);
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_LE(p.minimum[i], p.median[i]);
    EXPECT_LE(p.median[i], p.maximum[i]);
    EXPECT_NEAR(p.cv[i], p.stdev[i] / p.mean[i], 1e-15);
  }
}

TEST(PawnIndices, SlicesAndStatisticsByHand) {
  // x = 0..9, two slices: the quantiles are 0, 4.5 and 9, so slice 0 holds x = 0..4 and slice
  // 1 holds x = 5..8 (the maximum falls in no slice, as in SALib). With y = (x - 3)^2, all of
  // Y sorted is 0 1 1 4 4 9 9 16 25 36; slice 0 is {9, 4, 1, 0, 1}, slice 1 is {4, 9, 16, 25}.
  // Slice 0's CDF is 4/5 at y = 4 where Y's is 5/10, and 1 at y = 9 against 7/10: KS 0.3.
  // Slice 1's is 0 at y = 1 against 3/10 (then 0.25, 0.2, 0.05, 0.1 further on): KS 0.3.
  // (SALib.analyze.pawn.analyze gives 0.3 for both.)
  std::vector<double> x(10), y(10);
  for (int i = 0; i < 10; ++i) {
    x[i] = i;
    y[i] = (i - 3.0) * (i - 3.0);
  }
  const PawnIndices p = pawn_indices(ParameterGroups::singletons({"x"}), x, y, 2);
  EXPECT_DOUBLE_EQ(p.minimum[0], 0.3);
  EXPECT_DOUBLE_EQ(p.maximum[0], 0.3);
  EXPECT_NEAR(p.stdev[0], 0.0, 1e-15);
}

TEST(PawnIndices, GroupsReportTheMeanOfTheirParameters) {
  std::vector<double> x(2 * 200), y(200);
  for (std::size_t r = 0; r < 200; ++r) {
    x[2 * r] = static_cast<double>(r);
    x[2 * r + 1] = static_cast<double>((r * 37) % 200);
    y[r] = static_cast<double>(r);
  }
  const auto singles = pawn_indices(ParameterGroups::singletons({"a", "b"}), x, y, 5);
  const auto pair = pawn_indices(ParameterGroups::from_labels({"a", "b"}, {"g", "g"}), x, y, 5);
  ASSERT_EQ(pair.median.size(), 1u);
  EXPECT_DOUBLE_EQ(pair.median[0], (singles.median[0] + singles.median[1]) / 2);
}

TEST(PawnIndices, RefusesBadInputs) {
  const auto groups = ParameterGroups::singletons({"a"});
  std::vector<double> x = {1, 2, 3, 4}, y = {1, 2, 3, 4};
  EXPECT_THROW(pawn_indices(groups, x, std::vector<double>{1, 2, 3}, 2), std::invalid_argument);
  EXPECT_THROW(pawn_indices(groups, x, y, 1), std::invalid_argument);
  EXPECT_THROW(pawn_indices(groups, x, y, 5), std::invalid_argument);
  y[2] = std::numeric_limits<double>::infinity();
  EXPECT_THROW(pawn_indices(groups, x, y, 2), std::invalid_argument);
}

}  // namespace
