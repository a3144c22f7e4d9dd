#pragma once
/// FreshGuard's own expression tree for a rule's `filter:`, and its rendering per dialect.
///
/// A filter is never sent as the user wrote it. security::parse_filter() turns the text into
/// this tree, admitting only the node kinds and functions listed here (the allowlist); the
/// connector resolves its column references against the catalog; render() then writes it in
/// the target dialect with that dialect's quoting, string-literal and function rules. So a
/// string that one engine's lexer would end early (`'x\'` on MySQL, `$a$` on SQLite) is a
/// value in the tree and a correctly escaped literal in the output: no text reaches an engine
/// as written. docs/SECURITY_HARDENING.md lists the grammar and each rendering.
///
/// Values are plain data; rendering is pure and thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <freshguard/sql/dialect.hpp>
#include <freshguard/sql/identifier.hpp>

namespace freshguard::sql {

enum class ExprKind {
  kNull,         ///< NULL
  kBool,         ///< TRUE / FALSE (`text` is "true" or "false")
  kInteger,      ///< a whole number; `text` holds its canonical decimal digits, maybe `-`
  kDecimal,      ///< a number with a fraction or exponent; `text` as validated digits
  kString,       ///< a string literal; `text` holds its value (any UTF-8 but NUL)
  kColumn,       ///< a column of the rule's table; `column`
  kUnary,        ///< `op` (kNot, kNeg) applied to args[0]
  kBinary,       ///< args[0] `op` args[1]
  kIsNull,       ///< args[0] IS [NOT] NULL
  kIsTrue,       ///< args[0] IS [NOT] TRUE; `bool_value` says TRUE or FALSE
  kIn,           ///< args[0] [NOT] IN (args[1..])
  kBetween,      ///< args[0] [NOT] BETWEEN args[1] AND args[2]
  kLike,         ///< args[0] [NOT] LIKE args[1]; `case_insensitive` for ILIKE
  kCase,         ///< CASE [args[0] when `has_operand`] WHEN .. THEN .. [ELSE ..] END
  kCast,         ///< CAST(args[0] AS `cast_type`)
  kFunction,     ///< `function`(args...)
  kCurrentDate,  ///< CURRENT_DATE
  kCurrentTime,  ///< CURRENT_TIMESTAMP, now()
  kLocalTime,    ///< LOCALTIMESTAMP
  kInterval,     ///< INTERVAL of `amount` `unit`s; only as the right side of + or -
};

enum class Op {
  kNone,
  kAnd,
  kOr,
  kNot,
  kNeg,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAdd,
  kSub,
  kMul,
  kDiv,
  kMod,
  kConcat,
};

/// The pure functions a filter may call. Each is rendered per dialect (see render()).
enum class Function {
  kLower,
  kUpper,
  kLength,
  kTrim,
  kLtrim,
  kRtrim,
  kSubstr,
  kReplace,
  kCoalesce,
  kNullif,
  kAbs,
  kRound,
  kGreatest,
  kLeast,
};

/// The plain types a filter may cast to.
enum class CastType {
  kText,
  kInteger,
  kNumeric,
  kDouble,
  kBoolean,
  kDate,
  kTimestamp,
  kTimestampTz
};

enum class IntervalUnit { kSecond, kMinute, kHour, kDay, kWeek, kMonth, kYear };

/// One node of a filter. Children are held by value; trees are small (the parser bounds
/// their size and depth).
struct Expr {
  ExprKind kind = ExprKind::kNull;
  std::string text;
  std::optional<Identifier> column;  ///< kColumn only
  Op op = Op::kNone;
  Function function = Function::kLower;
  CastType cast_type = CastType::kText;
  IntervalUnit unit = IntervalUnit::kDay;
  std::int64_t amount = 0;
  bool negated = false;           ///< NOT IN, NOT BETWEEN, NOT LIKE, IS NOT NULL/TRUE
  bool bool_value = false;        ///< kIsTrue: IS TRUE (true) or IS FALSE (false)
  bool case_insensitive = false;  ///< kLike: ILIKE
  bool has_operand = false;       ///< kCase: `CASE x WHEN ...` rather than `CASE WHEN ...`
  bool has_else = false;          ///< kCase: the last child is the ELSE result
  std::vector<Expr> args;
};

/// The function's name in a filter (lower case), e.g. "lower".
std::string_view function_name(Function f) noexcept;

/// Calls `fn` on every kColumn node (pre-order), which may rewrite its `column`.
template <class Fn>
void for_each_column(Expr& e, Fn&& fn) {
  if (e.kind == ExprKind::kColumn && e.column) fn(*e.column);
  for (auto& child : e.args)
    for_each_column(child, fn);
}

/// The expression as `dialect` must receive it. Throws QueryError when a construct has no
/// rendering in that dialect (e.g. a cast to boolean on MySQL), naming the construct.
std::string render(const Expr& e, const Dialect& dialect);

/// A string literal in `dialect`: `'...'` with the dialect's escaping (quotes doubled;
/// backslashes escaped where the dialect's lexer treats them as escapes; MySQL strings with
/// a backslash written as a hex literal, which no sql_mode can reinterpret).
std::string quote_string(std::string_view value, const Dialect& dialect);

}  // namespace freshguard::sql
