#pragma once
/// The outcome of one rule check: always a value, whatever happened.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

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
enum class Method { kMaxTimestamp, kCatalog, kExactCount, kEstimate };
/// Contract spelling: "max_timestamp", "catalog", "exact_count", "estimate".
std::string_view to_string(Method m) noexcept;

/// A check that could not run: a stable code and a message that is safe to show.
struct CheckError {
  ErrorCode code = ErrorCode::kMonitoringFailed;
  std::string message;
};

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

  /// When the check started (wall clock) and how long it took (steady clock).
  WallTime checked_at{};
  std::chrono::microseconds duration{0};

  /// Set exactly when status is kError.
  std::optional<CheckError> error;
};

/// Builds an error result for `rule` from an exception caught at a boundary.
CheckResult error_result(const Rule& rule, const Error& e);

}  // namespace freshguard
