#include "connectors/duckdb/duckdb_pool.hpp"

#include <freshguard/core/error.hpp>

#include "connectors/common/session_pool_impl.hpp"
#include "connectors/duckdb/duckdb_session.hpp"

namespace freshguard::duckdb {

duckdb_database SharedDatabase::get() {
  std::lock_guard lock(mu_);
  if (!db_) db_ = open_database(options_);
  return db_.get();
}

std::unique_ptr<Session> Session::open(const SessionConfig& config, const Deadline&) {
  duckdb_connection raw = nullptr;
  if (duckdb_connect(config.database->get(), &raw) != DuckDBSuccess) {
    throw ConnectionError("cannot connect to DuckDB database for source \"" + config.source + "\"");
  }
  return std::make_unique<Session>(Connection(raw));
}

void validate_idle(Session&, const Deadline&) {}

}  // namespace freshguard::duckdb

template class freshguard::pool::SessionPool<
    freshguard::duckdb::Session, freshguard::duckdb::SessionConfig, freshguard::duckdb::Deadline,
    freshguard::connectors::PoolStatus>;
