#include <memory>

#include <freshguard/config/rule_queries.hpp>
#include <freshguard/config/source_types.hpp>
#include <freshguard/security/filter.hpp>

namespace freshguard::config {

std::vector<PlannedQuery> planned_queries(const Rule& rule, const SourceConfig& source) {
  auto table = sql::QualifiedName::parse(rule.table);
  if (!table.schema) table.schema = sql::Identifier::try_parse(default_schema(source));
  const std::string catalog = catalog_name(source);
  // The filter as the engine receives it: rendered from its allowlisted tree.
  const std::shared_ptr<const sql::Expr> filter =
      rule.filter.empty() ? nullptr
                          : std::make_shared<const sql::Expr>(security::parse_filter(rule.filter));
  const sql::AggregateQuery count{sql::Aggregate::kCountAll, {}, table, filter, catalog};
  switch (rule.type) {
    case RuleType::kFreshness: {
      if (rule.freshness.timestamp_column.empty()) return {};  // the catalog method
      const sql::AggregateQuery newest{sql::Aggregate::kMax,
                                       sql::Identifier::parse(rule.freshness.timestamp_column),
                                       table, filter, catalog};
      return {{"newest timestamp", newest},
              {"row count (only when the column has no value)", count}};
    }
    case RuleType::kVolumeThreshold:
    case RuleType::kVolumeAnomaly:
      return {{"row count", count}};
    case RuleType::kSchemaChange:
      break;
  }
  return {};
}

}  // namespace freshguard::config
