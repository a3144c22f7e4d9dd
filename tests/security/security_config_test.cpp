// The security settings of the config file: schema cache, cost guard, `filter:`, and the
// identifier limits of each source's dialect; and the factory applying them.

#include <gtest/gtest.h>

#include <freshguard/config/config.hpp>
#include <freshguard/config/connector_factory.hpp>
#include <freshguard/core/error.hpp>

#include "config/config_test_util.hpp"
#include "support/sqlite_db.hpp"
#include "support/temp_dir.hpp"

namespace freshguard::config {
namespace {

using testing::freshness_rule;
using testing::has_problem;
using testing::load;
using testing::loads;
using testing::only_problem;
using testing::source_doc;

constexpr std::string_view kPostgres =
    "type: postgres\nhost: db.example.com\ndatabase: analytics\nusername: fg\n"
    "password: correct-horse\n";

TEST(SecurityConfigTest, DefaultsAndRanges) {
  auto r = load(source_doc(kPostgres));
  ASSERT_TRUE(loads(r));
  const auto& s = r.config->sources.at("src");
  EXPECT_EQ(s.schema_cache_ttl_seconds, 3600);
  EXPECT_EQ(s.schema_cache_max_entries, 1000);
  EXPECT_EQ(s.max_plan_rows, 10000);
  EXPECT_EQ(s.max_scan_mb, 1024);
  EXPECT_EQ(s.max_result_rows, 10000);
  r = load(source_doc(std::string(kPostgres) +
                      "schema_cache_ttl_seconds: 0\nschema_cache_max_entries: 5\n"
                      "max_plan_rows: 500\nmax_scan_mb: 10\nmax_result_rows: 100\n"));
  ASSERT_TRUE(loads(r));
  const auto& t = r.config->sources.at("src");
  EXPECT_EQ(t.schema_cache_ttl_seconds, 0);
  EXPECT_EQ(t.schema_cache_max_entries, 5);
  EXPECT_EQ(t.max_plan_rows, 500);
  EXPECT_EQ(t.max_scan_mb, 10);
  EXPECT_EQ(t.max_result_rows, 100);
  EXPECT_TRUE(
      only_problem(load(source_doc(std::string(kPostgres) + "schema_cache_ttl_seconds: 86401\n")),
                   "sources.src.schema_cache_ttl_seconds", "between 0 and 86400"));
  EXPECT_TRUE(only_problem(load(source_doc(std::string(kPostgres) + "max_scan_mb: 0\n")),
                           "sources.src.max_scan_mb", "between 1 and 1048576"));
  // The cache applies to every source type; the cost guard only to server databases.
  EXPECT_TRUE(loads(load(source_doc("type: sqlite\npath: /x.db\nschema_cache_ttl_seconds: 60\n"))));
  EXPECT_FALSE(loads(load(source_doc("type: sqlite\npath: /x.db\nmax_plan_rows: 60\n"))));
}

TEST(SecurityConfigTest, FilterIsCheckedWithoutEchoingIt) {
  auto r = load(freshness_rule("filter: region = 'eu' AND is_test = false\n"));
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(r.config->rules.at(0).filter, "region = 'eu' AND is_test = false");
  EXPECT_EQ(load(freshness_rule()).config->rules.at(0).filter, "");
  for (const char* bad : {"\"true; DROP TABLE x\"", "pg_sleep(10) > 0",
                          "id IN (SELECT id FROM secrets)", "\"true -- comment\"", "\"(a = 1\""}) {
    r = load(freshness_rule(std::string("filter: ") + bad + "\n"));
    ASSERT_EQ(r.problems.size(), 1u) << bad << testing::describe(r);
    EXPECT_EQ(r.problems[0].path, "rules[0].filter");
    EXPECT_TRUE(r.problems[0].security);
    EXPECT_EQ(r.problems[0].message.find("DROP"), std::string::npos) << r.problems[0].message;
    EXPECT_EQ(r.problems[0].message.find("secrets"), std::string::npos) << r.problems[0].message;
  }
  // Not a key of schema_change rules.
  r = load(
      testing::rule_doc("id: r1\nsource: db\ntable: orders\ntype: schema_change\nfilter: a = 1\n"));
  EXPECT_TRUE(has_problem(r, "rules[0].filter", "")) << testing::describe(r);
}

// validate renders each filter for its source's engine, so what check would refuse for the
// engine is refused here first.
TEST(SecurityConfigTest, FiltersAreRenderedForTheirEngineWhenLoaded) {
  const std::string mysql =
      "sources:\n  src:\n    type: mysql\n    host: db.example.com\n    database: shop\n"
      "    username: fg\n    password: correct-horse\n"
      "rules:\n  - {id: r1, source: src, table: orders, type: freshness, timestamp_column: ts, "
      "filter: \"paid::boolean AND ts >= current_date - 1\"}\n";
  const auto r = load(mysql);
  EXPECT_TRUE(
      only_problem(r, "rules[0].filter", "a cast to boolean is not supported in filters on mysql"))
      << testing::describe(r);
  std::string pg = mysql;
  pg.replace(pg.find("type: mysql"), 11, "type: postgres");
  EXPECT_TRUE(loads(load(pg)));
}

TEST(SecurityConfigTest, DialectIdentifierLimits) {
  const std::string n64(64, 'a');
  const std::string pg = "sources:\n  src:\n" + testing::indent(kPostgres, 4) +
                         "rules:\n  - {id: r1, source: src, table: " + n64 +
                         ", type: freshness, timestamp_column: " + n64 + "}\n";
  auto r = load(pg);
  EXPECT_TRUE(has_problem(r, "rules[0].table", "the postgres limit is 63")) << testing::describe(r);
  EXPECT_TRUE(has_problem(r, "rules[0].timestamp_column", "the postgres limit is 63"));
  EXPECT_TRUE(r.problems.at(0).security);
  // 64 characters are fine on SQLite (and MySQL).
  EXPECT_TRUE(loads(load(testing::rule_doc("id: r1\nsource: db\ntable: " + n64 +
                                           "\ntype: freshness\ntimestamp_column: ts\n"))));
}

TEST(SecurityConfigTest, FactoryGivesEachSourceItsSchemaCache) {
  freshguard::testing::TempDir dir;
  freshguard::testing::sqlite_exec(dir.path() / "w.db",
                                   "CREATE TABLE orders (id INTEGER, ts TEXT);"
                                   "INSERT INTO orders VALUES (1, '2024-01-01');");
  SourceConfig source;
  source.name = "w";
  source.type = SourceType::kSqlite;
  source.path = (dir.path() / "w.db").string();
  const auto c = make_connector(source);
  const auto t = sql::QualifiedName::parse("orders");
  const auto first = c->cached_table_schema(t);
  EXPECT_EQ(c->cached_table_schema(t), first);  // the same cached object
  source.schema_cache_ttl_seconds = 0;
  const auto uncached = make_connector(source);
  EXPECT_NE(uncached->cached_table_schema(t), uncached->cached_table_schema(t));
  EXPECT_EQ(c->row_count(t, "ts >= '2024-01-01'"), 1);
  EXPECT_EQ(c->row_count(t, "ts > '2024-01-01'"), 0);
  EXPECT_THROW((void)c->row_count(t, "1 = 1; DROP TABLE orders"), SecurityError);
  EXPECT_THROW((void)c->query("SELECT 1"), QueryError);  // not offered by SQLite
}

}  // namespace
}  // namespace freshguard::config
