#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include <freshguard/core/clock.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/resilience/circuit_breaker.hpp>

namespace freshguard::resilience {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr std::int64_t kBase = 1795788000;  // 2026-11-27T14:00:00Z

class CircuitBreakerTest : public ::testing::Test {
 protected:
  ManualClock clock_{WallTime(seconds(kBase))};

  static CircuitBreakerOptions named(std::string name = "wh") {
    CircuitBreakerOptions o;
    o.name = std::move(name);
    return o;
  }

  // Runs `f` under `b` and returns "ok" or the message of what it threw.
  static std::string run(CircuitBreaker& b, const std::function<void()>& f) {
    try {
      b.execute(f);
      return "ok";
    } catch (const std::exception& e) {
      return e.what();
    }
  }
  static void fail(CircuitBreaker& b, int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(run(b, [] { throw ConnectionError("down"); }), "down") << "call " << i;
    }
  }
  static void succeed(CircuitBreaker& b, int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_EQ(run(b, [] {}), "ok") << "call " << i;
    }
  }
  // Asserts that `b` rejects a call without running it and returns the rejection.
  static std::string rejection(CircuitBreaker& b) {
    bool ran = false;
    try {
      b.execute([&ran] { ran = true; });
    } catch (const CircuitOpenError& e) {
      EXPECT_FALSE(ran);
      EXPECT_EQ(e.code(), ErrorCode::kConnectionFailed);
      EXPECT_TRUE(e.transient());
      EXPECT_EQ(e.source(), b.options().name);
      return e.what();
    }
    ADD_FAILURE() << "the call was not rejected";
    return {};
  }
};

TEST_F(CircuitBreakerTest, ClosedBreakerPassesCallsAndResults) {
  CircuitBreaker b(named(), clock_);
  EXPECT_EQ(b.state(), CircuitState::kClosed);
  EXPECT_EQ(b.call([] { return 42; }), 42);
  auto p = b.call([] { return std::make_unique<int>(7); });  // move-only results work
  EXPECT_EQ(*p, 7);
  int calls = 0;
  b.call([&calls] { ++calls; });
  EXPECT_EQ(calls, 1);
  const auto s = b.snapshot();
  EXPECT_EQ(s.successes, 3u);
  EXPECT_EQ(s.failures, 0u);
  EXPECT_EQ(s.open_remaining, milliseconds(0));
}

// Plan 6.1: "should open circuit after 5 failures".
TEST_F(CircuitBreakerTest, OpensAfterFiveConsecutiveFailures) {
  CircuitBreaker b(named(), clock_);
  fail(b, 4);
  EXPECT_EQ(b.state(), CircuitState::kClosed);
  EXPECT_EQ(b.snapshot().consecutive_failures, 4);
  fail(b, 1);
  EXPECT_EQ(b.state(), CircuitState::kOpen);
  const auto s = b.snapshot();
  EXPECT_EQ(s.times_opened, 1u);
  EXPECT_EQ(s.failures, 5u);
  EXPECT_EQ(s.consecutive_failures, 0);
  EXPECT_EQ(s.open_remaining, milliseconds(60000));
}

// Plan 6.1: "should reject requests when OPEN", with the source and until when.
TEST_F(CircuitBreakerTest, RejectsWhenOpenNamingSourceAndUntilWhen) {
  CircuitBreaker b(named("warehouse"), clock_);
  fail(b, 5);
  EXPECT_EQ(rejection(b),
            "circuit breaker is OPEN for source \"warehouse\" after 5 consecutive failures: calls "
            "fail fast until 2026-11-27T14:01:00Z (another 60 s)");
  clock_.advance(milliseconds(30500));
  EXPECT_EQ(rejection(b),
            "circuit breaker is OPEN for source \"warehouse\" after 5 consecutive failures: calls "
            "fail fast until 2026-11-27T14:01:00Z (another 30 s)");
  EXPECT_EQ(b.snapshot().rejected, 2u);
  EXPECT_EQ(b.snapshot().open_remaining, milliseconds(29500));
}

TEST_F(CircuitBreakerTest, SuccessResetsTheRunOfFailures) {
  CircuitBreaker b(named(), clock_);
  fail(b, 4);
  succeed(b, 1);
  fail(b, 4);
  EXPECT_EQ(b.state(), CircuitState::kClosed);
  fail(b, 1);
  EXPECT_EQ(b.state(), CircuitState::kOpen);
}

TEST_F(CircuitBreakerTest, CustomThreshold) {
  auto o = named();
  o.failure_threshold = 1;
  CircuitBreaker b(o, clock_);
  fail(b, 1);
  EXPECT_EQ(b.state(), CircuitState::kOpen);
}

TEST_F(CircuitBreakerTest, GoesHalfOpenExactlyAfterResetTimeout) {
  CircuitBreaker b(named(), clock_);
  fail(b, 5);
  clock_.advance(milliseconds(59999));
  EXPECT_EQ(b.state(), CircuitState::kOpen);
  (void)rejection(b);
  clock_.advance(milliseconds(1));
  EXPECT_EQ(b.state(), CircuitState::kHalfOpen);
}

TEST_F(CircuitBreakerTest, RecoversThroughHalfOpenAfterSuccessThreshold) {
  CircuitBreaker b(named(), clock_);
  fail(b, 5);
  clock_.advance(seconds(60));
  succeed(b, 2);
  EXPECT_EQ(b.state(), CircuitState::kHalfOpen);
  EXPECT_EQ(b.snapshot().half_open_successes, 2);
  succeed(b, 1);
  EXPECT_EQ(b.state(), CircuitState::kClosed);
  // Closed again from a clean slate: it takes five new failures to open.
  fail(b, 4);
  EXPECT_EQ(b.state(), CircuitState::kClosed);
}

TEST_F(CircuitBreakerTest, ProbeFailureReopensForAFullPeriod) {
  CircuitBreaker b(named(), clock_);
  fail(b, 5);
  clock_.advance(seconds(60));
  succeed(b, 2);
  fail(b, 1);
  EXPECT_EQ(b.state(), CircuitState::kOpen);
  const auto s = b.snapshot();
  EXPECT_EQ(s.times_opened, 2u);
  EXPECT_EQ(s.open_remaining, milliseconds(60000));
  EXPECT_NE(rejection(b).find("after a probe call failed"), std::string::npos);
  clock_.advance(seconds(60));
  EXPECT_EQ(b.state(), CircuitState::kHalfOpen);
  EXPECT_EQ(b.snapshot().half_open_successes, 0);  // the earlier probes do not carry over
}

TEST_F(CircuitBreakerTest, HalfOpenLetsOneProbeThroughAtATime) {
  CircuitBreaker b(named(), clock_);
  fail(b, 5);
  clock_.advance(seconds(60));
  std::string inner;
  // While the probe runs, a second call is rejected at once.
  EXPECT_EQ(run(b, [&] { inner = rejection(b); }), "ok");
  EXPECT_EQ(inner,
            "circuit breaker is HALF_OPEN for source \"wh\": 1 probe call(s) are testing whether "
            "it has recovered; other calls fail fast until 3 probes succeed");
  EXPECT_EQ(b.snapshot().half_open_in_flight, 0);
  EXPECT_EQ(b.snapshot().half_open_successes, 1);
}

TEST_F(CircuitBreakerTest, HalfOpenMaxCallsAllowsThatManyProbes) {
  auto o = named();
  o.half_open_max_calls = 2;
  CircuitBreaker b(o, clock_);
  fail(b, 5);
  clock_.advance(seconds(60));
  int in_flight = -1;
  std::string third;
  EXPECT_EQ(run(b,
                [&] {
                  EXPECT_EQ(run(b,
                                [&] {
                                  in_flight = b.snapshot().half_open_in_flight;
                                  third = rejection(b);
                                }),
                            "ok");
                }),
            "ok");
  EXPECT_EQ(in_flight, 2);
  EXPECT_NE(third.find("HALF_OPEN"), std::string::npos);
}

TEST_F(CircuitBreakerTest, IgnoredProbeOutcomeFreesTheSlot) {
  CircuitBreaker b(named(), clock_);
  fail(b, 5);
  clock_.advance(seconds(60));
  EXPECT_EQ(run(b, [] { throw QueryError("table missing"); }), "table missing");
  EXPECT_EQ(b.state(), CircuitState::kHalfOpen);
  EXPECT_EQ(b.snapshot().half_open_in_flight, 0);
  EXPECT_EQ(b.snapshot().half_open_successes, 0);
  succeed(b, 3);
  EXPECT_EQ(b.state(), CircuitState::kClosed);
}

// The TypeScript original moved the reopen time on every rejected call, so a breaker under
// steady traffic never closed. Here the open period is fixed when the breaker opens.
TEST_F(CircuitBreakerTest, RejectedCallsNeverExtendTheOpenPeriod) {
  CircuitBreaker b(named(), clock_);
  fail(b, 5);
  for (int i = 0; i < 59; ++i) {
    clock_.advance(seconds(1));
    (void)rejection(b);
  }
  EXPECT_EQ(b.snapshot().rejected, 59u);
  clock_.advance(seconds(1));
  EXPECT_EQ(run(b, [] {}), "ok");  // the probe goes through on time
  EXPECT_EQ(b.snapshot().times_opened, 1u);
}

TEST_F(CircuitBreakerTest, LateOutcomeOfAnEarlierCallDoesNotMoveTheState) {
  CircuitBreaker b(named(), clock_);
  // A slow call starts while CLOSED; meanwhile five others fail and open the breaker.
  EXPECT_EQ(run(b,
                [&] {
                  fail(b, 5);
                  clock_.advance(seconds(10));
                  throw TimeoutError("slow call timed out");
                }),
            "slow call timed out");
  const auto s = b.snapshot();
  EXPECT_EQ(s.state, CircuitState::kOpen);
  EXPECT_EQ(s.times_opened, 1u);
  EXPECT_EQ(s.failures, 6u);                         // counted in the totals
  EXPECT_EQ(s.open_remaining, milliseconds(50000));  // but the open period is unchanged
}

TEST_F(CircuitBreakerTest, StaleProbeDoesNotCloseAReopenedBreaker) {
  auto o = named();
  o.half_open_max_calls = 2;
  o.success_threshold = 1;
  CircuitBreaker b(o, clock_);
  fail(b, 5);
  clock_.advance(seconds(60));
  EXPECT_EQ(run(b,
                [&] {
                  fail(b, 1);  // the second probe fails and reopens the breaker
                }),
            "ok");  // the first probe succeeds, too late to matter
  EXPECT_EQ(b.state(), CircuitState::kOpen);
  EXPECT_EQ(b.snapshot().successes, 1u);
}

TEST_F(CircuitBreakerTest, ErrorsThatSayNothingAboutHealthAreNotCounted) {
  CircuitBreaker b(named(), clock_);
  const std::vector<std::function<void()>> ignored = {
      [] { throw SecurityError("invalid identifier"); },
      [] { throw ConfigError("bad rule"); },
      [] { throw QueryError("table \"x\" not found"); },
      [] { throw QueryError("permission denied"); },
      [] { throw MonitoringError("unreadable timestamp"); },
      [] { throw MetadataError("history write failed"); },
      [] { throw std::runtime_error("not a freshguard error"); },
      [] { throw 42; },
  };
  for (int round = 0; round < 3; ++round) {
    for (const auto& f : ignored) {
      EXPECT_ANY_THROW(b.execute(f));
    }
  }
  auto s = b.snapshot();
  EXPECT_EQ(s.state, CircuitState::kClosed);
  EXPECT_EQ(s.ignored, 3 * ignored.size());
  EXPECT_EQ(s.failures, 0u);
  // They do not break a run of failures either: neither success nor failure.
  fail(b, 4);
  EXPECT_ANY_THROW(b.execute(ignored[2]));
  fail(b, 1);
  EXPECT_EQ(b.state(), CircuitState::kOpen);
}

TEST_F(CircuitBreakerTest, ClassifiesByCodeAndTransientFlag) {
  EXPECT_EQ(classify(ConnectionError("refused")), Outcome::kFailure);
  EXPECT_EQ(classify(ConnectionError("no such file", false)), Outcome::kFailure);
  EXPECT_EQ(classify(TimeoutError("deadline")), Outcome::kFailure);
  EXPECT_EQ(classify(QueryError("serialization failure", true)), Outcome::kFailure);
  EXPECT_EQ(classify(MetadataError("store busy", true)), Outcome::kFailure);
  EXPECT_EQ(classify(QueryError("syntax error")), Outcome::kIgnored);
  EXPECT_EQ(classify(SecurityError("bad name")), Outcome::kIgnored);
  EXPECT_EQ(classify(ConfigError("bad")), Outcome::kIgnored);
  EXPECT_EQ(classify(MonitoringError("odd")), Outcome::kIgnored);
  EXPECT_EQ(classify(std::logic_error("bug")), Outcome::kIgnored);
}

TEST_F(CircuitBreakerTest, FailureRateModeNeedsMinimumCalls) {
  auto o = named();
  o.mode = BreakerMode::kFailureRate;
  o.window_size = 10;
  o.minimum_calls = 5;
  o.failure_rate_threshold = 50;
  CircuitBreaker b(o, clock_);
  fail(b, 4);  // 100% failures, but only 4 calls
  EXPECT_EQ(b.state(), CircuitState::kClosed);
  EXPECT_EQ(b.snapshot().window_calls, 4);
  EXPECT_EQ(b.snapshot().window_failures, 4);
  fail(b, 1);
  EXPECT_EQ(b.state(), CircuitState::kOpen);
  EXPECT_NE(rejection(b).find("after 5 failures in the last 5 calls (threshold 50%)"),
            std::string::npos);
}

TEST_F(CircuitBreakerTest, FailureRateModeTripsAtTheThresholdNotOnARun) {
  auto o = named();
  o.mode = BreakerMode::kFailureRate;
  o.window_size = 10;
  o.minimum_calls = 5;
  o.failure_rate_threshold = 50;
  CircuitBreaker b(o, clock_);
  for (int i = 0; i < 2; ++i) {
    succeed(b, 1);
    fail(b, 1);
  }
  succeed(b, 1);  // 2 of 5 = 40%
  EXPECT_EQ(b.state(), CircuitState::kClosed);
  fail(b, 1);  // 3 of 6 = 50%
  EXPECT_EQ(b.state(), CircuitState::kOpen);
  EXPECT_NE(rejection(b).find("3 failures in the last 6 calls"), std::string::npos);
}

TEST_F(CircuitBreakerTest, FailureRateWindowSlides) {
  auto o = named();
  o.mode = BreakerMode::kFailureRate;
  o.window_size = 4;
  o.minimum_calls = 4;
  o.failure_rate_threshold = 75;
  CircuitBreaker b(o, clock_);
  fail(b, 2);
  succeed(b, 4);  // the failures slide out of the window
  EXPECT_EQ(b.snapshot().window_failures, 0);
  EXPECT_EQ(b.snapshot().window_calls, 4);
  fail(b, 2);  // S S F F: 50%
  EXPECT_EQ(b.state(), CircuitState::kClosed);
  fail(b, 1);  // S F F F: 75%
  EXPECT_EQ(b.state(), CircuitState::kOpen);
  // Recovery is the same as in consecutive mode, and the window starts empty again.
  clock_.advance(seconds(60));
  succeed(b, 3);
  EXPECT_EQ(b.state(), CircuitState::kClosed);
  EXPECT_EQ(b.snapshot().window_calls, 0);
}

TEST_F(CircuitBreakerTest, ListenerSeesEveryTransitionInOrder) {
  std::vector<std::string> seen;
  CircuitBreaker b(named(), clock_, [&seen](CircuitState from, CircuitState to) {
    seen.push_back(std::string(to_string(from)) + ">" + std::string(to_string(to)));
    throw std::runtime_error("a throwing listener changes nothing");
  });
  fail(b, 5);
  clock_.advance(seconds(60));
  succeed(b, 3);
  fail(b, 5);
  clock_.advance(seconds(60));
  fail(b, 1);
  const std::vector<std::string> expected = {"closed>open", "open>half_open", "half_open>closed",
                                             "closed>open", "open>half_open", "half_open>open"};
  EXPECT_EQ(seen, expected);
}

TEST_F(CircuitBreakerTest, RejectsInvalidOptions) {
  const auto message_of = [this](CircuitBreakerOptions o) -> std::string {
    try {
      CircuitBreaker b(std::move(o), clock_);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "accepted";
  };
  auto o = named();
  o.failure_threshold = 0;
  EXPECT_EQ(message_of(o),
            "circuit breaker of source \"wh\": failure_threshold must be at least 1, got 0");
  o = named();
  o.success_threshold = 0;
  EXPECT_NE(message_of(o).find("success_threshold"), std::string::npos);
  o = named();
  o.reset_timeout = milliseconds(0);
  EXPECT_NE(message_of(o).find("reset_timeout_ms must be positive"), std::string::npos);
  o = named();
  o.half_open_max_calls = 0;
  EXPECT_NE(message_of(o).find("half_open_max_calls"), std::string::npos);
  o = named();
  o.window_size = 0;
  EXPECT_NE(message_of(o).find("window_size"), std::string::npos);
  o = named();
  o.minimum_calls = 21;
  EXPECT_NE(message_of(o).find("minimum_calls must be between 1 and window_size (20), got 21"),
            std::string::npos);
  o = named();
  o.failure_rate_threshold = 101;
  EXPECT_NE(message_of(o).find("failure_rate_threshold"), std::string::npos);
  EXPECT_EQ(message_of(named()), "accepted");
}

TEST(CircuitStateTest, Spellings) {
  EXPECT_EQ(to_string(CircuitState::kClosed), "closed");
  EXPECT_EQ(to_string(CircuitState::kOpen), "open");
  EXPECT_EQ(to_string(CircuitState::kHalfOpen), "half_open");
  EXPECT_EQ(to_string(BreakerMode::kConsecutive), "consecutive");
  EXPECT_EQ(to_string(BreakerMode::kFailureRate), "failure_rate");
}

// Many threads hammer one breaker while another moves the clock: every call is accounted
// for exactly once, probes never exceed the limit, and the sanitizers see no race.
TEST_F(CircuitBreakerTest, ConcurrentCallsAreAllAccountedFor) {
  auto o = named();
  o.failure_threshold = 3;
  o.success_threshold = 2;
  o.reset_timeout = milliseconds(1000);
  o.half_open_max_calls = 2;
  CircuitBreaker b(o, clock_);
  constexpr int kThreads = 8;
  constexpr int kCalls = 1000;
  std::atomic<int> max_probes{0};
  std::atomic<bool> stop{false};
  std::thread ticker([&] {
    while (!stop.load()) {
      clock_.advance(milliseconds(50));
      std::this_thread::yield();
    }
  });
  std::vector<std::thread> workers;
  for (int t = 0; t < kThreads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; i < kCalls; ++i) {
        try {
          b.execute([&] {
            const auto s = b.snapshot();
            int seen = max_probes.load();
            while (s.half_open_in_flight > seen &&
                   !max_probes.compare_exchange_weak(seen, s.half_open_in_flight)) {
            }
            if ((i + t) % 7 < 4) throw ConnectionError("down");
          });
        } catch (const ConnectionError&) {
        }
      }
    });
  }
  for (auto& w : workers)
    w.join();
  stop = true;
  ticker.join();
  const auto s = b.snapshot();
  EXPECT_EQ(s.successes + s.failures + s.ignored + s.rejected,
            static_cast<std::uint64_t>(kThreads * kCalls));
  EXPECT_GE(s.times_opened, 1u);  // every thread alone fails four times in a row
  EXPECT_LE(max_probes.load(), 2);
}

}  // namespace
}  // namespace freshguard::resilience
