#pragma once
// Job, table and cancel handlers of BigqueryTestServer (bigquery_test_server.hpp).

namespace freshguard::testing {

inline void BigqueryTestServer::query(const httplib::Request& req, httplib::Response& res) {
  const Json body = Json::parse(req.body, nullptr, false);
  const bool dry = body.is_object() && body.value("dryRun", false);
  if (!admit(req, res, dry)) return;
  if (!body.is_object() || !body.contains("query") || body.value("useLegacySql", true)) {
    return reply(res, 400, error_body(400, "INVALID_ARGUMENT", "invalid", "Invalid query request"));
  }
  std::unique_lock lock(mu_);
  std::string missing_project;
  const std::string sql = translate(body["query"], missing_project);
  if (!missing_project.empty()) {
    return reply(res, 404,
                 error_body(404, "NOT_FOUND", "notFound", "Not found: Project " + missing_project));
  }
  std::vector<std::pair<std::string, std::string>> binds;
  for (const auto& p : body.value("queryParameters", Json::array())) {
    binds.emplace_back(p["name"], p["parameterValue"]["value"]);
  }
  bool stalled = false;
  for (const auto& t : stalled_tables_) {
    if (sql.find("\"" + t + "\"") != std::string::npos) stalled = true;
  }
  SqlResult result;
  try {
    result = stalled ? SqlResult{} : engine_.query(sql, binds);
  } catch (const std::exception& e) {
    const std::string msg = e.what();
    if (msg.rfind("no such table", 0) == 0) {
      return reply(res, 404,
                   error_body(404, "NOT_FOUND", "notFound",
                              "Not found: Table " + std::string(kProject) + ":" + msg.substr(15) +
                                  " was not found in location US"));
    }
    return reply(res, 400, error_body(400, "INVALID_ARGUMENT", "invalidQuery", msg));
  }
  if (dry) {
    return reply(res, 200,
                 {{"kind", "bigquery#queryResponse"},
                  {"jobReference", {{"projectId", kProject}, {"location", "US"}}},
                  {"totalBytesProcessed", std::to_string(dry_run_bytes_)},
                  {"jobComplete", true},
                  {"cacheHit", false}});
  }
  const auto budget = std::stoll(body.value("maximumBytesBilled", std::string("0")));
  if (budget > 0 && dry_run_bytes_ > budget) {
    return reply(res, 400,
                 error_body(400, "INVALID_ARGUMENT", "bytesBilledLimitExceeded",
                            "Query exceeded limit for bytes billed"));
  }
  const std::string id = "job_" + std::to_string(++job_serial_);
  Job& job = jobs_[id];
  job.stalled = stalled;
  job.fields = result_fields(sql, result);
  job.rows = std::move(result.rows);
  job.int64_timestamps =
      body.value("formatOptions", Json::object()).value("useInt64Timestamp", false);
  const auto max_rows = static_cast<std::size_t>(body.value("maxResults", 100000));
  if (!wait_for_job(job, lock, body.value("timeoutMs", 10000L))) {
    return reply(res, 200,
                 {{"kind", "bigquery#queryResponse"},
                  {"jobReference", {{"projectId", kProject}, {"jobId", id}, {"location", "US"}}},
                  {"jobComplete", false}});
  }
  Json out = page(id, job, 0, max_rows);
  out["kind"] = "bigquery#queryResponse";
  reply(res, 200, out);
}

inline void BigqueryTestServer::results(const httplib::Request& req, httplib::Response& res) {
  if (!admit(req, res, false)) return;
  std::unique_lock lock(mu_);
  const auto it = jobs_.find(req.matches[2]);
  if (it == jobs_.end()) {
    return reply(res, 404, error_body(404, "NOT_FOUND", "notFound", "Not found: Job"));
  }
  Job& job = it->second;
  const long wait =
      req.has_param("timeoutMs") ? std::stol(req.get_param_value("timeoutMs")) : 10000;
  if (job.cancelled) {
    return reply(res, 400,
                 error_body(400, "INVALID_ARGUMENT", "stopped",
                            "Job execution was cancelled: User requested cancellation"));
  }
  if (!wait_for_job(job, lock, wait)) {
    return reply(
        res, 200,
        {{"kind", "bigquery#getQueryResultsResponse"},
         {"jobReference", {{"projectId", kProject}, {"jobId", it->first}, {"location", "US"}}},
         {"jobComplete", false}});
  }
  const std::string token = req.get_param_value("pageToken");
  const std::size_t offset = token.empty() ? 0 : std::stoul(token.substr(1));
  const auto max_rows = req.has_param("maxResults") ? std::stoul(req.get_param_value("maxResults"))
                                                    : std::size_t{100000};
  reply(res, 200, page(it->first, job, offset, max_rows));
}

inline void BigqueryTestServer::cancel(const httplib::Request& req, httplib::Response& res) {
  if (!admit(req, res, false)) return;
  std::lock_guard lock(mu_);
  const auto it = jobs_.find(req.matches[2]);
  if (it == jobs_.end()) {
    return reply(res, 404, error_body(404, "NOT_FOUND", "notFound", "Not found: Job"));
  }
  it->second.cancelled = true;
  cv_.notify_all();
  reply(res, 200,
        {{"kind", "bigquery#jobCancelResponse"},
         {"job",
          {{"jobReference", {{"projectId", kProject}, {"jobId", it->first}}},
           {"status", {{"state", "DONE"}}}}}});
}

inline void BigqueryTestServer::list_tables(const std::string& dataset, const httplib::Request& req,
                                            httplib::Response& res) {
  std::lock_guard lock(mu_);
  if (datasets_.count(dataset) == 0) {
    return reply(res, 404, error_body(404, "NOT_FOUND", "notFound", "Not found: Dataset"));
  }
  const auto names = engine_.query("SELECT name, type FROM \"" + dataset +
                                   "\".sqlite_master WHERE type IN ('table','view') ORDER BY name");
  const std::string token = req.get_param_value("pageToken");
  const std::size_t offset = token.empty() ? 0 : std::stoul(token.substr(1));
  std::size_t per_page = req.has_param("maxResults") ? std::stoul(req.get_param_value("maxResults"))
                                                     : std::size_t{1000};
  if (max_page_rows_ > 0) per_page = std::min(per_page, static_cast<std::size_t>(max_page_rows_));
  Json tables = Json::array();
  const std::size_t end = std::min(names.rows.size(), offset + per_page);
  for (std::size_t i = offset; i < end; ++i) {
    tables.push_back(
        {{"kind", "bigquery#table"},
         {"tableReference",
          {{"projectId", kProject}, {"datasetId", dataset}, {"tableId", *names.rows[i][0]}}},
         {"type", *names.rows[i][1] == "view" ? "VIEW" : "TABLE"}});
  }
  Json out = {{"kind", "bigquery#tableList"},
              {"tables", tables},
              {"totalItems", static_cast<int>(names.rows.size())}};
  if (end < names.rows.size()) out["nextPageToken"] = "p" + std::to_string(end);
  reply(res, 200, out);
}

inline void BigqueryTestServer::get_table(const std::string& dataset, const std::string& table,
                                          httplib::Response& res) {
  std::lock_guard lock(mu_);
  const auto kind =
      datasets_.count(dataset) == 0
          ? SqlResult{}
          : engine_.query("SELECT type FROM \"" + dataset + "\".sqlite_master WHERE name = @t",
                          {{"t", table}});
  if (kind.rows.empty()) {
    return reply(
        res, 404,
        error_body(404, "NOT_FOUND", "notFound",
                   "Not found: Table " + std::string(kProject) + ":" + dataset + "." + table));
  }
  const bool view = *kind.rows[0][0] == "view";
  const auto info = engine_.query("PRAGMA \"" + dataset + "\".table_info(\"" + table + "\")");
  Json fields = Json::array();
  Json key = Json::array();
  for (const auto& row : info.rows) {
    fields.push_back({{"name", *row[1]},
                      {"type", bq_type(row[2].value_or(""))},
                      {"mode", *row[3] == "1" ? "REQUIRED" : "NULLABLE"}});
    if (*row[5] != "0") key.push_back(*row[1]);
  }
  Json out = {
      {"kind", "bigquery#table"},
      {"tableReference", {{"projectId", kProject}, {"datasetId", dataset}, {"tableId", table}}},
      {"type", view ? "VIEW" : "TABLE"},
      {"schema", {{"fields", fields}}},
      {"creationTime", "1795000000000"},
      {"lastModifiedTime",
       std::to_string(last_modified_.count(table) ? last_modified_[table] : 1795000000000)}};
  if (!key.empty()) out["tableConstraints"] = {{"primaryKey", {{"columns", key}}}};
  if (!view) {
    const auto n = engine_.query("SELECT COUNT(*) FROM \"" + dataset + "\".\"" + table + "\"");
    out["numRows"] = *n.rows[0][0];
  }
  reply(res, 200, out);
}

}  // namespace freshguard::testing
