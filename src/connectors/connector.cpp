#include <charconv>

#include <freshguard/connectors/connector.hpp>
#include <freshguard/core/error.hpp>

namespace freshguard {

std::optional<CatalogStats> Connector::catalog_stats(const sql::QualifiedName&) {
  return std::nullopt;
}

std::shared_ptr<const TableSchema> Connector::cached_table_schema(const sql::QualifiedName& table) {
  return std::make_shared<const TableSchema>(table_schema(table));
}

QueryRows Connector::query(std::string_view) {
  throw QueryError("query() is not supported by source \"" + source_name() + "\"");
}

std::optional<connectors::PoolStatus> Connector::pool_status() const {
  return std::nullopt;
}

std::int64_t Connector::row_count(const sql::QualifiedName& table, std::string_view filter) {
  const sql::Value value =
      aggregate(AggregateRequest{sql::Aggregate::kCountAll, table, {}, filter});
  if (const auto* n = std::get_if<std::int64_t>(&value)) return *n;
  if (const auto* text = std::get_if<std::string>(&value)) {
    std::int64_t n = 0;
    const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), n);
    if (ec == std::errc() && end == text->data() + text->size()) return n;
  }
  throw MonitoringError("unexpected row count from source \"" + source_name() + "\"");
}

std::optional<WallTime> Connector::max_timestamp(const sql::QualifiedName& table,
                                                 const sql::Identifier& column,
                                                 const TimeZone& zone, std::string_view filter) {
  return sql::read_time(aggregate(AggregateRequest{sql::Aggregate::kMax, table, column, filter}),
                        zone, "column \"" + column.str() + "\" of " + table.display());
}

}  // namespace freshguard
