#include <freshguard/connectors/duckdb_connector.hpp>
#include <freshguard/connectors/factory.hpp>
#include <freshguard/connectors/mysql_connector.hpp>
#include <freshguard/connectors/postgres_connector.hpp>
#include <freshguard/connectors/resilient_connector.hpp>
#include <freshguard/connectors/sqlite_connector.hpp>
#include <freshguard/core/error.hpp>

namespace freshguard {
namespace {

std::unique_ptr<Connector> make_postgres_connector(const config::SourceConfig& source,
                                                   const Clock& clock) {
  using std::chrono::milliseconds;
  PostgresOptions opts;
  opts.source_name = source.name;
  opts.host = source.host;
  opts.port = source.port != 0 ? source.port : 5432;
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
  return std::make_unique<PostgresConnector>(std::move(opts));
}

std::unique_ptr<Connector> make_mysql_connector(const config::SourceConfig& source,
                                                const Clock& clock) {
  using std::chrono::milliseconds;
  MysqlOptions opts;
  opts.source_name = source.name;
  opts.host = source.host;
  opts.port = source.port != 0 ? source.port : 3306;
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
  return std::make_unique<MysqlConnector>(std::move(opts));
}

}  // namespace

std::unique_ptr<Connector> make_plain_connector(const config::SourceConfig& source,
                                                const Clock& clock) {
  switch (source.type) {
    case config::SourceType::kSqlite: {
      SqliteOptions opts;
      opts.source_name = source.name;
      opts.path = source.path;
      opts.timeout = std::chrono::milliseconds(source.timeout_ms);
      opts.max_connections = source.max_connections;
      opts.clock = &clock;
      return std::make_unique<SqliteConnector>(std::move(opts));
    }
    case config::SourceType::kDuckdb: {
      DuckdbOptions opts;
      opts.source_name = source.name;
      opts.path = source.path;
      opts.timeout = std::chrono::milliseconds(source.timeout_ms);
      opts.max_connections = source.max_connections;
      opts.clock = &clock;
      return std::make_unique<DuckdbConnector>(std::move(opts));
    }
    case config::SourceType::kPostgres:
      return make_postgres_connector(source, clock);
    case config::SourceType::kMysql:
      return make_mysql_connector(source, clock);
    case config::SourceType::kBigquery:
    case config::SourceType::kSnowflake:
      break;
  }
  throw ConfigError("source \"" + source.name +
                    "\": " + std::string(config::to_string(source.type)) +
                    " sources are not available in this version yet");
}

std::unique_ptr<Connector> make_connector(const config::SourceConfig& source, const Clock& clock) {
  auto options = resilience_options(source);
  options.clock = &clock;
  return std::make_unique<ResilientConnector>(make_plain_connector(source, clock),
                                              std::move(options));
}

}  // namespace freshguard
