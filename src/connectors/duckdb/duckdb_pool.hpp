#pragma once
// The connection pool of one DuckDB source: the shared SessionPool over connections to one
// database handle, opened once, on first use.

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include <freshguard/connectors/driver.hpp>
#include <freshguard/connectors/duckdb_connector.hpp>
#include <freshguard/core/clock.hpp>

#include "connectors/common/session_pool.hpp"
#include "connectors/duckdb/duckdb_handles.hpp"

namespace freshguard::duckdb {

struct Deadline {
  SteadyTime at;
  std::chrono::milliseconds budget;
};

/// The database every connection of a source shares, opened (bounded, duckdb_session.hpp)
/// by the first connection. Thread-safe. Must outlive every connection to it.
class SharedDatabase {
 public:
  explicit SharedDatabase(DuckdbOptions options) : options_(std::move(options)) {}
  /// The handle, opening the database on the first call. Throws ConnectionError.
  duckdb_database get();
  const DuckdbOptions& options() const noexcept { return options_; }

 private:
  DuckdbOptions options_;
  std::mutex mu_;
  Database db_;
};

struct SessionConfig {
  std::string source;  ///< source name, for messages
  const Clock* clock = nullptr;
  SharedDatabase* database = nullptr;
};

/// One connection to the source's database.
class Session {
 public:
  explicit Session(Connection conn) : conn_(std::move(conn)) {}
  static std::unique_ptr<Session> open(const SessionConfig& config, const Deadline& deadline);
  /// An in-process connection does not go stale.
  bool usable() const noexcept { return true; }
  duckdb_connection get() const noexcept { return conn_.get(); }

 private:
  Connection conn_;
};

/// Nothing to check: an idle in-process connection stays usable.
void validate_idle(Session& session, const Deadline& deadline);

using Pool = pool::SessionPool<Session, SessionConfig, Deadline, connectors::PoolStatus>;

}  // namespace freshguard::duckdb

extern template class freshguard::pool::SessionPool<
    freshguard::duckdb::Session, freshguard::duckdb::SessionConfig, freshguard::duckdb::Deadline,
    freshguard::connectors::PoolStatus>;
