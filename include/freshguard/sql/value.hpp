#pragma once
/// The one value a data query returns, decoded by the engine's driver into what the engine
/// knows about it, and read by the connector core as a count or a timestamp in a rule's zone.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include <freshguard/core/time.hpp>

namespace freshguard::sql {

/// A timestamp without a zone (TIMESTAMP, DATETIME, DATE): read in the rule's zone.
struct NaiveTime {
  std::chrono::local_time<std::chrono::microseconds> time;
};

/// A value of a type that holds no timestamp (e.g. a BOOLEAN column asked for its MAX);
/// `type` as the engine names it.
struct OtherType {
  std::string type;
};

/// A timestamp-typed value that is no finite timestamp (PostgreSQL's 'infinity', a date
/// outside the representable range).
struct NotFinite {};

/// NULL (std::monostate: an empty table, a column of NULLs), an integer (a count; on engines
/// that allow it a Unix-epoch number), an absolute time, a naive time, text (ISO-8601 text
/// columns; parsed in the rule's zone), or one of the two refusals above.
using Value = std::variant<std::monostate, std::int64_t, WallTime, NaiveTime, std::string,
                           OtherType, NotFinite>;

/// `value` as a UTC time: NULL is nullopt; an integer is Unix time (from_unix_number; drivers
/// return integers only for columns whose engine keeps epochs in them); a naive time and
/// text without an offset are read in `zone`. Throws MonitoringError naming `what` (`column
/// "x" of public.t`) for text that is no timestamp, a type that holds none, or a non-finite
/// value.
std::optional<WallTime> read_time(const Value& value, const TimeZone& zone,
                                  const std::string& what);

}  // namespace freshguard::sql
