#include "connectors/snowflake/sf_errors.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include <freshguard/core/error.hpp>

namespace freshguard::snowflake {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxMessage = 300;

std::string one_line(std::string text) {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::replace(text.begin(), text.end(), '\r', ' ');
  if (text.size() > kMaxMessage) text = text.substr(0, kMaxMessage) + "...";
  return text;
}

std::string string_field(const json& doc, const char* field) {
  const auto it = doc.find(field);
  return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

ApiError parse_api_error(std::string_view body) {
  ApiError out;
  const json doc = json::parse(body, nullptr, false);
  if (!doc.is_object()) return out;
  out.code = one_line(string_field(doc, "code"));
  out.sql_state = one_line(string_field(doc, "sqlState"));
  out.message = one_line(string_field(doc, "message"));
  return out;
}

void throw_api_error(long status, std::string_view body, std::string_view what) {
  const ApiError e = parse_api_error(body);
  const std::string code = e.code.empty() ? "" : " (code " + e.code + ")";
  const std::string head = std::string(what) + ": HTTP " + std::to_string(status) + code;
  if (status == 401 || status == 403) {
    throw ConnectionError(std::string(what) + ": Snowflake rejected the credentials (HTTP " +
                              std::to_string(status) + code + ")",
                          false, e.message);
  }
  if (status == 408) {
    throw TimeoutError(std::string(what) + ": the statement reached its timeout" + code);
  }
  const bool transient = status == 429 || (status >= 500 && status <= 599);
  if (transient || e.message.empty()) throw QueryError(head, transient, std::string(body));
  const std::string state = e.sql_state.empty() ? "" : " [SQLSTATE " + e.sql_state + "]";
  throw QueryError(head + ": " + e.message + state, false, std::string(body));
}

}  // namespace freshguard::snowflake
