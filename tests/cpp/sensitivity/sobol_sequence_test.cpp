// Sobol' points: the unscrambled sequence against scipy's, index access against sequential
// generation, and the properties scrambling must keep (range, stratification, seed).
#include "gapcast/sensitivity/sobol_sequence.hpp"

#include <gtest/gtest.h>
#include <tbb/task_arena.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace {

using gapcast::sensitivity::SobolSequence;

// Counts of the first 2^k points of coordinate d in each interval [j 2^-k, (j+1) 2^-k).
std::vector<int> interval_counts(const std::vector<double>& points, std::size_t dimension,
                                 std::size_t d, int k) {
  std::vector<int> counts(std::size_t{1} << k, 0);
  for (std::size_t i = 0; i < (std::size_t{1} << k); ++i) {
    const double scaled = points[i * dimension + d] * static_cast<double>(counts.size());
    counts[static_cast<std::size_t>(scaled)]++;
  }
  return counts;
}

TEST(SobolSequence, FirstPointsAreScipys) {
  // scipy 1.17: scipy.stats.qmc.Sobol(6, scramble=False).random(8). scipy uses the same
  // Joe-Kuo direction numbers and Gray-code order, so the points must agree exactly.
  const double expected[8][6] = {
      {0, 0, 0, 0, 0, 0},
      {0.5, 0.5, 0.5, 0.5, 0.5, 0.5},
      {0.75, 0.25, 0.25, 0.25, 0.75, 0.75},
      {0.25, 0.75, 0.75, 0.75, 0.25, 0.25},
      {0.375, 0.375, 0.625, 0.875, 0.375, 0.125},
      {0.875, 0.875, 0.125, 0.375, 0.875, 0.625},
      {0.625, 0.125, 0.875, 0.625, 0.625, 0.875},
      {0.125, 0.625, 0.375, 0.125, 0.125, 0.375}};
  const SobolSequence sobol(6);
  for (std::uint64_t i = 0; i < 8; ++i) {
    const auto p = sobol.point(i);
    for (std::size_t d = 0; d < 6; ++d) EXPECT_EQ(p[d], expected[i][d]) << i << "," << d;
  }
}

TEST(SobolSequence, HighDimensionsAreScipys) {
  // scipy 1.17: p = scipy.stats.qmc.Sobol(3667, scramble=False).random(4096); the numbers are
  // p[i, c] * 4096 for the coordinates c below (3666 is the table's last).
  const std::size_t columns[8] = {0, 1, 5, 17, 39, 499, 1832, 3666};
  const std::uint64_t rows[3] = {100, 1023, 4095};
  const int expected[3][8] = {{1696, 1056, 3040, 3040, 544, 2016, 480, 2080},
                              {4, 3084, 1796, 3588, 2860, 1940, 532, 1996},
                              {1, 3855, 323, 2495, 931, 3845, 1171, 121}};
  const SobolSequence sobol(3667);
  for (int r = 0; r < 3; ++r) {
    const auto p = sobol.point(rows[r]);
    for (int c = 0; c < 8; ++c) {
      EXPECT_EQ(p[columns[c]] * 4096.0, expected[r][c]) << rows[r] << "," << columns[c];
    }
  }
}

TEST(SobolSequence, IndexedPointsEqualSequentialOnes) {
  for (const bool scrambled : {false, true}) {
    const SobolSequence sobol = scrambled ? SobolSequence(7, 42) : SobolSequence(7);
    const auto block = sobol.points(777, 1300);  // crosses the 512-point blocks
    for (std::size_t r = 0; r < 1300; ++r) {
      const auto p = sobol.point(777 + r);
      for (std::size_t d = 0; d < 7; ++d) ASSERT_EQ(block[r * 7 + d], p[d]) << r;
    }
  }
}

TEST(SobolSequence, ScrambledPointsStayInTheCubeAndKeepTheirStrata) {
  const std::size_t dimension = 10;
  const SobolSequence sobol(dimension, 20260101);
  const auto points = sobol.points(0, 4096);
  for (const double v : points) {
    ASSERT_GE(v, 0.0);
    ASSERT_LT(v, 1.0);
  }
  for (int k = 1; k <= 12; ++k) {
    for (std::size_t d = 0; d < dimension; ++d) {
      for (const int count : interval_counts(points, dimension, d, k)) {
        ASSERT_EQ(count, 1) << "coordinate " << d << ", 2^" << k << " points";
      }
    }
  }
}

TEST(SobolSequence, ScramblingDependsOnTheSeedOnly) {
  const auto a = SobolSequence(5, 1).points(0, 64);
  const auto b = SobolSequence(5, 2).points(0, 64);
  const auto plain = SobolSequence(5).points(0, 64);
  EXPECT_EQ(a, SobolSequence(5, 1).points(0, 64));
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i] || a[i] == plain[i];
  EXPECT_EQ(same, 0u);
  EXPECT_NE(a[0], 0.0);  // the origin is gone
}

TEST(SobolSequence, PointsAreTheSameForAnyThreadCount) {
  const SobolSequence sobol(16, 7);
  std::vector<double> one, two;
  tbb::task_arena(1).execute([&] { one = sobol.points(3, 5000); });
  tbb::task_arena(2).execute([&] { two = sobol.points(3, 5000); });
  EXPECT_EQ(one, two);
}

TEST(SobolSequence, RefusesBadDimensionsAndIndices) {
  EXPECT_THROW(SobolSequence(0), std::invalid_argument);
  EXPECT_THROW(SobolSequence(3668), std::invalid_argument);
  const SobolSequence sobol(2);
  EXPECT_THROW(sobol.point(std::uint64_t{1} << 52), std::out_of_range);
  std::vector<double> three(3);
  EXPECT_THROW(sobol.point(0, three), std::invalid_argument);
}

}  // namespace
