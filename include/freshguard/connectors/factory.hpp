#pragma once
/// Builds the connector for a configured source.

#include <memory>

#include <freshguard/config/config.hpp>
#include <freshguard/connectors/connector.hpp>
#include <freshguard/core/clock.hpp>

namespace freshguard {

/// Makes the connector for `source`. Opens nothing yet. Throws ConfigError when the source
/// type is not available in this build. `clock` must outlive the connector.
std::unique_ptr<Connector> make_connector(const config::SourceConfig& source,
                                          const Clock& clock = SystemClock::instance());

}  // namespace freshguard
