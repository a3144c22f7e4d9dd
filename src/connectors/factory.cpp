#include <freshguard/connectors/factory.hpp>
#include <freshguard/connectors/sqlite_connector.hpp>
#include <freshguard/core/error.hpp>

namespace freshguard {

std::unique_ptr<Connector> make_connector(const config::SourceConfig& source, const Clock& clock) {
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
    case config::SourceType::kPostgres:
    case config::SourceType::kMysql:
    case config::SourceType::kDuckdb:
    case config::SourceType::kBigquery:
    case config::SourceType::kSnowflake:
      break;
  }
  throw ConfigError("source \"" + source.name +
                    "\": " + std::string(config::to_string(source.type)) +
                    " sources are not available in this version yet");
}

}  // namespace freshguard
