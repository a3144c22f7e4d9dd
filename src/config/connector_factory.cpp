#include <freshguard/config/connector_factory.hpp>
#include <freshguard/config/source_types.hpp>
#include <freshguard/connectors/bigquery_connector.hpp>
#include <freshguard/connectors/duckdb_connector.hpp>
#include <freshguard/connectors/mysql_connector.hpp>
#include <freshguard/connectors/postgres_connector.hpp>
#include <freshguard/connectors/resilient_connector.hpp>
#include <freshguard/connectors/snowflake_connector.hpp>
#include <freshguard/connectors/sqlite_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/security/schema_cache.hpp>

namespace freshguard {
namespace {

resilience::BreakerMode breaker_mode(config::CircuitBreakerMode m) {
  return m == config::CircuitBreakerMode::kFailureRate ? resilience::BreakerMode::kFailureRate
                                                       : resilience::BreakerMode::kConsecutive;
}

resilience::Jitter jitter(config::RetryJitter j) {
  switch (j) {
    case config::RetryJitter::kProportional:
      return resilience::Jitter::kProportional;
    case config::RetryJitter::kNone:
      return resilience::Jitter::kNone;
    case config::RetryJitter::kFull:
      break;
  }
  return resilience::Jitter::kFull;
}

// The source's schema cache, sized and timed as its config says.
std::shared_ptr<security::SchemaCache> schema_cache_for(const config::SourceConfig& source,
                                                        const Clock& clock) {
  security::SchemaCacheOptions o;
  o.ttl = std::chrono::seconds(source.schema_cache_ttl_seconds);
  o.max_entries = static_cast<std::size_t>(source.schema_cache_max_entries);
  o.clock = &clock;
  return std::make_shared<security::SchemaCache>(o);
}

// The settings PostgreSQL and MySQL sources share (PostgresOptions and MysqlOptions spell
// them alike).
template <class Options>
Options server_options(const config::SourceConfig& source, const Clock& clock) {
  using std::chrono::milliseconds;
  Options opts;
  opts.source_name = source.name;
  opts.host = source.host;
  opts.port = config::port_of(source);
  opts.database = source.database;
  opts.username = source.username;
  opts.password = source.password;
  opts.ssl = source.ssl;
  opts.ssl_root_cert = source.ssl_root_cert;
  opts.schema = source.schema;
  opts.timeout = milliseconds(source.timeout_ms);
  opts.max_connections = source.max_connections;
  opts.connect_timeout = milliseconds(source.connect_timeout_ms);
  opts.idle_timeout = milliseconds(source.idle_timeout_ms);
  opts.max_uses = source.max_uses;
  opts.max_lifetime = milliseconds(source.max_lifetime_ms);
  opts.statement_timeout = milliseconds(source.statement_timeout_ms);
  opts.clock = &clock;
  opts.schema_cache = schema_cache_for(source, clock);
  return opts;
}

std::unique_ptr<Connector> make_postgres_connector(const config::SourceConfig& source,
                                                   const Clock& clock) {
  auto opts = server_options<PostgresOptions>(source, clock);
  opts.cost_limits.max_rows = source.max_plan_rows;
  opts.cost_limits.max_scan_bytes = static_cast<double>(source.max_scan_mb) * 1024 * 1024;
  opts.max_result_rows = source.max_result_rows;
  return std::make_unique<PostgresConnector>(std::move(opts));
}

std::unique_ptr<Connector> make_mysql_connector(const config::SourceConfig& source,
                                                const Clock& clock) {
  return std::make_unique<MysqlConnector>(server_options<MysqlOptions>(source, clock));
}

std::unique_ptr<Connector> make_bigquery_connector(const config::SourceConfig& source,
                                                   const Clock& clock) {
  BigqueryOptions opts;
  opts.source_name = source.name;
  opts.project = source.project;
  opts.dataset = source.dataset;
  opts.location = source.location;
  opts.credentials_file = source.credentials_file;
  opts.endpoint = source.endpoint;
  opts.timeout = std::chrono::milliseconds(source.timeout_ms);
  opts.maximum_bytes_billed = source.maximum_bytes_billed;
  opts.ca_file = source.ssl_root_cert;
  opts.clock = &clock;
  opts.schema_cache = schema_cache_for(source, clock);
  return std::make_unique<BigqueryConnector>(std::move(opts));
}

std::unique_ptr<Connector> make_snowflake_connector(const config::SourceConfig& source,
                                                    const Clock& clock) {
  SnowflakeOptions opts;
  opts.source_name = source.name;
  opts.account = source.account;
  opts.user = source.username;
  opts.private_key_file = source.private_key_file;
  opts.oauth_token_file = source.oauth_token_file;
  opts.database = source.database;
  if (!source.schema.empty()) opts.schema = source.schema;
  opts.warehouse = source.warehouse;
  opts.role = source.role;
  opts.endpoint = source.endpoint;
  opts.ca_file = source.ssl_root_cert;
  opts.timeout = std::chrono::milliseconds(source.timeout_ms);
  opts.max_scan_bytes = static_cast<double>(source.max_scan_mb) * 1024 * 1024;
  opts.clock = &clock;
  opts.schema_cache = schema_cache_for(source, clock);
  return std::make_unique<SnowflakeConnector>(std::move(opts));
}

}  // namespace

ResilienceOptions resilience_options(const config::SourceConfig& source) {
  ResilienceOptions o;
  o.timeout = std::chrono::milliseconds(source.timeout_ms);
  const auto& cb = source.circuit_breaker;
  if (cb.enabled) {
    resilience::CircuitBreakerOptions b;
    b.name = source.name;
    b.mode = breaker_mode(cb.mode);
    b.failure_threshold = cb.failure_threshold;
    b.success_threshold = cb.success_threshold;
    b.reset_timeout = std::chrono::milliseconds(cb.reset_timeout_ms);
    b.half_open_max_calls = cb.half_open_max_calls;
    b.window_size = cb.window_size;
    b.minimum_calls = cb.minimum_calls;
    b.failure_rate_threshold = cb.failure_rate_threshold;
    o.breaker = std::move(b);
  } else {
    o.breaker.reset();
  }
  const auto& rc = source.retry;
  if (rc.enabled) {
    resilience::RetryOptions r;
    r.max_attempts = rc.max_attempts;
    r.base_delay = std::chrono::milliseconds(rc.base_delay_ms);
    r.multiplier = rc.multiplier;
    r.max_delay = std::chrono::milliseconds(rc.max_delay_ms);
    r.jitter = jitter(rc.jitter);
    o.retry = r;
  } else {
    o.retry.reset();
  }
  o.query_metrics = source.query_metrics ? &obs::QueryMetrics::global() : nullptr;
  return o;
}

std::unique_ptr<Connector> make_plain_connector(const config::SourceConfig& source,
                                                const Clock& clock) {
  switch (source.type) {
    case config::SourceType::kSqlite: {
      SqliteOptions opts;
      opts.source_name = source.name;
      opts.path = source.path;
      opts.timeout = std::chrono::milliseconds(source.timeout_ms);
      opts.max_connections = source.max_connections;
      opts.max_value_bytes = std::int64_t{source.max_value_mb} * 1024 * 1024;
      opts.clock = &clock;
      opts.schema_cache = schema_cache_for(source, clock);
      return std::make_unique<SqliteConnector>(std::move(opts));
    }
    case config::SourceType::kDuckdb: {
      DuckdbOptions opts;
      opts.source_name = source.name;
      opts.path = source.path;
      opts.timeout = std::chrono::milliseconds(source.timeout_ms);
      opts.max_connections = source.max_connections;
      opts.memory_limit_mb = source.memory_limit_mb;
      opts.threads = source.threads;
      opts.clock = &clock;
      opts.schema_cache = schema_cache_for(source, clock);
      return std::make_unique<DuckdbConnector>(std::move(opts));
    }
    case config::SourceType::kPostgres:
      return make_postgres_connector(source, clock);
    case config::SourceType::kMysql:
      return make_mysql_connector(source, clock);
    case config::SourceType::kBigquery:
      return make_bigquery_connector(source, clock);
    case config::SourceType::kSnowflake:
      return make_snowflake_connector(source, clock);
  }
  throw ConfigError("source \"" + source.name + "\": unknown source type");
}

std::unique_ptr<Connector> make_connector(const config::SourceConfig& source, const Clock& clock) {
  auto options = resilience_options(source);
  options.clock = &clock;
  return std::make_unique<ResilientConnector>(make_plain_connector(source, clock),
                                              std::move(options));
}

}  // namespace freshguard
