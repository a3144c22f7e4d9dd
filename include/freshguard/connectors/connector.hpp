#pragma once
/// The Connector interface: everything a monitor may ask of a database.
///
/// Implementations own their driver handles (and pool), are thread-safe (any method may be
/// called from several threads at once), and never splice text into SQL: identifiers arrive
/// validated (sql::Identifier) and are quoted by the connector's dialect; values are bound
/// parameters. Every failure is thrown as a freshguard::Error subclass with a safe message.

#include <cstdint>
#include <memory>
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

/// Rows returned by Connector::query, every value in its text form (nullopt for NULL).
struct QueryRows {
  std::vector<std::string> columns;
  std::vector<std::vector<std::optional<std::string>>> rows;
  /// True when the query had more rows than the connector's cap and the rest were dropped.
  bool truncated = false;
};

/// A table's columns, in ordinal order.
struct TableSchema {
  sql::QualifiedName table;
  std::vector<ColumnInfo> columns;
  /// The column with `name`, exact match first, else a unique case-insensitive match.
  const ColumnInfo* find_column(std::string_view name) const;
};

/// What a catalog records about a table without reading it (BigQuery table metadata,
/// Snowflake INFORMATION_SCHEMA.TABLES). Either figure may be missing.
struct CatalogStats {
  /// When the table was last modified. Engines differ on what counts (Snowflake's
  /// LAST_ALTERED also moves on DDL); each connector documents it.
  std::optional<WallTime> last_modified;
  std::optional<std::int64_t> row_count;
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

  /// Optional capability: the table's last modification time and row count from catalog
  /// metadata, without a scanning query (the `catalog` freshness method). nullopt when the
  /// connector has no such metadata or the object has none (a view). Resolves `table` like
  /// row_count and throws like it. The default returns nullopt without touching the database.
  virtual std::optional<CatalogStats> catalog_stats(const sql::QualifiedName& table);

  /// The schema of `table` for resolving names before a data query. Connectors with a
  /// schema cache (security::SchemaCache) answer from it, so the result may be up to the
  /// source's `schema_cache_ttl_seconds` old; table_schema() always reads the catalog. The
  /// default calls table_schema(). Never null; throws like table_schema().
  virtual std::shared_ptr<const TableSchema> cached_table_schema(const sql::QualifiedName& table);

  /// Optional capability: row_count / max_timestamp over the rows matching `filter`, a
  /// rule's `filter:` (a boolean SQL expression applied as the WHERE of the query). The
  /// filter is checked by security::QueryAnalyzer::check_filter (SecurityError) and, where
  /// the connector has one, by its cost guard before the query is sent. An empty filter
  /// is the unfiltered call. The default supports only the empty filter and throws
  /// QueryError ("filters are not supported by source ...") otherwise.
  virtual std::int64_t filtered_row_count(const sql::QualifiedName& table, std::string_view filter);
  virtual std::optional<WallTime> filtered_max_timestamp(const sql::QualifiedName& table,
                                                         const sql::Identifier& column,
                                                         const TimeZone& zone,
                                                         std::string_view filter);

  /// Optional capability: runs one read-only, user-supplied SELECT after the analyser (only
  /// a single SELECT, no denied function, within the join/subquery limits) and the cost
  /// guard have accepted it, and returns at most the connector's row cap (`truncated` says
  /// whether rows were dropped). Throws SecurityError when refused, QueryError when the
  /// database rejects it. The default throws QueryError ("not supported by source ...").
  virtual QueryRows query(std::string_view sql);
};

}  // namespace freshguard
