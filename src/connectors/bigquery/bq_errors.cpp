#include "connectors/bigquery/bq_errors.hpp"

#include <nlohmann/json.hpp>

#include <freshguard/core/error.hpp>

namespace freshguard::bigquery {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxMessage = 300;

std::string truncate(std::string text) {
  if (text.size() > kMaxMessage) text = text.substr(0, kMaxMessage) + "...";
  return text;
}

bool is_transient_status(long status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

}  // namespace

ApiError parse_api_error(std::string_view body) {
  ApiError out;
  const json doc = json::parse(body, nullptr, false);
  if (!doc.is_object() || !doc.contains("error") || !doc["error"].is_object()) return out;
  const json& e = doc["error"];
  out.status = e.value("status", std::string());
  out.message = truncate(e.value("message", std::string()));
  if (e.contains("errors") && e["errors"].is_array() && !e["errors"].empty() &&
      e["errors"][0].is_object()) {
    out.reason = e["errors"][0].value("reason", std::string());
  }
  return out;
}

void throw_api_error(long status, std::string_view body, std::string_view what) {
  const ApiError e = parse_api_error(body);
  const std::string head = std::string(what) + ": HTTP " + std::to_string(status) +
                           (e.status.empty() ? "" : " " + e.status);
  const std::string text = head + (e.message.empty() ? "" : ": " + e.message);
  if (e.reason == "bytesBilledLimitExceeded") {
    throw QueryError("cost guard: BigQuery stopped the job at maximum_bytes_billed (" +
                     std::string(what) + ")");
  }
  if (e.reason == "rateLimitExceeded" || is_transient_status(status)) {
    throw QueryError(text, true, std::string(body));
  }
  if (status == 401) {
    throw ConnectionError(std::string(what) + ": BigQuery rejected the credentials (HTTP 401)",
                          false);
  }
  if (status == 403) throw ConnectionError(text, false);
  throw QueryError(text, false, std::string(body));
}

void throw_token_error(long status, std::string_view body) {
  const json doc = json::parse(body, nullptr, false);
  std::string code;
  if (doc.is_object() && doc.contains("error") && doc["error"].is_string()) {
    code = doc["error"].get<std::string>();
  }
  const std::string text = "BigQuery token exchange: HTTP " + std::to_string(status) +
                           (code.empty() ? "" : " " + truncate(code));
  if (is_transient_status(status)) throw ConnectionError(text, true);
  throw ConnectionError(text + ": the service-account key was rejected", false);
}

}  // namespace freshguard::bigquery
