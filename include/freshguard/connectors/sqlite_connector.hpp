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

#include <freshguard/connectors/sql_connector.hpp>
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

/// The SQLite driver under the connector core (connectors/sql_connector.hpp): connections
/// from the shared pool, the catalog from sqlite_schema and pragma_table_info. A rule's
/// filter is checked by the analyser, then applied as WHERE.
class SqliteConnector final : public connectors::SqlConnector {
 public:
  /// Does not open anything yet; connections are opened on first use.
  explicit SqliteConnector(SqliteOptions options);
  ~SqliteConnector() override;

  /// Connections currently open (idle plus in use), for tests and metrics.
  int open_connections() const;
};

/// Decodes a SQLite cell by its storage class: NULL, INTEGER (a count, or Unix time in
/// seconds, milliseconds from 1e11, microseconds from 1e14), REAL (a Julian day number,
/// SQLite's convention; sql::NotFinite outside year 0..9999), TEXT (ISO-8601), BLOB (a type
/// that holds no timestamp).
sql::Value sqlite_decode(int sqlite_type, std::int64_t int_value, double real_value,
                         std::string_view text);

/// Converts a SQLite cell to a UTC timestamp: TEXT is ISO-8601 (naive text read in `zone`),
/// INTEGER is Unix time in seconds (milliseconds from 1e11, microseconds from 1e14), REAL is
/// a Julian day number (SQLite's convention). Exposed for tests.
std::optional<WallTime> sqlite_value_to_time(int sqlite_type, std::int64_t int_value,
                                             double real_value, std::string_view text,
                                             const TimeZone& zone);

/// The SQLite driver alone, to compose with the connector core (tests put a recording
/// driver around it). make_sqlite_driver(o) under SqlConnector is what SqliteConnector(o) is.
std::unique_ptr<connectors::Driver> make_sqlite_driver(SqliteOptions options);

}  // namespace freshguard
