// Classification of MySQL / MariaDB failures by error number and SQLSTATE, the MySQL
// statement-time hint, and the reading of timestamp-like values: pure functions, no server.

#include "connectors/mysql/mysql_errors.hpp"

#include <gtest/gtest.h>

#include <freshguard/core/error.hpp>

#include "connectors/mysql/mysql_session.hpp"
#include "connectors/mysql/mysql_time.hpp"

namespace freshguard {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

struct Expected {
  unsigned err;
  const char* sqlstate;
  bool connecting;
  ErrorCode code;
  bool transient;
  const char* phrase;  // part of the safe message
};

// Throws the error for `x` and checks it; the raw text says the opposite of the number, so
// only the number may decide.
void check(const Expected& x) {
  SCOPED_TRACE("error " + std::to_string(x.err) + (x.connecting ? " while connecting" : ""));
  const std::string raw = "Access denied; deadlock; certificate verify failed; password=hunter2";
  try {
    mysql::throw_error("wh", x.err, x.sqlstate, raw, x.connecting);
    FAIL() << "nothing thrown";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), x.code) << x.err;
    EXPECT_EQ(e.transient(), x.transient) << x.err;
    const std::string what = e.what();
    EXPECT_NE(what.find(x.phrase), std::string::npos) << what;
    EXPECT_NE(what.find("source \"wh\""), std::string::npos) << what;
    EXPECT_NE(what.find("error " + std::to_string(x.err)), std::string::npos) << what;
    EXPECT_EQ(what.find("hunter2"), std::string::npos) << what;
    EXPECT_EQ(e.detail(), raw);
    // Connection-level failures and timeouts poison the connection; query errors do not.
    EXPECT_EQ(e.connection_poisoned(),
              x.code == ErrorCode::kConnectionFailed || x.code == ErrorCode::kTimeout);
  }
}

using E = ErrorCode;
constexpr Expected kCases[] = {
    Expected{2002, "HY000", true, E::kConnectionFailed, true, "cannot connect to"},
    Expected{2003, "HY000", true, E::kConnectionFailed, true, "cannot connect to"},
    Expected{2006, "HY000", false, E::kConnectionFailed, true, "lost the connection to"},
    Expected{2013, "HY000", false, E::kConnectionFailed, true, "lost the connection to"},
    Expected{2055, "HY000", false, E::kConnectionFailed, true, "lost the connection to"},
    Expected{5014, "HY000", false, E::kConnectionFailed, true, "lost the connection to"},
    Expected{1040, "08004", true, E::kConnectionFailed, true, "no free connection slots"},
    Expected{1203, "42000", true, E::kConnectionFailed, true, "no free connection slots"},
    Expected{1053, "08S01", false, E::kConnectionFailed, true, "shutting down"},
    Expected{1927, "70100", false, E::kConnectionFailed, true, "ended the session"},
    Expected{2005, "HY000", true, E::kConnectionFailed, true, "resolve the host name"},
    Expected{1045, "28000", true, E::kConnectionFailed, false, "authentication failed for"},
    Expected{1698, "28000", true, E::kConnectionFailed, false, "authentication failed for"},
    Expected{2059, "HY000", true, E::kConnectionFailed, false, "authentication failed for"},
    Expected{2061, "HY000", true, E::kConnectionFailed, false, "authentication failed for"},
    Expected{2026, "HY000", true, E::kConnectionFailed, false, "TLS failed"},
    Expected{1049, "42000", true, E::kConnectionFailed, false, "does not exist or may not"},
    Expected{1044, "42000", true, E::kConnectionFailed, false, "does not exist or may not"},
    Expected{1317, "70100", false, E::kTimeout, true, "interrupted on the server"},
    Expected{1969, "70100", false, E::kTimeout, true, "statement time limit"},
    Expected{3024, "HY000", false, E::kTimeout, true, "statement time limit"},
    Expected{1205, "HY000", false, E::kQueryFailed, true, "conflicted with another"},
    Expected{1213, "40001", false, E::kQueryFailed, true, "conflicted with another"},
    Expected{1142, "42000", false, E::kQueryFailed, false, "permission denied"},
    Expected{1143, "42000", false, E::kQueryFailed, false, "permission denied"},
    Expected{1227, "42000", false, E::kQueryFailed, false, "permission denied"},
    Expected{1044, "42000", false, E::kQueryFailed, false, "permission denied"},
    Expected{1146, "42S02", false, E::kQueryFailed, false, "not found"},
    Expected{1054, "42S22", false, E::kQueryFailed, false, "not found"},
    Expected{1049, "42000", false, E::kQueryFailed, false, "not found"},
    // Numbers we do not know fall back to the SQLSTATE.
    Expected{4999, "40001", false, E::kQueryFailed, true, "conflicted with another"},
    Expected{4998, "08S01", false, E::kConnectionFailed, true, "lost the connection to"},
    Expected{1064, "42000", false, E::kQueryFailed, false, "query failed on"},
    Expected{1792, "25006", false, E::kQueryFailed, false, "query failed on"}};

TEST(MysqlErrorsTest, ClassifiedByNumberNeverByText) {
  for (const auto& x : kCases)
    check(x);
}

TEST(MysqlErrorCodesTest, SqlstateIsShownUnlessGeneric) {
  try {
    mysql::throw_error("s", 1146, "42S02", "raw", false);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(error 1146, SQLSTATE 42S02)"), std::string::npos);
  }
  try {
    mysql::throw_error("s", 2013, "HY000", "raw", false);
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("(error 2013)"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(mysql::is_client_error(2000));
  EXPECT_TRUE(mysql::is_client_error(5026));
  EXPECT_FALSE(mysql::is_client_error(1999));
  EXPECT_FALSE(mysql::is_client_error(3024));
}

TEST(MysqlTimeLimitTest, MysqlSelectsGetTheHintMariadbSessionsDoNot) {
  using mysql::Flavour;
  EXPECT_EQ(mysql::with_time_limit(Flavour::kMysql, milliseconds(2500), "SELECT COUNT(*) FROM t"),
            "SELECT /*+ MAX_EXECUTION_TIME(2500) */ COUNT(*) FROM t");
  EXPECT_EQ(mysql::with_time_limit(Flavour::kMariadb, milliseconds(2500), "SELECT 1"), "SELECT 1");
  EXPECT_EQ(mysql::with_time_limit(Flavour::kMysql, milliseconds(2500), "SET SESSION x = 1"),
            "SET SESSION x = 1");
}

WallTime at(const char* iso) {
  return *parse_timestamp(iso, TimeZone::utc());
}

TEST(MysqlTimeTest, KindsFollowTheResultType) {
  using mysql::TimeKind;
  EXPECT_EQ(mysql::time_kind(MYSQL_TYPE_DATETIME, 63), TimeKind::kNaive);
  EXPECT_EQ(mysql::time_kind(MYSQL_TYPE_DATETIME2, 63), TimeKind::kNaive);
  EXPECT_EQ(mysql::time_kind(MYSQL_TYPE_TIMESTAMP, 63), TimeKind::kAbsolute);
  EXPECT_EQ(mysql::time_kind(MYSQL_TYPE_TIMESTAMP2, 63), TimeKind::kAbsolute);
  EXPECT_EQ(mysql::time_kind(MYSQL_TYPE_DATE, 63), TimeKind::kDate);
  EXPECT_EQ(mysql::time_kind(MYSQL_TYPE_NEWDATE, 63), TimeKind::kDate);
  for (const auto t : {MYSQL_TYPE_TINY, MYSQL_TYPE_SHORT, MYSQL_TYPE_INT24, MYSQL_TYPE_LONG,
                       MYSQL_TYPE_LONGLONG}) {
    EXPECT_EQ(mysql::time_kind(t, 63), TimeKind::kEpoch);
  }
  for (const auto t :
       {MYSQL_TYPE_STRING, MYSQL_TYPE_VAR_STRING, MYSQL_TYPE_VARCHAR, MYSQL_TYPE_TINY_BLOB,
        MYSQL_TYPE_MEDIUM_BLOB, MYSQL_TYPE_LONG_BLOB, MYSQL_TYPE_BLOB}) {
    EXPECT_EQ(mysql::time_kind(t, 45), TimeKind::kText);
    EXPECT_EQ(mysql::time_kind(t, 63), TimeKind::kOther);  // binary: not text
  }
  for (const auto t : {MYSQL_TYPE_DOUBLE, MYSQL_TYPE_NEWDECIMAL, MYSQL_TYPE_TIME, MYSQL_TYPE_YEAR,
                       MYSQL_TYPE_JSON}) {
    EXPECT_EQ(mysql::time_kind(t, 45), TimeKind::kOther);
  }
}

TEST(MysqlTimeTest, ValuesAreReadPerKind) {
  using mysql::TimeKind;
  const auto paris = TimeZone::named("Europe/Paris");
  EXPECT_EQ(mysql::text_to_time(TimeKind::kNaive, "2026-11-27 14:00:00.250000", paris),
            at("2026-11-27T13:00:00.25Z"));
  EXPECT_EQ(mysql::text_to_time(TimeKind::kAbsolute, "2026-11-27 14:00:00", paris),
            at("2026-11-27T14:00:00Z"));
  EXPECT_EQ(mysql::text_to_time(TimeKind::kDate, "2026-11-27", paris), at("2026-11-26T23:00:00Z"));
  EXPECT_EQ(mysql::text_to_time(TimeKind::kEpoch, "1795788000", paris),
            WallTime(seconds(1795788000)));
  EXPECT_EQ(mysql::text_to_time(TimeKind::kEpoch, "1795788000000", paris),
            WallTime(seconds(1795788000)));
  EXPECT_EQ(mysql::text_to_time(TimeKind::kText, "2026-11-27T14:00:00+02:00", paris),
            at("2026-11-27T12:00:00Z"));
  EXPECT_FALSE(mysql::text_to_time(TimeKind::kNaive, "0000-00-00 00:00:00", paris));
  EXPECT_FALSE(mysql::text_to_time(TimeKind::kEpoch, "12x", paris));
  EXPECT_FALSE(mysql::text_to_time(TimeKind::kEpoch, "18446744073709551615", paris));
  EXPECT_FALSE(mysql::text_to_time(TimeKind::kText, "yesterday", paris));
  EXPECT_FALSE(mysql::text_to_time(TimeKind::kOther, "2026-11-27", paris));
}

}  // namespace
}  // namespace freshguard
