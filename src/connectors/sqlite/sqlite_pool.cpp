#include "connectors/sqlite/sqlite_pool.hpp"

#include "connectors/common/session_pool_impl.hpp"
#include "connectors/sqlite/sqlite_session.hpp"

namespace freshguard::sqlite {

std::unique_ptr<Session> Session::open(const SessionConfig& config, const Deadline&) {
  return std::make_unique<Session>(open_database(config.options));
}

void validate_idle(Session&, const Deadline&) {}

}  // namespace freshguard::sqlite

template class freshguard::pool::SessionPool<
    freshguard::sqlite::Session, freshguard::sqlite::SessionConfig, freshguard::sqlite::Deadline,
    freshguard::connectors::PoolStatus>;
