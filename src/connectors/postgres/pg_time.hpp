#pragma once
// Reading timestamp-like values returned by PostgreSQL in text format.

#include <optional>
#include <string_view>

#include <freshguard/core/clock.hpp>
#include <freshguard/core/time.hpp>

namespace freshguard::pg {

/// Type OIDs (pg_type.oid; fixed since PostgreSQL 7) of the types a freshness column may have.
inline constexpr unsigned kTimestamptzOid = 1184;
inline constexpr unsigned kTimestampOid = 1114;
inline constexpr unsigned kDateOid = 1082;
inline constexpr unsigned kTextOid = 25;
inline constexpr unsigned kVarcharOid = 1043;
inline constexpr unsigned kBpcharOid = 1042;

/// True when values of type `type_oid` can be read as timestamps.
bool is_time_type(unsigned type_oid) noexcept;

/// Converts `text` (PostgreSQL's ISO output, or ISO-8601 in a text column) of type
/// `type_oid` to UTC. timestamptz text carries its offset (sessions run in UTC); timestamp,
/// date and text without an offset are read in `zone`. nullopt when the text is not a
/// finite timestamp (e.g. 'infinity', BC dates) or the type is not a time type.
std::optional<WallTime> text_to_time(unsigned type_oid, std::string_view text,
                                     const TimeZone& zone);

}  // namespace freshguard::pg
