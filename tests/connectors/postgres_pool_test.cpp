// The PostgreSQL connection pool under load and through its life cycle, against the real
// server; ages are driven by a ManualClock. The scenarios shared with the MySQL pool are in
// support/pool_scenarios.hpp.

#include <gtest/gtest.h>

#include <freshguard/connectors/postgres_connector.hpp>
#include <freshguard/core/error.hpp>

#include "support/pg_test_server.hpp"
#include "support/pool_scenarios.hpp"

namespace freshguard {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::concurrent_counts;
using testing::eventually;
using testing::kPoolTable;
using testing::PgTest;

class PostgresPoolTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    user_->exec("CREATE TABLE orders (id int); INSERT INTO orders SELECT generate_series(1, 42)");
  }

  auto ids() {
    return [this] { return session_pids(); };
  }
  auto kill() {
    return [this](const std::string& pid) {
      admin_->exec("SELECT pg_terminate_backend(" + pid + ")");
    };
  }
  auto count() {
    return [this] { return sessions(); };
  }
};

// Seed plan 6.2: 100 concurrent queries all return numbers through a 20-connection pool.
TEST_F(PostgresPoolTest, HundredConcurrentChecksWithTwentyConnections) {
  auto o = options();
  o.max_connections = 20;
  PostgresConnector pg(o);
  EXPECT_EQ(concurrent_counts(pg, 100), 100);
  EXPECT_LE(pg.pool_status()->total, 20);
  testing::expect_settled(pg, sessions());
}

// Seed plan 6.2: the pool is healthy after 50 concurrent checks; nothing leaks after close.
TEST_F(PostgresPoolTest, FiftyConcurrentChecksLeaveAHealthyPoolAndNoLeak) {
  {
    PostgresConnector pg(options());
    EXPECT_EQ(concurrent_counts(pg, 50), 50);
    testing::expect_settled(pg, sessions());
    EXPECT_EQ(concurrent_counts(pg, 10), 10);
    EXPECT_EQ(sessions(), pg.pool_status()->total);
  }
  EXPECT_TRUE(eventually([&] { return sessions() == 0; })) << sessions() << " sessions left";
}

TEST_F(PostgresPoolTest, WaitingForAFreeConnectionIsBounded) {
  user_->exec("CREATE VIEW slow AS SELECT 1 AS x FROM pg_sleep(1.5)");
  auto o = options();
  o.max_connections = 1;
  o.connect_timeout = milliseconds(300);
  PostgresConnector pg(o);
  (void)pg.cached_table_schema(sql::QualifiedName::parse("slow"));
  testing::expect_bounded_wait(
      pg, [&] { EXPECT_EQ(pg.row_count(sql::QualifiedName::parse("slow")), 1); });
}

TEST_F(PostgresPoolTest, IdleConnectionsAreClosed) {
  ManualClock clock(WallTime{});
  auto o = options();
  o.clock = &clock;
  o.idle_timeout = seconds(30);
  PostgresConnector pg(o);
  testing::expect_idle_connections_closed(pg, clock, count());
}

TEST_F(PostgresPoolTest, BackgroundReaperClosesIdleConnections) {
  ManualClock clock(WallTime{});
  auto o = options();
  o.clock = &clock;
  o.idle_timeout = milliseconds(1000);  // the reaper wakes every 500 ms
  PostgresConnector pg(o);
  testing::expect_reaper_closes_idle(pg, clock);
}

TEST_F(PostgresPoolTest, ConnectionsAreRecycledAfterMaxUses) {
  auto o = options();
  o.max_uses = 4;
  PostgresConnector pg(o);
  EXPECT_EQ(pg.row_count(kPoolTable), 42);  // two uses: the catalog read, then the count
  const auto first = session_pids();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(pg.row_count(kPoolTable), 42);  // the schema is cached now: one use
  EXPECT_EQ(pg.pool_status()->total, 1);
  EXPECT_EQ(pg.row_count(kPoolTable), 42);  // fourth use: closed on return
  EXPECT_EQ(pg.pool_status()->total, 0);
  EXPECT_EQ(pg.row_count(kPoolTable), 42);
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
  EXPECT_EQ(pg.row_count(kPoolTable), 42);
  const auto first = session_pids();
  clock.advance(seconds(59));
  EXPECT_EQ(pg.row_count(kPoolTable), 42);
  EXPECT_EQ(session_pids(), first);
  clock.advance(seconds(2));
  EXPECT_EQ(pg.row_count(kPoolTable), 42);
  EXPECT_TRUE(eventually([&] {
    const auto now = session_pids();
    return now.size() == 1 && now != first;
  }));
}

TEST_F(PostgresPoolTest, TerminatedBackendPoisonsItsConnection) {
  auto o = options();
  o.validate_after_idle = std::chrono::hours(1);  // reuse without checking
  PostgresConnector pg(o);
  testing::expect_killed_connection_poisoned(pg, ids(), kill(), count(), server_->port);
}

TEST_F(PostgresPoolTest, IdleConnectionsAreValidatedBeforeReuse) {
  ManualClock clock(WallTime{});
  auto o = options();
  o.clock = &clock;
  o.validate_after_idle = seconds(5);
  PostgresConnector pg(o);
  testing::expect_validated_before_reuse(pg, clock, ids(), kill(), count());
}

TEST_F(PostgresPoolTest, FailedConnectsGiveTheirSlotBack) {
  auto o = options();
  o.password = "wrong-password";
  o.max_connections = 2;
  PostgresConnector pg(o);
  testing::expect_failed_connects_give_slots_back(pg);
}

}  // namespace
}  // namespace freshguard
