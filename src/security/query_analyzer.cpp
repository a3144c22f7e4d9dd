#include <algorithm>
#include <array>
#include <memory>

#include <nlohmann/json.hpp>
#include <pg_query.h>

#include <freshguard/core/error.hpp>
#include <freshguard/security/filter.hpp>
#include <freshguard/security/query_analyzer.hpp>

namespace freshguard::security {
namespace {

using nlohmann::json;

// Functions that sleep, touch the server's files, reach other servers, change server state,
// take locks, notify, read other tables as XML or run SQL given as text. Generated queries
// still pass this denylist; user SQL passes allowlists (filters: security/filter.hpp; the
// query() API: kQueryFunctions), so a function missing here is still refused there.
constexpr std::array<std::string_view, 55> kDeniedFunctions = {
    "pg_sleep",
    "pg_sleep_for",
    "pg_sleep_until",
    "pg_read_file",
    "pg_read_binary_file",
    "pg_ls_dir",
    "pg_stat_file",
    "pg_ls_logdir",
    "pg_ls_waldir",
    "lo_import",
    "lo_export",
    "lo_from_bytea",
    "lo_put",
    "dblink",
    "dblink_exec",
    "dblink_connect",
    "dblink_send_query",
    "pg_terminate_backend",
    "pg_cancel_backend",
    "pg_reload_conf",
    "pg_rotate_logfile",
    "set_config",
    "pg_advisory_lock",
    "pg_advisory_xact_lock",
    "pg_switch_wal",
    "pg_create_restore_point",
    "query_to_xml",
    "query_to_xmlschema",
    "query_to_xml_and_xmlschema",
    "pg_logical_emit_message",
    "pg_promote",
    "table_to_xml",
    "table_to_xmlschema",
    "table_to_xml_and_xmlschema",
    "database_to_xml",
    "database_to_xmlschema",
    "database_to_xml_and_xmlschema",
    "schema_to_xml",
    "schema_to_xmlschema",
    "schema_to_xml_and_xmlschema",
    "cursor_to_xml",
    "pg_notify",
    "pg_try_advisory_lock",
    "pg_try_advisory_lock_shared",
    "pg_advisory_lock_shared",
    "pg_try_advisory_xact_lock",
    "pg_try_advisory_xact_lock_shared",
    "pg_advisory_xact_lock_shared",
    "pg_advisory_unlock",
    "pg_advisory_unlock_all",
    "pg_advisory_unlock_shared",
    "txid_current",
    "pg_current_xact_id",
    "nextval",
    "setval",
};

// What the read-only query() API may call: aggregates, and pure functions of their arguments
// or of the clock. Sorted for binary search.
constexpr std::array<std::string_view, 62> kQueryFunctions = {
    "abs",
    "age",
    "array_agg",
    "avg",
    "bool_and",
    "bool_or",
    "btrim",
    "ceil",
    "ceiling",
    "char_length",
    "coalesce",
    "concat",
    "concat_ws",
    "count",
    "date_part",
    "date_trunc",
    "every",
    "extract",
    "floor",
    "greatest",
    "initcap",
    "least",
    "left",
    "length",
    "lower",
    "lpad",
    "ltrim",
    "make_date",
    "make_interval",
    "make_timestamp",
    "make_timestamptz",
    "max",
    "md5",
    "min",
    "mode",
    "now",
    "nullif",
    "octet_length",
    "percentile_cont",
    "percentile_disc",
    "position",
    "replace",
    "reverse",
    "right",
    "round",
    "rpad",
    "rtrim",
    "split_part",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "string_agg",
    "strpos",
    "substr",
    "substring",
    "sum",
    "timezone",
    "to_char",
    "to_date",
    "to_timestamp",
    "trunc",
    "upper",
};

// Statement node names as people know them.
std::string statement_kind(const std::string& node) {
  static const std::array<std::pair<std::string_view, std::string_view>, 12> kNames = {{
      {"SelectStmt", "SELECT"},
      {"InsertStmt", "INSERT"},
      {"UpdateStmt", "UPDATE"},
      {"DeleteStmt", "DELETE"},
      {"MergeStmt", "MERGE"},
      {"CopyStmt", "COPY"},
      {"CreateStmt", "CREATE TABLE"},
      {"DropStmt", "DROP"},
      {"TruncateStmt", "TRUNCATE"},
      {"VariableSetStmt", "SET"},
      {"DoStmt", "DO"},
      {"CallStmt", "CALL"},
  }};
  for (const auto& [k, v] : kNames) {
    if (node == k) return std::string(v);
  }
  std::string out = node;  // e.g. AlterTableStmt -> AlterTable
  if (out.size() > 4 && out.compare(out.size() - 4, 4, "Stmt") == 0) out.resize(out.size() - 4);
  return out;
}

struct ParseResult {
  PgQueryParseResult r;
  ~ParseResult() { pg_query_free_parse_result(r); }
};
struct FingerprintResult {
  PgQueryFingerprintResult r;
  ~FingerprintResult() { pg_query_free_fingerprint_result(r); }
};
struct NormalizeResult {
  PgQueryNormalizeResult r;
  ~NormalizeResult() { pg_query_free_normalize_result(r); }
};

std::string last_name(const json& names) {
  std::string out;
  if (!names.is_array() || names.empty()) return out;
  const json& last = names.back();
  if (last.contains("String")) out = last["String"].value("sval", "");
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Walks the parse tree, counting what the limits care about.
void walk(const json& node, QueryAnalysis& a) {
  if (node.is_array()) {
    for (const auto& child : node)
      walk(child, a);
    return;
  }
  if (!node.is_object()) return;
  for (const auto& [key, value] : node.items()) {
    if (key == "JoinExpr") {
      ++a.joins;
    } else if (key == "SubLink" || key == "RangeSubselect") {
      ++a.subqueries;
    } else if (key == "CommonTableExpr") {
      ++a.ctes;
    } else if (key == "FuncCall") {
      a.functions.push_back(last_name(value.value("funcname", json::array())));
    } else if (key == "RangeVar") {
      const std::string schema = value.value("schemaname", "");
      const std::string rel = value.value("relname", "");
      a.tables.push_back(schema.empty() ? rel : schema + "." + rel);
    } else if (key == "lockingClause") {
      a.locking_clause = true;
    } else if (key == "intoClause") {
      a.select_into = true;
    } else if (key == "SelectStmt" && value.value("op", "SETOP_NONE") != "SETOP_NONE") {
      ++a.set_operations;  // only a SelectStmt's op is a set operation (not SQLValueFunction's)
    } else if (key == "fromClause" && value.is_array() && value.size() > 1) {
      a.joins += static_cast<int>(value.size()) - 1;  // FROM a, b is a join too
    }
    walk(value, a);
  }
}

[[noreturn]] void reject(const std::string& why) {
  throw SecurityError("query rejected: " + why);
}

// True when `s` is well-formed UTF-8 (no overlong forms, surrogates or stray bytes).
bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    unsigned min = 0;
    unsigned cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      extra = 1, min = 0x80, cp = c & 0x1Fu;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, min = 0x800, cp = c & 0x0Fu;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, min = 0x10000, cp = c & 0x07u;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

}  // namespace

bool is_allowed_query_function(std::string_view name) noexcept {
  return std::binary_search(kQueryFunctions.begin(), kQueryFunctions.end(), name);
}

bool is_denied_function(std::string_view name) noexcept {
  return std::find(kDeniedFunctions.begin(), kDeniedFunctions.end(), name) !=
         kDeniedFunctions.end();
}

QueryAnalyzer::QueryAnalyzer(AnalyzerLimits limits) : limits_(std::move(limits)) {}

void check_sql_text(std::string_view sql) {
  if (sql.find('\0') != std::string_view::npos) reject("it contains a NUL byte");
  if (!valid_utf8(sql)) reject("it is not valid UTF-8");
}

QueryAnalysis QueryAnalyzer::analyze(std::string_view sql) const {
  check_sql_text(sql);
  const std::string text(sql);
  ParseResult parsed{pg_query_parse(text.c_str())};
  if (parsed.r.error != nullptr) {
    reject("it does not parse as SQL (error at character " +
           std::to_string(parsed.r.error->cursorpos) + ")");
  }
  const json tree = json::parse(parsed.r.parse_tree);
  QueryAnalysis a;
  const json& stmts = tree.value("stmts", json::array());
  a.statements = static_cast<int>(stmts.size());
  if (!stmts.empty()) {
    const json& first = stmts[0]["stmt"];
    if (first.is_object() && !first.empty()) a.statement_kind = statement_kind(first.begin().key());
  }
  walk(stmts, a);
  FingerprintResult fp{pg_query_fingerprint(text.c_str())};
  if (fp.r.error == nullptr && fp.r.fingerprint_str != nullptr)
    a.fingerprint = fp.r.fingerprint_str;
  NormalizeResult norm{pg_query_normalize(text.c_str())};
  if (norm.r.error == nullptr && norm.r.normalized_query != nullptr) {
    a.normalized = norm.r.normalized_query;
  }
  return a;
}

QueryAnalysis QueryAnalyzer::check(std::string_view sql) const {
  QueryAnalysis a = analyze(sql);
  if (a.statements != 1) {
    reject("exactly one statement is allowed, found " + std::to_string(a.statements));
  }
  if (a.statement_kind != "SELECT") reject("only SELECT is allowed, found " + a.statement_kind);
  if (a.select_into) reject("SELECT ... INTO is not allowed");
  if (a.locking_clause) reject("locking clauses (FOR UPDATE, FOR SHARE) are not allowed");
  for (const auto& f : a.functions) {
    const bool extra = std::find(limits_.denied_functions.begin(), limits_.denied_functions.end(),
                                 f) != limits_.denied_functions.end();
    if (is_denied_function(f) || extra) reject("function " + f + "() is not allowed");
  }
  if (a.joins > limits_.max_joins) {
    reject(std::to_string(a.joins) + " joins exceed the limit of " +
           std::to_string(limits_.max_joins));
  }
  if (a.subqueries > 0 && !limits_.allow_subqueries) {
    reject("subqueries need explicit approval (allow_subqueries)");
  }
  if (a.set_operations > 0 && !limits_.allow_set_operations) {
    reject("UNION, INTERSECT and EXCEPT need explicit approval (allow_set_operations)");
  }
  if (a.ctes > limits_.max_ctes) {
    reject(std::to_string(a.ctes) + " common table expressions exceed the limit of " +
           std::to_string(limits_.max_ctes));
  }
  return a;
}

QueryAnalysis QueryAnalyzer::check_read_query(std::string_view sql) const {
  QueryAnalysis a = check(sql);
  for (const auto& f : a.functions) {
    if (!is_allowed_query_function(f)) {
      reject("function " + f.substr(0, 64) +
             "() is not on the allowlist of the query API (docs/SECURITY_HARDENING.md)");
    }
  }
  return a;
}

void QueryAnalyzer::check_filter(std::string_view expression) const {
  (void)parse_filter(expression);
}

}  // namespace freshguard::security
