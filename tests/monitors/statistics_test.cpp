#include <cmath>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include <freshguard/monitors/statistics.hpp>

namespace freshguard::stats {
namespace {

using V = std::vector<double>;

TEST(StatisticsTest, MeanOfTheIssueOracle) {
  EXPECT_DOUBLE_EQ(mean(V{100, 200, 300}), 200.0);
  EXPECT_DOUBLE_EQ(mean(V{7}), 7.0);
  // Large, close row counts stay exact.
  EXPECT_DOUBLE_EQ(mean(V{9e15, 9e15 + 2}), 9e15 + 1);
}

TEST(StatisticsTest, DeviationOfTheIssueOracle) {
  const double centre = mean(V{100, 100, 100});
  EXPECT_DOUBLE_EQ(deviation_percent(150, centre), 50.0);
  EXPECT_DOUBLE_EQ(deviation_percent(40, 100), -60.0);
  EXPECT_THROW(deviation_percent(1, 0), std::invalid_argument);
}

TEST(StatisticsTest, MedianOfOddAndEvenSets) {
  EXPECT_DOUBLE_EQ(median(V{3, 1, 2}), 2.0);
  // Even set: the mean of the two middle values, whatever the input order.
  EXPECT_DOUBLE_EQ(median(V{400, 100, 300, 200}), 250.0);
  EXPECT_DOUBLE_EQ(median(V{1, 1000}), 500.5);
  EXPECT_DOUBLE_EQ(median(V{5}), 5.0);
}

TEST(StatisticsTest, TrimmedMeanDropsTheStatedShareFromEachEnd) {
  // 10% of 10 values: one from each end, leaving 2..9.
  const V ten{10, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(trimmed(ten, 10), (V{2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_DOUBLE_EQ(trimmed_mean(ten, 10), 5.5);
  // 20% of 5 values: one from each end, so the outlier is gone.
  EXPECT_DOUBLE_EQ(trimmed_mean(V{1, 2, 3, 4, 1000}, 20), 3.0);
  // The share is floored: 19% of 5 values drops nothing.
  EXPECT_DOUBLE_EQ(trimmed_mean(V{1, 2, 3, 4, 1000}, 19), 202.0);
  EXPECT_DOUBLE_EQ(trimmed_mean(V{1, 2, 3, 4, 1000}, 0), 202.0);
  // 49% of 4 values drops one from each end.
  EXPECT_DOUBLE_EQ(trimmed_mean(V{1, 2, 4, 100}, 49), 3.0);
  EXPECT_THROW(trimmed_mean(ten, 50), std::invalid_argument);
  EXPECT_THROW(trimmed_mean(ten, -1), std::invalid_argument);
}

TEST(StatisticsTest, StandardDeviationIsTheSampleOne) {
  EXPECT_DOUBLE_EQ(standard_deviation(V{2, 4, 4, 4, 5, 5, 7, 9}), std::sqrt(32.0 / 7.0));
  EXPECT_DOUBLE_EQ(standard_deviation(V{5}), 0.0);
  EXPECT_DOUBLE_EQ(standard_deviation(V{3, 3, 3}), 0.0);
}

TEST(StatisticsTest, MadAndRobustSpread) {
  // median 3; deviations 2 1 0 1 97 -> median 1.
  const V v{1, 2, 3, 4, 100};
  EXPECT_DOUBLE_EQ(median_absolute_deviation(v), 1.0);
  EXPECT_DOUBLE_EQ(robust_spread(v), kMadToSigma);
  // More than half equal: the MAD is 0 and the mean absolute deviation takes over.
  const V mostly_same{10, 10, 10, 10, 20};
  EXPECT_DOUBLE_EQ(median_absolute_deviation(mostly_same), 0.0);
  EXPECT_DOUBLE_EQ(mean_absolute_deviation(mostly_same, 10), 2.0);
  EXPECT_DOUBLE_EQ(robust_spread(mostly_same), kMeanAdToSigma * 2.0);
  EXPECT_DOUBLE_EQ(robust_spread(V{4, 4, 4}), 0.0);
}

TEST(StatisticsTest, EmptySamplesAreRejected) {
  const V none;
  EXPECT_THROW(mean(none), std::invalid_argument);
  EXPECT_THROW(median(none), std::invalid_argument);
  EXPECT_THROW(trimmed_mean(none, 10), std::invalid_argument);
  EXPECT_THROW(standard_deviation(none), std::invalid_argument);
  EXPECT_THROW(median_absolute_deviation(none), std::invalid_argument);
  EXPECT_THROW(mean_absolute_deviation(none, 0), std::invalid_argument);
}

}  // namespace
}  // namespace freshguard::stats
