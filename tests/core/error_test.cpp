#include <gtest/gtest.h>

#include <freshguard/core/check_result.hpp>
#include <freshguard/core/error.hpp>

namespace freshguard {
namespace {

TEST(ErrorTest, CodesHaveStableSpellings) {
  EXPECT_EQ(to_string(ErrorCode::kSecurityViolation), "SECURITY_VIOLATION");
  EXPECT_EQ(to_string(ErrorCode::kConnectionFailed), "CONNECTION_FAILED");
  EXPECT_EQ(to_string(ErrorCode::kTimeout), "TIMEOUT");
  EXPECT_EQ(to_string(ErrorCode::kQueryFailed), "QUERY_FAILED");
  EXPECT_EQ(to_string(ErrorCode::kConfigInvalid), "CONFIG_INVALID");
  EXPECT_EQ(to_string(ErrorCode::kMonitoringFailed), "MONITORING_FAILED");
  EXPECT_EQ(to_string(ErrorCode::kMetadataFailed), "METADATA_FAILED");
}

TEST(ErrorTest, SubclassesCarryCodeAndTransience) {
  EXPECT_EQ(SecurityError("x").code(), ErrorCode::kSecurityViolation);
  EXPECT_FALSE(SecurityError("x").transient());

  ConnectionError conn("down", true, "raw detail");
  EXPECT_EQ(conn.code(), ErrorCode::kConnectionFailed);
  EXPECT_TRUE(conn.transient());
  EXPECT_TRUE(conn.connection_poisoned());
  EXPECT_EQ(conn.detail(), "raw detail");
  EXPECT_FALSE(ConnectionError("bad password", false).transient());

  TimeoutError timeout("slow");
  EXPECT_EQ(timeout.code(), ErrorCode::kTimeout);
  EXPECT_TRUE(timeout.transient());
  EXPECT_TRUE(timeout.connection_poisoned());

  QueryError query("missing");
  EXPECT_EQ(query.code(), ErrorCode::kQueryFailed);
  EXPECT_FALSE(query.transient());
  EXPECT_FALSE(query.connection_poisoned());
  EXPECT_TRUE(QueryError("locked", true).transient());

  EXPECT_EQ(ConfigError("c").code(), ErrorCode::kConfigInvalid);
  EXPECT_EQ(MonitoringError("m").code(), ErrorCode::kMonitoringFailed);
  MetadataError meta("store", true);
  EXPECT_EQ(meta.code(), ErrorCode::kMetadataFailed);
  EXPECT_TRUE(meta.transient());
  EXPECT_STREQ(meta.what(), "store");
}

TEST(ErrorTest, ErrorResultCarriesCodeAndSafeMessage) {
  Rule rule;
  rule.id = "r1";
  rule.source = "s";
  rule.table = "t";
  const auto r = error_result(rule, QueryError("table missing", false, "secret detail"));
  EXPECT_EQ(r.status, CheckStatus::kError);
  ASSERT_TRUE(r.error.has_value());
  EXPECT_EQ(r.error->code, ErrorCode::kQueryFailed);
  EXPECT_EQ(r.error->message, "table missing");
  EXPECT_EQ(r.message.find("secret"), std::string::npos);
  EXPECT_EQ(r.rule_id, "r1");
}

TEST(ErrorTest, EnumSpellings) {
  EXPECT_EQ(to_string(CheckStatus::kOk), "ok");
  EXPECT_EQ(to_string(CheckStatus::kAlert), "alert");
  EXPECT_EQ(to_string(CheckStatus::kError), "error");
  EXPECT_EQ(to_string(Severity::kNone), "none");
  EXPECT_EQ(to_string(Severity::kWarning), "warning");
  EXPECT_EQ(to_string(Severity::kCritical), "critical");
  EXPECT_EQ(to_string(Method::kMaxTimestamp), "max_timestamp");
  EXPECT_EQ(to_string(Method::kCatalog), "catalog");
  EXPECT_EQ(to_string(Method::kExactCount), "exact_count");
}

}  // namespace
}  // namespace freshguard
