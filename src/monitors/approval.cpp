#include <freshguard/core/error.hpp>
#include <freshguard/monitors/approval.hpp>
#include <freshguard/monitors/schema_diff.hpp>

namespace freshguard {

std::optional<SchemaSnapshot> approve_baseline(Connector& connector, const Rule& rule,
                                               MetadataStore& store, Approval approval) {
  approval.rule_id = rule.id;
  switch (rule.type) {
    case RuleType::kSchemaChange: {
      const auto table = sql::QualifiedName::parse(rule.table, "table name");
      SchemaSnapshot snapshot =
          snapshot_of(rule.id, connector.table_schema(table), approval.approved_at);
      store.record_approval(approval, snapshot);
      return snapshot;
    }
    case RuleType::kVolumeAnomaly:
      store.record_approval(approval, std::nullopt);
      return std::nullopt;
    case RuleType::kFreshness:
    case RuleType::kVolumeThreshold:
      break;
  }
  throw ConfigError("rule \"" + rule.id + "\" is a " + std::string(to_string(rule.type)) +
                    " rule; only schema_change and volume_anomaly rules have a baseline to "
                    "approve");
}

}  // namespace freshguard
