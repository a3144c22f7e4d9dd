// The connector contract: one suite, every connector, its real engine. A rule moved from one
// database to another must behave the same.

#include <algorithm>

#include <gtest/gtest.h>

#include <freshguard/core/error.hpp>
#include <freshguard/monitors/monitors.hpp>

#include "connectors/contract_backend.hpp"

namespace freshguard::testing {
namespace {

using sql::Identifier;
using sql::QualifiedName;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::int64_t kBase = 1795788000;  // 2026-11-27T14:00:00Z
WallTime at(std::int64_t s) {
  return WallTime(seconds(s));
}

std::unique_ptr<ContractBackend> make_backend(const std::string& name) {
  if (name == "sqlite") return make_sqlite_backend();
  if (name == "mysql") return make_mysql_backend();
  if (name == "postgres") return make_postgres_backend();
  if (name == "bigquery") return make_bigquery_backend();
  if (name == "snowflake") return make_snowflake_backend();
  return make_duckdb_backend();
}

class ContractTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    backend_ = make_backend(GetParam());
    if (!backend_->available()) {
      if (backend_->required()) FAIL() << GetParam() << " is required in this run but unavailable";
      GTEST_SKIP() << GetParam() << " is not available here";
    }
    backend_->create_fixture();
    connector_ = backend_->make_connector(milliseconds(10000));
  }

  std::optional<WallTime> newest(const std::string& table, const std::string& column,
                                 const TimeZone& zone = TimeZone::utc()) {
    return connector_->max_timestamp(QualifiedName::parse(table), Identifier::parse(column), zone);
  }
  std::string mixed_case_table() const {
    const auto other = backend_->other_schema();
    return other.empty() ? "MixedCase" : other + ".MixedCase";
  }
  Rule freshness_rule(const std::string& table, const std::string& column) const {
    Rule r;
    r.id = "contract";
    r.source = "contract";
    r.table = table;
    r.freshness.timestamp_column = column;
    r.freshness.tolerance = std::chrono::minutes(90);
    return r;
  }

  std::unique_ptr<ContractBackend> backend_;
  std::unique_ptr<Connector> connector_;
};

TEST_P(ContractTest, TestConnectionAndListTables) {
  connector_->test_connection();
  const auto tables = connector_->list_tables();
  const auto has = [&](const std::string& schema, const std::string& name) {
    return std::any_of(tables.begin(), tables.end(), [&](const QualifiedName& t) {
      return t.schema && t.schema->str() == schema && t.name.str() == name;
    });
  };
  const auto schema = backend_->default_schema();
  EXPECT_TRUE(has(schema, "contract_events"));
  EXPECT_TRUE(has(schema, "contract_empty"));
  EXPECT_TRUE(has(schema, "contract_slow"));  // views are listed too
  // Engines differ on whether other schemas are listed (PostgreSQL lists the default one);
  // a table in the default schema is always listed.
  if (backend_->other_schema().empty()) {
    EXPECT_TRUE(has(schema, "MixedCase"));
  }
}

TEST_P(ContractTest, TableSchema) {
  const auto s = connector_->table_schema(QualifiedName::parse("contract_events"));
  EXPECT_EQ(s.table.schema->str(), backend_->default_schema());
  EXPECT_EQ(s.table.name.str(), "contract_events");
  ASSERT_EQ(s.columns.size(), 5u);
  EXPECT_EQ(s.columns[0].name, "id");
  EXPECT_TRUE(s.columns[0].primary_key);
  EXPECT_EQ(s.columns[0].position, 1);
  EXPECT_FALSE(s.columns[1].nullable);
  EXPECT_TRUE(s.columns[4].nullable);
  EXPECT_FALSE(s.columns[4].primary_key);
  EXPECT_EQ(s.columns[4].position, 5);
  ASSERT_NE(s.find_column("NAIVE_TS"), nullptr);
  EXPECT_EQ(s.find_column("NAIVE_TS")->name, "naive_ts");
}

TEST_P(ContractTest, RowCounts) {
  EXPECT_EQ(connector_->row_count(QualifiedName::parse("contract_events")), 3);
  EXPECT_EQ(connector_->row_count(QualifiedName::parse("contract_empty")), 0);
  EXPECT_EQ(connector_->row_count(QualifiedName::parse("contract_nulls")), 2);
}

TEST_P(ContractTest, NaiveTimestampsAreReadInTheRuleZone) {
  EXPECT_EQ(newest("contract_events", "naive_ts"), at(kBase - 3600));
  EXPECT_EQ(connector_->min_timestamp(QualifiedName::parse("contract_events"),
                                      Identifier::parse("naive_ts"), TimeZone::utc()),
            at(kBase - 7200));
  EXPECT_EQ(newest("contract_events", "naive_ts", TimeZone::named("Europe/Paris")),
            at(kBase - 7200));
}

TEST_P(ContractTest, ZoneAwareTimestampsAreAbsolute) {
  EXPECT_EQ(newest("contract_events", "aware_ts"), at(kBase - 3600));
  EXPECT_EQ(newest("contract_events", "aware_ts", TimeZone::named("Asia/Tokyo")), at(kBase - 3600));
  EXPECT_EQ(connector_->min_timestamp(QualifiedName::parse("contract_events"),
                                      Identifier::parse("aware_ts"), TimeZone::utc()),
            at(kBase - 7200));
}

TEST_P(ContractTest, EmptyTablesAndNullColumnsHaveNoTimestamp) {
  EXPECT_FALSE(newest("contract_empty", "ts").has_value());
  EXPECT_FALSE(newest("contract_nulls", "ts").has_value());
}

TEST_P(ContractTest, MixedCaseAndQualifiedNames) {
  EXPECT_EQ(newest(mixed_case_table(), "LoadedAt"), at(kBase));
  auto lower = mixed_case_table();
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  EXPECT_EQ(connector_->row_count(QualifiedName::parse(lower)), 1);
  EXPECT_EQ(
      connector_->row_count(QualifiedName::parse(backend_->default_schema() + ".contract_events")),
      3);
}

TEST_P(ContractTest, FreshnessJudgementIsTheSameEverywhere) {
  ManualClock clock(at(kBase));
  auto r = run_check(*connector_, freshness_rule("contract_events", "NAIVE_TS"), clock);
  EXPECT_EQ(r.status, CheckStatus::kOk) << r.message;
  EXPECT_EQ(r.lag_seconds, 3600);
  r = run_check(*connector_, freshness_rule("contract_empty", "ts"), clock);
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  EXPECT_EQ(r.row_count, 0);
  clock.advance(std::chrono::hours(1));
  r = run_check(*connector_, freshness_rule("contract_events", "aware_ts"), clock);
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  EXPECT_EQ(r.lag_seconds, 7200);
}

TEST_P(ContractTest, HostileIdentifiersNeverReachTheEngine) {
  ManualClock clock(at(kBase));
  for (const char* bad :
       {"users; DROP TABLE users; --", "user data", "a/**/b", "x' OR '1'='1", "pg_sleep(10)"}) {
    auto r = run_check(*connector_, freshness_rule(bad, "ts"), clock);
    ASSERT_TRUE(r.error) << bad;
    EXPECT_EQ(r.error->code, ErrorCode::kSecurityViolation) << bad;
    r = run_check(*connector_, freshness_rule("contract_events", bad), clock);
    EXPECT_EQ(r.error->code, ErrorCode::kSecurityViolation) << bad;
  }
}

TEST_P(ContractTest, MissingTableAndColumnAreQueryErrors) {
  ManualClock clock(at(kBase));
  auto r = run_check(*connector_, freshness_rule("no_such_table", "ts"), clock);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, ErrorCode::kQueryFailed);
  EXPECT_NE(r.error->message.find("no_such_table"), std::string::npos) << r.error->message;
  EXPECT_NE(r.error->message.find("not found"), std::string::npos) << r.error->message;
  r = run_check(*connector_, freshness_rule("contract_events", "no_such_column"), clock);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, ErrorCode::kQueryFailed);
  EXPECT_EQ(r.error->message, "column \"no_such_column\" not found in " +
                                  backend_->default_schema() + ".contract_events");
}

TEST_P(ContractTest, SlowQueriesStopAtTheDeadline) {
  auto fast = backend_->make_connector(milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(fast->max_timestamp(QualifiedName::parse("contract_slow"), Identifier::parse("ts"),
                                   TimeZone::utc()),
               TimeoutError);
  EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(10));
  // The connector recovers: the interrupted handle was discarded.
  EXPECT_EQ(fast->row_count(QualifiedName::parse("contract_events")), 3);
}

INSTANTIATE_TEST_SUITE_P(Engines, ContractTest,
                         ::testing::Values("sqlite", "duckdb", "postgres", "mysql", "bigquery",
                                           "snowflake"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace freshguard::testing
