#include <freshguard/core/error.hpp>
#include <freshguard/security/catalog.hpp>

namespace freshguard::security {

ResolvedColumn resolve_column(Connector& connector, const sql::QualifiedName& table,
                              const sql::Identifier& column) {
  TableSchema schema = connector.table_schema(table);
  const ColumnInfo* found = schema.find_column(column.str());
  if (found == nullptr) {
    throw QueryError("column \"" + column.str() + "\" not found in " + schema.table.display());
  }
  return ResolvedColumn{schema.table, sql::Identifier::parse(found->name, "column name")};
}

}  // namespace freshguard::security
