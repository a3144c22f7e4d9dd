#include "connectors/mysql/mysql_pool.hpp"

#include "connectors/common/session_pool_impl.hpp"

namespace freshguard::mysql {

void validate_idle(Session& session, const Deadline& deadline) {
  session.ping(deadline);
}

}  // namespace freshguard::mysql

template class freshguard::pool::SessionPool<
    freshguard::mysql::Session, freshguard::mysql::SessionConfig, freshguard::mysql::Deadline,
    freshguard::MysqlPoolStatus>;
