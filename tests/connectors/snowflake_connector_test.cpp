// The Snowflake connector end to end over HTTPS against the local SQL API test server: JWT
// caching and re-signing, OAuth, partitions, retries of 429, cancellation at the deadline,
// the EXPLAIN cost guard, and the catalog freshness method.

#include <algorithm>

#include <gtest/gtest.h>

#include <freshguard/config/connector_factory.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/monitors/monitors.hpp>

#include "connectors/snowflake_fixture.hpp"
#include "support/aggregate.hpp"

namespace freshguard::testing {
namespace {

using sql::Identifier;
using sql::QualifiedName;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::int64_t kBase = 1795788000;  // 2026-11-27T14:00:00Z

class SnowflakeTest : public ::testing::Test {
 protected:
  SnowflakeTest() : server_(make_snowflake_fixture_server(&clock_)) {}
  std::unique_ptr<SnowflakeConnector> connector(int key = 0) {
    auto o = snowflake_options(*server_, dir_, key);
    o.clock = &clock_;
    return std::make_unique<SnowflakeConnector>(std::move(o));
  }
  static QualifiedName events() { return QualifiedName::parse("contract_events"); }
  static Rule rule(const std::string& table, const std::string& column) {
    Rule r;
    r.id = "sf_rule";
    r.source = "sf";
    r.table = table;
    r.freshness.timestamp_column = column;
    r.freshness.tolerance = std::chrono::minutes(60);
    return r;
  }
  // Statements submitted whose text contains `part`.
  int statements_with(const std::string& part) const { return server_->count_statements(part); }

  ManualClock clock_{WallTime(seconds(kBase))};
  TempDir dir_;
  std::unique_ptr<SnowflakeTestServer> server_;
};

TEST_F(SnowflakeTest, JwtIsCachedUntilItNearlyExpiresThenSignedAgain) {
  auto c = connector();
  c->test_connection();
  EXPECT_EQ(c->row_count(events()), 3);
  EXPECT_EQ(server_->distinct_bearers(), 1);
  clock_.advance(seconds(59 * 60 - 61));  // still more than a minute left: cached
  EXPECT_EQ(c->list_tables().size(), 6u);
  EXPECT_EQ(server_->distinct_bearers(), 1);
  clock_.advance(seconds(2));  // within a minute of expiry: signed afresh
  EXPECT_EQ(c->row_count(events()), 3);
  EXPECT_EQ(server_->distinct_bearers(), 2);
  for (const auto& r : server_->log())
    EXPECT_EQ(r.token_type, "KEYPAIR_JWT");
}

TEST_F(SnowflakeTest, A401DropsTheJwtAndRetriesOnceWithANewOne) {
  auto c = connector();
  c->test_connection();
  server_->revoke_jwts();
  clock_.advance(seconds(1));
  EXPECT_EQ(c->row_count(events()), 3);
  EXPECT_EQ(server_->distinct_bearers(), 2);
}

TEST_F(SnowflakeTest, AnUnknownKeyIsAnAuthErrorThatNamesNoSecret) {
  auto c = connector(1);
  try {
    c->test_connection();
    FAIL() << "expected an auth error";
  } catch (const ConnectionError& e) {
    EXPECT_FALSE(e.transient());
    EXPECT_NE(std::string(e.what()).find("rejected the credentials (HTTP 401"), std::string::npos)
        << e.what();
    EXPECT_EQ(std::string(e.what()).find("PRIVATE KEY"), std::string::npos);
  }
  EXPECT_EQ(server_->count_statements("SELECT 1"), 2);  // the first try and one re-signed retry
}

TEST_F(SnowflakeTest, OAuthTokenComesFromAFile) {
  server_->add_oauth_token("oauth-token-1");
  auto o = snowflake_options(*server_, dir_);
  o.private_key_file.clear();
  o.oauth_token_file = dir_.write("token", "oauth-token-1\n").string();
  SnowflakeConnector c(std::move(o));
  EXPECT_EQ(c.row_count(events()), 3);
  for (const auto& r : server_->log())
    EXPECT_EQ(r.token_type, "OAUTH");

  auto bad = snowflake_options(*server_, dir_);
  bad.private_key_file.clear();
  bad.oauth_token_file = dir_.write("token2", "not-a-token").string();
  EXPECT_THROW(SnowflakeConnector(std::move(bad)).test_connection(), ConnectionError);
  auto both = snowflake_options(*server_, dir_);
  both.oauth_token_file = dir_.write("token3", "t").string();
  EXPECT_THROW(SnowflakeConnector{std::move(both)}, ConfigError);
  auto empty = snowflake_options(*server_, dir_);
  empty.private_key_file.clear();
  empty.oauth_token_file = dir_.write("token4", " \n").string();
  EXPECT_THROW(SnowflakeConnector{std::move(empty)}, ConfigError);
}

TEST_F(SnowflakeTest, ResultsArePaginatedIntoPartitions) {
  server_->set_partition_rows(2);
  auto c = connector();
  const auto tables = c->list_tables();
  ASSERT_EQ(tables.size(), 6u);
  EXPECT_EQ(tables.front().name.str(), "MixedCase");  // OTHER_SCHEMA sorts first
  int partitions = 0;
  for (const auto& r : server_->log()) {
    if (r.method == "GET" && r.query.find("partition=") != std::string::npos) ++partitions;
  }
  EXPECT_EQ(partitions, 2);  // 6 rows in partitions of 2: partition 0 came with the result
}

TEST_F(SnowflakeTest, TheStatementCarriesItsContextAndBindings) {
  auto c = connector();
  (void)c->table_schema(QualifiedName::parse("orders"));
  const auto log = server_->log();
  const auto submit = std::find_if(log.begin(), log.end(), [](const SnowflakeRequest& r) {
    return r.method == "POST" && r.statement.find("INFORMATION_SCHEMA.TABLES") != std::string::npos;
  });
  ASSERT_NE(submit, log.end());
  EXPECT_NE(submit->query.find("async=true"), std::string::npos);
  EXPECT_NE(submit->query.find("requestId="), std::string::npos);
  const auto body = nlohmann::json::parse(submit->body);
  EXPECT_EQ(body["database"], "FG_DB");
  EXPECT_EQ(body["schema"], "PUBLIC");
  EXPECT_EQ(body["warehouse"], "MONITOR_WH");
  EXPECT_EQ(body["role"], "READER");
  EXPECT_EQ(body["parameters"]["MULTI_STATEMENT_COUNT"], "1");
  EXPECT_EQ(body["bindings"]["2"]["value"], "orders");
  EXPECT_GE(body["timeout"].get<int>(), 1);
}

TEST_F(SnowflakeTest, A429IsRetriedByTheResilienceLayer) {
  server_ = make_snowflake_fixture_server();  // real time: the resilience layer's clock
  config::SourceConfig source;
  source.name = "sf";
  source.type = config::SourceType::kSnowflake;
  source.account = SnowflakeTestServer::kAccount;
  source.username = SnowflakeTestServer::kUser;
  source.private_key_file = dir_.write("k.p8", test_rsa_key_pem(0)).string();
  source.database = kSnowflakeDatabase;
  source.endpoint = server_->base_url();
  source.ssl_root_cert = server_->ca_file();
  source.retry.base_delay_ms = 10;
  auto c = make_connector(source);
  server_->fail_next(429);
  EXPECT_EQ(c->row_count(events()), 3);
  server_->fail_next(503);
  EXPECT_EQ(c->table_schema(events()).columns.size(), 5u);

  auto o = snowflake_options(*server_, dir_);
  auto plain = std::make_unique<SnowflakeConnector>(std::move(o));
  server_->fail_next(429);
  try {
    (void)plain->list_tables();
    FAIL() << "expected a transient error";
  } catch (const QueryError& e) {
    EXPECT_TRUE(e.transient());
  }
}

TEST_F(SnowflakeTest, AStatementPastTheDeadlineIsCancelled) {
  server_ = make_snowflake_fixture_server();  // real time: the polls really wait
  auto o = snowflake_options(*server_, dir_);
  o.timeout = milliseconds(1500);
  SnowflakeConnector c(std::move(o));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(c.max_timestamp(QualifiedName::parse("contract_slow"), Identifier::parse("ts"),
                               TimeZone::utc()),
               TimeoutError);
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(5));
  EXPECT_EQ(statements_with("SELECT max(\"ts\")"), 2);  // the EXPLAIN, then the query
  EXPECT_EQ(server_->cancels(), 1);
  EXPECT_GE(server_->polls(), 2);
}

TEST_F(SnowflakeTest, TheCostGuardRefusesAnExpensiveQueryBeforeItRuns) {
  server_->set_explain_bytes(5LL * 1024 * 1024 * 1024);
  auto c = connector();
  const auto r = run_check(*c, rule("contract_events", "aware_ts"), clock_);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, ErrorCode::kQueryFailed);
  EXPECT_NE(r.error->message.find("cost guard: the query would scan 5.0 GiB, more than "
                                  "max_scan_mb (1.0 GiB); it was not run"),
            std::string::npos)
      << r.error->message;
  EXPECT_EQ(statements_with("EXPLAIN USING JSON SELECT max(\"aware_ts\")"), 1);
  EXPECT_EQ(statements_with("SELECT max(\"aware_ts\")"), 1);  // only inside the EXPLAIN
  // An unfiltered COUNT(*) is answered from metadata and is not explained.
  EXPECT_EQ(c->row_count(events()), 3);
  EXPECT_EQ(statements_with("EXPLAIN USING JSON SELECT count"), 0);
}

TEST_F(SnowflakeTest, TheCatalogMethodIssuesNoScanningQuery) {
  server_->set_last_altered("PUBLIC", "ORDERS", kBase - 600);
  auto c = connector();
  Rule catalog = rule("orders", "");
  auto r = run_check(*c, catalog, clock_);
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_EQ(r.method, Method::kCatalog);
  EXPECT_EQ(r.lag_seconds, 600);
  EXPECT_EQ(r.row_count, 2);
  clock_.advance(std::chrono::hours(2));
  r = run_check(*c, catalog, clock_);
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  const auto statements = server_->statements();
  ASSERT_EQ(statements.size(), 2u);
  for (const auto& s : statements) {
    EXPECT_NE(s.find("FROM \"FG_DB\".INFORMATION_SCHEMA.TABLES"), std::string::npos) << s;
    EXPECT_EQ(s.find("\"ORDERS\""), std::string::npos) << s;
  }
  // A view has no catalog freshness: the rule must name a timestamp column.
  r = run_check(*c, rule("contract_slow", ""), clock_);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, ErrorCode::kConfigInvalid);
  EXPECT_NE(r.error->message.find("timestamp_column is required"), std::string::npos);
  EXPECT_EQ(c->catalog_stats(QualifiedName::parse("orders"))->row_count, 2);
  EXPECT_EQ(c->catalog_stats(QualifiedName::parse("contract_slow")), std::nullopt);
}

TEST_F(SnowflakeTest, UnquotedUpperCaseNamesAreFoundFromLowerCase) {
  auto c = connector();
  const auto r = run_check(*c, rule("orders", "loaded_at"), clock_);
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.lag_seconds, 600);
  EXPECT_EQ(statements_with("SELECT max(\"LOADED_AT\") FROM \"FG_DB\".\"PUBLIC\".\"ORDERS\""), 2);
  const auto schema = c->table_schema(QualifiedName::parse("public.orders"));
  EXPECT_EQ(schema.table.name.str(), "ORDERS");
  ASSERT_EQ(schema.columns.size(), 3u);
  EXPECT_TRUE(schema.columns[0].primary_key);
  EXPECT_EQ(schema.columns[2].type, "DATE");
  // DATE is read in the rule's zone: 2026-11-27 midnight in Tokyo is 15:00 UTC the day before.
  EXPECT_EQ(c->max_timestamp(QualifiedName::parse("orders"), Identifier::parse("day"),
                             TimeZone::named("Asia/Tokyo")),
            WallTime(seconds(kBase - 14 * 3600 - 9 * 3600)));
  EXPECT_EQ(testing::min_timestamp(*c, QualifiedName::parse("orders"),
                                   Identifier::parse("loaded_at"), TimeZone::utc()),
            WallTime(seconds(kBase - 1200)));
}

TEST_F(SnowflakeTest, FiltersAreCheckedExplainedAndApplied) {
  auto c = connector();
  EXPECT_EQ(c->row_count(events(), "\"id\" > 1"), 2);
  EXPECT_EQ(statements_with("EXPLAIN USING JSON SELECT count(*) FROM "
                            "\"FG_DB\".\"PUBLIC\".\"contract_events\" WHERE (\"id\" > 1)"),
            1);
  EXPECT_EQ(
      c->max_timestamp(events(), Identifier::parse("naive_ts"), TimeZone::utc(), "\"name\" = 'a'"),
      WallTime(seconds(kBase - 7200)));
  const auto before = server_->statements().size();
  EXPECT_THROW(c->row_count(events(), "1=1; DROP TABLE x"), SecurityError);
  EXPECT_THROW(c->row_count(events(), "id IN (SELECT id FROM other)"), SecurityError);
  EXPECT_EQ(server_->statements().size(), before);
}

TEST_F(SnowflakeTest, SqlErrorsAndMissingNamesAreQueryErrors) {
  auto c = connector();
  try {
    (void)c->row_count(QualifiedName::parse("nope"));
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_EQ(std::string(e.what()), "table \"PUBLIC.nope\" not found in source \"snowflake\"");
  }
  server_->exec("CREATE TABLE PUBLIC.GONE (X NUMBER)");
  EXPECT_EQ(c->row_count(QualifiedName::parse("gone")), 0);
  // The table vanishes after its schema was cached: Snowflake's 422 surfaces as a query error.
  server_->exec("DROP TABLE PUBLIC.GONE");
  try {
    (void)c->row_count(QualifiedName::parse("gone"));
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_FALSE(e.transient());
    EXPECT_NE(std::string(e.what()).find("HTTP 422 (code 002003)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
  EXPECT_EQ(c->dialect().kind(), sql::DialectKind::kSnowflake);
  EXPECT_EQ(c->source_name(), "snowflake");
}

}  // namespace
}  // namespace freshguard::testing
