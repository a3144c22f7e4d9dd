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
    case Method::kEstimate:
      return "estimate";
  }
  return "max_timestamp";
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
