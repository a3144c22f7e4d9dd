#include <gtest/gtest.h>

#include <freshguard/config/config.hpp>

#include "config/config_test_util.hpp"

namespace freshguard::config {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using testing::freshness_rule;
using testing::has_problem;
using testing::load;
using testing::loads;
using testing::only_problem;
using testing::rule_doc;

const Rule& rule_of(const LoadResult& r) {
  return r.config->rules.at(0);
}

TEST(RuleConfigTest, FreshnessDefaults) {
  const auto r = load(freshness_rule());
  ASSERT_TRUE(loads(r));
  const auto& rule = rule_of(r);
  EXPECT_EQ(rule.id, "r1");
  EXPECT_EQ(rule.source, "db");
  EXPECT_EQ(rule.table, "orders");
  EXPECT_EQ(rule.type, RuleType::kFreshness);
  EXPECT_EQ(rule.check_interval, minutes(5));
  EXPECT_EQ(rule.description, "");
  EXPECT_EQ(rule.freshness.timestamp_column, "updated_at");
  EXPECT_EQ(rule.freshness.tolerance, minutes(60));
  EXPECT_FALSE(rule.freshness.alert_threshold.has_value());
  EXPECT_FALSE(rule.freshness.expected_update_frequency.has_value());
  EXPECT_EQ(rule.freshness.timezone, "UTC");
}

TEST(RuleConfigTest, FreshnessAllFields) {
  const auto r = load(freshness_rule(
      "description: Orders land hourly\ncheck_interval_minutes: 10080\ntolerance_minutes: 120\n"
      "expected_update_frequency: daily\nalert_threshold_hours: 168\ntimezone: Europe/Paris\n"));
  ASSERT_TRUE(loads(r));
  const auto& rule = rule_of(r);
  EXPECT_EQ(rule.description, "Orders land hourly");
  EXPECT_EQ(rule.check_interval, minutes(10080));
  EXPECT_EQ(rule.freshness.tolerance, minutes(120));
  EXPECT_EQ(rule.freshness.expected_update_frequency, UpdateFrequency::kDaily);
  EXPECT_EQ(rule.freshness.alert_threshold, hours(168));
  EXPECT_EQ(rule.freshness.timezone, "Europe/Paris");
}

TEST(RuleConfigTest, QualifiedTable) {
  const auto r = load(
      rule_doc("id: r1\nsource: db\ntable: sales.orders\ntype: freshness\ntimestamp_column: ts\n"));
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(rule_of(r).table, "sales.orders");
}

TEST(RuleConfigTest, ToleranceFromFrequency) {
  const std::pair<const char*, minutes> cases[] = {
      {"hourly", minutes(60)}, {"daily", minutes(1440)}, {"weekly", minutes(10080)}};
  for (const auto& [frequency, tolerance] : cases) {
    const auto r = load(freshness_rule("expected_update_frequency: " + std::string(frequency)));
    ASSERT_TRUE(loads(r)) << frequency;
    EXPECT_EQ(rule_of(r).freshness.tolerance, tolerance) << frequency;
  }
  EXPECT_TRUE(only_problem(load(freshness_rule("expected_update_frequency: hourli")),
                           "rules[0].expected_update_frequency",
                           "must be one of hourly, daily, weekly, got \"hourli\"; did you mean "
                           "'hourly'?"));
}

TEST(RuleConfigTest, ToleranceRange) {
  EXPECT_TRUE(loads(load(freshness_rule("tolerance_minutes: 5"))));
  EXPECT_TRUE(loads(load(freshness_rule("tolerance_minutes: 10080"))));
  EXPECT_TRUE(only_problem(load(freshness_rule("tolerance_minutes: 4")),
                           "rules[0].tolerance_minutes", "must be between 5 and 10080, got 4"));
  EXPECT_TRUE(only_problem(load(freshness_rule("tolerance_minutes: 10081")),
                           "rules[0].tolerance_minutes", "must be between 5 and 10080, got 10081"));
  EXPECT_TRUE(only_problem(load(freshness_rule("tolerance_minutes: abc")),
                           "rules[0].tolerance_minutes", "must be an integer, got \"abc\""));
}

TEST(RuleConfigTest, CheckIntervalRange) {
  EXPECT_TRUE(loads(load(freshness_rule("check_interval_minutes: 1"))));
  EXPECT_TRUE(only_problem(load(freshness_rule("check_interval_minutes: 0")),
                           "rules[0].check_interval_minutes",
                           "must be between 1 and 10080, got 0"));
  EXPECT_TRUE(only_problem(load(freshness_rule("check_interval_minutes: 10081")),
                           "rules[0].check_interval_minutes",
                           "must be between 1 and 10080, got 10081"));
}

TEST(RuleConfigTest, AlertThreshold) {
  EXPECT_TRUE(loads(load(freshness_rule("alert_threshold_hours: 1"))));  // 60 min = tolerance
  EXPECT_TRUE(only_problem(load(freshness_rule("alert_threshold_hours: 0")),
                           "rules[0].alert_threshold_hours", "must be between 1 and 168, got 0"));
  EXPECT_TRUE(only_problem(load(freshness_rule("alert_threshold_hours: 169")),
                           "rules[0].alert_threshold_hours", "must be between 1 and 168, got 169"));
  EXPECT_TRUE(only_problem(load(freshness_rule("tolerance_minutes: 120\nalert_threshold_hours: 1")),
                           "rules[0].alert_threshold_hours",
                           "must be at least the tolerance (120 minutes), got 1 hour"));
  EXPECT_TRUE(only_problem(
      load(freshness_rule("expected_update_frequency: daily\nalert_threshold_hours: 2")),
      "rules[0].alert_threshold_hours",
      "must be at least the tolerance (1440 minutes), got 2 hours"));
  // An invalid tolerance is reported once, without a comparison against it.
  EXPECT_TRUE(only_problem(load(freshness_rule("tolerance_minutes: 3\nalert_threshold_hours: 1")),
                           "rules[0].tolerance_minutes", "got 3"));
}

TEST(RuleConfigTest, Timezone) {
  EXPECT_TRUE(loads(load(freshness_rule("timezone: \"+05:30\""))));
  EXPECT_TRUE(only_problem(load(freshness_rule("timezone: Mars/Olympus_Mons")), "rules[0].timezone",
                           "Mars/Olympus_Mons"));
}

TEST(RuleConfigTest, TimestampColumn) {
  EXPECT_TRUE(only_problem(load(rule_doc("id: r1\nsource: db\ntable: orders\ntype: freshness\n")),
                           "rules[0].timestamp_column", "is required"));
  const auto r = load(rule_doc(
      "id: r1\nsource: db\ntable: t\ntype: freshness\ntimestamp_column: \"ts; DELETE FROM t\"\n"));
  ASSERT_TRUE(
      only_problem(r, "rules[0].timestamp_column", "SECURITY_VIOLATION: invalid column name"));
  EXPECT_TRUE(r.problems[0].security);
  EXPECT_EQ(r.problems[0].message.find("DELETE"), std::string::npos);
}

class HostileTableTest : public ::testing::TestWithParam<std::string> {};

TEST_P(HostileTableTest, IsASecurityProblemWithoutThePayload) {
  const std::string payload = GetParam();
  std::string quoted_payload = "'";
  for (char c : payload) {
    quoted_payload += c;
    if (c == '\'') quoted_payload += '\'';
  }
  quoted_payload += "'";
  const auto r = load(rule_doc("id: r1\nsource: db\ntable: " + quoted_payload +
                               "\ntype: freshness\ntimestamp_column: ts\n"));
  ASSERT_TRUE(only_problem(r, "rules[0].table", "SECURITY_VIOLATION: "));
  const auto& problem = r.problems[0];
  EXPECT_TRUE(problem.security);
  EXPECT_EQ(problem.message.rfind("SECURITY_VIOLATION: ", 0), 0U);
  EXPECT_EQ(problem.message.find(payload), std::string::npos) << problem.message;
}

INSTANTIATE_TEST_SUITE_P(Payloads, HostileTableTest,
                         ::testing::Values("users; DROP TABLE users; --", "user data", "a/**/b",
                                           "x' OR '1'='1", "a.b.c", "1users", "sch.", ".t"));

TEST(RuleConfigTest, IdRules) {
  EXPECT_TRUE(
      only_problem(load(rule_doc("source: db\ntable: t\ntype: freshness\ntimestamp_column: ts\n")),
                   "rules[0].id", "is required"));
  EXPECT_TRUE(only_problem(
      load(rule_doc("id: ''\nsource: db\ntable: t\ntype: freshness\ntimestamp_column: ts\n")),
      "rules[0].id", "must not be empty"));
  EXPECT_TRUE(only_problem(
      load(rule_doc("id: a b\nsource: db\ntable: t\ntype: freshness\ntimestamp_column: ts\n")),
      "rules[0].id", "letters, digits, '_', '.' and '-'"));
  const std::string long_id(129, 'a');
  EXPECT_TRUE(only_problem(load(rule_doc("id: " + long_id +
                                         "\nsource: db\ntable: t\ntype: freshness\n"
                                         "timestamp_column: ts\n")),
                           "rules[0].id", "at most 128"));
  const auto ok = load(rule_doc("id: " + std::string(128, 'a') +
                                "\nsource: db\ntable: t\ntype: freshness\ntimestamp_column: ts\n"));
  EXPECT_TRUE(loads(ok));
  EXPECT_TRUE(loads(load(rule_doc(
      "id: team.orders-fresh_1\nsource: db\ntable: t\ntype: freshness\ntimestamp_column: ts\n"))));
}

TEST(RuleConfigTest, DuplicateIds) {
  const std::string rule =
      "  - {id: same, source: db, table: t, type: freshness, "
      "timestamp_column: ts}\n";
  const auto r = load("sources:\n  db: {type: sqlite, path: /x.db}\nrules:\n" + rule +
                      "  - {id: other, source: db, table: t, type: freshness, "
                      "timestamp_column: ts}\n" +
                      rule);
  EXPECT_TRUE(only_problem(r, "rules[2].id", "duplicate rule id \"same\" (also used by rules[0])"));
}

TEST(RuleConfigTest, SourceMustBeDefined) {
  EXPECT_TRUE(
      only_problem(load(rule_doc("id: r1\ntable: t\ntype: freshness\ntimestamp_column: ts\n")),
                   "rules[0].source", "is required"));
  EXPECT_TRUE(only_problem(
      load(rule_doc("id: r1\nsource: dbb\ntable: t\ntype: freshness\ntimestamp_column: ts\n")),
      "rules[0].source",
      "unknown source \"dbb\"; it must name a source defined under sources:; did you mean 'db'?"));
  // Without a sources section only that is reported, not one problem per rule.
  EXPECT_TRUE(only_problem(load("rules:\n  - {id: r1, source: x, table: t, type: freshness, "
                                "timestamp_column: ts}\n"),
                           "sources", "at least one source is required"));
  // A source whose settings are wrong is still a defined name for rules.
  EXPECT_TRUE(only_problem(load("sources:\n  x: {type: sqlite}\nrules:\n  - {id: r1, source: x, "
                                "table: t, type: freshness, timestamp_column: ts}\n"),
                           "sources.x.path", "is required"));
}

TEST(RuleConfigTest, TableIsRequired) {
  EXPECT_TRUE(
      only_problem(load(rule_doc("id: r1\nsource: db\ntype: freshness\ntimestamp_column: ts\n")),
                   "rules[0].table", "is required"));
}

TEST(RuleConfigTest, Type) {
  const auto missing =
      load(rule_doc("id: r1\nsource: db\ntable: t\ntimestamp_column: ts\n"
                    "tolerence_minutes: 5\n"));
  EXPECT_TRUE(has_problem(missing, "rules[0].type", "is required"));
  EXPECT_TRUE(has_problem(missing, "rules[0].tolerence_minutes",
                          "unknown key 'tolerence_minutes'; did you mean 'tolerance_minutes'?"));
  EXPECT_EQ(missing.problems.size(), 2U) << testing::describe(missing);
  EXPECT_TRUE(only_problem(load(rule_doc("id: r1\nsource: db\ntable: t\ntype: fresh\n")),
                           "rules[0].type", "did you mean 'freshness'?"));
}

TEST(RuleConfigTest, HistoryTypesAreSupported) {
  // Their fields are tested in history_rule_config_test.cpp.
  EXPECT_TRUE(loads(
      load(rule_doc("id: r1\nsource: db\ntable: t\ntype: volume_anomaly\nsensitivity: 3\n"))));
  EXPECT_TRUE(loads(load(rule_doc("id: r1\nsource: db\ntable: t\ntype: schema_change\n"))));
}

TEST(RuleConfigTest, UnknownKeySuggestion) {
  EXPECT_TRUE(only_problem(load(freshness_rule("tolerence_minutes: 30")),
                           "rules[0].tolerence_minutes",
                           "unknown key 'tolerence_minutes'; did you mean 'tolerance_minutes'?"));
}

TEST(RuleConfigTest, FieldsOfOtherTypesDoNotApply) {
  EXPECT_TRUE(only_problem(load(freshness_rule("min_row_count: 5")), "rules[0].min_row_count",
                           "'min_row_count' does not apply to freshness rules"));
  EXPECT_TRUE(only_problem(
      load(rule_doc("id: r1\nsource: db\ntable: t\ntype: volume_threshold\nmin_row_count: 1\n"
                    "timestamp_column: ts\n")),
      "rules[0].timestamp_column", "'timestamp_column' does not apply to volume_threshold rules"));
}

std::string volume_rule(std::string_view fields) {
  return rule_doc("id: v1\nsource: db\ntable: t\ntype: volume_threshold\n" + std::string(fields));
}

TEST(RuleConfigTest, VolumeThreshold) {
  const auto both = load(volume_rule("min_row_count: 0\nmax_row_count: 9223372036854775807\n"));
  ASSERT_TRUE(loads(both));
  EXPECT_EQ(rule_of(both).type, RuleType::kVolumeThreshold);
  EXPECT_EQ(rule_of(both).volume_threshold.min_row_count, 0);
  EXPECT_EQ(rule_of(both).volume_threshold.max_row_count, INT64_C(9223372036854775807));
  const auto min_only = load(volume_rule("min_row_count: 10\n"));
  ASSERT_TRUE(loads(min_only));
  EXPECT_EQ(rule_of(min_only).volume_threshold.min_row_count, 10);
  EXPECT_FALSE(rule_of(min_only).volume_threshold.max_row_count.has_value());
  const auto max_only = load(volume_rule("max_row_count: 10\n"));
  ASSERT_TRUE(loads(max_only));
  EXPECT_FALSE(rule_of(max_only).volume_threshold.min_row_count.has_value());
  EXPECT_TRUE(loads(load(volume_rule("min_row_count: 7\nmax_row_count: 7\n"))));
}

TEST(RuleConfigTest, VolumeThresholdErrors) {
  EXPECT_TRUE(only_problem(load(volume_rule("")), "rules[0]",
                           "volume_threshold rules need min_row_count, max_row_count or both"));
  EXPECT_TRUE(only_problem(load(volume_rule("min_row_count: 20\nmax_row_count: 10\n")),
                           "rules[0].min_row_count",
                           "must not be greater than max_row_count (10), got 20"));
  EXPECT_TRUE(only_problem(load(volume_rule("min_row_count: -1\n")), "rules[0].min_row_count",
                           "must be at least 0, got -1"));
  EXPECT_TRUE(only_problem(load(volume_rule("max_row_count: 9223372036854775808\n")),
                           "rules[0].max_row_count",
                           "must be at least 0, got \"9223372036854775808\""));
  EXPECT_TRUE(only_problem(load(volume_rule("max_row_count: lots\n")), "rules[0].max_row_count",
                           "must be an integer, got \"lots\""));
}

TEST(RuleConfigTest, RulesSectionShape) {
  const std::string sources = "sources:\n  db: {type: sqlite, path: /x.db}\n";
  EXPECT_TRUE(only_problem(load(sources), "rules", "at least one rule is required"));
  EXPECT_TRUE(
      only_problem(load(sources + "rules: []\n"), "rules", "at least one rule is required"));
  EXPECT_TRUE(only_problem(load(sources + "rules:\n"), "rules", "at least one rule is required"));
  EXPECT_TRUE(only_problem(load(sources + "rules: {a: 1}\n"), "rules",
                           "must be a list of rules, got a map"));
  EXPECT_TRUE(
      only_problem(load(sources + "rules: [orders]\n"), "rules[0]",
                   "must be a map (a rule with id:, source:, table:, type:), got \"orders\""));
  EXPECT_TRUE(only_problem(load(sources + "rules: [~]\n"), "rules[0]", "got nothing"));
}

TEST(RuleConfigTest, ProblemsInSeveralRulesUseTheirIndex) {
  const auto r = load(
      "sources:\n  db: {type: sqlite, path: /x.db}\nrules:\n"
      "  - {id: a, source: db, table: t, type: freshness, timestamp_column: ts}\n"
      "  - {id: b, source: db, table: t, type: freshness, timestamp_column: ts}\n"
      "  - {id: c, source: db, table: t, type: freshness, timestamp_column: ts,"
      " tolerance_minutes: 3}\n");
  EXPECT_TRUE(only_problem(r, "rules[2].tolerance_minutes", "must be between 5 and 10080, got 3"));
  EXPECT_EQ(r.problems[0].to_string(),
            "rules[2].tolerance_minutes: must be between 5 and 10080, got 3");
}

}  // namespace
}  // namespace freshguard::config
