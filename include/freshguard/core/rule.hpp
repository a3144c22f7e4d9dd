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

/// How a volume-anomaly baseline is computed from past row counts.
/// kMean: mean and sample standard deviation; kMedian: median and scaled MAD;
/// kTrimmedMean: mean and standard deviation after dropping `trim_percent` from each end;
/// kMad (default): median and scaled MAD judged by modified z-score (robust to outliers).
enum class BaselineMethod { kMean, kMedian, kTrimmedMean, kMad };
/// Contract spelling: "mean", "median", "trimmed_mean", "mad".
std::string_view to_string(BaselineMethod m) noexcept;
std::optional<BaselineMethod> parse_baseline_method(std::string_view text) noexcept;

/// Seasonality of a volume-anomaly baseline. kDayOfWeek compares only with past points on
/// the same weekday (UTC).
enum class Seasonality { kNone, kDayOfWeek };
/// Contract spelling: "none", "day_of_week".
std::string_view to_string(Seasonality s) noexcept;
std::optional<Seasonality> parse_seasonality(std::string_view text) noexcept;

/// Fields of a volume-anomaly rule: the current row count against a baseline of past row
/// counts of the same rule, read from the metadata store.
struct VolumeAnomalySpec {
  /// Days of history the baseline is computed from. Default 30.
  int baseline_window_days = 30;
  /// Default kMad (median with MAD, modified z-score).
  BaselineMethod method = BaselineMethod::kMad;
  /// Allowed deviation from the centre in percent. At most one of deviation_threshold and
  /// sensitivity is set; when neither is, kMad uses sensitivity 3.5 and the other methods a
  /// deviation of 20 percent.
  std::optional<double> deviation_threshold;
  /// Allowed deviation in spreads (standard deviations, or scaled MADs).
  std::optional<double> sensitivity;
  /// Default kNone.
  Seasonality seasonality = Seasonality::kNone;
  /// Points needed in the baseline before the rule can alert; until then the result is ok
  /// with `baseline: insufficient_history`. Default 7, or 4 with day-of-week seasonality.
  std::optional<int> minimum_data_points;
  /// Share dropped from each end by kTrimmedMean, in percent [0, 50). Default 10.
  double trim_percent = 10.0;
  /// A change smaller than this many rows never alerts (tiny tables). Default 10.
  std::int64_t min_absolute_change = 10;
};

/// What a schema-change rule does when the schema differs from its baseline.
/// kManual (default): alert until `freshguard baseline approve` accepts the current schema.
/// kAuto: added columns are accepted into the baseline without an alert; anything else
/// alerts as in kManual. kAlertOnly: alert once, then take the new schema as the baseline.
enum class SchemaAdaptation { kManual, kAuto, kAlertOnly };
/// Contract spelling: "manual", "auto", "alert_only".
std::string_view to_string(SchemaAdaptation a) noexcept;
std::optional<SchemaAdaptation> parse_schema_adaptation(std::string_view text) noexcept;

/// Fields of a schema-change rule.
struct SchemaChangeSpec {
  SchemaAdaptation adaptation_mode = SchemaAdaptation::kManual;
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
  /// Optional `filter:` of freshness and volume rules: a boolean SQL expression applied as the
  /// WHERE of the rule's queries (`region = 'eu' AND is_test = false`). Checked by
  /// security::QueryAnalyzer::check_filter when loaded and again before it is sent. Empty =
  /// every row.
  std::string filter;
  FreshnessSpec freshness;
  VolumeThresholdSpec volume_threshold;
  VolumeAnomalySpec volume_anomaly;
  SchemaChangeSpec schema_change;
};

}  // namespace freshguard
