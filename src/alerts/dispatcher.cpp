// Dispatcher: the delivery queue and its thread.

#include <algorithm>
#include <exception>

#include <freshguard/alerts/alerts.hpp>
#include <freshguard/observability/logger.hpp>

namespace freshguard::alerts {
namespace {

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

}  // namespace

Dispatcher::Dispatcher(DispatcherOptions options, const Clock& clock)
    : options_(options), clock_(clock) {
  options_.max_attempts = std::max(1, options_.max_attempts);
  thread_ = std::jthread([this] { loop(); });
}

Dispatcher::~Dispatcher() {
  {
    const std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
}

void Dispatcher::set_sinks(std::vector<std::shared_ptr<AlertSink>> sinks) {
  const std::lock_guard lock(mu_);
  sinks_ = std::move(sinks);
}

void Dispatcher::enqueue(const AlertEvent& e) {
  {
    const std::lock_guard lock(mu_);
    for (const auto& sink : sinks_) {
      if (queue_.size() >= options_.queue_capacity) {
        log_failure(queue_.front().sink->name(), queue_.front().event, queue_.front().attempt, true,
                    "queue full");
        queue_.pop_front();
        ++stats_.dropped;
      }
      queue_.push_back(Job{e, sink, 0, clock_.steady_now()});
    }
  }
  cv_.notify_all();
}

bool Dispatcher::drain(std::chrono::milliseconds limit) {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, limit, [this] { return queue_.empty() && !busy_; });
}

DispatcherStats Dispatcher::stats() const {
  const std::lock_guard lock(mu_);
  DispatcherStats s = stats_;
  s.queued = queue_.size();
  return s;
}

void Dispatcher::loop() {
  std::unique_lock lock(mu_);
  while (!stop_) {
    if (queue_.empty()) {
      cv_.wait(lock);
      continue;
    }
    // The job whose time has come first.
    auto next = std::min_element(queue_.begin(), queue_.end(), [](const Job& a, const Job& b) {
      return a.not_before < b.not_before;
    });
    const auto wait = next->not_before - clock_.steady_now();
    if (wait > std::chrono::nanoseconds(0)) {
      cv_.wait_for(lock, std::min<std::chrono::nanoseconds>(wait, std::chrono::milliseconds(50)));
      continue;
    }
    Job job = std::move(*next);
    queue_.erase(next);
    busy_ = true;
    lock.unlock();
    attempt(std::move(job));
    lock.lock();
    busy_ = false;
    cv_.notify_all();
  }
}

void Dispatcher::attempt(Job job) {
  ++job.attempt;
  try {
    job.sink->deliver(job.event);
    const std::lock_guard lock(mu_);
    ++stats_.delivered;
    obs::logger().log({.level = obs::LogLevel::kInfo,
                       .component = "alerts",
                       .action = "alert.delivered",
                       .source = job.event.source,
                       .table = job.event.table,
                       .message = std::string(to_string(job.event.kind)) + " for rule " +
                                  job.event.rule_id + " delivered to sink " + job.sink->name(),
                       .fields = {{"rule_id", job.event.rule_id}, {"sink", job.sink->name()}}});
    return;
  } catch (const std::exception& e) {
    const bool final = job.attempt >= options_.max_attempts;
    log_failure(job.sink->name(), job.event, job.attempt, final, e.what());
    const std::lock_guard lock(mu_);
    ++stats_.failed_attempts;
    if (final) {
      ++stats_.dropped;
      return;
    }
    auto delay = options_.base_delay;
    for (int i = 1; i < job.attempt && delay < options_.max_delay; ++i)
      delay *= 2;
    job.not_before = clock_.steady_now() + std::min(delay, options_.max_delay);
    queue_.push_back(std::move(job));
  }
}

}  // namespace freshguard::alerts
