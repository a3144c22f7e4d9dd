#include <freshguard/core/error.hpp>
#include <freshguard/monitors/monitors.hpp>

#include "monitors/base_result.hpp"

namespace freshguard {

CheckResult check_volume_threshold(Connector& connector, const Rule& rule, const Clock&) {
  if (rule.type != RuleType::kVolumeThreshold) {
    throw ConfigError("rule \"" + rule.id + "\" is not a volume_threshold rule");
  }
  const auto& spec = rule.volume_threshold;
  if (!spec.min_row_count && !spec.max_row_count) {
    throw ConfigError("rule \"" + rule.id + "\" needs min_row_count or max_row_count");
  }
  const auto table = sql::QualifiedName::parse(rule.table, "table name");
  const std::int64_t rows = connector.row_count(table, rule.filter);

  CheckResult r = monitors_detail::base_result(rule);
  r.method = Method::kExactCount;
  r.row_count = rows;
  r.min_row_count = spec.min_row_count;
  r.max_row_count = spec.max_row_count;
  const std::string n = std::to_string(rows) + " rows";
  if (spec.min_row_count && rows < *spec.min_row_count) {
    r.status = CheckStatus::kAlert;
    r.severity = Severity::kWarning;
    r.message = n + ", below the minimum of " + std::to_string(*spec.min_row_count);
  } else if (spec.max_row_count && rows > *spec.max_row_count) {
    r.status = CheckStatus::kAlert;
    r.severity = Severity::kWarning;
    r.message = n + ", above the maximum of " + std::to_string(*spec.max_row_count);
  } else {
    r.message = n + ", within bounds";
  }
  return r;
}

}  // namespace freshguard
