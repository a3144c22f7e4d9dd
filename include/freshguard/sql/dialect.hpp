#pragma once
/// Per-database quoting of identifiers. Identifiers are already validated, so quoting is a
/// second, independent wall: even an identifier holding a quote character (impossible after
/// validation) would be escaped by doubling it.

#include <string>
#include <string_view>

#include <freshguard/sql/identifier.hpp>

namespace freshguard::sql {

enum class DialectKind { kSqlite, kPostgres, kMysql, kDuckdb, kBigquery, kSnowflake };

/// A table as a rule names it in one dialect: `table`, `schema.table`, or for BigQuery also
/// `project.dataset.table`, where the project id may hold hyphens (`my-project-123`).
struct TableRef {
  /// BigQuery project id (6-30 lower-case letters, digits and hyphens, starting with a letter,
  /// not ending with a hyphen); empty otherwise.
  std::string project;
  QualifiedName name;
  /// `project.dataset.table`, `schema.table` or `table`, unquoted (for messages; never SQL).
  std::string display() const;
};

/// Quoting and naming rules of one SQL dialect. Immutable; thread-safe.
class Dialect {
 public:
  explicit constexpr Dialect(DialectKind kind) : kind_(kind) {}
  DialectKind kind() const noexcept { return kind_; }
  std::string_view name() const noexcept;

  /// `"name"` (SQLite, PostgreSQL, DuckDB, Snowflake) or `` `name` `` (MySQL, BigQuery).
  std::string quote(const Identifier& id) const;
  /// Each part quoted and joined with `.`.
  std::string quote(const QualifiedName& name) const;
  /// Each part quoted and joined with `.`; a BigQuery project id is quoted like a name.
  std::string quote(const TableRef& table) const;

  /// Longest identifier the database accepts, in bytes (identifiers are ASCII, so bytes are
  /// characters): PostgreSQL 63 (NAMEDATALEN - 1; longer names are silently truncated by the
  /// server, so they are refused here), MySQL 64; the others kMaxIdentifierLength (128).
  std::size_t max_identifier_length() const noexcept;

  /// Throws SecurityError when `id` is longer than max_identifier_length(). `what` names the
  /// role in the message ("column name").
  void check(const Identifier& id, std::string_view what) const;
  /// check() of every part.
  void check(const QualifiedName& name, std::string_view what = "table name") const;

  /// The name the database stores for `id` written without quotes: upper case on Snowflake,
  /// lower case on PostgreSQL, unchanged elsewhere (SQLite, DuckDB, MySQL and BigQuery keep
  /// the spelling, and compare table names by the server's own rules). Catalog resolution
  /// tries the exact spelling first and then a unique case-insensitive match, so a rule may
  /// write `orders` for Snowflake's `ORDERS`.
  Identifier fold_unquoted(const Identifier& id) const;

  /// Parses a table reference under this dialect's rules: identifier syntax, the length
  /// limit, and the parts it allows (`project.dataset.table` only on BigQuery). Throws
  /// SecurityError saying what is wrong without echoing the input.
  TableRef parse_table(std::string_view text, std::string_view what = "table name") const;

 private:
  DialectKind kind_;
};

}  // namespace freshguard::sql
