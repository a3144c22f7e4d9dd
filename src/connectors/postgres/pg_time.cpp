#include "connectors/postgres/pg_time.hpp"

namespace freshguard::pg {

bool is_time_type(unsigned type_oid) noexcept {
  switch (type_oid) {
    case kTimestamptzOid:
    case kTimestampOid:
    case kDateOid:
    case kTextOid:
    case kVarcharOid:
    case kBpcharOid:
      return true;
    default:
      return false;
  }
}

sql::Value decode_time(unsigned type_oid, std::string_view text) {
  if (type_oid == kTextOid || type_oid == kVarcharOid || type_oid == kBpcharOid) {
    // character(n) pads with spaces.
    const auto end = text.find_last_not_of(' ');
    return std::string(end == std::string_view::npos ? std::string_view()
                                                     : text.substr(0, end + 1));
  }
  // Read as UTC: right for timestamptz (the text has its offset), and for timestamp and
  // date the wall-clock digits as they are, which the rule's zone places later.
  const auto t = parse_timestamp(text, TimeZone::utc());
  if (!t) return sql::NotFinite{};
  if (type_oid == kTimestamptzOid) return *t;
  return sql::NaiveTime{std::chrono::local_time<std::chrono::microseconds>(t->time_since_epoch())};
}

}  // namespace freshguard::pg
