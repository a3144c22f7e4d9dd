#pragma once
// Reading timestamp-like values returned by PostgreSQL in text format.

#include <optional>
#include <string_view>

#include <freshguard/core/clock.hpp>
#include <freshguard/core/time.hpp>
#include <freshguard/sql/value.hpp>

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

/// Decodes `text` (PostgreSQL's ISO output) of time type `type_oid` (is_time_type):
/// timestamptz (its text carries the offset; sessions run in UTC) as an absolute time,
/// timestamp and date as naive times, text as text (character(n) without its padding);
/// sql::NotFinite for values such as 'infinity' or BC dates.
sql::Value decode_time(unsigned type_oid, std::string_view text);

}  // namespace freshguard::pg
