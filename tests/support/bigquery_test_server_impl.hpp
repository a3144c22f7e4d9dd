#pragma once
// Member definitions of BigqueryTestServer (bigquery_test_server.hpp).

#include <algorithm>
#include <cctype>

namespace freshguard::testing {

inline void BigqueryTestServer::routes() {
  const std::string p = "/bigquery/v2/projects/([^/]+)";
  server_.Post("/token", [this](const auto& req, auto& res) { token(req, res); });
  server_.Post(p + "/queries", [this](const auto& req, auto& res) { query(req, res); });
  server_.Get(p + "/queries/([^/]+)", [this](const auto& req, auto& res) { results(req, res); });
  server_.Post(p + "/jobs/([^/]+)/cancel",
               [this](const auto& req, auto& res) { cancel(req, res); });
  server_.Get(p + "/datasets/([^/]+)", [this](const httplib::Request& req, auto& res) {
    if (!admit(req, res, false)) return;
    if (datasets_.count(req.matches[2]) == 0) {
      return reply(res, 404, error_body(404, "NOT_FOUND", "notFound", "Not found: Dataset"));
    }
    reply(res, 200, {{"kind", "bigquery#dataset"}, {"id", std::string(req.matches[2])}});
  });
  server_.Get(p + "/datasets/([^/]+)/tables", [this](const httplib::Request& req, auto& res) {
    if (admit(req, res, false)) list_tables(req.matches[2], req, res);
  });
  server_.Get(p + "/datasets/([^/]+)/tables/([^/]+)",
              [this](const httplib::Request& req, auto& res) {
                if (admit(req, res, false)) get_table(req.matches[2], req.matches[3], res);
              });
}

// Logs the request, then checks injected failures and the bearer token.
inline bool BigqueryTestServer::admit(const httplib::Request& req, httplib::Response& res,
                                      bool dry_run) {
  std::lock_guard lock(mu_);
  log_.push_back({req.method, req.path, req.body, dry_run});
  if (fail_count_ > 0) {
    --fail_count_;
    const bool quota = fail_status_ == 429;
    reply(res, fail_status_,
          error_body(fail_status_, quota ? "RESOURCE_EXHAUSTED" : "UNAVAILABLE",
                     quota ? "rateLimitExceeded" : "backendError",
                     quota ? "Exceeded rate limits: too many API requests" : "Backend error"));
    return false;
  }
  const std::string auth = req.get_header_value("Authorization");
  if (auth.rfind("Bearer ", 0) != 0 || tokens_.count(auth.substr(7)) == 0) {
    reply(res, 401,
          error_body(401, "UNAUTHENTICATED", "authError",
                     "Request had invalid authentication credentials."));
    return false;
  }
  return true;
}

inline void BigqueryTestServer::token(const httplib::Request& req, httplib::Response& res) {
  std::lock_guard lock(mu_);
  log_.push_back({req.method, req.path, req.body, false});
  const auto invalid = [&res](const std::string& why) {
    reply(res, 400, {{"error", "invalid_grant"}, {"error_description", why}});
  };
  if (req.get_param_value("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer") {
    return reply(res, 400, {{"error", "unsupported_grant_type"}});
  }
  const std::string claims_text =
      net::verify_jwt_rs256(req.get_param_value("assertion"), public_key_);
  if (claims_text.empty()) return invalid("Invalid JWT Signature.");
  const Json claims = Json::parse(claims_text, nullptr, false);
  if (!claims.is_object() || claims.value("aud", "") != token_uri() ||
      claims.value("scope", "").find("bigquery") == std::string::npos ||
      claims.value("iss", "").empty() ||
      claims.value("exp", std::int64_t{0}) - claims.value("iat", std::int64_t{0}) > 3600) {
    return invalid("Invalid JWT claims.");
  }
  const std::string tok = "ya29.test-" + std::to_string(++token_serial_);
  tokens_.insert(tok);
  reply(res, 200,
        {{"access_token", tok}, {"expires_in", token_lifetime_}, {"token_type", "Bearer"}});
}

// `p.d.t` and `p`.`d`.`t` -> "d"."t", `x` -> "x"; `missing` gets the first name of an
// unknown project.
inline std::string BigqueryTestServer::translate(const std::string& sql,
                                                 std::string& missing) const {
  std::string out;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    if (sql[i] != '`') {
      out.push_back(sql[i]);
      continue;
    }
    // One quoted path (`p.d.t`) or quoted parts joined by dots (`p`.`d`.`t`).
    auto end = sql.find('`', i + 1);
    std::string name = sql.substr(i + 1, end - i - 1);
    while (end + 2 < sql.size() && sql[end + 1] == '.' && sql[end + 2] == '`') {
      const auto next = sql.find('`', end + 3);
      name += "." + sql.substr(end + 3, next - end - 3);
      end = next;
    }
    i = end;
    std::vector<std::string> parts;
    for (std::size_t s = 0, dot = 0; dot != std::string::npos; s = dot + 1) {
      dot = name.find('.', s);
      parts.push_back(name.substr(s, dot == std::string::npos ? dot : dot - s));
    }
    if (parts.size() == 3) {
      if (parts[0] != kProject) missing = parts[0];
      parts.erase(parts.begin());
    }
    for (std::size_t k = 0; k < parts.size(); ++k)
      out += (k ? ".\"" : "\"") + parts[k] + "\"";
  }
  return out;
}

inline std::string bq_type(std::string decl) {
  std::transform(decl.begin(), decl.end(), decl.begin(), ::toupper);
  if (decl.rfind("INT", 0) == 0) return "INTEGER";
  if (decl == "TIMESTAMP" || decl == "DATETIME" || decl == "DATE") return decl;
  if (decl == "REAL" || decl.rfind("FLOAT", 0) == 0) return "FLOAT";
  if (decl.rfind("BOOL", 0) == 0) return "BOOLEAN";
  return "STRING";
}

inline std::string BigqueryTestServer::column_type(const std::string& dataset,
                                                   const std::string& table,
                                                   const std::string& column) {
  const auto info = engine_.query("PRAGMA \"" + dataset + "\".table_info(\"" + table + "\")");
  for (const auto& row : info.rows) {
    if (row[1] && *row[1] == column) return bq_type(row[2].value_or(""));
  }
  return "STRING";
}

// Result types: declared types, MAX/MIN(col) typed as col, else from the values.
inline nlohmann::json BigqueryTestServer::result_fields(const std::string& sql,
                                                        const SqlResult& r) {
  static const std::regex kExtreme(R"re((?:MAX|MIN)\("(\w+)"\).*FROM "(\w+)"\."(\w+)")re",
                                   std::regex::icase);
  std::smatch m;
  const bool extreme = std::regex_search(sql, m, kExtreme);
  Json fields = Json::array();
  for (std::size_t i = 0; i < r.columns.size(); ++i) {
    std::string type = bq_type(r.columns[i].decltype_name);
    if (r.columns[i].decltype_name.empty()) {
      if (extreme) {
        type = column_type(m[2], m[3], m[1]);
      } else if (!r.sqlite_types.empty()) {
        type = r.sqlite_types[i] == SQLITE_INTEGER ? "INTEGER"
               : r.sqlite_types[i] == SQLITE_FLOAT ? "FLOAT"
                                                   : "STRING";
      }
    }
    fields.push_back({{"name", r.columns[i].name}, {"type", type}, {"mode", "NULLABLE"}});
  }
  return fields;
}

inline nlohmann::json BigqueryTestServer::page(const std::string& id, Job& job, std::size_t offset,
                                               std::size_t max_rows) const {
  if (max_page_rows_ > 0) max_rows = std::min(max_rows, static_cast<std::size_t>(max_page_rows_));
  Json rows = Json::array();
  const std::size_t end = std::min(job.rows.size(), offset + max_rows);
  for (std::size_t i = offset; i < end; ++i) {
    Json cells = Json::array();
    for (std::size_t c = 0; c < job.rows[i].size(); ++c) {
      auto v = job.rows[i][c];
      const std::string type = job.fields[c]["type"];
      if (v && type == "DATETIME") std::replace(v->begin(), v->end(), ' ', 'T');
      if (v && type == "TIMESTAMP" && !job.int64_timestamps) {
        v = std::to_string(static_cast<double>(std::stoll(*v)) / 1e6);
      }
      cells.push_back({{"v", v ? Json(*v) : Json()}});
    }
    rows.push_back({{"f", cells}});
  }
  Json out = {{"kind", "bigquery#getQueryResultsResponse"},
              {"jobReference", {{"projectId", kProject}, {"jobId", id}, {"location", "US"}}},
              {"jobComplete", true},
              {"schema", {{"fields", job.fields}}},
              {"totalRows", std::to_string(job.rows.size())},
              {"rows", rows}};
  if (end < job.rows.size()) out["pageToken"] = "p" + std::to_string(end);
  return out;
}

inline bool BigqueryTestServer::wait_for_job(Job& job, std::unique_lock<std::mutex>& lock,
                                             long ms) {
  if (!job.stalled) return true;
  cv_.wait_for(lock, std::chrono::milliseconds(std::max(ms, 0L)),
               [&] { return job.cancelled || stopping_; });
  return !job.stalled;
}

}  // namespace freshguard::testing

#include "support/bigquery_test_server_jobs.hpp"
