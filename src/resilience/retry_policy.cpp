#include <algorithm>
#include <cmath>
#include <string>

#include <freshguard/resilience/retry_policy.hpp>

namespace freshguard::resilience {
namespace {

constexpr std::string_view kJitterNames[] = {"full", "proportional", "none"};
// kProportional: capped * [1 - kSpread, 1 + kSpread).
constexpr double kSpread = 0.2;

void require(bool ok, std::string_view field, const std::string& rule, const std::string& got) {
  if (ok) return;
  throw ConfigError("retry: " + std::string(field) + " must be " + rule + ", got " + got);
}

}  // namespace

std::string_view to_string(Jitter j) noexcept {
  return kJitterNames[static_cast<std::size_t>(j)];
}

void validate(const RetryOptions& o) {
  require(o.max_attempts >= 1, "max_attempts", "at least 1", std::to_string(o.max_attempts));
  require(o.base_delay.count() >= 0, "base_delay_ms", "at least 0",
          std::to_string(o.base_delay.count()));
  require(std::isfinite(o.multiplier) && o.multiplier >= 1.0, "multiplier", "at least 1",
          std::to_string(o.multiplier));
  require(o.max_delay >= o.base_delay, "max_delay_ms",
          "at least base_delay_ms (" + std::to_string(o.base_delay.count()) + ")",
          std::to_string(o.max_delay.count()));
}

bool is_retryable(const std::exception& e) noexcept {
  const auto* error = dynamic_cast<const Error*>(&e);
  return error != nullptr && error->transient();
}

RetryPolicy::RetryPolicy(RetryOptions options, Sleeper& sleeper, Random& random,
                         RetryListener listener)
    : options_(options), sleeper_(sleeper), random_(random), listener_(std::move(listener)) {
  validate(options_);
}

std::chrono::microseconds RetryPolicy::capped_delay(int failed_attempts) const {
  const double base = static_cast<double>(
      std::chrono::duration_cast<std::chrono::microseconds>(options_.base_delay).count());
  const double cap = static_cast<double>(
      std::chrono::duration_cast<std::chrono::microseconds>(options_.max_delay).count());
  const int exponent = std::max(failed_attempts, 1) - 1;
  // pow may overflow to infinity for huge exponents; the cap bounds it either way.
  const double grown = base * std::pow(options_.multiplier, exponent);
  return std::chrono::microseconds(static_cast<std::int64_t>(std::min(grown, cap)));
}

std::chrono::microseconds RetryPolicy::backoff(int failed_attempts) {
  const auto capped = capped_delay(failed_attempts);
  const double micros = static_cast<double>(capped.count());
  switch (options_.jitter) {
    case Jitter::kFull:
      return std::chrono::microseconds(static_cast<std::int64_t>(micros * random_.uniform()));
    case Jitter::kProportional: {
      const double factor = 1.0 - kSpread + 2.0 * kSpread * random_.uniform();
      const auto jittered = std::chrono::microseconds(static_cast<std::int64_t>(micros * factor));
      return std::min<std::chrono::microseconds>(jittered, options_.max_delay);
    }
    case Jitter::kNone:
      break;
  }
  return capped;
}

bool RetryPolicy::prepare_retry(int n, const Error& error, std::chrono::microseconds took,
                                const Deadline& deadline) {
  if (!error.transient()) {
    ++not_retryable_;
    return false;
  }
  if (n >= options_.max_attempts) {
    ++exhausted_;
    return false;
  }
  const auto pause = backoff(n);
  if (!deadline.can_finish(pause + took)) {
    ++deadline_stops_;
    return false;
  }
  if (listener_) {
    try {
      listener_(n, error, pause);
    } catch (...) {  // a listener's failure must not change the call's outcome
    }
  }
  sleeper_.sleep_for(pause);
  ++retries_;
  return true;
}

void RetryPolicy::execute(const std::function<void()>& attempt, const Deadline& deadline) {
  ++calls_;
  const Clock& clock = deadline.clock();
  for (int n = 1;; ++n) {
    const auto started = clock.steady_now();
    try {
      attempt();
      return;
    } catch (const Error& e) {
      const auto took =
          std::chrono::duration_cast<std::chrono::microseconds>(clock.steady_now() - started);
      if (!prepare_retry(n, e, took, deadline)) throw;
    } catch (...) {
      ++not_retryable_;
      throw;
    }
  }
}

RetryCounters RetryPolicy::counters() const noexcept {
  RetryCounters c;
  c.calls = calls_.load();
  c.retries = retries_.load();
  c.exhausted = exhausted_.load();
  c.deadline_stops = deadline_stops_.load();
  c.not_retryable = not_retryable_.load();
  return c;
}

}  // namespace freshguard::resilience
