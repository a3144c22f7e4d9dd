#pragma once
/// The FreshGuard error model.
///
/// Expected outcomes (stale data, an empty table) are values in a CheckResult. A check that
/// cannot proceed throws a subclass of freshguard::Error. Every error carries a stable code
/// (part of the user-facing contract: it appears in JSON output as `error.code`), a message
/// that is safe to show to users, and two flags that the resilience layer reads instead of
/// the message text: whether retrying may succeed (transient) and whether the connection
/// that produced it must be discarded (connection_poisoned).

#include <stdexcept>
#include <string>
#include <string_view>

namespace freshguard {

/// Stable error codes. Their spelling (see to_string) never changes.
enum class ErrorCode {
  kSecurityViolation,  ///< input rejected by a security check (identifier, query analysis)
  kConnectionFailed,   ///< the database could not be reached or refused the session
  kTimeout,            ///< a deadline passed before the operation completed
  kQueryFailed,        ///< the database answered with an error, or the object is missing
  kConfigInvalid,      ///< the configuration or a rule is invalid
  kMonitoringFailed,   ///< the monitor could not interpret what the database returned
  kMetadataFailed,     ///< the metadata store (history, baselines) failed
};

/// The stable spelling of a code, e.g. "SECURITY_VIOLATION".
std::string_view to_string(ErrorCode code) noexcept;

/// Base of every error FreshGuard throws. what() returns the safe, user-facing message.
class Error : public std::runtime_error {
 public:
  /// `message` must be safe to show to users: no credentials, no server internals.
  /// `detail` is optional raw driver text for debug logs; it is redacted before logging.
  Error(ErrorCode code, const std::string& message, bool transient = false,
        bool connection_poisoned = false, std::string detail = {});

  ErrorCode code() const noexcept { return code_; }
  /// True when the same call may succeed if retried (network blip, timeout, overload).
  bool transient() const noexcept { return transient_; }
  /// True when the connection that produced this error must not be reused.
  bool connection_poisoned() const noexcept { return connection_poisoned_; }
  /// Raw driver detail for debug logs only. Never show it to users unredacted.
  const std::string& detail() const noexcept { return detail_; }

 private:
  ErrorCode code_;
  bool transient_;
  bool connection_poisoned_;
  std::string detail_;
};

/// An identifier, query or value was rejected by a security check. Never transient.
class SecurityError : public Error {
 public:
  explicit SecurityError(const std::string& message)
      : Error(ErrorCode::kSecurityViolation, message) {}
};

/// The database could not be reached. Transient unless stated otherwise (e.g. bad password).
class ConnectionError : public Error {
 public:
  explicit ConnectionError(const std::string& message, bool transient = true,
                           std::string detail = {})
      : Error(ErrorCode::kConnectionFailed, message, transient, true, std::move(detail)) {}
};

/// A deadline passed. Always transient; the connection is poisoned (work may be in flight).
class TimeoutError : public Error {
 public:
  explicit TimeoutError(const std::string& message, std::string detail = {})
      : Error(ErrorCode::kTimeout, message, true, true, std::move(detail)) {}
};

/// The database rejected a query or the object it names does not exist.
class QueryError : public Error {
 public:
  explicit QueryError(const std::string& message, bool transient = false, std::string detail = {})
      : Error(ErrorCode::kQueryFailed, message, transient, false, std::move(detail)) {}
};

/// The configuration or a rule is invalid. Never transient.
class ConfigError : public Error {
 public:
  explicit ConfigError(const std::string& message) : Error(ErrorCode::kConfigInvalid, message) {}
};

/// The monitor could not interpret the data it was given (e.g. an unparseable timestamp).
class MonitoringError : public Error {
 public:
  explicit MonitoringError(const std::string& message)
      : Error(ErrorCode::kMonitoringFailed, message) {}
};

/// The metadata store failed to read or write.
class MetadataError : public Error {
 public:
  explicit MetadataError(const std::string& message, bool transient = false,
                         std::string detail = {})
      : Error(ErrorCode::kMetadataFailed, message, transient, false, std::move(detail)) {}
};

}  // namespace freshguard
