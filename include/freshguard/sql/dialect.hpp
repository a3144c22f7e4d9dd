#pragma once
/// Per-database quoting of identifiers. Identifiers are already validated, so quoting is a
/// second, independent wall: even an identifier holding a quote character (impossible after
/// validation) would be escaped by doubling it.

#include <string>
#include <string_view>

#include <freshguard/sql/identifier.hpp>

namespace freshguard::sql {

enum class DialectKind { kSqlite, kPostgres, kMysql, kDuckdb, kBigquery, kSnowflake };

/// Quoting rules of one SQL dialect. Immutable; thread-safe.
class Dialect {
 public:
  explicit constexpr Dialect(DialectKind kind) : kind_(kind) {}
  DialectKind kind() const noexcept { return kind_; }
  std::string_view name() const noexcept;

  /// `"name"` (SQLite, PostgreSQL, DuckDB, Snowflake) or `` `name` `` (MySQL, BigQuery).
  std::string quote(const Identifier& id) const;
  /// Each part quoted and joined with `.`.
  std::string quote(const QualifiedName& name) const;

 private:
  DialectKind kind_;
};

}  // namespace freshguard::sql
