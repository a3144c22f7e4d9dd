#include <algorithm>
#include <array>
#include <charconv>
#include <string>

#include <nlohmann/json.hpp>
#include <pg_query.h>

#include <freshguard/core/error.hpp>
#include <freshguard/security/filter.hpp>
#include <freshguard/security/query_analyzer.hpp>

#include "security/filter_lexicon.hpp"

namespace freshguard::security {
namespace {

using nlohmann::json;
using sql::Expr;
using sql::ExprKind;
using sql::Op;

constexpr std::string_view kPrefix = "SELECT 1 WHERE (";
constexpr std::int64_t kMaxIntervalUnits = 1000000;

[[noreturn]] void reject(const std::string& why) {
  throw SecurityError("filter rejected: " + why);
}

struct ParseResult {
  PgQueryParseResult r;
  ~ParseResult() { pg_query_free_parse_result(r); }
};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// The names of a `funcname` / `typeName.names` list: the last one, lower case, and whether a
// qualifier other than pg_catalog came before it.
std::string plain_name(const json& names, bool& foreign_schema) {
  foreign_schema = false;
  std::string out;
  if (!names.is_array() || names.empty()) return out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    const std::string part =
        names[i].contains("String") ? names[i]["String"].value("sval", "") : "";
    if (i + 1 < names.size()) {
      if (lower(part) != "pg_catalog") foreign_schema = true;
    } else {
      out = lower(part);
    }
  }
  return out;
}

// Only `allowed` keys (plus "location") may appear in `node`: a field the converter does not
// read (ESCAPE, ORDER BY inside a call, FILTER, OVER, ...) is refused, never ignored.
void only_keys(const json& node, std::initializer_list<std::string_view> allowed,
               std::string_view what) {
  for (const auto& [key, value] : node.items()) {
    if (key == "location") continue;
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      reject(std::string(what) + " with " + key + " is not allowed");
    }
  }
}

class Converter {
 public:
  explicit Converter(std::string_view source) : source_(source) {}

  Expr node(const json& n, int depth) {
    if (++nodes_ > kMaxFilterNodes) {
      reject("it has more than " + std::to_string(kMaxFilterNodes) + " parts");
    }
    if (depth > kMaxFilterDepth) reject("it nests deeper than " + std::to_string(kMaxFilterDepth));
    if (!n.is_object() || n.size() != 1) reject("it has an unexpected shape");
    const auto first = n.begin();
    const std::string kind = first.key();
    const json& v = first.value();
    if (kind == "A_Const") return constant(v);
    if (kind == "ColumnRef") return column(v);
    if (kind == "A_Expr") return a_expr(v, depth);
    if (kind == "BoolExpr") return bool_expr(v, depth);
    if (kind == "NullTest") return null_test(v, depth);
    if (kind == "BooleanTest") return boolean_test(v, depth);
    if (kind == "TypeCast") return type_cast(v, depth);
    if (kind == "FuncCall") return func_call(v, depth);
    if (kind == "CoalesceExpr") return variadic(v, sql::Function::kCoalesce, depth);
    if (kind == "MinMaxExpr") {
      const std::string op = v.value("op", "");
      return variadic(v, op == "IS_LEAST" ? sql::Function::kLeast : sql::Function::kGreatest,
                      depth);
    }
    if (kind == "CaseExpr") return case_expr(v, depth);
    if (kind == "SQLValueFunction") return value_function(v);
    if (kind == "SubLink") reject("subqueries are not allowed in a filter");
    if (kind == "ParamRef") reject("parameters ($1) are not allowed in a filter");
    reject(describe(kind) + " is not allowed in a filter");
  }

 private:
  static std::string describe(const std::string& kind) {
    if (kind == "A_ArrayExpr" || kind == "A_Indirection") return "an array expression";
    if (kind == "CollateClause") return "COLLATE";
    if (kind == "RowExpr") return "a row expression";
    return "this construct (" + kind + ")";
  }

  // PostgreSQL's JSON output omits a zero integer and, in this libpg_query version, drops the
  // value of a negative one; the literal's own text (at its location) is the source of truth.
  std::string integer_text(const json& v) {
    const int loc = v.value("location", -1);
    if (loc < 0 || static_cast<std::size_t>(loc) >= source_.size())
      reject("a number has no position");
    std::string_view s = source_.substr(static_cast<std::size_t>(loc));
    std::string out;
    if (!s.empty() && s[0] == '-') {
      out = "-";
      s.remove_prefix(1);
      while (!s.empty() && (s[0] == ' ' || s[0] == '\t' || s[0] == '\n' || s[0] == '\r'))
        s.remove_prefix(1);
    }
    const auto end = std::find_if(s.begin(), s.end(), [](char c) { return c < '0' || c > '9'; });
    const std::string digits(s.begin(), end);
    if (digits.empty()) reject("a number could not be read");
    std::int64_t value = 0;
    const std::string full = out + digits;
    const auto res = std::from_chars(full.data(), full.data() + full.size(), value);
    if (res.ec != std::errc()) reject("a number is out of range");
    const json& iv = v["ival"];
    if (iv.contains("ival") && iv["ival"].get<std::int64_t>() != value) {
      reject("a number could not be read");
    }
    return std::to_string(value);
  }

  Expr constant(const json& v) {
    only_keys(v, {"ival", "fval", "sval", "boolval", "isnull", "bsval"}, "a constant");
    Expr e;
    if (v.value("isnull", false)) {
      e.kind = ExprKind::kNull;
    } else if (v.contains("ival")) {
      e.kind = ExprKind::kInteger;
      e.text = integer_text(v);
    } else if (v.contains("fval")) {
      e.kind = ExprKind::kDecimal;
      e.text = v["fval"].value("fval", "");
      if (!is_decimal_literal(e.text)) reject("a number could not be read");
    } else if (v.contains("sval")) {
      e.kind = ExprKind::kString;
      e.text = v["sval"].value("sval", "");
      if (e.text.find('\0') != std::string::npos) reject("a string holds a NUL character");
    } else if (v.contains("boolval")) {
      e.kind = ExprKind::kBool;
      e.text = v["boolval"].value("boolval", false) ? "true" : "false";
    } else {
      reject("bit-string constants are not allowed in a filter");
    }
    return e;
  }

  static Expr column(const json& v) {
    only_keys(v, {"fields"}, "a column reference");
    const json fields = v.value("fields", json::array());
    if (fields.size() != 1 || !fields[0].contains("String")) {
      reject("a column must be named alone (no table prefix, no *)");
    }
    Expr e;
    e.kind = ExprKind::kColumn;
    e.column = sql::Identifier::parse(fields[0]["String"].value("sval", ""), "filter column name");
    return e;
  }

  Expr child(const json& v, std::string_view key, int depth) {
    if (!v.contains(key)) reject("an operand is missing");
    return node(v[std::string(key)], depth + 1);
  }

  std::vector<Expr> list(const json& v, int depth) {
    if (!v.is_object() || !v.contains("List")) reject("a list was expected");
    std::vector<Expr> out;
    for (const auto& item : v["List"].value("items", json::array()))
      out.push_back(node(item, depth + 1));
    return out;
  }

  static Op operator_of(const json& v) {
    bool foreign = false;
    const std::string name = plain_name(v.value("name", json::array()), foreign);
    if (const auto op = filter_operator(name); op && !foreign) return *op;
    reject("the operator " + name.substr(0, 8) + " is not allowed in a filter");
  }

  Expr a_expr(const json& v, int depth) {
    only_keys(v, {"kind", "name", "lexpr", "rexpr"}, "an operator");
    const std::string kind = v.value("kind", "");
    Expr e;
    if (kind == "AEXPR_OP") {
      const Op op = operator_of(v);
      if (!v.contains("lexpr")) {  // unary
        if (op != Op::kSub && op != Op::kAdd) reject("a prefix operator is not allowed");
        Expr arg = child(v, "rexpr", depth);
        if (op == Op::kAdd) return arg;
        if (arg.kind == ExprKind::kInteger || arg.kind == ExprKind::kDecimal) {
          // `- +1` is the number -1, as PostgreSQL folds `-1` itself: one spelling per value.
          if (!arg.text.empty() && arg.text[0] == '-') {
            arg.text.erase(0, 1);
          } else if (arg.text != "0") {
            arg.text.insert(0, "-");
          }
          return arg;
        }
        e.kind = ExprKind::kUnary;
        e.op = Op::kNeg;
        e.args.push_back(std::move(arg));
        return e;
      }
      e.kind = ExprKind::kBinary;
      e.op = op;
      e.args.push_back(child(v, "lexpr", depth));
      e.args.push_back(child(v, "rexpr", depth));
      return date_arithmetic(std::move(e));
    }
    if (kind == "AEXPR_IN") {
      e.kind = ExprKind::kIn;
      e.negated = operator_of(v) == Op::kNe;
      e.args.push_back(child(v, "lexpr", depth));
      if (!v.contains("rexpr")) reject("an IN list is missing");
      for (auto& item : list(v["rexpr"], depth))
        e.args.push_back(std::move(item));
      return e;
    }
    if (kind == "AEXPR_BETWEEN" || kind == "AEXPR_NOT_BETWEEN") {
      e.kind = ExprKind::kBetween;
      e.negated = kind == "AEXPR_NOT_BETWEEN";
      e.args.push_back(child(v, "lexpr", depth));
      if (!v.contains("rexpr")) reject("a BETWEEN range is missing");
      auto range = list(v["rexpr"], depth);
      if (range.size() != 2) reject("BETWEEN needs two bounds");
      for (auto& b : range)
        e.args.push_back(std::move(b));
      return e;
    }
    if (kind == "AEXPR_LIKE" || kind == "AEXPR_ILIKE") {
      bool foreign = false;
      const std::string name = plain_name(v.value("name", json::array()), foreign);
      e.kind = ExprKind::kLike;
      e.case_insensitive = kind == "AEXPR_ILIKE";
      e.negated = !name.empty() && name[0] == '!';
      e.args.push_back(child(v, "lexpr", depth));
      e.args.push_back(child(v, "rexpr", depth));  // LIKE .. ESCAPE is a FuncCall: refused there
      return e;
    }
    if (kind == "AEXPR_NULLIF") {
      e.kind = ExprKind::kFunction;
      e.function = sql::Function::kNullif;
      e.args.push_back(child(v, "lexpr", depth));
      e.args.push_back(child(v, "rexpr", depth));
      return e;
    }
    reject("this comparison (" + kind.substr(0, 24) + ") is not allowed in a filter");
  }

  // `CURRENT_DATE +/- N` means N days (PostgreSQL's date arithmetic); every dialect gets it
  // spelled as an interval so that MySQL does not read it as a number.
  static Expr date_arithmetic(Expr e) {
    if ((e.op == Op::kAdd || e.op == Op::kSub) && e.args[0].kind == ExprKind::kCurrentDate &&
        e.args[1].kind == ExprKind::kInteger) {
      Expr iv;
      iv.kind = ExprKind::kInterval;
      iv.unit = sql::IntervalUnit::kDay;
      iv.amount = std::stoll(e.args[1].text);
      if (iv.amount < 0 || iv.amount > kMaxIntervalUnits) {
        reject("CURRENT_DATE +/- N needs N from 0 to " + std::to_string(kMaxIntervalUnits));
      }
      e.args[1] = std::move(iv);
    }
    if (e.args[0].kind == ExprKind::kInterval ||
        (e.args[1].kind == ExprKind::kInterval && e.op != Op::kAdd && e.op != Op::kSub)) {
      reject("an interval may only be added to or subtracted from a date or time");
    }
    return e;
  }

  Expr bool_expr(const json& v, int depth) {
    only_keys(v, {"boolop", "args"}, "a boolean expression");
    const std::string op = v.value("boolop", "");
    std::vector<Expr> args;
    for (const auto& a : v.value("args", json::array()))
      args.push_back(node(a, depth + 1));
    if (op == "NOT_EXPR") {
      if (args.size() != 1) reject("NOT takes one operand");
      Expr e;
      e.kind = ExprKind::kUnary;
      e.op = Op::kNot;
      e.args = std::move(args);
      return e;
    }
    if (args.size() < 2 || (op != "AND_EXPR" && op != "OR_EXPR"))
      reject("a boolean operator is malformed");
    // AND / OR lists become left-deep binary nodes.
    Expr acc = std::move(args[0]);
    for (std::size_t i = 1; i < args.size(); ++i) {
      Expr e;
      e.kind = ExprKind::kBinary;
      e.op = op == "AND_EXPR" ? Op::kAnd : Op::kOr;
      e.args.push_back(std::move(acc));
      e.args.push_back(std::move(args[i]));
      acc = std::move(e);
    }
    return acc;
  }

  Expr null_test(const json& v, int depth) {
    only_keys(v, {"arg", "nulltesttype", "argisrow"}, "IS NULL");
    if (v.value("argisrow", false)) reject("row tests are not allowed in a filter");
    Expr e;
    e.kind = ExprKind::kIsNull;
    e.negated = v.value("nulltesttype", "") == "IS_NOT_NULL";
    e.args.push_back(child(v, "arg", depth));
    return e;
  }

  Expr boolean_test(const json& v, int depth) {
    only_keys(v, {"arg", "booltesttype"}, "IS TRUE");
    const std::string t = v.value("booltesttype", "");
    Expr e;
    e.kind = ExprKind::kIsTrue;
    if (t == "IS_TRUE" || t == "IS_NOT_TRUE") {
      e.bool_value = true;
    } else if (t != "IS_FALSE" && t != "IS_NOT_FALSE") {
      reject("IS UNKNOWN is not allowed in a filter");
    }
    e.negated = t == "IS_NOT_TRUE" || t == "IS_NOT_FALSE";
    e.args.push_back(child(v, "arg", depth));
    return e;
  }

  Expr type_cast(const json& v, int depth) {
    only_keys(v, {"arg", "typeName"}, "a cast");
    const json tn = v.value("typeName", json::object());
    only_keys(tn, {"names", "typmods", "typemod"}, "a cast");
    bool foreign = false;
    const std::string name = plain_name(tn.value("names", json::array()), foreign);
    if (foreign) reject("casts to types outside pg_catalog are not allowed");
    if (name == "interval") return interval(v, tn);
    if (const auto type = filter_cast_type(name)) {
      Expr e;
      e.kind = ExprKind::kCast;
      e.cast_type = *type;
      e.args.push_back(child(v, "arg", depth));
      return e;
    }
    reject("a cast to " + name.substr(0, 32) + " is not allowed in a filter");
  }

  // INTERVAL 'N unit' (the only interval form): N a whole number, unit one of second, minute,
  // hour, day, week, month, year (or their plurals).
  static Expr interval(const json& v, const json& tn) {
    if (tn.contains("typmods")) reject("write an interval as INTERVAL 'N unit', e.g. '7 days'");
    const json arg = v.value("arg", json::object());
    if (!arg.contains("A_Const") || !arg["A_Const"].contains("sval")) {
      reject("write an interval as INTERVAL 'N unit', e.g. '7 days'");
    }
    const std::string text = lower(arg["A_Const"]["sval"].value("sval", ""));
    const auto space = text.find(' ');
    if (space == std::string::npos) reject("write an interval as INTERVAL 'N unit', e.g. '7 days'");
    std::string number = text.substr(0, space);
    std::string unit = text.substr(space + 1);
    if (!unit.empty() && unit.back() == 's') unit.pop_back();
    std::int64_t n = 0;
    const auto res = std::from_chars(number.data(), number.data() + number.size(), n);
    if (res.ec != std::errc() || res.ptr != number.data() + number.size() || n < 0 ||
        n > kMaxIntervalUnits) {
      reject("an interval needs a whole number of units from 0 to " +
             std::to_string(kMaxIntervalUnits));
    }
    if (unit == "week" && n > kMaxIntervalUnits / 7) {
      reject("an interval of weeks must be at most " + std::to_string(kMaxIntervalUnits / 7));
    }
    if (const auto u = filter_interval_unit(unit)) {
      Expr e;
      e.kind = ExprKind::kInterval;
      e.unit = *u;
      e.amount = n;
      return e;
    }
    reject("an interval unit must be second, minute, hour, day, week, month or year");
  }

  Expr func_call(const json& v, int depth) {
    bool foreign = false;
    const std::string name = plain_name(v.value("funcname", json::array()), foreign);
    if (foreign) reject("functions outside pg_catalog are not allowed in a filter");
    const FilterFunction* known = filter_function(name);
    if (known == nullptr && name != "now") {
      reject("function " + name.substr(0, 64) +
             "() is not allowed in a filter (see the function list in "
             "docs/SECURITY_HARDENING.md)");
    }
    only_keys(v, {"funcname", "args", "funcformat"}, "a function call");
    std::vector<Expr> args;
    for (const auto& a : v.value("args", json::array()))
      args.push_back(node(a, depth + 1));
    Expr e;
    if (known == nullptr) {  // now()
      if (!args.empty()) reject("function now() takes no arguments");
      e.kind = ExprKind::kCurrentTime;
      return e;
    }
    if (args.size() < known->min_args || args.size() > known->max_args) {
      reject("function " + name + "() takes " + std::to_string(known->min_args) +
             (known->min_args == known->max_args ? "" : " to " + std::to_string(known->max_args)) +
             " arguments");
    }
    if (known->fn == sql::Function::kReplace) check_replace(args);
    e.kind = ExprKind::kFunction;
    e.function = known->fn;
    e.args = std::move(args);
    return e;
  }

  // replace() may shrink or keep a value, never grow it: nested, a growing replace multiplies
  // a value's length at each level (8 levels of 'a' -> 'aaaaaaaa' make 16 million times the
  // row), and an embedded engine would evaluate that inside one uninterruptible expression.
  static void check_replace(const std::vector<Expr>& args) {
    if (args[1].kind != ExprKind::kString || args[2].kind != ExprKind::kString ||
        args[1].text.empty() || args[2].text.size() > args[1].text.size()) {
      reject("replace(x, 'from', 'to') needs string literals with 'to' no longer than 'from'");
    }
  }

  Expr variadic(const json& v, sql::Function fn, int depth) {
    only_keys(v, {"args", "op"}, "a function call");
    Expr e;
    e.kind = ExprKind::kFunction;
    e.function = fn;
    for (const auto& a : v.value("args", json::array()))
      e.args.push_back(node(a, depth + 1));
    if (e.args.size() < (fn == sql::Function::kCoalesce ? 1U : 2U)) {
      reject("function " + std::string(sql::function_name(fn)) + "() needs more arguments");
    }
    return e;
  }

  Expr case_expr(const json& v, int depth) {
    only_keys(v, {"arg", "args", "defresult"}, "CASE");
    Expr e;
    e.kind = ExprKind::kCase;
    if (v.contains("arg")) {
      e.has_operand = true;
      e.args.push_back(child(v, "arg", depth));
    }
    for (const auto& w : v.value("args", json::array())) {
      if (!w.contains("CaseWhen")) reject("CASE is malformed");
      const json& cw = w["CaseWhen"];
      only_keys(cw, {"expr", "result"}, "CASE");
      e.args.push_back(child(cw, "expr", depth));
      e.args.push_back(child(cw, "result", depth));
    }
    if (v.contains("defresult")) {
      e.has_else = true;
      e.args.push_back(child(v, "defresult", depth));
    }
    return e;
  }

  static Expr value_function(const json& v) {
    const std::string op = v.value("op", "");
    Expr e;
    if (op == "SVFOP_CURRENT_DATE") {
      e.kind = ExprKind::kCurrentDate;
    } else if (op == "SVFOP_CURRENT_TIMESTAMP") {
      e.kind = ExprKind::kCurrentTime;
    } else if (op == "SVFOP_LOCALTIMESTAMP") {
      e.kind = ExprKind::kLocalTime;
    } else {
      reject(
          "only CURRENT_DATE, CURRENT_TIMESTAMP and LOCALTIMESTAMP are allowed (without a "
          "precision)");
    }
    return e;
  }

  std::string_view source_;
  std::size_t nodes_ = 0;
};

// The one WHERE clause of `SELECT 1 WHERE (<filter>)`, or a rejection when the text changed
// the statement's shape (closed the parenthesis and added clauses, statements, set operations).
json where_clause(const json& tree) {
  const json stmts = tree.value("stmts", json::array());
  if (stmts.size() != 1) reject("it must be one expression");
  const json stmt = stmts[0].value("stmt", json::object());
  if (!stmt.contains("SelectStmt")) reject("it must be one expression");
  const json& sel = stmt["SelectStmt"];
  for (const auto& [key, value] : sel.items()) {
    if (key == "targetList" || key == "whereClause") continue;
    if (key == "limitOption" && value == "LIMIT_OPTION_DEFAULT") continue;
    if (key == "op" && value == "SETOP_NONE") continue;
    reject("it must be one expression, not a query");
  }
  if (sel.value("targetList", json::array()).size() != 1 || !sel.contains("whereClause")) {
    reject("it must be one expression, not a query");
  }
  return sel["whereClause"];
}

// An interval is only a value to shift a date or time by: the right side of + or -. Anywhere
// else (negated, in a function, a list, a CASE, a comparison) no dialect can express it.
void check_intervals(const Expr& e, bool shift_operand) {
  if (e.kind == ExprKind::kInterval && !shift_operand) {
    reject("an interval may only be added to or subtracted from a date or time");
  }
  const bool shift = e.kind == ExprKind::kBinary && (e.op == Op::kAdd || e.op == Op::kSub);
  for (std::size_t i = 0; i < e.args.size(); ++i)
    check_intervals(e.args[i], shift && i == 1);
}

}  // namespace

sql::Expr parse_filter(std::string_view text) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) reject("it is empty");
  if (text.size() > kMaxFilterBytes) {
    reject("it is longer than " + std::to_string(kMaxFilterBytes) + " bytes");
  }
  check_sql_text(text);  // no NUL byte, valid UTF-8
  const std::string wrapped = std::string(kPrefix) + std::string(text) + ")";
  ParseResult parsed{pg_query_parse(wrapped.c_str())};
  if (parsed.r.error != nullptr) {
    const int pos = parsed.r.error->cursorpos - static_cast<int>(kPrefix.size());
    reject("it does not parse as a SQL expression (error near character " +
           std::to_string(std::max(pos, 1)) + ")");
  }
  const json tree = json::parse(parsed.r.parse_tree);
  Converter conv(wrapped);
  Expr filter = conv.node(where_clause(tree), 0);
  check_intervals(filter, false);
  return filter;
}

sql::Expr resolve_filter(sql::Expr filter, const TableSchema& schema) {
  sql::for_each_column(filter, [&](sql::Identifier& column) {
    const ColumnInfo* c = schema.find_column(column.str());
    if (c == nullptr) {
      throw QueryError("filter column \"" + column.str() + "\" not found in " +
                       schema.table.display());
    }
    column = sql::Identifier::parse(c->name, "column name");
  });
  return filter;
}

std::shared_ptr<const sql::Expr> prepare_filter(std::string_view text, const TableSchema& schema) {
  if (text.empty()) return nullptr;
  return std::make_shared<const sql::Expr>(resolve_filter(parse_filter(text), schema));
}

}  // namespace freshguard::security
