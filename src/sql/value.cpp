#include <type_traits>

#include <freshguard/core/error.hpp>
#include <freshguard/sql/value.hpp>

namespace freshguard::sql {

std::optional<WallTime> read_time(const Value& value, const TimeZone& zone,
                                  const std::string& what) {
  return std::visit(
      [&](const auto& v) -> std::optional<WallTime> {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return from_unix_number(v);  // drivers return numbers only for epoch columns
        } else if constexpr (std::is_same_v<T, WallTime>) {
          return v;
        } else if constexpr (std::is_same_v<T, NaiveTime>) {
          return zone.to_utc(v.time);
        } else if constexpr (std::is_same_v<T, std::string>) {
          auto parsed = parse_timestamp(v, zone);
          if (!parsed) throw MonitoringError(what + " holds a value that is not a timestamp");
          return parsed;
        } else if constexpr (std::is_same_v<T, OtherType>) {
          throw MonitoringError(what + " has type " + v.type +
                                ", which does not hold timestamps; freshness needs a "
                                "timestamp, date or text column");
        } else {
          throw MonitoringError(what + " holds a value that is not a finite timestamp");
        }
      },
      value);
}

}  // namespace freshguard::sql
