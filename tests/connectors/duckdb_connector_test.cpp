#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include <freshguard/config/connector_factory.hpp>
#include <freshguard/connectors/duckdb_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/monitors/monitors.hpp>

#include "support/aggregate.hpp"
#include "support/duckdb_db.hpp"
#include "support/temp_dir.hpp"

namespace freshguard {
namespace {

using sql::Identifier;
using sql::QualifiedName;
using std::chrono::seconds;

constexpr std::int64_t kBase = 1795788000;  // 2026-11-27T14:00:00Z
WallTime at(std::int64_t s) {
  return WallTime(seconds(s));
}

class DuckdbConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_ / "warehouse.duckdb";
    testing::duckdb_exec(db_, R"sql(
      CREATE TABLE orders (id INTEGER PRIMARY KEY, customer VARCHAR NOT NULL,
                           updated_at TIMESTAMP, paid_at TIMESTAMPTZ, day DATE,
                           epoch BIGINT, txt VARCHAR, amount DOUBLE);
      INSERT INTO orders VALUES
        (1, 'a', TIMESTAMP '2026-11-27 13:00:00', TIMESTAMPTZ '2026-11-27 13:00:00+00',
         DATE '2026-11-26', 1795787000, '2026-11-27T12:00:00Z', 1.5),
        (2, 'b', TIMESTAMP '2026-11-27 13:30:00', TIMESTAMPTZ '2026-11-27 15:30:00+02',
         DATE '2026-11-27', 1795788000, '2026-11-27T13:00:00Z', 2.5),
        (3, 'c', NULL, NULL, NULL, NULL, NULL, NULL);
      CREATE SCHEMA sales;
      CREATE TABLE sales."Invoices" ("IssuedAt" TIMESTAMP);
      INSERT INTO sales."Invoices" VALUES (TIMESTAMP '2026-11-27 14:00:00');
      CREATE TABLE empty_t (ts TIMESTAMP);
      CREATE TABLE bad_text (ts VARCHAR);
      INSERT INTO bad_text VALUES ('soon');
      CREATE VIEW recent AS SELECT * FROM orders;
    )sql");
  }

  DuckdbConnector make(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000)) {
    DuckdbOptions o;
    o.source_name = "duck";
    o.path = db_.string();
    o.timeout = timeout;
    o.max_connections = 3;
    return DuckdbConnector(std::move(o));
  }

  std::optional<WallTime> newest(DuckdbConnector& c, const char* table, const char* column,
                                 const TimeZone& zone = TimeZone::utc()) {
    return c.max_timestamp(QualifiedName::parse(table), Identifier::parse(column), zone);
  }

  testing::TempDir dir_;
  std::filesystem::path db_;
};

TEST_F(DuckdbConnectorTest, IsAvailableInThisBuild) {
  EXPECT_TRUE(duckdb_available());
}

TEST_F(DuckdbConnectorTest, ListsTablesAndViewsAcrossSchemas) {
  auto c = make();
  EXPECT_EQ(c.source_name(), "duck");
  EXPECT_EQ(c.dialect().kind(), sql::DialectKind::kDuckdb);
  c.test_connection();
  std::vector<std::string> names;
  for (const auto& t : c.list_tables())
    names.push_back(t.display());
  EXPECT_EQ(names, (std::vector<std::string>{"main.bad_text", "main.empty_t", "main.orders",
                                             "main.recent", "sales.Invoices"}));
}

TEST_F(DuckdbConnectorTest, TableSchemaHasTypesNullabilityAndPrimaryKey) {
  auto c = make();
  const auto s = c.table_schema(QualifiedName::parse("ORDERS"));
  EXPECT_EQ(s.table.display(), "main.orders");
  ASSERT_EQ(s.columns.size(), 8u);
  EXPECT_EQ(s.columns[0].name, "id");
  EXPECT_TRUE(s.columns[0].primary_key);
  EXPECT_FALSE(s.columns[0].nullable);
  EXPECT_FALSE(s.columns[1].nullable);
  EXPECT_EQ(s.columns[3].type, "TIMESTAMP WITH TIME ZONE");
  EXPECT_TRUE(s.columns[3].nullable);
  EXPECT_EQ(s.columns[7].position, 8);
}

TEST_F(DuckdbConnectorTest, TimestampColumnsOfEveryKind) {
  auto c = make();
  EXPECT_EQ(newest(c, "orders", "updated_at"), at(kBase - 1800));
  // Naive TIMESTAMP is read in the rule's zone; TIMESTAMPTZ is absolute.
  EXPECT_EQ(newest(c, "orders", "updated_at", TimeZone::named("Europe/Paris")),
            at(kBase - 1800 - 3600));
  EXPECT_EQ(newest(c, "orders", "paid_at"), at(kBase - 1800));
  EXPECT_EQ(newest(c, "orders", "paid_at", TimeZone::named("Europe/Paris")), at(kBase - 1800));
  EXPECT_EQ(newest(c, "orders", "day"), at(kBase - 14 * 3600));
  EXPECT_EQ(newest(c, "orders", "epoch"), at(kBase));
  EXPECT_EQ(newest(c, "orders", "txt"), at(kBase - 3600));
  EXPECT_EQ(testing::min_timestamp(c, QualifiedName::parse("orders"),
                                   Identifier::parse("updated_at"), TimeZone::utc()),
            at(kBase - 3600));
}

TEST_F(DuckdbConnectorTest, QualifiedMixedCaseNamesResolve) {
  auto c = make();
  EXPECT_EQ(newest(c, "sales.invoices", "IssuedAt"), at(kBase));
  EXPECT_EQ(c.row_count(QualifiedName::parse("SALES.INVOICES")), 1);
  EXPECT_EQ(c.row_count(QualifiedName::parse("recent")), 3);
}

TEST_F(DuckdbConnectorTest, EmptyAndNullGiveNoTimestamp) {
  auto c = make();
  EXPECT_FALSE(newest(c, "empty_t", "ts").has_value());
  EXPECT_EQ(c.row_count(QualifiedName::parse("empty_t")), 0);
}

TEST_F(DuckdbConnectorTest, WrongTypesAndMissingObjectsAreClearErrors) {
  auto c = make();
  EXPECT_THROW(newest(c, "orders", "amount"), MonitoringError);
  EXPECT_THROW(newest(c, "bad_text", "ts"), MonitoringError);
  try {
    (void)newest(c, "orders", "nope");
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_STREQ(e.what(), "column \"nope\" not found in main.orders of source \"duck\"");
  }
  try {
    (void)c.row_count(QualifiedName::parse("missing"));
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_STREQ(e.what(), "table \"main.missing\" not found in source \"duck\"");
  }
}

TEST_F(DuckdbConnectorTest, OpensReadOnlyAndNeverCreatesFiles) {
  auto c = make();
  c.test_connection();
  // Another process may still write while we read? DuckDB forbids a second writer, but a
  // read-only handle must not block nor modify the file.
  const auto size = std::filesystem::file_size(db_);
  (void)c.row_count(QualifiedName::parse("orders"));
  EXPECT_EQ(std::filesystem::file_size(db_), size);

  DuckdbOptions o;
  o.path = (dir_ / "missing.duckdb").string();
  DuckdbConnector missing(std::move(o));
  EXPECT_THROW(missing.test_connection(), ConnectionError);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "missing.duckdb"));

  const auto junk = dir_.write("junk.duckdb", std::string(8192, 'x'));
  DuckdbOptions j;
  j.path = junk.string();
  DuckdbConnector bad(std::move(j));
  EXPECT_THROW(bad.test_connection(), ConnectionError);
}

TEST_F(DuckdbConnectorTest, SystemDirectoriesAreRefused) {
  for (const char* p : {"/etc/passwd", "/proc/self/mem", "/dev/zero", "/tmp/../etc/x.duckdb"}) {
    DuckdbOptions o;
    o.path = p;
    EXPECT_THROW(DuckdbConnector{std::move(o)}, SecurityError) << p;
  }
}

TEST_F(DuckdbConnectorTest, InMemoryDatabaseOpens) {
  DuckdbOptions o;
  o.path = ":memory:";
  DuckdbConnector c(std::move(o));
  c.test_connection();
  EXPECT_TRUE(c.list_tables().empty());
}

TEST_F(DuckdbConnectorTest, HeavyQueryIsInterruptedAtTheDeadline) {
  testing::duckdb_exec(db_,
                       "CREATE VIEW heavy AS SELECT TIMESTAMP '2026-01-01' + INTERVAL (a.i + b.i) "
                       "SECOND AS ts FROM range(200000) a(i), range(200000) b(i);");
  auto c = make(std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(newest(c, "heavy", "ts"), TimeoutError);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  // The interrupted connection is discarded; the connector keeps working.
  EXPECT_EQ(c.row_count(QualifiedName::parse("orders")), 3);
  EXPECT_LE(c.open_connections(), 3);
}

TEST_F(DuckdbConnectorTest, ConcurrentChecksShareTheDatabase) {
  auto c = make();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10; ++i) {
        if (newest(c, "orders", "updated_at") == at(kBase - 1800)) ++ok;
      }
    });
  }
  for (auto& t : threads)
    t.join();
  EXPECT_EQ(ok.load(), 60);
  EXPECT_LE(c.open_connections(), 3);
}

TEST_F(DuckdbConnectorTest, FreshnessCheckThroughTheFactory) {
  config::SourceConfig src;
  src.name = "duck";
  src.type = config::SourceType::kDuckdb;
  src.path = db_.string();
  auto c = make_connector(src);
  Rule rule;
  rule.id = "orders_fresh";
  rule.source = "duck";
  rule.table = "orders";
  rule.freshness.timestamp_column = "paid_at";
  rule.freshness.tolerance = std::chrono::minutes(60);
  ManualClock clock(at(kBase));
  const auto r = run_check(*c, rule, clock);
  EXPECT_EQ(r.status, CheckStatus::kOk) << r.message;
  EXPECT_EQ(r.lag_seconds, 1800);
}

}  // namespace
}  // namespace freshguard
