#include <algorithm>

#include <freshguard/core/error.hpp>
#include <freshguard/monitors/schema_change.hpp>
#include <freshguard/monitors/schema_diff.hpp>

#include "monitors/base_result.hpp"

namespace freshguard {
namespace {

std::string columns_text(std::size_t n) {
  return std::to_string(n) + (n == 1 ? " column" : " columns");
}

// "2 changes: column \"note\" removed; \"amount\" narrowing: numeric(12,2) -> numeric(8,2)"
std::string changes_text(const std::vector<SchemaChange>& changes) {
  std::string text =
      std::to_string(changes.size()) + (changes.size() == 1 ? " change: " : " changes: ");
  for (std::size_t i = 0; i < changes.size(); ++i) {
    if (i > 0) text += "; ";
    text += "\"" + changes[i].column + "\" " + changes[i].detail;
  }
  return text;
}

bool only_additions(const std::vector<SchemaChange>& changes) {
  return std::all_of(changes.begin(), changes.end(),
                     [](const SchemaChange& c) { return c.kind == SchemaChangeKind::kAdded; });
}

void judge_changes(CheckResult& r, const Rule& rule, MetadataStore& store,
                   const SchemaSnapshot& current) {
  const auto& changes = r.schema_changes;
  const auto mode = rule.schema_change.adaptation_mode;
  if (mode == SchemaAdaptation::kAuto && only_additions(changes)) {
    store.save_schema_baseline(current);
    r.schema_baseline = SchemaBaselineAction::kUpdated;
    r.message = "schema adapted (auto): " + changes_text(changes);
    return;
  }
  const bool high = std::any_of(changes.begin(), changes.end(), [](const SchemaChange& c) {
    return c.severity == ChangeSeverity::kHigh;
  });
  r.status = CheckStatus::kAlert;
  r.severity = high ? Severity::kCritical : Severity::kWarning;
  r.message = "schema changed: " + changes_text(changes);
  if (mode == SchemaAdaptation::kAlertOnly) {
    store.save_schema_baseline(current);
    r.schema_baseline = SchemaBaselineAction::kUpdated;
    r.message += " (alert_only: the new schema is now the baseline)";
  } else {
    r.schema_baseline = SchemaBaselineAction::kKept;
    r.message += "; accept it with: freshguard baseline approve --rule " + rule.id;
  }
}

}  // namespace

CheckResult check_schema_change(Connector& connector, const Rule& rule, MetadataStore& store,
                                const Clock& clock) {
  if (rule.type != RuleType::kSchemaChange) {
    throw ConfigError("rule \"" + rule.id + "\" is not a schema_change rule");
  }
  const auto table = sql::QualifiedName::parse(rule.table, "table name");
  const TableSchema schema = connector.table_schema(table);
  const SchemaSnapshot current = snapshot_of(rule.id, schema, clock.wall_now());
  const auto baseline = store.schema_baseline(rule.id);

  CheckResult r = monitors_detail::base_result(rule);
  r.method = Method::kCatalog;
  r.column_count = static_cast<int>(current.columns.size());
  if (!baseline) {
    store.save_schema_baseline(current);
    r.schema_baseline = SchemaBaselineAction::kCreated;
    r.message =
        "baseline created: " + columns_text(current.columns.size()) + " in " + current.table;
    return r;
  }
  if (baseline->table != current.table) {
    store.save_schema_baseline(current);
    r.schema_baseline = SchemaBaselineAction::kUpdated;
    r.message = "baseline replaced: the rule now watches " + current.table + " (was " +
                baseline->table + "), " + columns_text(current.columns.size());
    return r;
  }
  r.schema_changes = diff_schemas(baseline->columns, current.columns);
  if (r.schema_changes.empty()) {
    r.schema_baseline = SchemaBaselineAction::kKept;
    r.message = "schema unchanged: " + columns_text(current.columns.size());
    return r;
  }
  judge_changes(r, rule, store, current);
  return r;
}

}  // namespace freshguard
