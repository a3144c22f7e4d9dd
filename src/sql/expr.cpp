#include <cstdio>

#include <freshguard/core/error.hpp>
#include <freshguard/sql/expr.hpp>

namespace freshguard::sql {
namespace {

using K = DialectKind;

[[noreturn]] void unsupported(std::string_view what, const Dialect& d) {
  throw QueryError(std::string(what) + " is not supported in filters on " + std::string(d.name()));
}

std::string hex_byte(unsigned char c) {
  char buf[5];
  std::snprintf(buf, sizeof buf, "\\x%02x", c);
  return buf;
}

// Backslash-escaping dialects (BigQuery, Snowflake): `\` and control characters escaped;
// the quote itself as `quote_escape`.
std::string backslash_quoted(std::string_view v, std::string_view quote_escape) {
  std::string out = "'";
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\'') {
      out += quote_escape;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20 || u == 0x7f) {
      out += hex_byte(u);
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

std::string doubled(std::string_view v, bool backslash_too) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'') out += '\'';
    if (backslash_too && c == '\\') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

std::string mysql_hex(std::string_view v) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "_utf8mb4 X'";
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    out += kHex[u >> 4];
    out += kHex[u & 0xF];
  }
  out += '\'';
  return out;
}

std::string_view unit_word(IntervalUnit u) {
  switch (u) {
    case IntervalUnit::kSecond:
      return "SECOND";
    case IntervalUnit::kMinute:
      return "MINUTE";
    case IntervalUnit::kHour:
      return "HOUR";
    case IntervalUnit::kDay:
    case IntervalUnit::kWeek:  // rendered as 7 days everywhere
      return "DAY";
    case IntervalUnit::kMonth:
      return "MONTH";
    case IntervalUnit::kYear:
      return "YEAR";
  }
  return "DAY";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

class Renderer {
 public:
  explicit Renderer(const Dialect& d) : d_(d), k_(d.kind()) {}

  std::string expr(const Expr& e) const {
    switch (e.kind) {
      case ExprKind::kNull:
        return "NULL";
      case ExprKind::kBool:
        return e.text == "true" ? "TRUE" : "FALSE";
      case ExprKind::kInteger:
      case ExprKind::kDecimal:
        return !e.text.empty() && e.text[0] == '-' ? "(" + e.text + ")" : e.text;
      case ExprKind::kString:
        return quote_string(e.text, d_);
      case ExprKind::kColumn:
        return d_.quote(*e.column);
      case ExprKind::kUnary:
        return e.op == Op::kNot ? "(NOT " + expr(e.args[0]) + ")" : "(- " + expr(e.args[0]) + ")";
      case ExprKind::kBinary:
        return binary(e);
      case ExprKind::kIsNull:
        return "(" + expr(e.args[0]) + (e.negated ? " IS NOT NULL)" : " IS NULL)");
      case ExprKind::kIsTrue: {
        const std::string test = "COALESCE((" + expr(e.args[0]) + " = " +
                                 (e.bool_value ? "TRUE" : "FALSE") + "), FALSE)";
        return e.negated ? "(NOT " + test + ")" : test;
      }
      case ExprKind::kIn:
        return in_list(e);
      case ExprKind::kBetween:
        return "(" + expr(e.args[0]) + (e.negated ? " NOT BETWEEN " : " BETWEEN ") +
               expr(e.args[1]) + " AND " + expr(e.args[2]) + ")";
      case ExprKind::kLike: {
        const std::string lhs =
            e.case_insensitive ? "LOWER(" + expr(e.args[0]) + ")" : expr(e.args[0]);
        const std::string rhs =
            e.case_insensitive ? "LOWER(" + expr(e.args[1]) + ")" : expr(e.args[1]);
        return "(" + lhs + (e.negated ? " NOT LIKE " : " LIKE ") + rhs + ")";
      }
      case ExprKind::kCase:
        return case_expr(e);
      case ExprKind::kCast:
        return cast(e);
      case ExprKind::kFunction:
        return function(e);
      case ExprKind::kCurrentDate:
        return k_ == K::kBigquery || k_ == K::kSnowflake ? "CURRENT_DATE()" : "CURRENT_DATE";
      case ExprKind::kCurrentTime:
        return k_ == K::kBigquery || k_ == K::kSnowflake ? "CURRENT_TIMESTAMP()"
                                                         : "CURRENT_TIMESTAMP";
      case ExprKind::kLocalTime:
        return local_time();
      case ExprKind::kInterval:
        unsupported("an interval outside `<date or time> + / - INTERVAL`", d_);
    }
    unsupported("this expression", d_);
  }

 private:
  std::string local_time() const {
    switch (k_) {
      case K::kSqlite:
        return "datetime('now', 'localtime')";
      case K::kBigquery:
        return "CURRENT_DATETIME()";
      case K::kSnowflake:
        return "LOCALTIMESTAMP()";
      case K::kPostgres:
      case K::kMysql:
      case K::kDuckdb:
        break;
    }
    return "LOCALTIMESTAMP";
  }

  std::string join(const std::vector<Expr>& args, std::size_t from = 0) const {
    std::string out;
    for (std::size_t i = from; i < args.size(); ++i) {
      if (i > from) out += ", ";
      out += expr(args[i]);
    }
    return out;
  }

  std::string in_list(const Expr& e) const {
    return "(" + expr(e.args[0]) + (e.negated ? " NOT IN (" : " IN (") + join(e.args, 1) + "))";
  }

  std::string case_expr(const Expr& e) const {
    std::string out = "CASE";
    std::size_t i = 0;
    if (e.has_operand) out += " " + expr(e.args[i++]);
    const std::size_t end = e.has_else ? e.args.size() - 1 : e.args.size();
    for (; i + 1 < end; i += 2) {
      out += " WHEN " + expr(e.args[i]) + " THEN " + expr(e.args[i + 1]);
    }
    if (e.has_else) out += " ELSE " + expr(e.args.back());
    return out + " END";
  }

  // `base` moved by `sign * amount units`, in the dialect's date arithmetic.
  std::string shift(const Expr& base_expr, bool add, const Expr& iv) const {
    const std::string base = expr(base_expr);
    const std::int64_t n = iv.unit == IntervalUnit::kWeek ? iv.amount * 7 : iv.amount;
    const std::string unit(unit_word(iv.unit));
    const std::string count = std::to_string(n);
    const bool is_date =
        base_expr.kind == ExprKind::kCurrentDate ||
        (base_expr.kind == ExprKind::kCast && base_expr.cast_type == CastType::kDate);
    switch (k_) {
      case K::kSqlite: {
        const std::string modifier = (add ? "+" : "-") + count + " " + lower(unit) + "s";
        return std::string(is_date ? "date(" : "datetime(") + base + ", '" + modifier + "')";
      }
      case K::kSnowflake:
        return "DATEADD(" + unit + ", " + (add ? "" : "-") + count + ", " + base + ")";
      case K::kBigquery:
        if (is_date) {
          return std::string(add ? "DATE_ADD(" : "DATE_SUB(") + base + ", INTERVAL " + count + " " +
                 unit + ")";
        }
        [[fallthrough]];
      case K::kMysql:
      case K::kDuckdb:
        return "(" + base + (add ? " + " : " - ") + "INTERVAL " + count + " " + unit + ")";
      case K::kPostgres:
        break;
    }
    return "(" + base + (add ? " + " : " - ") + "INTERVAL '" + count + " " + lower(unit) + "')";
  }

  std::string binary(const Expr& e) const {
    const Expr& l = e.args[0];
    const Expr& r = e.args[1];
    if ((e.op == Op::kAdd || e.op == Op::kSub) && r.kind == ExprKind::kInterval) {
      return shift(l, e.op == Op::kAdd, r);
    }
    const auto infix = [&](std::string_view op) {
      return "(" + expr(l) + " " + std::string(op) + " " + expr(r) + ")";
    };
    switch (e.op) {
      case Op::kAnd:
        return infix("AND");
      case Op::kOr:
        return infix("OR");
      case Op::kEq:
        return infix("=");
      case Op::kNe:
        return infix("<>");
      case Op::kLt:
        return infix("<");
      case Op::kLe:
        return infix("<=");
      case Op::kGt:
        return infix(">");
      case Op::kGe:
        return infix(">=");
      case Op::kAdd:
        return infix("+");
      case Op::kSub:
        return infix("-");
      case Op::kMul:
        return infix("*");
      case Op::kDiv:
        return infix("/");
      case Op::kMod:
        return k_ == K::kBigquery ? "MOD(" + expr(l) + ", " + expr(r) + ")" : infix("%");
      case Op::kConcat:
        // MySQL reads || as OR unless PIPES_AS_CONCAT is set.
        return k_ == K::kMysql ? "CONCAT(" + expr(l) + ", " + expr(r) + ")" : infix("||");
      case Op::kNone:
      case Op::kNot:
      case Op::kNeg:
        break;
    }
    unsupported("this operator", d_);
  }

  std::string cast_type(CastType t) const {
    switch (t) {
      case CastType::kText:
        return k_ == K::kMysql      ? "CHAR"
               : k_ == K::kBigquery ? "STRING"
               : k_ == K::kPostgres ? "text"
               : k_ == K::kSqlite   ? "TEXT"
                                    : "VARCHAR";
      case CastType::kInteger:
        return k_ == K::kMysql       ? "SIGNED"
               : k_ == K::kBigquery  ? "INT64"
               : k_ == K::kSqlite    ? "INTEGER"
               : k_ == K::kSnowflake ? "NUMBER(38,0)"
                                     : "BIGINT";
      case CastType::kNumeric:
        return k_ == K::kBigquery    ? "NUMERIC"
               : k_ == K::kSqlite    ? "NUMERIC"
               : k_ == K::kPostgres  ? "numeric"
               : k_ == K::kSnowflake ? "NUMBER(38,10)"
                                     : "DECIMAL(38,10)";
      case CastType::kDouble:
        return k_ == K::kBigquery   ? "FLOAT64"
               : k_ == K::kSqlite   ? "REAL"
               : k_ == K::kPostgres ? "double precision"
                                    : "DOUBLE";
      case CastType::kBoolean:
        if (k_ == K::kMysql || k_ == K::kSqlite) unsupported("a cast to boolean", d_);
        return k_ == K::kBigquery ? "BOOL" : "BOOLEAN";
      case CastType::kDate:
        return "DATE";
      case CastType::kTimestamp:
        return k_ == K::kMysql       ? "DATETIME"
               : k_ == K::kBigquery  ? "DATETIME"
               : k_ == K::kSnowflake ? "TIMESTAMP_NTZ"
                                     : "TIMESTAMP";
      case CastType::kTimestampTz:
        if (k_ == K::kMysql) unsupported("a cast to timestamptz", d_);
        return k_ == K::kPostgres    ? "timestamptz"
               : k_ == K::kBigquery  ? "TIMESTAMP"
               : k_ == K::kSnowflake ? "TIMESTAMP_TZ"
                                     : "TIMESTAMPTZ";
    }
    return "TEXT";
  }

  std::string cast(const Expr& e) const {
    if (k_ == K::kSqlite) {
      // SQLite keeps dates and times as text: its date functions normalise them.
      if (e.cast_type == CastType::kDate) return "date(" + expr(e.args[0]) + ")";
      if (e.cast_type == CastType::kTimestamp || e.cast_type == CastType::kTimestampTz) {
        return "datetime(" + expr(e.args[0]) + ")";
      }
    }
    return "CAST(" + expr(e.args[0]) + " AS " + cast_type(e.cast_type) + ")";
  }

  std::string function(const Expr& e) const {
    std::string name(function_name(e.function));
    for (char& c : name)
      c = static_cast<char>(c - 'a' + 'A');  // names are lower-case ASCII letters only
    if (e.function == Function::kLength && k_ == K::kMysql) name = "CHAR_LENGTH";
    if (k_ == K::kSqlite && e.function == Function::kGreatest) name = "MAX";  // many-argument
    if (k_ == K::kSqlite && e.function == Function::kLeast) name = "MIN";     // max/min: scalar
    return name + "(" + join(e.args) + ")";
  }

  const Dialect& d_;
  DialectKind k_;
};

}  // namespace

std::string_view function_name(Function f) noexcept {
  switch (f) {
    case Function::kLower:
      return "lower";
    case Function::kUpper:
      return "upper";
    case Function::kLength:
      return "length";
    case Function::kTrim:
      return "trim";
    case Function::kLtrim:
      return "ltrim";
    case Function::kRtrim:
      return "rtrim";
    case Function::kSubstr:
      return "substr";
    case Function::kReplace:
      return "replace";
    case Function::kCoalesce:
      return "coalesce";
    case Function::kNullif:
      return "nullif";
    case Function::kAbs:
      return "abs";
    case Function::kRound:
      return "round";
    case Function::kGreatest:
      return "greatest";
    case Function::kLeast:
      return "least";
  }
  return "lower";
}

std::string quote_string(std::string_view value, const Dialect& dialect) {
  const bool backslash = value.find('\\') != std::string_view::npos;
  switch (dialect.kind()) {
    case K::kPostgres:
      // An E'' literal means the same whatever standard_conforming_strings says.
      return backslash ? "E" + doubled(value, true) : doubled(value, false);
    case K::kMysql:
      // A hex literal has no escapes for any sql_mode to reinterpret.
      return backslash ? mysql_hex(value) : doubled(value, false);
    case K::kBigquery:
      return backslash_quoted(value, "\\'");
    case K::kSnowflake:
      return backslash_quoted(value, "''");
    case K::kSqlite:
    case K::kDuckdb:
      break;
  }
  return doubled(value, false);
}

std::string render(const Expr& e, const Dialect& dialect) {
  return Renderer(dialect).expr(e);
}

}  // namespace freshguard::sql
