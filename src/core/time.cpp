#include <cstdlib>
#include <string>
#include <vector>

#include <date/date.h>
#include <date/tz.h>

#include <freshguard/core/error.hpp>
#include <freshguard/core/time.hpp>

namespace freshguard {
namespace {

using std::chrono::microseconds;
using std::chrono::minutes;

// A tiny cursor over the text being parsed.
struct Cursor {
  std::string_view s;
  size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i;
    return true;
  }
  // Reads exactly n digits.
  std::optional<int> digits(size_t n) {
    if (i + n > s.size()) return std::nullopt;
    int v = 0;
    for (size_t k = 0; k < n; ++k) {
      char c = s[i + k];
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    i += n;
    return v;
  }
};

std::optional<minutes> parse_offset(Cursor& c) {
  if (c.eat('Z') || c.eat('z')) return minutes(0);
  if (c.s.substr(c.i) == "UTC" || c.s.substr(c.i) == " UTC") {
    c.i = c.s.size();
    return minutes(0);
  }
  c.eat(' ');
  int sign = 0;
  if (c.eat('+')) {
    sign = 1;
  } else if (c.eat('-')) {
    sign = -1;
  } else {
    return std::nullopt;
  }
  auto hh = c.digits(2);
  if (!hh || *hh > 23) return std::nullopt;
  int mm = 0;
  if (!c.done()) {
    c.eat(':');
    auto m = c.digits(2);
    if (!m || *m > 59) return std::nullopt;
    mm = *m;
  }
  return minutes(sign * (*hh * 60 + mm));
}

}  // namespace

TimeZone::TimeZone() : name_("UTC") {}

TimeZone TimeZone::named(std::string_view name) {
  TimeZone tz;
  if (name.empty() || name == "UTC" || name == "utc" || name == "Z") return tz;
  if (name[0] == '+' || name[0] == '-') {
    Cursor c{name};
    auto off = parse_offset(c);
    if (!off || !c.done()) {
      throw ConfigError("unknown time zone \"" + std::string(name) +
                        "\": offsets are written +HH:MM or -HH:MM");
    }
    tz.name_ = std::string(name);
    tz.offset_ = *off;
    return tz;
  }
  try {
    tz.zone_ = date::locate_zone(std::string(name));
  } catch (const std::exception&) {
    throw ConfigError("unknown time zone \"" + std::string(name) +
                      "\": use an IANA name such as Europe/Paris, UTC, or an offset +HH:MM");
  }
  tz.name_ = std::string(name);
  return tz;
}

WallTime TimeZone::to_utc(std::chrono::local_time<microseconds> local) const {
  if (zone_ == nullptr) {
    return WallTime(local.time_since_epoch() - offset_);
  }
  const auto* zone = static_cast<const date::time_zone*>(zone_);
  date::local_time<microseconds> dl(local.time_since_epoch());
  auto info = zone->get_info(dl);
  switch (info.result) {
    case date::local_info::unique:
    case date::local_info::ambiguous:
      return WallTime(local.time_since_epoch() - info.first.offset);
    case date::local_info::nonexistent:
    default:
      // The local time falls in a gap: it is read with the offset before the gap, which
      // lands just after the transition.
      return WallTime(local.time_since_epoch() - info.first.offset);
  }
}

std::optional<WallTime> parse_timestamp(std::string_view text, const TimeZone& zone) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t'))
    text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
    text.remove_suffix(1);
  Cursor c{text};
  auto y = c.digits(4);
  if (!y || !c.eat('-')) return std::nullopt;
  auto mo = c.digits(2);
  if (!mo || !c.eat('-')) return std::nullopt;
  auto d = c.digits(2);
  if (!d) return std::nullopt;
  date::year_month_day ymd{date::year(*y), date::month(static_cast<unsigned>(*mo)),
                           date::day(static_cast<unsigned>(*d))};
  if (!ymd.ok()) return std::nullopt;
  microseconds tod{0};
  std::optional<minutes> offset;
  if (!c.done()) {
    if (!c.eat('T') && !c.eat('t') && !c.eat(' ')) {
      return std::nullopt;
    }
    auto hh = c.digits(2);
    if (!hh || *hh > 23 || !c.eat(':')) return std::nullopt;
    auto mi = c.digits(2);
    if (!mi || *mi > 59) return std::nullopt;
    int ss = 0;
    long frac_us = 0;
    if (c.eat(':')) {
      auto s = c.digits(2);
      if (!s || *s > 60) return std::nullopt;  // 60: leap second, folded below
      ss = *s;
      if (c.eat('.') || c.eat(',')) {
        long scale = 100000;
        size_t start = c.i;
        while (!c.done() && c.peek() >= '0' && c.peek() <= '9') {
          if (scale > 0) {
            frac_us += (c.peek() - '0') * scale;
            scale /= 10;
          }
          ++c.i;
        }
        if (c.i == start) return std::nullopt;
      }
    }
    tod = std::chrono::hours(*hh) + minutes(*mi) + std::chrono::seconds(ss) + microseconds(frac_us);
    if (!c.done()) {
      offset = parse_offset(c);
      if (!offset || !c.done()) return std::nullopt;
    }
  }
  auto days = date::sys_days(ymd).time_since_epoch();
  microseconds since_epoch = std::chrono::duration_cast<microseconds>(days) + tod;
  if (offset) return WallTime(since_epoch - *offset);
  return zone.to_utc(std::chrono::local_time<microseconds>(since_epoch));
}

WallTime from_unix_number(std::int64_t value) {
  const std::int64_t magnitude = value < 0 ? -value : value;
  if (magnitude >= 100'000'000'000'000) return WallTime(microseconds(value));
  if (magnitude >= 100'000'000'000) return WallTime(microseconds(value * 1000));
  return WallTime(microseconds(value * 1'000'000));
}

std::string format_iso8601(WallTime t) {
  auto us = t.time_since_epoch().count() % 1000000;
  if (us == 0) {
    return date::format("%FT%TZ", std::chrono::time_point_cast<std::chrono::seconds>(t));
  }
  return date::format("%FT%TZ", t);
}

std::string format_duration(std::chrono::seconds d) {
  long long s = d.count();
  const bool negative = s < 0;
  if (negative) s = -s;
  const long long days = s / 86400;
  const long long hours = (s % 86400) / 3600;
  const long long mins = (s % 3600) / 60;
  const long long secs = s % 60;
  // Two units are enough for people: "3d 2h", "2h 5m", "4m 10s".
  std::vector<std::string> parts;
  if (days > 0) parts.push_back(std::to_string(days) + "d");
  if (hours > 0) parts.push_back(std::to_string(hours) + "h");
  if (mins > 0 && days == 0) parts.push_back(std::to_string(mins) + "m");
  if ((secs > 0 && days == 0 && hours == 0) || s == 0) parts.push_back(std::to_string(secs) + "s");
  std::string out = negative ? "-" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += ' ';
    out += parts[i];
  }
  return out;
}

}  // namespace freshguard
