#pragma once
/// BigQuery connector over the REST API (v2), with libcurl.
///
/// Auth: a service-account JSON key (`credentials_file`, else the file named by
/// GOOGLE_APPLICATION_CREDENTIALS): an RS256 JWT signed with the key is exchanged at the
/// key's `token_uri` (OAuth 2.0 jwt-bearer grant) for an access token, cached until a minute
/// before it expires and refreshed; a 401 from the API drops the cached token and the call is
/// repeated once with a new one. The key and tokens are never logged or put in messages.
///
/// Queries: `jobs.query` (GoogleSQL, values as named query parameters, `location`, one
/// job timeout) then `getQueryResults` long-polls until the job completes, following page
/// tokens. Every data query is preceded by a dry run: when it reports more bytes than
/// `maximum_bytes_billed`, the call throws QueryError ("cost guard: ...") and no job is
/// submitted; the job itself also carries `maximumBytesBilled`. When the deadline
/// (resilience::effective_timeout of `timeout`) passes with the job still running, the job
/// is cancelled (`jobs.cancel`) and TimeoutError is thrown.
///
/// Names: `rule.table` is `table` (in the configured dataset) or `dataset.table`, matched
/// exactly (tables.get), else by the only case-insensitive match in the dataset's
/// tables.list; queries name the resolved table as `project`.`dataset`.`table`
/// (hyphenated project ids are valid). Schemas, list_tables and catalog_stats come from the
/// tables.get / tables.list metadata calls, which run no query job and bill nothing; resolved
/// schemas are kept in the schema cache. Every data query is analysed (security::QueryAnalyzer) in
/// its PostgreSQL rendering, which differs only in quoting, before its dry run; a rule's `filter:`
/// is checked and applied as the WHERE (write plain identifiers in it, not backticks).
///
/// Errors: 401/403 (auth) -> ConnectionError, not transient; 404 -> QueryError; 408, 429
/// and 5xx (and 403 rateLimitExceeded) -> transient QueryError, so the retry layer retries
/// them; transport failures -> transient ConnectionError. Thread-safe.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <freshguard/connectors/sql_connector.hpp>
#include <freshguard/security/query_analyzer.hpp>

namespace freshguard {
namespace security {
class SchemaCache;
}

/// 1 GB: the default cost budget of one query.
inline constexpr std::int64_t kDefaultMaximumBytesBilled = 1'000'000'000;

struct BigqueryOptions {
  std::string source_name = "bigquery";
  /// Project that runs (and pays for) the jobs and holds the dataset. Required.
  std::string project;
  /// Dataset of unqualified table names. Required.
  std::string dataset;
  /// Location of the jobs (`US`, `EU`, `europe-west1`, ...). Empty: BigQuery's default.
  std::string location;
  /// Service-account JSON key file. Empty: the file named by GOOGLE_APPLICATION_CREDENTIALS.
  std::string credentials_file;
  /// API base URL. Default https://bigquery.googleapis.com. The token URI comes from the key.
  std::string endpoint;
  /// CA bundle (PEM) trusted instead of the system one, e.g. for a private endpoint.
  std::string ca_file;
  /// Deadline of each call (capped by the caller's current deadline). Default 30 s.
  std::chrono::milliseconds timeout{30000};
  /// Cost guard: a query whose dry run reports more bytes is refused. Default 1 GB.
  std::int64_t maximum_bytes_billed = kDefaultMaximumBytesBilled;
  /// Rows per result page (`maxResults`). Default 10000.
  int page_size = 10000;
  /// Clock for deadlines, token expiry and JWT times; must outlive the connector.
  const Clock* clock = nullptr;
  /// Shared schema cache; nullptr: a private one with default settings.
  std::shared_ptr<security::SchemaCache> schema_cache;
  /// Limits of the analyser every generated query passes.
  security::AnalyzerLimits analyzer;
};

/// The BigQuery driver under the connector core (connectors/sql_connector.hpp).
class BigqueryConnector final : public connectors::SqlConnector {
 public:
  /// Reads the key file and checks the settings (ConfigError); calls nothing yet.
  explicit BigqueryConnector(BigqueryOptions options);
  ~BigqueryConnector() override;
};

}  // namespace freshguard
