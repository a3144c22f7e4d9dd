#pragma once
/// The data queries a rule sends to its source, built without connecting: what `freshguard
/// explain` prints, and, rendered in the source's dialect, exactly the text the connector
/// core (connectors/sql_connector.hpp) sends once the names resolve to the spelling the rule
/// gives them.

#include <string>
#include <vector>

#include <freshguard/config/config.hpp>
#include <freshguard/core/rule.hpp>
#include <freshguard/sql/query.hpp>

namespace freshguard::config {

struct PlannedQuery {
  std::string purpose;  ///< "newest timestamp", "row count", ...
  sql::AggregateQuery query;
};

/// The queries of `rule` on `source`, in the order a check may send them; empty for rules
/// that read only the catalog (schema_change, freshness by the `catalog` method). Names are
/// as the rule spells them, the default schema and the catalog filled in
/// (config/source_types.hpp). Throws SecurityError for a filter or name that is refused.
std::vector<PlannedQuery> planned_queries(const Rule& rule, const SourceConfig& source);

}  // namespace freshguard::config
