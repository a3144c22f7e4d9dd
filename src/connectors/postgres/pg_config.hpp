#pragma once
// How the PostgreSQL connector configures its sessions and its pool from PostgresOptions.

#include <string>

#include <freshguard/connectors/postgres_connector.hpp>

#include "connectors/postgres/pg_pool.hpp"
#include "connectors/postgres/pg_session.hpp"

namespace freshguard::pg {

/// The CA bundle used for verify-ca/verify-full when no ssl_root_cert is configured.
inline constexpr const char* kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

/// The startup `options` of every session: statement_timeout, TimeZone=UTC, DateStyle=ISO
/// and default_transaction_read_only=on.
std::string session_options(const PostgresOptions& o);

/// libpq connection parameters for `o` (`clock` must outlive the result).
SessionConfig session_config(const PostgresOptions& o, const Clock& clock);

PoolConfig pool_config(const PostgresOptions& o);

}  // namespace freshguard::pg
