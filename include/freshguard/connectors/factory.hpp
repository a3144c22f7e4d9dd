#pragma once
/// Builds the connector for a configured source.

#include <memory>

#include <freshguard/config/config.hpp>
#include <freshguard/connectors/connector.hpp>
#include <freshguard/core/clock.hpp>

namespace freshguard {

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
