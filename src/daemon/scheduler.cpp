#include <algorithm>
#include <set>
#include <stdexcept>

#include <freshguard/daemon/scheduler.hpp>

namespace freshguard::daemon {

using std::chrono::microseconds;

Scheduler::Scheduler(SchedulerOptions options, Random& random)
    : options_(options), random_(random) {
  if (options_.max_concurrent < 1) throw std::invalid_argument("max_concurrent must be >= 1");
  if (options_.max_per_source < 1) throw std::invalid_argument("max_per_source must be >= 1");
  if (!(options_.jitter >= 0.0 && options_.jitter <= 1.0)) {
    throw std::invalid_argument("jitter must be in [0, 1]");
  }
}

microseconds Scheduler::jitter(microseconds interval) {
  return microseconds(static_cast<std::int64_t>(random_.uniform() * options_.jitter *
                                                static_cast<double>(interval.count())));
}

void Scheduler::set_rules(const std::vector<ScheduledRule>& rules, SteadyTime now) {
  std::set<std::string> ids;
  for (const auto& r : rules) {
    if (r.interval <= microseconds(0)) throw std::invalid_argument("interval must be > 0: " + r.id);
    ids.insert(r.id);
    auto it = rules_.find(r.id);
    if (it != rules_.end() && it->second.source == r.source && it->second.interval == r.interval) {
      it->second.removed = false;
      continue;
    }
    if (it != rules_.end() && it->second.running) {
      // Changed while running: keep the running mark (and its source slot) until finish().
      it->second.source = r.source;
      it->second.interval = r.interval;
      it->second.removed = false;
      it->second.due = now + jitter(r.interval);
      it->second.rescheduled = true;
      continue;
    }
    Entry e;
    e.source = r.source;
    e.interval = r.interval;
    e.due = now + jitter(r.interval);
    rules_.insert_or_assign(r.id, std::move(e));
  }
  for (auto it = rules_.begin(); it != rules_.end();) {
    if (ids.count(it->first) != 0) {
      ++it;
    } else if (it->second.running) {
      it->second.removed = true;
      ++it;
    } else {
      it = rules_.erase(it);
    }
  }
}

std::vector<std::string> Scheduler::take_due(SteadyTime now) {
  std::vector<std::pair<SteadyTime, const std::string*>> due;
  for (const auto& [id, e] : rules_) {
    if (!e.running && !e.removed && e.due <= now) due.emplace_back(e.due, &id);
  }
  std::sort(due.begin(), due.end());
  std::vector<std::string> out;
  for (const auto& [when, id] : due) {
    if (running_ >= options_.max_concurrent) break;
    Entry& e = rules_.at(*id);
    int& n = per_source_[e.source];
    if (n >= options_.max_per_source) continue;
    ++n;
    ++running_;
    e.running = true;
    e.running_source = e.source;
    out.push_back(*id);
  }
  return out;
}

void Scheduler::finish(const std::string& id, SteadyTime now) {
  auto it = rules_.find(id);
  if (it == rules_.end() || !it->second.running) return;
  Entry& e = it->second;
  e.running = false;
  --running_;
  if (--per_source_[e.running_source] == 0) per_source_.erase(e.running_source);
  if (e.removed) {
    rules_.erase(it);
    return;
  }
  if (e.rescheduled) {
    e.rescheduled = false;  // its new schedule, set while it ran, stands
    e.due = std::max(e.due, now);
    return;
  }
  e.due = std::max(e.due + e.interval + jitter(e.interval), now);
}

std::optional<SteadyTime> Scheduler::next_due() const {
  std::optional<SteadyTime> best;
  for (const auto& [id, e] : rules_) {
    if (e.running || e.removed) continue;
    if (!best || e.due < *best) best = e.due;
  }
  return best;
}

bool Scheduler::is_running(const std::string& id) const {
  auto it = rules_.find(id);
  return it != rules_.end() && it->second.running;
}

std::optional<SteadyTime> Scheduler::due_time(const std::string& id) const {
  auto it = rules_.find(id);
  if (it == rules_.end()) return std::nullopt;
  return it->second.due;
}

}  // namespace freshguard::daemon
