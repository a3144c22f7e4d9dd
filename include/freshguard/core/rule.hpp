#pragma once
/// Monitoring rules as the engine sees them. The config layer builds these from YAML after
/// validating every field; the monitors re-validate what concerns security (identifiers)
/// because the library can be called without the config layer.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace freshguard {

enum class RuleType { kFreshness, kVolumeAnomaly, kVolumeThreshold, kSchemaChange };

/// The contract spelling: "freshness", "volume_anomaly", "volume_threshold", "schema_change".
std::string_view to_string(RuleType type) noexcept;
/// Parses the contract spelling; nullopt when unknown.
std::optional<RuleType> parse_rule_type(std::string_view text) noexcept;

/// How often a table is expected to change. Gives the default tolerance of a freshness rule.
enum class UpdateFrequency { kHourly, kDaily, kWeekly };
std::string_view to_string(UpdateFrequency f) noexcept;
std::optional<UpdateFrequency> parse_update_frequency(std::string_view text) noexcept;
/// The tolerance implied by a frequency: hourly 60 min, daily 1440 min, weekly 10080 min.
std::chrono::minutes default_tolerance(UpdateFrequency f) noexcept;

/// Fields of a freshness rule.
struct FreshnessSpec {
  /// Column holding the last-modified time of each row.
  std::string timestamp_column;
  /// Lag beyond this is a warning alert. Default 60 minutes (or from the frequency).
  std::chrono::minutes tolerance{60};
  /// Lag beyond this is a critical alert. Optional.
  std::optional<std::chrono::hours> alert_threshold;
  /// Informational; when tolerance is not given it supplies the default.
  std::optional<UpdateFrequency> expected_update_frequency;
  /// Zone in which naive timestamps (without offset) are read. Default UTC.
  std::string timezone = "UTC";
};

/// Fields of a volume-threshold rule: inclusive bounds, at least one present.
struct VolumeThresholdSpec {
  std::optional<std::int64_t> min_row_count;
  std::optional<std::int64_t> max_row_count;
};

/// One monitoring rule.
struct Rule {
  std::string id;
  std::string source;
  /// `table` or `schema.table`, validated as identifiers before any connection is used.
  std::string table;
  RuleType type = RuleType::kFreshness;
  /// How often `serve` runs the rule. Default 5 minutes.
  std::chrono::minutes check_interval{5};
  /// Optional human description, shown in output.
  std::string description;
  FreshnessSpec freshness;
  VolumeThresholdSpec volume_threshold;
};

}  // namespace freshguard
