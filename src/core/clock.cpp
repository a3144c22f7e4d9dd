#include <freshguard/core/clock.hpp>

namespace freshguard {

WallTime SystemClock::wall_now() const {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

SteadyTime SystemClock::steady_now() const {
  return std::chrono::steady_clock::now();
}

const SystemClock& SystemClock::instance() {
  static const SystemClock clock;
  return clock;
}

ManualClock::ManualClock(WallTime wall_start)
    : wall_(wall_start), steady_(SteadyTime{} + std::chrono::hours(1)) {}

WallTime ManualClock::wall_now() const {
  std::lock_guard lock(mu_);
  return wall_;
}

SteadyTime ManualClock::steady_now() const {
  std::lock_guard lock(mu_);
  return steady_;
}

void ManualClock::advance(std::chrono::microseconds d) {
  std::lock_guard lock(mu_);
  wall_ += d;
  steady_ += d;
}

void ManualClock::set_wall(WallTime t) {
  std::lock_guard lock(mu_);
  wall_ = t;
}

}  // namespace freshguard
