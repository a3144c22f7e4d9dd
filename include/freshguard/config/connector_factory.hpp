#pragma once
/// Builds the connector for a configured source: the config layer turns a source's settings
/// into the connectors' options (connectors know nothing of config types).

#include <memory>

#include <freshguard/config/config.hpp>
#include <freshguard/connectors/connector.hpp>
#include <freshguard/connectors/resilient_connector.hpp>
#include <freshguard/core/clock.hpp>

namespace freshguard {

/// The options configured for `source`: timeout_ms, `circuit_breaker:` and `retry:`, with
/// the breaker named after the source, and query metrics recorded in
/// obs::QueryMetrics::global() unless `query_metrics: false`. Uses the system clock, sleeper
/// and random source.
ResilienceOptions resilience_options(const config::SourceConfig& source);

/// Makes the connector for `source`, wrapped in a ResilientConnector configured from the
/// source's timeout_ms, `circuit_breaker:` and `retry:` (so every call goes through
/// breaker, retry and deadline). Opens nothing yet. Throws ConfigError when the source type
/// is not available in this build. `clock` must outlive the connector.
std::unique_ptr<Connector> make_connector(const config::SourceConfig& source,
                                          const Clock& clock = SystemClock::instance());

/// The same connector without the resilience layer (for tests and tools that need the
/// driver's behaviour bare).
std::unique_ptr<Connector> make_plain_connector(const config::SourceConfig& source,
                                                const Clock& clock = SystemClock::instance());

}  // namespace freshguard
