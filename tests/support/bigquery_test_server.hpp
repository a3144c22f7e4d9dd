#pragma once
// A local BigQuery REST server for the connector tests: HTTPS on 127.0.0.1 with the
// self-signed certificate of rest_test_support.hpp, following the published v2 shapes:
//   POST /token (OAuth 2.0 jwt-bearer grant: the RS256 JWT is verified with the key's public
//        half; {"access_token", "expires_in", "token_type"})
//   POST /bigquery/v2/projects/{p}/queries            jobs.query (dryRun, queryParameters,
//        maxResults, timeoutMs, maximumBytesBilled, formatOptions.useInt64Timestamp)
//   GET  /bigquery/v2/projects/{p}/queries/{job}      getQueryResults (pageToken, timeoutMs)
//   POST /bigquery/v2/projects/{p}/jobs/{job}/cancel  jobs.cancel
//   GET  /bigquery/v2/projects/{p}/datasets/{d}[/tables[/{t}]]  datasets.get, tables.list,
//        tables.get (schema.fields, tableConstraints.primaryKey, numRows, lastModifiedTime)
// Errors use the API error body {"error": {"code", "message", "errors": [{"reason"}],
// "status"}}. SQL runs on SQLite (one attached schema per dataset): `project.dataset.table`
// becomes "dataset"."table", `x` becomes "x". Column types are the SQLite declared types
// (TIMESTAMP columns hold int64 microseconds; DATETIME holds naive ISO text).
// Every request is logged; tests can expire tokens, cap page sizes, fail the next requests
// with a status, stall jobs on a table, and set what a dry run reports.

#include <condition_variable>
#include <map>
#include <regex>
#include <set>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <freshguard/net/jwt.hpp>

#include "support/rest_test_support.hpp"

namespace freshguard::testing {

/// One request as the server saw it.
struct LoggedRequest {
  std::string method;
  std::string path;
  std::string body;
  bool dry_run = false;  ///< a jobs.query with dryRun: true
};

class BigqueryTestServer {
 public:
  static constexpr const char* kProject = "fg-test-project";

  /// Serves `datasets` (each an attached SQLite schema) for project kProject.
  explicit BigqueryTestServer(std::vector<std::string> datasets)
      : engine_(datasets),
        datasets_(datasets.begin(), datasets.end()),
        server_(TestTls::get().cert.c_str(), TestTls::get().key.c_str()) {
    public_key_ = net::RsaPrivateKey::from_pem(test_rsa_key_pem(0), "test key").public_key_pem();
    routes();
    server_.set_tcp_nodelay(true);  // no Nagle wait for the delayed ACK per reply
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the listener runs would be lost and leave join() waiting forever.
    while (!server_.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~BigqueryTestServer() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    server_.stop();
    thread_.join();
  }

  std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string token_uri() const { return base_url() + "/token"; }
  std::string ca_file() const { return TestTls::get().cert.string(); }

  /// A service-account key file for this server in `dir` (key `index` 0 is the one the
  /// server trusts; any other index is an unknown key).
  std::string write_key_file(const TempDir& dir, int index = 0) const {
    const nlohmann::json key = {{"type", "service_account"},
                                {"project_id", kProject},
                                {"private_key_id", "k" + std::to_string(index)},
                                {"private_key", test_rsa_key_pem(index)},
                                {"client_email", "monitor@fg-test-project.iam.gserviceaccount.com"},
                                {"token_uri", token_uri()}};
    return dir.write("sa-" + std::to_string(index) + ".json", key.dump()).string();
  }

  /// Runs fixture SQL directly on the engine.
  void exec(const std::string& sql) {
    std::lock_guard lock(mu_);
    engine_.exec(sql);
  }
  void set_last_modified_ms(const std::string& table, std::int64_t ms) {
    std::lock_guard lock(mu_);
    last_modified_[table] = ms;
  }
  /// Every issued token stops being valid (the next API call gets 401).
  void expire_tokens() {
    std::lock_guard lock(mu_);
    tokens_.clear();
  }
  void set_token_lifetime_seconds(int s) {
    std::lock_guard lock(mu_);
    token_lifetime_ = s;
  }
  /// At most `n` rows per result page (0: as many as maxResults asks).
  void set_max_page_rows(int n) {
    std::lock_guard lock(mu_);
    max_page_rows_ = n;
  }
  /// The next `count` API requests (not token exchanges) fail with `status`.
  void fail_next(int status, int count = 1) {
    std::lock_guard lock(mu_);
    fail_status_ = status;
    fail_count_ = count;
  }
  /// Jobs reading `table` never complete (until cancelled).
  void stall_table(const std::string& table) {
    std::lock_guard lock(mu_);
    stalled_tables_.insert(table);
  }
  /// What dry runs report as totalBytesProcessed (default 1024).
  void set_dry_run_bytes(std::int64_t bytes) {
    std::lock_guard lock(mu_);
    dry_run_bytes_ = bytes;
  }

  std::vector<LoggedRequest> log() const {
    std::lock_guard lock(mu_);
    return log_;
  }
  void clear_log() {
    std::lock_guard lock(mu_);
    log_.clear();
  }
  /// Requests whose method is `method` and whose path contains `part`.
  int count(const std::string& method, const std::string& part, bool dry_run = false) const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& r : log_) {
      if (r.method == method && r.path.find(part) != std::string::npos && r.dry_run == dry_run) ++n;
    }
    return n;
  }
  /// jobs.query requests that submitted a job (not dry runs).
  int jobs_submitted() const { return count("POST", "/queries", false); }
  int dry_runs() const { return count("POST", "/queries", true); }
  int token_requests() const { return count("POST", "/token"); }
  int cancels() const { return count("POST", "/cancel"); }

 private:
  using Json = nlohmann::json;
  struct Job {
    bool stalled = false;
    bool cancelled = false;
    Json fields = Json::array();
    std::vector<std::vector<std::optional<std::string>>> rows;
    bool int64_timestamps = true;
  };

  static void reply(httplib::Response& res, int status, const Json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
  }
  static Json error_body(int code, const std::string& status, const std::string& reason,
                         const std::string& message) {
    return {{"error",
             {{"code", code},
              {"message", message},
              {"errors", {{{"reason", reason}, {"domain", "global"}, {"message", message}}}},
              {"status", status}}}};
  }

  void routes();
  bool admit(const httplib::Request& req, httplib::Response& res, bool dry_run);
  void token(const httplib::Request& req, httplib::Response& res);
  void query(const httplib::Request& req, httplib::Response& res);
  void results(const httplib::Request& req, httplib::Response& res);
  void cancel(const httplib::Request& req, httplib::Response& res);
  void list_tables(const std::string& dataset, const httplib::Request& req, httplib::Response& res);
  void get_table(const std::string& dataset, const std::string& table, httplib::Response& res);
  Json page(const std::string& id, Job& job, std::size_t offset, std::size_t max_rows) const;
  std::string translate(const std::string& sql, std::string& missing) const;
  std::string column_type(const std::string& dataset, const std::string& table,
                          const std::string& column);
  Json result_fields(const std::string& sql, const SqlResult& r);
  bool wait_for_job(Job& job, std::unique_lock<std::mutex>& lock, long ms);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  SqlEngine engine_;
  std::set<std::string> datasets_;
  std::string public_key_;
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
  bool stopping_ = false;
  std::vector<LoggedRequest> log_;
  std::set<std::string> tokens_;
  int token_serial_ = 0;
  int token_lifetime_ = 3600;
  int max_page_rows_ = 0;
  int fail_status_ = 0;
  int fail_count_ = 0;
  std::set<std::string> stalled_tables_;
  std::int64_t dry_run_bytes_ = 1024;
  std::map<std::string, std::int64_t> last_modified_;
  std::map<std::string, Job> jobs_;
  int job_serial_ = 0;
};

}  // namespace freshguard::testing

#include "support/bigquery_test_server_impl.hpp"
