#pragma once
/// Schema change: a table's columns against the baseline snapshot kept in the metadata
/// store.

#include <freshguard/connectors/connector.hpp>
#include <freshguard/core/check_result.hpp>
#include <freshguard/core/clock.hpp>
#include <freshguard/core/rule.hpp>
#include <freshguard/metadata/store.hpp>

namespace freshguard {

/// Reads the table's schema from the catalog and compares it with the rule's baseline
/// (see schema_diff.hpp for what counts as a change and its severity).
///
/// - No baseline yet: the current schema becomes the baseline; ok.
/// - The rule now names another table than its baseline: the baseline is replaced; ok.
/// - No change: ok.
/// - Changes, by adaptation mode: `auto` takes a schema whose only changes are added columns
///   into the baseline (ok), and alerts on anything else without touching the baseline;
///   `manual` alerts and keeps the baseline until `freshguard baseline approve`;
///   `alert_only` alerts once and takes the new schema as the baseline.
/// An alert is critical when any change is of high severity, else a warning.
/// Throws SecurityError (hostile table name), QueryError (table missing), MetadataError.
CheckResult check_schema_change(Connector& connector, const Rule& rule, MetadataStore& store,
                                const Clock& clock = SystemClock::instance());

}  // namespace freshguard
