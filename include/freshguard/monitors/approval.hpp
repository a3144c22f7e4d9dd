#pragma once
/// `freshguard baseline approve`: a person accepts a rule's current state as normal.

#include <optional>

#include <freshguard/connectors/connector.hpp>
#include <freshguard/core/rule.hpp>
#include <freshguard/metadata/store.hpp>

namespace freshguard {

/// Approves the baseline of `rule`, recording `approval` (its rule_id is set from the rule):
/// - schema_change: the table's current schema (read from the catalog now) becomes the
///   baseline, in the same transaction as the approval; it is returned.
/// - volume_anomaly: row counts recorded up to approval.approved_at that alerted become
///   training data again (the new normal after a deliberate change); returns nullopt.
/// Throws ConfigError for other rule types; SecurityError, QueryError, MetadataError when
/// the table or the store cannot be used.
std::optional<SchemaSnapshot> approve_baseline(Connector& connector, const Rule& rule,
                                               MetadataStore& store, Approval approval);

}  // namespace freshguard
