#pragma once
/// A Driver is what one database engine contributes to a connector: it runs one rendered
/// query under the call's deadline and decodes the value, reads its catalog, and says which
/// dialect it speaks. Everything engines share (catalog resolution, the schema cache, the
/// query guard, the cost-guard hook, the stale-schema retry) is the connector core's
/// (connectors/sql_connector.hpp), written once.
///
/// Drivers are thread-safe (the core calls them from any thread), own their handles and
/// pool, bound every wait by resilience::effective_timeout() of their configured timeout,
/// and throw freshguard::Error subclasses with safe messages (never a host or a secret).

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <freshguard/connectors/connector.hpp>
#include <freshguard/sql/dialect.hpp>
#include <freshguard/sql/query.hpp>
#include <freshguard/sql/schema.hpp>
#include <freshguard/sql/value.hpp>

namespace freshguard::connectors {

class Driver {
 public:
  virtual ~Driver() = default;

  virtual const sql::Dialect& dialect() const noexcept = 0;

  /// The schema (PostgreSQL schema, MySQL database, BigQuery dataset, ...) of table names a
  /// rule writes without one; nullopt where that is the connection's own, unnamed one (a
  /// MySQL database whose name is no identifier).
  virtual std::optional<sql::Identifier> default_schema() const = 0;

  /// The database or project a data query names before the schema (`project.dataset.table`
  /// on BigQuery, `DATABASE.SCHEMA.TABLE` on Snowflake); empty where names have two parts.
  virtual std::string catalog_name() const { return {}; }

  /// Opens (or borrows) a connection and runs a trivial query. `first` is true on the
  /// connector's first call, for checks worth doing once (the role's privileges).
  virtual void ping(bool first) = 0;

  /// Tables and views of the default schema visible to the configured user. Names that
  /// are not plain identifiers are left out (a rule cannot name them).
  virtual std::vector<sql::QualifiedName> list_tables() = 0;

  /// Every table or view whose schema and name equal `table`'s ignoring case (`table` has
  /// its schema filled in), each with its columns in ordinal order and its name spelled as
  /// the catalog spells it. Empty when there is none. The core picks the exact spelling,
  /// else the only candidate.
  virtual std::vector<TableSchema> describe(const sql::QualifiedName& table) = 0;

  /// Runs `text`, the guarded rendering of `query` in dialect(), and decodes the single
  /// value of its single row (the engine's types: see sql::Value). Throws QueryError as the
  /// engine reports it; after a non-transient one the core reads the schema again and tries
  /// once more when it changed.
  virtual sql::Value run(const sql::AggregateQuery& query, const std::string& text) = 0;

  /// The cost guard: called before a data query that carries a user-supplied filter (and by
  /// the engine itself wherever it guards more). Throws QueryError when the engine's
  /// estimate is beyond the source's limits. Default: the engine has no estimate.
  virtual void check_cost(const std::string& text, std::string_view what);

  /// What the catalog records about `table` (its schema filled in; resolved by the driver
  /// like describe(), in as few metadata calls as it can, since this is a whole check)
  /// without a scan. Throws QueryError when there is no such table. Default nullopt: the
  /// engine keeps no such metadata.
  virtual std::optional<CatalogStats> catalog_stats(const sql::QualifiedName& table);

  /// Whether read_query() is supported.
  virtual bool can_read_query() const noexcept { return false; }
  /// A read-only user-supplied SELECT (analysed by the core first), at most the source's
  /// row cap. Called only when can_read_query(); the default throws std::logic_error.
  virtual QueryRows read_query(std::string_view sql);

  /// The pool's state; nullopt when the engine has no pool.
  virtual std::optional<PoolStatus> pool_status() const { return std::nullopt; }
};

}  // namespace freshguard::connectors
