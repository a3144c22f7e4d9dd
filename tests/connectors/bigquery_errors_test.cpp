// BigQuery error mapping, key-file checks and value conversion, without a server.

#include <gtest/gtest.h>

#include <freshguard/connectors/bigquery_connector.hpp>
#include <freshguard/core/error.hpp>

#include "connectors/bigquery/bq_api.hpp"
#include "connectors/bigquery/bq_errors.hpp"
#include "connectors/bigquery/bq_names.hpp"
#include "support/temp_dir.hpp"

namespace freshguard::bigquery {
namespace {

std::string body(int code, const std::string& status, const std::string& reason) {
  return R"({"error":{"code":)" + std::to_string(code) + R"(,"message":"m","status":")" + status +
         R"(","errors":[{"reason":")" + reason + R"("}]}})";
}

template <class E>
E thrown(long status, const std::string& text) {
  try {
    throw_api_error(status, text, "BigQuery call");
  } catch (const E& e) {
    return e;
  }
  throw std::logic_error("wrong error type");
}

TEST(BigqueryErrorsTest, StatusesMapToStableCodes) {
  EXPECT_TRUE(
      thrown<QueryError>(429, body(429, "RESOURCE_EXHAUSTED", "rateLimitExceeded")).transient());
  EXPECT_TRUE(thrown<QueryError>(503, body(503, "UNAVAILABLE", "backendError")).transient());
  EXPECT_TRUE(thrown<QueryError>(500, "not json").transient());
  EXPECT_TRUE(
      thrown<QueryError>(403, body(403, "PERMISSION_DENIED", "rateLimitExceeded")).transient());
  const auto denied = thrown<ConnectionError>(403, body(403, "PERMISSION_DENIED", "accessDenied"));
  EXPECT_FALSE(denied.transient());
  EXPECT_NE(std::string(denied.what()).find("HTTP 403 PERMISSION_DENIED: m"), std::string::npos);
  EXPECT_FALSE(thrown<ConnectionError>(401, body(401, "UNAUTHENTICATED", "authError")).transient());
  const auto missing = thrown<QueryError>(404, body(404, "NOT_FOUND", "notFound"));
  EXPECT_FALSE(missing.transient());
  const auto cost =
      thrown<QueryError>(400, body(400, "INVALID_ARGUMENT", "bytesBilledLimitExceeded"));
  EXPECT_EQ(std::string(cost.what()).rfind("cost guard:", 0), 0u);
  EXPECT_FALSE(thrown<QueryError>(400, "{}").transient());
  const auto e = parse_api_error(R"({"error":{"message":")" + std::string(400, 'x') + R"("}})");
  EXPECT_LT(e.message.size(), 310u);
  EXPECT_TRUE(parse_api_error("[1]").message.empty());
}

TEST(BigqueryErrorsTest, TokenErrors) {
  try {
    throw_token_error(400, R"({"error":"invalid_grant","error_description":"bad"})");
  } catch (const ConnectionError& e) {
    EXPECT_FALSE(e.transient());
    EXPECT_NE(std::string(e.what()).find("invalid_grant"), std::string::npos);
  }
  try {
    throw_token_error(503, "oops");
  } catch (const ConnectionError& e) {
    EXPECT_TRUE(e.transient());
  }
}

TEST(BigqueryKeyTest, KeyFileProblemsNameTheFileNotItsContents) {
  testing::TempDir dir;
  const auto expect_problem = [](const std::string& path, const std::string& part) {
    try {
      (void)load_service_account_key(path);
      FAIL() << path;
    } catch (const ConfigError& e) {
      EXPECT_NE(std::string(e.what()).find(part), std::string::npos) << e.what();
      EXPECT_EQ(std::string(e.what()).find("SECRET"), std::string::npos);
    }
  };
  expect_problem((dir / "missing.json").string(), "cannot be read");
  expect_problem(dir.write("a.json", "SECRET").string(), "not a JSON");
  expect_problem(dir.write("b.json", R"({"type":"user","private_key":"SECRET"})").string(),
                 "not a service-account key");
  expect_problem(
      dir.write("c.json", R"({"type":"service_account","private_key":"SECRET"})").string(),
      "\"client_email\"");
  expect_problem(dir.write("d.json", R"({"type":"service_account","private_key":"SECRET",
      "client_email":"a@b","token_uri":"file:///x"})")
                     .string(),
                 "token_uri");
  ::setenv("GOOGLE_APPLICATION_CREDENTIALS", (dir / "missing.json").c_str(), 1);
  expect_problem("", "missing.json");
  ::unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
  expect_problem("", "GOOGLE_APPLICATION_CREDENTIALS");
}

TEST(BigqueryKeyTest, ConnectorChecksItsSettings) {
  BigqueryOptions o;
  o.credentials_file = "/nonexistent/key.json";
  o.project = "my-project-1";
  o.dataset = "ds";
  EXPECT_THROW(BigqueryConnector{o}, ConfigError);
}

TEST(BigqueryNamesTest, QuotingAndProjects) {
  const sql::Dialect bq{sql::DialectKind::kBigquery};
  const sql::QualifiedName t{sql::Identifier::parse("ds"), sql::Identifier::parse("t")};
  EXPECT_EQ(bq.quote(sql::TableRef{"my-project-1", t}), "`my-project-1`.`ds`.`t`");
  EXPECT_EQ(quote(sql::Identifier::parse("c")), "`c`");
  EXPECT_THROW(check_project("bad`project"), ConfigError);
  EXPECT_THROW(check_project("1project"), ConfigError);
  EXPECT_THROW(check_project("short"), ConfigError);
  EXPECT_THROW(bq.quote(sql::TableRef{"my-project`x", t}), SecurityError);
}

// Decoded, then read as the connector core reads every engine's values.
WallTime value_to_time(std::string_view type, const std::string& value, const TimeZone& zone) {
  const auto t = sql::read_time(decode(type, value), zone, "value");
  if (!t) throw MonitoringError("no value");
  return *t;
}

TEST(BigqueryNamesTest, ValuesToTimes) {
  const auto utc = TimeZone::utc();
  const WallTime t{std::chrono::seconds(1795788000)};
  EXPECT_EQ(value_to_time("TIMESTAMP", "1795788000000000", utc), t);
  EXPECT_EQ(value_to_time("DATETIME", "2026-11-27T14:00:00", utc), t);
  EXPECT_EQ(value_to_time("STRING", "2026-11-27 14:00:00Z", utc), t);
  EXPECT_EQ(value_to_time("INTEGER", "1795788000", utc), t);
  EXPECT_EQ(value_to_time("DATE", "2026-11-27", utc), WallTime{std::chrono::seconds(1795737600)});
  EXPECT_THROW(value_to_time("TIMESTAMP", "x", utc), MonitoringError);
  EXPECT_THROW(value_to_time("STRING", "soon", utc), MonitoringError);
  EXPECT_THROW(value_to_time("BOOLEAN", "true", utc), MonitoringError);
  EXPECT_EQ(format_bytes(512), "512 B");
  EXPECT_EQ(format_bytes(1'500'000'000), "1.5 GB");
}

}  // namespace
}  // namespace freshguard::bigquery
