#include "connectors/snowflake/sf_values.hpp"

#include <algorithm>
#include <cctype>

#include <freshguard/core/error.hpp>

namespace freshguard::snowflake {
namespace {

using std::chrono::microseconds;

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool all_digits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// An optionally negative integer of at most `max_digits` digits.
bool is_integer(std::string_view text, std::size_t max_digits) {
  if (!text.empty() && text.front() == '-') text.remove_prefix(1);
  return all_digits(text) && text.size() <= max_digits;
}

[[noreturn]] void unreadable(std::string_view type) {
  throw MonitoringError("Snowflake returned an unreadable " + upper(type) + " value");
}

}  // namespace

std::string upper(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

std::string jwt_account(std::string_view account) {
  const auto dot = account.find('.');
  return upper(dot == std::string_view::npos ? account : account.substr(0, dot));
}

std::string default_endpoint(std::string_view account) {
  std::string host = lower(account);
  std::replace(host.begin(), host.end(), '_', '-');
  return "https://" + host + ".snowflakecomputing.com";
}

sql::Identifier object_name(std::string_view text, std::string_view what) {
  if (text.size() >= 2 && text.front() == '"' && text.back() == '"') {
    return sql::Identifier::parse(text.substr(1, text.size() - 2), what);
  }
  return sql::Identifier::parse(upper(text), what);
}

std::int64_t epoch_micros(std::string_view text) {
  text = text.substr(0, text.find(' '));  // TIMESTAMP_TZ: "<seconds> <offset>"
  const bool negative = !text.empty() && text.front() == '-';
  if (negative) text.remove_prefix(1);
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  std::string fraction(dot == std::string_view::npos ? "" : text.substr(dot + 1));
  if (!all_digits(whole) || whole.size() > 12 || (!fraction.empty() && !all_digits(fraction))) {
    throw MonitoringError("Snowflake returned an unreadable timestamp value");
  }
  fraction.resize(6, '0');  // microseconds: keep six digits
  const std::int64_t micros = std::stoll(std::string(whole)) * 1000000 + std::stoll(fraction);
  return negative ? -micros : micros;
}

sql::Value decode(std::string_view type, const std::string& value) {
  const std::string t = lower(type);
  if (t == "timestamp_ltz" || t == "timestamp_tz")
    return WallTime(microseconds(epoch_micros(value)));
  if (t == "timestamp_ntz") {
    // Wall-clock time encoded as if it were UTC: a local time in the rule's zone.
    return sql::NaiveTime{std::chrono::local_time<microseconds>(microseconds(epoch_micros(value)))};
  }
  if (t == "date") {
    if (!is_integer(value, 8)) unreadable(type);
    return sql::NaiveTime{
        std::chrono::local_time<microseconds>(std::chrono::days(std::stoll(value)))};
  }
  if (t == "fixed") {
    if (!is_integer(value, 18)) unreadable(type);
    return std::int64_t{std::stoll(value)};
  }
  if (t == "text") return value;
  return sql::OtherType{upper(type)};
}

WallTime value_to_time(std::string_view type, const std::string& value, const TimeZone& zone) {
  const auto t = sql::read_time(decode(type, value), zone, "a Snowflake " + upper(type) + " value");
  if (!t) unreadable(type);
  return *t;
}

}  // namespace freshguard::snowflake
