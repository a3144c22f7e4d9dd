#pragma once
// Member definitions of SessionPool. Include only from the one source file that instantiates
// the pool for a connector (`template class pool::SessionPool<...>;`).

#include <algorithm>

#include <freshguard/core/error.hpp>

#include "connectors/common/session_pool.hpp"

namespace freshguard::pool {

template <class Session, class SessionConfig, class Deadline, class Status>
SessionPool<Session, SessionConfig, Deadline, Status>::SessionPool(const SessionConfig& session,
                                                                   PoolConfig config)
    : session_(session), config_(config), clock_(*session.clock) {
  idle_.reserve(static_cast<std::size_t>(std::max(config_.max_connections, 1)));
  reaper_ = std::thread([this] { reap_loop(); });
}

template <class Session, class SessionConfig, class Deadline, class Status>
SessionPool<Session, SessionConfig, Deadline, Status>::~SessionPool() {
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

template <class Session, class SessionConfig, class Deadline, class Status>
void SessionPool<Session, SessionConfig, Deadline, Status>::reap_loop() {
  const std::chrono::milliseconds period = reap_period(config_.idle_timeout);
  std::unique_lock lock(mu_);
  while (!stopping_) {
    reaper_wake_.wait_for(lock, period);
    if (stopping_) break;
    lock.unlock();
    prune_idle();
    lock.lock();
  }
}

template <class Session, class SessionConfig, class Deadline, class Status>
void SessionPool<Session, SessionConfig, Deadline, Status>::collect_expired(
    std::vector<Entry>& doomed) {
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

template <class Session, class SessionConfig, class Deadline, class Status>
void SessionPool<Session, SessionConfig, Deadline, Status>::prune_idle() {
  std::vector<Entry> doomed;
  std::lock_guard lock(mu_);
  collect_expired(doomed);
}  // the lock is released before `doomed` closes its connections

template <class Session, class SessionConfig, class Deadline, class Status>
Status SessionPool<Session, SessionConfig, Deadline, Status>::status() const {
  std::lock_guard lock(mu_);
  return Status{total_, static_cast<int>(idle_.size()), in_use_, waiting_};
}

template <class Session, class SessionConfig, class Deadline, class Status>
bool SessionPool<Session, SessionConfig, Deadline, Status>::take_slot(
    std::unique_lock<std::mutex>& lock, const Deadline& deadline, Entry& entry,
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
      throw_wait_timeout(deadline.budget, session_.source, config_.max_connections);
    }
    freed_.wait_for(lock, kWaitSlice);
  }
}

template <class Session, class SessionConfig, class Deadline, class Status>
typename SessionPool<Session, SessionConfig, Deadline, Status>::Entry
SessionPool<Session, SessionConfig, Deadline, Status>::open_entry(const Deadline& deadline) {
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

template <class Session, class SessionConfig, class Deadline, class Status>
bool SessionPool<Session, SessionConfig, Deadline, Status>::validate(
    Entry& entry, const Deadline& deadline) const {
  if (clock_.steady_now() - entry.idle_since < config_.validate_after_idle) return true;
  try {
    validate_idle(*entry.session, deadline);
    return entry.session->usable();
  } catch (const Error&) {
    return false;
  }
}

template <class Session, class SessionConfig, class Deadline, class Status>
typename SessionPool<Session, SessionConfig, Deadline, Status>::Lease
SessionPool<Session, SessionConfig, Deadline, Status>::acquire(const Deadline& call) {
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

template <class Session, class SessionConfig, class Deadline, class Status>
void SessionPool<Session, SessionConfig, Deadline, Status>::release(Entry entry,
                                                                    bool poisoned) noexcept {
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

}  // namespace freshguard::pool
