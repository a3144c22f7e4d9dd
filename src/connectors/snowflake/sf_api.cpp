#include "connectors/snowflake/sf_api.hpp"

#include <algorithm>
#include <random>

#include <freshguard/core/error.hpp>

#include "connectors/common/text.hpp"
#include "connectors/snowflake/sf_errors.hpp"

namespace freshguard::snowflake {
namespace {

using nlohmann::json;
using std::chrono::duration_cast;
using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr const char* kStatements = "/api/v2/statements";
// The first status poll goes out at once (most monitoring statements finish in well under a
// second), then they back off from 25 ms to at most half a second apart.
constexpr milliseconds kFirstPause{25};
constexpr milliseconds kMaxPoll{500};
// The cancel request is sent after the deadline has passed: it gets its own short budget.
constexpr milliseconds kCancelBudget{2000};

milliseconds remaining_ms(const resilience::Deadline& deadline) {
  return duration_cast<milliseconds>(deadline.remaining());
}

// A random (version 4) UUID: the requestId that makes a resubmission idempotent.
std::string make_request_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  const std::uint64_t a = rng();
  const std::uint64_t b = rng();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0x0fff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

void append_rows(const json& body, Result& out) {
  const auto it = body.find("data");
  if (it == body.end() || !it->is_array()) return;
  for (const auto& row : *it) {
    std::vector<std::optional<std::string>> values;
    if (row.is_array()) {
      for (const auto& v : row) {
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

std::string handle_of(const json& body) {
  const auto it = body.find("statementHandle");
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty()) {
    throw QueryError("Snowflake statement: the response has no statementHandle", true);
  }
  return it->get<std::string>();
}

}  // namespace

int Result::column(std::string_view name) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (connectors::iequals(columns[i].name, name)) return static_cast<int>(i);
  }
  return -1;
}

Api::Api(ApiSettings settings, const net::HttpClient& http, Auth& auth, const Clock& clock,
         resilience::Sleeper& sleeper)
    : settings_(std::move(settings)), http_(http), auth_(auth), clock_(clock), sleeper_(sleeper) {}

Api::Reply Api::call(const std::string& method, const std::string& path, const json* body,
                     const resilience::Deadline& deadline, const std::string& what) {
  const auto send = [&](const Bearer& bearer) {
    net::HttpRequest req;
    req.method = method;
    req.url = settings_.base_url + path;
    req.headers = {"Authorization: Bearer " + bearer.token,
                   "X-Snowflake-Authorization-Token-Type: " + bearer.type,
                   "Accept: application/json", "User-Agent: freshguard"};
    if (body != nullptr) {
      req.headers.emplace_back("Content-Type: application/json");
      req.body = body->dump();
    }
    return http_.send(req, remaining_ms(deadline), what);
  };
  Bearer bearer = auth_.current();
  auto resp = send(bearer);
  if (resp.status == 401) {  // expired or rotated: one fresh token, one more try
    auth_.invalidate(bearer.token);
    bearer = auth_.current();
    resp = send(bearer);
  }
  if (resp.status != 200 && resp.status != 202) throw_api_error(resp.status, resp.body, what);
  json doc = json::parse(resp.body, nullptr, false);
  if (!doc.is_object()) throw QueryError(what + ": the response is not a JSON object", true);
  return {resp.status, std::move(doc)};
}

json Api::request_body(const std::string& statement, const std::vector<Binding>& bindings,
                       const resilience::Deadline& deadline) const {
  // The server-side timeout, in whole seconds, rounded up: a backstop for a statement whose
  // cancel request never arrives.
  const auto left = std::max<std::int64_t>(remaining_ms(deadline).count(), 1);
  json body = {{"statement", statement},
               {"timeout", (left + 999) / 1000},
               {"database", settings_.database},
               {"schema", settings_.schema},
               {"parameters", {{"MULTI_STATEMENT_COUNT", "1"}, {"QUERY_TAG", "freshguard"}}}};
  if (!settings_.warehouse.empty()) body["warehouse"] = settings_.warehouse;
  if (!settings_.role.empty()) body["role"] = settings_.role;
  if (!bindings.empty()) {
    json binds = json::object();
    for (std::size_t i = 0; i < bindings.size(); ++i) {
      binds[std::to_string(i + 1)] = {{"type", bindings[i].type}, {"value", bindings[i].value}};
    }
    body["bindings"] = std::move(binds);
  }
  return body;
}

void Api::cancel(const std::string& handle) noexcept {
  try {
    (void)call("POST", std::string(kStatements) + "/" + net::url_encode(handle) + "/cancel",
               nullptr, resilience::Deadline::after(clock_, kCancelBudget),
               "Snowflake statement cancel");
  } catch (...) {  // best effort: the statement timeout stops it anyway
  }
}

// Polls the statement's status until it is done; returns its first result page.
json Api::wait(const std::string& handle, const resilience::Deadline& deadline) {
  milliseconds pause{0};
  const std::string path = std::string(kStatements) + "/" + net::url_encode(handle);
  while (true) {
    sleeper_.sleep_for(duration_cast<microseconds>(std::min(pause, remaining_ms(deadline))));
    if (deadline.expired()) throw TimeoutError("Snowflake statement still running at the deadline");
    Reply r = call("GET", path, nullptr, deadline, "Snowflake statement status");
    if (r.status == 200) return std::move(r.body);
    pause = std::clamp(pause * 2, kFirstPause, kMaxPoll);
  }
}

Result Api::execute(const std::string& statement, const std::vector<Binding>& bindings,
                    const resilience::Deadline& deadline) {
  const json body = request_body(statement, bindings, deadline);
  Reply first =
      call("POST", std::string(kStatements) + "?async=true&requestId=" + make_request_id(), &body,
           deadline, "Snowflake statement");
  json done;
  if (first.status == 200) {
    done = std::move(first.body);
  } else {
    const std::string handle = handle_of(first.body);
    try {
      done = wait(handle, deadline);
    } catch (const TimeoutError&) {
      cancel(handle);
      throw;
    }
  }
  Result out;
  const json meta = done.value("resultSetMetaData", json::object());
  for (const auto& c : meta.value("rowType", json::array())) {
    out.columns.push_back({c.value("name", std::string()), c.value("type", std::string())});
  }
  append_rows(done, out);
  const std::size_t partitions = meta.value("partitionInfo", json::array()).size();
  for (std::size_t p = 1; p < partitions; ++p) {
    const Reply part = call("GET",
                            std::string(kStatements) + "/" + net::url_encode(handle_of(done)) +
                                "?partition=" + std::to_string(p),
                            nullptr, deadline, "Snowflake result partition");
    append_rows(part.body, out);
  }
  return out;
}

}  // namespace freshguard::snowflake
