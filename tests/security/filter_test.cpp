// A rule's filter: parsed into the allowlisted tree, rendered per dialect. The rendering is
// what each engine receives, so these tests pin it down, and the outside attack's filters are
// regression cases here (their end-to-end twins run on every engine in the contract suite).

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <freshguard/core/error.hpp>
#include <freshguard/security/filter.hpp>
#include <freshguard/security/query_analyzer.hpp>
#include <freshguard/sql/query.hpp>

namespace freshguard::security {
namespace {

using sql::Dialect;
using sql::DialectKind;

std::string rendered(const std::string& filter, DialectKind kind) {
  return sql::render(parse_filter(filter), Dialect(kind));
}

std::string rejection(const std::string& filter) {
  try {
    (void)parse_filter(filter);
    return "";
  } catch (const SecurityError& e) {
    return e.what();
  }
}

TEST(FilterTest, CommonFiltersAreAccepted) {
  for (const char* f : {
           "region = 'eu' AND is_test = false",
           "status IN ('paid', 'shipped') AND deleted_at IS NULL",
           "loaded_at >= CURRENT_DATE",
           "loaded_at >= current_date - 1",
           "loaded_at > now() - interval '7 days'",
           "loaded_at > CURRENT_TIMESTAMP - INTERVAL '2 hours'",
           "loaded_at < LOCALTIMESTAMP",
           "greatest(a, 0) > 0",
           "coalesce(amount, 0) BETWEEN -1.5e3 AND 100",
           "name NOT LIKE 'tmp%' AND lower(kind) <> 'x'",
           "email ILIKE '%@example.com'",
           "CASE WHEN kind = 'a' THEN 1 ELSE 0 END = 1",
           "CAST(amount AS numeric) > 10.5 AND created::date = DATE '2024-01-01'",
           "NOT (a = 1 OR b <> 2) AND c IS NOT TRUE",
           "length(trim(code)) = 3 AND substr(code, 1, 2) = 'EU' AND abs(x % 7) = 1",
           "a || b = 'ab' AND nullif(a, '') IS NOT NULL AND round(x, 2) = 1.25",
           "replace(code, '-', '') = 'EU1' AND replace(x, 'abc', 'd') <> ''",
       }) {
    EXPECT_EQ(rejection(f), "") << f;
  }
}

TEST(FilterTest, WhatIsNotOnTheAllowlistIsRefused) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"(SELECT count(*) FROM secrets) > 0", "subqueries"},
      {"EXISTS (SELECT 1 FROM pg_user)", "subqueries"},
      {"a IN (SELECT id FROM other)", "subqueries"},
      {"1 = 1) UNION SELECT usename FROM pg_user WHERE (1 = 1", "not a query"},
      {"1 = 1); DROP TABLE t; SELECT (1", "one expression"},
      {"1 = 1) GROUP BY (1", "not a query"},
      {"pg_sleep(1) IS NULL", "pg_sleep"},
      {"length(table_to_xml('secrets', true, false, '')::text) > 0", "table_to_xml"},
      {"database_to_xml(true, false, '') IS NOT NULL", "database_to_xml"},
      {"pg_notify('chan', 'x') IS NULL", "pg_notify"},
      {"pg_try_advisory_lock(1) AND true", "pg_try_advisory_lock"},
      {"pg_advisory_lock_shared(1) IS NULL", "pg_advisory_lock_shared"},
      {"txid_current() > 0", "txid_current"},
      {"SLEEP(5) = 0", "sleep"},
      {"BENCHMARK(1000000, md5('x')) = 0", "benchmark"},
      {"GET_LOCK('x', 10) = 1", "get_lock"},
      {"LOAD_FILE('/etc/passwd') IS NOT NULL", "load_file"},
      {"randomblob(1000000000) IS NOT NULL", "randomblob"},
      {"repeat('x', 2000000000) IS NOT NULL", "repeat"},
      {"list_reduce(range(100000000), (a, b) -> a + b) > 0", "list_reduce"},
      {"length(replace(replace(a, 'a', 'aaaaaaaa'), 'a', 'aaaaaaaa')) > 0", "no longer than"},
      {"replace(a, b, 'x') = 'y'", "string literals"},
      {"public.lower(a) = 'x'", "outside pg_catalog"},
      {"count(*) > 0", "count"},
      {"lower(a ORDER BY b) = 'x'", "agg_order"},
      {"a = $1", "parameters"},
      {"t.a = 1", "named alone"},
      {"a ~ 'x'", "operator"},
      {"a::regclass IS NOT NULL", "regclass"},
      {"a COLLATE \"C\" = 'x'", "COLLATE"},
      {"a = ANY(ARRAY[1, 2])", "comparison"},
      {"a LIKE 'x' ESCAPE '!'", "like_escape"},
      {"a IS DISTINCT FROM 1", "comparison"},
      {"interval '1 day' + a > now()", "interval"},
      // found by fuzz_filter: a negated interval has no rendering
      {"t > 1 AND - interval '7 days'", "interval may only be"},
      {"lower(interval '1 day') = 'x'", "interval may only be"},
      {"a IN (interval '1 day')", "interval may only be"},
      {"CASE WHEN a THEN interval '1 day' END IS NULL", "interval may only be"},
      {"a = 1 OR", "parse"},
      {"", "empty"},
      {"a = 'x\xff'", "UTF-8"},
      {std::string("a = 'x") + '\0' + "'", "NUL"},
  };
  for (const auto& [filter, why] : cases) {
    const std::string r = rejection(filter);
    EXPECT_NE(r, "") << filter;
    std::string lower_r = r;
    std::string lower_why = why;
    for (auto* s : {&lower_r, &lower_why})
      for (char& c : *s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_NE(lower_r.find(lower_why), std::string::npos) << filter << " -> " << r;
  }
}

TEST(FilterTest, SizeAndDepthAreBounded) {
  std::string deep;
  for (int i = 0; i < 200; ++i)
    deep += "(";
  deep += "a = 1";
  for (int i = 0; i < 200; ++i)
    deep += ")";
  EXPECT_EQ(rejection(deep), "");  // parentheses alone add no nodes
  std::string nested = "a";
  for (int i = 0; i < 100; ++i)
    nested = "lower(" + nested + ")";
  EXPECT_NE(rejection(nested + " = 'x'").find("nests deeper"), std::string::npos);
  std::string wide = "a IN (1";
  for (int i = 0; i < 1200; ++i)
    wide += ", " + std::to_string(i);
  EXPECT_NE(rejection(wide + ")").find("more than"), std::string::npos);
  EXPECT_NE(rejection("a = '" + std::string(9000, 'x') + "'").find("longer than"),
            std::string::npos);
}

// The outside attack's MySQL bypass: PostgreSQL's lexer reads 'a\' as a whole string, MySQL
// (backslash escapes) reads on. The tree holds the PostgreSQL reading, and every dialect gets
// a literal that means exactly that value.
TEST(FilterTest, BackslashStringsMeanTheSameValueInEveryDialect) {
  const std::string attack = "name = 'a\\' OR name = ' OR (SELECT COUNT(*) FROM secrets) = 2) #'";
  EXPECT_EQ(rendered(attack, DialectKind::kMysql),
            "((`name` = _utf8mb4 X'615C') OR (`name` = ' OR (SELECT COUNT(*) FROM secrets) = 2) "
            "#'))");
  EXPECT_EQ(rendered(attack, DialectKind::kPostgres),
            "((\"name\" = E'a\\\\') OR (\"name\" = ' OR (SELECT COUNT(*) FROM secrets) = 2) #'))");
  EXPECT_EQ(rendered("a = 'it''s'", DialectKind::kSqlite), "(\"a\" = 'it''s')");
  EXPECT_EQ(rendered("a = 'it''s \\ x'", DialectKind::kDuckdb), "(\"a\" = 'it''s \\ x')");
  EXPECT_EQ(rendered("a = 'it''s \\ x'", DialectKind::kBigquery), "(`a` = 'it\\'s \\\\ x')");
  EXPECT_EQ(rendered("a = 'it''s \\ x'", DialectKind::kSnowflake), "(\"a\" = 'it''s \\\\ x')");
  EXPECT_EQ(rendered("a = E'line\\nnext'", DialectKind::kBigquery), "(`a` = 'line\\nnext')");
}

// The outside attack's SQLite bypass: $a$...$a$ is one string to PostgreSQL and a bind
// parameter to SQLite. The tree holds the string; SQLite gets a quoted literal.
TEST(FilterTest, DollarQuotesBecomePlainLiterals) {
  const std::string attack = "name = $a$ OR (SELECT count(*) FROM secrets) > 0 OR name = $a$";
  EXPECT_EQ(rendered(attack, DialectKind::kSqlite),
            "(\"name\" = ' OR (SELECT count(*) FROM secrets) > 0 OR name = ')");
  EXPECT_EQ(rendered("a = $$x';$$", DialectKind::kSqlite), "(\"a\" = 'x'';')");
}

TEST(FilterTest, EachDialectGetsItsOwnSpelling) {
  const std::string f = "loaded_at >= current_date - 1 AND a || b = 'x' AND c % 2 = 0";
  EXPECT_EQ(rendered(f, DialectKind::kPostgres),
            "(((\"loaded_at\" >= (CURRENT_DATE - INTERVAL '1 day')) AND ((\"a\" || \"b\") = 'x')) "
            "AND ((\"c\" % 2) = 0))");
  EXPECT_EQ(rendered(f, DialectKind::kMysql),
            "(((`loaded_at` >= (CURRENT_DATE - INTERVAL 1 DAY)) AND (CONCAT(`a`, `b`) = 'x')) AND "
            "((`c` % 2) = 0))");
  EXPECT_EQ(rendered(f, DialectKind::kSqlite),
            "(((\"loaded_at\" >= date(CURRENT_DATE, '-1 days')) AND ((\"a\" || \"b\") = 'x')) AND "
            "((\"c\" % 2) = 0))");
  EXPECT_EQ(rendered(f, DialectKind::kBigquery),
            "(((`loaded_at` >= DATE_SUB(CURRENT_DATE(), INTERVAL 1 DAY)) AND ((`a` || `b`) = 'x')) "
            "AND (MOD(`c`, 2) = 0))");
  EXPECT_EQ(rendered(f, DialectKind::kSnowflake),
            "(((\"loaded_at\" >= DATEADD(DAY, -1, CURRENT_DATE())) AND ((\"a\" || \"b\") = 'x')) "
            "AND ((\"c\" % 2) = 0))");
  EXPECT_EQ(rendered("t > now() - interval '2 weeks'", DialectKind::kDuckdb),
            "(\"t\" > (CURRENT_TIMESTAMP - INTERVAL 14 DAY))");
  EXPECT_EQ(rendered("t > now() - interval '3 hours'", DialectKind::kSqlite),
            "(\"t\" > datetime(CURRENT_TIMESTAMP, '-3 hours'))");
  EXPECT_EQ(rendered("length(a) = 2 AND greatest(a, b) > 1", DialectKind::kMysql),
            "((CHAR_LENGTH(`a`) = 2) AND (GREATEST(`a`, `b`) > 1))");
  EXPECT_EQ(rendered("greatest(a, b) > 1", DialectKind::kSqlite), "(MAX(\"a\", \"b\") > 1)");
  EXPECT_EQ(rendered("a ILIKE 'X%'", DialectKind::kMysql), "(LOWER(`a`) LIKE LOWER('X%'))");
  EXPECT_EQ(rendered("a = -5 AND b = - 3 AND c = -x", DialectKind::kPostgres),
            "(((\"a\" = (-5)) AND (\"b\" = (-3))) AND (\"c\" = (- \"x\")))");
  EXPECT_EQ(rendered("a::timestamp < now()", DialectKind::kSqlite),
            "(datetime(\"a\") < CURRENT_TIMESTAMP)");
  EXPECT_EQ(rendered("CASE a WHEN 1 THEN 'x' END IS NULL", DialectKind::kPostgres),
            "(CASE \"a\" WHEN 1 THEN 'x' END IS NULL)");
  EXPECT_EQ(rendered("a IS NOT TRUE", DialectKind::kPostgres),
            "(NOT COALESCE((\"a\" = TRUE), FALSE))");
}

TEST(FilterTest, ConstructsADialectCannotExpressAreClearErrors) {
  try {
    (void)rendered("a::boolean", DialectKind::kMysql);
    FAIL() << "a cast to boolean has no MySQL rendering";
  } catch (const QueryError& e) {
    EXPECT_NE(std::string(e.what()).find("a cast to boolean is not supported in filters on mysql"),
              std::string::npos)
        << e.what();
  }
}

TEST(FilterTest, ColumnsAreResolvedAgainstTheCatalog) {
  const TableSchema schema{sql::QualifiedName::parse("public.orders"),
                           {ColumnInfo{"Region", "text"}, ColumnInfo{"loaded_at", "timestamp"}}};
  const auto f = prepare_filter("region = 'eu' AND LOADED_AT > now()", schema);
  ASSERT_TRUE(f);
  EXPECT_EQ(sql::render(*f, Dialect(DialectKind::kPostgres)),
            "((\"Region\" = 'eu') AND (\"loaded_at\" > CURRENT_TIMESTAMP))");
  EXPECT_EQ(prepare_filter("", schema), nullptr);
  try {
    (void)prepare_filter("regoin = 'eu'", schema);
    FAIL() << "a missing filter column must be an error";
  } catch (const QueryError& e) {
    EXPECT_EQ(std::string(e.what()), "filter column \"regoin\" not found in public.orders");
  }
}

TEST(FilterTest, TheGeneratedQueryIsWhatTheAnalyserAccepts) {
  sql::AggregateQuery q{sql::Aggregate::kCountAll,
                        {},
                        sql::QualifiedName::parse("public.t"),
                        std::make_shared<const sql::Expr>(parse_filter("d >= CURRENT_DATE"))};
  const auto analysis = QueryAnalyzer().check(q.render(sql::kAnalysisDialect));
  EXPECT_EQ(analysis.set_operations, 0);  // CURRENT_DATE's "op" is not a set operation
  EXPECT_EQ(q.render(Dialect(DialectKind::kPostgres)),
            "SELECT count(*) FROM \"public\".\"t\" WHERE (\"d\" >= CURRENT_DATE)");
}

}  // namespace
}  // namespace freshguard::security
