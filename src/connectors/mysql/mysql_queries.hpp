#pragma once
// The catalog queries of the MySQL connector. Every value travels as a bound parameter;
// identifiers in data queries are quoted with backticks after catalog resolution.
//
// information_schema comparisons use a case-insensitive collation on MariaDB, but a lookup
// of one schema and table name is served from the file system (case-sensitive on Linux), so
// the connector always compares names itself: the exact spelling first, else a unique
// case-insensitive match, else the folded query below.

namespace freshguard::mysql {

/// Tables and views named ? (schema) and ? (table), as the server's lookup finds them.
/// Cheap: only the named table is opened. Columns: schema, table, type, rows, update time.
inline constexpr const char* kFindTableSql =
    "SELECT TABLE_SCHEMA, TABLE_NAME, TABLE_TYPE, TABLE_ROWS, UPDATE_TIME "
    "FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?";

/// Tables whose schema and name equal ? and ? ignoring case (a scan of the names visible to
/// the user; no table is opened). Used only when kFindTableSql found no exact spelling.
/// Columns: schema, table.
inline constexpr const char* kFindTableFoldedSql =
    "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES "
    "WHERE LOWER(TABLE_SCHEMA) = LOWER(?) AND LOWER(TABLE_NAME) = LOWER(?)";

/// Columns of the table ? (schema) . ? (table), in order. Columns: table, column name, full
/// type, IS_NULLABLE, COLUMN_KEY, ORDINAL_POSITION.
inline constexpr const char* kColumnsSql =
    "SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_KEY, ORDINAL_POSITION "
    "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ? "
    "ORDER BY ORDINAL_POSITION";

/// Tables and views of schema ? that the user can see, by name. No table is opened.
/// Columns: schema, table.
inline constexpr const char* kListTablesSql =
    "SELECT TABLE_SCHEMA, TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? "
    "ORDER BY TABLE_NAME";

}  // namespace freshguard::mysql
