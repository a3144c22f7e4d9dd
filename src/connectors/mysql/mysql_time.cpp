#include "connectors/mysql/mysql_time.hpp"

#include <charconv>
#include <cstdint>

#include <freshguard/core/error.hpp>

namespace freshguard::mysql {
namespace {

constexpr unsigned kBinaryCharset = 63;

}  // namespace

TimeKind time_kind(enum_field_types type, unsigned charset) noexcept {
  switch (type) {
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_DATETIME2:
      return TimeKind::kNaive;
    case MYSQL_TYPE_TIMESTAMP:
    case MYSQL_TYPE_TIMESTAMP2:
      return TimeKind::kAbsolute;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
      return TimeKind::kDate;
    case MYSQL_TYPE_TINY:
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_LONG:
    case MYSQL_TYPE_LONGLONG:
      return TimeKind::kEpoch;
    case MYSQL_TYPE_STRING:
    case MYSQL_TYPE_VAR_STRING:
    case MYSQL_TYPE_VARCHAR:
    case MYSQL_TYPE_TINY_BLOB:
    case MYSQL_TYPE_MEDIUM_BLOB:
    case MYSQL_TYPE_LONG_BLOB:
    case MYSQL_TYPE_BLOB:
      return charset == kBinaryCharset ? TimeKind::kOther : TimeKind::kText;
    default:
      return TimeKind::kOther;
  }
}

sql::Value decode(TimeKind kind, std::string_view text) {
  // Read as UTC: right for TIMESTAMP (sessions use time_zone '+00:00'), and for DATETIME
  // and DATE the wall-clock digits as they are, which the rule's zone places later.
  const auto naive = [](WallTime t) {
    return sql::NaiveTime{std::chrono::local_time<std::chrono::microseconds>(t.time_since_epoch())};
  };
  switch (kind) {
    case TimeKind::kNaive:
    case TimeKind::kDate:
    case TimeKind::kAbsolute: {
      const auto t = parse_timestamp(text, TimeZone::utc());
      if (!t) return sql::NotFinite{};  // the zero date '0000-00-00'
      return kind == TimeKind::kAbsolute ? sql::Value{*t} : sql::Value{naive(*t)};
    }
    case TimeKind::kText:
      return std::string(text);
    case TimeKind::kEpoch: {
      std::int64_t value = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size()) return sql::NotFinite{};
      return value;
    }
    case TimeKind::kOther:
      break;
  }
  return sql::OtherType{};
}

std::optional<WallTime> text_to_time(TimeKind kind, std::string_view text, const TimeZone& zone) {
  try {
    return sql::read_time(decode(kind, text), zone, "value");
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace freshguard::mysql
