#include <mutex>
#include <vector>

#include <freshguard/core/time.hpp>
#include <freshguard/resilience/circuit_breaker.hpp>

namespace freshguard::resilience {
namespace {

constexpr std::string_view kStateNames[] = {"closed", "open", "half_open"};
constexpr std::string_view kModeNames[] = {"consecutive", "failure_rate"};
constexpr int kPercent = 100;

void require(bool ok, const CircuitBreakerOptions& o, std::string_view field, std::string_view rule,
             long long got) {
  if (ok) return;
  throw ConfigError("circuit breaker of source \"" + o.name + "\": " + std::string(field) +
                    " must be " + std::string(rule) + ", got " + std::to_string(got));
}

// A permit to run one call, tied to the state generation it was granted in.
struct Ticket {
  std::uint64_t generation = 0;
};

struct Transition {
  CircuitState from;
  CircuitState to;
};

}  // namespace

std::string_view to_string(CircuitState s) noexcept {
  return kStateNames[static_cast<std::size_t>(s)];
}

std::string_view to_string(BreakerMode m) noexcept {
  return kModeNames[static_cast<std::size_t>(m)];
}

void validate(const CircuitBreakerOptions& o) {
  require(o.failure_threshold >= 1, o, "failure_threshold", "at least 1", o.failure_threshold);
  require(o.success_threshold >= 1, o, "success_threshold", "at least 1", o.success_threshold);
  require(o.reset_timeout.count() > 0, o, "reset_timeout_ms", "positive", o.reset_timeout.count());
  require(o.half_open_max_calls >= 1, o, "half_open_max_calls", "at least 1",
          o.half_open_max_calls);
  require(o.window_size >= 1, o, "window_size", "at least 1", o.window_size);
  require(o.minimum_calls >= 1 && o.minimum_calls <= o.window_size, o, "minimum_calls",
          "between 1 and window_size (" + std::to_string(o.window_size) + ")", o.minimum_calls);
  require(o.failure_rate_threshold >= 1 && o.failure_rate_threshold <= kPercent, o,
          "failure_rate_threshold", "between 1 and 100", o.failure_rate_threshold);
}

Outcome classify(const std::exception& e) noexcept {
  const auto* error = dynamic_cast<const Error*>(&e);
  if (error == nullptr) return Outcome::kIgnored;
  if (error->code() == ErrorCode::kConnectionFailed || error->code() == ErrorCode::kTimeout ||
      error->transient()) {
    return Outcome::kFailure;
  }
  return Outcome::kIgnored;
}

struct CircuitBreaker::Impl {
  CircuitBreakerOptions opts;
  const Clock& clock;
  StateListener listener;

  mutable std::mutex mu;
  CircuitState state = CircuitState::kClosed;
  std::uint64_t generation = 0;  // bumped on every state change
  int consecutive = 0;
  std::vector<bool> window;  // ring buffer of outcomes, true = failure
  std::size_t window_next = 0;
  int window_count = 0;
  int window_failures = 0;
  int half_successes = 0;
  int half_in_flight = 0;
  SteadyTime open_until{};
  std::string open_reason;
  CircuitBreakerSnapshot totals;  // only the total counters are kept here

  Impl(CircuitBreakerOptions o, const Clock& c, StateListener l)
      : opts(std::move(o)), clock(c), listener(std::move(l)) {
    validate(opts);
    window.assign(static_cast<std::size_t>(opts.window_size), false);
  }

  std::string where() const { return "source \"" + opts.name + "\""; }

  // Every enter_* runs under `mu`.
  Transition enter(CircuitState to, SteadyTime now) {
    const Transition t{state, to};
    state = to;
    ++generation;
    consecutive = 0;
    window_next = 0;
    window_count = 0;
    window_failures = 0;
    half_successes = 0;
    half_in_flight = 0;
    if (to == CircuitState::kOpen) {
      open_until = now + opts.reset_timeout;
      ++totals.times_opened;
    }
    return t;
  }

  std::optional<Transition> refresh(SteadyTime now) {
    if (state == CircuitState::kOpen && now >= open_until) {
      return enter(CircuitState::kHalfOpen, now);
    }
    return std::nullopt;
  }

  void notify(const std::optional<Transition>& t) const noexcept {
    if (!t || !listener) return;
    try {
      listener(t->from, t->to);
    } catch (...) {  // a listener's failure must not change the call's outcome
    }
  }

  std::string open_message(SteadyTime now) const {
    const auto left = std::chrono::duration_cast<std::chrono::microseconds>(open_until - now);
    const WallTime until = std::chrono::ceil<std::chrono::seconds>(clock.wall_now() + left);
    const auto seconds = std::chrono::ceil<std::chrono::seconds>(left).count();
    return "circuit breaker is OPEN for " + where() + " after " + open_reason +
           ": calls fail fast until " + format_iso8601(until) + " (another " +
           std::to_string(seconds) + " s)";
  }

  std::string busy_message() const {
    return "circuit breaker is HALF_OPEN for " + where() + ": " + std::to_string(half_in_flight) +
           " probe call(s) are testing whether it has recovered; other calls fail fast until " +
           std::to_string(opts.success_threshold) + " probes succeed";
  }

  struct Admission {
    std::optional<Ticket> ticket;
    std::string rejection;
    std::optional<Transition> transition;
  };

  Admission admit() {
    std::lock_guard lock(mu);
    const auto now = clock.steady_now();
    Admission a;
    a.transition = refresh(now);
    if (state == CircuitState::kClosed) {
      a.ticket = Ticket{generation};
    } else if (state == CircuitState::kHalfOpen && half_in_flight < opts.half_open_max_calls) {
      ++half_in_flight;
      a.ticket = Ticket{generation};
    } else {
      ++totals.rejected;
      a.rejection = state == CircuitState::kOpen ? open_message(now) : busy_message();
    }
    return a;
  }

  void push_window(bool failure) {
    const auto size = window.size();
    if (static_cast<std::size_t>(window_count) == size) {
      if (window[window_next]) --window_failures;
    } else {
      ++window_count;
    }
    window[window_next] = failure;
    if (failure) ++window_failures;
    window_next = (window_next + 1) % size;
  }

  std::optional<Transition> apply_closed(Outcome o, SteadyTime now) {
    if (o == Outcome::kIgnored) return std::nullopt;
    const bool failure = o == Outcome::kFailure;
    if (opts.mode == BreakerMode::kConsecutive) {
      consecutive = failure ? consecutive + 1 : 0;
      if (consecutive < opts.failure_threshold) return std::nullopt;
      open_reason = std::to_string(consecutive) + " consecutive failures";
      return enter(CircuitState::kOpen, now);
    }
    push_window(failure);
    if (window_count < opts.minimum_calls ||
        window_failures * kPercent < opts.failure_rate_threshold * window_count) {
      return std::nullopt;
    }
    open_reason = std::to_string(window_failures) + " failures in the last " +
                  std::to_string(window_count) + " calls (threshold " +
                  std::to_string(opts.failure_rate_threshold) + "%)";
    return enter(CircuitState::kOpen, now);
  }

  std::optional<Transition> apply_half_open(Outcome o, SteadyTime now) {
    --half_in_flight;
    if (o == Outcome::kFailure) {
      open_reason = "a probe call failed";
      return enter(CircuitState::kOpen, now);
    }
    if (o == Outcome::kSuccess && ++half_successes >= opts.success_threshold) {
      return enter(CircuitState::kClosed, now);
    }
    return std::nullopt;
  }

  void finish(const Ticket& ticket, Outcome o) {
    std::optional<Transition> t;
    {
      std::lock_guard lock(mu);
      switch (o) {
        case Outcome::kSuccess:
          ++totals.successes;
          break;
        case Outcome::kFailure:
          ++totals.failures;
          break;
        case Outcome::kIgnored:
          ++totals.ignored;
          break;
      }
      // A call granted before the last state change no longer speaks for the current state.
      // (An OPEN breaker grants nothing, so a current ticket is CLOSED or HALF_OPEN.)
      if (ticket.generation == generation) {
        const auto now = clock.steady_now();
        t = state == CircuitState::kHalfOpen ? apply_half_open(o, now) : apply_closed(o, now);
      }
    }
    notify(t);
  }
};

CircuitBreaker::CircuitBreaker(CircuitBreakerOptions options, const Clock& clock,
                               StateListener listener)
    : impl_(std::make_unique<Impl>(std::move(options), clock, std::move(listener))) {}

CircuitBreaker::~CircuitBreaker() = default;

void CircuitBreaker::execute(const std::function<void()>& f) {
  auto admission = impl_->admit();
  impl_->notify(admission.transition);
  if (!admission.ticket) throw CircuitOpenError(admission.rejection, impl_->opts.name);
  try {
    f();
  } catch (const std::exception& e) {
    impl_->finish(*admission.ticket, classify(e));
    throw;
  } catch (...) {
    impl_->finish(*admission.ticket, Outcome::kIgnored);
    throw;
  }
  impl_->finish(*admission.ticket, Outcome::kSuccess);
}

CircuitState CircuitBreaker::state() const {
  return snapshot().state;
}

CircuitBreakerSnapshot CircuitBreaker::snapshot() const {
  CircuitBreakerSnapshot s;
  std::optional<Transition> t;
  {
    std::lock_guard lock(impl_->mu);
    const auto now = impl_->clock.steady_now();
    t = impl_->refresh(now);
    s = impl_->totals;
    s.state = impl_->state;
    s.consecutive_failures = impl_->consecutive;
    s.window_calls = impl_->window_count;
    s.window_failures = impl_->window_failures;
    s.half_open_successes = impl_->half_successes;
    s.half_open_in_flight = impl_->half_in_flight;
    if (s.state == CircuitState::kOpen) {
      s.open_remaining = std::chrono::ceil<std::chrono::milliseconds>(impl_->open_until - now);
    }
  }
  impl_->notify(t);
  return s;
}

const CircuitBreakerOptions& CircuitBreaker::options() const noexcept {
  return impl_->opts;
}

}  // namespace freshguard::resilience
