#pragma once
/// Alerts: what `serve` tells people when a rule's status changes.
///
/// AlertTracker turns the stream of check results into notifications: ok -> alert is an
/// `alert`, anything -> error is an `error`, alert/error -> ok is a `recovery` (sent only
/// when the alert or error it resolves was sent). A rule that stays in the same state is
/// never notified twice (de-duplication), and with a cooldown a rule that has just been
/// notified is not notified of a new alert or error again until the cooldown has passed
/// (flapping). A rule's first result counts as a change from ok.
///
/// Dispatcher delivers notifications to every sink on its own thread, so a slow or dead
/// sink never blocks a check: enqueue() only appends to a bounded queue. A failed delivery
/// is retried with capped exponential backoff, every failure logged (sink name and error,
/// never the URL: it may be a secret); after the last attempt it is dropped with an error
/// log. Sinks: make_sink() (webhook, slack, pagerduty, command).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <freshguard/config/config.hpp>
#include <freshguard/core/check_result.hpp>
#include <freshguard/core/clock.hpp>

namespace freshguard::alerts {

enum class AlertKind { kAlert, kRecovery, kError };
/// "alert", "recovery", "error".
std::string_view to_string(AlertKind k) noexcept;

/// One notification. Text fields are already redacted.
struct AlertEvent {
  AlertKind kind = AlertKind::kAlert;
  std::string rule_id;
  RuleType type = RuleType::kFreshness;
  std::string source;
  std::string table;
  CheckStatus status = CheckStatus::kOk;
  CheckStatus previous_status = CheckStatus::kOk;
  Severity severity = Severity::kNone;
  std::string message;
  std::optional<std::int64_t> lag_seconds;
  std::optional<std::int64_t> row_count;
  std::optional<std::string> error_code;
  WallTime checked_at{};
  /// Stable per rule ("freshguard/<rule_id>"): PagerDuty resolves what it triggered.
  std::string dedup_key;
};

/// The generic webhook body (JSON object with the fields above; `kind` as "event").
std::string to_json(const AlertEvent& e);
/// Slack incoming-webhook body: {"text": ...}.
std::string to_slack_json(const AlertEvent& e);
/// PagerDuty Events API v2 body: trigger for alert/error, resolve for recovery.
std::string to_pagerduty_json(const AlertEvent& e, const std::string& routing_key);

/// Where notifications go. deliver() is called from the dispatcher thread only; it throws
/// any std::exception on failure (the dispatcher retries).
class AlertSink {
 public:
  virtual ~AlertSink() = default;
  virtual const std::string& name() const noexcept = 0;
  virtual void deliver(const AlertEvent& e) = 0;
};

/// Builds the sink `config` describes. HTTP sinks use cpp-httplib (http:// and https://,
/// 5 s to connect, 10 s to answer; any non-2xx status is a failure). A command sink runs
/// `/bin/sh -c command` with the generic JSON on stdin; a non-zero exit, or running over
/// 10 s (then it is killed), is a failure. Throws ConfigError for an unknown type.
std::unique_ptr<AlertSink> make_sink(const config::AlertSinkConfig& config);

/// PagerDuty's Events API v2 endpoint, used when a pagerduty sink sets no `url`.
inline constexpr std::string_view kPagerDutyEndpoint = "https://events.pagerduty.com/v2/enqueue";

/// Status-change detection with de-duplication and cooldown. Not thread-safe (the daemon
/// calls it under its own lock). Memory: one small entry per rule id seen.
class AlertTracker {
 public:
  explicit AlertTracker(std::chrono::minutes cooldown = std::chrono::minutes(0))
      : cooldown_(cooldown) {}
  void set_cooldown(std::chrono::minutes cooldown) { cooldown_ = cooldown; }
  /// The notification `result` calls for, if any. `now` is steady time for the cooldown.
  std::optional<AlertEvent> observe(const CheckResult& result, SteadyTime now);
  /// Forgets rules not in `keep` (after a reload removed them).
  void retain(const std::vector<std::string>& keep);

 private:
  struct State {
    CheckStatus status = CheckStatus::kOk;
    bool open = false;  // an alert or error was sent and not yet resolved
    std::optional<SteadyTime> last_notified;
  };
  std::chrono::minutes cooldown_;
  std::map<std::string, State> rules_;
};

struct DispatcherOptions {
  /// Attempts per sink and event, the first included. Default 5; at least 1.
  int max_attempts = 5;
  /// Pause before the first retry, doubled for each further one up to max_delay.
  std::chrono::milliseconds base_delay{1000};
  std::chrono::milliseconds max_delay{60000};
  /// Deliveries waiting at most; beyond it the oldest is dropped (logged). Default 1000.
  std::size_t queue_capacity = 1000;
};

/// Delivery counters, for metrics and tests.
struct DispatcherStats {
  std::uint64_t delivered = 0;
  std::uint64_t failed_attempts = 0;
  std::uint64_t dropped = 0;  ///< gave up after max_attempts, or the queue was full
  std::size_t queued = 0;
};

class Dispatcher {
 public:
  /// Starts the delivery thread. `clock` (steady time) must outlive the dispatcher.
  Dispatcher(DispatcherOptions options, const Clock& clock = SystemClock::instance());
  /// Stops at once: pending deliveries are dropped (use drain() first to wait for them).
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  /// Replaces the sinks (after a reload). Deliveries already queued keep their sink.
  void set_sinks(std::vector<std::shared_ptr<AlertSink>> sinks);
  /// Queues `e` for every sink. Never blocks on delivery.
  void enqueue(const AlertEvent& e);
  /// Waits up to `limit` for the queue to empty; true when it did.
  bool drain(std::chrono::milliseconds limit);
  DispatcherStats stats() const;

 private:
  struct Job {
    AlertEvent event;
    std::shared_ptr<AlertSink> sink;
    int attempt = 0;
    SteadyTime not_before{};
  };
  void loop();
  void attempt(Job job);

  DispatcherOptions options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::shared_ptr<AlertSink>> sinks_;
  std::deque<Job> queue_;
  bool busy_ = false;
  bool stop_ = false;
  DispatcherStats stats_;
  std::jthread thread_;
};

}  // namespace freshguard::alerts
