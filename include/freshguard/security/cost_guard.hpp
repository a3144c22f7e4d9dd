#pragma once
/// The cost guard: user-supplied SQL (a rule's `filter:`, Connector::query) is planned by the
/// database before it runs, and refused when the planner expects it to be expensive.
///
/// On PostgreSQL the plan is `EXPLAIN (VERBOSE, FORMAT JSON)`, never ANALYZE, so nothing is
/// executed. The estimate is the top node's `Plan Rows` (result rows) and the data scanned:
/// for a sequential or bitmap heap scan the whole relation (pg_class.relpages times the block
/// size, filled in by the connector), for an index scan its rows times their width. The
/// engine's own freshness and count queries do not pass through the guard: a large table
/// with an index on its timestamp column is a normal, cheap check.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace freshguard::security {

/// Defaults follow the hardening plan.
struct CostLimits {
  /// Most result rows the planner may expect. Default 10,000.
  double max_rows = 10000;
  /// Most bytes the plan may scan. Default 1 GiB.
  double max_scan_bytes = 1024.0 * 1024 * 1024;
};

/// One relation read by the plan.
struct ScannedRelation {
  std::string schema;
  std::string name;
  /// A sequential or bitmap heap scan reads the whole relation; bytes come from its pages.
  bool full_scan = false;
  double rows = 0;   ///< rows the node expects to produce
  double width = 0;  ///< average row width in bytes
};

struct PlanEstimate {
  double rows = 0;        ///< the top node's Plan Rows
  double total_cost = 0;  ///< the top node's Total Cost (planner units)
  std::vector<ScannedRelation> scans;
  /// Estimated bytes scanned; the connector adds the full scans' relation sizes.
  double scan_bytes = 0;
};

/// Parses PostgreSQL's EXPLAIN (FORMAT JSON) output: the top plan's rows and cost, and every
/// scan node's relation (its `Schema` needs VERBOSE). Index scans add rows times width to
/// scan_bytes; full scans are listed for the caller to size. Throws QueryError when the text
/// is not a plan.
PlanEstimate parse_pg_plan(std::string_view json);

/// Throws SecurityError ("refused by the cost guard: the planner expects about 5000000 rows;
/// the limit is 10000") when the estimate exceeds a limit. `what` names the SQL ("query",
/// "filter of rule orders_fresh").
void check_plan(const PlanEstimate& plan, const CostLimits& limits, std::string_view what);

}  // namespace freshguard::security
