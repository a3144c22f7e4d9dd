// The fields of volume_anomaly and schema_change rules.

#include <gtest/gtest.h>

#include <freshguard/config/config.hpp>

#include "config/config_test_util.hpp"

namespace freshguard::config {
namespace {

using testing::has_problem;
using testing::load;
using testing::loads;
using testing::only_problem;
using testing::rule_doc;

std::string anomaly(std::string_view extra = {}) {
  return rule_doc("id: r1\nsource: db\ntable: orders\ntype: volume_anomaly\n" + std::string(extra));
}

std::string schema(std::string_view extra = {}) {
  return rule_doc("id: r1\nsource: db\ntable: orders\ntype: schema_change\n" + std::string(extra));
}

const VolumeAnomalySpec& spec_of(const LoadResult& r) {
  return r.config->rules.at(0).volume_anomaly;
}

TEST(HistoryRuleConfigTest, VolumeAnomalyDefaults) {
  const auto r = load(anomaly());
  ASSERT_TRUE(loads(r));
  const auto& s = spec_of(r);
  EXPECT_EQ(r.config->rules[0].type, RuleType::kVolumeAnomaly);
  EXPECT_EQ(s.baseline_window_days, 30);
  EXPECT_EQ(s.method, BaselineMethod::kMad);
  EXPECT_FALSE(s.deviation_threshold);
  EXPECT_FALSE(s.sensitivity);
  EXPECT_EQ(s.seasonality, Seasonality::kNone);
  EXPECT_FALSE(s.minimum_data_points);
  EXPECT_DOUBLE_EQ(s.trim_percent, 10.0);
  EXPECT_EQ(s.min_absolute_change, 10);
}

TEST(HistoryRuleConfigTest, VolumeAnomalyAllFields) {
  const auto r =
      load(anomaly("baseline_window_days: 60\nmethod: trimmed_mean\ndeviation_threshold: 12.5\n"
                   "seasonality: day_of_week\nminimum_data_points: 5\ntrim_percent: 20\n"
                   "min_absolute_change: 0\n"));
  ASSERT_TRUE(loads(r));
  const auto& s = spec_of(r);
  EXPECT_EQ(s.baseline_window_days, 60);
  EXPECT_EQ(s.method, BaselineMethod::kTrimmedMean);
  EXPECT_DOUBLE_EQ(*s.deviation_threshold, 12.5);
  EXPECT_EQ(s.seasonality, Seasonality::kDayOfWeek);
  EXPECT_EQ(s.minimum_data_points, 5);
  EXPECT_DOUBLE_EQ(s.trim_percent, 20.0);
  EXPECT_EQ(s.min_absolute_change, 0);
  const auto mean = load(anomaly("method: mean\nsensitivity: +3\nseasonality: none\n"));
  ASSERT_TRUE(loads(mean));
  EXPECT_DOUBLE_EQ(*spec_of(mean).sensitivity, 3.0);
  EXPECT_EQ(spec_of(mean).seasonality, Seasonality::kNone);
}

TEST(HistoryRuleConfigTest, VolumeAnomalyProblems) {
  EXPECT_TRUE(only_problem(load(anomaly("deviation_threshold: 20\nsensitivity: 3\n")),
                           "rules[0].sensitivity",
                           "give either deviation_threshold (percent) or sensitivity"));
  EXPECT_TRUE(only_problem(load(anomaly("sensitivity: 0\n")), "rules[0].sensitivity",
                           "must be greater than 0 and at most 100, got 0"));
  EXPECT_TRUE(only_problem(load(anomaly("deviation_threshold: lots\n")),
                           "rules[0].deviation_threshold", "must be a number, got \"lots\""));
  EXPECT_TRUE(only_problem(load(anomaly("deviation_threshold: [1]\n")),
                           "rules[0].deviation_threshold", "must be a number"));
  EXPECT_TRUE(only_problem(load(anomaly("method: trimmed_mean\ntrim_percent: 50\n")),
                           "rules[0].trim_percent", "must be at least 0 and at most 49.9, got 50"));
  EXPECT_TRUE(only_problem(load(anomaly("trim_percent: 10\n")), "rules[0].trim_percent",
                           "applies only to method: trimmed_mean"));
  EXPECT_TRUE(only_problem(load(anomaly("method: average\n")), "rules[0].method",
                           "must be one of mean, median, trimmed_mean, mad"));
  EXPECT_TRUE(only_problem(load(anomaly("seasonality: weekly\n")), "rules[0].seasonality",
                           "must be one of none, day_of_week"));
  EXPECT_TRUE(only_problem(load(anomaly("baseline_window_days: 0\n")),
                           "rules[0].baseline_window_days", "must be between 1 and 365, got 0"));
  EXPECT_TRUE(only_problem(load(anomaly("minimum_data_points: 0\n")),
                           "rules[0].minimum_data_points", "must be between 1 and 100000"));
  EXPECT_TRUE(only_problem(load(anomaly("min_absolute_change: -1\n")),
                           "rules[0].min_absolute_change", "got -1"));
  EXPECT_TRUE(only_problem(load(anomaly("timestamp_column: ts\n")), "rules[0].timestamp_column",
                           "'timestamp_column' does not apply to volume_anomaly rules"));
  EXPECT_TRUE(only_problem(load(anomaly("adaptation_mode: auto\n")), "rules[0].adaptation_mode",
                           "does not apply to volume_anomaly rules"));
}

TEST(HistoryRuleConfigTest, TheWindowMustFitTheRetention) {
  const auto r = load(anomaly("baseline_window_days: 120\n"));
  EXPECT_TRUE(only_problem(r, "rules[0].baseline_window_days",
                           "must not exceed metadata.retention_days (90): older history is "
                           "pruned, got 120"));
  EXPECT_TRUE(
      loads(load(anomaly("baseline_window_days: 120\n") + "metadata:\n  retention_days: 120\n")));
}

TEST(HistoryRuleConfigTest, SchemaChangeModes) {
  const auto r = load(schema());
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(r.config->rules[0].type, RuleType::kSchemaChange);
  EXPECT_EQ(r.config->rules[0].schema_change.adaptation_mode, SchemaAdaptation::kManual);
  const std::pair<const char*, SchemaAdaptation> modes[] = {
      {"auto", SchemaAdaptation::kAuto},
      {"manual", SchemaAdaptation::kManual},
      {"alert_only", SchemaAdaptation::kAlertOnly}};
  for (const auto& [text, mode] : modes) {
    const auto m = load(schema("adaptation_mode: " + std::string(text) + "\n"));
    ASSERT_TRUE(loads(m)) << text;
    EXPECT_EQ(m.config->rules[0].schema_change.adaptation_mode, mode);
  }
  EXPECT_TRUE(only_problem(load(schema("adaptation_mode: automatic\n")), "rules[0].adaptation_mode",
                           "did you mean 'auto'?"));
  EXPECT_TRUE(has_problem(load(schema("sensitivity: 3\n")), "rules[0].sensitivity",
                          "does not apply to schema_change rules"));
}

TEST(HistoryRuleConfigTest, SpellingsRoundTrip) {
  for (auto m : {BaselineMethod::kMean, BaselineMethod::kMedian, BaselineMethod::kTrimmedMean,
                 BaselineMethod::kMad}) {
    EXPECT_EQ(parse_baseline_method(to_string(m)), m);
  }
  for (auto s : {Seasonality::kNone, Seasonality::kDayOfWeek}) {
    EXPECT_EQ(parse_seasonality(to_string(s)), s);
  }
  for (auto a :
       {SchemaAdaptation::kManual, SchemaAdaptation::kAuto, SchemaAdaptation::kAlertOnly}) {
    EXPECT_EQ(parse_schema_adaptation(to_string(a)), a);
  }
  EXPECT_FALSE(parse_baseline_method("x"));
  EXPECT_FALSE(parse_seasonality("x"));
  EXPECT_FALSE(parse_schema_adaptation("x"));
}

}  // namespace
}  // namespace freshguard::config
