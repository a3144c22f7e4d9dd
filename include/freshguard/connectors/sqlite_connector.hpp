#pragma once
/// SQLite connector: an embedded database file opened read-only.
///
/// Each connection is a `sqlite3*` opened with SQLITE_OPEN_READONLY (the file is never
/// created or written) and `PRAGMA query_only`. Connections are pooled (up to
/// max_connections) and each is used by one thread at a time. Every statement runs under a
/// deadline of `timeout`: a progress handler interrupts it when the deadline passes and the
/// caller gets a TimeoutError. The schema part of a qualified name is the SQLite schema
/// (`main` by default).

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include <freshguard/connectors/connector.hpp>

namespace freshguard {

struct SqliteOptions {
  std::string source_name = "sqlite";
  std::filesystem::path path;
  /// Deadline for each call, and the busy timeout. Default 30 s.
  std::chrono::milliseconds timeout{30000};
  /// Most connections open at once. Default 20.
  int max_connections = 20;
  /// Clock for deadlines; must outlive the connector. Defaults to the system clock.
  const Clock* clock = nullptr;
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
