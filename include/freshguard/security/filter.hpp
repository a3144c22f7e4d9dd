#pragma once
/// A rule's `filter:` parsed into FreshGuard's own expression tree (sql::Expr) against an
/// allowlist, with PostgreSQL's parser (libpg_query) as the front end.
///
/// What is admitted (everything else is a SecurityError naming the construct):
/// comparisons (= <> != < <= > >=), AND / OR / NOT, [NOT] IN (list), [NOT] BETWEEN,
/// [NOT] LIKE / ILIKE (without ESCAPE), IS [NOT] NULL, IS [NOT] TRUE / FALSE, arithmetic
/// (+ - * / %), string concatenation (||), CASE, casts to plain types (text, varchar, char,
/// integer types, numeric, decimal, real, double precision, boolean, date, timestamp,
/// timestamptz), literals (integers, decimals, strings, TRUE/FALSE, NULL), column references
/// of the rule's table (one unqualified name each), CURRENT_DATE, CURRENT_TIMESTAMP, now(),
/// LOCALTIMESTAMP, `<date or time> +/- INTERVAL 'N unit'` (and `CURRENT_DATE +/- N` days),
/// and the pure functions lower, upper, length / char_length, trim / btrim, ltrim, rtrim,
/// substr / substring, replace, coalesce, nullif, abs, round, greatest, least.
/// No subquery, table, parameter, aggregate, window, operator or function outside that list
/// can be expressed: the tree has no node for it.
///
/// Thread-safe (pure functions).

#include <cstddef>
#include <memory>
#include <string_view>

#include <freshguard/sql/expr.hpp>
#include <freshguard/sql/schema.hpp>

namespace freshguard::security {

/// Bounds of a filter, so a hostile one cannot exhaust memory or stack.
inline constexpr std::size_t kMaxFilterBytes = 8192;
inline constexpr std::size_t kMaxFilterNodes = 1000;
inline constexpr int kMaxFilterDepth = 64;

/// Parses `text` into an allowlisted tree. Throws SecurityError saying which construct is not
/// allowed (never echoing the text beyond a function or type name).
sql::Expr parse_filter(std::string_view text);

/// The filter's column references respelled as `schema` spells them (exact match first, else
/// a unique case-insensitive match). Throws QueryError naming the filter column that the table
/// does not have.
sql::Expr resolve_filter(sql::Expr filter, const TableSchema& schema);

/// parse_filter + resolve_filter; nullptr for an empty `text` (no filter).
std::shared_ptr<const sql::Expr> prepare_filter(std::string_view text, const TableSchema& schema);

}  // namespace freshguard::security
