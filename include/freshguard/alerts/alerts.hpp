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
/// Dispatcher delivers notifications with one bounded queue and one worker thread per sink,
/// so a slow or dead sink delays only its own deliveries and never a check: enqueue() only
/// appends. A failed delivery is retried with capped exponential backoff, every failure
/// logged (sink name and error, never the URL: it may be a secret); after the last attempt
/// it is dropped with an error log. Sinks: make_sink() (webhook, slack, pagerduty, command).
///
/// Text meant for people (Slack text, PagerDuty summary) shows control characters escaped
/// (`\x1b`), and Slack text is escaped as Slack documents (`&amp;` `&lt;` `&gt;`), so a
/// table name such as `<!channel>` is shown, never acted on.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
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
/// Slack incoming-webhook body: {"text": ...}. The text escapes `&`, `<`, `>` (Slack's
/// control characters: `<!channel>` and `<url|label>` from a table name stay inert) and shows
/// control characters as `\xHH` (a newline is kept in the message, nowhere else).
std::string to_slack_json(const AlertEvent& e);
/// PagerDuty Events API v2 body: trigger for alert/error, resolve for recovery. Summary,
/// source, component and group show control characters as `\xHH`; custom_details is the
/// generic body, exact (JSON-escaped).
std::string to_pagerduty_json(const AlertEvent& e, const std::string& routing_key);

/// Where notifications go. deliver() is called from one dispatcher thread at a time (the
/// sink's own worker); it throws any std::exception on failure (the dispatcher retries).
/// name() keys the sink's queue and counters in the Dispatcher.
class AlertSink {
 public:
  virtual ~AlertSink() = default;
  virtual const std::string& name() const noexcept = 0;
  virtual void deliver(const AlertEvent& e) = 0;
};

/// How long one delivery attempt of an HTTP sink may take. The defaults suit production;
/// tests shorten them.
struct SinkOptions {
  /// To open the connection (TCP, and TLS for https). Default 5 s.
  std::chrono::milliseconds connect_timeout{5000};
  /// Longest wait for the receiver to take or send the next bytes. Default 10 s.
  std::chrono::milliseconds io_timeout{10000};
  /// The whole attempt, however the receiver trickles its bytes: past it the connection is
  /// shut down and the attempt fails. Default 20 s.
  std::chrono::milliseconds attempt_timeout{20000};
};

/// Builds the sink `config` describes. HTTP sinks use cpp-httplib (http:// and https://,
/// timeouts from `options`; any non-2xx status is a failure). A command sink runs
/// `/bin/sh -c command` with the generic JSON on stdin; a non-zero exit, or running over
/// 10 s (then it is killed), is a failure. Throws ConfigError for an unknown type or a URL
/// without a scheme.
std::unique_ptr<AlertSink> make_sink(const config::AlertSinkConfig& config,
                                     const SinkOptions& options = {});

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
  /// Deliveries waiting per sink at most; beyond it that sink's oldest waiting delivery is
  /// dropped (logged, counted in `overflowed` and `dropped`). Default 1000; at least 1.
  std::size_t queue_capacity = 1000;
};

/// One sink's delivery counters. Counters only grow, also after a reload removed the sink.
struct SinkStats {
  std::uint64_t delivered = 0;
  std::uint64_t failed_attempts = 0;
  std::uint64_t dropped = 0;     ///< gave up after max_attempts, or pushed out of a full queue
  std::uint64_t overflowed = 0;  ///< of `dropped`: pushed out of a full queue
  std::size_t queued = 0;        ///< waiting now (not counting one being attempted)
};

/// Delivery counters, for metrics and tests: totals over every sink, and per sink name.
struct DispatcherStats {
  std::uint64_t delivered = 0;
  std::uint64_t failed_attempts = 0;
  std::uint64_t dropped = 0;  ///< gave up after max_attempts, or the queue was full
  std::size_t queued = 0;
  std::map<std::string, SinkStats> sinks;
};

/// Delivers every enqueued event to every sink. Each sink name has its own queue (bounded by
/// queue_capacity), its own worker thread and its own retries, so a dead sink (each attempt
/// ending only at its timeout) delays its own deliveries and nobody else's. Thread-safe.
class Dispatcher {
 public:
  /// `clock` (steady time, for backoff) must outlive the dispatcher. Starts no thread until
  /// set_sinks() gives it sinks.
  Dispatcher(DispatcherOptions options, const Clock& clock = SystemClock::instance());
  /// Stops: waiting deliveries are dropped (use drain() first to wait for them); waits for
  /// attempts in flight, each bounded by its sink's timeouts, all in parallel.
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  /// Replaces the sinks (after a reload); sinks are matched by name. Deliveries already
  /// queued keep their sink; a sink no longer listed finishes its queue, then its worker ends.
  void set_sinks(std::vector<std::shared_ptr<AlertSink>> sinks);
  /// Queues `e` for every sink. Never blocks on delivery.
  void enqueue(const AlertEvent& e);
  /// Waits up to `limit` for every queue to empty and every attempt to end; true when so.
  bool drain(std::chrono::milliseconds limit);
  DispatcherStats stats() const;

 private:
  struct Job;
  struct Lane;
  Lane& lane_for(const std::string& name);  // requires mu_
  void run(Lane& lane);
  void attempt(Lane& lane, Job job);

  DispatcherOptions options_;
  const Clock& clock_;
  mutable std::mutex mu_;
  std::condition_variable idle_;  // notified when a lane finishes an attempt or ends
  std::vector<std::shared_ptr<AlertSink>> sinks_;
  std::map<std::string, std::unique_ptr<Lane>> lanes_;
  bool stop_ = false;
};

}  // namespace freshguard::alerts
