#pragma once
/// Snowflake connector over the SQL API v2 (REST), with libcurl.
///
/// Auth: key-pair (an unencrypted PEM private key, `private_key_file`): an RS256 JWT with
/// iss `ACCOUNT.USER.SHA256:<public key fingerprint>` and sub `ACCOUNT.USER`, valid 59
/// minutes, signed here, cached and signed afresh a minute before it expires; or OAuth (an
/// access token read from `oauth_token_file`, read again when the API rejects it). A 401
/// drops the token and the request is repeated once with a new one. Keys and tokens are
/// never logged or put in messages.
///
/// Statements: submitted asynchronously (POST /api/v2/statements?async=true with a fresh
/// requestId, positional bindings, the database/schema/warehouse/role context, a
/// server-side `timeout` of the time left, MULTI_STATEMENT_COUNT 1 and QUERY_TAG
/// `freshguard`), then polled (GET /api/v2/statements/{handle}: at once, then backing off
/// from 25 ms to 500 ms) and every result partition fetched. When the deadline (resilience::
/// effective_timeout of `timeout`) passes with the statement still running, it is cancelled
/// (POST .../cancel) and TimeoutError is thrown.
///
/// Names: unquoted config names fold to upper case (`database: analytics` is ANALYTICS; write
/// `'"Raw"'` for a case-sensitive name). A rule's `table` (`table` or `schema.table`,
/// unqualified names in `schema`, default PUBLIC) is matched against INFORMATION_SCHEMA.TABLES
/// exactly, else by a unique case-insensitive match, so `orders` finds ORDERS; queries name
/// the resolved `"DATABASE"."SCHEMA"."TABLE"`. Resolved schemas (INFORMATION_SCHEMA.COLUMNS
/// and SHOW PRIMARY KEYS) are kept in the schema cache.
///
/// Cost guard: before a MAX/MIN or filtered COUNT query runs, `EXPLAIN USING JSON` (compiled,
/// never executed, no warehouse time) must report GlobalStats.bytesAssigned within
/// `max_scan_bytes`, else QueryError ("cost guard: ...") and the query is not run. An
/// unfiltered COUNT(*) is answered by Snowflake from table metadata and is not explained.
/// catalog_stats reads INFORMATION_SCHEMA.TABLES (LAST_ALTERED,
/// ROW_COUNT) only: no table data is scanned. LAST_ALTERED also moves on DDL and on
/// background maintenance (e.g. reclustering), so it can make a stale table look fresh.
///
/// Errors: 401/403 -> ConnectionError, not transient; 408 -> TimeoutError; 429 and 5xx ->
/// transient QueryError (the retry layer retries them); 422 (SQL errors) -> QueryError with
/// Snowflake's message and SQLSTATE; transport failures -> transient ConnectionError.
/// Thread-safe.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <freshguard/connectors/sql_connector.hpp>
#include <freshguard/security/query_analyzer.hpp>

namespace freshguard {
namespace resilience {
class Sleeper;
}
namespace security {
class SchemaCache;
}

struct SnowflakeOptions {
  std::string source_name = "snowflake";
  /// Account identifier: `myorg-myaccount` or a locator with region (`xy12345.eu-north-1.aws`).
  std::string account;
  /// Login name of the user (folded to upper case in the JWT claims).
  std::string user;
  /// PEM private key (PKCS#8 or PKCS#1, unencrypted) for key-pair auth. Exactly one of
  /// private_key_file and oauth_token_file must be set.
  std::string private_key_file;
  /// File holding an OAuth access token.
  std::string oauth_token_file;
  /// Statement context. database is required; schema defaults to PUBLIC; empty warehouse and
  /// role mean the user's defaults.
  std::string database;
  std::string schema = "PUBLIC";
  std::string warehouse;
  std::string role;
  /// API base URL. Default https://<account>.snowflakecomputing.com.
  std::string endpoint;
  /// CA bundle (PEM) trusted instead of the system one, e.g. for a private endpoint.
  std::string ca_file;
  /// Deadline of each call (capped by the caller's current deadline). Default 30 s.
  std::chrono::milliseconds timeout{30000};
  /// Cost guard: most bytes an explained query may be assigned. Default 1 GiB.
  double max_scan_bytes = 1024.0 * 1024 * 1024;
  /// Clock for deadlines and JWT times; must outlive the connector. nullptr: system clock.
  const Clock* clock = nullptr;
  /// Waits between status polls. nullptr: really sleep.
  resilience::Sleeper* sleeper = nullptr;
  /// Shared schema cache; nullptr: a private one with default settings.
  std::shared_ptr<security::SchemaCache> schema_cache;
  /// Limits of the analyser every generated query passes.
  security::AnalyzerLimits analyzer;
};

/// The Snowflake driver under the connector core (connectors/sql_connector.hpp).
class SnowflakeConnector final : public connectors::SqlConnector {
 public:
  /// Reads the key or token file and checks the settings (ConfigError); calls nothing yet.
  explicit SnowflakeConnector(SnowflakeOptions options);
  ~SnowflakeConnector() override;
};

}  // namespace freshguard
