#pragma once
/// The schedule of `serve`: when each rule runs next, and which due rules may start now.
///
/// Pure logic over injected time (steady clock) and chance: it never sleeps and starts no
/// thread; the daemon asks take_due() what to start, reports finish(), and waits until
/// next_due(). Guarantees: a rule never runs twice at once; at most max_concurrent rules
/// run in total and at most max_per_source per source; due rules start oldest-due first.
///
/// Timing: a new rule first runs at now + U*jitter*interval (U uniform in [0,1)), spreading
/// a fresh start. After a run, the next is due at the previous due time + interval +
/// U*jitter*interval; a run that overran (or waited for a slot) is not caught up: when that
/// time has passed, the rule is due at once, once.
///
/// Not thread-safe: the daemon holds its lock around every call.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <freshguard/core/clock.hpp>
#include <freshguard/core/random.hpp>

namespace freshguard::daemon {

struct SchedulerOptions {
  /// Rules running at once. Default 8; at least 1.
  int max_concurrent = 8;
  /// Rules of one source running at once. Default 4; at least 1.
  int max_per_source = 4;
  /// Share of the interval added at random to each due time, in [0, 1]. Default 0.1.
  double jitter = 0.1;
};

struct ScheduledRule {
  std::string id;
  std::string source;
  std::chrono::microseconds interval{std::chrono::minutes(5)};  ///< > 0
};

class Scheduler {
 public:
  /// Throws std::invalid_argument for options out of range. `random` must outlive it.
  Scheduler(SchedulerOptions options, Random& random);

  /// Replaces the rule set. A rule kept with the same source and interval keeps its next
  /// due time; a changed or new one is scheduled as new. A removed rule that is running
  /// finishes but is not run again.
  void set_rules(const std::vector<ScheduledRule>& rules, SteadyTime now);

  /// Ids of the rules to start now (due, within the limits), each marked running.
  std::vector<std::string> take_due(SteadyTime now);
  /// `id` finished running at `now` (no effect for an unknown id or one not running).
  void finish(const std::string& id, SteadyTime now);

  /// The earliest due time among rules not running; nullopt when there is none. A time
  /// not after `now` with nothing startable means: wait for a finish().
  std::optional<SteadyTime> next_due() const;
  int running() const noexcept { return running_; }
  bool is_running(const std::string& id) const;
  /// When `id` is due next; nullopt when unknown.
  std::optional<SteadyTime> due_time(const std::string& id) const;
  std::size_t size() const noexcept { return rules_.size(); }

 private:
  struct Entry {
    std::string source;
    std::chrono::microseconds interval{0};
    SteadyTime due{};
    bool running = false;
    std::string running_source;  // the source whose slot a running rule holds
    bool removed = false;        // dropped by set_rules while running
    bool rescheduled = false;    // changed by set_rules while running: due already set
  };
  std::chrono::microseconds jitter(std::chrono::microseconds interval);

  SchedulerOptions options_;
  Random& random_;
  std::map<std::string, Entry> rules_;
  std::map<std::string, int> per_source_;
  int running_ = 0;
};

}  // namespace freshguard::daemon
