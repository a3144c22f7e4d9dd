// Query metrics: the fixed-memory histogram, the registry, and their recording by the
// ResilientConnector around a real SQLite connector (time from a ManualClock that the
// wrapped calls advance, so durations are exact).

#include <memory>
#include <sstream>

#include <gtest/gtest.h>

#include <freshguard/config/connector_factory.hpp>
#include <freshguard/connectors/resilient_connector.hpp>
#include <freshguard/connectors/sqlite_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/observability/logger.hpp>
#include <freshguard/observability/query_metrics.hpp>
#include <freshguard/resilience/sleeper.hpp>

#include "support/aggregate.hpp"
#include "support/sqlite_db.hpp"
#include "support/temp_dir.hpp"

namespace freshguard {
namespace {

using obs::LatencyHistogram;
using obs::QueryMetric;
using obs::QueryMetrics;
using obs::QueryOperation;
using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(LatencyHistogram, BucketsAreGeometricAndBounded) {
  EXPECT_EQ(LatencyHistogram::upper_bound(0), microseconds(10));
  EXPECT_EQ(LatencyHistogram::upper_bound(1), microseconds(13));  // 12.5 rounded
  EXPECT_GT(LatencyHistogram::upper_bound(LatencyHistogram::kBuckets - 1), std::chrono::minutes(7));
  LatencyHistogram h;
  EXPECT_EQ(h.quantile(0.5), microseconds(0));  // empty
  for (int i = 1; i <= 100; ++i)
    h.record(milliseconds(i));
  EXPECT_EQ(h.count(), 100U);
  // Each quantile is within 25% above the true value, never below it.
  for (const auto& [q, truth] : {std::pair{0.5, 50}, {0.95, 95}, {0.99, 99}}) {
    const auto v = h.quantile(q);
    EXPECT_GE(v, milliseconds(truth)) << q;
    EXPECT_LE(v, microseconds(truth * 1250)) << q;
  }
  EXPECT_EQ(h.quantile(1.0), milliseconds(100));  // clamped to the max seen
  h.record(std::chrono::hours(2));                // overflow bucket
  EXPECT_EQ(h.quantile(1.0), std::chrono::hours(2));
  h.record(microseconds(-5));                      // clamped to zero
  EXPECT_LE(h.quantile(0.001), microseconds(10));  // the first bucket
}

TEST(LatencyHistogram, MergeAddsObservations) {
  LatencyHistogram a;
  LatencyHistogram b;
  a.record(milliseconds(1));
  b.record(milliseconds(100));
  b.record(milliseconds(100));
  a.merge(b);
  a.merge(LatencyHistogram{});
  EXPECT_EQ(a.count(), 3U);
  EXPECT_GE(a.quantile(0.1), milliseconds(1));
  EXPECT_LE(a.quantile(0.1), microseconds(1250));
  EXPECT_EQ(a.quantile(1.0), milliseconds(100));
}

TEST(QueryMetric, CountsDurationsAndErrors) {
  QueryMetric m;
  EXPECT_EQ(m.avg_ms(), 0.0);
  EXPECT_EQ(m.success_rate(), 1.0);
  m.record(milliseconds(10), std::nullopt);
  m.record(milliseconds(30), ErrorCode::kTimeout);
  m.record(milliseconds(20), std::nullopt, true);
  m.record(milliseconds(40), ErrorCode::kTimeout);
  EXPECT_EQ(m.total, 4U);
  EXPECT_EQ(m.successful, 1U);
  EXPECT_EQ(m.failed, 3U);
  EXPECT_EQ(m.min_duration, milliseconds(10));
  EXPECT_EQ(m.max_duration, milliseconds(40));
  EXPECT_DOUBLE_EQ(m.avg_ms(), 25.0);
  EXPECT_DOUBLE_EQ(m.success_rate(), 0.25);
  EXPECT_EQ(m.errors_by_code.at("TIMEOUT"), 2U);
  EXPECT_EQ(m.errors_by_code.at("UNKNOWN"), 1U);
  EXPECT_GE(m.p99(), milliseconds(40));
  EXPECT_GE(m.p50(), milliseconds(20));
  EXPECT_GE(m.p95(), m.p50());
}

TEST(QueryMetrics, GetMetricsByTableAndSource) {
  QueryMetrics reg;
  reg.record({"a", "public.orders", QueryOperation::kMax}, milliseconds(5), std::nullopt);
  reg.record({"b", "public.orders", QueryOperation::kMax}, milliseconds(7),
             ErrorCode::kQueryFailed);
  reg.record({"a", "public.orders", QueryOperation::kCount}, milliseconds(9), std::nullopt);
  reg.record({"a", "", QueryOperation::kTestConnection}, milliseconds(1), std::nullopt);
  const auto m = reg.get_metrics("public.orders");
  ASSERT_EQ(m.size(), 2U);
  EXPECT_EQ(m.at("public.orders:max").total, 2U);  // summed over sources
  EXPECT_EQ(m.at("public.orders:max").failed, 1U);
  EXPECT_EQ(m.at("public.orders:count").total, 1U);
  EXPECT_TRUE(reg.get_metrics("missing").empty());
  EXPECT_EQ(reg.source_metrics("a")->total, 3U);
  EXPECT_EQ(reg.source_metrics("b")->errors_by_code.at("QUERY_FAILED"), 1U);
  EXPECT_FALSE(reg.source_metrics("c").has_value());
  EXPECT_EQ(reg.snapshot().size(), 4U);
  reg.reset();
  EXPECT_TRUE(reg.snapshot().empty());
}

TEST(QueryOperation, Spellings) {
  EXPECT_EQ(obs::to_string(QueryOperation::kTestConnection), "test_connection");
  EXPECT_EQ(obs::to_string(QueryOperation::kListTables), "list_tables");
  EXPECT_EQ(obs::to_string(QueryOperation::kDescribe), "describe");
  EXPECT_EQ(obs::to_string(QueryOperation::kCount), "count");
  EXPECT_EQ(obs::to_string(QueryOperation::kEstimate), "estimate");
  EXPECT_EQ(obs::to_string(QueryOperation::kMax), "max");
  EXPECT_EQ(obs::to_string(QueryOperation::kMin), "min");
  EXPECT_EQ(obs::to_string(QueryOperation::kQuery), "query");
}

// A fault injector around a real connector: every call costs `cost` on the manual clock,
// and the first `failures` calls throw a transient connection error.
class CostlyConnector final : public Connector {
 public:
  CostlyConnector(std::unique_ptr<Connector> real, ManualClock& clock, microseconds cost,
                  int failures)
      : real_(std::move(real)), clock_(clock), cost_(cost), failures_(failures) {}
  const std::string& source_name() const noexcept override { return real_->source_name(); }
  const sql::Dialect& dialect() const noexcept override { return real_->dialect(); }
  void test_connection() override { before(), real_->test_connection(); }
  std::vector<sql::QualifiedName> list_tables() override { return before(), real_->list_tables(); }
  TableSchema table_schema(const sql::QualifiedName& t) override {
    return before(), real_->table_schema(t);
  }
  sql::Value aggregate(const AggregateRequest& r) override { return before(), real_->aggregate(r); }

 private:
  void before() {
    clock_.advance(cost_);
    if (failures_-- > 0) throw ConnectionError("injected: connection reset", true);
  }
  std::unique_ptr<Connector> real_;
  ManualClock& clock_;
  microseconds cost_;
  int failures_;
};

class RecordingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::sqlite_exec(dir_ / "wh.db", R"sql(
      CREATE TABLE orders (id INTEGER PRIMARY KEY, updated_at TEXT);
      INSERT INTO orders (updated_at) VALUES ('2026-11-27 13:00:00');
    )sql");
  }
  std::unique_ptr<ResilientConnector> make(microseconds cost, int failures, bool record) {
    SqliteOptions so;
    so.source_name = "wh";
    so.path = dir_ / "wh.db";
    so.clock = &clock_;
    auto inner = std::make_unique<CostlyConnector>(std::make_unique<SqliteConnector>(so), clock_,
                                                   cost, failures);
    ResilienceOptions o;
    o.clock = &clock_;
    o.sleeper = &sleeper_;
    o.random = &random_;
    o.retry = resilience::RetryOptions{};
    o.retry->jitter = resilience::Jitter::kNone;
    o.retry->base_delay = milliseconds(100);
    o.query_metrics = record ? &metrics_ : nullptr;
    return std::make_unique<ResilientConnector>(std::move(inner), o);
  }
  testing::TempDir dir_;
  ManualClock clock_{WallTime(std::chrono::seconds(1795788000))};
  resilience::ManualSleeper sleeper_{clock_};
  SeededRandom random_{7};
  QueryMetrics metrics_;
};

TEST_F(RecordingTest, EveryCallIsRecordedWithItsDurationAcrossRetries) {
  auto c = make(milliseconds(3), 1, true);
  const auto orders = sql::QualifiedName::parse("orders");
  EXPECT_EQ(c->row_count(orders), 1);  // attempt 1 fails, 100 ms pause, attempt 2 succeeds
  auto m = metrics_.get_metrics("orders");
  ASSERT_EQ(m.count("orders:count"), 1U);
  EXPECT_EQ(m.at("orders:count").total, 1U);
  EXPECT_EQ(m.at("orders:count").successful, 1U);
  EXPECT_EQ(m.at("orders:count").max_duration, milliseconds(106));  // 3 + 100 + 3
  const auto col = sql::Identifier::parse("updated_at");
  EXPECT_TRUE(c->max_timestamp(orders, col, TimeZone::utc()).has_value());
  EXPECT_TRUE(testing::min_timestamp(*c, orders, col, TimeZone::utc()).has_value());
  c->table_schema(orders);
  c->catalog_stats(orders);
  c->list_tables();
  c->test_connection();
  EXPECT_THROW(c->row_count(sql::QualifiedName::parse("missing")), QueryError);
  m = metrics_.get_metrics("orders");
  EXPECT_EQ(m.at("orders:max").total, 1U);
  EXPECT_EQ(m.at("orders:min").total, 1U);
  EXPECT_EQ(m.at("orders:describe").total, 1U);
  EXPECT_EQ(m.at("orders:estimate").total, 1U);
  const auto missing = metrics_.get_metrics("missing");
  EXPECT_EQ(missing.at("missing:count").failed, 1U);
  EXPECT_EQ(missing.at("missing:count").errors_by_code.at("QUERY_FAILED"), 1U);
  const auto source = metrics_.source_metrics("wh");
  ASSERT_TRUE(source.has_value());
  EXPECT_EQ(source->total, 8U);
  EXPECT_EQ(source->failed, 1U);
}

TEST_F(RecordingTest, QueriesAreLoggedAtDebugLevel) {
  std::ostringstream log;
  obs::set_logger(std::make_unique<obs::Logger>(obs::LogLevel::kDebug, obs::LogFormat::kJson,
                                                std::make_shared<obs::Redactor>(), log));
  auto c = make(milliseconds(2), 0, false);
  EXPECT_EQ(c->row_count(sql::QualifiedName::parse("orders")), 1);
  EXPECT_THROW(c->row_count(sql::QualifiedName::parse("missing")), QueryError);
  obs::set_logger(nullptr);
  const std::string text = log.str();
  EXPECT_NE(text.find(R"("action":"query")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("duration_ms":2)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("operation":"count","success":"true")"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("error":"QUERY_FAILED")"), std::string::npos) << text;
  EXPECT_TRUE(metrics_.snapshot().empty());  // logged, not recorded
}

TEST_F(RecordingTest, NothingIsRecordedWhenOptedOut) {
  auto c = make(milliseconds(1), 0, false);
  EXPECT_EQ(c->row_count(sql::QualifiedName::parse("orders")), 1);
  EXPECT_TRUE(metrics_.snapshot().empty());
}

TEST(ResilienceOptionsFromConfig, QueryMetricsDefaultOnAndOptOut) {
  config::SourceConfig s;
  s.name = "wh";
  EXPECT_EQ(resilience_options(s).query_metrics, &QueryMetrics::global());
  s.query_metrics = false;
  EXPECT_EQ(resilience_options(s).query_metrics, nullptr);
}

}  // namespace
}  // namespace freshguard
