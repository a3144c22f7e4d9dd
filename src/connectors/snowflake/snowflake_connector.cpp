#include <freshguard/connectors/snowflake_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/resilience/deadline.hpp>
#include <freshguard/resilience/sleeper.hpp>
#include <freshguard/security/catalog.hpp>
#include <freshguard/security/filter.hpp>
#include <freshguard/security/query_guard.hpp>
#include <freshguard/security/schema_cache.hpp>

#include "connectors/common/rest_deadline.hpp"
#include "connectors/common/text.hpp"
#include "connectors/snowflake/sf_api.hpp"
#include "connectors/snowflake/sf_auth.hpp"
#include "connectors/snowflake/sf_catalog.hpp"
#include "connectors/snowflake/sf_values.hpp"

namespace freshguard {
namespace {

using snowflake::Result;

constexpr sql::Dialect kSnowflakeDialect{sql::DialectKind::kSnowflake};

snowflake::Auth make_auth(const SnowflakeOptions& o, const Clock& clock) {
  if (o.account.empty()) throw ConfigError("Snowflake account is not set");
  if (o.user.empty() && o.oauth_token_file.empty()) throw ConfigError("Snowflake user is not set");
  if (!o.private_key_file.empty() && !o.oauth_token_file.empty()) {
    throw ConfigError("set only one of private_key_file and oauth_token_file");
  }
  if (!o.oauth_token_file.empty()) return snowflake::Auth::oauth(o.oauth_token_file, clock);
  return snowflake::Auth::key_pair(o.account, o.user, o.private_key_file, clock);
}

snowflake::ApiSettings settings(const SnowflakeOptions& o) {
  if (o.database.empty()) throw ConfigError("Snowflake database is not set");
  snowflake::ApiSettings s;
  s.base_url = connectors::strip_trailing_slashes(
      o.endpoint.empty() ? snowflake::default_endpoint(o.account) : o.endpoint);
  s.database = snowflake::object_name(o.database, "database name").str();
  s.schema = snowflake::object_name(o.schema.empty() ? "PUBLIC" : o.schema, "schema name").str();
  if (!o.warehouse.empty())
    s.warehouse = snowflake::object_name(o.warehouse, "warehouse name").str();
  if (!o.role.empty()) s.role = snowflake::object_name(o.role, "role name").str();
  return s;
}

std::int64_t read_count(const Result& r) {
  if (r.rows.empty() || r.rows[0].empty() || !r.rows[0][0]) {
    throw MonitoringError("Snowflake returned no row count");
  }
  try {
    return std::stoll(*r.rows[0][0]);
  } catch (const std::exception&) {
    throw MonitoringError("Snowflake returned an unreadable row count");
  }
}

}  // namespace

struct SnowflakeConnector::Impl {
  SnowflakeOptions opts;
  const Clock* clock;
  resilience::Sleeper* sleeper;
  net::HttpClient http;
  snowflake::Auth auth;
  snowflake::Api api;
  snowflake::Catalog catalog;
  std::shared_ptr<security::SchemaCache> cache;
  security::QueryGuard guard;

  explicit Impl(SnowflakeOptions o)
      : opts(std::move(o)),
        clock(opts.clock != nullptr ? opts.clock : &SystemClock::instance()),
        sleeper(opts.sleeper != nullptr ? opts.sleeper : &resilience::SystemSleeper::instance()),
        http(net::HttpOptions{opts.ca_file}),
        auth(make_auth(opts, *clock)),
        api(settings(opts), http, auth, *clock, *sleeper),
        catalog(api, settings(opts), opts.source_name, [this] { return deadline(); }),
        cache(opts.schema_cache != nullptr ? opts.schema_cache
                                           : std::make_shared<security::SchemaCache>(
                                                 security::SchemaCacheOptions{.clock = clock})),
        guard(opts.analyzer) {
    if (!(opts.max_scan_bytes > 0)) throw ConfigError("max_scan_bytes must be positive");
  }

  resilience::Deadline deadline() const {
    return connectors::call_deadline(*clock, opts.timeout, "Snowflake");
  }

  std::shared_ptr<const TableSchema> cached(const sql::QualifiedName& t) {
    return cache->get(opts.source_name, catalog.requested(t), [&] { return catalog.schema(t); });
  }

  // Refuses a query whose plan is assigned more bytes than the budget.
  void cost_guard(const std::string& text, const resilience::Deadline& d) {
    const double bytes = catalog.explain_bytes(text, d);
    if (bytes > opts.max_scan_bytes) {
      throw QueryError("cost guard: the query would scan " + snowflake::format_mib(bytes) +
                       ", more than max_scan_mb (" + snowflake::format_mib(opts.max_scan_bytes) +
                       "); it was not run");
    }
  }

  // Runs a generated data query on `t`: analysed (PostgreSQL grammar reads Snowflake's
  // quoting), explained unless `explain` is false, then sent. A non-transient query error
  // drops the cached schema (it may have changed).
  // The filter is rendered from its allowlisted tree, its columns resolved in `schema`; the
  // PostgreSQL rendering of the same tree is what the analyser checks.
  Result run_data(const sql::QualifiedName& t, const TableSchema& schema, std::string text,
                  std::string_view filter, bool explain) {
    std::string analysed = text;
    const auto where = security::prepare_filter(filter, schema);
    if (where) {
      text += " WHERE " + sql::render(*where, kSnowflakeDialect);
      analysed += " WHERE " + sql::render(*where, sql::kAnalysisDialect);
    }
    guard.analyzer().check(analysed);
    try {
      const auto d = deadline();
      if (explain || where) cost_guard(text, d);
      return api.execute(text, {}, d);
    } catch (const QueryError& e) {
      if (!e.transient()) cache->invalidate(opts.source_name, catalog.requested(t));
      throw;
    }
  }

  std::int64_t count(const sql::QualifiedName& table, std::string_view filter) {
    const auto schema = cached(table);
    return read_count(run_data(table, *schema,
                               "SELECT COUNT(*) AS N FROM " + catalog.quote(schema->table), filter,
                               false));
  }

  // MAX/MIN of a column already resolved against the catalog; `table` as asked for (the
  // schema cache's key).
  std::optional<WallTime> extreme(const sql::QualifiedName& table,
                                  const security::ResolvedColumn& resolved, const TimeZone& zone,
                                  const char* fn, std::string_view filter) {
    const Result r =
        run_data(table, *cached(table),
                 std::string("SELECT ") + fn + "(" + kSnowflakeDialect.quote(resolved.column) +
                     ") AS V FROM " + catalog.quote(resolved.table),
                 filter, true);
    if (r.rows.empty() || r.rows[0].empty() || !r.rows[0][0]) return std::nullopt;
    const std::string type = r.columns.empty() ? std::string() : r.columns[0].type;
    return snowflake::value_to_time(type, *r.rows[0][0], zone);
  }
};

SnowflakeConnector::SnowflakeConnector(SnowflakeOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {}

SnowflakeConnector::~SnowflakeConnector() = default;

const std::string& SnowflakeConnector::source_name() const noexcept {
  return impl_->opts.source_name;
}

const sql::Dialect& SnowflakeConnector::dialect() const noexcept {
  return kSnowflakeDialect;
}

void SnowflakeConnector::test_connection() {
  (void)impl_->api.execute("SELECT 1", {}, impl_->deadline());
}

std::vector<sql::QualifiedName> SnowflakeConnector::list_tables() {
  return impl_->catalog.list_tables();
}

TableSchema SnowflakeConnector::table_schema(const sql::QualifiedName& table) {
  TableSchema schema = impl_->catalog.schema(table);
  impl_->cache->put(impl_->opts.source_name, impl_->catalog.requested(table), schema);
  return schema;
}

std::shared_ptr<const TableSchema> SnowflakeConnector::cached_table_schema(
    const sql::QualifiedName& table) {
  return impl_->cached(table);
}

std::int64_t SnowflakeConnector::row_count(const sql::QualifiedName& table) {
  return impl_->count(table, {});
}

std::int64_t SnowflakeConnector::filtered_row_count(const sql::QualifiedName& table,
                                                    std::string_view filter) {
  return impl_->count(table, filter);
}

std::optional<WallTime> SnowflakeConnector::max_timestamp(const sql::QualifiedName& table,
                                                          const sql::Identifier& column,
                                                          const TimeZone& zone) {
  return impl_->extreme(table, security::resolve_column(*this, table, column), zone, "MAX", {});
}

std::optional<WallTime> SnowflakeConnector::filtered_max_timestamp(const sql::QualifiedName& table,
                                                                   const sql::Identifier& column,
                                                                   const TimeZone& zone,
                                                                   std::string_view filter) {
  return impl_->extreme(table, security::resolve_column(*this, table, column), zone, "MAX", filter);
}

std::optional<WallTime> SnowflakeConnector::min_timestamp(const sql::QualifiedName& table,
                                                          const sql::Identifier& column,
                                                          const TimeZone& zone) {
  return impl_->extreme(table, security::resolve_column(*this, table, column), zone, "MIN", {});
}

std::optional<std::int64_t> SnowflakeConnector::estimated_row_count(
    const sql::QualifiedName& table) {
  const auto entry = impl_->catalog.resolve(table);
  if (entry.view) return std::nullopt;
  return entry.row_count;
}

std::optional<CatalogStats> SnowflakeConnector::catalog_stats(const sql::QualifiedName& table) {
  const auto entry = impl_->catalog.resolve(table);
  if (entry.view) return std::nullopt;
  return CatalogStats{entry.last_altered, entry.row_count};
}

}  // namespace freshguard
