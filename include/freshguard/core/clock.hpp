#pragma once
/// Injected time. Logic never calls std::chrono clocks directly: freshness lag uses the wall
/// clock (it is compared with timestamps stored in databases), timeouts, backoff and
/// scheduling use the steady clock. Tests use ManualClock so nothing sleeps.

#include <chrono>
#include <mutex>

namespace freshguard {

/// A point in UTC wall time with microsecond resolution.
using WallTime = std::chrono::sys_time<std::chrono::microseconds>;
/// A point on the monotonic clock.
using SteadyTime = std::chrono::steady_clock::time_point;

/// Source of time. Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  /// Current UTC wall time.
  virtual WallTime wall_now() const = 0;
  /// Current monotonic time.
  virtual SteadyTime steady_now() const = 0;
};

/// The real clocks of the machine.
class SystemClock final : public Clock {
 public:
  WallTime wall_now() const override;
  SteadyTime steady_now() const override;
  /// A process-wide instance.
  static const SystemClock& instance();
};

/// A clock that moves only when told to. Thread-safe. Both clocks advance together.
class ManualClock final : public Clock {
 public:
  /// Starts at `wall_start`; the steady clock starts at an arbitrary fixed point.
  explicit ManualClock(WallTime wall_start);
  WallTime wall_now() const override;
  SteadyTime steady_now() const override;
  /// Moves both clocks forward by `d` (which must not be negative).
  void advance(std::chrono::microseconds d);
  /// Sets the wall clock (the steady clock is unaffected, as on a real machine).
  void set_wall(WallTime t);

 private:
  mutable std::mutex mu_;
  WallTime wall_;
  SteadyTime steady_;
};

}  // namespace freshguard
