#include "connectors/mysql/mysql_config.hpp"

#include <filesystem>
#include <system_error>

namespace freshguard::mysql {

SessionConfig session_config(const MysqlOptions& o, const Clock& clock) {
  SessionConfig s;
  s.source = o.source_name;
  s.host = o.host;
  s.port = static_cast<unsigned>(o.port);
  s.database = o.database;
  s.user = o.username;
  s.password = o.password;
  s.ssl = o.ssl;
  s.ssl_ca = o.ssl_root_cert;
  s.statement_timeout = o.statement_timeout;
  s.cancel_grace = o.cancel_grace;
  s.clock = &clock;
  const bool verify = o.ssl == net::SslMode::kVerifyCa || o.ssl == net::SslMode::kVerifyFull;
  std::error_code ec;
  if (s.ssl_ca.empty() && verify && std::filesystem::exists(kSystemCaBundle, ec)) {
    s.ssl_ca = kSystemCaBundle;
  }
  return s;
}

PoolConfig pool_config(const MysqlOptions& o) {
  PoolConfig p;
  p.max_connections = o.max_connections;
  p.connect_timeout = o.connect_timeout;
  p.idle_timeout = o.idle_timeout;
  p.max_uses = o.max_uses;
  p.max_lifetime = o.max_lifetime;
  p.validate_after_idle = o.validate_after_idle;
  return p;
}

}  // namespace freshguard::mysql
