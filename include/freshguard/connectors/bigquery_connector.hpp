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
/// tables.list; queries name the resolved table as the backtick-quoted
/// `project.dataset.table` (hyphenated project ids are valid). Schemas, list_tables,
/// estimated_row_count and catalog_stats come from the tables.get / tables.list metadata
/// calls, which run no query job and bill nothing; resolved schemas are kept in the schema
/// cache. Every generated query is analysed (security::QueryAnalyzer) in its PostgreSQL
/// rendering, which differs only in quoting, before its dry run; a rule's `filter:` is
/// checked and applied as the WHERE (write plain identifiers in it, not backticks).
///
/// Errors: 401/403 (auth) -> ConnectionError, not transient; 404 -> QueryError; 408, 429
/// and 5xx (and 403 rateLimitExceeded) -> transient QueryError, so the retry layer retries
/// them; transport failures -> transient ConnectionError. Thread-safe.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <freshguard/connectors/connector.hpp>
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

class BigqueryConnector final : public Connector {
 public:
  /// Reads and checks the key file. Throws ConfigError naming the file (never its
  /// contents) when it is missing, unreadable or not a service-account key, and when
  /// project or dataset are invalid. Nothing is sent over the network yet.
  explicit BigqueryConnector(BigqueryOptions options);
  ~BigqueryConnector() override;
  BigqueryConnector(const BigqueryConnector&) = delete;
  BigqueryConnector& operator=(const BigqueryConnector&) = delete;

  const std::string& source_name() const noexcept override;
  const sql::Dialect& dialect() const noexcept override;
  /// datasets.get on the configured dataset (auth, permissions, reachability).
  void test_connection() override;
  /// Tables and views of the configured dataset (tables.list, all pages).
  std::vector<sql::QualifiedName> list_tables() override;
  /// tables.get; nullable from the column mode, primary key from the table constraints.
  TableSchema table_schema(const sql::QualifiedName& table) override;
  std::shared_ptr<const TableSchema> cached_table_schema(const sql::QualifiedName& table) override;
  std::int64_t filtered_row_count(const sql::QualifiedName& table,
                                  std::string_view filter) override;
  std::optional<WallTime> filtered_max_timestamp(const sql::QualifiedName& table,
                                                 const sql::Identifier& column,
                                                 const TimeZone& zone,
                                                 std::string_view filter) override;
  /// `SELECT COUNT(*)` (dry run first).
  std::int64_t row_count(const sql::QualifiedName& table) override;
  /// `SELECT MAX(col)` / `MIN(col)` (dry run first). TIMESTAMP is absolute; DATETIME and
  /// DATE are read in `zone`; STRING is parsed as ISO-8601.
  std::optional<WallTime> max_timestamp(const sql::QualifiedName& table,
                                        const sql::Identifier& column,
                                        const TimeZone& zone) override;
  std::optional<WallTime> min_timestamp(const sql::QualifiedName& table,
                                        const sql::Identifier& column,
                                        const TimeZone& zone) override;
  /// tables.get `numRows` (no query job); nullopt for views.
  std::optional<std::int64_t> estimated_row_count(const sql::QualifiedName& table) override;
  /// tables.get `lastModifiedTime` and `numRows` (no query job); nullopt for views.
  std::optional<CatalogStats> catalog_stats(const sql::QualifiedName& table) override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace freshguard
