// The resilience layer around real connectors. FlakyConnector is a fault injector: it wraps a
// real SqliteConnector and makes its first N calls fail, so the retry and breaker logic can
// be counted exactly; the database answering the other calls is real.

#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <freshguard/config/connector_factory.hpp>
#include <freshguard/connectors/resilient_connector.hpp>
#include <freshguard/connectors/sqlite_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/core/random.hpp>
#include <freshguard/observability/logger.hpp>
#include <freshguard/resilience/deadline.hpp>
#include <freshguard/resilience/sleeper.hpp>

#include "support/aggregate.hpp"
#include "support/sqlite_db.hpp"
#include "support/temp_dir.hpp"

namespace freshguard {
namespace {

using resilience::CircuitOpenError;
using resilience::CircuitState;
using sql::Identifier;
using sql::QualifiedName;
using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::int64_t kBase = 1795788000;  // 2026-11-27T14:00:00Z

class FlakyConnector final : public Connector {
 public:
  FlakyConnector(std::unique_ptr<Connector> real, ManualClock& clock, int failures,
                 std::function<void()> thrower, microseconds cost)
      : real_(std::move(real)),
        clock_(clock),
        failures_(failures),
        thrower_(std::move(thrower)),
        cost_(cost) {}

  const std::string& source_name() const noexcept override { return real_->source_name(); }
  const sql::Dialect& dialect() const noexcept override { return real_->dialect(); }
  void test_connection() override {
    before();
    real_->test_connection();
  }
  std::vector<QualifiedName> list_tables() override {
    before();
    return real_->list_tables();
  }
  TableSchema table_schema(const QualifiedName& t) override {
    before();
    return real_->table_schema(t);
  }
  sql::Value aggregate(const AggregateRequest& r) override {
    before();
    return real_->aggregate(r);
  }

  int calls = 0;
  std::vector<SteadyTime> deadlines;   // the current deadline each call saw
  std::vector<milliseconds> timeouts;  // effective_timeout(30 s) in each call

 private:
  void before() {
    ++calls;
    const auto* d = resilience::current_deadline();
    deadlines.push_back(d != nullptr ? d->at() : SteadyTime{});
    timeouts.push_back(resilience::effective_timeout(milliseconds(30000)));
    if (calls <= failures_) {
      clock_.advance(cost_);
      thrower_();
    }
  }

  std::unique_ptr<Connector> real_;
  ManualClock& clock_;
  int failures_;
  std::function<void()> thrower_;
  microseconds cost_;
};

class ResilientConnectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_ / "warehouse.db";
    testing::sqlite_exec(db_, R"sql(
      CREATE TABLE orders (id INTEGER PRIMARY KEY, updated_at TEXT);
      INSERT INTO orders (updated_at) VALUES
        ('2026-11-27 13:00:00'), ('2026-11-27 13:30:00'), (NULL);
    )sql");
  }

  std::unique_ptr<SqliteConnector> sqlite(const std::filesystem::path& path) {
    SqliteOptions o;
    o.source_name = "wh";
    o.path = path;
    o.clock = &clock_;
    return std::make_unique<SqliteConnector>(std::move(o));
  }

  ResilienceOptions options(milliseconds timeout = milliseconds(30000)) {
    ResilienceOptions o;
    o.timeout = timeout;
    o.breaker = resilience::CircuitBreakerOptions{};
    o.breaker->name = "wh";
    o.retry = resilience::RetryOptions{};
    o.retry->jitter = resilience::Jitter::kNone;
    o.clock = &clock_;
    o.sleeper = &sleeper_;
    o.random = &random_;
    return o;
  }

  // A FlakyConnector over the real database, wrapped; `flaky` points at the injector.
  std::unique_ptr<ResilientConnector> flaky_wrapped(
      int failures, std::function<void()> thrower, microseconds cost = microseconds(0),
      std::optional<ResilienceOptions> opts = std::nullopt) {
    auto f =
        std::make_unique<FlakyConnector>(sqlite(db_), clock_, failures, std::move(thrower), cost);
    flaky_ = f.get();
    return std::make_unique<ResilientConnector>(std::move(f), opts ? *opts : options());
  }

  static QualifiedName orders() { return QualifiedName::parse("orders"); }

  testing::TempDir dir_;
  std::filesystem::path db_;
  ManualClock clock_{WallTime(seconds(kBase))};
  resilience::ManualSleeper sleeper_{clock_};
  SeededRandom random_{5};
  FlakyConnector* flaky_ = nullptr;
};

// A database file that is missing: five fast failures open the breaker, later calls fail in
// an instant with a clear error, and once the file exists the breaker recovers by itself.
TEST_F(ResilientConnectorTest, MissingFileOpensBreakerThenRecoversWhenItAppears) {
  const auto late = dir_ / "late.db";
  ResilientConnector c(sqlite(late), options());
  for (int i = 0; i < 5; ++i) {
    try {
      (void)c.row_count(orders());
      FAIL() << "no error";
    } catch (const CircuitOpenError&) {
      FAIL() << "rejected too early, call " << i;
    } catch (const ConnectionError& e) {
      EXPECT_NE(std::string(e.what()).find("file not found"), std::string::npos);
    }
  }
  EXPECT_EQ(c.circuit_state(), CircuitState::kOpen);
  EXPECT_EQ(c.retry_counters().retries, 0u);  // "file not found" is not transient
  try {
    (void)c.row_count(orders());
    FAIL() << "not rejected";
  } catch (const CircuitOpenError& e) {
    EXPECT_EQ(std::string(e.what()),
              "circuit breaker is OPEN for source \"wh\" after 5 consecutive failures: calls fail "
              "fast until 2026-11-27T14:01:00Z (another 60 s)");
    EXPECT_EQ(e.code(), ErrorCode::kConnectionFailed);
  }

  testing::sqlite_exec(late, "CREATE TABLE orders (id INTEGER); INSERT INTO orders VALUES (1);");
  EXPECT_THROW((void)c.row_count(orders()), CircuitOpenError);  // still open: no early probe
  clock_.advance(seconds(60));
  EXPECT_EQ(c.circuit_state(), CircuitState::kHalfOpen);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(c.row_count(orders()), 1);
  }
  EXPECT_EQ(c.circuit_state(), CircuitState::kClosed);
  const auto s = *c.breaker_snapshot();
  EXPECT_EQ(s.times_opened, 1u);
  EXPECT_EQ(s.rejected, 2u);
  EXPECT_EQ(s.failures, 5u);
  EXPECT_EQ(s.successes, 3u);
}

TEST_F(ResilientConnectorTest, TransientFailuresAreRetriedAndTheRealAnswerReturned) {
  auto c = flaky_wrapped(2, [] { throw ConnectionError("connection reset by peer"); });
  EXPECT_EQ(c->row_count(orders()), 3);
  EXPECT_EQ(flaky_->calls, 3);
  EXPECT_EQ(sleeper_.sleeps(), (std::vector<microseconds>{milliseconds(100), milliseconds(200)}));
  EXPECT_EQ(c->retry_counters().retries, 2u);
  const auto s = *c->breaker_snapshot();
  EXPECT_EQ(s.successes, 1u);  // the breaker sees one outcome per call, not per attempt
  EXPECT_EQ(s.failures, 0u);
}

TEST_F(ResilientConnectorTest, ExhaustedRetriesCountOnceEachForTheBreaker) {
  auto c = flaky_wrapped(1000, [] { throw TimeoutError("query timed out"); });
  for (int i = 0; i < 5; ++i) {
    EXPECT_THROW((void)c->max_timestamp(orders(), Identifier::parse("updated_at"), TimeZone::utc()),
                 TimeoutError);
  }
  EXPECT_EQ(flaky_->calls, 15);  // 5 calls x 3 attempts
  EXPECT_EQ(c->circuit_state(), CircuitState::kOpen);
  EXPECT_THROW((void)c->row_count(orders()), CircuitOpenError);
  EXPECT_EQ(flaky_->calls, 15);  // the rejected call never reached the connector
  EXPECT_EQ(c->retry_counters().exhausted, 5u);
}

TEST_F(ResilientConnectorTest, OneDeadlineSpansEveryAttemptAndIsVisibleToTheConnector) {
  auto opts = options(milliseconds(1000));
  opts.retry->max_attempts = 10;
  const auto start = clock_.steady_now();
  auto c = flaky_wrapped(
      1000, [] { throw ConnectionError("reset"); }, milliseconds(400), opts);
  EXPECT_THROW(c->test_connection(), ConnectionError);
  // 400 ms fail, 100 ms pause, 400 ms fail; a third attempt could not end by 1000 ms.
  EXPECT_EQ(flaky_->calls, 2);
  EXPECT_EQ(flaky_->deadlines,
            (std::vector<SteadyTime>{start + milliseconds(1000), start + milliseconds(1000)}));
  EXPECT_EQ(flaky_->timeouts, (std::vector<milliseconds>{milliseconds(1000), milliseconds(500)}));
  EXPECT_EQ(c->retry_counters().deadline_stops, 1u);
  EXPECT_EQ(resilience::current_deadline(), nullptr);  // the scope ended with the call
}

TEST_F(ResilientConnectorTest, AnEarlierCallerDeadlineWins) {
  auto c = flaky_wrapped(0, [] {});
  const auto start = clock_.steady_now();
  {
    const resilience::DeadlineScope outer(resilience::Deadline::after(clock_, milliseconds(200)));
    EXPECT_EQ(c->row_count(orders()), 3);
  }
  EXPECT_EQ(c->row_count(orders()), 3);
  // A caller deadline on another clock is not comparable and is left out.
  {
    const resilience::DeadlineScope other(
        resilience::Deadline::after(SystemClock::instance(), milliseconds(1)));
    EXPECT_EQ(c->row_count(orders()), 3);
  }
  EXPECT_EQ(flaky_->deadlines,
            (std::vector<SteadyTime>{start + milliseconds(200), start + milliseconds(30000),
                                     start + milliseconds(30000)}));
}

TEST_F(ResilientConnectorTest, ErrorsAboutTheQueryNeitherRetryNorTripTheBreaker) {
  ResilientConnector c(sqlite(db_), options());
  for (int i = 0; i < 10; ++i) {
    EXPECT_THROW((void)c.table_schema(QualifiedName::parse("missing")), QueryError);
  }
  EXPECT_EQ(c.circuit_state(), CircuitState::kClosed);
  EXPECT_EQ(c.breaker_snapshot()->ignored, 10u);
  EXPECT_EQ(c.retry_counters().not_retryable, 10u);
  EXPECT_TRUE(sleeper_.sleeps().empty());
}

TEST_F(ResilientConnectorTest, ForwardsEveryMethod) {
  auto inner = sqlite(db_);
  auto* raw = inner.get();
  ResilientConnector c(std::move(inner), options());
  EXPECT_EQ(&c.inner(), raw);
  EXPECT_EQ(c.source_name(), "wh");
  EXPECT_EQ(&c.dialect(), &raw->dialect());
  EXPECT_NO_THROW(c.test_connection());
  EXPECT_EQ(c.list_tables().size(), 1u);
  EXPECT_EQ(c.table_schema(orders()).columns.size(), 2u);
  EXPECT_EQ(c.row_count(orders()), 3);
  const auto col = Identifier::parse("updated_at");
  EXPECT_EQ(c.max_timestamp(orders(), col, TimeZone::utc()), WallTime(seconds(kBase - 30 * 60)));
  EXPECT_EQ(testing::min_timestamp(c, orders(), col, TimeZone::utc()),
            WallTime(seconds(kBase - 3600)));
  EXPECT_FALSE(c.catalog_stats(orders()).has_value());  // SQLite keeps no catalog figures
  EXPECT_EQ(c.breaker_snapshot()->successes, 7u);
  EXPECT_EQ(c.retry_counters().calls, 7u);
}

TEST_F(ResilientConnectorTest, BreakerAndRetryCanBeTurnedOff) {
  auto opts = options();
  opts.breaker.reset();
  opts.retry.reset();
  auto c = flaky_wrapped(
      100, [] { throw ConnectionError("down"); }, microseconds(0), opts);
  for (int i = 0; i < 10; ++i) {
    EXPECT_THROW((void)c->row_count(orders()), ConnectionError);
  }
  EXPECT_EQ(flaky_->calls, 10);  // one attempt each, never rejected
  EXPECT_EQ(c->circuit_state(), CircuitState::kClosed);
  EXPECT_FALSE(c->breaker_snapshot().has_value());
  EXPECT_EQ(c->retry_counters().calls, 0u);
  EXPECT_EQ(flaky_->deadlines.back(), clock_.steady_now() + milliseconds(30000));
}

TEST_F(ResilientConnectorTest, RejectsANullConnectorAndInvalidOptions) {
  EXPECT_THROW(ResilientConnector(nullptr, options()), std::invalid_argument);
  auto opts = options();
  opts.breaker->failure_threshold = 0;
  EXPECT_THROW(ResilientConnector(sqlite(db_), opts), ConfigError);
}

TEST_F(ResilientConnectorTest, StateChangesAndRetriesAreLogged) {
  std::ostringstream out;
  obs::set_logger(std::make_unique<obs::Logger>(obs::LogLevel::kInfo, obs::LogFormat::kJson,
                                                std::make_shared<obs::Redactor>(), out));
  auto c = flaky_wrapped(1000, [] { throw ConnectionError("down"); });
  for (int i = 0; i < 5; ++i) {
    EXPECT_THROW((void)c->row_count(orders()), ConnectionError);
  }
  clock_.advance(seconds(60));
  (void)c->circuit_state();
  obs::set_logger(nullptr);
  const auto text = out.str();
  EXPECT_NE(text.find("\"action\":\"retry\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"failed_attempt\":\"2\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"action\":\"breaker.open\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"level\":\"warn\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"action\":\"breaker.half_open\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"source\":\"wh\""), std::string::npos) << text;
}

TEST(ResilienceOptionsTest, FromSourceConfig) {
  config::SourceConfig src;
  src.name = "orders_db";
  src.timeout_ms = 5000;
  src.circuit_breaker.mode = config::CircuitBreakerMode::kFailureRate;
  src.circuit_breaker.failure_threshold = 7;
  src.circuit_breaker.success_threshold = 2;
  src.circuit_breaker.reset_timeout_ms = 1000;
  src.circuit_breaker.half_open_max_calls = 3;
  src.circuit_breaker.window_size = 30;
  src.circuit_breaker.minimum_calls = 12;
  src.circuit_breaker.failure_rate_threshold = 40;
  src.retry.max_attempts = 4;
  src.retry.base_delay_ms = 50;
  src.retry.multiplier = 3.0;
  src.retry.max_delay_ms = 900;
  src.retry.jitter = config::RetryJitter::kProportional;
  const auto o = resilience_options(src);
  EXPECT_EQ(o.timeout, milliseconds(5000));
  ASSERT_TRUE(o.breaker.has_value());
  EXPECT_EQ(o.breaker->name, "orders_db");
  EXPECT_EQ(o.breaker->mode, resilience::BreakerMode::kFailureRate);
  EXPECT_EQ(o.breaker->failure_threshold, 7);
  EXPECT_EQ(o.breaker->success_threshold, 2);
  EXPECT_EQ(o.breaker->reset_timeout, milliseconds(1000));
  EXPECT_EQ(o.breaker->half_open_max_calls, 3);
  EXPECT_EQ(o.breaker->window_size, 30);
  EXPECT_EQ(o.breaker->minimum_calls, 12);
  EXPECT_EQ(o.breaker->failure_rate_threshold, 40);
  ASSERT_TRUE(o.retry.has_value());
  EXPECT_EQ(o.retry->max_attempts, 4);
  EXPECT_EQ(o.retry->base_delay, milliseconds(50));
  EXPECT_EQ(o.retry->multiplier, 3.0);
  EXPECT_EQ(o.retry->max_delay, milliseconds(900));
  EXPECT_EQ(o.retry->jitter, resilience::Jitter::kProportional);
  EXPECT_EQ(o.clock, nullptr);

  src.circuit_breaker.mode = config::CircuitBreakerMode::kConsecutive;
  src.retry.jitter = config::RetryJitter::kNone;
  EXPECT_EQ(resilience_options(src).breaker->mode, resilience::BreakerMode::kConsecutive);
  EXPECT_EQ(resilience_options(src).retry->jitter, resilience::Jitter::kNone);
  src.retry.jitter = config::RetryJitter::kFull;
  EXPECT_EQ(resilience_options(src).retry->jitter, resilience::Jitter::kFull);

  src.circuit_breaker.enabled = false;
  src.retry.enabled = false;
  const auto off = resilience_options(src);
  EXPECT_FALSE(off.breaker.has_value());
  EXPECT_FALSE(off.retry.has_value());
}

TEST(ResilientFactoryTest, EveryConnectorFromTheFactoryIsWrapped) {
  config::SourceConfig src;
  src.name = "s";
  src.type = config::SourceType::kSqlite;
  src.path = "/nonexistent/x.db";
  src.circuit_breaker.failure_threshold = 2;
  auto c = make_connector(src);
  auto* resilient = dynamic_cast<ResilientConnector*>(c.get());
  ASSERT_NE(resilient, nullptr);
  EXPECT_NE(dynamic_cast<SqliteConnector*>(&resilient->inner()), nullptr);
  EXPECT_EQ(resilient->breaker_snapshot().has_value(), true);
  EXPECT_THROW(c->test_connection(), ConnectionError);
  EXPECT_THROW(c->test_connection(), ConnectionError);
  EXPECT_EQ(resilient->circuit_state(), CircuitState::kOpen);  // the configured threshold
  EXPECT_THROW(c->test_connection(), CircuitOpenError);

  auto plain = make_plain_connector(src);
  EXPECT_NE(dynamic_cast<SqliteConnector*>(plain.get()), nullptr);

  src.circuit_breaker.enabled = false;
  auto no_breaker = make_connector(src);
  EXPECT_FALSE(dynamic_cast<ResilientConnector&>(*no_breaker).breaker_snapshot().has_value());
}

}  // namespace
}  // namespace freshguard
