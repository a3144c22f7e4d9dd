#pragma once
// Scenarios that the PostgreSQL and the MySQL pool tests both play against their real
// servers. Each takes the connector under test (PostgresConnector or MysqlConnector, whose
// pools share one implementation) and callbacks into the test's fixture: `sessions()`
// counts the test's connections on the server, `ids()` lists their server-side ids, and
// `kill(id)` ends one from an admin connection. The table under test holds 42 rows.

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <freshguard/core/clock.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/sql/identifier.hpp>

#include "support/test_server_env.hpp"

namespace freshguard::testing {

inline const sql::QualifiedName kPoolTable = sql::QualifiedName::parse("orders");

/// Runs `n` row counts of kPoolTable at once, one thread each; how many returned 42.
template <class Connector>
int concurrent_counts(Connector& c, int n) {
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    threads.emplace_back([&] {
      if (c.row_count(kPoolTable) == 42) ++ok;
    });
  }
  for (auto& t : threads)
    t.join();
  return ok.load();
}

/// Nothing in use or waiting; every open connection idle and seen by the server.
template <class Connector>
void expect_settled(Connector& c, int server_sessions) {
  const auto status = *c.pool_status();
  EXPECT_GE(status.total, 1);
  EXPECT_EQ(status.in_use, 0);
  EXPECT_EQ(status.waiting, 0);
  EXPECT_EQ(status.idle, status.total);
  EXPECT_EQ(server_sessions, status.total);
}

/// With max_connections = 1 held by `hold` (run on its own thread, it must keep the
/// connection at least ~1.5 s) and connect_timeout = 300 ms, a second call waits about
/// 300 ms, is seen as waiting, then fails with the pool's TimeoutError; afterwards the
/// slot comes back. The holder's table schema must be cached first (`c.cached_table_schema`),
/// so its one lease is the slow query, not a short catalog read before it.
template <class Connector, class Hold>
void expect_bounded_wait(Connector& c, Hold hold) {
  using std::chrono::milliseconds;
  std::thread holder(hold);
  ASSERT_TRUE(eventually([&] { return c.pool_status()->in_use == 1; }));
  std::atomic<bool> saw_waiter{false};
  std::thread watcher([&] {
    saw_waiter = eventually([&] { return c.pool_status()->waiting == 1; }, milliseconds(1000));
  });
  const auto start = std::chrono::steady_clock::now();
  try {
    c.row_count(kPoolTable);
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
  EXPECT_EQ(c.pool_status()->waiting, 0);
  EXPECT_EQ(c.row_count(kPoolTable), 42);  // the slot came back
}

/// idle_timeout = 30 s on `clock`: idle connections survive 29 s and are closed by
/// prune_idle after 31 s.
template <class Connector, class Sessions>
void expect_idle_connections_closed(Connector& c, ManualClock& clock, Sessions sessions) {
  using std::chrono::seconds;
  EXPECT_EQ(concurrent_counts(c, 3), 3);
  const int opened = c.pool_status()->total;
  EXPECT_GE(opened, 1);
  clock.advance(seconds(29));
  c.prune_idle();
  EXPECT_EQ(c.pool_status()->idle, opened);
  clock.advance(seconds(2));
  c.prune_idle();
  EXPECT_EQ(c.pool_status()->total, 0);
  EXPECT_TRUE(eventually([&] { return sessions() == 0; }));
}

/// idle_timeout = 1 s on `clock`: the background reaper (waking every 500 ms) closes the
/// idle connection once the clock has moved past it.
template <class Connector>
void expect_reaper_closes_idle(Connector& c, ManualClock& clock) {
  EXPECT_EQ(c.row_count(kPoolTable), 42);
  clock.advance(std::chrono::seconds(2));
  EXPECT_TRUE(eventually([&] { return c.pool_status()->total == 0; }));
}

/// validate_after_idle far away: a connection killed on the server fails its next call
/// with a transient, poisoning ConnectionError that does not name the server's `port`;
/// the pool discards it and the call after succeeds on a new one.
template <class Connector, class Ids, class Kill, class Sessions>
void expect_killed_connection_poisoned(Connector& c, Ids ids, Kill kill, Sessions sessions,
                                       const std::string& port) {
  EXPECT_EQ(c.row_count(kPoolTable), 42);
  const auto live = ids();
  ASSERT_EQ(live.size(), 1u);
  kill(live[0]);
  ASSERT_TRUE(eventually([&] { return sessions() == 0; }));
  try {
    c.row_count(kPoolTable);
    FAIL() << "a dead connection answered";
  } catch (const ConnectionError& e) {
    EXPECT_TRUE(e.transient());
    EXPECT_TRUE(e.connection_poisoned());
    EXPECT_EQ(std::string(e.what()).find(port), std::string::npos) << e.what();
  }
  EXPECT_EQ(c.pool_status()->total, 0);  // discarded, never returned
  EXPECT_EQ(c.row_count(kPoolTable), 42);
  EXPECT_EQ(c.pool_status()->total, 1);
}

/// validate_after_idle = 5 s on `clock`: a connection killed while idle fails its check
/// and is replaced without the caller noticing; a healthy one passes and is reused.
template <class Connector, class Ids, class Kill, class Sessions>
void expect_validated_before_reuse(Connector& c, ManualClock& clock, Ids ids, Kill kill,
                                   Sessions sessions) {
  using std::chrono::seconds;
  EXPECT_EQ(c.row_count(kPoolTable), 42);
  const auto first = ids();
  ASSERT_EQ(first.size(), 1u);
  kill(first[0]);
  ASSERT_TRUE(eventually([&] { return sessions() == 0; }));
  clock.advance(seconds(6));
  EXPECT_EQ(c.row_count(kPoolTable), 42);
  EXPECT_EQ(c.pool_status()->total, 1);
  EXPECT_EQ(sessions(), 1);
  const auto live = ids();
  clock.advance(seconds(6));
  EXPECT_EQ(c.row_count(kPoolTable), 42);
  EXPECT_EQ(ids(), live);
}

/// With a wrong password, failed connects leave no slot taken.
template <class Connector>
void expect_failed_connects_give_slots_back(Connector& c) {
  for (int i = 0; i < 3; ++i) {
    EXPECT_THROW(c.test_connection(), ConnectionError);
  }
  const auto status = *c.pool_status();
  EXPECT_EQ(status.total, 0);
  EXPECT_EQ(status.in_use, 0);
}

}  // namespace freshguard::testing
