#pragma once
/// Query analysis with PostgreSQL's own parser (libpg_query), not regular expressions.
///
/// Every query the engine issues, and every piece of SQL a user supplies (a rule's `filter:`,
/// the library's read-only `query()`), passes through check() or check_filter() before it is
/// sent. The rules: exactly one statement; only SELECT (no DDL or DML, no COPY, no
/// SELECT ... INTO, no locking clauses such as FOR UPDATE); no function from the denylist
/// (pg_sleep, pg_read_file, lo_import, dblink, pg_terminate_backend, ...); and joins,
/// subqueries, set operations (UNION, INTERSECT, EXCEPT) and CTEs within the limits.
/// Rejections are SecurityErrors that state the reason without echoing the query.
///
/// The parser is PostgreSQL's grammar; the generated queries of other dialects are written in
/// the common subset, and each connector decides whether its dialect is analysed.
/// Thread-safe: the analyser holds only its immutable limits.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace freshguard::security {

/// Limits of check(). Defaults follow the hardening plan.
struct AnalyzerLimits {
  /// Most joins (explicit JOINs plus implicit comma joins). Default 10.
  int max_joins = 10;
  /// Subqueries (IN (SELECT ...), EXISTS, scalar, FROM (SELECT ...)) need explicit approval.
  bool allow_subqueries = false;
  /// UNION / INTERSECT / EXCEPT need explicit approval.
  bool allow_set_operations = false;
  /// Most common table expressions (WITH). Default 0: CTEs need approval by raising it.
  int max_ctes = 0;
  /// Extra function names to deny, lower case, in addition to the built-in denylist.
  std::vector<std::string> denied_functions;
};

/// What the parser found in one query.
struct QueryAnalysis {
  int statements = 0;
  std::string statement_kind;  ///< "SELECT", "INSERT", "COPY", ...
  int joins = 0;
  int subqueries = 0;
  int set_operations = 0;
  int ctes = 0;
  bool select_into = false;
  bool locking_clause = false;
  std::vector<std::string> functions;  ///< lower-case names of every function called
  std::vector<std::string> tables;     ///< relations read, as written (`schema.table`)
  /// Stable fingerprint of the query's shape (equal for queries differing only in literals).
  std::string fingerprint;
  /// The query with literals replaced by $n placeholders, safe for logs.
  std::string normalized;
};

/// Throws SecurityError when `sql` holds a NUL byte or is not valid UTF-8.
void check_sql_text(std::string_view sql);

/// True when `name` (lower case, without schema) may be called by check_read_query().
bool is_allowed_query_function(std::string_view name) noexcept;

/// True when `name` (lower case, without schema) is on the built-in denylist.
bool is_denied_function(std::string_view name) noexcept;

class QueryAnalyzer {
 public:
  explicit QueryAnalyzer(AnalyzerLimits limits = {});

  /// Parses `sql` and reports what it contains, enforcing nothing. Throws SecurityError when
  /// it does not parse (with the error position, not the text).
  QueryAnalysis analyze(std::string_view sql) const;

  /// analyze() plus the rules above. Throws SecurityError naming the first rule broken.
  QueryAnalysis check(std::string_view sql) const;

  /// check() for the read-only query() API, plus an allowlist of functions: aggregates
  /// (count, sum, avg, min, max, ...) and pure string, number and date/time functions; any
  /// other function (pg_notify, pg_try_advisory_lock, table_to_xml, txid_current, set-returning
  /// generators, ...) is refused, whether or not a denylist knows it. Throws SecurityError.
  QueryAnalysis check_read_query(std::string_view sql) const;

  /// Checks a user-supplied boolean expression (a rule's `filter:`) against the filter
  /// allowlist: security::parse_filter (filter.hpp) must accept it. Throws SecurityError.
  void check_filter(std::string_view expression) const;

  const AnalyzerLimits& limits() const noexcept { return limits_; }

 private:
  AnalyzerLimits limits_;
};

}  // namespace freshguard::security
