#include <algorithm>

#include <freshguard/resilience/deadline.hpp>

namespace freshguard::resilience {
namespace {

thread_local const Deadline* tls_current = nullptr;

}  // namespace

Deadline Deadline::after(const Clock& clock, std::chrono::microseconds budget) {
  return Deadline(clock, clock.steady_now() + budget);
}

std::chrono::microseconds Deadline::remaining() const {
  const auto left =
      std::chrono::duration_cast<std::chrono::microseconds>(at_ - clock_->steady_now());
  return std::max(left, std::chrono::microseconds{0});
}

bool Deadline::expired() const {
  return clock_->steady_now() >= at_;
}

bool Deadline::can_finish(std::chrono::microseconds d) const {
  return clock_->steady_now() + d < at_;
}

Deadline Deadline::earliest(const Deadline& other) const noexcept {
  return other.at_ < at_ ? other : *this;
}

DeadlineScope::DeadlineScope(const Deadline& deadline) noexcept
    : deadline_(deadline), previous_(tls_current) {
  tls_current = &deadline_;
}

DeadlineScope::~DeadlineScope() {
  tls_current = previous_;
}

const Deadline* current_deadline() noexcept {
  return tls_current;
}

std::chrono::milliseconds effective_timeout(std::chrono::milliseconds configured) {
  const Deadline* deadline = current_deadline();
  if (deadline == nullptr) return configured;
  // Round down: a query bounded by the result never outlives the deadline.
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline->remaining());
  return std::min(configured, left);
}

}  // namespace freshguard::resilience
