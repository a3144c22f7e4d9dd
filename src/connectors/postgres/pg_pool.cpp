#include "connectors/postgres/pg_pool.hpp"

#include "connectors/common/session_pool_impl.hpp"

namespace freshguard::pg {

void validate_idle(Session& session, const Deadline& deadline) {
  session.exec("SELECT 1", {}, deadline);
}

}  // namespace freshguard::pg

template class freshguard::pool::SessionPool<freshguard::pg::Session, freshguard::pg::SessionConfig,
                                             freshguard::pg::Deadline,
                                             freshguard::PostgresPoolStatus>;
