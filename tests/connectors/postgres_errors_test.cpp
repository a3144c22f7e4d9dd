// PostgreSQL error classification and value conversion: pure functions, no server needed.

#include <gtest/gtest.h>

#include <freshguard/core/error.hpp>

#include "connectors/postgres/pg_errors.hpp"
#include "connectors/postgres/pg_time.hpp"

namespace freshguard::pg {
namespace {

struct Expected {
  const char* sqlstate;
  ErrorCode code;
  bool transient;
  bool poisoned;
  const char* message_part;
};

Error classify(const char* state) {
  try {
    throw_sqlstate_error(state, "wh", "raw server text with host db.internal:5432");
  } catch (const Error& e) {
    return e;
  }
  return Error(ErrorCode::kMonitoringFailed, "did not throw");
}

TEST(PgErrorsTest, ClassifiesBySqlstate) {
  const Expected cases[] = {
      {"08006", ErrorCode::kConnectionFailed, true, true, "lost the connection to source \"wh\""},
      {"08001", ErrorCode::kConnectionFailed, true, true, "lost the connection"},
      {"57P01", ErrorCode::kConnectionFailed, true, true, "ended the session"},
      {"57P02", ErrorCode::kConnectionFailed, true, true, "ended the session"},
      {"57P03", ErrorCode::kConnectionFailed, true, true, "starting up or shutting down"},
      {"53300", ErrorCode::kConnectionFailed, true, true, "no free connection slots"},
      {"57014", ErrorCode::kTimeout, true, true, "statement timeout"},
      {"28P01", ErrorCode::kConnectionFailed, false, true,
       "authentication failed for source \"wh\""},
      {"28000", ErrorCode::kConnectionFailed, false, true, "authentication failed"},
      {"3D000", ErrorCode::kConnectionFailed, false, true,
       "database of source \"wh\" does not exist"},
      {"42501", ErrorCode::kQueryFailed, false, false, "permission denied on source \"wh\""},
      {"42P01", ErrorCode::kQueryFailed, false, false, "table or schema not found"},
      {"3F000", ErrorCode::kQueryFailed, false, false, "table or schema not found"},
      {"42703", ErrorCode::kQueryFailed, false, false, "column not found"},
      {"40001", ErrorCode::kQueryFailed, true, false, "conflicted with another transaction"},
      {"40P01", ErrorCode::kQueryFailed, true, false, "conflicted"},
      {"55P03", ErrorCode::kQueryFailed, true, false, "conflicted"},
      {"53200", ErrorCode::kQueryFailed, true, false, "out of resources"},
      {"42601", ErrorCode::kQueryFailed, false, false, "query failed on source \"wh\""},
      {"XX000", ErrorCode::kQueryFailed, false, false, "query failed"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.sqlstate);
    const Error e = classify(c.sqlstate);
    EXPECT_EQ(e.code(), c.code);
    EXPECT_EQ(e.transient(), c.transient);
    EXPECT_EQ(e.connection_poisoned(), c.poisoned);
    const std::string msg = e.what();
    EXPECT_NE(msg.find(c.message_part), std::string::npos) << msg;
    EXPECT_NE(msg.find(std::string("SQLSTATE ") + c.sqlstate), std::string::npos) << msg;
    // The raw server text stays in the detail, out of the message.
    EXPECT_EQ(msg.find("db.internal"), std::string::npos) << msg;
    EXPECT_EQ(e.detail(), "raw server text with host db.internal:5432");
  }
}

TEST(PgErrorsTest, SqlstateOfVerboseConnectMessages) {
  EXPECT_EQ(sqlstate_in_message("connection to server at \"127.0.0.1\", port 5432 failed: "
                                "FATAL:  28P01: password authentication failed for user \"x\"\n"
                                "LOCATION:  auth_failed, auth.c:326\n"),
            "28P01");
  EXPECT_EQ(sqlstate_in_message("ERROR:  3D000: database \"nope\" does not exist"), "3D000");
  EXPECT_EQ(sqlstate_in_message("FATAL:  password authentication failed"), "");
  EXPECT_EQ(sqlstate_in_message("FATAL:  28p01: lower case is not a SQLSTATE"), "");
  EXPECT_EQ(sqlstate_in_message("connection refused"), "");
  EXPECT_EQ(sqlstate_in_message("FATAL:  123"), "");
}

Error connect_error(const char* message) {
  try {
    throw_connect_error("wh", message);
  } catch (const Error& e) {
    return e;
  }
  return Error(ErrorCode::kMonitoringFailed, "did not throw");
}

TEST(PgErrorsTest, ConnectFailuresWithSqlstateUseIt) {
  const Error e = connect_error(
      "connection to server at \"10.1.2.3\", port 5432 failed: FATAL:  28P01: password "
      "authentication failed for user \"fg\"");
  EXPECT_EQ(e.code(), ErrorCode::kConnectionFailed);
  EXPECT_FALSE(e.transient());
  EXPECT_STREQ(e.what(), "authentication failed for source \"wh\" (SQLSTATE 28P01)");
}

TEST(PgErrorsTest, ClientSideConnectFailures) {
  const struct {
    const char* libpq;
    bool transient;
    const char* part;
  } cases[] = {
      {"connection to server at \"h\" failed: SSL error: certificate verify failed", false,
       "not signed by a trusted CA"},
      {"server certificate for \"localhost\" does not match host name \"127.0.0.2\"", false,
       "does not match the host name"},
      {"root certificate file \"/x/root.crt\" does not exist", false, "readable CA certificate"},
      {"server does not support SSL, but SSL was required", false, "ssl: disable"},
      {"fe_sendauth: no password supplied", false, "authentication failed"},
      {"could not translate host name \"nope.invalid\" to address", true, "host name"},
      {"connection to server at \"h\" failed: Connection refused", true, "connection refused"},
      {"something nobody expected", true, "cannot connect to source \"wh\""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.libpq);
    const Error e = connect_error(c.libpq);
    EXPECT_EQ(e.code(), ErrorCode::kConnectionFailed);
    EXPECT_EQ(e.transient(), c.transient);
    EXPECT_TRUE(e.connection_poisoned());
    EXPECT_NE(std::string(e.what()).find(c.part), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("\"h\""), std::string::npos) << e.what();
    EXPECT_EQ(e.detail(), c.libpq);
  }
}

TEST(PgErrorsTest, ConnectionLost) {
  try {
    throw_connection_lost("wh", "server closed the connection unexpectedly");
    FAIL();
  } catch (const ConnectionError& e) {
    EXPECT_TRUE(e.transient());
    EXPECT_STREQ(e.what(), "lost the connection to source \"wh\"");
  }
}

// Decoded by type, then read as the connector core reads every engine's values; nullopt
// where the core would refuse the value.
std::optional<WallTime> text_to_time(unsigned type, std::string_view text, const TimeZone& zone) {
  if (!is_time_type(type)) return std::nullopt;
  try {
    return sql::read_time(decode_time(type, text), zone, "value");
  } catch (const MonitoringError&) {
    return std::nullopt;
  }
}

TEST(PgTimeTest, ConvertsByType) {
  const auto paris = TimeZone::named("+02:00");
  const auto utc = [](const char* text) { return *parse_timestamp(text, TimeZone::utc()); };
  // timestamptz carries its offset: the zone does not matter.
  EXPECT_EQ(text_to_time(kTimestamptzOid, "2026-03-01 10:00:00.25+00", paris),
            utc("2026-03-01T10:00:00.25Z"));
  EXPECT_EQ(text_to_time(kTimestamptzOid, "2026-03-01 15:30:00+05:30", paris),
            utc("2026-03-01T10:00:00Z"));
  // Naive values are read in the zone.
  EXPECT_EQ(text_to_time(kTimestampOid, "2026-03-01 12:00:00", paris), utc("2026-03-01T10:00:00Z"));
  EXPECT_EQ(text_to_time(kDateOid, "2026-03-01", paris), utc("2026-02-28T22:00:00Z"));
  EXPECT_EQ(text_to_time(kTextOid, "2026-03-01T12:00:00Z", paris), utc("2026-03-01T12:00:00Z"));
  EXPECT_EQ(text_to_time(kVarcharOid, "2026-03-01 12:00", paris), utc("2026-03-01T10:00:00Z"));
  EXPECT_EQ(text_to_time(kBpcharOid, "2026-03-01 12:00:00   ", paris), utc("2026-03-01T10:00:00Z"));
  EXPECT_EQ(text_to_time(kBpcharOid, "   ", paris), std::nullopt);
  EXPECT_EQ(text_to_time(kTimestamptzOid, "infinity", paris), std::nullopt);
  EXPECT_EQ(text_to_time(kTimestampOid, "0044-03-15 12:00:00 BC", paris), std::nullopt);
  EXPECT_EQ(text_to_time(23 /* int4 */, "1700000000", paris), std::nullopt);
  EXPECT_FALSE(is_time_type(23));
  EXPECT_TRUE(is_time_type(kDateOid));
}

}  // namespace
}  // namespace freshguard::pg
