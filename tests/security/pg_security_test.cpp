// The security layers against the real PostgreSQL test server (scripts/pg-test-server.sh,
// log_statement=all): one catalog query for 100 concurrent checks, the cost guard on a
// multi-million-row table, read-only query(), filters, and the server's statement log
// showing that nothing derived from hostile input was ever sent.

#include <atomic>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <freshguard/connectors/postgres_connector.hpp>
#include <freshguard/connectors/resilient_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/monitors/monitors.hpp>
#include <freshguard/observability/logger.hpp>
#include <freshguard/observability/redact.hpp>
#include <freshguard/security/schema_cache.hpp>

#include "support/pg_test_server.hpp"

namespace freshguard::security {
namespace {

using sql::Identifier;
using sql::QualifiedName;
using testing::PgTest;

class PgSecurityTest : public PgTest {
 protected:
  std::string server_log() const {
    std::ifstream in(server_->log);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::size_t count_in_log(const std::string& needle) const {
    const std::string all = server_log();
    std::size_t n = 0;
    for (auto at = all.find(needle); at != std::string::npos; at = all.find(needle, at + 1))
      ++n;
    return n;
  }

  Rule freshness_rule(const std::string& table, const std::string& column) const {
    Rule rule;
    rule.id = "r";
    rule.source = "pgtest";
    rule.table = table;
    rule.freshness.timestamp_column = column;
    rule.freshness.tolerance = std::chrono::minutes(60);
    return rule;
  }

  // The text of `fn` failing with SecurityError, or "" when it did not.
  template <class Fn>
  static std::string refusal(Fn&& fn) {
    try {
      fn();
    } catch (const SecurityError& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(PgSecurityTest, HundredConcurrentChecksOfOneUncachedTableCostOneCatalogQuery) {
  user_->exec(
      "CREATE TABLE orders (id int PRIMARY KEY, updated_at timestamptz); "
      "INSERT INTO orders VALUES (1, now())");
  auto cache = std::make_shared<SchemaCache>();
  auto o = options();
  o.schema_cache = cache;
  o.max_connections = 10;
  // Through the resilience layer, as the CLI and daemon build it.
  ResilientConnector pg(std::make_unique<PostgresConnector>(o), ResilienceOptions{});
  const Rule rule = freshness_rule("orders", "UPDATED_AT");
  std::vector<std::thread> threads;
  std::atomic<int> fresh{0};
  for (int i = 0; i < 100; ++i) {
    threads.emplace_back([&] {
      const auto r = run_check(pg, rule);
      if (r.status == CheckStatus::kOk) ++fresh;
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(fresh.load(), 100);
  // Counted where it matters: the statements the server received from this test.
  EXPECT_EQ(count_in_log(app_ + ": LOG:  execute <unnamed>: WITH exact AS"), 1u);
  EXPECT_EQ(count_in_log(app_ + ": LOG:  execute <unnamed>: SELECT max(\"updated_at\") FROM"),
            100u);
  EXPECT_EQ(cache->stats().loads, 1u);
  // The primary key is identified in the cached schema.
  const auto schema = pg.cached_table_schema(QualifiedName::parse("orders"));
  EXPECT_TRUE(schema->columns.at(0).primary_key);
  EXPECT_FALSE(schema->columns.at(1).primary_key);
  // A column dropped behind the cache's back: the data query fails (undefined column), the
  // entry is invalidated, and the next check reports the column as missing.
  user_->exec("ALTER TABLE orders DROP COLUMN updated_at");
  EXPECT_EQ(run_check(pg, rule).error->code, ErrorCode::kQueryFailed);
  const auto r = run_check(pg, rule);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->message,
            "column \"UPDATED_AT\" not found in " + schema_ + ".orders of source \"pgtest\"");
  EXPECT_GE(cache->stats().invalidations, 1u);
}

TEST_F(PgSecurityTest, CostGuardLetsTheFreshnessCheckRunAndRefusesABigSelect) {
  // Millions of rows with an index on the timestamp column, made quickly: UNLOGGED, one
  // INSERT ... SELECT, then ANALYZE so the planner knows the size.
  constexpr int kRows = 5'000'000;
  const auto start = std::chrono::steady_clock::now();
  user_->exec(
      "CREATE UNLOGGED TABLE big (id int8, updated_at timestamptz); "
      "INSERT INTO big SELECT g, now() - g * interval '1 second' FROM generate_series(1, " +
      std::to_string(kRows) +
      ") g; "
      "CREATE INDEX big_updated_at ON big (updated_at); ANALYZE big");
  const auto made = std::chrono::steady_clock::now() - start;
  std::cerr << "created " << kRows << " rows in "
            << std::chrono::duration_cast<std::chrono::milliseconds>(made).count() << " ms\n";

  PostgresConnector pg(options());
  const auto r = run_check(pg, freshness_rule("big", "updated_at"));
  EXPECT_EQ(r.status, CheckStatus::kOk) << (r.error ? r.error->message : r.message);

  std::string why = refusal([&] { (void)pg.query("SELECT * FROM big"); });
  EXPECT_NE(why.find("query refused by the cost guard: the planner expects about"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("result rows; the limit is 10000"), std::string::npos) << why;
  // A selective query over the same table is fine, and so is a filter on the check.
  const auto one = pg.query("SELECT id FROM big WHERE id = 42;");
  ASSERT_EQ(one.rows.size(), 1u);
  EXPECT_EQ(one.rows[0][0], "42");
  EXPECT_TRUE(pg.max_timestamp(QualifiedName::parse("big"), Identifier::parse("updated_at"),
                               TimeZone::utc(), "id < 1000"));
  // The scan estimate: a seq scan of the whole table is refused under a small scan limit.
  auto small = options();
  small.cost_limits.max_scan_bytes = 1024.0 * 1024;  // 1 MB
  PostgresConnector strict(small);
  why = refusal([&] { (void)strict.query("SELECT id FROM big WHERE id = 42"); });
  EXPECT_NE(why.find("to scan about"), std::string::npos) << why;
  why = refusal([&] { (void)strict.row_count(QualifiedName::parse("big"), "id % 2 = 0"); });
  EXPECT_NE(why.find("rule filter refused by the cost guard"), std::string::npos) << why;
  // The generated queries are never refused for size: the strict connector still checks.
  EXPECT_EQ(run_check(strict, freshness_rule("big", "updated_at")).status, CheckStatus::kOk);
  // Nothing was executed for the refused statements: only EXPLAIN reached the server.
  EXPECT_EQ(count_in_log(app_ + ": LOG:  execute <unnamed>: DECLARE freshguard_query NO SCROLL "
                                "CURSOR FOR SELECT * FROM big"),
            0u);
}

TEST_F(PgSecurityTest, QueryIsReadOnlyCappedAndAnalysed) {
  user_->exec(
      "CREATE TABLE t (id int); INSERT INTO t SELECT generate_series(1, 20); "
      "CREATE SEQUENCE s");
  auto o = options();
  o.max_result_rows = 5;
  PostgresConnector pg(o);
  auto rows = pg.query("SELECT id, NULL::text AS nothing FROM t ORDER BY id -- trailing note");
  EXPECT_EQ(rows.columns, (std::vector<std::string>{"id", "nothing"}));
  ASSERT_EQ(rows.rows.size(), 5u);
  EXPECT_TRUE(rows.truncated);
  EXPECT_EQ(rows.rows[4][0], "5");
  EXPECT_FALSE(rows.rows[0][1].has_value());
  rows = pg.query("SELECT count(*) FROM t");
  EXPECT_FALSE(rows.truncated);
  EXPECT_EQ(rows.rows.at(0).at(0), "20");
  // The analyser refuses before anything is sent.
  EXPECT_NE(refusal([&] { (void)pg.query("DELETE FROM t"); }), "");
  EXPECT_NE(refusal([&] { (void)pg.query("SELECT pg_sleep(10)"); }), "");
  EXPECT_NE(refusal([&] { (void)pg.query("SELECT 1; DROP TABLE t"); }), "");
  EXPECT_NE(refusal([&] { (void)pg.query("SELECT * FROM t FOR UPDATE"); }), "");
  // A function that writes is not on the query API's allowlist (it is refused before it is
  // sent; the READ ONLY transaction would fail it in the database too).
  EXPECT_NE(refusal([&] { (void)pg.query("SELECT nextval('s')"); }), "");
  EXPECT_THROW((void)pg.query("SELECT 1 / (id - id) FROM t"), QueryError);
  // ... and the session is clean afterwards.
  EXPECT_EQ(pg.query("SELECT 7").rows.at(0).at(0), "7");
  EXPECT_EQ(user_->scalar("SELECT count(*) FROM t"), "20");
}

// Library users get query() through the resilience layer make_connector applies: the same
// analyser refusals, and the call is counted in the source's query metrics.
TEST_F(PgSecurityTest, QueryPassesThroughTheResilienceLayer) {
  user_->exec("CREATE TABLE q (id int); INSERT INTO q VALUES (1), (2)");
  ResilientConnector rc(std::make_unique<PostgresConnector>(options()), ResilienceOptions{});
  const auto rows = rc.query("SELECT id FROM q ORDER BY id");
  ASSERT_EQ(rows.rows.size(), 2u);
  EXPECT_EQ(rows.rows[1][0], "2");
  EXPECT_NE(refusal([&] { (void)rc.query("SELECT pg_sleep(1)"); }), "");
  EXPECT_NE(refusal([&] { (void)rc.query("DROP TABLE q"); }), "");
  EXPECT_EQ(user_->scalar("SELECT count(*) FROM q"), "2");
}

TEST_F(PgSecurityTest, FiltersAreAppliedAndChecked) {
  user_->exec(
      "CREATE TABLE events (id int, region text, is_test boolean, updated_at timestamptz); "
      "INSERT INTO events VALUES (1, 'eu', false, '2024-05-01 10:00Z'), "
      "(2, 'us', false, '2024-05-02 10:00Z'), (3, 'eu', true, '2024-05-03 10:00Z')");
  PostgresConnector pg(options());
  const auto t = QualifiedName::parse("events");
  const std::string filter = "region = 'eu' AND is_test = false";
  EXPECT_EQ(pg.row_count(t, filter), 1);
  EXPECT_EQ(pg.row_count(t, ""), 3);
  EXPECT_EQ(*pg.max_timestamp(t, Identifier::parse("updated_at"), TimeZone::utc(), filter),
            *parse_timestamp("2024-05-01T10:00:00Z", TimeZone::utc()));
  Rule rule = freshness_rule("events", "updated_at");
  rule.filter = "region = 'us'";
  const auto r = run_check(pg, rule);
  ASSERT_TRUE(r.last_update);
  EXPECT_EQ(*r.last_update, *parse_timestamp("2024-05-02T10:00:00Z", TimeZone::utc()));
  Rule volume;
  volume.id = "v";
  volume.table = "events";
  volume.type = RuleType::kVolumeThreshold;
  volume.volume_threshold.min_row_count = 2;
  volume.filter = "region = 'eu'";
  EXPECT_EQ(run_check(pg, volume).row_count, 2);
}

TEST_F(PgSecurityTest, GeneratedQueriesPassTheAnalyserBeforeTheyAreSent) {
  user_->exec("CREATE TABLE orders (id int, updated_at timestamptz)");
  auto o = options();
  o.analyzer.denied_functions = {"max"};
  PostgresConnector pg(o);
  EXPECT_EQ(pg.row_count(QualifiedName::parse("orders")), 0);
  const std::string why = refusal([&] {
    (void)pg.max_timestamp(QualifiedName::parse("orders"), Identifier::parse("updated_at"),
                           TimeZone::utc());
  });
  EXPECT_EQ(why, "query rejected: function max() is not allowed");
  EXPECT_EQ(count_in_log(app_ + ": LOG:  execute <unnamed>: SELECT max("), 0u);
  EXPECT_EQ(count_in_log(app_ + ": LOG:  execute <unnamed>: SELECT count(*)"), 1u);
}

TEST_F(PgSecurityTest, NothingDerivedFromHostileInputReachesTheServer) {
  user_->exec("CREATE TABLE users (id int, updated_at timestamptz)");
  const std::string mark = "fgmark" + std::to_string(getpid());
  PostgresConnector plain(options());
  ResilientConnector pg(std::make_unique<PostgresConnector>(options()), ResilienceOptions{});
  const std::vector<std::string> tables = {
      "users; DROP TABLE users; --" + mark,
      "user data" + mark,
      "users/**/UNION/**/SELECT/**/" + mark,
      "users%3B%20DROP%20" + mark,
      "users\\u003b" + mark,
      "x' OR '1'='1" + mark,
      "pg_sleep(10)" + mark,
      "public.users; SELECT " + mark,
      std::string(70, 'a') + mark,  // past the 63-byte limit
  };
  for (const auto& table : tables) {
    const auto r = run_check(pg, freshness_rule(table, "updated_at"));
    ASSERT_TRUE(r.error) << table;
    EXPECT_EQ(r.error->code, ErrorCode::kSecurityViolation) << table;
    EXPECT_EQ(r.error->message.find(mark), std::string::npos) << r.error->message;
    EXPECT_EQ(r.error->message.find("DROP"), std::string::npos) << r.error->message;
    const auto c = run_check(pg, freshness_rule("users", table));
    ASSERT_TRUE(c.error) << table;
    EXPECT_EQ(c.error->code, ErrorCode::kSecurityViolation) << table;
  }
  // Hostile filters are refused before their text is sent.
  const auto t = QualifiedName::parse("users");
  for (const std::string& filter :
       {"true; DROP TABLE users; -- " + mark, "pg_sleep(10) IS NULL OR '" + mark + "' = ''",
        "id IN (SELECT 1 FROM pg_user WHERE usename = '" + mark + "')",
        "true UNION SELECT '" + mark + "'"}) {
    EXPECT_NE(refusal([&] { (void)plain.row_count(t, filter); }), "") << filter;
    Rule rule = freshness_rule("users", "updated_at");
    rule.filter = filter;
    const auto r = run_check(pg, rule);
    ASSERT_TRUE(r.error) << filter;
    EXPECT_EQ(r.error->code, ErrorCode::kSecurityViolation) << filter;
    EXPECT_EQ(r.error->message.find(mark), std::string::npos) << r.error->message;
  }
  EXPECT_NE(refusal([&] { (void)plain.query("SELECT '" + mark + "'; DROP TABLE users"); }), "");
  // The server's statement log (log_statement=all) never saw the marker.
  const std::string log = server_log();
  EXPECT_EQ(log.find(mark), std::string::npos) << "hostile input reached the server";
  EXPECT_EQ(user_->scalar("SELECT count(*) FROM users"), "0");  // still there
}

// The outside attack's PostgreSQL findings: a filter or query() that sends a NOTIFY, or takes
// an advisory lock that an idle pooled session then keeps (with the metadata store's
// migration key it blocked every other FreshGuard process for 30 s). Both are refused before
// anything is sent: the server's log never sees the call, and the key stays free.
TEST_F(PgSecurityTest, FilterCannotNotifyOrTakeAdvisoryLocks) {
  user_->exec("CREATE TABLE t (id int, region text); INSERT INTO t VALUES (1, 'eu')");
  PostgresConnector pg(options());
  const auto t = QualifiedName::parse("t");
  const std::string migration_key = "7382093498702132324";  // 0x6672657368677264, "freshgrd"
  for (const std::string& filter : std::vector<std::string>{
           "pg_notify('fg_chan', 'x') IS NULL",
           "pg_try_advisory_lock(" + migration_key + ") OR region = 'eu'",
           "pg_advisory_lock_shared(" + migration_key + ") IS NULL",
           "txid_current() > 0",
           "length(table_to_xml('t', true, false, '')::text) > 0",
       }) {
    EXPECT_NE(refusal([&] { (void)pg.row_count(t, filter); }), "") << filter;
  }
  for (const std::string& sql : std::vector<std::string>{
           "SELECT pg_notify('fg_chan', 'x')",
           "SELECT pg_try_advisory_lock(" + migration_key + ")",
           "SELECT database_to_xml(true, false, '')",
       }) {
    EXPECT_NE(refusal([&] { (void)pg.query(sql); }), "") << sql;
  }
  EXPECT_EQ(pg.row_count(t, "region = 'eu'"), 1);  // the pooled session is alive
  // Lines this test's connector sessions logged (log_line_prefix starts with the
  // application name); other tests share the server and its log.
  std::vector<std::string> mine;
  std::istringstream log(server_log());
  for (std::string line; std::getline(log, line);) {
    if (line.find("] " + app_ + ": ") != std::string::npos) mine.push_back(line);
  }
  EXPECT_FALSE(mine.empty());
  for (const auto& line : mine) {
    EXPECT_EQ(line.find("pg_notify"), std::string::npos) << line;
    EXPECT_EQ(line.find("advisory_lock"), std::string::npos) << line;
    EXPECT_EQ(line.find("_to_xml"), std::string::npos) << line;
  }
  EXPECT_EQ(admin_->scalar("SELECT pg_try_advisory_lock(" + migration_key + ")"), "t");
  (void)admin_->scalar("SELECT pg_advisory_unlock(" + migration_key + ")");
}

// What the connector can check of its role, it checks: `freshguard test` warns, once per
// connector, that the test role (like any role by default) may call pg_notify and the
// advisory-lock functions.
TEST_F(PgSecurityTest, TestConnectionWarnsAboutARoleThatCanNotifyOrLock) {
  std::ostringstream log;
  obs::set_logger(std::make_unique<obs::Logger>(obs::LogLevel::kInfo, obs::LogFormat::kJson,
                                                std::make_shared<obs::Redactor>(), log));
  PostgresConnector pg(options());
  pg.test_connection();
  pg.test_connection();
  obs::set_logger(nullptr);
  const std::string text = log.str();
  const auto first = text.find(R"("action":"role.privileges")");
  ASSERT_NE(first, std::string::npos) << text;
  EXPECT_EQ(text.find(R"("action":"role.privileges")", first + 1), std::string::npos) << text;
  EXPECT_NE(text.find("can call pg_notify, pg_try_advisory_lock, pg_advisory_lock"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find(R"("level":"warn")"), std::string::npos) << text;
}

}  // namespace
}  // namespace freshguard::security
