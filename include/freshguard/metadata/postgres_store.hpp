#pragma once
/// The PostgreSQL metadata store: shared by a team, and later by several `serve` processes.
///
/// Tables are named `freshguard_*` and live in the first schema of the session's search_path
/// (usually `public`; add `options=-csearch_path%3Dname` to the URL for another). Migrations
/// run on open in one transaction under a transaction-scoped advisory lock, so processes
/// opening the store at once apply them exactly once; they are recorded in
/// `freshguard_schema_version`. Every value is a bound parameter (PQexecParams). Times are
/// BIGINT microseconds since the Unix epoch, row counts BIGINT.
///
/// Thread-safe: one connection, used under a mutex, re-established when it was lost.
/// Errors are MetadataError: transient for a lost connection, serialization failures,
/// deadlocks and server overload; never carrying the URL (it holds the password).

#include <chrono>
#include <memory>
#include <string>

#include <freshguard/metadata/store.hpp>

namespace freshguard {

struct PostgresStoreOptions {
  /// libpq connection URI or key=value string (secret: never printed or logged).
  std::string url;
  /// Connection timeout, unless the URL sets connect_timeout. Default 10 s.
  std::chrono::seconds connect_timeout{10};
  /// Server-side statement_timeout of the session. Default 30 s.
  std::chrono::milliseconds statement_timeout{30000};
  /// Clock for the applied_at time of migrations; must outlive the store. Default: system.
  const Clock* clock = nullptr;
  /// Apply migrations only up to this version; 0 (default) = the latest. For upgrade tests.
  int migrate_to = 0;
};

class PostgresMetadataStore final : public MetadataStore {
 public:
  /// Connects and applies pending migrations. Throws MetadataError when the server cannot
  /// be reached or refuses the session, or its schema version is newer than known.
  explicit PostgresMetadataStore(PostgresStoreOptions options);
  ~PostgresMetadataStore() override;
  PostgresMetadataStore(const PostgresMetadataStore&) = delete;
  PostgresMetadataStore& operator=(const PostgresMetadataStore&) = delete;

  std::string_view backend() const noexcept override { return "postgres"; }
  int schema_version() override;
  void record_executions(std::span<const CheckResult> results) override;
  std::vector<ExecutionRecord> history(const HistoryQuery& query) override;
  std::vector<VolumePoint> volume_history(std::string_view rule_id, WallTime since,
                                          WallTime until) override;
  std::optional<SchemaSnapshot> schema_baseline(std::string_view rule_id) override;
  void save_schema_baseline(const SchemaSnapshot& snapshot) override;
  void record_approval(const Approval& approval,
                       const std::optional<SchemaSnapshot>& baseline) override;
  std::optional<Approval> latest_approval(std::string_view rule_id) override;
  std::int64_t prune_history(WallTime cutoff) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// The newest schema version this build's PostgreSQL store knows.
int postgres_store_latest_version() noexcept;

}  // namespace freshguard
