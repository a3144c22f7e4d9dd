#pragma once
// A local Snowflake SQL API v2 server for the connector tests: HTTPS on 127.0.0.1 with the
// self-signed certificate of rest_test_support.hpp, following the published shapes:
//   POST /api/v2/statements[?async=true&requestId=..]  submit one statement (bindings "1",
//        "2", ... for positional `?`); 200 ResultSet, 202 QueryStatus, 422 QueryFailureStatus
//   GET  /api/v2/statements/{handle}[?partition=N]     status / result partition N (N >= 1
//        carries only {"data"}, as the SQL API guide shows)
//   POST /api/v2/statements/{handle}/cancel            cancel
// Auth: `Authorization: Bearer` with `X-Snowflake-Authorization-Token-Type: KEYPAIR_JWT` (an
// RS256 JWT of test_rsa_key_pem(0) with the account/user/fingerprint claims) or `OAUTH` (a
// token added with add_oauth_token). SQL runs on SQLite: one attached schema per Snowflake
// schema plus INFORMATION_SCHEMA (TABLES, COLUMNS) rebuilt before every statement; the
// server's own database prefix is stripped; `EXPLAIN USING JSON` and `SHOW PRIMARY KEYS IN
// TABLE` are emulated. Cells are jsonv2 strings. Column types are the SQLite declared types
// (TIMESTAMP_NTZ: naive ISO text, TIMESTAMP_TZ: ISO text with offset, TIMESTAMP_LTZ:
// integer epoch seconds, DATE: 'YYYY-MM-DD').
// Every request is logged; tests can stall statements on a table, fail the next requests
// with a status, revoke JWTs, size result partitions, and set what EXPLAIN reports.

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <freshguard/core/clock.hpp>
#include <freshguard/net/jwt.hpp>

#include "support/rest_test_support.hpp"

namespace freshguard::testing {

/// One request as the Snowflake test server saw it.
struct SnowflakeRequest {
  std::string method;
  std::string path;   ///< without the query string
  std::string query;  ///< the raw query string ("async=true&requestId=...")
  std::string body;
  std::string statement;   ///< the statement text of POST /api/v2/statements, else empty
  std::string token_type;  ///< X-Snowflake-Authorization-Token-Type
  std::string bearer;      ///< the bearer token
  bool explain = false;    ///< an `EXPLAIN USING JSON` submission
};

/// The server. Thread-safe: every handler and accessor locks one mutex. Construction binds a
/// free port and starts serving; destruction stops the server and joins its thread.
class SnowflakeTestServer {
 public:
  static constexpr const char* kAccount = "fgorg-fgacct";
  static constexpr const char* kUser = "monitor";

  /// Serves `database` with `schemas` (each an attached SQLite schema of that exact name).
  /// `clock` (not owned, outlives the server; nullptr: SystemClock) is "now" for JWT checks.
  SnowflakeTestServer(std::string database, std::vector<std::string> schemas,
                      const Clock* clock = nullptr)
      : database_(std::move(database)),
        schemas_(std::move(schemas)),
        clock_(clock != nullptr ? clock : &SystemClock::instance()),
        engine_(with_information_schema(schemas_)),
        server_(TestTls::get().cert.c_str(), TestTls::get().key.c_str()) {
    const auto key = net::RsaPrivateKey::from_pem(test_rsa_key_pem(0), "test key");
    public_key_ = key.public_key_pem();
    fingerprint_ = key.public_key_fingerprint();
    engine_.exec(
        "CREATE TABLE INFORMATION_SCHEMA.TABLES (TABLE_CATALOG TEXT, TABLE_SCHEMA TEXT, "
        "TABLE_NAME TEXT, TABLE_TYPE TEXT, ROW_COUNT NUMBER, BYTES NUMBER, "
        "CREATED TIMESTAMP_LTZ, LAST_ALTERED TIMESTAMP_LTZ);"
        "CREATE TABLE INFORMATION_SCHEMA.COLUMNS (TABLE_CATALOG TEXT, TABLE_SCHEMA TEXT, "
        "TABLE_NAME TEXT, COLUMN_NAME TEXT, ORDINAL_POSITION NUMBER, IS_NULLABLE TEXT, "
        "DATA_TYPE TEXT)");
    engine_.disable_double_quoted_strings();
    routes();
    server_.set_tcp_nodelay(true);  // no Nagle wait for the delayed ACK per reply
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() before the listener runs would be lost and leave join() waiting forever.
    while (!server_.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~SnowflakeTestServer() {
    server_.stop();
    thread_.join();
  }
  SnowflakeTestServer(const SnowflakeTestServer&) = delete;
  SnowflakeTestServer& operator=(const SnowflakeTestServer&) = delete;

  std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port_); }
  std::string ca_file() const { return TestTls::get().cert.string(); }
  const std::string& database() const { return database_; }

  /// Runs fixture SQL directly on the engine (schemas by their SQLite names).
  void exec(const std::string& sql) {
    std::lock_guard lock(mu_);
    engine_.exec(sql);
  }
  /// What INFORMATION_SCHEMA.TABLES reports as LAST_ALTERED (default 1795000000).
  void set_last_altered(const std::string& schema, const std::string& table,
                        std::int64_t epoch_seconds) {
    std::lock_guard lock(mu_);
    last_altered_[schema + "." + table] = epoch_seconds;
  }
  /// Statements whose translated SQL names `"table"` never complete until cancelled
  /// (EXPLAIN and SHOW statements are never stalled).
  void stall_table(const std::string& table) {
    std::lock_guard lock(mu_);
    stalled_tables_.insert(table);
  }
  /// The next `count` requests (any endpoint) get `status` (429 and 503 with a text body).
  void fail_next(int status, int count = 1) {
    std::lock_guard lock(mu_);
    fail_status_ = status;
    fail_count_ = count;
  }
  /// Rows per result partition of statements completing from now on (default 1000).
  void set_partition_rows(std::size_t n) {
    std::lock_guard lock(mu_);
    partition_rows_ = n > 0 ? n : 1;
  }
  /// What `EXPLAIN USING JSON` reports as GlobalStats.bytesAssigned (default 1024).
  void set_explain_bytes(std::int64_t bytes) {
    std::lock_guard lock(mu_);
    explain_bytes_ = bytes;
  }
  /// Every JWT presented so far stops being accepted (the next request with one gets 401).
  void revoke_jwts() {
    std::lock_guard lock(mu_);
    revoked_.insert(seen_jwts_.begin(), seen_jwts_.end());
  }
  /// Accepts `token` with token type OAUTH.
  void add_oauth_token(const std::string& token) {
    std::lock_guard lock(mu_);
    oauth_tokens_.insert(token);
  }

  std::vector<SnowflakeRequest> log() const {
    std::lock_guard lock(mu_);
    return log_;
  }
  void clear_log() {
    std::lock_guard lock(mu_);
    log_.clear();
  }
  /// The statement texts submitted (POST /api/v2/statements), in order.
  std::vector<std::string> statements() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& r : log_) {
      if (r.method == "POST" && r.path == "/api/v2/statements") out.push_back(r.statement);
    }
    return out;
  }
  /// Submitted statements containing `part`.
  int count_statements(const std::string& part) const {
    int n = 0;
    for (const auto& s : statements())
      n += s.find(part) != std::string::npos ? 1 : 0;
    return n;
  }
  int cancels() const { return count_requests("POST", "/cancel"); }
  /// GETs of statement handles (status polls and partition fetches).
  int polls() const { return count_requests("GET", "/api/v2/statements/"); }
  /// How many distinct bearer tokens were accepted.
  int distinct_bearers() const {
    std::lock_guard lock(mu_);
    return static_cast<int>(accepted_bearers_.size());
  }

 private:
  using Json = nlohmann::json;
  using Binds = std::vector<std::pair<std::string, std::string>>;
  struct Statement {
    std::string handle;
    std::string sql;  ///< translated
    Binds binds;
    bool stalled = false;
    bool cancelled = false;
    bool failed = false;
    Json error;                     ///< the 422 body when failed
    Json row_type = Json::array();  ///< resultSetMetaData.rowType
    std::vector<Json> partitions;   ///< each a JSON array of rows
    std::size_t num_rows = 0;
    std::int64_t created_on_ms = 0;
  };
  /// A failed statement's Snowflake error (code, sqlState, message).
  struct SfError {
    std::string code;
    std::string sql_state;
    std::string message;
  };

  static std::vector<std::string> with_information_schema(std::vector<std::string> schemas) {
    schemas.push_back("INFORMATION_SCHEMA");
    return schemas;
  }
  int count_requests(const std::string& method, const std::string& part) const {
    std::lock_guard lock(mu_);
    int n = 0;
    for (const auto& r : log_) {
      n += r.method == method && r.path.find(part) != std::string::npos ? 1 : 0;
    }
    return n;
  }
  static void reply(httplib::Response& res, int status, const Json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
  }

  // snowflake_test_server_impl.hpp: HTTP handlers and auth.
  void routes();
  bool admit(const httplib::Request& req, httplib::Response& res, const std::string& statement,
             bool explain);
  bool authorized(const std::string& type, const std::string& bearer, httplib::Response& res);
  bool jwt_valid(const std::string& token) const;
  void submit(const httplib::Request& req, httplib::Response& res);
  void status(const httplib::Request& req, httplib::Response& res);
  void cancel(const httplib::Request& req, httplib::Response& res);
  Json query_status(const Statement& st) const;
  Json result_set(const Statement& st) const;
  std::string next_handle();
  std::int64_t now_ms() const;

  // snowflake_test_server_sql.hpp: translation, execution and jsonv2 encoding.
  std::string translate(const std::string& sql) const;
  void execute(Statement& st);
  void finish(Statement& st, const SqlResult& r, const std::vector<std::string>& types);
  SqlResult run_explain(const std::string& inner, const Binds& binds);
  SqlResult run_show_keys(const std::smatch& m);
  void rebuild_information_schema();
  void rebuild_schema(const std::string& schema);
  bool has_table(const std::string& schema, const std::string& table);
  std::vector<std::string> result_types(const std::string& sql, const SqlResult& r);
  std::string column_type(const std::string& schema, const std::string& table,
                          const std::string& column);
  std::optional<std::string> encode(const std::optional<std::string>& v, const std::string& type);
  std::optional<std::int64_t> to_epoch(const std::string& text);
  SfError map_error(const std::string& sqlite_message) const;

  const std::string database_;
  const std::vector<std::string> schemas_;
  const Clock* clock_;
  mutable std::mutex mu_;
  SqlEngine engine_;
  std::string public_key_;
  std::string fingerprint_;
  httplib::SSLServer server_;
  int port_ = 0;
  std::thread thread_;
  std::vector<SnowflakeRequest> log_;
  std::set<std::string> seen_jwts_;
  std::set<std::string> revoked_;
  std::set<std::string> oauth_tokens_;
  std::set<std::string> accepted_bearers_;
  std::set<std::string> stalled_tables_;
  std::map<std::string, std::int64_t> last_altered_;
  std::map<std::string, Statement> statements_;
  int fail_status_ = 0;
  int fail_count_ = 0;
  std::size_t partition_rows_ = 1000;
  std::int64_t explain_bytes_ = 1024;
  int serial_ = 0;
};

}  // namespace freshguard::testing

#include "support/snowflake_test_server_impl.hpp"
#include "support/snowflake_test_server_sql.hpp"
