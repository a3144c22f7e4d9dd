#include "connectors/postgres/pg_pool.hpp"

#include <algorithm>

#include <freshguard/core/error.hpp>

namespace freshguard::pg {
namespace {

using std::chrono::milliseconds;

// Waiters re-read the injected clock at least this often.
constexpr milliseconds kWaitSlice{20};

milliseconds reap_period(milliseconds idle_timeout) {
  return std::clamp(idle_timeout / 2, milliseconds(100), milliseconds(10000));
}

}  // namespace

Pool::Lease::~Lease() {
  if (entry_.session) pool_->release(std::move(entry_), poisoned_);
}

Pool::Pool(const SessionConfig& session, PoolConfig config)
    : session_(session), config_(config), clock_(*session.clock) {
  idle_.reserve(static_cast<std::size_t>(std::max(config_.max_connections, 1)));
  reaper_ = std::thread([this] { reap_loop(); });
}

Pool::~Pool() {
  std::vector<Entry> doomed;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    doomed.swap(idle_);
    total_ -= static_cast<int>(doomed.size());
  }
  reaper_wake_.notify_all();
  reaper_.join();
}  // `doomed` closes the idle connections here, outside the lock

void Pool::reap_loop() {
  const milliseconds period = reap_period(config_.idle_timeout);
  std::unique_lock lock(mu_);
  while (!stopping_) {
    reaper_wake_.wait_for(lock, period);
    if (stopping_) break;
    lock.unlock();
    prune_idle();
    lock.lock();
  }
}

void Pool::collect_expired(std::vector<Entry>& doomed) {
  const SteadyTime now = clock_.steady_now();
  const auto expired = [&](const Entry& e) {
    return now - e.idle_since >= config_.idle_timeout || now - e.opened >= config_.max_lifetime;
  };
  const auto first = std::stable_partition(idle_.begin(), idle_.end(),
                                           [&](const Entry& e) { return !expired(e); });
  for (auto it = first; it != idle_.end(); ++it)
    doomed.push_back(std::move(*it));
  idle_.erase(first, idle_.end());
  total_ -= static_cast<int>(doomed.size());
}

void Pool::prune_idle() {
  std::vector<Entry> doomed;
  std::lock_guard lock(mu_);
  collect_expired(doomed);
}  // the lock is released before `doomed` closes its connections

PostgresPoolStatus Pool::status() const {
  std::lock_guard lock(mu_);
  return PostgresPoolStatus{total_, static_cast<int>(idle_.size()), in_use_, waiting_};
}

bool Pool::take_slot(std::unique_lock<std::mutex>& lock, const Deadline& deadline, Entry& entry,
                     std::vector<Entry>& doomed) {
  ++waiting_;
  for (;;) {
    collect_expired(doomed);
    if (!idle_.empty()) {
      entry = std::move(idle_.back());
      idle_.pop_back();
      --waiting_;
      ++in_use_;
      return false;
    }
    if (total_ < config_.max_connections) {
      ++total_;
      --waiting_;
      ++in_use_;
      return true;
    }
    if (clock_.steady_now() >= deadline.at) {
      --waiting_;
      throw TimeoutError("timed out after " + std::to_string(deadline.budget.count()) +
                         " ms waiting for a free connection to source \"" + session_.source +
                         "\" (all " + std::to_string(config_.max_connections) + " in use)");
    }
    freed_.wait_for(lock, kWaitSlice);
  }
}

Pool::Entry Pool::open_entry(const Deadline& deadline) {
  try {
    Entry e;
    e.session = Session::open(session_, deadline);
    e.opened = clock_.steady_now();
    e.idle_since = e.opened;
    return e;
  } catch (...) {
    {
      std::lock_guard lock(mu_);
      --total_;
      --in_use_;
    }
    freed_.notify_one();
    throw;
  }
}

bool Pool::validate(Entry& entry, const Deadline& deadline) const {
  if (clock_.steady_now() - entry.idle_since < config_.validate_after_idle) return true;
  try {
    entry.session->exec("SELECT 1", {}, deadline);
    return entry.session->usable();
  } catch (const Error&) {
    return false;
  }
}

Pool::Lease Pool::acquire(const Deadline& call) {
  const SteadyTime connect_end = clock_.steady_now() + config_.connect_timeout;
  const Deadline deadline =
      connect_end < call.at ? Deadline{connect_end, config_.connect_timeout} : call;
  for (;;) {
    Entry entry;
    bool fresh = false;
    {
      std::vector<Entry> doomed;  // destroyed after the lock is released
      std::unique_lock lock(mu_);
      fresh = take_slot(lock, deadline, entry, doomed);
    }
    if (fresh) return Lease(this, open_entry(deadline));
    if (validate(entry, deadline)) return Lease(this, std::move(entry));
    release(std::move(entry), true);  // broken while idle: close it and try again
  }
}

void Pool::release(Entry entry, bool poisoned) noexcept {
  const SteadyTime now = clock_.steady_now();
  ++entry.uses;
  entry.idle_since = now;
  const bool keep = !poisoned && entry.session->usable() && entry.uses < config_.max_uses &&
                    now - entry.opened < config_.max_lifetime;
  {
    std::lock_guard lock(mu_);
    --in_use_;
    if (keep && !stopping_) {
      idle_.push_back(std::move(entry));
    } else {
      --total_;
    }
  }
  freed_.notify_one();
}  // a connection that is not kept is closed here, outside the lock

}  // namespace freshguard::pg
