#include <gtest/gtest.h>

#include <freshguard/core/rule.hpp>

namespace freshguard {
namespace {

TEST(RuleTest, RuleTypesRoundTrip) {
  for (auto t : {RuleType::kFreshness, RuleType::kVolumeAnomaly, RuleType::kVolumeThreshold,
                 RuleType::kSchemaChange}) {
    EXPECT_EQ(parse_rule_type(to_string(t)), t);
  }
  EXPECT_FALSE(parse_rule_type("Freshness").has_value());
  EXPECT_FALSE(parse_rule_type("").has_value());
}

TEST(RuleTest, FrequenciesGiveDefaultTolerances) {
  EXPECT_EQ(default_tolerance(UpdateFrequency::kHourly), std::chrono::minutes(60));
  EXPECT_EQ(default_tolerance(UpdateFrequency::kDaily), std::chrono::minutes(1440));
  EXPECT_EQ(default_tolerance(UpdateFrequency::kWeekly), std::chrono::minutes(10080));
  for (auto f : {UpdateFrequency::kHourly, UpdateFrequency::kDaily, UpdateFrequency::kWeekly}) {
    EXPECT_EQ(parse_update_frequency(to_string(f)), f);
  }
  EXPECT_FALSE(parse_update_frequency("monthly").has_value());
}

}  // namespace
}  // namespace freshguard
