#include "metadata/codec.hpp"

#include <array>
#include <string>

namespace freshguard::metadata_detail {
namespace {

template <typename Enum, std::size_t N>
Enum parse_spelling(std::string_view text, const std::array<Enum, N>& values,
                    std::string_view column) {
  for (Enum v : values) {
    if (to_string(v) == text) return v;
  }
  throw MetadataError("metadata store holds an unknown " + std::string(column) + " \"" +
                      std::string(text.substr(0, 40)) + "\"");
}

}  // namespace

std::int64_t to_micros(WallTime t) noexcept {
  return t.time_since_epoch().count();
}

WallTime from_micros(std::int64_t us) noexcept {
  return WallTime(std::chrono::microseconds(us));
}

ExecutionRecord to_record(const CheckResult& r) {
  ExecutionRecord e;
  e.rule_id = r.rule_id;
  e.type = r.type;
  e.source = r.source;
  e.table = r.table;
  e.status = r.status;
  e.severity = r.severity;
  e.message = r.message;
  e.method = r.method;
  e.row_count = r.row_count;
  e.lag_seconds = r.lag_seconds;
  e.last_update = r.last_update;
  e.deviation_percent = r.deviation_percent;
  if (r.type == RuleType::kSchemaChange && r.status != CheckStatus::kError) {
    e.schema_changes = static_cast<std::int64_t>(r.schema_changes.size());
  }
  if (r.error) e.error_code = r.error->code;
  e.duration = r.duration;
  e.checked_at = r.checked_at;
  return e;
}

RuleType parse_stored_type(std::string_view text) {
  return parse_spelling(text,
                        std::array{RuleType::kFreshness, RuleType::kVolumeAnomaly,
                                   RuleType::kVolumeThreshold, RuleType::kSchemaChange},
                        "rule type");
}

CheckStatus parse_stored_status(std::string_view text) {
  return parse_spelling(
      text, std::array{CheckStatus::kOk, CheckStatus::kAlert, CheckStatus::kError}, "status");
}

Severity parse_stored_severity(std::string_view text) {
  return parse_spelling(text, std::array{Severity::kNone, Severity::kWarning, Severity::kCritical},
                        "severity");
}

Method parse_stored_method(std::string_view text) {
  return parse_spelling(
      text, std::array{Method::kMaxTimestamp, Method::kCatalog, Method::kExactCount}, "method");
}

ErrorCode parse_stored_error_code(std::string_view text) {
  return parse_spelling(
      text,
      std::array{ErrorCode::kSecurityViolation, ErrorCode::kConnectionFailed, ErrorCode::kTimeout,
                 ErrorCode::kQueryFailed, ErrorCode::kConfigInvalid, ErrorCode::kMonitoringFailed,
                 ErrorCode::kMetadataFailed},
      "error code");
}

}  // namespace freshguard::metadata_detail
