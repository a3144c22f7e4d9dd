// `freshguard check` with examples/bigquery.yaml against the local BigQuery test server.

#include <chrono>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/bigquery_test_server.hpp"

namespace freshguard::testing {
namespace {

TEST(BigqueryCliTest, ExampleConfigChecksThroughTheBinary) {
  BigqueryTestServer server({"analytics"});
  const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  server.exec(
      "CREATE TABLE analytics.orders (id INT64, updated_at TIMESTAMP);"
      "INSERT INTO analytics.orders VALUES (1, " +
      std::to_string(now_us - 600'000'000) +
      ");"
      "CREATE TABLE analytics.page_events (id INT64);");
  server.set_last_modified_ms("page_events", now_us / 1000 - 3 * 86'400'000LL);
  TempDir dir;
  const auto config = dir / "bigquery.yaml";
  std::filesystem::copy_file(std::string(FRESHGUARD_SOURCE_DIR) + "/examples/bigquery.yaml",
                             config);
  const auto r = run_freshguard(
      {"check", "-c", config.string(), "--format", "json", "--no-history"}, dir.path(),
      {"FRESHGUARD_BQ_PROJECT=" + std::string(BigqueryTestServer::kProject),
       "GOOGLE_APPLICATION_CREDENTIALS=" + server.write_key_file(dir),
       "FRESHGUARD_BQ_ENDPOINT=" + server.base_url(), "FRESHGUARD_BQ_CA=" + server.ca_file()});
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
  EXPECT_EQ(server.jobs_submitted(), 1);  // only orders_fresh ran a query
  EXPECT_EQ(r.err.find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(r.err.find("ya29."), std::string::npos);
}

}  // namespace
}  // namespace freshguard::testing
