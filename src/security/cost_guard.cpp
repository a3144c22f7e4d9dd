#include <cmath>

#include <nlohmann/json.hpp>

#include <freshguard/core/error.hpp>
#include <freshguard/security/cost_guard.hpp>

namespace freshguard::security {
namespace {

using nlohmann::json;

double number(const json& node, const char* key) {
  const auto it = node.find(key);
  return it != node.end() && it->is_number() ? it->get<double>() : 0.0;
}

std::string text(const json& node, const char* key) {
  const auto it = node.find(key);
  return it != node.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Depth-first over a plan node and its children (bounded: plans are at most a few hundred
// nodes deep, and the analyser bounds joins and subqueries before any plan is asked for).
void walk(const json& node, PlanEstimate& out, int depth) {
  if (!node.is_object() || depth > 1000) return;
  const std::string type = text(node, "Node Type");
  const std::string relation = text(node, "Relation Name");
  if (!relation.empty()) {
    ScannedRelation scan;
    scan.schema = text(node, "Schema");
    scan.name = relation;
    scan.full_scan = type == "Seq Scan" || type == "Bitmap Heap Scan" || type == "Tid Scan" ||
                     type == "Tid Range Scan" || type == "Sample Scan";
    scan.rows = number(node, "Plan Rows");
    scan.width = number(node, "Plan Width");
    if (!scan.full_scan) out.scan_bytes += scan.rows * scan.width;
    out.scans.push_back(std::move(scan));
  }
  const auto plans = node.find("Plans");
  if (plans != node.end() && plans->is_array()) {
    for (const auto& child : *plans)
      walk(child, out, depth + 1);
  }
}

std::string whole(double v) {
  if (!std::isfinite(v)) return "an unbounded number of";
  return std::to_string(static_cast<long long>(std::llround(v)));
}

}  // namespace

PlanEstimate parse_pg_plan(std::string_view text_in) {
  json doc = json::parse(text_in, nullptr, false);
  if (doc.is_discarded() || !doc.is_array() || doc.empty() || !doc[0].is_object() ||
      !doc[0].contains("Plan")) {
    throw QueryError("unexpected EXPLAIN output from PostgreSQL");
  }
  const json& top = doc[0]["Plan"];
  PlanEstimate out;
  out.rows = number(top, "Plan Rows");
  out.total_cost = number(top, "Total Cost");
  walk(top, out, 0);
  return out;
}

void check_plan(const PlanEstimate& plan, const CostLimits& limits, std::string_view what) {
  const std::string prefix = std::string(what) + " refused by the cost guard: the planner expects ";
  if (plan.rows > limits.max_rows) {
    throw SecurityError(prefix + "about " + whole(plan.rows) + " result rows; the limit is " +
                        whole(limits.max_rows));
  }
  if (plan.scan_bytes > limits.max_scan_bytes) {
    const double mb = 1024.0 * 1024.0;
    throw SecurityError(prefix + "to scan about " + whole(plan.scan_bytes / mb) +
                        " MB; the limit is " + whole(limits.max_scan_bytes / mb) + " MB");
  }
}

}  // namespace freshguard::security
