#pragma once
/// Time zones, timestamp parsing and formatting.
///
/// Databases hand back timestamps with and without a UTC offset. A timestamp without one
/// ("naive") is read in the rule's time zone, UTC unless the rule names another.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <freshguard/core/clock.hpp>

namespace freshguard {

/// A time zone: UTC, a fixed offset ("+05:30") or an IANA name ("Europe/Paris").
/// Cheap to copy; immutable; thread-safe.
class TimeZone {
 public:
  /// UTC.
  TimeZone();
  /// Looks up `name`: "UTC", a fixed offset "+HH:MM"/"-HH:MM", or an IANA zone name from the
  /// system's tz database. Throws ConfigError naming the zone when it is unknown.
  static TimeZone named(std::string_view name);
  static TimeZone utc() { return TimeZone(); }

  const std::string& name() const noexcept { return name_; }
  /// Converts a local (naive) time in this zone to UTC. A local time that occurs twice (DST
  /// fall-back) resolves to the earlier instant; one that does not exist (spring-forward)
  /// resolves to the instant just after the gap.
  WallTime to_utc(std::chrono::local_time<std::chrono::microseconds> local) const;

 private:
  std::string name_;
  const void* zone_ = nullptr;  // date::time_zone, owned by the tz database
  std::chrono::minutes offset_{0};
};

/// Parses SQL/ISO-8601 timestamp text: `YYYY-MM-DD`, optionally followed by `T` or a space
/// and `HH:MM[:SS[.fraction]]`, optionally followed by `Z`, `UTC` or an offset `+HH[[:]MM]`.
/// Text without an offset is read in `zone`. Returns nullopt when the text is not such a
/// timestamp or names an impossible date.
std::optional<WallTime> parse_timestamp(std::string_view text, const TimeZone& zone);

/// Unix time as stored in integer columns: seconds, or milliseconds when the magnitude is at
/// least 1e11 (year 5138 in seconds), or microseconds from 1e14.
WallTime from_unix_number(std::int64_t value);

/// Formats as ISO-8601 UTC: `2026-11-27T14:03:07Z`, with `.ffffff` when there are
/// sub-second digits.
std::string format_iso8601(WallTime t);

/// Formats a duration for people: `3d 2h 5m`, `4m 10s`, `0s`. Negative durations get a `-`.
std::string format_duration(std::chrono::seconds d);

}  // namespace freshguard
