#include "connectors/postgres/pg_config.hpp"

#include <filesystem>
#include <system_error>

namespace freshguard::pg {

std::string session_options(const PostgresOptions& o) {
  return "-c statement_timeout=" + std::to_string(o.statement_timeout.count()) +
         " -c TimeZone=UTC -c DateStyle=ISO -c default_transaction_read_only=on"
         " -c standard_conforming_strings=on";
}

SessionConfig session_config(const PostgresOptions& o, const Clock& clock) {
  SessionConfig s;
  s.source = o.source_name;
  s.cancel_grace = o.cancel_grace;
  s.clock = &clock;
  s.params = {{"host", o.host},
              {"port", std::to_string(o.port)},
              {"dbname", o.database},
              {"user", o.username},
              {"password", o.password},
              {"sslmode", std::string(net::to_string(o.ssl))},
              {"gssencmode", "disable"},
              {"application_name", o.application_name},
              {"client_encoding", "UTF8"},
              {"options", session_options(o)}};
  std::string root_cert = o.ssl_root_cert;
  const bool verify = o.ssl == net::SslMode::kVerifyCa || o.ssl == net::SslMode::kVerifyFull;
  std::error_code ec;
  if (root_cert.empty() && verify && std::filesystem::exists(kSystemCaBundle, ec)) {
    root_cert = kSystemCaBundle;
  }
  if (!root_cert.empty()) s.params.emplace_back("sslrootcert", root_cert);
  return s;
}

PoolConfig pool_config(const PostgresOptions& o) {
  PoolConfig p;
  p.max_connections = o.max_connections;
  p.connect_timeout = o.connect_timeout;
  p.idle_timeout = o.idle_timeout;
  p.max_uses = o.max_uses;
  p.max_lifetime = o.max_lifetime;
  p.validate_after_idle = o.validate_after_idle;
  return p;
}

}  // namespace freshguard::pg
