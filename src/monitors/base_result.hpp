#pragma once
// Private to the monitors: the identity fields every result of a rule starts with.

#include <freshguard/core/check_result.hpp>

namespace freshguard::monitors_detail {

inline CheckResult base_result(const Rule& rule) {
  CheckResult r;
  r.rule_id = rule.id;
  r.type = rule.type;
  r.source = rule.source;
  r.table = rule.table;
  return r;
}

}  // namespace freshguard::monitors_detail
