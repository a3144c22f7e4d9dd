#pragma once
/// The SQLite metadata store: the default, embedded in one file.
///
/// The file is opened read-write in WAL mode (readers never block the writer) with a busy
/// timeout, so several processes (two `freshguard check` runs from cron, `serve` and a
/// `history` reader) can share it. Writes take the write lock up front (BEGIN IMMEDIATE).
/// Migrations run on open inside one transaction and are recorded in `schema_version`;
/// opening an up-to-date file changes nothing. Times are stored as 64-bit integer
/// microseconds since the Unix epoch, row counts as 64-bit integers.
///
/// Thread-safe: one connection, used under a mutex.

#include <chrono>
#include <filesystem>
#include <memory>

#include <freshguard/metadata/store.hpp>

namespace freshguard {

struct SqliteStoreOptions {
  /// The database file. Its parent folder is created when missing (when create is set).
  std::filesystem::path path;
  /// When false, a missing file is an error instead of being created. Default true.
  bool create = true;
  /// How long a statement waits for another process's lock before failing. Default 10 s.
  std::chrono::milliseconds busy_timeout{10000};
  /// Clock for the applied_at time of migrations; must outlive the store. Default: system.
  const Clock* clock = nullptr;
  /// Apply migrations only up to this version; 0 (default) = the latest. For upgrade tests.
  int migrate_to = 0;
};

class SqliteMetadataStore final : public MetadataStore {
 public:
  /// Opens (creating when allowed) the file and applies pending migrations. Throws
  /// MetadataError when the file cannot be created or opened, is not a SQLite database,
  /// or was written by a newer FreshGuard (its schema version is higher than known).
  explicit SqliteMetadataStore(SqliteStoreOptions options);
  ~SqliteMetadataStore() override;
  SqliteMetadataStore(const SqliteMetadataStore&) = delete;
  SqliteMetadataStore& operator=(const SqliteMetadataStore&) = delete;

  std::string_view backend() const noexcept override { return "sqlite"; }
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

/// The newest schema version this build's SQLite store knows.
int sqlite_store_latest_version() noexcept;

}  // namespace freshguard
