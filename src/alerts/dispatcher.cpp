// Dispatcher: one bounded queue and one worker thread per sink, so a dead sink delays only
// itself. All state sits under one mutex (held only to move jobs and count); each lane
// waits on its own condition variable.

#include <algorithm>
#include <deque>
#include <exception>
#include <thread>

#include <freshguard/alerts/alerts.hpp>
#include <freshguard/observability/logger.hpp>

namespace freshguard::alerts {

struct Dispatcher::Job {
  AlertEvent event;
  std::shared_ptr<AlertSink> sink;
  int attempt = 0;
  SteadyTime not_before{};
};

struct Dispatcher::Lane {
  std::deque<Job> queue;
  bool busy = false;     // an attempt is in flight (its job is out of the queue)
  bool retired = false;  // the sink left with a reload: the worker ends once the queue is empty
  bool exited = false;   // the worker has returned (joining it does not wait)
  SinkStats stats;
  std::condition_variable cv;
  std::jthread worker;  // last: joined before the rest is destroyed
};

namespace {

// Longest a worker sleeps before looking at the clock again (the clock may be a manual one).
constexpr std::chrono::milliseconds kPollPeriod{50};

void log_failure(const std::string& sink, const AlertEvent& e, int attempt, bool final,
                 const std::string& what) {
  obs::logger().log({.level = final ? obs::LogLevel::kError : obs::LogLevel::kWarn,
                     .component = "alerts",
                     .action = final ? "alert.dropped" : "alert.retry",
                     .source = e.source,
                     .table = e.table,
                     .error = what,
                     .message = "delivery of " + std::string(to_string(e.kind)) + " for rule " +
                                e.rule_id + " to sink " + sink + " failed (attempt " +
                                std::to_string(attempt) + ")",
                     .fields = {{"rule_id", e.rule_id}, {"sink", sink}}});
}

void log_delivered(const std::string& sink, const AlertEvent& e) {
  obs::logger().log({.level = obs::LogLevel::kInfo,
                     .component = "alerts",
                     .action = "alert.delivered",
                     .source = e.source,
                     .table = e.table,
                     .message = std::string(to_string(e.kind)) + " for rule " + e.rule_id +
                                " delivered to sink " + sink,
                     .fields = {{"rule_id", e.rule_id}, {"sink", sink}}});
}

}  // namespace

Dispatcher::Dispatcher(DispatcherOptions options, const Clock& clock)
    : options_(options), clock_(clock) {
  options_.max_attempts = std::max(1, options_.max_attempts);
  options_.queue_capacity = std::max<std::size_t>(1, options_.queue_capacity);
}

Dispatcher::~Dispatcher() {
  std::map<std::string, std::unique_ptr<Lane>> lanes;
  {
    const std::lock_guard lock(mu_);
    stop_ = true;
    for (auto& [name, lane] : lanes_)
      lane->cv.notify_all();
    lanes = std::move(lanes_);
  }
  lanes.clear();  // joins every worker; each finishes at most the attempt it is in
}

Dispatcher::Lane& Dispatcher::lane_for(const std::string& name) {
  auto& lane = lanes_[name];
  if (lane == nullptr) lane = std::make_unique<Lane>();
  lane->retired = false;
  if (lane->exited) {  // a sink removed earlier is back: its old worker has returned
    lane->worker.join();
    lane->exited = false;
  }
  if (!lane->worker.joinable()) {
    Lane& l = *lane;
    l.worker = std::jthread([this, &l] { run(l); });
  }
  return *lane;
}

void Dispatcher::set_sinks(std::vector<std::shared_ptr<AlertSink>> sinks) {
  const std::lock_guard lock(mu_);
  if (stop_) return;
  for (auto& [name, lane] : lanes_) {
    const bool listed = std::any_of(sinks.begin(), sinks.end(),
                                    [&n = name](const auto& s) { return s->name() == n; });
    if (!listed) {
      lane->retired = true;
      lane->cv.notify_all();
    }
  }
  for (const auto& sink : sinks)
    lane_for(sink->name());
  sinks_ = std::move(sinks);
}

void Dispatcher::enqueue(const AlertEvent& e) {
  std::vector<Job> overflow;
  {
    const std::lock_guard lock(mu_);
    if (stop_) return;
    for (const auto& sink : sinks_) {
      Lane& lane = *lanes_.at(sink->name());
      if (lane.queue.size() >= options_.queue_capacity) {
        overflow.push_back(std::move(lane.queue.front()));
        lane.queue.pop_front();
        ++lane.stats.dropped;
        ++lane.stats.overflowed;
      }
      lane.queue.push_back(Job{e, sink, 0, clock_.steady_now()});
      lane.cv.notify_all();
    }
  }
  for (const auto& job : overflow)
    log_failure(job.sink->name(), job.event, job.attempt, true, "queue full");
}

bool Dispatcher::drain(std::chrono::milliseconds limit) {
  std::unique_lock lock(mu_);
  return idle_.wait_for(lock, limit, [this] {
    return std::all_of(lanes_.begin(), lanes_.end(),
                       [](const auto& kv) { return kv.second->queue.empty() && !kv.second->busy; });
  });
}

DispatcherStats Dispatcher::stats() const {
  const std::lock_guard lock(mu_);
  DispatcherStats s;
  for (const auto& [name, lane] : lanes_) {
    SinkStats one = lane->stats;
    one.queued = lane->queue.size();
    s.delivered += one.delivered;
    s.failed_attempts += one.failed_attempts;
    s.dropped += one.dropped;
    s.queued += one.queued;
    s.sinks.emplace(name, one);
  }
  return s;
}

void Dispatcher::run(Lane& lane) {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (lane.queue.empty()) {
      if (lane.retired) break;
      lane.cv.wait(lock);
      continue;
    }
    // The job whose time has come first (retries wait for their backoff).
    auto next =
        std::min_element(lane.queue.begin(), lane.queue.end(),
                         [](const Job& a, const Job& b) { return a.not_before < b.not_before; });
    const auto wait = next->not_before - clock_.steady_now();
    if (wait > std::chrono::nanoseconds(0)) {
      lane.cv.wait_for(lock, std::min<std::chrono::nanoseconds>(wait, kPollPeriod));
      continue;
    }
    Job job = std::move(*next);
    lane.queue.erase(next);
    lane.busy = true;
    lock.unlock();
    attempt(lane, std::move(job));
    lock.lock();
    lane.busy = false;
    idle_.notify_all();
  }
  lane.exited = true;
  idle_.notify_all();
}

void Dispatcher::attempt(Lane& lane, Job job) {
  ++job.attempt;
  std::string error;
  try {
    job.sink->deliver(job.event);
  } catch (const std::exception& ex) {
    error = ex.what();
    if (error.empty()) error = "delivery failed";
  } catch (...) {
    error = "delivery failed (unknown exception)";
  }
  if (error.empty()) {
    {
      const std::lock_guard lock(mu_);
      ++lane.stats.delivered;
    }
    log_delivered(job.sink->name(), job.event);
    return;
  }
  const bool final = job.attempt >= options_.max_attempts;
  log_failure(job.sink->name(), job.event, job.attempt, final, error);
  const std::lock_guard lock(mu_);
  ++lane.stats.failed_attempts;
  if (final) {
    ++lane.stats.dropped;
    return;
  }
  auto delay = options_.base_delay;
  for (int i = 1; i < job.attempt && delay < options_.max_delay; ++i)
    delay *= 2;
  job.not_before = clock_.steady_now() + std::min(delay, options_.max_delay);
  lane.queue.push_back(std::move(job));
}

}  // namespace freshguard::alerts
