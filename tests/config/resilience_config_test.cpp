#include <gtest/gtest.h>

#include <freshguard/config/config.hpp>

#include "config/config_test_util.hpp"

namespace freshguard::config {
namespace {

using testing::has_problem;
using testing::load;
using testing::loads;
using testing::only_problem;
using testing::source_doc;

constexpr std::string_view kSqlite = "type: sqlite\npath: /data/db.sqlite\n";

SourceConfig source_with(std::string_view extra) {
  const auto r = load(source_doc(std::string(kSqlite) + std::string(extra)));
  EXPECT_TRUE(loads(r));
  return r.ok() ? r.config->sources.at("src") : SourceConfig{};
}

LoadResult load_with(std::string_view extra) {
  return load(source_doc(std::string(kSqlite) + std::string(extra)));
}

TEST(ResilienceConfigTest, DefaultsWhenAbsent) {
  const auto s = source_with("");
  const auto& cb = s.circuit_breaker;
  EXPECT_TRUE(cb.enabled);
  EXPECT_EQ(cb.mode, CircuitBreakerMode::kConsecutive);
  EXPECT_EQ(cb.failure_threshold, 5);
  EXPECT_EQ(cb.success_threshold, 3);
  EXPECT_EQ(cb.reset_timeout_ms, 60000);
  EXPECT_EQ(cb.half_open_max_calls, 1);
  EXPECT_EQ(cb.window_size, 20);
  EXPECT_EQ(cb.minimum_calls, 10);
  EXPECT_EQ(cb.failure_rate_threshold, 50);
  const auto& rt = s.retry;
  EXPECT_TRUE(rt.enabled);
  EXPECT_EQ(rt.max_attempts, 3);
  EXPECT_EQ(rt.base_delay_ms, 100);
  EXPECT_EQ(rt.multiplier, 2.0);
  EXPECT_EQ(rt.max_delay_ms, 5000);
  EXPECT_EQ(rt.jitter, RetryJitter::kFull);
}

TEST(ResilienceConfigTest, EveryBreakerField) {
  const auto s = source_with(
      "circuit_breaker:\n  enabled: true\n  mode: failure_rate\n  failure_threshold: 7\n"
      "  success_threshold: 2\n  reset_timeout_ms: 1000\n  half_open_max_calls: 4\n"
      "  window_size: 50\n  minimum_calls: 50\n  failure_rate_threshold: 100\n");
  const auto& cb = s.circuit_breaker;
  EXPECT_EQ(cb.mode, CircuitBreakerMode::kFailureRate);
  EXPECT_EQ(cb.failure_threshold, 7);
  EXPECT_EQ(cb.success_threshold, 2);
  EXPECT_EQ(cb.reset_timeout_ms, 1000);
  EXPECT_EQ(cb.half_open_max_calls, 4);
  EXPECT_EQ(cb.window_size, 50);
  EXPECT_EQ(cb.minimum_calls, 50);
  EXPECT_EQ(cb.failure_rate_threshold, 100);
  EXPECT_EQ(source_with("circuit_breaker: {mode: consecutive}").circuit_breaker.mode,
            CircuitBreakerMode::kConsecutive);
}

TEST(ResilienceConfigTest, EveryRetryField) {
  const auto s = source_with(
      "retry:\n  max_attempts: 10\n  base_delay_ms: 10\n  multiplier: 1.5\n"
      "  max_delay_ms: 300000\n  jitter: proportional\n");
  EXPECT_EQ(s.retry.max_attempts, 10);
  EXPECT_EQ(s.retry.base_delay_ms, 10);
  EXPECT_EQ(s.retry.multiplier, 1.5);
  EXPECT_EQ(s.retry.max_delay_ms, 300000);
  EXPECT_EQ(s.retry.jitter, RetryJitter::kProportional);
  EXPECT_EQ(source_with("retry: {jitter: none}").retry.jitter, RetryJitter::kNone);
  EXPECT_EQ(source_with("retry: {jitter: full}").retry.jitter, RetryJitter::kFull);
  EXPECT_EQ(source_with("retry: {multiplier: 10}").retry.multiplier, 10.0);
  EXPECT_EQ(source_with("retry: {multiplier: \"1\"}").retry.multiplier, 1.0);
}

TEST(ResilienceConfigTest, EnabledFlags) {
  EXPECT_FALSE(source_with("circuit_breaker: {enabled: false}").circuit_breaker.enabled);
  EXPECT_FALSE(source_with("retry: {enabled: no}").retry.enabled);
  EXPECT_TRUE(source_with("retry: {enabled: True}").retry.enabled);
  EXPECT_TRUE(source_with("retry:\n  enabled:\n").retry.enabled);  // null keeps the default
  EXPECT_TRUE(only_problem(load_with("retry: {enabled: maybe}"), "sources.src.retry.enabled",
                           "must be true or false, got \"maybe\""));
  EXPECT_TRUE(only_problem(load_with("circuit_breaker: {enabled: [1]}"),
                           "sources.src.circuit_breaker.enabled",
                           "must be true or false, got a list"));
}

TEST(ResilienceConfigTest, EveryServerAndCloudTypeAcceptsTheKeys) {
  const auto r = load(
      "sources:\n"
      "  pg: {type: postgres, host: h, database: d, username: u, password: 12345678,\n"
      "       circuit_breaker: {failure_threshold: 2}, retry: {max_attempts: 1}}\n"
      "  bq: {type: bigquery, project: my-project, dataset: ds, retry: {enabled: false}}\n"
      "  src: {type: duckdb, path: ':memory:', circuit_breaker: {enabled: false}}\n" +
      std::string(testing::kValidRule));
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(r.config->sources.at("pg").circuit_breaker.failure_threshold, 2);
  EXPECT_EQ(r.config->sources.at("pg").retry.max_attempts, 1);
  EXPECT_FALSE(r.config->sources.at("bq").retry.enabled);
  EXPECT_FALSE(r.config->sources.at("src").circuit_breaker.enabled);
}

TEST(ResilienceConfigTest, BreakerRanges) {
  struct Case {
    const char* key;
    const char* value;
    const char* message;
  };
  const Case cases[] = {
      {"failure_threshold", "0", "must be between 1 and 100, got 0"},
      {"failure_threshold", "101", "must be between 1 and 100, got 101"},
      {"success_threshold", "0", "must be between 1 and 100, got 0"},
      {"reset_timeout_ms", "999", "must be between 1000 and 3600000, got 999"},
      {"reset_timeout_ms", "3600001", "must be between 1000 and 3600000, got 3600001"},
      {"half_open_max_calls", "0", "must be between 1 and 100, got 0"},
      {"window_size", "1001", "must be between 1 and 1000, got 1001"},
      {"minimum_calls", "0", "must be between 1 and 1000, got 0"},
      {"failure_rate_threshold", "0", "must be between 1 and 100, got 0"},
      {"failure_rate_threshold", "ten", "must be an integer, got \"ten\""},
      {"mode", "rate", "must be one of consecutive, failure_rate, got \"rate\""},
  };
  for (const auto& c : cases) {
    const auto r = load_with("circuit_breaker:\n  " + std::string(c.key) + ": " + c.value + "\n");
    EXPECT_TRUE(only_problem(r, "sources.src.circuit_breaker." + std::string(c.key), c.message))
        << c.key << "=" << c.value;
  }
}

TEST(ResilienceConfigTest, MinimumCallsFitsTheWindow) {
  EXPECT_TRUE(only_problem(load_with("circuit_breaker: {window_size: 10, minimum_calls: 11}"),
                           "sources.src.circuit_breaker.minimum_calls",
                           "must be at most window_size (10), got 11"));
  // The default minimum (10) follows a smaller window down.
  EXPECT_EQ(source_with("circuit_breaker: {window_size: 4}").circuit_breaker.minimum_calls, 4);
}

TEST(ResilienceConfigTest, RetryRanges) {
  struct Case {
    const char* key;
    const char* value;
    const char* message;
  };
  const Case cases[] = {
      {"max_attempts", "0", "must be between 1 and 10, got 0"},
      {"max_attempts", "11", "must be between 1 and 10, got 11"},
      {"base_delay_ms", "9", "must be between 10 and 60000, got 9"},
      {"base_delay_ms", "60001", "must be between 10 and 60000, got 60001"},
      {"max_delay_ms", "300001", "must be between 10 and 300000, got 300001"},
      {"multiplier", "0.99", "must be between 1.0 and 10.0, got 0.99"},
      {"multiplier", "10.5", "must be between 1.0 and 10.0, got 10.5"},
      {"multiplier", "two", "must be a number, got \"two\""},
      {"multiplier", "\"\"", "must be a number, got \"\""},
      {"multiplier", "2x", "must be a number, got \"2x\""},
      {"multiplier", ".nan", "must be a number, got \".nan\""},
      {"multiplier", "[2]", "must be a number, got a list"},
      {"jitter", "half", "must be one of full, proportional, none, got \"half\""},
  };
  for (const auto& c : cases) {
    const auto r = load_with("retry:\n  " + std::string(c.key) + ": " + c.value + "\n");
    EXPECT_TRUE(only_problem(r, "sources.src.retry." + std::string(c.key), c.message))
        << c.key << "=" << c.value;
  }
}

TEST(ResilienceConfigTest, MaxDelayIsAtLeastBaseDelay) {
  EXPECT_TRUE(only_problem(load_with("retry: {base_delay_ms: 1000, max_delay_ms: 500}"),
                           "sources.src.retry.max_delay_ms",
                           "must be at least base_delay_ms (1000), got 500"));
  // The default cap (5000) rises to a larger base delay.
  EXPECT_EQ(source_with("retry: {base_delay_ms: 10000}").retry.max_delay_ms, 10000);
  EXPECT_EQ(source_with("retry: {base_delay_ms: 200}").retry.max_delay_ms, 5000);
}

TEST(ResilienceConfigTest, SectionsMustBeMaps) {
  EXPECT_TRUE(only_problem(load_with("circuit_breaker: true"), "sources.src.circuit_breaker",
                           "must be a map of settings, got \"true\""));
  EXPECT_TRUE(only_problem(load_with("retry: [1, 2]"), "sources.src.retry",
                           "must be a map of settings, got a list"));
  EXPECT_TRUE(loads(load_with("retry:\n")));  // empty: defaults
}

TEST(ResilienceConfigTest, UnknownKeysAreReportedWithASuggestion) {
  EXPECT_TRUE(only_problem(load_with("circuit_breaker: {failure_treshold: 3}"),
                           "sources.src.circuit_breaker.failure_treshold",
                           "unknown key 'failure_treshold'; did you mean 'failure_threshold'?"));
  EXPECT_TRUE(only_problem(load_with("retry: {max_attempt: 3}"), "sources.src.retry.max_attempt",
                           "unknown key 'max_attempt'; did you mean 'max_attempts'?"));
}

TEST(ResilienceConfigTest, ValuesFromTheEnvironment) {
  const auto r = load(source_doc(std::string(kSqlite) +
                                 "retry: {max_attempts: \"${ATTEMPTS}\"}\n"
                                 "circuit_breaker: {reset_timeout_ms: \"${RESET:-5000}\"}\n"),
                      {{"ATTEMPTS", "5"}});
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(r.config->sources.at("src").retry.max_attempts, 5);
  EXPECT_EQ(r.config->sources.at("src").circuit_breaker.reset_timeout_ms, 5000);
  EXPECT_TRUE(has_problem(load(source_doc(std::string(kSqlite) + "retry: {jitter: \"${J}\"}\n")),
                          "sources.src.retry.jitter", "J"));
}

TEST(ResilienceConfigTest, ReadEvenWhenTheTypeIsMissing) {
  // Problems in the resilience sections are reported together with a missing type.
  const auto r = load(source_doc("path: x.db\nretry: {max_attempts: 0}\n"));
  EXPECT_TRUE(has_problem(r, "sources.src.type", "is required"));
  EXPECT_TRUE(has_problem(r, "sources.src.retry.max_attempts", "must be between 1 and 10"));
}

}  // namespace
}  // namespace freshguard::config
