#include <utility>

#include <freshguard/core/error.hpp>

namespace freshguard {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::kSecurityViolation:
      return "SECURITY_VIOLATION";
    case ErrorCode::kConnectionFailed:
      return "CONNECTION_FAILED";
    case ErrorCode::kTimeout:
      return "TIMEOUT";
    case ErrorCode::kQueryFailed:
      return "QUERY_FAILED";
    case ErrorCode::kConfigInvalid:
      return "CONFIG_INVALID";
    case ErrorCode::kMonitoringFailed:
      return "MONITORING_FAILED";
    case ErrorCode::kMetadataFailed:
      return "METADATA_FAILED";
  }
  return "MONITORING_FAILED";
}

Error::Error(ErrorCode code, const std::string& message, bool transient, bool connection_poisoned,
             std::string detail)
    : std::runtime_error(message),
      code_(code),
      transient_(transient),
      connection_poisoned_(connection_poisoned),
      detail_(std::move(detail)) {}

}  // namespace freshguard
