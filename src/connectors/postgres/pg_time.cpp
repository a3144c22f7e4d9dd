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

std::optional<WallTime> text_to_time(unsigned type_oid, std::string_view text,
                                     const TimeZone& zone) {
  if (!is_time_type(type_oid)) return std::nullopt;
  if (type_oid == kBpcharOid) {
    // character(n) pads with spaces.
    const auto end = text.find_last_not_of(' ');
    text = end == std::string_view::npos ? std::string_view() : text.substr(0, end + 1);
  }
  // A timestamptz always carries its offset, so the zone only matters for the others.
  return parse_timestamp(text, type_oid == kTimestamptzOid ? TimeZone::utc() : zone);
}

}  // namespace freshguard::pg
