// The connector contract: one suite, every connector, its real engine. A rule moved from one
// database to another must behave the same.

#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <freshguard/config/rule_queries.hpp>
#include <freshguard/config/source_types.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/monitors/monitors.hpp>

#include "connectors/contract_backend.hpp"
#include "support/aggregate.hpp"

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

// `freshguard explain` prints what the engine receives: the text explain renders for a rule
// (config::planned_queries in the source's dialect) is, character for character, a
// statement the engine got when the rule's queries ran.
TEST_P(ContractTest, ExplainPrintsExactlyWhatTheEngineReceives) {
  Rule rule = freshness_rule("contract_events", "naive_ts");
  rule.filter = "id > 1";
  const config::SourceConfig source = backend_->source_config();
  const auto planned = config::planned_queries(rule, source);
  ASSERT_EQ(planned.size(), 2u);
  EXPECT_EQ(connector_->max_timestamp(QualifiedName::parse("contract_events"),
                                      Identifier::parse("naive_ts"), TimeZone::utc(), rule.filter),
            at(kBase - 3600));
  EXPECT_EQ(connector_->row_count(QualifiedName::parse("contract_events"), rule.filter), 2);
  const auto received = backend_->received();
  std::string all;
  for (const auto& r : received)
    all += "\n  " + r;
  for (const auto& q : planned) {
    const std::string text = q.query.render(config::dialect_of(source.type));
    EXPECT_NE(std::find(received.begin(), received.end(), text), received.end())
        << GetParam() << ": explain prints\n  " << text << "\nthe engine received:" << all;
  }
}

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
  EXPECT_EQ(testing::min_timestamp(*connector_, QualifiedName::parse("contract_events"),
                                   Identifier::parse("naive_ts"), TimeZone::utc()),
            at(kBase - 7200));
  EXPECT_EQ(newest("contract_events", "naive_ts", TimeZone::named("Europe/Paris")),
            at(kBase - 7200));
}

TEST_P(ContractTest, ZoneAwareTimestampsAreAbsolute) {
  EXPECT_EQ(newest("contract_events", "aware_ts"), at(kBase - 3600));
  EXPECT_EQ(newest("contract_events", "aware_ts", TimeZone::named("Asia/Tokyo")), at(kBase - 3600));
  EXPECT_EQ(testing::min_timestamp(*connector_, QualifiedName::parse("contract_events"),
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
                                  backend_->default_schema() +
                                  ".contract_events of source \"contract\"");
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

// A rule's filter is rendered per engine from its allowlisted tree: the same filter counts
// the same rows everywhere.
TEST_P(ContractTest, FiltersCountTheSameRowsEverywhere) {
  const auto events = QualifiedName::parse("contract_events");
  const auto count = [&](const std::string& filter) {
    return connector_->row_count(events, filter);
  };
  EXPECT_EQ(count("name IN ('a', 'b') AND note IS NULL"), 1);
  EXPECT_EQ(count("name LIKE 'b%' OR lower(name) = 'c'"), 2);
  EXPECT_EQ(count("NAME ILIKE 'B' OR (id BETWEEN 2 AND 3 AND NOT id = 2)"), 2);
  EXPECT_EQ(count("CASE WHEN note IS NULL THEN 0 ELSE 1 END = 1 AND length(name) = 1"), 1);
  EXPECT_EQ(count("coalesce(note, 'none') = 'none' AND id * 2 - 1 > 0"), 2);
  EXPECT_EQ(*connector_->max_timestamp(events, Identifier::parse("naive_ts"), TimeZone::utc(),
                                       "name = 'a'"),
            at(kBase - 7200));
  // The protocol test servers run their SQL on SQLite, which cannot evaluate BigQuery's or
  // Snowflake's string escapes and date functions; those renderings are pinned by
  // FilterTest.* instead.
  const bool real_engine = GetParam() != "bigquery" && GetParam() != "snowflake";
  if (real_engine) {
    EXPECT_EQ(count("name <> 'it''s \\ x' AND name <> $q$a$q$"), 2);
    EXPECT_EQ(count("naive_ts < CURRENT_TIMESTAMP AND naive_ts > current_date - 36500"), 2);
    EXPECT_EQ(count("naive_ts > now() - interval '100000 days' AND id % 2 = 1"), 1);
  }
  // A filter column the table does not have is named.
  try {
    (void)count("nmae = 'a'");
    FAIL() << "a missing filter column must be an error";
  } catch (const QueryError& e) {
    EXPECT_NE(std::string(e.what()).find("filter column \"nmae\" not found"), std::string::npos)
        << e.what();
  }
}

// The outside attack's oracles: a filter that would tell a right guess about another table
// from a wrong one. Each pair must give the same answer, or both be refused. Before filters
// were rendered, the backslash pair read contract_nulls on MariaDB and the dollar pair on
// SQLite; table_to_xml passed the PostgreSQL denylist.
TEST_P(ContractTest, FilterOraclesCannotTellARightGuessFromAWrongOne) {
  const auto events = QualifiedName::parse("contract_events");
  const auto outcome = [&](const std::string& filter) -> std::string {
    try {
      return "rows " + std::to_string(connector_->row_count(events, filter));
    } catch (const Error& e) {
      return "refused " + std::string(to_string(e.code()));
    }
  };
  const std::vector<std::string> templates = {
      // MySQL: 'a\' is a whole string to PostgreSQL's lexer, an escaped quote to MySQL's.
      "name = 'a\\' OR name = ' OR (SELECT COUNT(*) FROM contract_nulls) = GUESS) #'",
      // SQLite: $a$ ... $a$ is a string to PostgreSQL, a bind parameter to SQLite.
      "name = $a$ OR (SELECT COUNT(*) FROM contract_nulls) = GUESS OR name = $a$",
      // PostgreSQL: reads another table through a function the denylist did not know.
      "(length(table_to_xml('contract_nulls', true, false, '')::text) - "
      "length(replace(table_to_xml('contract_nulls', true, false, '')::text, '<row>', ''))) / 5 "
      "= GUESS",
      "(SELECT COUNT(*) FROM contract_nulls) = GUESS",
      "1 = 1) UNION ALL SELECT COUNT(*) FROM contract_nulls WHERE (GUESS = 2",
  };
  for (const auto& t : templates) {
    const auto guess = [&](const std::string& n) {
      std::string f = t;
      f.replace(f.find("GUESS"), 5, n);
      return f;
    };
    EXPECT_EQ(outcome(guess("2")), outcome(guess("3"))) << t;  // contract_nulls has 2 rows
  }
}

// The outside attack's value bombs (DuckDB ran `repeat` for 18 s and 3.9 GB, `list_reduce`
// for 82 s, SQLite `randomblob` took 2 GB, all with a 5 s timeout): an embedded engine builds
// such a value inside one expression without looking at its deadline. No filter can name
// them, so they end at once, before any query is sent, whatever the engine.
TEST_P(ContractTest, ValueBombFiltersAreRefusedAtOnce) {
  const auto events = QualifiedName::parse("contract_events");
  for (const std::string& bomb : std::vector<std::string>{
           "length(repeat('x', 2000000000)) > 0",
           "list_reduce(range(100000000), (a, b) -> a + b) > 0",
           "length(randomblob(1000000000)) > 0",
           "length(replace(replace(replace(name, 'a', 'aaaaaaaa'), 'a', 'aaaaaaaa'), 'a', "
           "'aaaaaaaa')) > 0",
       }) {
    const auto start = std::chrono::steady_clock::now();
    EXPECT_THROW((void)connector_->row_count(events, bomb), SecurityError) << bomb;
    EXPECT_LT(std::chrono::steady_clock::now() - start, seconds(11)) << bomb;  // deadline + 1 s
  }
}

INSTANTIATE_TEST_SUITE_P(Engines, ContractTest,
                         ::testing::Values("sqlite", "duckdb", "postgres", "mysql", "bigquery",
                                           "snowflake"),
                         [](const ::testing::TestParamInfo<std::string>& p) { return p.param; });

}  // namespace
}  // namespace freshguard::testing
