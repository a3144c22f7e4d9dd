#pragma once
// The BigQuery REST calls the connector makes: authenticated JSON requests, and query jobs
// (dry run, jobs.query, getQueryResults polling and paging, jobs.cancel).

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <freshguard/net/http_client.hpp>
#include <freshguard/resilience/deadline.hpp>

#include "connectors/bigquery/bq_auth.hpp"

namespace freshguard::bigquery {

/// Settings of the API client.
struct ApiSettings {
  std::string base_url;  ///< e.g. https://bigquery.googleapis.com (no trailing slash)
  std::string project;
  std::string location;  ///< empty: not sent
  std::int64_t maximum_bytes_billed = 0;
  int page_size = 10000;
};

/// One result column: its name and BigQuery type (`TIMESTAMP`, `INTEGER`, ...).
struct Field {
  std::string name;
  std::string type;
};

/// A query result: the schema and every row (values as the API sends them: strings, or
/// nullopt for NULL; TIMESTAMP as int64 microseconds since the epoch).
struct JobResult {
  std::vector<Field> fields;
  std::vector<std::vector<std::optional<std::string>>> rows;
};

/// A named query parameter of a scalar type.
struct Param {
  std::string name;
  std::string type;  ///< STRING, INT64, ...
  std::string value;
};

/// Thread-safe (the token source locks itself; everything else is immutable).
class Api {
 public:
  Api(ApiSettings settings, const net::HttpClient& http, TokenSource& tokens, const Clock& clock);

  /// An authenticated JSON request to `path` (after the base URL, starting with `/`).
  /// On 401 the token is dropped and the request sent once more with a new one. Non-2xx
  /// statuses are thrown as mapped by throw_api_error, naming `what`.
  nlohmann::json call(const std::string& method, const std::string& path,
                      const nlohmann::json* body, const resilience::Deadline& deadline,
                      const std::string& what);

  /// Runs `sql` as a query job: dry run (refused over budget, "cost guard: ..."), jobs.query,
  /// getQueryResults until complete, every page. Cancels the job and throws TimeoutError
  /// when `deadline` passes first.
  JobResult query(const std::string& sql, const std::vector<Param>& params,
                  const resilience::Deadline& deadline);

  const ApiSettings& settings() const noexcept { return settings_; }

 private:
  nlohmann::json request_body(const std::string& sql, const std::vector<Param>& params) const;
  void dry_run(const std::string& sql, const std::vector<Param>& params,
               const resilience::Deadline& deadline);
  nlohmann::json get_results(const std::string& job_id, const std::string& page_token,
                             const resilience::Deadline& deadline);
  void cancel(const std::string& job_id) noexcept;
  std::string results_path(const std::string& job_id, const std::string& page_token,
                           std::chrono::milliseconds wait) const;

  ApiSettings settings_;
  const net::HttpClient& http_;
  TokenSource& tokens_;
  const Clock& clock_;
};

/// "1.5 GB", "10.0 MB", "512 B": bytes for people (decimal units, as BigQuery bills).
std::string format_bytes(std::int64_t bytes);

}  // namespace freshguard::bigquery
