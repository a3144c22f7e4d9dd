#pragma once
/// Catalog resolution: a rule's table and columns are looked up in the source's catalog
/// before any data query is built, so a query only ever names objects that exist.

#include <freshguard/connectors/connector.hpp>
#include <freshguard/sql/identifier.hpp>

namespace freshguard::security {

/// A table and one of its columns, spelled as the catalog spells them.
struct ResolvedColumn {
  sql::QualifiedName table;
  sql::Identifier column;
};

/// Resolves `column` in `table`: exact match first, else a unique case-insensitive match.
/// Names longer than the connector's dialect allows are a SecurityError before any query.
/// The table's schema comes from Connector::cached_table_schema (the source's schema cache
/// where the connector has one); a column missing from it is looked up once more with a fresh
/// Connector::table_schema (it may have been added since). Throws QueryError (`column "x" not found
/// in main.orders`) when there is none, or when several columns differ only by case.
ResolvedColumn resolve_column(Connector& connector, const sql::QualifiedName& table,
                              const sql::Identifier& column);

}  // namespace freshguard::security
