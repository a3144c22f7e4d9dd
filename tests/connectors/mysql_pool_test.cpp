// The MySQL connection pool under load and through its life cycle, against the real
// MariaDB server; ages are driven by a ManualClock. The scenarios shared with the
// PostgreSQL pool are in support/pool_scenarios.hpp.

#include <gtest/gtest.h>

#include <freshguard/connectors/mysql_connector.hpp>
#include <freshguard/core/error.hpp>

#include "support/mysql_test_server.hpp"
#include "support/pool_scenarios.hpp"

namespace freshguard {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::concurrent_counts;
using testing::eventually;
using testing::kPoolTable;
using testing::MysqlTest;

class MysqlPoolTest : public MysqlTest {
 protected:
  void SetUp() override {
    MysqlTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    user_->exec("CREATE TABLE orders (id INT); INSERT INTO orders SELECT seq FROM seq_1_to_42");
  }

  auto ids() {
    return [this] { return session_ids(); };
  }
  auto kill() {
    return [this](const std::string& id) { admin_->exec("KILL CONNECTION " + id); };
  }
  auto count() {
    return [this] { return sessions(); };
  }
};

TEST_F(MysqlPoolTest, ConcurrentChecksShareASmallPool) {
  auto o = options();
  o.max_connections = 3;
  MysqlConnector my(o);
  EXPECT_EQ(concurrent_counts(my, 40), 40);
  EXPECT_LE(my.pool_status()->total, 3);
  testing::expect_settled(my, sessions());
}

TEST_F(MysqlPoolTest, NoConnectionIsLeftAfterTheConnectorIsDestroyed) {
  {
    MysqlConnector my(options());
    EXPECT_EQ(concurrent_counts(my, 20), 20);
    testing::expect_settled(my, sessions());
  }
  EXPECT_TRUE(eventually([&] { return sessions() == 0; })) << sessions() << " left";
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
  (void)my.cached_table_schema(sql::QualifiedName::parse("slow"));
  testing::expect_bounded_wait(
      my, [&] { EXPECT_THROW(my.row_count(sql::QualifiedName::parse("slow")), TimeoutError); });
}

TEST_F(MysqlPoolTest, IdleConnectionsAreClosed) {
  ManualClock clock(WallTime{});
  auto o = options();
  o.clock = &clock;
  o.idle_timeout = seconds(30);
  MysqlConnector my(o);
  testing::expect_idle_connections_closed(my, clock, count());
}

TEST_F(MysqlPoolTest, BackgroundReaperClosesIdleConnections) {
  ManualClock clock(WallTime{});
  auto o = options();
  o.clock = &clock;
  o.idle_timeout = milliseconds(1000);  // the reaper wakes every 500 ms
  MysqlConnector my(o);
  testing::expect_reaper_closes_idle(my, clock);
}

TEST_F(MysqlPoolTest, ConnectionsAreRecycledAfterMaxUsesAndMaxLifetime) {
  ManualClock clock(WallTime{});
  auto o = options();
  o.clock = &clock;
  o.max_uses = 3;
  o.max_lifetime = seconds(60);
  o.idle_timeout = std::chrono::hours(1);
  o.validate_after_idle = std::chrono::hours(1);
  MysqlConnector my(o);
  EXPECT_EQ(my.row_count(kPoolTable), 42);  // two uses: the catalog read, then the count
  const auto first = session_ids();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(my.row_count(kPoolTable), 42);  // third use (the schema is cached): closed
  EXPECT_EQ(my.pool_status()->total, 0);
  EXPECT_EQ(my.row_count(kPoolTable), 42);
  EXPECT_TRUE(eventually([&] { return session_ids().size() == 1; }));
  const auto second = session_ids();
  EXPECT_NE(second, first);
  EXPECT_EQ(my.row_count(kPoolTable), 42);
  clock.advance(seconds(59));
  EXPECT_EQ(my.row_count(kPoolTable), 42);  // still young enough: reused, its third use,
  EXPECT_EQ(my.pool_status()->total, 0);    // so closed on return
  EXPECT_EQ(my.row_count(kPoolTable), 42);
  EXPECT_TRUE(eventually([&] { return session_ids().size() == 1; }));
  const auto third = session_ids();
  clock.advance(seconds(61));  // too old: closed instead of reused
  EXPECT_EQ(my.row_count(kPoolTable), 42);
  EXPECT_TRUE(eventually([&] {
    const auto now = session_ids();
    return now.size() == 1 && now != third;
  }));
  EXPECT_EQ(my.pool_status()->total, 1);
}

TEST_F(MysqlPoolTest, KilledConnectionPoisonsItsConnection) {
  auto o = options();
  o.validate_after_idle = std::chrono::hours(1);  // reuse without checking
  MysqlConnector my(o);
  testing::expect_killed_connection_poisoned(my, ids(), kill(), count(), server_->port);
}

TEST_F(MysqlPoolTest, IdleConnectionsAreValidatedBeforeReuse) {
  ManualClock clock(WallTime{});
  auto o = options();
  o.clock = &clock;
  o.validate_after_idle = seconds(5);
  MysqlConnector my(o);
  testing::expect_validated_before_reuse(my, clock, ids(), kill(), count());
}

TEST_F(MysqlPoolTest, FailedConnectsGiveTheirSlotBack) {
  auto o = options();
  o.password = "wrong-password";
  o.max_connections = 2;
  MysqlConnector my(o);
  testing::expect_failed_connects_give_slots_back(my);
}

}  // namespace
}  // namespace freshguard
