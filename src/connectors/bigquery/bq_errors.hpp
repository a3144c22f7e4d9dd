#pragma once
// BigQuery HTTP statuses and error bodies -> FreshGuard's stable error codes.
//
// API error body: {"error": {"code": 404, "message": "...", "status": "NOT_FOUND",
// "errors": [{"reason": "notFound", "message": "..."}]}}. Token endpoint error body (OAuth
// 2.0): {"error": "invalid_grant", "error_description": "..."}.

#include <string>
#include <string_view>

namespace freshguard::bigquery {

/// The parts of an API error body; empty strings when absent or not JSON.
struct ApiError {
  std::string reason;   ///< errors[0].reason, e.g. "notFound", "rateLimitExceeded"
  std::string status;   ///< e.g. "NOT_FOUND"
  std::string message;  ///< error.message, truncated to a safe length
};
ApiError parse_api_error(std::string_view body);

/// Throws the error for a non-2xx API response of the call named `what`: 401/403 ->
/// ConnectionError (not transient; 403 rateLimitExceeded -> transient QueryError); 404 ->
/// QueryError; 408/429/5xx -> transient QueryError; bytesBilledLimitExceeded -> QueryError
/// "cost guard: ..."; anything else -> QueryError.
[[noreturn]] void throw_api_error(long status, std::string_view body, std::string_view what);

/// Throws the error for a failed token exchange: 400/401/403 -> ConnectionError (the key
/// was rejected: not transient); 429/5xx -> transient ConnectionError.
[[noreturn]] void throw_token_error(long status, std::string_view body);

}  // namespace freshguard::bigquery
