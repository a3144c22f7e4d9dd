#include <string>

#include <gtest/gtest.h>

#include <freshguard/core/error.hpp>
#include <freshguard/security/query_analyzer.hpp>

namespace freshguard::security {
namespace {

// The reason a query is rejected, or "" when it is accepted.
std::string rejection(const QueryAnalyzer& a, const std::string& sql) {
  try {
    (void)a.check(sql);
    return "";
  } catch (const SecurityError& e) {
    return e.what();
  }
}

std::string filter_rejection(const QueryAnalyzer& a, const std::string& expr) {
  try {
    a.check_filter(expr);
    return "";
  } catch (const SecurityError& e) {
    return e.what();
  }
}

std::string joins(int n) {
  std::string sql = "SELECT 1 FROM t0";
  for (int i = 1; i <= n; ++i) {
    sql += " JOIN t" + std::to_string(i) + " ON t" + std::to_string(i) + ".id = t0.id";
  }
  return sql;
}

TEST(QueryAnalyzerTest, AcceptsTheQueriesTheEngineGenerates) {
  const QueryAnalyzer a;
  for (const char* sql : {
           "SELECT MAX(\"updated_at\") FROM \"public\".\"orders\"",
           "SELECT MIN(\"loaded_at\") FROM \"main\".\"page_events\"",
           "SELECT COUNT(*) FROM \"Sales\".\"Orders\"",
           "SELECT reltuples::bigint FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
           "ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2",
           "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attnum "
           "FROM pg_catalog.pg_attribute a WHERE a.attrelid = $1::regclass AND a.attnum > 0",
           "SELECT epoch_us(MAX(\"ts\")) FROM \"main\".\"t\" WHERE region = $1",
           "SELECT 1",
       }) {
    EXPECT_EQ(rejection(a, sql), "") << sql;
  }
}

TEST(QueryAnalyzerTest, RejectsWhatThePlanNames) {
  const QueryAnalyzer a;
  EXPECT_EQ(rejection(a, "SELECT 1; DROP TABLE users"),
            "query rejected: exactly one statement is allowed, found 2");
  EXPECT_EQ(rejection(a, "DELETE FROM users"),
            "query rejected: only SELECT is allowed, found DELETE");
  EXPECT_EQ(rejection(a, "INSERT INTO t VALUES (1)"),
            "query rejected: only SELECT is allowed, found INSERT");
  EXPECT_EQ(rejection(a, "UPDATE t SET a = 1"),
            "query rejected: only SELECT is allowed, found UPDATE");
  EXPECT_EQ(rejection(a, "DROP TABLE users"), "query rejected: only SELECT is allowed, found DROP");
  EXPECT_EQ(rejection(a, "CREATE TABLE x (a int)"),
            "query rejected: only SELECT is allowed, found CREATE TABLE");
  EXPECT_EQ(rejection(a, "COPY users TO '/tmp/x'"),
            "query rejected: only SELECT is allowed, found COPY");
  EXPECT_EQ(rejection(a, "SET statement_timeout = 0"),
            "query rejected: only SELECT is allowed, found SET");
  EXPECT_EQ(rejection(a, "ALTER TABLE t ADD COLUMN b int"),
            "query rejected: only SELECT is allowed, found AlterTable");
  EXPECT_EQ(rejection(a, "SELECT * INTO copy_of_users FROM users"),
            "query rejected: SELECT ... INTO is not allowed");
  EXPECT_EQ(rejection(a, "SELECT * FROM users FOR UPDATE"),
            "query rejected: locking clauses (FOR UPDATE, FOR SHARE) are not allowed");
  EXPECT_EQ(rejection(a, "SELECT pg_sleep(15)"),
            "query rejected: function pg_sleep() is not allowed");
  EXPECT_EQ(rejection(a, "SELECT count(*) FROM t WHERE pg_catalog.PG_SLEEP(1) IS NULL"),
            "query rejected: function pg_sleep() is not allowed");
  EXPECT_EQ(rejection(a, "SELECT * FROM pg_read_file('/etc/passwd')"),
            "query rejected: function pg_read_file() is not allowed");
  EXPECT_EQ(rejection(a, "SELECT * FROM dblink('host=x', 'select 1') AS t(a int)"),
            "query rejected: function dblink() is not allowed");
  EXPECT_EQ(rejection(a, joins(11)), "query rejected: 11 joins exceed the limit of 10");
  EXPECT_EQ(rejection(a, joins(10)), "");
  EXPECT_EQ(rejection(a, "SELECT 1 FROM a, b, c, d, e, f, g, h, i, j, k, l"),
            "query rejected: 11 joins exceed the limit of 10");
  EXPECT_EQ(rejection(a, "SELECT * FROM t WHERE id IN (SELECT id FROM u)"),
            "query rejected: subqueries need explicit approval (allow_subqueries)");
  EXPECT_EQ(rejection(a, "SELECT * FROM (SELECT 1) s"),
            "query rejected: subqueries need explicit approval (allow_subqueries)");
  EXPECT_EQ(rejection(a, "WITH x AS (SELECT 1) SELECT * FROM x"),
            "query rejected: 1 common table expressions exceed the limit of 0");
  EXPECT_NE(rejection(a, "SELEC 1").find("does not parse as SQL (error at character"),
            std::string::npos);
}

TEST(QueryAnalyzerTest, CatchesTheUnionTheOriginalLetThrough) {
  const QueryAnalyzer a;
  EXPECT_EQ(rejection(a,
                      "SELECT table_name FROM information_schema.tables UNION SELECT "
                      "password FROM users"),
            "query rejected: UNION, INTERSECT and EXCEPT need explicit approval "
            "(allow_set_operations)");
}

TEST(QueryAnalyzerTest, LimitsAreConfigurable) {
  AnalyzerLimits limits;
  limits.max_joins = 1;
  limits.allow_subqueries = true;
  limits.allow_set_operations = true;
  limits.max_ctes = 2;
  limits.denied_functions = {"generate_series"};
  const QueryAnalyzer a(limits);
  EXPECT_EQ(a.limits().max_joins, 1);
  EXPECT_EQ(rejection(a, "SELECT * FROM t WHERE id IN (SELECT id FROM u)"), "");
  EXPECT_EQ(rejection(a, "SELECT 1 UNION SELECT 2"), "");
  EXPECT_EQ(rejection(a, "WITH x AS (SELECT 1), y AS (SELECT 2) SELECT * FROM x, y"), "");
  EXPECT_EQ(rejection(a, joins(2)), "query rejected: 2 joins exceed the limit of 1");
  EXPECT_EQ(rejection(a, "SELECT * FROM generate_series(1, 10)"),
            "query rejected: function generate_series() is not allowed");
}

TEST(QueryAnalyzerTest, ReportsWhatItFound) {
  const QueryAnalyzer a;
  const auto r = a.analyze(
      "WITH c AS (SELECT 1) SELECT max(o.ts) FROM public.orders o JOIN items i ON i.o = o.id "
      "WHERE o.region = 'eu' AND o.id IN (SELECT 1) UNION SELECT now()");
  EXPECT_EQ(r.statements, 1);
  EXPECT_EQ(r.statement_kind, "SELECT");
  EXPECT_EQ(r.joins, 1);
  EXPECT_EQ(r.subqueries, 1);
  EXPECT_EQ(r.set_operations, 1);
  EXPECT_EQ(r.ctes, 1);
  EXPECT_EQ(r.functions, (std::vector<std::string>{"max", "now"}));
  EXPECT_EQ(r.tables, (std::vector<std::string>{"public.orders", "items"}));
  EXPECT_EQ(r.normalized.find("'eu'"), std::string::npos) << r.normalized;
  EXPECT_NE(r.normalized.find("$1"), std::string::npos) << r.normalized;
  EXPECT_FALSE(r.fingerprint.empty());
}

TEST(QueryAnalyzerTest, FingerprintIgnoresLiterals) {
  const QueryAnalyzer a;
  EXPECT_EQ(a.analyze("SELECT * FROM t WHERE a = 1").fingerprint,
            a.analyze("SELECT * FROM t WHERE a = 42").fingerprint);
  EXPECT_NE(a.analyze("SELECT * FROM t WHERE a = 1").fingerprint,
            a.analyze("SELECT * FROM u WHERE a = 1").fingerprint);
}

// check_filter is the filter allowlist (security/filter.hpp; FilterTest covers it in full).
// Text tricks that a lexer-level check used to catch are now either plain values in the tree
// or shapes the tree cannot hold.
TEST(QueryAnalyzerTest, FiltersAreSingleSafeExpressions) {
  const QueryAnalyzer a;
  for (const char* ok :
       {"region = 'eu' AND is_test = false", "amount > 0", "name = 'O''Brien; DROP TABLE x'",
        "note = $$a ) b$$", "E'it\\'s' = label", "(a = 1 OR b = 2) AND c IS NOT NULL",
        "created_at > now() - interval '1 day'", "x) OR (1=1", "a = 1 /* a comment */"}) {
    EXPECT_EQ(filter_rejection(a, ok), "") << ok;
  }
  EXPECT_EQ(filter_rejection(a, "region = 'eu'; DROP TABLE x"),
            "filter rejected: it does not parse as a SQL expression (error near character 14)");
  EXPECT_EQ(filter_rejection(a, "pg_sleep(10) IS NULL"),
            "filter rejected: function pg_sleep() is not allowed in a filter (see the function "
            "list in docs/SECURITY_HARDENING.md)");
  EXPECT_EQ(filter_rejection(a, "id IN (SELECT id FROM admins)"),
            "filter rejected: subqueries are not allowed in a filter");
  EXPECT_EQ(filter_rejection(a, "x) UNION SELECT password FROM users WHERE (1 = 1"),
            "filter rejected: it must be one expression, not a query");
  EXPECT_NE(filter_rejection(a, "x = 1 -- comments out the closing parenthesis").find("parse"),
            std::string::npos);
  EXPECT_NE(filter_rejection(a, "(x = 1").find("does not parse"), std::string::npos);
  EXPECT_NE(filter_rejection(a, "a = 'open").find("does not parse"), std::string::npos);
  EXPECT_NE(filter_rejection(a, "a = $x$open").find("does not parse"), std::string::npos);
  EXPECT_NE(filter_rejection(a, "\"Weird;Col\" = 1").find("filter column name"), std::string::npos);
  EXPECT_EQ(filter_rejection(a, "   "), "filter rejected: it is empty");
  EXPECT_NE(filter_rejection(a, "a = 1 UNION SELECT 2").find("does not parse"), std::string::npos);
  EXPECT_NE(filter_rejection(a, "a = = 1").find("does not parse"), std::string::npos);
}

// The read-only query() API takes an allowlist of functions, not a denylist: what the outside
// attack found missing from the denylist is refused without being listed anywhere.
TEST(QueryAnalyzerTest, TheQueryApiCallsOnlyAllowlistedFunctions) {
  const QueryAnalyzer a;
  EXPECT_NO_THROW((void)a.check_read_query(
      "SELECT date_trunc('day', ts) AS d, count(*), max(amount) FROM orders "
      "WHERE ts > now() - interval '7 days' AND lower(region) = 'eu' GROUP BY 1 ORDER BY 1"));
  for (const char* bad : {
           "SELECT pg_notify('c', 'x')",
           "SELECT pg_try_advisory_lock(1)",
           "SELECT pg_advisory_lock_shared(1)",
           "SELECT txid_current()",
           "SELECT table_to_xml('secrets', true, false, '')",
           "SELECT * FROM generate_series(1, 1000000000000)",
           "SELECT current_setting('data_directory')",
       }) {
    if (std::string(bad).find("generate_series") != std::string::npos ||
        std::string(bad).find("current_setting") != std::string::npos) {
      EXPECT_FALSE(is_denied_function(std::string(bad).find("generate") != std::string::npos
                                          ? "generate_series"
                                          : "current_setting"));
    }
    try {
      (void)a.check_read_query(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const SecurityError& e) {
      // The denylist names some; the allowlist refuses the rest (generate_series,
      // current_setting) without naming them anywhere.
      const std::string why = e.what();
      EXPECT_TRUE(why.find("not on the allowlist") != std::string::npos ||
                  why.find("is not allowed") != std::string::npos)
          << why;
    }
  }
  // check() keeps its denylist for the queries the engine generates.
  EXPECT_TRUE(is_denied_function("pg_notify"));
  EXPECT_TRUE(is_denied_function("table_to_xml"));
  EXPECT_TRUE(is_denied_function("pg_try_advisory_lock"));
  // The "op" of an SQL value function, GREATEST or IS DOCUMENT is not a set operation (it
  // used to be counted as one, refusing `current_date - 1`).
  EXPECT_EQ(a.check("SELECT 1 FROM t WHERE x IS DOCUMENT").set_operations, 0);
  EXPECT_EQ(
      a.check("SELECT 1 WHERE current_date - 1 < now() AND greatest(1, 0) > 0").set_operations, 0);
  EXPECT_EQ(a.analyze("SELECT 1 UNION SELECT 2").set_operations, 1);
}

TEST(QueryAnalyzerTest, RejectsBytesThatAreNotText) {
  const QueryAnalyzer a;
  EXPECT_EQ(rejection(a, "SELECT pg_\xff\xffsleep(10)"), "query rejected: it is not valid UTF-8");
  EXPECT_EQ(rejection(a, "SELECT '\xc0\xaf'"),
            "query rejected: it is not valid UTF-8");  // overlong
  EXPECT_EQ(rejection(a, "SELECT '\xed\xa0\x80'"), "query rejected: it is not valid UTF-8");
  EXPECT_EQ(rejection(a, "SELECT '\xe2\x82'"), "query rejected: it is not valid UTF-8");
  EXPECT_EQ(rejection(a, std::string("SELECT 1\0; DROP TABLE t", 24)),
            "query rejected: it contains a NUL byte");
  EXPECT_EQ(rejection(a, "SELECT 'caf\xc3\xa9', '\xe2\x82\xac', '\xf0\x9f\x98\x80'"), "");
}

TEST(QueryAnalyzerTest, DenylistLookup) {
  EXPECT_TRUE(is_denied_function("pg_sleep"));
  EXPECT_TRUE(is_denied_function("pg_terminate_backend"));
  EXPECT_TRUE(is_denied_function("lo_import"));
  EXPECT_FALSE(is_denied_function("max"));
  EXPECT_FALSE(is_denied_function("now"));
}

}  // namespace
}  // namespace freshguard::security
