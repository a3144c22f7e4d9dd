#pragma once
/// SQLite connector: an embedded database file opened read-only.
///
/// Each connection is a `sqlite3*` opened with SQLITE_OPEN_READONLY (the file is never
/// created or written) and `PRAGMA query_only`. Connections are pooled (up to
/// max_connections) and each is used by one thread at a time. Every statement runs under a
/// deadline of `timeout`: a progress handler interrupts it when the deadline passes and the
/// caller gets a TimeoutError. Each connection also bounds the size of any string or blob a
/// statement builds (`max_value_bytes`, SQLite's SQLITE_LIMIT_LENGTH) and may not ATTACH
/// other files; `path` must be a regular file (a FIFO or device is refused before it is
/// opened, so opening never blocks). The schema part of a qualified name is the SQLite schema
/// (`main` by default).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include <freshguard/connectors/connector.hpp>
#include <freshguard/security/query_analyzer.hpp>

namespace freshguard::security {
class SchemaCache;
}  // namespace freshguard::security

namespace freshguard {

struct SqliteOptions {
  std::string source_name = "sqlite";
  std::filesystem::path path;
  /// Deadline for each call, and the busy timeout. Default 30 s.
  std::chrono::milliseconds timeout{30000};
  /// Most connections open at once. Default 20.
  int max_connections = 20;
  /// Largest string or blob a statement may build, in bytes (SQLITE_LIMIT_LENGTH): a larger
  /// one (`randomblob(1000000000)`) fails at once with a QueryError instead of taking the
  /// memory. Default 64 MiB (config `max_value_mb`).
  std::int64_t max_value_bytes = std::int64_t{64} * 1024 * 1024;
  /// Clock for deadlines; must outlive the connector. Defaults to the system clock.
  const Clock* clock = nullptr;
  /// Resolved table schemas shared between calls (and connectors, keyed by source name).
  /// nullptr = the connector makes its own with the defaults (1 h TTL) and `clock`.
  std::shared_ptr<security::SchemaCache> schema_cache;
  /// Limits of the analyser every generated query passes before it is sent.
  security::AnalyzerLimits analyzer;
};

class SqliteConnector final : public Connector {
 public:
  /// Does not open anything yet; connections are opened on first use.
  explicit SqliteConnector(SqliteOptions options);
  ~SqliteConnector() override;
  SqliteConnector(const SqliteConnector&) = delete;
  SqliteConnector& operator=(const SqliteConnector&) = delete;

  const std::string& source_name() const noexcept override;
  const sql::Dialect& dialect() const noexcept override;
  void test_connection() override;
  std::vector<sql::QualifiedName> list_tables() override;
  TableSchema table_schema(const sql::QualifiedName& table) override;
  std::int64_t row_count(const sql::QualifiedName& table) override;
  std::optional<WallTime> max_timestamp(const sql::QualifiedName& table,
                                        const sql::Identifier& column,
                                        const TimeZone& zone) override;
  std::optional<WallTime> min_timestamp(const sql::QualifiedName& table,
                                        const sql::Identifier& column,
                                        const TimeZone& zone) override;
  /// From the schema cache; a miss reads the catalog once however many callers wait.
  std::shared_ptr<const TableSchema> cached_table_schema(const sql::QualifiedName& table) override;
  /// `filter:` support: the filter is checked by the analyser, then applied as WHERE.
  std::int64_t filtered_row_count(const sql::QualifiedName& table,
                                  std::string_view filter) override;
  std::optional<WallTime> filtered_max_timestamp(const sql::QualifiedName& table,
                                                 const sql::Identifier& column,
                                                 const TimeZone& zone,
                                                 std::string_view filter) override;

  /// Connections currently open (idle plus in use), for tests and metrics.
  int open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// Converts a SQLite cell to a UTC timestamp: TEXT is ISO-8601 (naive text read in `zone`),
/// INTEGER is Unix time in seconds (milliseconds from 1e11, microseconds from 1e14), REAL is
/// a Julian day number (SQLite's convention). Exposed for tests.
std::optional<WallTime> sqlite_value_to_time(int sqlite_type, std::int64_t int_value,
                                             double real_value, std::string_view text,
                                             const TimeZone& zone);

}  // namespace freshguard
