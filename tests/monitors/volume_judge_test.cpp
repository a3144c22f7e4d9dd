// judge_volume: the pure verdict on a row count, with hand-made histories.

#include <gtest/gtest.h>

#include <freshguard/core/error.hpp>
#include <freshguard/monitors/volume_anomaly.hpp>

namespace freshguard {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;

// Saturday 2026-11-28T12:00:00Z.
const WallTime kSaturdayNoon{seconds(1795867200)};

// One point per day before `now`, oldest first, counts given newest last.
std::vector<VolumePoint> daily(WallTime now, const std::vector<std::int64_t>& counts,
                               CheckStatus status = CheckStatus::kOk) {
  std::vector<VolumePoint> out;
  const auto n = static_cast<int>(counts.size());
  for (int i = 0; i < n; ++i) {
    out.push_back({now - days(n - i), counts[static_cast<std::size_t>(i)], status});
  }
  return out;
}

VolumeAnomalySpec percent_spec(BaselineMethod m, double pct) {
  VolumeAnomalySpec s;
  s.method = m;
  s.deviation_threshold = pct;
  s.minimum_data_points = 3;
  s.min_absolute_change = 0;
  return s;
}

TEST(VolumeJudgeTest, MeanOracleAndFiftyPercentDeviation) {
  const auto spec = percent_spec(BaselineMethod::kMean, 40);
  const auto j = judge_volume(daily(kSaturdayNoon, {100, 100, 100}), 150, kSaturdayNoon, spec);
  EXPECT_EQ(j.baseline.status, BaselineStatus::kReady);
  EXPECT_DOUBLE_EQ(*j.baseline.centre, 100.0);
  EXPECT_DOUBLE_EQ(*j.deviation_percent, 50.0);
  EXPECT_DOUBLE_EQ(*j.baseline.lower_bound, 60.0);
  EXPECT_DOUBLE_EQ(*j.baseline.upper_bound, 140.0);
  EXPECT_EQ(j.status, CheckStatus::kAlert);
  EXPECT_EQ(j.severity, Severity::kWarning);
  EXPECT_EQ(j.message.rfind("volume anomaly: 150 rows, 50.0% above the baseline (mean centre "
                            "100.0, spread 0.0, 3 points over 30 days; normal range 60-140)",
                            0),
            0u)
      << j.message;

  const auto mean3 = judge_volume(daily(kSaturdayNoon, {100, 200, 300}), 200, kSaturdayNoon, spec);
  EXPECT_DOUBLE_EQ(*mean3.baseline.centre, 200.0);
  EXPECT_DOUBLE_EQ(*mean3.baseline.spread, 100.0);
  EXPECT_DOUBLE_EQ(*mean3.deviation_percent, 0.0);
  EXPECT_EQ(mean3.status, CheckStatus::kOk);
}

TEST(VolumeJudgeTest, DefaultThresholdOfThePlanMethodsIsTwentyPercent) {
  VolumeAnomalySpec spec;
  spec.method = BaselineMethod::kMean;
  spec.minimum_data_points = 3;
  const auto j = judge_volume(daily(kSaturdayNoon, {100, 100, 100}), 121, kSaturdayNoon, spec);
  EXPECT_FALSE(j.baseline.threshold_in_spreads);
  EXPECT_DOUBLE_EQ(j.baseline.threshold, 20.0);
  EXPECT_DOUBLE_EQ(*j.baseline.upper_bound, 120.0);
  EXPECT_EQ(j.status, CheckStatus::kAlert);
}

TEST(VolumeJudgeTest, BoundsAreInclusive) {
  const auto spec = percent_spec(BaselineMethod::kMedian, 50);
  const auto hist = daily(kSaturdayNoon, {100, 100, 100});
  EXPECT_EQ(judge_volume(hist, 150, kSaturdayNoon, spec).status, CheckStatus::kOk);
  EXPECT_EQ(judge_volume(hist, 50, kSaturdayNoon, spec).status, CheckStatus::kOk);
  EXPECT_EQ(judge_volume(hist, 151, kSaturdayNoon, spec).status, CheckStatus::kAlert);
  EXPECT_EQ(judge_volume(hist, 49, kSaturdayNoon, spec).status, CheckStatus::kAlert);
}

TEST(VolumeJudgeTest, MedianOfEvenHistoryAndTrimmedMean) {
  const auto median = judge_volume(daily(kSaturdayNoon, {100, 400, 200, 300}), 250, kSaturdayNoon,
                                   percent_spec(BaselineMethod::kMedian, 10));
  EXPECT_DOUBLE_EQ(*median.baseline.centre, 250.0);
  auto trim = percent_spec(BaselineMethod::kTrimmedMean, 10);
  trim.trim_percent = 20;
  const auto t =
      judge_volume(daily(kSaturdayNoon, {100, 101, 102, 103, 5000}), 101, kSaturdayNoon, trim);
  EXPECT_DOUBLE_EQ(*t.baseline.centre, 102.0);  // 100 and 5000 dropped
  EXPECT_EQ(t.status, CheckStatus::kOk);
}

TEST(VolumeJudgeTest, DefaultMadUsesAModifiedZScore) {
  VolumeAnomalySpec spec;  // mad, sensitivity 3.5, 7 points, floor 10
  const auto hist = daily(kSaturdayNoon, {1000, 1010, 990, 1005, 995, 1000, 1020, 980});
  const auto ok = judge_volume(hist, 1030, kSaturdayNoon, spec);
  EXPECT_EQ(ok.status, CheckStatus::kOk) << ok.message;
  EXPECT_DOUBLE_EQ(*ok.baseline.centre, 1000.0);
  EXPECT_DOUBLE_EQ(*ok.baseline.spread, 7.5 * 1.4826);  // MAD 7.5
  EXPECT_TRUE(ok.baseline.threshold_in_spreads);
  EXPECT_DOUBLE_EQ(ok.baseline.threshold, 3.5);
  EXPECT_NEAR(*ok.baseline.score, 30 / (7.5 * 1.4826), 1e-12);
  const auto alert = judge_volume(hist, 400, kSaturdayNoon, spec);
  EXPECT_EQ(alert.status, CheckStatus::kAlert);
  EXPECT_EQ(alert.severity, Severity::kCritical);  // far beyond twice the band
  EXPECT_DOUBLE_EQ(*alert.deviation_percent, -60.0);
}

TEST(VolumeJudgeTest, InsufficientHistoryIsOkAndSaysSo) {
  VolumeAnomalySpec spec;
  const auto j = judge_volume(daily(kSaturdayNoon, {10, 10, 10}), 100000, kSaturdayNoon, spec);
  EXPECT_EQ(j.status, CheckStatus::kOk);
  EXPECT_EQ(j.baseline.status, BaselineStatus::kInsufficientHistory);
  EXPECT_EQ(j.baseline.points, 3);
  EXPECT_EQ(j.baseline.required_points, 7);
  EXPECT_FALSE(j.deviation_percent);
  EXPECT_EQ(j.message,
            "100000 rows; baseline: insufficient_history (3 of 7 points in the last 30 days)");
  const auto none = judge_volume({}, 1, kSaturdayNoon, spec);
  EXPECT_EQ(none.baseline.status, BaselineStatus::kInsufficientHistory);
  EXPECT_EQ(none.message.substr(0, 6), "1 row;");
}

TEST(VolumeJudgeTest, AlertingAndCurrentAndOldPointsAreNotTrainingData) {
  auto spec = percent_spec(BaselineMethod::kMean, 20);
  auto hist = daily(kSaturdayNoon, {100, 100, 100, 100});
  hist.push_back({kSaturdayNoon - hours(1), 10, CheckStatus::kAlert});  // an incident
  hist.push_back({kSaturdayNoon, 5000, CheckStatus::kOk});              // "now": excluded
  hist.push_back({kSaturdayNoon - days(31), 9000, CheckStatus::kOk});   // out of the window
  const auto j = judge_volume(hist, 100, kSaturdayNoon, spec);
  EXPECT_EQ(j.baseline.points, 4);
  EXPECT_EQ(j.baseline.excluded_points, 1);
  EXPECT_DOUBLE_EQ(*j.baseline.centre, 100.0);
  EXPECT_NE(j.message.find("1 alerting left out"), std::string::npos) << j.message;
  // Once approved, the alerting point counts.
  const auto approved = judge_volume(hist, 100, kSaturdayNoon, spec, kSaturdayNoon - hours(1));
  EXPECT_EQ(approved.baseline.points, 5);
  EXPECT_EQ(approved.baseline.excluded_points, 0);
  EXPECT_DOUBLE_EQ(*approved.baseline.centre, 82.0);
}

TEST(VolumeJudgeTest, MinAbsoluteChangeKeepsTinyTablesQuiet) {
  auto spec = percent_spec(BaselineMethod::kMedian, 20);
  spec.min_absolute_change = 10;
  const auto hist = daily(kSaturdayNoon, {5, 5, 5});
  const auto j = judge_volume(hist, 8, kSaturdayNoon, spec);  // +60%, but only 3 rows
  EXPECT_EQ(j.status, CheckStatus::kOk);
  EXPECT_NE(j.message.find("but within min_absolute_change of 10 rows"), std::string::npos)
      << j.message;
  EXPECT_EQ(judge_volume(hist, 15, kSaturdayNoon, spec).status, CheckStatus::kAlert);
}

TEST(VolumeJudgeTest, ZeroBaselineAndEmptiedTable) {
  auto spec = percent_spec(BaselineMethod::kMedian, 20);
  const auto zero = judge_volume(daily(kSaturdayNoon, {0, 0, 0}), 50, kSaturdayNoon, spec);
  EXPECT_FALSE(zero.deviation_percent);
  EXPECT_EQ(zero.status, CheckStatus::kAlert);
  EXPECT_NE(zero.message.find("against a baseline of 0"), std::string::npos) << zero.message;
  const auto still_zero = judge_volume(daily(kSaturdayNoon, {0, 0, 0}), 0, kSaturdayNoon, spec);
  EXPECT_EQ(still_zero.status, CheckStatus::kOk);
  EXPECT_NE(still_zero.message.find("equal to the baseline"), std::string::npos);
  const auto emptied = judge_volume(daily(kSaturdayNoon, {100, 100, 100}), 0, kSaturdayNoon, spec);
  EXPECT_EQ(emptied.severity, Severity::kCritical);
  EXPECT_DOUBLE_EQ(*emptied.deviation_percent, -100.0);
}

// Weekdays 1000 rows, weekends 200, one point a day for eight weeks.
std::vector<VolumePoint> weekly_pattern(WallTime now) {
  std::vector<VolumePoint> out;
  for (int d = 56; d >= 1; --d) {
    const WallTime t = now - days(d);
    const std::chrono::weekday wd{std::chrono::floor<days>(t)};
    const bool weekend = wd == std::chrono::Saturday || wd == std::chrono::Sunday;
    out.push_back({t, weekend ? 200 : 1000, CheckStatus::kOk});
  }
  return out;
}

TEST(VolumeJudgeTest, WeeklyPatternWithSeasonality) {
  const auto hist = weekly_pattern(kSaturdayNoon);
  VolumeAnomalySpec spec;
  spec.seasonality = Seasonality::kDayOfWeek;
  const auto normal = judge_volume(hist, 200, kSaturdayNoon, spec);
  EXPECT_EQ(normal.status, CheckStatus::kOk) << normal.message;
  EXPECT_EQ(normal.baseline.points, 4);  // the four Saturdays of the 30-day window
  EXPECT_EQ(normal.baseline.required_points, 4);
  EXPECT_DOUBLE_EQ(*normal.baseline.centre, 200.0);
  EXPECT_NE(normal.message.find("(same weekday)"), std::string::npos);
  const auto busy = judge_volume(hist, 1000, kSaturdayNoon, spec);
  EXPECT_EQ(busy.status, CheckStatus::kAlert) << busy.message;
  EXPECT_DOUBLE_EQ(*busy.deviation_percent, 400.0);
  // On a Wednesday the same history expects 1000.
  const WallTime wednesday = kSaturdayNoon - days(3);
  EXPECT_EQ(judge_volume(weekly_pattern(wednesday), 1000, wednesday, spec).status,
            CheckStatus::kOk);
  // Without seasonality a percent rule would call a normal Saturday an incident.
  auto flat = percent_spec(BaselineMethod::kMedian, 20);
  EXPECT_EQ(judge_volume(hist, 200, kSaturdayNoon, flat).status, CheckStatus::kAlert);
}

TEST(VolumeJudgeTest, SpecValidation) {
  VolumeAnomalySpec ok;
  EXPECT_NO_THROW(validate_volume_anomaly_spec(ok));
  auto bad = [](auto mutate) {
    VolumeAnomalySpec s;
    mutate(s);
    EXPECT_THROW(validate_volume_anomaly_spec(s), ConfigError);
  };
  bad([](VolumeAnomalySpec& s) { s.baseline_window_days = 0; });
  bad([](VolumeAnomalySpec& s) { s.baseline_window_days = 366; });
  bad([](VolumeAnomalySpec& s) {
    s.deviation_threshold = 10;
    s.sensitivity = 3;
  });
  bad([](VolumeAnomalySpec& s) { s.deviation_threshold = 0; });
  bad([](VolumeAnomalySpec& s) { s.sensitivity = -1; });
  bad([](VolumeAnomalySpec& s) { s.minimum_data_points = 0; });
  bad([](VolumeAnomalySpec& s) { s.trim_percent = 50; });
  bad([](VolumeAnomalySpec& s) { s.min_absolute_change = -1; });
}

}  // namespace
}  // namespace freshguard
