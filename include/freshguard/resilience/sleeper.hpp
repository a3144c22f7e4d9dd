#pragma once
/// Injected waiting. The retry policy pauses between attempts through a Sleeper, so tests
/// replace real sleeping with a ManualSleeper that moves a ManualClock forward instead.

#include <chrono>
#include <mutex>
#include <vector>

#include <freshguard/core/clock.hpp>

namespace freshguard::resilience {

/// Blocks the calling thread for a while. Implementations must be thread-safe.
class Sleeper {
 public:
  virtual ~Sleeper() = default;
  /// Returns after `d` has passed (at once when `d` is zero or negative).
  virtual void sleep_for(std::chrono::microseconds d) = 0;
};

/// Really sleeps (std::this_thread::sleep_for: the one place in the engine that does).
class SystemSleeper final : public Sleeper {
 public:
  void sleep_for(std::chrono::microseconds d) override;
  /// A process-wide instance.
  static SystemSleeper& instance();
};

/// For tests: returns at once after advancing a ManualClock by the requested time, and
/// records every request. Thread-safe. `clock` must outlive the sleeper.
class ManualSleeper final : public Sleeper {
 public:
  explicit ManualSleeper(ManualClock& clock) : clock_(clock) {}
  /// Advances the clock by `d` (nothing when `d` is not positive) and records `d`.
  void sleep_for(std::chrono::microseconds d) override;
  /// Every requested duration, in call order.
  std::vector<std::chrono::microseconds> sleeps() const;
  /// The sum of the positive requests.
  std::chrono::microseconds total() const;

 private:
  ManualClock& clock_;
  mutable std::mutex mu_;
  std::vector<std::chrono::microseconds> sleeps_;
};

}  // namespace freshguard::resilience
