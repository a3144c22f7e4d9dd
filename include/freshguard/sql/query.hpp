#pragma once
/// The data queries the engine generates, built from typed pieces and rendered per dialect.
///
/// A query is rendered twice: once in the connector's dialect (what is sent) and once in the
/// PostgreSQL form, which is what security::QueryAnalyzer parses. Both are rendered from the
/// same typed pieces (identifiers and a filter's allowlisted expression tree), so analysing
/// one analyses the other's structure.

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <freshguard/sql/dialect.hpp>
#include <freshguard/sql/expr.hpp>
#include <freshguard/sql/identifier.hpp>

namespace freshguard::sql {

enum class Aggregate { kCountAll, kMax, kMin };

/// `SELECT <aggregate> FROM [<catalog>.]<table> [WHERE <filter>]`: every data query of every
/// engine. A new kind of aggregate is a new Aggregate value rendered here, once.
struct AggregateQuery {
  Aggregate aggregate = Aggregate::kCountAll;
  /// The column of kMax / kMin (ignored by kCountAll), as the catalog spells it.
  std::optional<Identifier> column;
  /// The table as the catalog spells it, schema-qualified where the dialect has schemas.
  QualifiedName table;
  /// A rule's `filter:` as an allowlisted expression tree (security::parse_filter), its
  /// columns resolved against the table; null for none. Rendered per dialect, never as text.
  std::shared_ptr<const Expr> filter;
  /// The BigQuery project or Snowflake database the table lives in, rendered before the
  /// schema when not empty (a project id may hold hyphens: it is checked, then quoted).
  std::string catalog;

  /// The SQL text in `dialect`. Throws std::logic_error when kMax / kMin has no column, and
  /// QueryError when the filter uses a construct the dialect cannot express.
  std::string render(const Dialect& dialect) const;
};

/// The dialect whose rendering the analyser parses (PostgreSQL quoting).
inline constexpr Dialect kAnalysisDialect{DialectKind::kPostgres};

}  // namespace freshguard::sql
