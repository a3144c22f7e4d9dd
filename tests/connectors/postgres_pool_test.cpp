// The PostgreSQL connection pool under load and through its life cycle, against the real
// server; ages are driven by a ManualClock.

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include <freshguard/connectors/postgres_connector.hpp>
#include <freshguard/core/error.hpp>

#include "support/pg_test_server.hpp"

namespace freshguard {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::eventually;
using testing::PgTest;

const auto kOrders = sql::QualifiedName::parse("orders");

class PostgresPoolTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    user_->exec("CREATE TABLE orders (id int); INSERT INTO orders SELECT generate_series(1, 42)");
  }

  // Runs `n` row counts at once, one thread each; returns how many returned 42.
  static int concurrent_counts(PostgresConnector& pg, int n) {
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&] {
        if (pg.row_count(kOrders) == 42) ++ok;
      });
    }
    for (auto& t : threads)
      t.join();
    return ok.load();
  }
};

// Seed plan 6.2: 100 concurrent queries all return numbers through a 20-connection pool.
TEST_F(PostgresPoolTest, HundredConcurrentChecksWithTwentyConnections) {
  auto o = options();
  o.max_connections = 20;
  PostgresConnector pg(o);
  EXPECT_EQ(concurrent_counts(pg, 100), 100);
  const auto status = pg.pool_status();
  EXPECT_LE(status.total, 20);
  EXPECT_GE(status.total, 1);
  EXPECT_EQ(status.in_use, 0);
  EXPECT_EQ(status.waiting, 0);
  EXPECT_EQ(status.idle, status.total);
  EXPECT_EQ(sessions(), status.total);
}

// Seed plan 6.2: the pool is healthy after 50 concurrent checks; nothing leaks after close.
TEST_F(PostgresPoolTest, FiftyConcurrentChecksLeaveAHealthyPoolAndNoLeak) {
  {
    PostgresConnector pg(options());
    EXPECT_EQ(concurrent_counts(pg, 50), 50);
    const auto status = pg.pool_status();
    EXPECT_GT(status.idle, 0);
    EXPECT_EQ(status.in_use, 0);
    EXPECT_EQ(status.waiting, 0);
    EXPECT_EQ(status.total, status.idle);
    EXPECT_EQ(sessions(), status.total);
    EXPECT_EQ(concurrent_counts(pg, 10), 10);
    EXPECT_EQ(sessions(), pg.pool_status().total);
  }
  EXPECT_TRUE(eventually([&] { return sessions() == 0; })) << sessions() << " sessions left";
}

TEST_F(PostgresPoolTest, WaitingForAFreeConnectionIsBounded) {
  user_->exec("CREATE VIEW slow AS SELECT 1 AS x FROM pg_sleep(1.5)");
  auto o = options();
  o.max_connections = 1;
  o.connect_timeout = milliseconds(300);
  PostgresConnector pg(o);
  std::thread holder([&] { EXPECT_EQ(pg.row_count(sql::QualifiedName::parse("slow")), 1); });
  ASSERT_TRUE(eventually([&] { return pg.pool_status().in_use == 1; }));
  std::atomic<bool> saw_waiter{false};
  std::thread watcher([&] {
    saw_waiter = eventually([&] { return pg.pool_status().waiting == 1; }, milliseconds(1000));
  });
  const auto start = std::chrono::steady_clock::now();
  try {
    pg.row_count(kOrders);
    ADD_FAILURE() << "did not time out";
  } catch (const TimeoutError& e) {
    EXPECT_NE(std::string(e.what()).find("waiting for a free connection"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("(all 1 in use)"), std::string::npos);
  }
  const auto waited = std::chrono::steady_clock::now() - start;
  EXPECT_GE(waited, milliseconds(290));
  EXPECT_LT(waited, milliseconds(1200));
  watcher.join();
  holder.join();
  EXPECT_TRUE(saw_waiter.load());
  EXPECT_EQ(pg.pool_status().waiting, 0);
  EXPECT_EQ(pg.row_count(kOrders), 42);  // the connection came back
}

TEST_F(PostgresPoolTest, IdleConnectionsAreClosed) {
  ManualClock clock(WallTime{});
  auto o = options();
  o.clock = &clock;
  o.idle_timeout = seconds(30);
  PostgresConnector pg(o);
  EXPECT_EQ(concurrent_counts(pg, 3), 3);
  const int opened = pg.pool_status().total;
  EXPECT_GE(opened, 1);
  clock.advance(seconds(29));
  pg.prune_idle();
  EXPECT_EQ(pg.pool_status().idle, opened);
  clock.advance(seconds(2));
  pg.prune_idle();
  EXPECT_EQ(pg.pool_status().total, 0);
  EXPECT_TRUE(eventually([&] { return sessions() == 0; }));
}

TEST_F(PostgresPoolTest, BackgroundReaperClosesIdleConnections) {
  ManualClock clock(WallTime{});
  auto o = options();
  o.clock = &clock;
  o.idle_timeout = milliseconds(1000);  // the reaper wakes every 500 ms
  PostgresConnector pg(o);
  EXPECT_EQ(pg.row_count(kOrders), 42);
  clock.advance(seconds(2));
  EXPECT_TRUE(eventually([&] { return pg.pool_status().total == 0; }));
}

TEST_F(PostgresPoolTest, ConnectionsAreRecycledAfterMaxUses) {
  auto o = options();
  o.max_uses = 3;
  PostgresConnector pg(o);
  EXPECT_EQ(pg.row_count(kOrders), 42);
  const auto first = session_pids();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(pg.row_count(kOrders), 42);
  EXPECT_EQ(pg.pool_status().total, 1);
  EXPECT_EQ(pg.row_count(kOrders), 42);  // third use: closed on return
  EXPECT_EQ(pg.pool_status().total, 0);
  EXPECT_EQ(pg.row_count(kOrders), 42);
  EXPECT_TRUE(eventually([&] {
    const auto now = session_pids();
    return now.size() == 1 && now != first;
  }));
}

TEST_F(PostgresPoolTest, ConnectionsAreRecycledAfterMaxLifetime) {
  ManualClock clock(WallTime{});
  auto o = options();
  o.clock = &clock;
  o.max_lifetime = seconds(60);
  o.idle_timeout = std::chrono::hours(1);
  o.validate_after_idle = std::chrono::hours(1);
  PostgresConnector pg(o);
  EXPECT_EQ(pg.row_count(kOrders), 42);
  const auto first = session_pids();
  clock.advance(seconds(59));
  EXPECT_EQ(pg.row_count(kOrders), 42);
  EXPECT_EQ(session_pids(), first);
  clock.advance(seconds(2));
  EXPECT_EQ(pg.row_count(kOrders), 42);
  EXPECT_TRUE(eventually([&] {
    const auto now = session_pids();
    return now.size() == 1 && now != first;
  }));
}

TEST_F(PostgresPoolTest, TerminatedBackendPoisonsItsConnection) {
  auto o = options();
  o.validate_after_idle = std::chrono::hours(1);  // reuse without checking
  PostgresConnector pg(o);
  EXPECT_EQ(pg.row_count(kOrders), 42);
  const auto pids = session_pids();
  ASSERT_EQ(pids.size(), 1u);
  admin_->exec("SELECT pg_terminate_backend(" + pids[0] + ")");
  ASSERT_TRUE(eventually([&] { return sessions() == 0; }));
  try {
    pg.row_count(kOrders);
    FAIL() << "a dead connection answered";
  } catch (const ConnectionError& e) {
    EXPECT_TRUE(e.transient());
    EXPECT_TRUE(e.connection_poisoned());
    EXPECT_EQ(std::string(e.what()).find(server_->port), std::string::npos) << e.what();
  }
  EXPECT_EQ(pg.pool_status().total, 0);  // discarded, never returned
  EXPECT_EQ(pg.row_count(kOrders), 42);
  EXPECT_EQ(pg.pool_status().total, 1);
}

TEST_F(PostgresPoolTest, IdleConnectionsAreValidatedBeforeReuse) {
  ManualClock clock(WallTime{});
  auto o = options();
  o.clock = &clock;
  o.validate_after_idle = seconds(5);
  PostgresConnector pg(o);
  EXPECT_EQ(pg.row_count(kOrders), 42);
  const auto pids = session_pids();
  ASSERT_EQ(pids.size(), 1u);
  admin_->exec("SELECT pg_terminate_backend(" + pids[0] + ")");
  ASSERT_TRUE(eventually([&] { return sessions() == 0; }));
  clock.advance(seconds(6));
  // The check finds the dead connection and replaces it: the caller never notices.
  EXPECT_EQ(pg.row_count(kOrders), 42);
  EXPECT_EQ(pg.pool_status().total, 1);
  EXPECT_EQ(sessions(), 1);
  // A healthy idle connection passes the check and is reused.
  const auto live = session_pids();
  clock.advance(seconds(6));
  EXPECT_EQ(pg.row_count(kOrders), 42);
  EXPECT_EQ(session_pids(), live);
}

TEST_F(PostgresPoolTest, FailedConnectsGiveTheirSlotBack) {
  auto o = options();
  o.password = "wrong-password";
  o.max_connections = 2;
  PostgresConnector pg(o);
  for (int i = 0; i < 3; ++i) {
    EXPECT_THROW(pg.test_connection(), ConnectionError);
  }
  const auto status = pg.pool_status();
  EXPECT_EQ(status.total, 0);
  EXPECT_EQ(status.in_use, 0);
}

}  // namespace
}  // namespace freshguard
