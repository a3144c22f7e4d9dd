#pragma once
/// Retries a call whose error is transient, with capped exponential backoff and jitter,
/// inside one deadline that spans every attempt.
///
/// Classification is by the error's flags, never by its message: only a freshguard::Error
/// with transient() == true is retried (connectors set the flag from driver codes: SQLSTATE
/// class 08, 57P01-57P03, 53300, 40001, 40P01, timeouts; MySQL 2002/2003/2006/2013/1040;
/// HTTP 429/5xx). Anything else (auth, permission, missing table or column, syntax, security
/// and config errors, exceptions that are not freshguard::Error) propagates at once.
///
/// Backoff after failed attempt n (1-based): capped = min(base_delay * multiplier^(n-1),
/// max_delay), then jitter: kFull (default) draws uniformly from [0, capped) ("full jitter",
/// which spreads out clients that failed together); kProportional draws from capped * [0.8,
/// 1.2) and clamps to max_delay; kNone uses capped as is.
///
/// Deadline: a retry starts only if its backoff plus the duration of the attempt that just
/// failed (the estimate of what the next one needs) ends before the deadline. When the
/// deadline stops the retries, the last attempt's error is rethrown unchanged: it is the
/// real cause (a TimeoutError when the attempt itself ran out of time), and the deadline only
/// withheld further attempts. An attempt that succeeds after the deadline still returns.
///
/// Thread-safe: one policy may run calls from many threads at once.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include <freshguard/core/error.hpp>
#include <freshguard/core/random.hpp>
#include <freshguard/resilience/deadline.hpp>
#include <freshguard/resilience/sleeper.hpp>

namespace freshguard::resilience {

enum class Jitter { kFull, kProportional, kNone };
/// "full", "proportional", "none".
std::string_view to_string(Jitter j) noexcept;

struct RetryOptions {
  /// Attempts in all, the first included; 1 disables retrying. Default 3; at least 1.
  int max_attempts = 3;
  /// Backoff after the first failure, before jitter. Default 100 ms; not negative.
  std::chrono::milliseconds base_delay{100};
  /// Growth of the backoff per attempt. Default 2; at least 1.
  double multiplier = 2.0;
  /// Cap on any backoff. Default 5000 ms; at least base_delay.
  std::chrono::milliseconds max_delay{5000};
  Jitter jitter = Jitter::kFull;
};

/// Throws ConfigError naming the first option out of its range.
void validate(const RetryOptions& options);

/// True when the policy retries `e`: a freshguard::Error flagged transient.
bool is_retryable(const std::exception& e) noexcept;

/// Counters for metrics, totals since construction.
struct RetryCounters {
  std::uint64_t calls = 0;           ///< execute() calls
  std::uint64_t retries = 0;         ///< attempts after the first
  std::uint64_t exhausted = 0;       ///< calls that failed on their last allowed attempt
  std::uint64_t deadline_stops = 0;  ///< calls whose retries the deadline cut short
  std::uint64_t not_retryable = 0;   ///< calls that ended on an error that is not retried
};

/// Called before each backoff sleep: the attempt that failed (1-based), its error, the pause.
using RetryListener =
    std::function<void(int failed_attempt, const Error& error, std::chrono::microseconds pause)>;

class RetryPolicy {
 public:
  /// Throws ConfigError when `options` are invalid. `sleeper` and `random` must outlive the
  /// policy.
  RetryPolicy(RetryOptions options, Sleeper& sleeper, Random& random,
              RetryListener listener = nullptr);

  /// The backoff before jitter after `failed_attempts` failures (>= 1).
  std::chrono::microseconds capped_delay(int failed_attempts) const;
  /// The backoff with jitter (draws from the Random source unless jitter is kNone).
  std::chrono::microseconds backoff(int failed_attempts);

  /// Runs `attempt` until it returns, retrying transient errors within max_attempts and
  /// `deadline` (whose clock also times the attempts). Rethrows the last error, unchanged.
  void execute(const std::function<void()>& attempt, const Deadline& deadline);

  /// execute() for a function returning a value.
  template <class F>
  std::invoke_result_t<F&> call(F&& f, const Deadline& deadline) {
    using R = std::invoke_result_t<F&>;
    if constexpr (std::is_void_v<R>) {
      execute([&f] { f(); }, deadline);
    } else {
      std::optional<R> out;
      execute([&f, &out] { out.emplace(f()); }, deadline);
      return std::move(*out);
    }
  }

  RetryCounters counters() const noexcept;
  const RetryOptions& options() const noexcept { return options_; }

 private:
  /// True when another attempt should follow failed attempt `n`; sleeps its backoff first.
  bool prepare_retry(int n, const Error& error, std::chrono::microseconds took,
                     const Deadline& deadline);

  RetryOptions options_;
  Sleeper& sleeper_;
  Random& random_;
  RetryListener listener_;
  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::uint64_t> retries_{0};
  std::atomic<std::uint64_t> exhausted_{0};
  std::atomic<std::uint64_t> deadline_stops_{0};
  std::atomic<std::uint64_t> not_retryable_{0};
};

}  // namespace freshguard::resilience
