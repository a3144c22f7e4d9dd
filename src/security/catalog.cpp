#include <freshguard/core/error.hpp>
#include <freshguard/security/catalog.hpp>
#include <freshguard/security/schema_cache.hpp>

namespace freshguard::security {

ResolvedColumn resolve_column(Connector& connector, const sql::QualifiedName& table,
                              const sql::Identifier& column) {
  connector.dialect().check(table);  // the dialect's length limits, before anything is sent
  connector.dialect().check(column, "column name");
  auto schema = connector.cached_table_schema(table);
  if (schema->find_column(column.str()) == nullptr) {
    // A cached schema may predate the column: read the catalog (which refreshes the cache).
    schema = std::make_shared<const TableSchema>(connector.table_schema(table));
  }
  const ColumnInfo& found = find_column_or_throw(*schema, column.str(), {});
  return ResolvedColumn{schema->table, sql::Identifier::parse(found.name, "column name")};
}

}  // namespace freshguard::security
