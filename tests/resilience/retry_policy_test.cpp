#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <freshguard/core/clock.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/core/random.hpp>
#include <freshguard/resilience/retry_policy.hpp>

namespace freshguard::resilience {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

class RetryPolicyTest : public ::testing::Test {
 protected:
  ManualClock clock_{WallTime(seconds(1795788000))};
  ManualSleeper sleeper_{clock_};
  SeededRandom random_{20261127};

  static RetryOptions no_jitter() {
    RetryOptions o;
    o.jitter = Jitter::kNone;
    return o;
  }
  Deadline deadline(milliseconds budget = milliseconds(30000)) {
    return Deadline::after(clock_, budget);
  }
};

TEST_F(RetryPolicyTest, FirstSuccessDoesNotSleep) {
  RetryPolicy p({}, sleeper_, random_);
  EXPECT_EQ(p.call([] { return 5; }, deadline()), 5);
  EXPECT_TRUE(sleeper_.sleeps().empty());
  EXPECT_EQ(p.counters().calls, 1u);
  EXPECT_EQ(p.counters().retries, 0u);
}

TEST_F(RetryPolicyTest, RetriesTransientErrorsUntilSuccess) {
  RetryPolicy p(no_jitter(), sleeper_, random_);
  int attempts = 0;
  const auto value = p.call(
      [&attempts] {
        if (++attempts < 3) throw ConnectionError("connection reset");
        return std::string("rows");
      },
      deadline());
  EXPECT_EQ(value, "rows");
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(sleeper_.sleeps(), (std::vector<microseconds>{milliseconds(100), milliseconds(200)}));
  EXPECT_EQ(p.counters().retries, 2u);
  EXPECT_EQ(p.counters().exhausted, 0u);
}

TEST_F(RetryPolicyTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  RetryPolicy p(no_jitter(), sleeper_, random_);
  int attempts = 0;
  try {
    p.execute([&attempts] { throw TimeoutError("attempt " + std::to_string(++attempts)); },
              deadline());
    FAIL() << "no error";
  } catch (const TimeoutError& e) {
    EXPECT_STREQ(e.what(), "attempt 3");
  }
  EXPECT_EQ(attempts, 3);
  EXPECT_EQ(sleeper_.sleeps().size(), 2u);
  EXPECT_EQ(p.counters().exhausted, 1u);
}

TEST_F(RetryPolicyTest, MaxAttemptsOneNeverRetries) {
  auto o = no_jitter();
  o.max_attempts = 1;
  RetryPolicy p(o, sleeper_, random_);
  int attempts = 0;
  EXPECT_THROW(p.execute(
                   [&attempts] {
                     ++attempts;
                     throw ConnectionError("down");
                   },
                   deadline()),
               ConnectionError);
  EXPECT_EQ(attempts, 1);
  EXPECT_TRUE(sleeper_.sleeps().empty());
}

// Classification is by the error's flags, never by its text: a transient error whose message
// reads like a permission problem is retried, a permanent one that reads like a blip is not.
TEST_F(RetryPolicyTest, OnlyTransientErrorsAreRetried) {
  RetryPolicy p(no_jitter(), sleeper_, random_);
  const std::map<std::string, std::function<void()>> permanent = {
      {"auth", [] { throw ConnectionError("connection reset (really: bad password)", false); }},
      {"permission", [] { throw QueryError("connection timed out", false); }},
      {"missing table", [] { throw QueryError("relation does not exist"); }},
      {"security", [] { throw SecurityError("invalid identifier"); }},
      {"config", [] { throw ConfigError("bad rule"); }},
      {"monitoring", [] { throw MonitoringError("unreadable value"); }},
      {"foreign", [] { throw std::runtime_error("not a freshguard error"); }},
  };
  for (const auto& [name, f] : permanent) {
    int attempts = 0;
    EXPECT_ANY_THROW(p.execute(
        [&] {
          ++attempts;
          f();
        },
        deadline()))
        << name;
    EXPECT_EQ(attempts, 1) << name;
  }
  EXPECT_EQ(p.counters().not_retryable, permanent.size());
  EXPECT_TRUE(sleeper_.sleeps().empty());

  int attempts = 0;
  EXPECT_THROW(p.execute(
                   [&] {
                     ++attempts;
                     throw QueryError("permission denied", true);
                   },
                   deadline()),
               QueryError);
  EXPECT_EQ(attempts, 3);
}

TEST_F(RetryPolicyTest, IsRetryableReadsTheTransientFlag) {
  EXPECT_TRUE(is_retryable(ConnectionError("x")));
  EXPECT_TRUE(is_retryable(TimeoutError("x")));
  EXPECT_TRUE(is_retryable(QueryError("x", true)));
  EXPECT_FALSE(is_retryable(ConnectionError("x", false)));
  EXPECT_FALSE(is_retryable(QueryError("x")));
  EXPECT_FALSE(is_retryable(std::runtime_error("x")));
}

TEST_F(RetryPolicyTest, CappedExponentialSequence) {
  RetryPolicy p(no_jitter(), sleeper_, random_);
  const std::vector<int> expected_ms = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
  for (std::size_t i = 0; i < expected_ms.size(); ++i) {
    const int n = static_cast<int>(i) + 1;
    EXPECT_EQ(p.capped_delay(n), milliseconds(expected_ms[i])) << n;
    EXPECT_EQ(p.backoff(n), milliseconds(expected_ms[i])) << n;
  }
  EXPECT_EQ(p.capped_delay(100000), milliseconds(5000));  // no overflow
  EXPECT_EQ(p.capped_delay(0), milliseconds(100));
}

TEST_F(RetryPolicyTest, CustomMultiplierAndCap) {
  RetryOptions o = no_jitter();
  o.base_delay = milliseconds(10);
  o.multiplier = 1.5;
  o.max_delay = milliseconds(30);
  RetryPolicy p(o, sleeper_, random_);
  EXPECT_EQ(p.capped_delay(1), milliseconds(10));
  EXPECT_EQ(p.capped_delay(2), milliseconds(15));
  EXPECT_EQ(p.capped_delay(3), microseconds(22500));
  EXPECT_EQ(p.capped_delay(4), milliseconds(30));
}

TEST_F(RetryPolicyTest, FullJitterStaysWithinZeroAndTheCappedDelay) {
  RetryPolicy p({}, sleeper_, random_);  // full jitter is the default
  for (int n = 1; n <= 8; ++n) {
    const auto cap = p.capped_delay(n);
    microseconds low = cap;
    microseconds high{0};
    double sum = 0;
    constexpr int kDraws = 2000;
    for (int i = 0; i < kDraws; ++i) {
      const auto d = p.backoff(n);
      ASSERT_GE(d.count(), 0);
      ASSERT_LT(d, cap);
      low = std::min(low, d);
      high = std::max(high, d);
      sum += static_cast<double>(d.count());
    }
    // Spread over the whole range, centred on half the cap.
    const double cap_us = static_cast<double>(cap.count());
    EXPECT_LT(static_cast<double>(low.count()), 0.02 * cap_us) << n;
    EXPECT_GT(static_cast<double>(high.count()), 0.98 * cap_us) << n;
    EXPECT_NEAR(sum / kDraws, cap_us / 2, 0.05 * cap_us) << n;
  }
}

TEST_F(RetryPolicyTest, ProportionalJitterIsWithinTwentyPercentAndCapped) {
  RetryOptions o;
  o.jitter = Jitter::kProportional;
  RetryPolicy p(o, sleeper_, random_);
  for (int n = 1; n <= 5; ++n) {  // 100 .. 1600 ms: below the cap
    const double cap = static_cast<double>(p.capped_delay(n).count());
    for (int i = 0; i < 500; ++i) {
      const auto d = static_cast<double>(p.backoff(n).count());
      ASSERT_GE(d, 0.8 * cap - 1);
      ASSERT_LT(d, 1.2 * cap);
    }
  }
  for (int i = 0; i < 500; ++i) {  // at the cap: never above max_delay
    const auto d = p.backoff(10);
    ASSERT_LE(d, milliseconds(5000));
    ASSERT_GE(d, milliseconds(4000));
  }
}

TEST_F(RetryPolicyTest, SameSeedSameBackoffs) {
  SeededRandom a(7);
  SeededRandom b(7);
  RetryPolicy pa({}, sleeper_, a);
  RetryPolicy pb({}, sleeper_, b);
  for (int n = 1; n <= 20; ++n) {
    EXPECT_EQ(pa.backoff(n), pb.backoff(n));
  }
}

// One deadline spans every attempt: a retry starts only if its backoff plus the time the
// failed attempt took still ends before the deadline; the last error is what the caller gets.
TEST_F(RetryPolicyTest, DeadlineSpansAllAttempts) {
  RetryOptions o = no_jitter();
  o.max_attempts = 10;
  RetryPolicy p(o, sleeper_, random_);
  const auto start = clock_.steady_now();
  int attempts = 0;
  try {
    p.execute(
        [&] {
          ++attempts;
          clock_.advance(milliseconds(400));
          throw ConnectionError("reset by peer #" + std::to_string(attempts));
        },
        deadline(milliseconds(1000)));
    FAIL() << "no error";
  } catch (const ConnectionError& e) {
    EXPECT_STREQ(e.what(), "reset by peer #2");
  }
  // t=400 fails; 100 ms pause + 400 ms fits in 1000 -> retry at 500; t=900 fails;
  // 200 ms + 400 ms would end at 1500 -> stop.
  EXPECT_EQ(attempts, 2);
  EXPECT_EQ(clock_.steady_now() - start, milliseconds(900));
  EXPECT_EQ(p.counters().deadline_stops, 1u);
  EXPECT_EQ(p.counters().exhausted, 0u);
}

TEST_F(RetryPolicyTest, AttemptThatUsedTheWholeDeadlineIsNotRetried) {
  RetryPolicy p(no_jitter(), sleeper_, random_);
  int attempts = 0;
  EXPECT_THROW(p.execute(
                   [&] {
                     ++attempts;
                     clock_.advance(milliseconds(2000));
                     throw TimeoutError("query exceeded its deadline");
                   },
                   deadline(milliseconds(2000))),
               TimeoutError);
  EXPECT_EQ(attempts, 1);
  EXPECT_TRUE(sleeper_.sleeps().empty());
}

TEST_F(RetryPolicyTest, SuccessAfterTheDeadlineStillReturns) {
  RetryPolicy p(no_jitter(), sleeper_, random_);
  EXPECT_EQ(p.call(
                [&] {
                  clock_.advance(seconds(5));
                  return 1;
                },
                deadline(milliseconds(1000))),
            1);
}

TEST_F(RetryPolicyTest, ListenerSeesEachRetry) {
  std::vector<std::string> seen;
  RetryPolicy p(no_jitter(), sleeper_, random_,
                [&seen](int attempt, const Error& e, microseconds pause) {
                  seen.push_back(std::to_string(attempt) + ":" + std::string(to_string(e.code())) +
                                 ":" + std::to_string(pause.count()));
                  throw std::runtime_error("a throwing listener changes nothing");
                });
  EXPECT_THROW(p.execute([] { throw TimeoutError("slow"); }, deadline()), TimeoutError);
  EXPECT_EQ(seen, (std::vector<std::string>{"1:TIMEOUT:100000", "2:TIMEOUT:200000"}));
}

TEST_F(RetryPolicyTest, RejectsInvalidOptions) {
  const auto message_of = [this](RetryOptions o) -> std::string {
    try {
      RetryPolicy p(o, sleeper_, random_);
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "accepted";
  };
  RetryOptions o;
  o.max_attempts = 0;
  EXPECT_EQ(message_of(o), "retry: max_attempts must be at least 1, got 0");
  o = {};
  o.base_delay = milliseconds(-1);
  EXPECT_NE(message_of(o).find("base_delay_ms"), std::string::npos);
  o = {};
  o.multiplier = 0.5;
  EXPECT_NE(message_of(o).find("multiplier must be at least 1"), std::string::npos);
  o = {};
  o.max_delay = milliseconds(50);
  EXPECT_EQ(message_of(o), "retry: max_delay_ms must be at least base_delay_ms (100), got 50");
  EXPECT_EQ(message_of({}), "accepted");
}

TEST(JitterTest, Spellings) {
  EXPECT_EQ(to_string(Jitter::kFull), "full");
  EXPECT_EQ(to_string(Jitter::kProportional), "proportional");
  EXPECT_EQ(to_string(Jitter::kNone), "none");
}

}  // namespace
}  // namespace freshguard::resilience
