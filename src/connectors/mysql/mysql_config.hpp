#pragma once
// How the MySQL connector configures its sessions and its pool from MysqlOptions.

#include <freshguard/connectors/mysql_connector.hpp>

#include "connectors/mysql/mysql_pool.hpp"
#include "connectors/mysql/mysql_session.hpp"

namespace freshguard::mysql {

/// The CA bundle used for verify-ca/verify-full when no ssl_root_cert is configured.
inline constexpr const char* kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

/// Session settings for `o` (`clock` must outlive the result). With verify-ca/verify-full
/// and no ssl_root_cert, the CA is the system bundle (when it exists).
SessionConfig session_config(const MysqlOptions& o, const Clock& clock);

PoolConfig pool_config(const MysqlOptions& o);

}  // namespace freshguard::mysql
