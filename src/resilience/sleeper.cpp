#include <thread>

#include <freshguard/resilience/sleeper.hpp>

namespace freshguard::resilience {

void SystemSleeper::sleep_for(std::chrono::microseconds d) {
  if (d.count() > 0) std::this_thread::sleep_for(d);
}

SystemSleeper& SystemSleeper::instance() {
  static SystemSleeper sleeper;
  return sleeper;
}

void ManualSleeper::sleep_for(std::chrono::microseconds d) {
  {
    std::lock_guard lock(mu_);
    sleeps_.push_back(d);
  }
  if (d.count() > 0) clock_.advance(d);
}

std::vector<std::chrono::microseconds> ManualSleeper::sleeps() const {
  std::lock_guard lock(mu_);
  return sleeps_;
}

std::chrono::microseconds ManualSleeper::total() const {
  std::lock_guard lock(mu_);
  std::chrono::microseconds sum{0};
  for (const auto d : sleeps_) {
    if (d.count() > 0) sum += d;
  }
  return sum;
}

}  // namespace freshguard::resilience
