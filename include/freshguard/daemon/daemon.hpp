#pragma once
/// The engine of `freshguard serve`: runs every rule on its schedule, records each result in
/// the metadata store, keeps the last result per rule, sends alerts on status changes, and
/// renders the status API and the Prometheus metrics.
///
/// Threads: one scheduling thread (waits until the next rule is due or something changes)
/// and max_concurrent worker threads that run checks; alerts are delivered by the
/// Dispatcher, one worker per sink, so a slow sink never delays a check or another sink. One
/// connector (with its pool and circuit breaker) per source is shared by that source's checks.
///
/// reload() swaps in a new configuration atomically: checks already running finish on the
/// old connectors, new checks use the new ones (breakers and pools start afresh), rules
/// that keep their id, source and interval keep their schedule. The metadata store and the
/// listen address stay those of the start (a changed `metadata:` section is logged as
/// needing a restart).
///
/// Thread-safe: every public method may be called from any thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <freshguard/alerts/alerts.hpp>
#include <freshguard/config/config.hpp>
#include <freshguard/core/clock.hpp>
#include <freshguard/core/random.hpp>
#include <freshguard/daemon/scheduler.hpp>
#include <freshguard/metadata/store.hpp>

namespace freshguard::daemon {

struct DaemonOptions {
  SchedulerOptions scheduler;
  /// Runs every rule at this interval instead of its check_interval_minutes (tests and
  /// demos: `serve --interval-override-seconds`). nullopt: the configured intervals.
  std::optional<std::chrono::milliseconds> interval_override;
  alerts::DispatcherOptions dispatcher;
  /// Injected time and chance; nullptr means the system's. Must outlive the daemon.
  const Clock* clock = nullptr;
  Random* random = nullptr;
};

class Daemon {
 public:
  /// Takes the loaded config and the opened store (not null). Starts nothing yet.
  Daemon(config::Config config, std::unique_ptr<MetadataStore> store, DaemonOptions options);
  /// Stops without a grace period when still running (joins the threads).
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  /// Starts the scheduling and worker threads. Call once.
  void start();
  /// Replaces the configuration (already validated).
  void reload(config::Config config);
  /// Counts a reload that was refused (an invalid new config; the caller logs why).
  void reload_failed();
  /// Starts no further check, waits up to `grace` for the running ones to finish and
  /// record, then waits (within what is left of `grace`) for queued alerts. True when every
  /// running check finished in time; false leaves the late ones running (the caller exits).
  bool stop(std::chrono::milliseconds grace);

  /// Ready: a config is loaded and the metadata store answers. Otherwise false, with the
  /// reason in `why` (safe to show).
  bool ready(std::string* why) const;
  /// `/api/v1/status`: {"generated_at", "results": [last result of every rule that has run,
  /// as in `check --format json`, in config order], "pending": [ids not run yet]}.
  std::string status_json() const;
  /// `/api/v1/rules/{id}/history`: {"rule_id", "executions": [...]} as in `history --format
  /// json`, newest first; nullopt when no configured rule has this id. Throws MetadataError.
  std::optional<std::string> history_json(const std::string& rule_id, int limit) const;
  /// `/metrics`: the Prometheus text exposition (see docs/configuration.md for the list).
  std::string metrics_text() const;
  /// Checks completed since start (for tests and logs).
  std::uint64_t checks_completed() const;
  /// Alert delivery counters.
  alerts::DispatcherStats alert_stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace freshguard::daemon
