#pragma once
// The connection pool of one MySQL / MariaDB source: the shared SessionPool over worker
// mysql::Sessions.

#include <freshguard/connectors/mysql_connector.hpp>

#include "connectors/common/session_pool.hpp"
#include "connectors/mysql/mysql_session.hpp"

namespace freshguard::mysql {

using pool::PoolConfig;

/// Checks a connection that sat idle before the pool reuses it: COM_PING.
void validate_idle(Session& session, const Deadline& deadline);

/// See pool::SessionPool: thread-safe; a Lease returns its connection when destroyed.
using Pool = pool::SessionPool<Session, SessionConfig, Deadline, MysqlPoolStatus>;

}  // namespace freshguard::mysql

extern template class freshguard::pool::SessionPool<
    freshguard::mysql::Session, freshguard::mysql::SessionConfig, freshguard::mysql::Deadline,
    freshguard::MysqlPoolStatus>;
