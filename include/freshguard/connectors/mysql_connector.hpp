#pragma once
/// MySQL / MariaDB connector: MariaDB Connector/C (libmariadb) used directly, a pool of
/// connections per source, deadlines that we enforce, TLS verified by default.
///
/// Every network wait goes through Connector/C's non-blocking API and a poll() bounded by
/// the injected clock, so a hung server never hangs the caller. Each session has a
/// server-side statement limit (`max_statement_time` on MariaDB; a `MAX_EXECUTION_TIME`
/// hint on every SELECT on MySQL), runs read-only transactions, and uses time_zone
/// '+00:00'. When a call's client deadline passes first, the query is stopped on the server
/// with `KILL QUERY` sent over a separate short-lived connection, the connection is
/// discarded, and the caller gets a TimeoutError. Values are always bound parameters of
/// prepared statements; tables and columns are resolved against information_schema (exact
/// spelling first, else a unique case-insensitive match) and quoted with backticks.
/// Identifiers longer than MySQL's limit of 64 characters are refused (SecurityError).
/// Errors are classified by error number and SQLSTATE (see Error subclasses); messages name
/// the source, never the host, the server's version or a credential.
///
/// Connections always use TCP (`host: localhost` does not mean the unix socket).
/// The schema of a qualified name is the MySQL database.
///
/// Timestamp columns: DATETIME is naive (read in the rule's zone); TIMESTAMP is absolute
/// (sessions use UTC); DATE is midnight in the rule's zone; integer columns are Unix time;
/// CHAR/VARCHAR/TEXT hold ISO-8601 text (naive text read in the rule's zone).

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <freshguard/connectors/sql_connector.hpp>
#include <freshguard/net/tls.hpp>
#include <freshguard/security/query_analyzer.hpp>

namespace freshguard::security {
class SchemaCache;
}  // namespace freshguard::security

namespace freshguard {

/// MySQL's identifier limit (database, table and column names), in characters.
inline constexpr std::size_t kMysqlMaxIdentifierLength = 64;

using MysqlPoolStatus = connectors::PoolStatus;

struct MysqlOptions {
  std::string source_name = "mysql";
  std::string host = "localhost";
  int port = 3306;
  /// The database connected to; also the default schema unless `schema` is set.
  std::string database;
  std::string username;
  std::string password;  ///< secret: never in messages or logs
  /// Default verify-full (certificate chain and host name). verify-ca checks the chain only;
  /// require encrypts without verifying (the chain is verified anyway when ssl_root_cert is
  /// set); disable connects without TLS. With verify-ca/verify-full and no ssl_root_cert,
  /// the system's CA bundle (/etc/ssl/certs/ca-certificates.crt) is used.
  net::SslMode ssl = net::SslMode::kVerifyFull;
  std::string ssl_root_cert;
  /// Database of unqualified table names, and the one list_tables() lists. Empty =
  /// `database`.
  std::string schema;

  /// Deadline of each call (connection included), capped by the calling thread's current
  /// resilience deadline when there is one. Default 30 s.
  std::chrono::milliseconds timeout{30000};
  /// Waiting for a free connection and opening a new one. Default 5 s.
  std::chrono::milliseconds connect_timeout{5000};
  /// Server-side limit of every statement. Default 10 s.
  std::chrono::milliseconds statement_timeout{10000};
  /// Most connections open at once. Default 20.
  int max_connections = 20;
  /// An idle connection is closed after this long. Default 30 s.
  std::chrono::milliseconds idle_timeout{30000};
  /// A connection is closed after this many calls. Default 7500.
  int max_uses = 7500;
  /// A connection is closed once this old. Default 30 min.
  std::chrono::milliseconds max_lifetime{std::chrono::minutes(30)};
  /// A connection idle this long is checked (COM_PING) before reuse. Default 5 s.
  std::chrono::milliseconds validate_after_idle{5000};
  /// After a deadline, how long the KILL QUERY connection and the server's confirmation
  /// may take. Default 1 s.
  std::chrono::milliseconds cancel_grace{1000};
  /// Clock for deadlines and pool ages; must outlive the connector. nullptr = system clock.
  const Clock* clock = nullptr;
  /// Resolved table schemas shared between calls (and connectors, keyed by source name).
  /// nullptr = the connector makes its own with the defaults (1 h TTL) and `clock`.
  std::shared_ptr<security::SchemaCache> schema_cache;
  /// Limits of the analyser every generated query passes before it is sent.
  security::AnalyzerLimits analyzer;
};

/// The MySQL / MariaDB driver (Connector/C, its pool, information_schema) under the connector
/// core (connectors/sql_connector.hpp). Thread-safe; the pool's lock is never held during
/// I/O.
class MysqlConnector final : public connectors::SqlConnector {
 public:
  /// Opens nothing yet; connections are opened on first use.
  explicit MysqlConnector(MysqlOptions options);
  /// Closes every idle connection. No call may still be running.
  ~MysqlConnector() override;

  /// Closes idle connections past idle_timeout or max_lifetime now (a background thread
  /// also does it periodically).
  void prune_idle();
};

}  // namespace freshguard
