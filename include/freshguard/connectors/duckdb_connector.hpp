#pragma once
/// DuckDB connector, through DuckDB's C API (libduckdb).
///
/// A database file is opened read-only (never created); `:memory:` opens an empty in-memory
/// database. One database handle is shared and connections are pooled (up to
/// max_connections), each used by one thread at a time. Every statement runs through
/// DuckDB's pending-result API under a deadline of `timeout`: when it passes, the statement
/// is interrupted (`duckdb_interrupt`), the connection discarded, and the caller gets a
/// TimeoutError; a watchdog thread also interrupts a statement stuck inside one long task.
/// The database is bounded by `memory_limit_mb` and `threads`, never spills to disk, has no
/// external access, extensions or persistent secrets, and its configuration is locked
/// (duckdb_session.hpp lists the settings). A `path` must be a regular file (a FIFO or
/// device is refused before it is opened, so opening never blocks). Paths into system directories
/// (/proc, /sys, /dev, /etc, /boot, /run) are refused with a SecurityError. Unqualified tables are
/// looked up in schema `main`.
///
/// Only available when the build found libduckdb (scripts/fetch-duckdb.sh); see
/// duckdb_available().

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <freshguard/connectors/sql_connector.hpp>
#include <freshguard/security/query_analyzer.hpp>

namespace freshguard::security {
class SchemaCache;
}  // namespace freshguard::security

namespace freshguard {

/// True when this build includes the DuckDB connector.
bool duckdb_available() noexcept;

struct DuckdbOptions {
  std::string source_name = "duckdb";
  /// A database file, or ":memory:".
  std::string path;
  /// Deadline of each call. Default 30 s.
  std::chrono::milliseconds timeout{30000};
  /// Most connections open at once. Default 20.
  int max_connections = 20;
  /// DuckDB `memory_limit` of the database, in MB: bounds the buffer-managed operators
  /// (hash tables, sorts, aggregates); a query past it fails with a QueryError. Default 512.
  int memory_limit_mb = 512;
  /// DuckDB worker `threads` of the database. Default 2.
  int threads = 2;
  /// Clock for deadlines; must outlive the connector. Defaults to the system clock.
  const Clock* clock = nullptr;
  /// Resolved table schemas shared between calls (and connectors, keyed by source name).
  /// nullptr = the connector makes its own with the defaults (1 h TTL) and `clock`.
  std::shared_ptr<security::SchemaCache> schema_cache;
  /// Limits of the analyser every generated query passes before it is sent.
  security::AnalyzerLimits analyzer;
};

/// The DuckDB driver under the connector core (connectors/sql_connector.hpp): connections
/// to one bounded database from the shared pool. A rule's filter is checked by the analyser,
/// then applied as WHERE. Freshness reads TIMESTAMP [WITH TIME ZONE], DATE, VARCHAR
/// (ISO-8601) and integer (Unix time) columns.
class DuckdbConnector final : public connectors::SqlConnector {
 public:
  /// Validates the path (SecurityError for system directories) but opens nothing yet.
  explicit DuckdbConnector(DuckdbOptions options);
  ~DuckdbConnector() override;

  /// Connections currently open (idle plus in use).
  int open_connections() const;
};

/// The DuckDB driver alone, to compose with the connector core (tests put a recording
/// driver around it). make_duckdb_driver(o) under SqlConnector is what DuckdbConnector(o) is.
std::unique_ptr<connectors::Driver> make_duckdb_driver(DuckdbOptions options);

}  // namespace freshguard
