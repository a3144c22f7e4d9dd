#pragma once
// Snowflake SQL API HTTP statuses and error bodies -> FreshGuard's stable error codes.
//
// Error body (QueryFailureStatus, and the auth errors): {"code": "002003", "sqlState":
// "42S02", "message": "SQL compilation error:\n...", "statementHandle": "..."}. Gateways may
// answer 429/503 with a plain-text body.

#include <string>
#include <string_view>

namespace freshguard::snowflake {

/// The parts of an error body; empty strings when absent or not JSON.
struct ApiError {
  std::string code;       ///< Snowflake's error code, e.g. "002003"
  std::string sql_state;  ///< e.g. "42S02"
  std::string message;    ///< one line, truncated to a safe length
};
ApiError parse_api_error(std::string_view body);

/// Snowflake's code for a statement cancelled by a cancel request.
inline constexpr std::string_view kCancelledCode = "000604";

/// Throws the error for a non-2xx response of the call named `what`: 401/403 ->
/// ConnectionError, not transient ("rejected the credentials"); 408 -> TimeoutError;
/// 429 and 5xx -> transient QueryError; 422 and anything else -> QueryError with the
/// message and SQLSTATE.
[[noreturn]] void throw_api_error(long status, std::string_view body, std::string_view what);

}  // namespace freshguard::snowflake
