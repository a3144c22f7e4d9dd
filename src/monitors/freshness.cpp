#include <chrono>

#include <freshguard/core/error.hpp>
#include <freshguard/core/time.hpp>
#include <freshguard/monitors/monitors.hpp>

#include "monitors/base_result.hpp"

namespace freshguard {
namespace {

using std::chrono::duration_cast;
using std::chrono::seconds;

// Fills status, severity and message from the lag.
void judge_lag(CheckResult& r, seconds lag, seconds tolerance, std::optional<seconds> threshold) {
  const std::string lag_text = format_duration(lag);
  if (lag < seconds(0)) {
    const std::string ahead = format_duration(-lag);
    if (-lag > kFutureSkewAllowance) {
      r.status = CheckStatus::kAlert;
      r.severity = Severity::kWarning;
      r.message = "newest timestamp is " + ahead +
                  " in the future: clock skew, a wrong time zone or bad data";
    } else {
      r.message = "newest timestamp is " + ahead + " in the future (within clock skew)";
    }
    return;
  }
  if (threshold && lag > *threshold) {
    r.status = CheckStatus::kAlert;
    r.severity = Severity::kCritical;
    r.message = "stale: last update " + lag_text + " ago, past the critical threshold of " +
                format_duration(*threshold);
  } else if (lag > tolerance) {
    r.status = CheckStatus::kAlert;
    r.severity = Severity::kWarning;
    r.message = "stale: last update " + lag_text + " ago, tolerance " + format_duration(tolerance);
  } else {
    r.message = "fresh: last update " + lag_text + " ago, tolerance " + format_duration(tolerance);
  }
}

MetadataStore& require_store(const Rule& rule, const CheckContext& context) {
  if (context.store == nullptr) {
    throw MetadataError("'" + std::string(to_string(rule.type)) +
                        "' rules need the metadata store (history), and none is open");
  }
  return *context.store;
}

// The `catalog` method (no timestamp column): the table's last modification time as the
// catalog records it; no scanning query is issued.
CheckResult check_catalog_freshness(Connector& connector, const Rule& rule,
                                    const sql::QualifiedName& table, const Clock& clock) {
  if (!rule.filter.empty()) {
    throw ConfigError("rule \"" + rule.id + "\": a filter needs a timestamp_column");
  }
  const auto stats = connector.catalog_stats(table);
  if (!stats || !stats->last_modified) {
    throw ConfigError("rule \"" + rule.id + "\": timestamp_column is required: source \"" +
                      connector.source_name() + "\" keeps no last-modified time for " +
                      table.display());
  }
  const seconds tolerance = rule.freshness.tolerance;
  std::optional<seconds> threshold;
  if (rule.freshness.alert_threshold) threshold = *rule.freshness.alert_threshold;
  CheckResult r = monitors_detail::base_result(rule);
  r.method = Method::kCatalog;
  r.tolerance_seconds = tolerance.count();
  if (threshold) r.alert_threshold_seconds = threshold->count();
  r.row_count = stats->row_count;
  const seconds lag = duration_cast<seconds>(clock.wall_now() - *stats->last_modified);
  r.last_update = *stats->last_modified;
  r.lag_seconds = lag.count();
  judge_lag(r, lag, tolerance, threshold);
  return r;
}

}  // namespace

CheckResult check_freshness(Connector& connector, const Rule& rule, const Clock& clock) {
  if (rule.type != RuleType::kFreshness) {
    throw ConfigError("rule \"" + rule.id + "\" is not a freshness rule");
  }
  // Validate everything before the connector is touched.
  const auto table = sql::QualifiedName::parse(rule.table, "table name");
  if (rule.freshness.timestamp_column.empty()) {
    (void)TimeZone::named(rule.freshness.timezone);
    return check_catalog_freshness(connector, rule, table, clock);
  }
  const auto column = sql::Identifier::parse(rule.freshness.timestamp_column, "column name");
  const TimeZone zone = TimeZone::named(rule.freshness.timezone);
  const seconds tolerance = rule.freshness.tolerance;
  std::optional<seconds> threshold;
  if (rule.freshness.alert_threshold) threshold = *rule.freshness.alert_threshold;

  const auto newest = connector.max_timestamp(table, column, zone, rule.filter);
  const WallTime now = clock.wall_now();

  CheckResult r = monitors_detail::base_result(rule);
  r.method = Method::kMaxTimestamp;
  r.tolerance_seconds = tolerance.count();
  if (threshold) r.alert_threshold_seconds = threshold->count();
  if (!newest) {
    const std::int64_t rows = connector.row_count(table, rule.filter);
    r.row_count = rows;
    r.status = CheckStatus::kAlert;
    r.severity = Severity::kCritical;
    r.message = rows == 0 ? "table is empty: no rows to tell when it was last updated"
                          : "column \"" + column.str() + "\" is NULL in all " +
                                std::to_string(rows) + " rows";
    return r;
  }
  const seconds lag = duration_cast<seconds>(now - *newest);
  r.last_update = *newest;
  r.lag_seconds = lag.count();
  judge_lag(r, lag, tolerance, threshold);
  return r;
}

CheckResult run_check(Connector& connector, const Rule& rule, const Clock& clock) noexcept {
  return run_check(connector, rule, CheckContext{&clock, nullptr});
}

CheckResult run_check(Connector& connector, const Rule& rule,
                      const CheckContext& context) noexcept {
  const Clock& clock = *context.clock;
  const SteadyTime start = clock.steady_now();
  const WallTime started_at = clock.wall_now();
  CheckResult r;
  try {
    try {
      switch (rule.type) {
        case RuleType::kFreshness:
          r = check_freshness(connector, rule, clock);
          break;
        case RuleType::kVolumeThreshold:
          r = check_volume_threshold(connector, rule, clock);
          break;
        case RuleType::kVolumeAnomaly:
          r = check_volume_anomaly(connector, rule, require_store(rule, context), clock);
          break;
        case RuleType::kSchemaChange:
          r = check_schema_change(connector, rule, require_store(rule, context), clock);
          break;
      }
    } catch (const Error& e) {
      r = error_result(rule, e);
    } catch (const std::exception&) {
      r = error_result(rule, MonitoringError("internal error while checking rule"));
    }
  } catch (...) {  // allocation failure while building an error result
    r = CheckResult{};
    r.status = CheckStatus::kError;
  }
  r.checked_at = started_at;
  r.duration = std::chrono::duration_cast<std::chrono::microseconds>(clock.steady_now() - start);
  return r;
}

}  // namespace freshguard
