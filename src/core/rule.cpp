#include <freshguard/core/rule.hpp>

namespace freshguard {

std::string_view to_string(RuleType type) noexcept {
  switch (type) {
    case RuleType::kFreshness:
      return "freshness";
    case RuleType::kVolumeAnomaly:
      return "volume_anomaly";
    case RuleType::kVolumeThreshold:
      return "volume_threshold";
    case RuleType::kSchemaChange:
      return "schema_change";
  }
  return "freshness";
}

std::optional<RuleType> parse_rule_type(std::string_view text) noexcept {
  if (text == "freshness") return RuleType::kFreshness;
  if (text == "volume_anomaly") return RuleType::kVolumeAnomaly;
  if (text == "volume_threshold") return RuleType::kVolumeThreshold;
  if (text == "schema_change") return RuleType::kSchemaChange;
  return std::nullopt;
}

std::string_view to_string(UpdateFrequency f) noexcept {
  switch (f) {
    case UpdateFrequency::kHourly:
      return "hourly";
    case UpdateFrequency::kDaily:
      return "daily";
    case UpdateFrequency::kWeekly:
      return "weekly";
  }
  return "daily";
}

std::optional<UpdateFrequency> parse_update_frequency(std::string_view text) noexcept {
  if (text == "hourly") return UpdateFrequency::kHourly;
  if (text == "daily") return UpdateFrequency::kDaily;
  if (text == "weekly") return UpdateFrequency::kWeekly;
  return std::nullopt;
}

std::chrono::minutes default_tolerance(UpdateFrequency f) noexcept {
  switch (f) {
    case UpdateFrequency::kHourly:
      return std::chrono::minutes(60);
    case UpdateFrequency::kDaily:
      return std::chrono::minutes(24 * 60);
    case UpdateFrequency::kWeekly:
      return std::chrono::minutes(7 * 24 * 60);
  }
  return std::chrono::minutes(24 * 60);
}

}  // namespace freshguard
