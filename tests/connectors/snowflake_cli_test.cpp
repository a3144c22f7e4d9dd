// `freshguard check` with examples/snowflake.yaml against the local Snowflake test server.

#include <chrono>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/run_process.hpp"
#include "support/snowflake_test_server.hpp"

namespace freshguard::testing {
namespace {

TEST(SnowflakeCliTest, ExampleConfigChecksThroughTheBinary) {
  SnowflakeTestServer server("ANALYTICS", {"PUBLIC"});
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
  server.exec(
      "CREATE TABLE PUBLIC.ORDERS (ID NUMBER, LOADED_AT TIMESTAMP_LTZ);"
      "INSERT INTO PUBLIC.ORDERS VALUES (1, " +
      std::to_string(now_s - 600) +
      ");"
      "CREATE TABLE PUBLIC.PAGE_EVENTS (ID NUMBER);");
  server.set_last_altered("PUBLIC", "PAGE_EVENTS", now_s - 3 * 86'400);
  TempDir dir;
  const auto config = dir / "snowflake.yaml";
  std::filesystem::copy_file(std::string(FRESHGUARD_SOURCE_DIR) + "/examples/snowflake.yaml",
                             config);
  const auto key = dir.write("rsa_key.p8", test_rsa_key_pem(0));
  const auto r = run_freshguard(
      {"check", "-c", config.string(), "--format", "json", "--no-history"}, dir.path(),
      {"FRESHGUARD_SF_ACCOUNT=" + std::string(SnowflakeTestServer::kAccount),
       "FRESHGUARD_SF_USER=" + std::string(SnowflakeTestServer::kUser),
       "FRESHGUARD_SF_PRIVATE_KEY_FILE=" + key.string(),
       "FRESHGUARD_SF_ENDPOINT=" + server.base_url(), "FRESHGUARD_SF_CA=" + server.ca_file()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["results"].size(), 2u) << r.out;
  for (const auto& result : doc["results"]) {
    if (result["rule_id"] == "orders_fresh") {
      EXPECT_EQ(result["status"], "ok") << result.dump();
      EXPECT_EQ(result["method"], "max_timestamp");
    } else {
      EXPECT_EQ(result["status"], "alert") << result.dump();
      EXPECT_EQ(result["method"], "catalog");
    }
  }
  EXPECT_EQ(server.count_statements("SELECT max(\"LOADED_AT\")"), 2);  // EXPLAIN, then the query
  EXPECT_EQ(server.count_statements("\"PAGE_EVENTS\""), 0);  // the catalog method scans nothing
  EXPECT_EQ(r.err.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(r.err.find("eyJ"), std::string::npos);  // no JWT in the log
}

}  // namespace
}  // namespace freshguard::testing
