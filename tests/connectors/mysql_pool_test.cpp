// The MySQL connection pool under load and through its life cycle, against the real
// MariaDB server; ages are driven by a ManualClock.

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include <freshguard/connectors/mysql_connector.hpp>
#include <freshguard/core/error.hpp>

#include "support/mysql_test_server.hpp"

namespace freshguard {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::eventually_mysql;
using testing::MysqlTest;

const auto kOrders = sql::QualifiedName::parse("orders");

class MysqlPoolTest : public MysqlTest {
 protected:
  void SetUp() override {
    MysqlTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    user_->exec("CREATE TABLE orders (id INT); INSERT INTO orders SELECT seq FROM seq_1_to_42");
  }

  // Runs `n` row counts at once, one thread each; returns how many returned 42.
  static int concurrent_counts(MysqlConnector& my, int n) {
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&] {
        if (my.row_count(kOrders) == 42) ++ok;
      });
    }
    for (auto& t : threads)
      t.join();
    return ok.load();
  }
};

TEST_F(MysqlPoolTest, ConcurrentChecksShareASmallPool) {
  auto o = options();
  o.max_connections = 3;
  MysqlConnector my(o);
  EXPECT_EQ(concurrent_counts(my, 40), 40);
  const auto status = my.pool_status();
  EXPECT_GE(status.total, 1);
  EXPECT_LE(status.total, 3);
  EXPECT_EQ(status.in_use, 0);
  EXPECT_EQ(status.waiting, 0);
  EXPECT_EQ(status.idle, status.total);
  EXPECT_EQ(sessions(), status.total);
}

TEST_F(MysqlPoolTest, NoConnectionIsLeftAfterTheConnectorIsDestroyed) {
  {
    MysqlConnector my(options());
    EXPECT_EQ(concurrent_counts(my, 20), 20);
    EXPECT_GT(my.pool_status().idle, 0);
    EXPECT_EQ(sessions(), my.pool_status().total);
  }
  EXPECT_TRUE(eventually_mysql([&] { return sessions() == 0; })) << sessions() << " left";
}

TEST_F(MysqlPoolTest, WaitingForAFreeConnectionIsBounded) {
  user_->exec(
      "CREATE TABLE big (ts DATETIME); "
      "INSERT INTO big SELECT '2026-11-27' FROM seq_1_to_3000; "
      "CREATE VIEW slow AS SELECT a.ts FROM big a, big b, big c");
  auto o = options();
  o.max_connections = 1;
  o.connect_timeout = milliseconds(300);
  o.timeout = milliseconds(1500);  // the holder's slow query is killed after this
  MysqlConnector my(o);
  std::thread holder(
      [&] { EXPECT_THROW(my.row_count(sql::QualifiedName::parse("slow")), TimeoutError); });
  ASSERT_TRUE(eventually_mysql([&] { return my.pool_status().in_use == 1; }));
  std::atomic<bool> saw_waiter{false};
  std::thread watcher([&] {
    saw_waiter =
        eventually_mysql([&] { return my.pool_status().waiting == 1; }, milliseconds(1000));
  });
  const auto start = std::chrono::steady_clock::now();
  try {
    my.row_count(kOrders);
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
  EXPECT_EQ(my.pool_status().waiting, 0);
  EXPECT_EQ(my.row_count(kOrders), 42);  // the slot came back
}

TEST_F(MysqlPoolTest, IdleConnectionsAreClosed) {
  ManualClock clock(WallTime{});
  auto o = options();
  o.clock = &clock;
  o.idle_timeout = seconds(30);
  MysqlConnector my(o);
  EXPECT_EQ(concurrent_counts(my, 3), 3);
  const int opened = my.pool_status().total;
  EXPECT_GE(opened, 1);
  clock.advance(seconds(29));
  my.prune_idle();
  EXPECT_EQ(my.pool_status().idle, opened);
  clock.advance(seconds(2));
  my.prune_idle();
  EXPECT_EQ(my.pool_status().total, 0);
  EXPECT_TRUE(eventually_mysql([&] { return sessions() == 0; }));
}

TEST_F(MysqlPoolTest, BackgroundReaperClosesIdleConnections) {
  ManualClock clock(WallTime{});
  auto o = options();
  o.clock = &clock;
  o.idle_timeout = milliseconds(1000);  // the reaper wakes every 500 ms
  MysqlConnector my(o);
  EXPECT_EQ(my.row_count(kOrders), 42);
  clock.advance(seconds(2));
  EXPECT_TRUE(eventually_mysql([&] { return my.pool_status().total == 0; }));
}

TEST_F(MysqlPoolTest, ConnectionsAreRecycledAfterMaxUsesAndMaxLifetime) {
  ManualClock clock(WallTime{});
  auto o = options();
  o.clock = &clock;
  o.max_uses = 2;
  o.max_lifetime = seconds(60);
  o.idle_timeout = std::chrono::hours(1);
  o.validate_after_idle = std::chrono::hours(1);
  MysqlConnector my(o);
  EXPECT_EQ(my.row_count(kOrders), 42);
  const auto first = session_ids();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(my.row_count(kOrders), 42);  // second use: closed on return
  EXPECT_EQ(my.pool_status().total, 0);
  EXPECT_EQ(my.row_count(kOrders), 42);
  EXPECT_TRUE(eventually_mysql([&] { return session_ids().size() == 1; }));
  const auto second = session_ids();
  EXPECT_NE(second, first);
  clock.advance(seconds(59));
  EXPECT_EQ(my.row_count(kOrders), 42);  // still young enough: reused, its second use,
  EXPECT_EQ(my.pool_status().total, 0);  // so closed on return
  EXPECT_EQ(my.row_count(kOrders), 42);
  EXPECT_TRUE(eventually_mysql([&] { return session_ids().size() == 1; }));
  const auto third = session_ids();
  clock.advance(seconds(61));  // too old: closed instead of reused
  EXPECT_EQ(my.row_count(kOrders), 42);
  EXPECT_TRUE(eventually_mysql([&] {
    const auto now = session_ids();
    return now.size() == 1 && now != third;
  }));
  EXPECT_EQ(my.pool_status().total, 1);
}

TEST_F(MysqlPoolTest, KilledConnectionPoisonsItsConnection) {
  auto o = options();
  o.validate_after_idle = std::chrono::hours(1);  // reuse without checking
  MysqlConnector my(o);
  EXPECT_EQ(my.row_count(kOrders), 42);
  const auto ids = session_ids();
  ASSERT_EQ(ids.size(), 1u);
  admin_->exec("KILL CONNECTION " + ids[0]);
  ASSERT_TRUE(eventually_mysql([&] { return sessions() == 0; }));
  try {
    my.row_count(kOrders);
    FAIL() << "a dead connection answered";
  } catch (const ConnectionError& e) {
    EXPECT_TRUE(e.transient());
    EXPECT_TRUE(e.connection_poisoned());
    EXPECT_EQ(std::string(e.what()).find(server_->port), std::string::npos) << e.what();
  }
  EXPECT_EQ(my.pool_status().total, 0);  // discarded, never returned
  EXPECT_EQ(my.row_count(kOrders), 42);
  EXPECT_EQ(my.pool_status().total, 1);
}

TEST_F(MysqlPoolTest, IdleConnectionsAreValidatedBeforeReuse) {
  ManualClock clock(WallTime{});
  auto o = options();
  o.clock = &clock;
  o.validate_after_idle = seconds(5);
  MysqlConnector my(o);
  EXPECT_EQ(my.row_count(kOrders), 42);
  const auto ids = session_ids();
  ASSERT_EQ(ids.size(), 1u);
  admin_->exec("KILL CONNECTION " + ids[0]);
  ASSERT_TRUE(eventually_mysql([&] { return sessions() == 0; }));
  clock.advance(seconds(6));
  // The ping finds the dead connection and replaces it: the caller never notices.
  EXPECT_EQ(my.row_count(kOrders), 42);
  EXPECT_EQ(my.pool_status().total, 1);
  EXPECT_EQ(sessions(), 1);
  // A healthy idle connection passes the ping and is reused.
  const auto live = session_ids();
  clock.advance(seconds(6));
  EXPECT_EQ(my.row_count(kOrders), 42);
  EXPECT_EQ(session_ids(), live);
}

TEST_F(MysqlPoolTest, FailedConnectsGiveTheirSlotBack) {
  auto o = options();
  o.password = "wrong-password";
  o.max_connections = 2;
  MysqlConnector my(o);
  for (int i = 0; i < 3; ++i) {
    EXPECT_THROW(my.test_connection(), ConnectionError);
  }
  const auto status = my.pool_status();
  EXPECT_EQ(status.total, 0);
  EXPECT_EQ(status.in_use, 0);
}

}  // namespace
}  // namespace freshguard
