#pragma once
/// Structured logging: one JSON object per line on stderr (or human-readable text), never on
/// stdout, never a secret. spdlog does the I/O; this layer owns the event shape and the
/// redaction.
///
/// JSON fields: `timestamp` (ISO-8601 UTC), `level`, `component`, `action`, and when set
/// `source`, `table`, `duration_ms`, `error`, `message`, plus extra string fields. Every
/// string value goes through the Redactor; extra fields whose key is secret-looking are
/// replaced by `[REDACTED]` entirely.

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <freshguard/observability/redact.hpp>

namespace freshguard::obs {

enum class LogLevel { kTrace, kDebug, kInfo, kWarn, kError, kOff };
enum class LogFormat { kJson, kText };

std::string_view to_string(LogLevel level) noexcept;
/// Parses trace, debug, info, warn (or warning), error, off, ignoring case; nullopt otherwise.
std::optional<LogLevel> parse_log_level(std::string_view text) noexcept;
/// Parses json or text, ignoring case; nullopt otherwise.
std::optional<LogFormat> parse_log_format(std::string_view text) noexcept;

struct LogEvent {
  LogLevel level = LogLevel::kInfo;
  std::string component;  ///< e.g. "cli", "connector.sqlite", "monitor.freshness"
  std::string action;     ///< e.g. "check.finished", "connect"
  std::string source;
  std::string table;
  std::optional<double> duration_ms;
  std::string error;    ///< stable error code or short error text
  std::string message;  ///< free text for people
  std::vector<std::pair<std::string, std::string>> fields;  ///< extra key/values
};

/// Thread-safe. Cheap to call when the level is disabled.
class Logger {
 public:
  /// Logs to stderr.
  Logger(LogLevel level, LogFormat format, std::shared_ptr<Redactor> redactor);
  /// Logs to `out` (used by tests). `out` must outlive the logger.
  Logger(LogLevel level, LogFormat format, std::shared_ptr<Redactor> redactor, std::ostream& out);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  bool enabled(LogLevel level) const noexcept;
  void log(const LogEvent& event);
  Redactor& redactor() noexcept { return *redactor_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  LogLevel level_;
  LogFormat format_;
  std::shared_ptr<Redactor> redactor_;
};

/// The process-wide logger. Until set_logger is called it logs warnings and above as JSON to
/// stderr. Safe to call from any thread, also during static destruction.
Logger& logger();
/// Replaces the process-wide logger (nullptr restores the default). Thread-safe: a replaced
/// logger is kept alive until the process exits, so references from logger() never dangle.
void set_logger(std::unique_ptr<Logger> logger);

}  // namespace freshguard::obs
