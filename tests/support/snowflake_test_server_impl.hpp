#pragma once
// HTTP handlers and auth of SnowflakeTestServer (snowflake_test_server.hpp).

#include <cstdio>

namespace freshguard::testing {

inline void SnowflakeTestServer::routes() {
  server_.Post("/api/v2/statements", [this](const auto& req, auto& res) { submit(req, res); });
  server_.Get("/api/v2/statements/([^/]+)",
              [this](const auto& req, auto& res) { status(req, res); });
  server_.Post("/api/v2/statements/([^/]+)/cancel",
               [this](const auto& req, auto& res) { cancel(req, res); });
}

inline std::int64_t SnowflakeTestServer::now_ms() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             clock_->wall_now().time_since_epoch())
      .count();
}

// A uuid-like statement handle, unique per server.
inline std::string SnowflakeTestServer::next_handle() {
  const int n = ++serial_;
  char buf[48];
  std::snprintf(buf, sizeof buf, "01bf5a3e-0000-4f%02x-0000-%012d", n % 256, n);
  return buf;
}

// Logs the request, then applies injected failures and checks the credentials.
inline bool SnowflakeTestServer::admit(const httplib::Request& req, httplib::Response& res,
                                       const std::string& statement, bool explain) {
  std::lock_guard lock(mu_);
  const auto q = req.target.find('?');
  const std::string auth = req.get_header_value("Authorization");
  const std::string bearer = auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : "";
  const std::string type = req.get_header_value("X-Snowflake-Authorization-Token-Type");
  log_.push_back({req.method, req.path, q == std::string::npos ? "" : req.target.substr(q + 1),
                  req.body, statement, type, bearer, explain});
  if (fail_count_ > 0) {
    --fail_count_;
    res.status = fail_status_;
    const char* text = fail_status_ == 429   ? "Too many requests"
                       : fail_status_ == 503 ? "Service Unavailable"
                                             : "Injected failure";
    res.set_content(text, "text/plain");
    return false;
  }
  return authorized(type, bearer, res);
}

inline bool SnowflakeTestServer::authorized(const std::string& type, const std::string& bearer,
                                            httplib::Response& res) {
  const std::string id = " [" + std::to_string(1000 + log_.size()) + "]";
  if (type == "OAUTH") {
    if (!bearer.empty() && oauth_tokens_.count(bearer) != 0) {
      accepted_bearers_.insert(bearer);
      return true;
    }
    reply(res, 401, {{"code", "390303"}, {"message", "Invalid OAuth access token." + id}});
    return false;
  }
  if (type == "KEYPAIR_JWT" && !bearer.empty()) {
    seen_jwts_.insert(bearer);
    if (revoked_.count(bearer) == 0 && jwt_valid(bearer)) {
      accepted_bearers_.insert(bearer);
      return true;
    }
  }
  // A missing or unknown token type is rejected like a bad JWT.
  reply(res, 401, {{"code", "390144"}, {"message", "JWT token is invalid." + id}});
  return false;
}

// Signature by key 0, iss/sub naming account, user and key fingerprint, at most an hour long,
// not expired, not issued in the future (a minute of skew allowed).
inline bool SnowflakeTestServer::jwt_valid(const std::string& token) const {
  const std::string text = net::verify_jwt_rs256(token, public_key_);
  if (text.empty()) return false;
  const Json claims = Json::parse(text, nullptr, false);
  if (!claims.is_object() || !claims.contains("iat") || !claims.contains("exp") ||
      !claims["iat"].is_number_integer() || !claims["exp"].is_number_integer()) {
    return false;
  }
  std::string qualified = std::string(kAccount) + "." + kUser;
  std::transform(qualified.begin(), qualified.end(), qualified.begin(), ::toupper);
  const auto iat = claims["iat"].get<std::int64_t>();
  const auto exp = claims["exp"].get<std::int64_t>();
  const std::int64_t now = now_ms() / 1000;
  return claims.value("iss", "") == qualified + "." + fingerprint_ &&
         claims.value("sub", "") == qualified && exp - iat <= 3600 && exp > now && iat <= now + 60;
}

inline nlohmann::json SnowflakeTestServer::query_status(const Statement& st) const {
  return {{"code", "333334"},
          {"message",
           "Asynchronous execution in progress. Use provided query id to perform query "
           "monitoring and management."},
          {"statementHandle", st.handle},
          {"statementStatusUrl", "/api/v2/statements/" + st.handle}};
}

inline nlohmann::json SnowflakeTestServer::result_set(const Statement& st) const {
  Json info = Json::array();
  for (const auto& p : st.partitions) {
    info.push_back({{"rowCount", p.size()}, {"uncompressedSize", p.dump().size()}});
  }
  return {{"resultSetMetaData",
           {{"numRows", st.num_rows},
            {"format", "jsonv2"},
            {"rowType", st.row_type},
            {"partitionInfo", info}}},
          {"data", st.partitions.front()},
          {"code", "090001"},
          {"sqlState", "00000"},
          {"statementHandle", st.handle},
          {"statementStatusUrl", "/api/v2/statements/" + st.handle},
          {"message", "Statement executed successfully."},
          {"createdOn", st.created_on_ms}};
}

inline void SnowflakeTestServer::submit(const httplib::Request& req, httplib::Response& res) {
  const Json body = Json::parse(req.body, nullptr, false);
  const bool ok = body.is_object() && body.contains("statement") && body["statement"].is_string();
  const std::string text = ok ? body["statement"].get<std::string>() : "";
  static const std::regex kExplain(R"(^\s*EXPLAIN\s+USING\s+JSON\s)", std::regex::icase);
  if (!admit(req, res, text, std::regex_search(text, kExplain))) return;
  if (!ok) {
    return reply(res, 400,
                 {{"code", "391902"}, {"message", "Request body must contain a statement."}});
  }
  std::lock_guard lock(mu_);
  const std::string handle = next_handle();
  Statement& st = statements_[handle];
  st.handle = handle;
  st.created_on_ms = now_ms();
  const Json bindings = body.value("bindings", Json::object());
  for (const auto& [name, bind] : bindings.items()) {
    if (bind.is_object() && bind.contains("value") && bind["value"].is_string()) {
      st.binds.emplace_back(name, bind["value"].get<std::string>());
    }
  }
  const std::string db = body.value("database", database_);
  if (db != database_) {
    st.failed = true;
    st.error = {{"code", "002043"},
                {"sqlState", "02000"},
                {"message",
                 "SQL compilation error:\nDatabase '" + db + "' does not exist or not authorized."},
                {"statementHandle", handle},
                {"createdOn", st.created_on_ms}};
  } else {
    st.sql = translate(text);
    execute(st);
  }
  if (req.get_param_value("async") == "true" || st.stalled)
    return reply(res, 202, query_status(st));
  if (st.failed) return reply(res, 422, st.error);
  reply(res, 200, result_set(st));
}

inline void SnowflakeTestServer::status(const httplib::Request& req, httplib::Response& res) {
  if (!admit(req, res, "", false)) return;
  std::lock_guard lock(mu_);
  const auto it = statements_.find(req.matches[1]);
  if (it == statements_.end()) {
    return reply(res, 404, {{"code", "333333"}, {"message", "Statement handle not found"}});
  }
  const Statement& st = it->second;
  if (st.cancelled) {
    return reply(res, 422,
                 {{"code", "000604"},
                  {"sqlState", "57014"},
                  {"message", "SQL execution canceled"},
                  {"statementHandle", st.handle}});
  }
  if (st.stalled) return reply(res, 202, query_status(st));
  if (st.failed) return reply(res, 422, st.error);
  const std::string p = req.get_param_value("partition");
  const bool number = !p.empty() && p.size() < 9 && p.find_first_not_of("0123456789") == p.npos;
  const std::size_t n = number ? std::stoul(p) : 0;
  if (!p.empty() && (!number || n >= st.partitions.size())) {
    return reply(res, 422,
                 {{"code", "391917"},
                  {"sqlState", "22023"},
                  {"message", "Invalid partition number: " + p},
                  {"statementHandle", st.handle}});
  }
  if (n == 0) return reply(res, 200, result_set(st));
  reply(res, 200, {{"data", st.partitions[n]}});
}

inline void SnowflakeTestServer::cancel(const httplib::Request& req, httplib::Response& res) {
  if (!admit(req, res, "", false)) return;
  std::lock_guard lock(mu_);
  const auto it = statements_.find(req.matches[1]);
  if (it == statements_.end()) {
    return reply(res, 404, {{"code", "333333"}, {"message", "Statement handle not found"}});
  }
  // Only a running statement changes state; cancelling a finished one is acknowledged.
  if (it->second.stalled) {
    it->second.stalled = false;
    it->second.cancelled = true;
  }
  reply(res, 200,
        {{"code", "000604"},
         {"sqlState", "57014"},
         {"message", "SQL execution canceled"},
         {"statementHandle", it->first},
         {"statementStatusUrl", "/api/v2/statements/" + it->first}});
}

}  // namespace freshguard::testing
