#pragma once
// The connection pool of one SQLite source: the shared SessionPool over read-only handles.

#include <chrono>
#include <memory>
#include <string>

#include <freshguard/connectors/driver.hpp>
#include <freshguard/connectors/sqlite_connector.hpp>
#include <freshguard/core/clock.hpp>

#include "connectors/common/session_pool.hpp"
#include "connectors/sqlite/sqlite_handles.hpp"

namespace freshguard::sqlite {

struct Deadline {
  SteadyTime at;
  std::chrono::milliseconds budget;
};

struct SessionConfig {
  std::string source;  ///< source name, for messages
  const Clock* clock = nullptr;
  SqliteOptions options;
};

/// One read-only connection (sqlite_session.hpp opens it with the source's limits).
class Session {
 public:
  explicit Session(DbHandle db) : db_(std::move(db)) {}
  static std::unique_ptr<Session> open(const SessionConfig& config, const Deadline& deadline);
  /// A local file handle does not go stale.
  bool usable() const noexcept { return true; }
  sqlite3* get() const noexcept { return db_.get(); }

 private:
  DbHandle db_;
};

/// Nothing to check: an idle handle to a local file stays usable.
void validate_idle(Session& session, const Deadline& deadline);

using Pool = pool::SessionPool<Session, SessionConfig, Deadline, connectors::PoolStatus>;

}  // namespace freshguard::sqlite

extern template class freshguard::pool::SessionPool<
    freshguard::sqlite::Session, freshguard::sqlite::SessionConfig, freshguard::sqlite::Deadline,
    freshguard::connectors::PoolStatus>;
