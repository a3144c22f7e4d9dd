#pragma once
// Internal to the config component: reads a source's `circuit_breaker:` and `retry:` maps.

#include "config/yaml_reader.hpp"

namespace freshguard::config::detail {

/// Reads `circuit_breaker:` and `retry:` of the source map `r` into `source`, adding a
/// problem (with its path) for every invalid value. Absent sections keep the defaults.
void read_resilience(MapReader& r, SourceConfig& source);

}  // namespace freshguard::config::detail
