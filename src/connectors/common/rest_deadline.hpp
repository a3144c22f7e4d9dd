#pragma once
// The deadline of one REST connector call (BigQuery, Snowflake): the configured timeout
// capped by the caller's current deadline (resilience::effective_timeout).

#include <chrono>
#include <string>
#include <string_view>

#include <freshguard/core/error.hpp>
#include <freshguard/resilience/deadline.hpp>

namespace freshguard::connectors {

/// Throws TimeoutError naming `api` when no time is left.
inline resilience::Deadline call_deadline(const Clock& clock, std::chrono::milliseconds timeout,
                                          std::string_view api) {
  const auto budget = resilience::effective_timeout(timeout);
  if (budget.count() <= 0) {
    throw TimeoutError("deadline passed before the " + std::string(api) + " call");
  }
  return resilience::Deadline::after(clock,
                                     std::chrono::duration_cast<std::chrono::microseconds>(budget));
}

}  // namespace freshguard::connectors
