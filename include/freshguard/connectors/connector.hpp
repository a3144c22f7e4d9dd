#pragma once
/// The Connector interface: everything a monitor may ask of a database.
///
/// Implementations own their driver handles (and pool), are thread-safe (any method may be
/// called from several threads at once), and never splice text into SQL: identifiers arrive
/// validated (sql::Identifier) and are quoted by the connector's dialect; values are bound
/// parameters. Every failure is thrown as a freshguard::Error subclass with a safe message.
///
/// Every engine implements it once, through the connector core (connectors/sql_connector.hpp)
/// over its driver. Data queries are data, not methods: a rule asks for an aggregate
/// (AggregateRequest) and a new kind of aggregate is a new sql::Aggregate value.

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
#include <freshguard/sql/query.hpp>
#include <freshguard/sql/schema.hpp>
#include <freshguard/sql/value.hpp>

namespace freshguard {

namespace connectors {

/// A snapshot of a connection pool. total = idle + in_use (connections being opened count
/// as in use).
struct PoolStatus {
  int total = 0;
  int idle = 0;
  int in_use = 0;
  int waiting = 0;  ///< callers waiting for a free connection
};

}  // namespace connectors

/// A data query as a rule asks for it: names as the rule spells them (the connector resolves
/// them through the catalog), the rule's `filter:` as text (parsed into an allowlisted tree,
/// never spliced).
struct AggregateRequest {
  sql::Aggregate aggregate = sql::Aggregate::kCountAll;
  sql::QualifiedName table;
  /// The column of kMax / kMin.
  std::optional<sql::Identifier> column;
  std::string_view filter;
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

  /// Columns of `table`, read from the catalog. An unqualified name uses the connector's
  /// default schema. Throws QueryError ("table ... not found") when it does not exist.
  virtual TableSchema table_schema(const sql::QualifiedName& table) = 0;

  /// The schema of `table` for resolving names before a data query. Connectors with a
  /// schema cache (security::SchemaCache) answer from it, so the result may be up to the
  /// source's `schema_cache_ttl_seconds` old; table_schema() always reads the catalog. The
  /// default calls table_schema(). Never null; throws like table_schema().
  virtual std::shared_ptr<const TableSchema> cached_table_schema(const sql::QualifiedName& table);

  /// Optional capability: the table's last modification time and row count from catalog
  /// metadata, without a scanning query (the `catalog` freshness method). nullopt when the
  /// connector has no such metadata or the object has none (a view). Resolves `table` like
  /// aggregate() and throws like it. The default returns nullopt without touching the
  /// database.
  virtual std::optional<CatalogStats> catalog_stats(const sql::QualifiedName& table);

  /// Runs one data query: `SELECT <aggregate> FROM <table> [WHERE <filter>]`, its names
  /// resolved through the catalog, its filter checked by security::QueryAnalyzer and, where
  /// the engine has one, by its cost guard before it is sent. Returns the value as the engine
  /// typed it (sql::Value); a kMax / kMin over a column whose type holds no timestamp is
  /// sql::OtherType naming the declared type. Throws QueryError (unknown table or column, the
  /// engine's refusal), SecurityError (a filter or name refused), TimeoutError,
  /// ConnectionError.
  virtual sql::Value aggregate(const AggregateRequest& request) = 0;

  /// Optional capability: runs one read-only, user-supplied SELECT after the analyser (only
  /// a single SELECT, no denied function, within the join/subquery limits) and the cost
  /// guard have accepted it, and returns at most the connector's row cap (`truncated` says
  /// whether rows were dropped). Throws SecurityError when refused, QueryError when the
  /// database rejects it. The default throws QueryError ("not supported by source ...").
  virtual QueryRows query(std::string_view sql);

  /// The connection pool's state; nullopt when the connector has no pool.
  virtual std::optional<connectors::PoolStatus> pool_status() const;

  /// aggregate() of `SELECT count(*)` over the rows matching `filter` (empty: every row).
  std::int64_t row_count(const sql::QualifiedName& table, std::string_view filter = {});

  /// aggregate() of `SELECT max(column)` over the rows matching `filter`, converted to UTC:
  /// naive timestamps, dates and ISO-8601 text are read in `zone`. nullopt when no row has a
  /// value. Throws MonitoringError when the column holds no timestamps (its type, or a value
  /// that is not one).
  std::optional<WallTime> max_timestamp(const sql::QualifiedName& table,
                                        const sql::Identifier& column, const TimeZone& zone,
                                        std::string_view filter = {});
};

}  // namespace freshguard
