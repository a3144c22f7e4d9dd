// The BigQuery connector end to end over HTTPS against the local BigQuery test server:
// token caching and refresh, pagination, query parameters, retries of 429, the cost guard,
// cancellation at the deadline, and the catalog freshness method.

#include <gtest/gtest.h>

#include <freshguard/config/connector_factory.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/monitors/monitors.hpp>

#include "connectors/bigquery/bq_api.hpp"
#include "connectors/bigquery_fixture.hpp"
#include "support/aggregate.hpp"

namespace freshguard::testing {
namespace {

using sql::Identifier;
using sql::QualifiedName;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::int64_t kBase = 1795788000;  // 2026-11-27T14:00:00Z

class BigqueryTest : public ::testing::Test {
 protected:
  BigqueryTest() : server_(make_bigquery_fixture_server()) {}
  std::unique_ptr<BigqueryConnector> connector(const Clock* clock = nullptr, int key = 0) {
    auto o = bigquery_options(*server_, dir_, key);
    o.clock = clock;
    return std::make_unique<BigqueryConnector>(std::move(o));
  }
  static QualifiedName events() { return QualifiedName::parse("contract_events"); }
  Rule catalog_rule() const {
    Rule r;
    r.id = "bq_catalog";
    r.source = "bq";
    r.table = "contract_events";
    r.freshness.tolerance = std::chrono::minutes(60);
    return r;
  }

  TempDir dir_;
  std::unique_ptr<BigqueryTestServer> server_;
};

TEST_F(BigqueryTest, TokenIsCachedUntilItExpiresThenRefreshed) {
  ManualClock clock{WallTime(seconds(kBase))};
  auto c = connector(&clock);
  c->test_connection();
  EXPECT_EQ(c->row_count(events()), 3);
  EXPECT_EQ(server_->token_requests(), 1);
  clock.advance(seconds(3600 - 59));  // within a minute of expiry: refreshed early
  EXPECT_EQ(c->list_tables().size(), 4u);
  EXPECT_EQ(server_->token_requests(), 2);
}

TEST_F(BigqueryTest, A401DropsTheTokenAndRetriesOnceWithANewOne) {
  auto c = connector();
  c->test_connection();
  server_->expire_tokens();
  EXPECT_EQ(c->row_count(events()), 3);
  EXPECT_EQ(server_->token_requests(), 2);
}

TEST_F(BigqueryTest, AnUnknownKeyIsAnAuthErrorThatNamesNoSecret) {
  auto c = connector(nullptr, 1);
  try {
    c->test_connection();
    FAIL() << "expected an auth error";
  } catch (const ConnectionError& e) {
    EXPECT_FALSE(e.transient());
    EXPECT_NE(std::string(e.what()).find("rejected"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("PRIVATE KEY"), std::string::npos);
  }
  EXPECT_EQ(server_->count("GET", "/datasets/"), 0);
}

TEST_F(BigqueryTest, ResultsAndTableListsArePaginated) {
  server_->set_max_page_rows(1);
  auto c = connector();
  EXPECT_EQ(c->list_tables().size(), 4u);
  EXPECT_EQ(server_->count("GET", "/tables"), 4);  // 4 pages of one table

  // A multi-row result through getQueryResults page tokens, with a bound value.
  const auto key = bigquery::load_service_account_key(server_->write_key_file(dir_));
  net::HttpClient http(net::HttpOptions{server_->ca_file()});
  SystemClock clock;
  bigquery::TokenSource tokens(key, http, clock);
  bigquery::Api api({server_->base_url(), BigqueryTestServer::kProject, "US", 1000000, 100}, http,
                    tokens, clock);
  const auto r = api.query(
      "SELECT id, name FROM `fg-test-project.fg_ds.contract_events` WHERE id >= @min ORDER BY id",
      {{"min", "INT64", "1"}}, resilience::Deadline::after(clock, seconds(10)));
  ASSERT_EQ(r.rows.size(), 3u);
  EXPECT_EQ(r.rows[2][1], "c");
  EXPECT_EQ(r.fields[0].type, "INTEGER");
  EXPECT_EQ(server_->count("GET", "/queries/"), 2);  // pages 2 and 3
  const auto submitted = server_->log();
  const auto job = std::find_if(submitted.begin(), submitted.end(), [](const LoggedRequest& l) {
    return l.method == "POST" && l.path.find("/queries") != std::string::npos && !l.dry_run;
  });
  ASSERT_NE(job, submitted.end());
  EXPECT_NE(job->body.find(R"("maximumBytesBilled":"1000000")"), std::string::npos);
  EXPECT_NE(job->body.find(R"("location":"US")"), std::string::npos);
  EXPECT_NE(job->body.find(R"("parameterMode":"NAMED")"), std::string::npos);
}

TEST_F(BigqueryTest, A429IsRetriedByTheResilienceLayer) {
  config::SourceConfig source;
  source.name = "bq";
  source.type = config::SourceType::kBigquery;
  source.project = BigqueryTestServer::kProject;
  source.dataset = kBigqueryDataset;
  source.endpoint = server_->base_url();
  source.ssl_root_cert = server_->ca_file();
  source.credentials_file = server_->write_key_file(dir_);
  source.retry.base_delay_ms = 10;
  auto c = make_connector(source);
  server_->fail_next(429);
  EXPECT_EQ(c->row_count(events()), 3);
  server_->fail_next(503);
  EXPECT_EQ(c->table_schema(events()).columns.size(), 5u);

  auto plain = connector();
  server_->fail_next(429);
  try {
    (void)plain->list_tables();
    FAIL() << "expected a transient error";
  } catch (const QueryError& e) {
    EXPECT_TRUE(e.transient());
  }
}

TEST_F(BigqueryTest, AJobPastTheDeadlineIsCancelled) {
  auto o = bigquery_options(*server_, dir_);
  o.timeout = milliseconds(1500);
  BigqueryConnector c(std::move(o));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(c.max_timestamp(QualifiedName::parse("contract_slow"), Identifier::parse("ts"),
                               TimeZone::utc()),
               TimeoutError);
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(5));
  EXPECT_EQ(server_->jobs_submitted(), 1);
  EXPECT_EQ(server_->cancels(), 1);
}

TEST_F(BigqueryTest, ADryRunOverBudgetFailsTheCheckAndSubmitsNoJob) {
  server_->set_dry_run_bytes(5'000'000'000);
  auto c = connector();
  Rule rule = catalog_rule();
  rule.freshness.timestamp_column = "aware_ts";
  const auto r = run_check(*c, rule, SystemClock::instance());
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, ErrorCode::kQueryFailed);
  EXPECT_NE(r.error->message.find("cost guard: the query would process 5.0 GB, more than "
                                  "maximum_bytes_billed (1.0 GB); no job was submitted"),
            std::string::npos)
      << r.error->message;
  EXPECT_EQ(server_->dry_runs(), 1);
  EXPECT_EQ(server_->jobs_submitted(), 0);
}

TEST_F(BigqueryTest, TheCatalogMethodIssuesNoQuery) {
  server_->set_last_modified_ms("contract_events", (kBase - 600) * 1000);
  auto c = connector();
  ManualClock clock{WallTime(seconds(kBase))};
  auto r = run_check(*c, catalog_rule(), clock);
  ASSERT_FALSE(r.error) << r.error->message;
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_EQ(r.method, Method::kCatalog);
  EXPECT_EQ(r.lag_seconds, 600);
  EXPECT_EQ(r.row_count, 3);
  clock.advance(std::chrono::hours(2));
  r = run_check(*c, catalog_rule(), clock);
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  EXPECT_EQ(server_->count("POST", "/queries"), 0);
  EXPECT_EQ(server_->count("POST", "/queries", true), 0);
  EXPECT_EQ(server_->count("GET", "/tables/contract_events"), 2);
  // A view has no catalog freshness: the rule must name a timestamp column.
  Rule view = catalog_rule();
  view.table = "contract_slow";
  r = run_check(*c, view, clock);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, ErrorCode::kConfigInvalid);
  EXPECT_NE(r.error->message.find("timestamp_column is required"), std::string::npos);
  // A filter needs a column to filter the rows it reads.
  Rule filtered = catalog_rule();
  filtered.filter = "id > 1";
  r = run_check(*c, filtered, clock);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, ErrorCode::kConfigInvalid);
  EXPECT_EQ(server_->count("POST", "/queries"), 0);
}

TEST_F(BigqueryTest, NamesResolveIgnoringCaseAndFiltersAreAnalysedThenApplied) {
  auto c = connector();
  EXPECT_EQ(c->row_count(QualifiedName::parse("CONTRACT_EVENTS")), 3);
  EXPECT_EQ(server_->count("GET", "/tables/CONTRACT_EVENTS"), 1);  // 404, then tables.list
  const auto sent_with = [&](const std::string& part) {
    int n = 0;
    for (const auto& r : server_->log()) {
      if (r.method == "POST" && !r.dry_run && r.body.find(part) != std::string::npos) ++n;
    }
    return n;
  };
  EXPECT_EQ(sent_with("FROM `fg-test-project`.`fg_ds`.`contract_events`"), 1);
  EXPECT_EQ(c->table_schema(QualifiedName::parse("Contract_Events")).table.name.str(),
            "contract_events");
  EXPECT_EQ(c->row_count(events(), "id > 1"), 2);
  EXPECT_EQ(sent_with("WHERE (`id` > 1)"), 1);  // rendered from the filter's tree
  EXPECT_EQ(
      c->max_timestamp(events(), Identifier::parse("AWARE_TS"), TimeZone::utc(), "name = 'a'"),
      WallTime(seconds(kBase - 7200)));
  const auto dry_runs = server_->dry_runs();
  EXPECT_THROW(c->row_count(events(), "1=1; DROP TABLE x"), SecurityError);
  EXPECT_THROW(c->row_count(events(), "id IN (SELECT id FROM other)"), SecurityError);
  EXPECT_EQ(server_->dry_runs(), dry_runs);  // refused before anything was sent
}

TEST_F(BigqueryTest, CatalogFiguresAndMissingTables) {
  auto c = connector();
  EXPECT_EQ(c->catalog_stats(events())->row_count, 3);
  EXPECT_EQ(c->catalog_stats(QualifiedName::parse("contract_slow")), std::nullopt);
  EXPECT_THROW(c->catalog_stats(QualifiedName::parse("nope")), QueryError);
  EXPECT_THROW(c->row_count(QualifiedName::parse("nope")), QueryError);
  EXPECT_EQ(testing::min_timestamp(*c, events(), Identifier::parse("aware_ts"), TimeZone::utc()),
            WallTime(seconds(kBase - 7200)));
  EXPECT_EQ(c->dialect().kind(), sql::DialectKind::kBigquery);
  EXPECT_EQ(c->source_name(), "bigquery");
}

}  // namespace
}  // namespace freshguard::testing
