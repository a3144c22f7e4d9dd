#pragma once
/// SqlConnector: the one connector core every engine shares. An engine contributes a Driver
/// (connectors/driver.hpp); the core owns everything around its queries, once:
/// - catalog resolution: a rule's table and columns are looked up (exact spelling first,
///   else the only case-insensitive match) before a query names them, through the schema
///   cache; a column missing from a cached schema reloads it once;
/// - the data queries: every one is an sql::AggregateQuery rendered in the driver's dialect,
///   checked by the query guard (security::QueryGuard), and, when it carries a rule's
///   filter, by the driver's cost guard. prepare() rendered in dialect() is exactly the text
///   sent, and what `freshguard explain` prints;
/// - the stale-schema retry: when the engine refuses a data query (a non-transient error),
///   the cached schema is read again, and a schema that changed (a table renamed to another
///   case, a column dropped) gets one more attempt; otherwise the engine's error stands;
/// - the reading of values: counts, and timestamps in the rule's zone, with one set of
///   messages for every engine.
/// Thread-safe when the driver is (the Driver contract).

#include <memory>
#include <optional>
#include <string>

#include <freshguard/connectors/connector.hpp>
#include <freshguard/connectors/driver.hpp>
#include <freshguard/security/query_analyzer.hpp>

namespace freshguard::security {
class SchemaCache;
}  // namespace freshguard::security

namespace freshguard::connectors {

struct CoreOptions {
  std::string source_name;
  /// Resolved table schemas shared between calls (and connectors, keyed by source name).
  /// nullptr = the connector makes its own with the defaults (1 h TTL) on `clock`.
  std::shared_ptr<security::SchemaCache> schema_cache;
  /// Limits of the analyser every data query and query() text passes before it is sent.
  security::AnalyzerLimits analyzer;
  /// Clock of the schema cache's expiry; nullptr = the system clock.
  const Clock* clock = nullptr;
};

/// The core's options from an engine's options (every engine names them alike).
template <class EngineOptions>
CoreOptions core_options_of(const EngineOptions& o) {
  return CoreOptions{o.source_name, o.schema_cache, o.analyzer, o.clock};
}

class SqlConnector : public Connector {
 public:
  /// Throws std::invalid_argument when `driver` is null.
  SqlConnector(std::unique_ptr<Driver> driver, CoreOptions options);
  ~SqlConnector() override;
  SqlConnector(const SqlConnector&) = delete;
  SqlConnector& operator=(const SqlConnector&) = delete;

  const std::string& source_name() const noexcept override;
  const sql::Dialect& dialect() const noexcept override;
  void test_connection() override;
  std::vector<sql::QualifiedName> list_tables() override;
  /// Reads the catalog (never the cache) and stores the result in the cache.
  TableSchema table_schema(const sql::QualifiedName& table) override;
  /// From the schema cache; a miss reads the catalog once however many callers wait.
  std::shared_ptr<const TableSchema> cached_table_schema(const sql::QualifiedName& table) override;
  std::optional<CatalogStats> catalog_stats(const sql::QualifiedName& table) override;
  /// prepare(), the guard, the cost guard when there is a filter, the driver, the
  /// stale-schema retry.
  sql::Value aggregate(const AggregateRequest& request) override;
  /// The analyser's check_read_query, then the driver's read_query; QueryError on engines
  /// without one.
  QueryRows query(std::string_view sql) override;

  /// The query `request` becomes, names resolved through the catalog (this reads the
  /// catalog, not the data): rendered in dialect(), it is exactly what is sent.
  sql::AggregateQuery prepare(const AggregateRequest& request);
  std::optional<PoolStatus> pool_status() const override;

 protected:
  Driver& driver() noexcept;
  const Driver& driver() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace freshguard::connectors
