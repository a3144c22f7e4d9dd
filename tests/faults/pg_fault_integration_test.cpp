// Resilience against real faults (issue 5): the real PostgreSQL test server behind the fault
// proxy, the real connector from make_connector (breaker( retry( deadline( pool ) ) )) and
// the real freshness monitor. Each scenario checks that every scheduled check ended with
// exactly one result, and that no session of the connector is left on the server.

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "faults/fault_fixture.hpp"

namespace freshguard {
namespace {

using resilience::CircuitState;
using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::eventually;
using testing::FaultMode;
using testing::FaultTest;

double to_ms(steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

class PgFaultTest : public FaultTest {
 protected:
  // Active queries of the connector's role on the slow view.
  int running_slow() {
    return std::stoi(admin_->scalar("SELECT count(*) FROM pg_stat_activity WHERE usename = '" +
                                    role_ +
                                    "' AND state = 'active' AND query LIKE '%slow_orders%'"));
  }
};

// (a) The server goes away mid-run (the proxy resets every connection and refuses new ones,
// as a restarting server does): checks fail fast, the breaker opens, and while it is open
// each check is rejected in well under 10 ms. When the server is back the same connector
// recovers by itself: no restart, no reconfiguration.
TEST_F(PgFaultTest, OutageOpensTheBreakerThenChecksRecoverOnTheirOwn) {
  auto s = source();
  s.circuit_breaker.reset_timeout_ms = 2000;
  connect(s);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(check().result.status, CheckStatus::kOk);
  }

  proxy_->set_mode(FaultMode::kRefuse);
  proxy_->drop_connections();
  int failing = 0;
  while (resilient_->circuit_state() != CircuitState::kOpen && failing < 10) {
    const auto t = check();
    EXPECT_EQ(t.result.status, CheckStatus::kError);
    EXPECT_LT(t.took, milliseconds(1500)) << "a refused connection must not wait out the deadline";
    ++failing;
  }
  ASSERT_EQ(resilient_->circuit_state(), CircuitState::kOpen);
  EXPECT_LE(failing, 3);  // failure_threshold: one breaker failure per check

  std::vector<double> rejections_ms;
  for (int i = 0; i < 12; ++i) {
    const auto before = resilient_->breaker_snapshot()->rejected;
    const auto t = check();
    ASSERT_EQ(t.result.status, CheckStatus::kError);
    ASSERT_TRUE(t.result.error.has_value());
    EXPECT_EQ(t.result.error->code, ErrorCode::kConnectionFailed);
    if (resilient_->breaker_snapshot()->rejected == before + 1)
      rejections_ms.push_back(to_ms(t.took));
  }
  ASSERT_GE(rejections_ms.size(), 8u) << "the breaker let calls through while open";
  std::sort(rejections_ms.begin(), rejections_ms.end());
  std::printf("[ timing   ] %zu rejections: median %.3f ms, max %.3f ms\n", rejections_ms.size(),
              rejections_ms[rejections_ms.size() / 2], rejections_ms.back());
  EXPECT_LT(rejections_ms[rejections_ms.size() / 2], 10.0) << "median rejection (ms)";
  EXPECT_LT(rejections_ms.back(), 100.0) << "slowest rejection (ms), a loaded machine's hiccup";

  proxy_->set_mode(FaultMode::kPass);  // the server is back
  const auto give_up = steady_clock::now() + std::chrono::seconds(15);
  bool recovered = false;
  while (!recovered && steady_clock::now() < give_up) {
    recovered = check().result.status == CheckStatus::kOk;
    if (!recovered) std::this_thread::sleep_for(milliseconds(100));  // the next schedule
  }
  ASSERT_TRUE(recovered) << "checks did not recover after the server came back";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(check().result.status, CheckStatus::kOk);
  }
  EXPECT_EQ(resilient_->circuit_state(), CircuitState::kClosed);
  EXPECT_GE(resilient_->breaker_snapshot()->times_opened, 1u);
  expect_one_result_per_check();
  expect_no_leaked_sessions();
}

// (b) The connection is reset while the check's query runs on the server: the retry
// policy runs it again on a new connection and the check succeeds.
TEST_F(PgFaultTest, ConnectionDroppedMidQueryIsRetriedAndSucceeds) {
  auto s = source();
  s.timeout_ms = 8000;  // two runs of the 0.6 s view, with room for a loaded machine
  connect(s);
  EXPECT_EQ(check().result.status, CheckStatus::kOk);
  const auto retries_before = resilient_->retry_counters().retries;
  constexpr int kRounds = 3;
  int dropped = 0;
  for (int i = 0; i < kRounds; ++i) {
    std::thread dropper([&] {
      if (eventually([&] { return running_slow() > 0; }, milliseconds(5000))) {
        proxy_->drop_connections();
        ++dropped;
      }
    });
    const auto t = check("slow_orders");
    dropper.join();
    EXPECT_EQ(t.result.status, CheckStatus::kOk) << t.result.message;
  }
  EXPECT_EQ(dropped, kRounds) << "the query was never seen running";
  EXPECT_GE(resilient_->retry_counters().retries - retries_before,
            static_cast<std::uint64_t>(kRounds));
  EXPECT_EQ(resilient_->circuit_state(), CircuitState::kClosed);
  expect_one_result_per_check();
  expect_no_leaked_sessions();
}

// (c) The network black-holes traffic: the check fails with TIMEOUT at its deadline. A query
// already in flight on a pooled connection also spends the connector's cancel grace (1 s by
// default) trying to cancel it on the server; a check that needs a new connection ends at
// the deadline itself.
TEST_F(PgFaultTest, BlackHoleFailsWithTimeoutAtTheDeadline) {
  auto s = source();
  s.timeout_ms = 1000;
  s.connect_timeout_ms = 5000;  // the call's deadline is the earlier one
  s.circuit_breaker.failure_threshold = 10;
  connect(s);
  EXPECT_EQ(check().result.status, CheckStatus::kOk);  // leaves a pooled connection
  proxy_->set_mode(FaultMode::kBlackHole);
  constexpr double kDeadline = 1000;
  constexpr double kCancelGrace = 1000;  // PostgresOptions::cancel_grace default
  constexpr double kMargin = 700;        // scheduling on a loaded 2-core machine
  for (int i = 0; i < 3; ++i) {
    const auto t = check();
    ASSERT_EQ(t.result.status, CheckStatus::kError);
    ASSERT_TRUE(t.result.error.has_value());
    EXPECT_EQ(t.result.error->code, ErrorCode::kTimeout) << t.result.message;
    EXPECT_GE(to_ms(t.took), kDeadline - 50);
    const double bound = (i == 0 ? kDeadline + kCancelGrace : kDeadline) + kMargin;
    std::printf("[ timing   ] black-holed check %d: %.0f ms (bound %.0f)\n", i, to_ms(t.took),
                bound);
    EXPECT_LT(to_ms(t.took), bound) << "check " << i << " ran past its deadline";
  }
  proxy_->set_mode(FaultMode::kPass);
  EXPECT_TRUE(eventually([&] { return check().result.status == CheckStatus::kOk; },
                         std::chrono::seconds(10)));
  expect_one_result_per_check();
  expect_no_leaked_sessions();
}

// (d) pg_terminate_backend on every pooled connection, from a superuser session: the pool
// discards the dead connections (a failed use poisons them; the retry takes another) and
// the next checks succeed on new backends.
TEST_F(PgFaultTest, TerminatedPooledConnectionsAreDiscarded) {
  auto s = source();
  s.max_connections = 2;  // at most two dead ones: fewer than retry's three attempts
  connect(s);
  {
    std::thread other([&] { EXPECT_EQ(check("slow_orders").result.status, CheckStatus::kOk); });
    EXPECT_EQ(check("slow_orders").result.status, CheckStatus::kOk);
    other.join();
  }
  const auto old_pids = role_pids();
  ASSERT_FALSE(old_pids.empty());
  EXPECT_EQ(postgres_->pool_status()->idle, static_cast<int>(old_pids.size()));
  terminate_sessions();
  ASSERT_TRUE(eventually([&] { return role_sessions() == 0; }));
  for (int i = 0; i < 5; ++i) {
    const auto t = check();
    EXPECT_EQ(t.result.status, CheckStatus::kOk) << t.result.message;
  }
  const auto new_pids = role_pids();
  for (const auto& pid : new_pids) {
    EXPECT_EQ(std::count(old_pids.begin(), old_pids.end(), pid), 0) << "dead backend reused";
  }
  EXPECT_EQ(postgres_->pool_status()->total, static_cast<int>(new_pids.size()));
  EXPECT_EQ(resilient_->circuit_state(), CircuitState::kClosed);
  expect_one_result_per_check();
  expect_no_leaked_sessions();
}

}  // namespace
}  // namespace freshguard
