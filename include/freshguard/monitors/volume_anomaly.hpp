#pragma once
/// Volume anomaly: the current row count of a table against a baseline of its past row
/// counts, recorded in the metadata store by earlier checks of the same rule.

#include <optional>
#include <span>
#include <string>

#include <freshguard/connectors/connector.hpp>
#include <freshguard/core/check_result.hpp>
#include <freshguard/core/clock.hpp>
#include <freshguard/core/rule.hpp>
#include <freshguard/metadata/store.hpp>

namespace freshguard {

/// Sensitivity used by kMad when the rule gives neither threshold (Iglewicz and Hoaglin's
/// modified z-score cut-off).
inline constexpr double kDefaultMadSensitivity = 3.5;
/// Deviation in percent used by the other methods when the rule gives neither threshold.
inline constexpr double kDefaultDeviationPercent = 20.0;
/// Default minimum_data_points without and with day-of-week seasonality.
inline constexpr int kDefaultMinimumPoints = 7;
inline constexpr int kDefaultSeasonalMinimumPoints = 4;

/// The verdict on one row count.
struct VolumeJudgement {
  CheckStatus status = CheckStatus::kOk;
  Severity severity = Severity::kNone;
  std::string message;
  std::optional<double> deviation_percent;
  VolumeBaseline baseline;
};

/// Judges `current` at time `now` against `history` under `spec`. Pure and thread-safe.
///
/// The training data are the points with now - window <= checked_at < now (so the current
/// point is never part of it), on the same UTC weekday as `now` with day-of-week
/// seasonality, leaving out points that alerted, unless they were checked at or before
/// `approved_until` (a person accepted them with `freshguard baseline approve`). With fewer
/// than minimum_data_points the result is ok with baseline status insufficient_history.
/// Otherwise the count alerts when it is outside [lower_bound, upper_bound] and differs
/// from the centre by at least min_absolute_change rows; the alert is critical when the
/// count is 0 while the centre is not, or when it lies more than twice the allowed
/// distance from the centre.
VolumeJudgement judge_volume(std::span<const VolumePoint> history, std::int64_t current,
                             WallTime now, const VolumeAnomalySpec& spec,
                             std::optional<WallTime> approved_until = std::nullopt);

/// Throws ConfigError naming the field when `spec` is out of range (the config layer
/// checks the same; the library can be called without it).
void validate_volume_anomaly_spec(const VolumeAnomalySpec& spec);

/// Volume anomaly check: validates the rule, counts the rows (exact COUNT(*)), reads the
/// rule's history and latest approval from `store`, and judges the count. Does not record
/// the result: the caller records every result. Throws SecurityError, QueryError,
/// MetadataError, ... when the check cannot proceed.
CheckResult check_volume_anomaly(Connector& connector, const Rule& rule, MetadataStore& store,
                                 const Clock& clock = SystemClock::instance());

}  // namespace freshguard
