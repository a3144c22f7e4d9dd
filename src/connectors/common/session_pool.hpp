#pragma once
// The connection pool shared by the networked connectors (PostgreSQL, MySQL / MariaDB).

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <freshguard/core/clock.hpp>
#include <freshguard/core/error.hpp>

namespace freshguard::pool {

/// Limits of a pool. Defaults are the audited ones (seed plan, part 1.2).
struct PoolConfig {
  int max_connections = 20;
  /// Bounds both the wait for a free connection and the opening of a new one.
  std::chrono::milliseconds connect_timeout{5000};
  /// An idle connection is closed after this long.
  std::chrono::milliseconds idle_timeout{30000};
  /// A connection is closed after serving this many calls.
  int max_uses = 7500;
  /// A connection is closed once it is this old (checked when it comes back or sits idle).
  std::chrono::milliseconds max_lifetime{std::chrono::minutes(30)};
  /// A connection idle at least this long is validated before it is reused (the session
  /// type's check: `SELECT 1` on PostgreSQL, COM_PING on MySQL / MariaDB).
  std::chrono::milliseconds validate_after_idle{5000};
};

/// How often the reaper of a pool with `idle_timeout` wakes: half of it, within [100 ms, 10 s].
std::chrono::milliseconds reap_period(std::chrono::milliseconds idle_timeout);

/// How long a waiter sleeps at most before it re-reads the injected clock.
inline constexpr std::chrono::milliseconds kWaitSlice{20};

/// Throws the TimeoutError of a caller that waited `budget` for a free connection to
/// `source` while all `max_connections` were in use.
[[noreturn]] void throw_wait_timeout(std::chrono::milliseconds budget, const std::string& source,
                                     int max_connections);

/// The budget of one call on `source`: `timeout`, capped by the calling thread's resilience
/// deadline (resilience::effective_timeout). Throws TimeoutError when nothing is left.
std::chrono::milliseconds call_budget(std::chrono::milliseconds timeout, const std::string& source);

/// Runs `fn(session)` on a connection leased from `pool` until `deadline`. A connection that
/// failed with a poisoning error, or with anything that is no freshguard::Error, is closed
/// instead of returned.
template <class Pool, class Deadline, class Fn>
decltype(auto) with_lease(Pool& pool, const Deadline& deadline, Fn&& fn) {
  auto lease = pool.acquire(deadline);
  try {
    return fn(*lease);
  } catch (const Error& e) {
    if (e.connection_poisoned()) lease.poison();
    throw;
  } catch (...) {
    lease.poison();
    throw;
  }
}

/// A thread-safe pool of `Session`s, one per source. What it needs of them:
///   static std::unique_ptr<Session> Session::open(const SessionConfig&, const Deadline&);
///   bool Session::usable() const noexcept;
///   void validate_idle(Session&, const Deadline&);  // found by ADL; throws Error when broken
/// `SessionConfig` has `std::string source` and `const Clock* clock`; `Deadline` has
/// `SteadyTime at` and `std::chrono::milliseconds budget`; `Status` is the aggregate
/// {total, idle, in_use, waiting}.
///
/// The mutex guards bookkeeping only: connecting, validating and closing happen outside it.
/// A background thread closes connections that stay idle past idle_timeout (prune_idle does
/// the same on demand). Sessions that failed with a poisoning error, that are no longer
/// usable on return, or that reached max_uses or max_lifetime are closed, never reused.
/// Member definitions are in session_pool_impl.hpp; each connector instantiates its pool
/// once, explicitly, in its own pool source.
template <class Session, class SessionConfig, class Deadline, class Status>
class SessionPool {
 public:
  struct Entry {
    std::unique_ptr<Session> session;
    SteadyTime opened{};
    SteadyTime idle_since{};
    int uses = 0;
  };

  /// Borrowed connection; returns it to the pool when destroyed. Move-only.
  class Lease {
   public:
    Lease(SessionPool* pool, Entry entry) : pool_(pool), entry_(std::move(entry)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() {
      if (entry_.session) pool_->release(std::move(entry_), poisoned_);
    }
    Session& operator*() const noexcept { return *entry_.session; }
    Session* operator->() const noexcept { return entry_.session.get(); }
    /// The connection will be closed instead of returned.
    void poison() noexcept { poisoned_ = true; }

   private:
    SessionPool* pool_;
    Entry entry_;
    bool poisoned_ = false;
  };

  /// `session` must outlive the pool. Opens nothing yet.
  SessionPool(const SessionConfig& session, PoolConfig config);
  /// Closes every idle connection. No lease may outlive the pool.
  ~SessionPool();
  SessionPool(const SessionPool&) = delete;
  SessionPool& operator=(const SessionPool&) = delete;

  /// An idle connection (validated when it idled long enough) or a new one. Waits for a free
  /// one when max_connections are in use. Gives up at the earlier of connect_timeout from now
  /// and `call` (TimeoutError); connecting may also throw ConnectionError.
  Lease acquire(const Deadline& call);

  Status status() const;

  /// Closes idle connections past idle_timeout or max_lifetime now.
  void prune_idle();

 private:
  // Waits for an idle entry (returned in `entry`) or a free slot (returns true); counts the
  // caller as in use either way. Expired idle entries are moved to `doomed`.
  bool take_slot(std::unique_lock<std::mutex>& lock, const Deadline& deadline, Entry& entry,
                 std::vector<Entry>& doomed);
  Entry open_entry(const Deadline& deadline);
  bool validate(Entry& entry, const Deadline& deadline) const;
  void collect_expired(std::vector<Entry>& doomed);
  void release(Entry entry, bool poisoned) noexcept;
  void reap_loop();

  const SessionConfig& session_;
  const PoolConfig config_;
  const Clock& clock_;

  mutable std::mutex mu_;
  std::condition_variable freed_;
  std::condition_variable reaper_wake_;
  std::vector<Entry> idle_;  // most recently returned last
  int total_ = 0;            // idle + in use (including connections being opened)
  int in_use_ = 0;
  int waiting_ = 0;
  bool stopping_ = false;
  std::thread reaper_;
};

}  // namespace freshguard::pool
