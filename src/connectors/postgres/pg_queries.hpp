#pragma once
// The catalog queries of the PostgreSQL connector. Every value travels as a bound parameter;
// identifiers in data queries are quoted by libpq after catalog resolution. Shared with the
// benchmark, whose raw-libpq baseline issues exactly these.

namespace freshguard::pg {

/// Tables, views, materialized views, partitioned and foreign tables.
#define FRESHGUARD_PG_RELKINDS "('r', 'v', 'm', 'p', 'f')"

/// The tables named $1 (schema) and $2 (table): the exact spelling if it exists (an index
/// lookup), else every case-insensitive match (a scan of pg_class that the one-time
/// NOT EXISTS filter skips when the exact spelling exists). Columns: oid, nspname, relname.
#define FRESHGUARD_PG_TABLES_CTE                                                    \
  "WITH exact AS (SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c "   \
  "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "                       \
  "WHERE c.relkind IN " FRESHGUARD_PG_RELKINDS                                      \
  " AND n.nspname = $1 AND c.relname = $2), "                                       \
  "tables AS (SELECT * FROM exact UNION ALL "                                       \
  "SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c "                  \
  "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "                       \
  "WHERE NOT EXISTS (SELECT 1 FROM exact) AND c.relkind IN " FRESHGUARD_PG_RELKINDS \
  " AND lower(n.nspname) = lower($1) AND lower(c.relname) = lower($2)) "

/// Resolves a table (and optionally one of its columns) case-insensitively.
/// $1 schema, $2 table, $3 column ('' for none).
/// Columns: nspname, relname, oid, attname (NULL when no column matched).
inline constexpr const char* kResolveSql = FRESHGUARD_PG_TABLES_CTE
    "SELECT t.nspname, t.relname, t.oid::int8, a.attname FROM tables t "
    "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 "
    "AND NOT a.attisdropped AND lower(a.attname) = lower($3)";

/// Every column of the tables matching $1 (schema) and $2 (table) as above.
/// Columns: nspname, relname, oid, attname, declared type, not null, primary key.
inline constexpr const char* kTableSchemaSql = FRESHGUARD_PG_TABLES_CTE
    "SELECT t.nspname, t.relname, t.oid::int8, a.attname, "
    "pg_catalog.format_type(a.atttypid, a.atttypmod), a.attnotnull, "
    "EXISTS (SELECT 1 FROM pg_catalog.pg_index i WHERE i.indrelid = t.oid "
    "AND i.indisprimary AND a.attnum = ANY (i.indkey)) "
    "FROM tables t "
    "LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 "
    "AND NOT a.attisdropped "
    "ORDER BY t.oid, a.attnum";

/// Tables of schema $1 (exact) that the session may read. Columns: nspname, relname.
inline constexpr const char* kListTablesSql =
    "SELECT n.nspname, c.relname "
    "FROM pg_catalog.pg_class c "
    "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN " FRESHGUARD_PG_RELKINDS
    " AND n.nspname = $1 AND pg_catalog.has_table_privilege(c.oid, 'SELECT') "
    "ORDER BY c.relname";

/// Bytes of the relation named $1 (schema) and $2, from pg_class.relpages (as of the last
/// VACUUM / ANALYZE) times the block size. Used by the cost guard to size full scans.
inline constexpr const char* kRelationBytesSql =
    "SELECT (c.relpages::int8 * current_setting('block_size')::int8) "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relname = $2";

/// Which of the functions a monitoring role should not be able to call this role can:
/// one row of booleans, in the order of kRiskyFunctions (postgres_connector.cpp).
inline constexpr const char* kRiskyPrivilegesSql =
    "SELECT has_function_privilege('pg_catalog.pg_notify(text, text)', 'EXECUTE'), "
    "has_function_privilege('pg_catalog.pg_try_advisory_lock(bigint)', 'EXECUTE'), "
    "has_function_privilege('pg_catalog.pg_advisory_lock(bigint)', 'EXECUTE'), "
    "(SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user)";

#undef FRESHGUARD_PG_TABLES_CTE
#undef FRESHGUARD_PG_RELKINDS

}  // namespace freshguard::pg
