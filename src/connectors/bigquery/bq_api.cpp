#include "connectors/bigquery/bq_api.hpp"

#include <algorithm>
#include <cstdio>

#include <freshguard/core/error.hpp>

#include "connectors/bigquery/bq_errors.hpp"

namespace freshguard::bigquery {
namespace {

using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

// A long poll returns this long before the deadline, so the reply arrives in time.
constexpr milliseconds kPollMargin{50};
// The longest single long poll (BigQuery's own default wait).
constexpr milliseconds kMaxPoll{10000};
// jobs.cancel is sent after the deadline has passed: it gets its own short budget.
constexpr milliseconds kCancelBudget{2000};

milliseconds remaining_ms(const resilience::Deadline& deadline) {
  return duration_cast<milliseconds>(deadline.remaining());
}

milliseconds poll_wait(const resilience::Deadline& deadline) {
  return std::clamp(remaining_ms(deadline) - kPollMargin, milliseconds(0), kMaxPoll);
}

std::int64_t parse_int64(const json& v, const char* what) {
  try {
    if (v.is_number_integer()) return v.get<std::int64_t>();
    if (v.is_string()) return std::stoll(v.get<std::string>());
  } catch (const std::exception&) {
  }
  throw MonitoringError(std::string("BigQuery returned an unreadable ") + what);
}

void append_rows(const json& resp, JobResult& out) {
  if (!resp.contains("rows") || !resp["rows"].is_array()) return;
  for (const auto& row : resp["rows"]) {
    std::vector<std::optional<std::string>> values;
    if (row.contains("f") && row["f"].is_array()) {
      for (const auto& cell : row["f"]) {
        const json& v = cell.is_object() && cell.contains("v") ? cell["v"] : json();
        if (v.is_null()) {
          values.emplace_back(std::nullopt);
        } else {
          values.emplace_back(v.is_string() ? v.get<std::string>() : v.dump());
        }
      }
    }
    out.rows.push_back(std::move(values));
  }
}

void read_fields(const json& resp, JobResult& out) {
  if (!resp.contains("schema") || !resp["schema"].contains("fields")) return;
  for (const auto& f : resp["schema"]["fields"]) {
    out.fields.push_back({f.value("name", std::string()), f.value("type", std::string())});
  }
}

}  // namespace

std::string format_bytes(std::int64_t bytes) {
  static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  auto value = static_cast<double>(bytes);
  std::size_t unit = 0;
  while (value >= 1000.0 && unit + 1 < std::size(kUnits)) {
    value /= 1000.0;
    ++unit;
  }
  char buf[32];
  if (unit == 0) {
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f %s", value, kUnits[unit]);
  }
  return buf;
}

Api::Api(ApiSettings settings, const net::HttpClient& http, TokenSource& tokens, const Clock& clock)
    : settings_(std::move(settings)), http_(http), tokens_(tokens), clock_(clock) {}

json Api::call(const std::string& method, const std::string& path, const json* body,
               const resilience::Deadline& deadline, const std::string& what) {
  const auto send = [&](const std::string& token) {
    net::HttpRequest req;
    req.method = method;
    req.url = settings_.base_url + path;
    req.headers = {"Authorization: Bearer " + token, "Accept: application/json"};
    if (body != nullptr) {
      req.headers.emplace_back("Content-Type: application/json");
      req.body = body->dump();
    }
    return http_.send(req, remaining_ms(deadline), what);
  };
  std::string token = tokens_.token(deadline);
  auto resp = send(token);
  if (resp.status == 401) {  // expired or revoked: one fresh token, one more try
    tokens_.invalidate(token);
    token = tokens_.token(deadline);
    resp = send(token);
  }
  if (resp.status < 200 || resp.status > 299) throw_api_error(resp.status, resp.body, what);
  json doc = json::parse(resp.body, nullptr, false);
  if (!doc.is_object()) throw QueryError(what + ": the response is not a JSON object", true);
  return doc;
}

json Api::request_body(const std::string& sql, const std::vector<Param>& params) const {
  json body = {{"query", sql},
               {"useLegacySql", false},
               {"maxResults", settings_.page_size},
               {"maximumBytesBilled", std::to_string(settings_.maximum_bytes_billed)},
               {"formatOptions", {{"useInt64Timestamp", true}}}};
  if (!settings_.location.empty()) body["location"] = settings_.location;
  if (!params.empty()) {
    body["parameterMode"] = "NAMED";
    json list = json::array();
    for (const auto& p : params) {
      list.push_back({{"name", p.name},
                      {"parameterType", {{"type", p.type}}},
                      {"parameterValue", {{"value", p.value}}}});
    }
    body["queryParameters"] = std::move(list);
  }
  return body;
}

void Api::dry_run(const std::string& sql, const std::vector<Param>& params,
                  const resilience::Deadline& deadline) {
  json body = request_body(sql, params);
  body["dryRun"] = true;
  const json resp =
      call("POST", "/bigquery/v2/projects/" + net::url_encode(settings_.project) + "/queries",
           &body, deadline, "BigQuery dry run");
  const std::int64_t bytes =
      parse_int64(resp.value("totalBytesProcessed", json("0")), "dry-run byte count");
  if (bytes > settings_.maximum_bytes_billed) {
    throw QueryError("cost guard: the query would process " + format_bytes(bytes) +
                     ", more than maximum_bytes_billed (" +
                     format_bytes(settings_.maximum_bytes_billed) + "); no job was submitted");
  }
}

std::string Api::results_path(const std::string& job_id, const std::string& page_token,
                              milliseconds wait) const {
  std::string path = "/bigquery/v2/projects/" + net::url_encode(settings_.project) + "/queries/" +
                     net::url_encode(job_id) + "?formatOptions.useInt64Timestamp=true&maxResults=" +
                     std::to_string(settings_.page_size) +
                     "&timeoutMs=" + std::to_string(wait.count());
  if (!settings_.location.empty()) path += "&location=" + net::url_encode(settings_.location);
  if (!page_token.empty()) path += "&pageToken=" + net::url_encode(page_token);
  return path;
}

json Api::get_results(const std::string& job_id, const std::string& page_token,
                      const resilience::Deadline& deadline) {
  return call("GET", results_path(job_id, page_token, poll_wait(deadline)), nullptr, deadline,
              "BigQuery getQueryResults");
}

void Api::cancel(const std::string& job_id) noexcept {
  try {
    std::string path = "/bigquery/v2/projects/" + net::url_encode(settings_.project) + "/jobs/" +
                       net::url_encode(job_id) + "/cancel";
    if (!settings_.location.empty()) path += "?location=" + net::url_encode(settings_.location);
    const json empty = json::object();
    (void)call("POST", path, &empty, resilience::Deadline::after(clock_, kCancelBudget),
               "BigQuery jobs.cancel");
  } catch (...) {  // best effort: the job timeout stops it anyway
  }
}

JobResult Api::query(const std::string& sql, const std::vector<Param>& params,
                     const resilience::Deadline& deadline) {
  dry_run(sql, params, deadline);
  json body = request_body(sql, params);
  // Wait for the job in jobs.query only half the time left: its reply carries the job id,
  // and a reply that arrived after the deadline would leave the job running, uncancelled.
  body["timeoutMs"] =
      std::clamp(remaining_ms(deadline) / 2 - kPollMargin, milliseconds(0), kMaxPoll).count();
  body["jobTimeoutMs"] = std::to_string(std::max<std::int64_t>(remaining_ms(deadline).count(), 1));
  json resp =
      call("POST", "/bigquery/v2/projects/" + net::url_encode(settings_.project) + "/queries",
           &body, deadline, "BigQuery jobs.query");
  const std::string job_id = resp.contains("jobReference")
                                 ? resp["jobReference"].value("jobId", std::string())
                                 : std::string();
  JobResult out;
  try {
    while (!resp.value("jobComplete", false)) {
      if (job_id.empty()) throw QueryError("BigQuery jobs.query: no job reference", true);
      if (deadline.expired()) throw TimeoutError("BigQuery job still running at the deadline");
      resp = get_results(job_id, "", deadline);
    }
    read_fields(resp, out);
    append_rows(resp, out);
    while (!resp.value("pageToken", std::string()).empty()) {
      resp = get_results(job_id, resp["pageToken"].get<std::string>(), deadline);
      append_rows(resp, out);
    }
  } catch (const TimeoutError&) {
    if (!job_id.empty()) cancel(job_id);
    throw;
  }
  return out;
}

}  // namespace freshguard::bigquery
