#include "connectors/mysql/mysql_time.hpp"

#include <charconv>
#include <cstdint>

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

std::optional<WallTime> text_to_time(TimeKind kind, std::string_view text, const TimeZone& zone) {
  switch (kind) {
    case TimeKind::kNaive:
    case TimeKind::kDate:
    case TimeKind::kText:
      return parse_timestamp(text, zone);
    case TimeKind::kAbsolute:
      return parse_timestamp(text, TimeZone::utc());
    case TimeKind::kEpoch: {
      std::int64_t value = 0;
      const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
      if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
      return from_unix_number(value);
    }
    case TimeKind::kOther:
      break;
  }
  return std::nullopt;
}

}  // namespace freshguard::mysql
