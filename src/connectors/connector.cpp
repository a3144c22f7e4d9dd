#include <algorithm>

#include <freshguard/connectors/connector.hpp>
#include <freshguard/core/error.hpp>

#include "connectors/common/text.hpp"

namespace freshguard {

using connectors::iequals;

const ColumnInfo* TableSchema::find_column(std::string_view name) const {
  for (const auto& c : columns) {
    if (c.name == name) return &c;
  }
  const ColumnInfo* found = nullptr;
  for (const auto& c : columns) {
    if (iequals(c.name, name)) {
      if (found != nullptr) return nullptr;  // ambiguous: two columns differ only by case
      found = &c;
    }
  }
  return found;
}

std::optional<std::int64_t> Connector::estimated_row_count(const sql::QualifiedName&) {
  return std::nullopt;
}

std::optional<CatalogStats> Connector::catalog_stats(const sql::QualifiedName&) {
  return std::nullopt;
}

std::shared_ptr<const TableSchema> Connector::cached_table_schema(const sql::QualifiedName& table) {
  return std::make_shared<const TableSchema>(table_schema(table));
}

std::int64_t Connector::filtered_row_count(const sql::QualifiedName& table,
                                           std::string_view filter) {
  if (filter.empty()) return row_count(table);
  throw QueryError("rule filters are not supported by source \"" + source_name() + "\"");
}

std::optional<WallTime> Connector::filtered_max_timestamp(const sql::QualifiedName& table,
                                                          const sql::Identifier& column,
                                                          const TimeZone& zone,
                                                          std::string_view filter) {
  if (filter.empty()) return max_timestamp(table, column, zone);
  throw QueryError("rule filters are not supported by source \"" + source_name() + "\"");
}

QueryRows Connector::query(std::string_view) {
  throw QueryError("query() is not supported by source \"" + source_name() + "\"");
}

}  // namespace freshguard
