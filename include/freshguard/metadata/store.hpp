#pragma once
/// The MetadataStore interface: where FreshGuard keeps what it learns between checks.
///
/// A store holds the execution history (one record per check result), which is also the
/// source of volume baselines; the schema baselines of schema-change rules; and the
/// approvals given with `freshguard baseline approve`. Backends: SQLite (default, embedded,
/// see sqlite_store.hpp) and PostgreSQL (shared, see postgres_store.hpp).
///
/// Every implementation is thread-safe (any method may be called from several threads at
/// once), applies its versioned migrations when opened, binds every value as a parameter,
/// and reports every failed read or write by throwing MetadataError (transient when a retry
/// may succeed, e.g. the database was locked). Nothing is swallowed.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <freshguard/core/check_result.hpp>
#include <freshguard/core/clock.hpp>
#include <freshguard/core/error.hpp>

namespace freshguard {

/// One recorded check result, as read back from the history.
struct ExecutionRecord {
  /// Assigned by the store; increases with every record (within one store).
  std::int64_t id = 0;
  std::string rule_id;
  RuleType type = RuleType::kFreshness;
  std::string source;
  std::string table;
  CheckStatus status = CheckStatus::kOk;
  Severity severity = Severity::kNone;
  std::string message;
  std::optional<Method> method;
  std::optional<std::int64_t> row_count;
  std::optional<std::int64_t> lag_seconds;
  std::optional<WallTime> last_update;
  std::optional<double> deviation_percent;
  /// Number of schema changes reported (schema-change rules).
  std::optional<std::int64_t> schema_changes;
  /// Set when status is kError.
  std::optional<ErrorCode> error_code;
  std::chrono::microseconds duration{0};
  WallTime checked_at{};
};

/// Which executions history() returns: newest first.
struct HistoryQuery {
  /// Only this rule; empty = every rule.
  std::string rule_id;
  /// At most this many records (>= 1). Default 20.
  int limit = 20;
  /// Only records checked at or after this time.
  std::optional<WallTime> since;
};

/// One past row count of a rule, for volume baselines.
struct VolumePoint {
  WallTime checked_at{};
  std::int64_t row_count = 0;
  /// The status of that check: alerting points are left out of baselines.
  CheckStatus status = CheckStatus::kOk;
};

/// One column of a schema snapshot.
struct SchemaColumn {
  std::string name;
  /// Normalised type (see monitors/schema_diff.hpp), e.g. "varchar(100)".
  std::string type;
  bool nullable = true;
  /// 1-based ordinal position.
  int position = 0;
};

/// The schema of a rule's table at one moment: the baseline of a schema-change rule.
struct SchemaSnapshot {
  std::string rule_id;
  /// The table as the catalog spells it, e.g. "main.orders".
  std::string table;
  /// In ordinal order.
  std::vector<SchemaColumn> columns;
  WallTime captured_at{};
};

/// A person's acceptance of a rule's current state (`freshguard baseline approve`).
struct Approval {
  std::string rule_id;
  WallTime approved_at{};
  /// Who approved (free text, e.g. the user name); may be empty.
  std::string approved_by;
  /// Why (free text); may be empty.
  std::string note;
};

class MetadataStore {
 public:
  virtual ~MetadataStore() = default;

  /// "sqlite" or "postgres".
  virtual std::string_view backend() const noexcept = 0;

  /// The schema version the store is at (the highest migration applied).
  virtual int schema_version() = 0;

  /// Records `results` in one transaction: all of them or none. Throws MetadataError.
  virtual void record_executions(std::span<const CheckResult> results) = 0;
  /// Records one result. Throws MetadataError.
  void record_execution(const CheckResult& result) { record_executions({&result, 1}); }

  /// Recorded executions matching `query`, newest first (ties: last recorded first).
  virtual std::vector<ExecutionRecord> history(const HistoryQuery& query) = 0;

  /// Row counts recorded for `rule_id` with since <= checked_at < until, oldest first.
  /// Results without a row count (errors, other rule types) are not included.
  virtual std::vector<VolumePoint> volume_history(std::string_view rule_id, WallTime since,
                                                  WallTime until) = 0;

  /// The schema baseline of `rule_id`, or nullopt when none was stored yet.
  virtual std::optional<SchemaSnapshot> schema_baseline(std::string_view rule_id) = 0;
  /// Stores `snapshot` as the baseline of snapshot.rule_id, replacing any previous one.
  virtual void save_schema_baseline(const SchemaSnapshot& snapshot) = 0;

  /// Records `approval` and, when given, stores `baseline` as the rule's schema baseline,
  /// in one transaction.
  virtual void record_approval(const Approval& approval,
                               const std::optional<SchemaSnapshot>& baseline) = 0;
  /// The most recent approval of `rule_id`, or nullopt.
  virtual std::optional<Approval> latest_approval(std::string_view rule_id) = 0;

  /// Deletes executions checked before `cutoff`; returns how many were deleted. Baselines
  /// and approvals are kept.
  virtual std::int64_t prune_history(WallTime cutoff) = 0;
};

/// The default retention of execution history, in days (config metadata.retention_days).
inline constexpr int kDefaultRetentionDays = 90;

}  // namespace freshguard
