#pragma once
/// PostgreSQL connector: libpq used directly, a pool of connections per source, deadlines
/// that we enforce, TLS verified by default.
///
/// Connections are opened with libpq's non-blocking API and every wait (connecting, waiting
/// for a free connection, waiting for a result) is a poll() bounded by the injected clock,
/// so a hung server never hangs the caller. Each session runs with a server-side
/// `statement_timeout` and reads only (`default_transaction_read_only`); when a call's
/// client deadline passes first, the query is cancelled on the server (PQcancel) and the
/// caller gets a TimeoutError. Values are always bound parameters; tables and columns are
/// resolved against pg_catalog (exact spelling first, else a unique case-insensitive
/// match) and quoted by libpq. Errors are classified by SQLSTATE (see Error subclasses);
/// messages name the source, never the host, the server's version or a credential.
///
/// Sessions use TimeZone=UTC and DateStyle=ISO, so `timestamptz` values are absolute;
/// `timestamp` and `date` values (and ISO-8601 text) carry no zone and are read in the
/// rule's zone.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <freshguard/connectors/sql_connector.hpp>
#include <freshguard/net/tls.hpp>
#include <freshguard/security/cost_guard.hpp>
#include <freshguard/security/query_analyzer.hpp>

namespace freshguard {

using PostgresPoolStatus = connectors::PoolStatus;

struct PostgresOptions {
  std::string source_name = "postgres";
  std::string host = "localhost";
  int port = 5432;
  std::string database;
  std::string username;
  std::string password;  ///< secret: never in messages or logs
  /// Default verify-full. With verify-ca/verify-full and no ssl_root_cert, the system's CA
  /// bundle (/etc/ssl/certs/ca-certificates.crt) is used when present.
  net::SslMode ssl = net::SslMode::kVerifyFull;
  std::string ssl_root_cert;
  /// Schema of unqualified table names, and the one list_tables() lists. Empty = "public".
  std::string schema;
  /// Shown in pg_stat_activity.
  std::string application_name = "freshguard";

  /// Deadline of each call (connection included), capped by the calling thread's current
  /// resilience deadline when there is one. Default 30 s.
  std::chrono::milliseconds timeout{30000};
  /// Waiting for a free connection and opening a new one. Default 5 s.
  std::chrono::milliseconds connect_timeout{5000};
  /// Server-side statement_timeout of every session. Default 10 s.
  std::chrono::milliseconds statement_timeout{10000};
  /// Most connections open at once. Default 20.
  int max_connections = 20;
  /// An idle connection is closed after this long. Default 30 s.
  std::chrono::milliseconds idle_timeout{30000};
  /// A connection is closed after this many calls. Default 7500.
  int max_uses = 7500;
  /// A connection is closed once this old. Default 30 min.
  std::chrono::milliseconds max_lifetime{std::chrono::minutes(30)};
  /// A connection idle this long is checked with `SELECT 1` before reuse. Default 5 s.
  std::chrono::milliseconds validate_after_idle{5000};
  /// After a deadline, how long to wait for the server to confirm a cancel. Default 1 s.
  std::chrono::milliseconds cancel_grace{1000};
  /// Clock for deadlines and pool ages; must outlive the connector. nullptr = system clock.
  const Clock* clock = nullptr;
  /// Resolved table schemas shared between calls (and connectors, keyed by source name).
  /// nullptr = the connector makes its own with the defaults (1 h TTL) and `clock`.
  std::shared_ptr<security::SchemaCache> schema_cache;
  /// Limits of the analyser every generated query passes before it is sent.
  security::AnalyzerLimits analyzer;
  /// The cost guard of user-supplied SQL (filters, query()). Defaults: 10,000 rows, 1 GiB.
  security::CostLimits cost_limits;
  /// Rows query() returns at most. Default 10,000.
  int max_result_rows = 10000;
};

/// The PostgreSQL driver (libpq, its pool, pg_catalog) under the connector core
/// (connectors/sql_connector.hpp). Thread-safe; the pool's lock is never held during I/O.
/// test_connection() runs SELECT 1; the first call also checks the role's privileges and
/// logs a warning when it can call pg_notify or the advisory-lock functions, or is a
/// superuser (docs/SECURITY_HARDENING.md shows the REVOKE). Columns come from pg_catalog,
/// types as format_type() spells them (`character varying(100)`); freshness reads
/// timestamptz, timestamp, date and text (ISO-8601) columns. A filter is checked by the
/// analyser and, through EXPLAIN, by the cost guard (its scan estimate). query() runs the
/// analyser, then EXPLAIN (VERBOSE, FORMAT JSON) against cost_limits, then the query in a
/// READ ONLY transaction through a cursor that fetches at most max_result_rows.
class PostgresConnector final : public connectors::SqlConnector {
 public:
  /// Opens nothing yet; connections are opened on first use.
  explicit PostgresConnector(PostgresOptions options);
  /// Closes every idle connection. No call may still be running.
  ~PostgresConnector() override;

  /// Closes idle connections past idle_timeout or max_lifetime now (a background thread
  /// also does it periodically).
  void prune_idle();
};

}  // namespace freshguard
