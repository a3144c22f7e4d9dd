#include "connectors/common/session_pool.hpp"

#include <algorithm>

#include <freshguard/core/error.hpp>
#include <freshguard/resilience/deadline.hpp>

namespace freshguard::pool {

using std::chrono::milliseconds;

milliseconds reap_period(milliseconds idle_timeout) {
  return std::clamp(idle_timeout / 2, milliseconds(100), milliseconds(10000));
}

void throw_wait_timeout(milliseconds budget, const std::string& source, int max_connections) {
  throw TimeoutError("timed out after " + std::to_string(budget.count()) +
                     " ms waiting for a free connection to source \"" + source + "\" (all " +
                     std::to_string(max_connections) + " in use)");
}

milliseconds call_budget(milliseconds timeout, const std::string& source) {
  const milliseconds budget = resilience::effective_timeout(timeout);
  if (budget <= milliseconds(0)) {
    throw TimeoutError("no time left for a call on source \"" + source + "\"");
  }
  return budget;
}

}  // namespace freshguard::pool
