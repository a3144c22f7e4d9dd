#pragma once
// Test helpers over Connector::aggregate() for kinds no monitor asks for yet.

#include <optional>

#include <freshguard/connectors/connector.hpp>

namespace freshguard::testing {

/// MIN of `column` in `table` as a UTC time (read like Connector::max_timestamp).
inline std::optional<WallTime> min_timestamp(Connector& c, const sql::QualifiedName& table,
                                             const sql::Identifier& column, const TimeZone& zone) {
  return sql::read_time(c.aggregate(AggregateRequest{sql::Aggregate::kMin, table, column, {}}),
                        zone, "column \"" + column.str() + "\" of " + table.display());
}

}  // namespace freshguard::testing
