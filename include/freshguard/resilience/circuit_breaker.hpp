#pragma once
/// A circuit breaker per source: when a database keeps failing, calls fail fast with a clear
/// error instead of piling up on it, and a few probe calls find out when it is back.
///
/// States: CLOSED (calls pass; failures are counted) -> OPEN (every call is rejected at once
/// with CircuitOpenError) -> after reset_timeout HALF_OPEN (up to half_open_max_calls probe
/// calls at a time pass; the rest are rejected) -> CLOSED after success_threshold probe
/// successes, or back to OPEN on the first probe failure.
///
/// Two ways to trip while CLOSED (BreakerMode):
/// - kConsecutive (default): failure_threshold failures in a row (a success resets the run).
/// - kFailureRate: over the last window_size counted calls (a count-based sliding window, as
///   in resilience4j and Polly), once at least minimum_calls are in the window and the share
///   of failures is >= failure_rate_threshold percent.
///
/// What counts (classify): a freshguard::Error with code CONNECTION_FAILED or TIMEOUT, or
/// any Error flagged transient, is a failure. Everything else says nothing about the
/// database's health and is neither a success nor a failure: SECURITY_VIOLATION,
/// CONFIG_INVALID, non-transient QUERY_FAILED (missing table, syntax, permission),
/// MONITORING_FAILED, and exceptions that are not freshguard::Error.
///
/// The open period is fixed when the breaker opens: rejected calls never extend it, and the
/// outcome of a call that started before a state change (a slow call finishing after the
/// breaker opened) is counted in the totals but does not move the state.
///
/// Thread-safe: every method may be called from any thread. The wrapped function runs
/// without the breaker's lock held. Time comes from the injected Clock (steady clock for
/// the open period, wall clock only to print "until" in messages).

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include <freshguard/core/clock.hpp>
#include <freshguard/core/error.hpp>

namespace freshguard::resilience {

enum class CircuitState { kClosed, kOpen, kHalfOpen };
/// "closed", "open", "half_open".
std::string_view to_string(CircuitState s) noexcept;

enum class BreakerMode { kConsecutive, kFailureRate };
/// "consecutive", "failure_rate".
std::string_view to_string(BreakerMode m) noexcept;

struct CircuitBreakerOptions {
  /// The source the breaker guards; named in every rejection message.
  std::string name = "source";
  BreakerMode mode = BreakerMode::kConsecutive;
  /// kConsecutive: failures in a row that open the breaker. Default 5; at least 1.
  int failure_threshold = 5;
  /// Probe successes in HALF_OPEN that close it again. Default 3; at least 1.
  int success_threshold = 3;
  /// How long the breaker stays OPEN before letting probes through. Default 60 s; > 0.
  std::chrono::milliseconds reset_timeout{60000};
  /// Probe calls allowed in flight at once in HALF_OPEN. Default 1, so a recovering
  /// database sees one call at a time from this source; at least 1.
  int half_open_max_calls = 1;
  /// kFailureRate: how many of the latest counted calls are judged. Default 20; at least 1.
  int window_size = 20;
  /// kFailureRate: calls needed in the window before it can trip. Default 10; 1..window_size.
  int minimum_calls = 10;
  /// kFailureRate: failure share, in percent, that trips it. Default 50; 1..100.
  int failure_rate_threshold = 50;
};

/// Throws ConfigError naming the first option out of its range.
void validate(const CircuitBreakerOptions& options);

/// A call rejected by an OPEN (or busy HALF_OPEN) breaker: code CONNECTION_FAILED,
/// transient (the same call may succeed later), message naming the source and until when
/// calls fail fast. The call never reached the database.
class CircuitOpenError : public ConnectionError {
 public:
  CircuitOpenError(const std::string& message, std::string source)
      : ConnectionError(message, true), source_(std::move(source)) {}
  const std::string& source() const noexcept { return source_; }

 private:
  std::string source_;
};

/// How one call ended, as the breaker counts it.
enum class Outcome { kSuccess, kFailure, kIgnored };

/// kFailure or kIgnored for an exception a call threw (see the header comment).
Outcome classify(const std::exception& e) noexcept;

/// Counters and state for metrics. Totals count every call since construction.
struct CircuitBreakerSnapshot {
  CircuitState state = CircuitState::kClosed;
  int consecutive_failures = 0;  ///< current run of failures (kConsecutive, CLOSED)
  int window_calls = 0;          ///< calls in the sliding window (kFailureRate, CLOSED)
  int window_failures = 0;       ///< failures among them
  int half_open_successes = 0;   ///< probe successes so far (HALF_OPEN)
  int half_open_in_flight = 0;   ///< probes running now (HALF_OPEN)
  std::uint64_t successes = 0;   ///< calls that returned
  std::uint64_t failures = 0;    ///< calls that failed in a counted way
  std::uint64_t ignored = 0;     ///< calls that failed in a way that is not counted
  std::uint64_t rejected = 0;    ///< calls refused without running
  std::uint64_t times_opened = 0;
  /// OPEN: time left before probes are let through; zero otherwise.
  std::chrono::milliseconds open_remaining{0};
};

/// Called after every state change, outside the breaker's lock, on the thread that caused it.
using StateListener = std::function<void(CircuitState from, CircuitState to)>;

class CircuitBreaker {
 public:
  /// Throws ConfigError when `options` are invalid. `clock` must outlive the breaker.
  CircuitBreaker(CircuitBreakerOptions options, const Clock& clock,
                 StateListener listener = nullptr);
  ~CircuitBreaker();
  CircuitBreaker(const CircuitBreaker&) = delete;
  CircuitBreaker& operator=(const CircuitBreaker&) = delete;

  /// Runs `f` when the breaker allows it and counts how it ended. Throws CircuitOpenError
  /// without running `f` when the breaker rejects the call; otherwise rethrows whatever `f`
  /// throws, unchanged.
  void execute(const std::function<void()>& f);

  /// execute() for a function returning a value.
  template <class F>
  std::invoke_result_t<F&> call(F&& f) {
    using R = std::invoke_result_t<F&>;
    if constexpr (std::is_void_v<R>) {
      execute([&f] { f(); });
    } else {
      std::optional<R> out;
      execute([&f, &out] { out.emplace(f()); });
      return std::move(*out);
    }
  }

  /// The current state (an OPEN breaker whose reset timeout has passed reports HALF_OPEN).
  CircuitState state() const;
  CircuitBreakerSnapshot snapshot() const;
  const CircuitBreakerOptions& options() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace freshguard::resilience
