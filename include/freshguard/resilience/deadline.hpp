#pragma once
/// Deadlines: an absolute point on the injected steady clock by which a call must be done.
///
/// One Deadline spans every attempt of a retried call. While a ResilientConnector runs an
/// attempt it also installs the deadline as the calling thread's *current* deadline
/// (DeadlineScope), so a connector can bound its own per-query timeout by the time left:
/// `effective_timeout(configured)`.

#include <chrono>

#include <freshguard/core/clock.hpp>

namespace freshguard::resilience {

/// An absolute steady-clock deadline. Cheap to copy; immutable; thread-safe. The clock it
/// was made with must outlive it.
class Deadline {
 public:
  /// The deadline at `at` on `clock`.
  Deadline(const Clock& clock, SteadyTime at) noexcept : clock_(&clock), at_(at) {}
  /// The deadline `budget` from now on `clock` (a negative budget means already expired).
  static Deadline after(const Clock& clock, std::chrono::microseconds budget);

  SteadyTime at() const noexcept { return at_; }
  const Clock& clock() const noexcept { return *clock_; }
  /// Time left; zero once the deadline has passed (never negative).
  std::chrono::microseconds remaining() const;
  /// True once the steady clock has reached the deadline.
  bool expired() const;
  /// True when something that starts now and takes `d` ends before the deadline.
  /// can_finish(0) is the same as !expired().
  bool can_finish(std::chrono::microseconds d) const;
  /// Whichever of the two is earlier (this one when they are equal).
  Deadline earliest(const Deadline& other) const noexcept;

 private:
  const Clock* clock_;
  SteadyTime at_;
};

/// Makes `deadline` the calling thread's current deadline for the scope's lifetime, then
/// restores the previous one. Scopes nest; the innermost wins (callers who want the earlier
/// of two pass `outer.earliest(inner)`). Not movable: it lives on the stack of one thread.
class DeadlineScope {
 public:
  explicit DeadlineScope(const Deadline& deadline) noexcept;
  ~DeadlineScope();
  DeadlineScope(const DeadlineScope&) = delete;
  DeadlineScope& operator=(const DeadlineScope&) = delete;

 private:
  Deadline deadline_;
  const Deadline* previous_;
};

/// The innermost DeadlineScope's deadline on this thread, or nullptr when there is none.
const Deadline* current_deadline() noexcept;

/// `configured` capped by the time left before the calling thread's current deadline (when
/// there is one); zero when that deadline has passed. Connectors use it to bound each query.
std::chrono::milliseconds effective_timeout(std::chrono::milliseconds configured);

}  // namespace freshguard::resilience
