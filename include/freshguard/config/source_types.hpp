#pragma once
/// The one table of source types: what each type of source is (its name in a config, its
/// SQL dialect, its default port, what it can do) and the naming facts a data query needs
/// (the schema of unqualified names, the project or database before the schema). Config
/// loading, validation, explain and the connector factory all read it from here.

#include <array>
#include <string>
#include <string_view>

#include <freshguard/config/config.hpp>
#include <freshguard/sql/dialect.hpp>

namespace freshguard::config {

struct SourceTypeInfo {
  SourceType type;
  std::string_view name;  ///< as a config writes it: `postgres`, `bigquery`, ...
  sql::DialectKind dialect;
  int default_port;  ///< 0 for types without a port
  /// Freshness without a timestamp column, from catalog metadata (the `catalog` method).
  bool catalog_freshness;
};

inline constexpr std::array<SourceTypeInfo, 6> kSourceTypes{{
    {SourceType::kPostgres, "postgres", sql::DialectKind::kPostgres, 5432, false},
    {SourceType::kMysql, "mysql", sql::DialectKind::kMysql, 3306, false},
    {SourceType::kSqlite, "sqlite", sql::DialectKind::kSqlite, 0, false},
    {SourceType::kDuckdb, "duckdb", sql::DialectKind::kDuckdb, 0, false},
    {SourceType::kBigquery, "bigquery", sql::DialectKind::kBigquery, 0, true},
    {SourceType::kSnowflake, "snowflake", sql::DialectKind::kSnowflake, 0, true},
}};

/// The row of `type`.
constexpr const SourceTypeInfo& source_type_info(SourceType type) noexcept {
  return kSourceTypes[static_cast<std::size_t>(type)];
}

/// The dialect of `type`.
constexpr sql::Dialect dialect_of(SourceType type) noexcept {
  return sql::Dialect(source_type_info(type).dialect);
}

/// The port `source` connects to: its own, else its type's default.
int port_of(const SourceConfig& source) noexcept;

/// The schema unqualified table names mean on `source`, as its connector fills it in:
/// PostgreSQL's `schema` (default `public`), MySQL's `schema` else its `database`, the
/// BigQuery `dataset`, Snowflake's `schema` (default `PUBLIC`, folded to upper case unless
/// quoted), `main` for SQLite and DuckDB.
std::string default_schema(const SourceConfig& source);

/// The project or database a data query names before the schema: the BigQuery `project`,
/// the Snowflake `database` (folded like the connector folds it); empty for the others.
std::string catalog_name(const SourceConfig& source);

}  // namespace freshguard::config
