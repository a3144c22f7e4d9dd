#pragma once
// Reading timestamp-like values that MySQL / MariaDB return as text.

#include <optional>
#include <string_view>

#include <mysql.h>

#include <freshguard/core/clock.hpp>
#include <freshguard/core/time.hpp>
#include <freshguard/sql/value.hpp>

namespace freshguard::mysql {

/// How values of a result column are read as timestamps.
enum class TimeKind {
  kNaive,     ///< DATETIME: local time in the rule's zone
  kAbsolute,  ///< TIMESTAMP: UTC (sessions use time_zone '+00:00')
  kDate,      ///< DATE: midnight in the rule's zone
  kEpoch,     ///< integer types: Unix time (seconds, ms from 1e11, us from 1e14)
  kText,      ///< CHAR, VARCHAR, TEXT (not binary): ISO-8601, naive text in the rule's zone
  kOther,     ///< anything else cannot be a freshness column
};

/// The kind of a column of type `type` with character set `charset` (63 = binary).
TimeKind time_kind(enum_field_types type, unsigned charset) noexcept;

/// Decodes `text` (as Connector/C renders a value of that kind): TIMESTAMP as an absolute
/// time, DATETIME and DATE as naive times, integers as numbers, text as text; sql::NotFinite
/// for a value that is no valid timestamp (the zero date), sql::OtherType for kOther.
sql::Value decode(TimeKind kind, std::string_view text);

/// Converts `text` (as Connector/C renders a value of that kind) to UTC. nullopt when it is
/// not a valid timestamp (e.g. the zero date '0000-00-00') or the kind is kOther.
std::optional<WallTime> text_to_time(TimeKind kind, std::string_view text, const TimeZone& zone);

}  // namespace freshguard::mysql
