#include <freshguard/core/check_result.hpp>

namespace freshguard {

std::string_view to_string(CheckStatus s) noexcept {
  switch (s) {
    case CheckStatus::kOk:
      return "ok";
    case CheckStatus::kAlert:
      return "alert";
    case CheckStatus::kError:
      return "error";
  }
  return "error";
}

std::string_view to_string(Severity s) noexcept {
  switch (s) {
    case Severity::kNone:
      return "none";
    case Severity::kWarning:
      return "warning";
    case Severity::kCritical:
      return "critical";
  }
  return "none";
}

std::string_view to_string(Method m) noexcept {
  switch (m) {
    case Method::kMaxTimestamp:
      return "max_timestamp";
    case Method::kCatalog:
      return "catalog";
    case Method::kExactCount:
      return "exact_count";
  }
  return "max_timestamp";
}

std::string_view to_string(BaselineStatus s) noexcept {
  return s == BaselineStatus::kReady ? "ready" : "insufficient_history";
}

std::string_view to_string(SchemaChangeKind k) noexcept {
  switch (k) {
    case SchemaChangeKind::kAdded:
      return "added";
    case SchemaChangeKind::kRemoved:
      return "removed";
    case SchemaChangeKind::kTypeChanged:
      return "type_changed";
    case SchemaChangeKind::kNullabilityChanged:
      return "nullability_changed";
  }
  return "added";
}

std::string_view to_string(ChangeSeverity s) noexcept {
  switch (s) {
    case ChangeSeverity::kLow:
      return "low";
    case ChangeSeverity::kMedium:
      return "medium";
    case ChangeSeverity::kHigh:
      return "high";
  }
  return "low";
}

std::string_view to_string(SchemaBaselineAction a) noexcept {
  switch (a) {
    case SchemaBaselineAction::kKept:
      return "kept";
    case SchemaBaselineAction::kCreated:
      return "created";
    case SchemaBaselineAction::kUpdated:
      return "updated";
  }
  return "kept";
}

CheckResult error_result(const Rule& rule, const Error& e) {
  CheckResult r;
  r.rule_id = rule.id;
  r.type = rule.type;
  r.source = rule.source;
  r.table = rule.table;
  r.status = CheckStatus::kError;
  r.message = e.what();
  r.error = CheckError{e.code(), e.what()};
  return r;
}

}  // namespace freshguard
