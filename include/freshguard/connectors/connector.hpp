#pragma once
/// The Connector interface: everything a monitor may ask of a database.
///
/// Implementations own their driver handles (and pool), are thread-safe (any method may be
/// called from several threads at once), and never splice text into SQL: identifiers arrive
/// validated (sql::Identifier) and are quoted by the connector's dialect; values are bound
/// parameters. Every failure is thrown as a freshguard::Error subclass with a safe message.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <freshguard/core/clock.hpp>
#include <freshguard/core/time.hpp>
#include <freshguard/sql/dialect.hpp>
#include <freshguard/sql/identifier.hpp>

namespace freshguard {

/// One column as the catalog describes it.
struct ColumnInfo {
  std::string name;
  std::string type;  ///< as declared, e.g. "TIMESTAMP", "varchar(100)"
  bool nullable = true;
  bool primary_key = false;
  int position = 0;  ///< 1-based ordinal
};

/// A table's columns, in ordinal order.
struct TableSchema {
  sql::QualifiedName table;
  std::vector<ColumnInfo> columns;
  /// The column with `name`, exact match first, else a unique case-insensitive match.
  const ColumnInfo* find_column(std::string_view name) const;
};

class Connector {
 public:
  virtual ~Connector() = default;

  /// Name of the source in the config (for messages).
  virtual const std::string& source_name() const noexcept = 0;
  virtual const sql::Dialect& dialect() const noexcept = 0;

  /// Opens (or borrows) a connection and runs a trivial query. Throws ConnectionError or
  /// TimeoutError.
  virtual void test_connection() = 0;

  /// Tables and views visible to the configured user, as schema-qualified names.
  virtual std::vector<sql::QualifiedName> list_tables() = 0;

  /// Columns of `table`. An unqualified name uses the connector's default schema. Throws
  /// QueryError ("table ... not found") when it does not exist.
  virtual TableSchema table_schema(const sql::QualifiedName& table) = 0;

  /// Exact row count (`SELECT COUNT(*)`).
  virtual std::int64_t row_count(const sql::QualifiedName& table) = 0;

  /// MAX / MIN of a timestamp column, converted to UTC. Naive timestamps are read in `zone`.
  /// nullopt when the table is empty or the column holds only NULLs. Throws MonitoringError
  /// when a value cannot be read as a timestamp.
  virtual std::optional<WallTime> max_timestamp(const sql::QualifiedName& table,
                                                const sql::Identifier& column,
                                                const TimeZone& zone) = 0;
  virtual std::optional<WallTime> min_timestamp(const sql::QualifiedName& table,
                                                const sql::Identifier& column,
                                                const TimeZone& zone) = 0;

  /// Optional capability: the row count estimated from catalog statistics (PostgreSQL
  /// `pg_class.reltuples`, ...): far cheaper than row_count on big tables, but only as fresh
  /// as the database's last ANALYZE. nullopt when no estimate exists (never analysed, a
  /// view). Connectors that offer it resolve `table` like row_count and throw like it. The
  /// default returns nullopt without touching the database.
  virtual std::optional<std::int64_t> estimated_row_count(const sql::QualifiedName& table);
};

}  // namespace freshguard
