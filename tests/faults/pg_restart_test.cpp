// Issue 5 (a) with a real server restart: `pg_ctl restart -m fast` of the test cluster
// (scripts/pg-test-server.sh restart) while checks keep running. Every other session on
// the server dies with it, so the `faults` tests run with RUN_SERIAL (tests/CMakeLists.txt).

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "faults/fault_fixture.hpp"

namespace freshguard {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::FaultTest;
using testing::PgRaw;

// Checks run back to back while the real server restarts: they fail while it is down (each
// in bounded time, never hanging), breaker rejections are fast, and once the server is back
// the same connector's checks succeed again on their own.
TEST_F(FaultTest, RealServerRestartMidRunRecoversWithoutAProcessRestart) {
  const char* env = std::getenv("FRESHGUARD_TEST_PG_ENV");
  ASSERT_NE(env, nullptr);
  auto s = source();
  s.circuit_breaker.reset_timeout_ms = 500;
  connect(s);
  ASSERT_EQ(check().result.status, CheckStatus::kOk);

  std::atomic<bool> restarted{false};
  int restart_rc = -1;
  std::thread restarter([&] {
    const std::string cmd = std::string("bash '") + FRESHGUARD_SOURCE_DIR +
                            "/scripts/pg-test-server.sh' restart '" + env + "' >/dev/null 2>&1";
    restart_rc = std::system(cmd.c_str());
    restarted = true;
  });
  int failed_during = 0;
  auto slowest = steady_clock::duration::zero();
  while (!restarted) {
    const auto t = check();
    if (t.result.status == CheckStatus::kError) ++failed_during;
    slowest = std::max(slowest, t.took);
    std::this_thread::sleep_for(milliseconds(20));
  }
  restarter.join();
  ASSERT_EQ(restart_rc, 0) << "scripts/pg-test-server.sh restart failed";
  // The fixture's own connections died with the server.
  user_ = std::make_unique<PgRaw>(*server_, false);
  admin_ = std::make_unique<PgRaw>(*server_, true);

  EXPECT_GE(failed_during, 1) << "no check saw the restart";
  EXPECT_LT(slowest, milliseconds(s.timeout_ms + 2000)) << "a check outlived its deadline";
  bool recovered = false;
  const auto until = steady_clock::now() + std::chrono::seconds(15);
  while (!recovered && steady_clock::now() < until) {
    recovered = check().result.status == CheckStatus::kOk;
    if (!recovered) std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_TRUE(recovered) << "checks did not recover after the restart";
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(check().result.status, CheckStatus::kOk);
  EXPECT_EQ(resilient_->circuit_state(), resilience::CircuitState::kClosed);
  expect_one_result_per_check();
  expect_no_leaked_sessions();
}

}  // namespace
}  // namespace freshguard
