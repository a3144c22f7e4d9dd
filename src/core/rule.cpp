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

std::string_view to_string(BaselineMethod m) noexcept {
  switch (m) {
    case BaselineMethod::kMean:
      return "mean";
    case BaselineMethod::kMedian:
      return "median";
    case BaselineMethod::kTrimmedMean:
      return "trimmed_mean";
    case BaselineMethod::kMad:
      return "mad";
  }
  return "mad";
}

std::optional<BaselineMethod> parse_baseline_method(std::string_view text) noexcept {
  if (text == "mean") return BaselineMethod::kMean;
  if (text == "median") return BaselineMethod::kMedian;
  if (text == "trimmed_mean") return BaselineMethod::kTrimmedMean;
  if (text == "mad") return BaselineMethod::kMad;
  return std::nullopt;
}

std::string_view to_string(Seasonality s) noexcept {
  return s == Seasonality::kDayOfWeek ? "day_of_week" : "none";
}

std::optional<Seasonality> parse_seasonality(std::string_view text) noexcept {
  if (text == "none") return Seasonality::kNone;
  if (text == "day_of_week") return Seasonality::kDayOfWeek;
  return std::nullopt;
}

std::string_view to_string(SchemaAdaptation a) noexcept {
  switch (a) {
    case SchemaAdaptation::kManual:
      return "manual";
    case SchemaAdaptation::kAuto:
      return "auto";
    case SchemaAdaptation::kAlertOnly:
      return "alert_only";
  }
  return "manual";
}

std::optional<SchemaAdaptation> parse_schema_adaptation(std::string_view text) noexcept {
  if (text == "manual") return SchemaAdaptation::kManual;
  if (text == "auto") return SchemaAdaptation::kAuto;
  if (text == "alert_only") return SchemaAdaptation::kAlertOnly;
  return std::nullopt;
}

}  // namespace freshguard
