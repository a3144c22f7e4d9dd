#pragma once
/// Monitors: validate a rule, ask the connector, analyse, produce a CheckResult.
///
/// The check_* functions throw freshguard::Error when the check cannot proceed (hostile
/// identifier, missing table, database down). run_check is the boundary that turns every
/// error into an error result; the CLI and the daemon call it.

#include <freshguard/connectors/connector.hpp>
#include <freshguard/core/check_result.hpp>
#include <freshguard/core/clock.hpp>
#include <freshguard/core/rule.hpp>
#include <freshguard/metadata/store.hpp>
#include <freshguard/monitors/schema_change.hpp>
#include <freshguard/monitors/volume_anomaly.hpp>

namespace freshguard {

/// A newest timestamp up to this far in the future counts as clock skew, not bad data.
inline constexpr std::chrono::minutes kFutureSkewAllowance{5};

/// Freshness: lag = now - MAX(timestamp column). Warning alert past the tolerance, critical
/// past alert_threshold; an empty table or an all-NULL column is a critical alert with its
/// reason; a newest timestamp in the future is reported as a negative lag (an alert when
/// beyond kFutureSkewAllowance). Identifiers are validated before the connector is touched
/// (SecurityError) and resolved against the catalog (QueryError when missing).
CheckResult check_freshness(Connector& connector, const Rule& rule,
                            const Clock& clock = SystemClock::instance());

/// Volume threshold: exact row count against inclusive min/max bounds.
CheckResult check_volume_threshold(Connector& connector, const Rule& rule,
                                   const Clock& clock = SystemClock::instance());

/// What a check may use besides its connector.
struct CheckContext {
  /// Wall time for lags and history windows, steady time for durations. Must outlive the
  /// call. Default: the system clock.
  const Clock* clock = &SystemClock::instance();
  /// History and baselines: required by volume_anomaly and schema_change rules (without it
  /// they are error results with METADATA_FAILED). Not owned.
  MetadataStore* store = nullptr;
};

/// Runs the rule's check and never throws: errors become results with status kError.
/// Fills in duration and checked_at. Does not record the result in the store.
CheckResult run_check(Connector& connector, const Rule& rule, const CheckContext& context) noexcept;

/// As above, without a metadata store.
CheckResult run_check(Connector& connector, const Rule& rule,
                      const Clock& clock = SystemClock::instance()) noexcept;

}  // namespace freshguard
