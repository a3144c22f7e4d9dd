// Snowflake dialect pieces without a server: account identifiers, config names, jsonv2
// values, and the mapping of SQL API errors to stable codes.

#include <gtest/gtest.h>

#include <freshguard/core/error.hpp>

#include "connectors/snowflake/sf_catalog.hpp"
#include "connectors/snowflake/sf_errors.hpp"
#include "connectors/snowflake/sf_values.hpp"

namespace freshguard::snowflake {
namespace {

using std::chrono::seconds;

constexpr std::int64_t kBase = 1795788000;  // 2026-11-27T14:00:00Z

TEST(SnowflakeValuesTest, AccountIdentifiers) {
  EXPECT_EQ(jwt_account("xy12345.eu-north-1.aws"), "XY12345");
  EXPECT_EQ(jwt_account("myorg-my_account"), "MYORG-MY_ACCOUNT");
  EXPECT_EQ(default_endpoint("myorg-my_account"),
            "https://myorg-my-account.snowflakecomputing.com");
  EXPECT_EQ(default_endpoint("XY12345.eu-north-1.aws"),
            "https://xy12345.eu-north-1.aws.snowflakecomputing.com");
}

TEST(SnowflakeValuesTest, ConfigNamesFoldUnlessQuoted) {
  EXPECT_EQ(object_name("analytics", "database name").str(), "ANALYTICS");
  EXPECT_EQ(object_name("\"Raw\"", "database name").str(), "Raw");
  EXPECT_THROW(object_name("a;b", "database name"), SecurityError);
  EXPECT_THROW(object_name("\"\"", "database name"), SecurityError);
}

TEST(SnowflakeValuesTest, EpochTextIsReadExactly) {
  EXPECT_EQ(epoch_micros("1795788000.123456789"), 1795788000123456);
  EXPECT_EQ(epoch_micros("1795788000"), 1795788000000000);
  EXPECT_EQ(epoch_micros("1795788000.5 1560"), 1795788000500000);
  EXPECT_EQ(epoch_micros("-1.5"), -1500000);
  for (const char* bad : {"", "abc", "1.2.3", "12x", "1e9", "9999999999999.0"}) {
    EXPECT_THROW(epoch_micros(bad), MonitoringError) << bad;
  }
}

TEST(SnowflakeValuesTest, ValuesAsTimes) {
  const auto utc = TimeZone::utc();
  const auto paris = TimeZone::named("Europe/Paris");
  const WallTime base{seconds(kBase)};
  EXPECT_EQ(value_to_time("timestamp_ltz", "1795788000.000000000", paris), base);
  // TIMESTAMP_TZ: the epoch part is UTC already; the offset (minutes + 1440) is ignored.
  EXPECT_EQ(value_to_time("TIMESTAMP_TZ", "1795788000.000000000 1560", paris), base);
  // TIMESTAMP_NTZ is wall-clock time: 14:00 in Paris (UTC+1 in November) is 13:00 UTC.
  EXPECT_EQ(value_to_time("timestamp_ntz", "1795788000.000000000", paris),
            WallTime(seconds(kBase - 3600)));
  EXPECT_EQ(value_to_time("timestamp_ntz", "1795788000.000000000", utc), base);
  EXPECT_EQ(value_to_time("date", "20784", utc), WallTime(seconds(20784LL * 86400)));
  EXPECT_EQ(value_to_time("fixed", "1795788000", utc), base);
  EXPECT_EQ(value_to_time("text", "2026-11-27T14:00:00Z", utc), base);
  EXPECT_THROW(value_to_time("date", "", utc), MonitoringError);
  EXPECT_THROW(value_to_time("fixed", "12.5", utc), MonitoringError);
  EXPECT_THROW(value_to_time("text", "yesterday", utc), MonitoringError);
  EXPECT_THROW(value_to_time("boolean", "true", utc), MonitoringError);
}

TEST(SnowflakeErrorsTest, BodiesAreParsedOnOneLine) {
  const auto e = parse_api_error(
      R"({"code":"002003","sqlState":"42S02","message":"SQL compilation error:\nObject 'A' does not exist."})");
  EXPECT_EQ(e.code, "002003");
  EXPECT_EQ(e.sql_state, "42S02");
  EXPECT_EQ(e.message, "SQL compilation error: Object 'A' does not exist.");
  EXPECT_EQ(parse_api_error("Too many requests").code, "");
  const auto long_message = parse_api_error(R"({"message":")" + std::string(500, 'x') + "\"}");
  EXPECT_EQ(long_message.message.size(), 303u);
}

TEST(SnowflakeErrorsTest, StatusesMapToStableCodes) {
  const auto code_of = [](long status, const std::string& body) {
    try {
      throw_api_error(status, body, "Snowflake statement");
    } catch (const Error& e) {
      return std::make_pair(e.code(), e.transient());
    }
    return std::make_pair(ErrorCode::kMonitoringFailed, false);
  };
  EXPECT_EQ(code_of(401, R"({"code":"390144","message":"JWT token is invalid."})"),
            std::make_pair(ErrorCode::kConnectionFailed, false));
  EXPECT_EQ(code_of(403, ""), std::make_pair(ErrorCode::kConnectionFailed, false));
  EXPECT_EQ(code_of(408, R"({"code":"000630"})"), std::make_pair(ErrorCode::kTimeout, true));
  EXPECT_EQ(code_of(429, "Too many requests"), std::make_pair(ErrorCode::kQueryFailed, true));
  EXPECT_EQ(code_of(503, ""), std::make_pair(ErrorCode::kQueryFailed, true));
  EXPECT_EQ(code_of(422, R"({"code":"001003","sqlState":"42000","message":"syntax error"})"),
            std::make_pair(ErrorCode::kQueryFailed, false));
  try {
    throw_api_error(422, R"({"code":"001003","sqlState":"42000","message":"bad"})", "X");
  } catch (const QueryError& e) {
    EXPECT_STREQ(e.what(), "X: HTTP 422 (code 001003): bad [SQLSTATE 42000]");
  }
}

TEST(SnowflakeErrorsTest, BytesForPeople) {
  EXPECT_EQ(format_mib(512), "512 B");
  EXPECT_EQ(format_mib(1536.0 * 1024 * 1024), "1.5 GiB");
}

}  // namespace
}  // namespace freshguard::snowflake
