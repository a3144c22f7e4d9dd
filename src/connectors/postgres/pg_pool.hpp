#pragma once
// The connection pool of one PostgreSQL source: the shared SessionPool over pg::Session.

#include <freshguard/connectors/postgres_connector.hpp>

#include "connectors/common/session_pool.hpp"
#include "connectors/postgres/pg_session.hpp"

namespace freshguard::pg {

using pool::PoolConfig;

/// Checks a connection that sat idle before the pool reuses it: `SELECT 1`.
void validate_idle(Session& session, const Deadline& deadline);

/// See pool::SessionPool: thread-safe; a Lease returns its connection when destroyed.
using Pool = pool::SessionPool<Session, SessionConfig, Deadline, PostgresPoolStatus>;

}  // namespace freshguard::pg

extern template class freshguard::pool::SessionPool<
    freshguard::pg::Session, freshguard::pg::SessionConfig, freshguard::pg::Deadline,
    freshguard::PostgresPoolStatus>;
