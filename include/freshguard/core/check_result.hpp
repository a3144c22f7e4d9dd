#pragma once
/// The outcome of one rule check: always a value, whatever happened.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <freshguard/core/clock.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/core/rule.hpp>

namespace freshguard {

/// ok: the rule holds; alert: the rule is violated; error: the check could not run.
enum class CheckStatus { kOk, kAlert, kError };
std::string_view to_string(CheckStatus s) noexcept;

/// Severity of an alert. kNone for ok and error results.
enum class Severity { kNone, kWarning, kCritical };
std::string_view to_string(Severity s) noexcept;

/// How the figure was obtained.
enum class Method { kMaxTimestamp, kCatalog, kExactCount };
/// Contract spelling: "max_timestamp", "catalog", "exact_count".
std::string_view to_string(Method m) noexcept;

/// A check that could not run: a stable code and a message that is safe to show.
struct CheckError {
  ErrorCode code = ErrorCode::kMonitoringFailed;
  std::string message;
};

/// Whether a volume-anomaly baseline could judge the current row count.
enum class BaselineStatus { kReady, kInsufficientHistory };
/// Contract spelling: "ready", "insufficient_history".
std::string_view to_string(BaselineStatus s) noexcept;

/// How a volume-anomaly result was judged: enough to explain it without reading the code.
struct VolumeBaseline {
  BaselineStatus status = BaselineStatus::kInsufficientHistory;
  BaselineMethod method = BaselineMethod::kMad;
  int window_days = 0;
  Seasonality seasonality = Seasonality::kNone;
  /// Points the baseline was computed from, and how many it needs before it can alert.
  int points = 0;
  int required_points = 0;
  /// Past points left out of the training data because they alerted.
  int excluded_points = 0;
  /// Centre (mean, median or trimmed mean) and spread (standard deviation or scaled MAD).
  std::optional<double> centre;
  std::optional<double> spread;
  /// Inclusive range of row counts that does not alert (ignoring min_absolute_change).
  std::optional<double> lower_bound;
  std::optional<double> upper_bound;
  /// The threshold in force: percent, or spreads when `threshold_in_spreads`.
  double threshold = 0;
  bool threshold_in_spreads = false;
  /// (row_count - centre) / spread, when the spread is positive.
  std::optional<double> score;
  std::int64_t min_absolute_change = 0;
};

enum class SchemaChangeKind { kAdded, kRemoved, kTypeChanged, kNullabilityChanged };
/// Contract spelling: "added", "removed", "type_changed", "nullability_changed".
std::string_view to_string(SchemaChangeKind k) noexcept;

/// How much a schema change can break readers. kHigh: a column removed, a type narrowed or
/// changed to another family; kMedium: a type widened, nullability changed; kLow: a column
/// added.
enum class ChangeSeverity { kLow, kMedium, kHigh };
/// Contract spelling: "low", "medium", "high".
std::string_view to_string(ChangeSeverity s) noexcept;

/// One difference between a table's schema and its baseline.
struct SchemaChange {
  SchemaChangeKind kind = SchemaChangeKind::kAdded;
  std::string column;
  /// Normalised types before and after (empty when the column did not exist then).
  std::string old_type;
  std::string new_type;
  std::optional<bool> old_nullable;
  std::optional<bool> new_nullable;
  ChangeSeverity severity = ChangeSeverity::kLow;
  /// A short explanation, e.g. "narrowing: varchar(100) -> varchar(20)".
  std::string detail;
};

/// What a schema-change check did with the stored baseline.
enum class SchemaBaselineAction { kKept, kCreated, kUpdated };
/// Contract spelling: "kept", "created", "updated".
std::string_view to_string(SchemaBaselineAction a) noexcept;

struct CheckResult {
  std::string rule_id;
  RuleType type = RuleType::kFreshness;
  std::string source;
  std::string table;
  CheckStatus status = CheckStatus::kOk;
  Severity severity = Severity::kNone;
  /// One sentence for people: why the status is what it is.
  std::string message;
  std::optional<Method> method;

  // Freshness figures.
  /// now - last_update, in seconds; negative when the newest row is in the future.
  std::optional<std::int64_t> lag_seconds;
  std::optional<WallTime> last_update;
  std::optional<std::int64_t> tolerance_seconds;
  std::optional<std::int64_t> alert_threshold_seconds;

  // Volume figures.
  std::optional<std::int64_t> row_count;
  std::optional<std::int64_t> min_row_count;
  std::optional<std::int64_t> max_row_count;
  /// Volume anomaly: (row_count - centre) / centre * 100; unset when the centre is 0 or
  /// there is no baseline yet.
  std::optional<double> deviation_percent;
  std::optional<VolumeBaseline> baseline;

  // Schema-change figures: every difference from the baseline, and what became of it.
  std::vector<SchemaChange> schema_changes;
  std::optional<SchemaBaselineAction> schema_baseline;
  /// Columns in the current schema.
  std::optional<int> column_count;

  /// When the check started (wall clock) and how long it took (steady clock).
  WallTime checked_at{};
  std::chrono::microseconds duration{0};

  /// Set exactly when status is kError.
  std::optional<CheckError> error;
};

/// Builds an error result for `rule` from an exception caught at a boundary.
CheckResult error_result(const Rule& rule, const Error& e);

}  // namespace freshguard
