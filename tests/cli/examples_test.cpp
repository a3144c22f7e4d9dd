// Runs `freshguard check` with the configs in examples/ against real embedded warehouses.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/duckdb_db.hpp"
#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace freshguard {
namespace {

TEST(ExamplesTest, DuckdbExampleReportsFreshStaleAndEmptyTables) {
  testing::TempDir dir;
  std::filesystem::copy_file(std::string(FRESHGUARD_SOURCE_DIR) + "/examples/duckdb.yaml",
                             dir / "duckdb.yaml");
  testing::duckdb_exec(dir / "demo-warehouse.duckdb", R"sql(
    CREATE TABLE orders (id INTEGER PRIMARY KEY, updated_at TIMESTAMPTZ);
    INSERT INTO orders VALUES (1, now() - INTERVAL 5 MINUTE);
    CREATE TABLE page_events (id INTEGER, loaded_at TIMESTAMP);
    INSERT INTO page_events VALUES (1, (now() AT TIME ZONE 'UTC') - INTERVAL 3 DAY);
    CREATE TABLE refunds (id INTEGER, created_at BIGINT);
  )sql");
  const auto r =
      testing::run_freshguard({"check", "-c", "duckdb.yaml", "--format", "json"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["results"].size(), 3u);
  EXPECT_EQ(doc["results"][0]["status"], "ok") << doc.dump(2);
  EXPECT_NEAR(doc["results"][0]["lag_seconds"].get<double>(), 300, 60);
  EXPECT_EQ(doc["results"][1]["severity"], "critical");
  EXPECT_NEAR(doc["results"][1]["lag_seconds"].get<double>(), 3 * 86400, 120);
  EXPECT_EQ(doc["results"][2]["row_count"], 0);
  EXPECT_NE(doc["results"][2]["message"].get<std::string>().find("empty"), std::string::npos);
}

TEST(ExamplesTest, QuickstartOverTheSqliteDemoWarehouse) {
  testing::TempDir dir;
  const std::string src = FRESHGUARD_SOURCE_DIR;
  std::filesystem::copy_file(src + "/examples/quickstart.yaml", dir / "quickstart.yaml");
  const std::string make =
      "bash " + testing::shell_quote(src + "/examples/make-demo-warehouse.sh") + " " +
      testing::shell_quote((dir / "demo-warehouse.db").string()) + " >/dev/null";
  ASSERT_EQ(std::system(make.c_str()), 0);
  const auto r = testing::run_freshguard(
      {"check", "-c", "quickstart.yaml", "--format", "json", "--no-history"}, dir.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["results"].size(), 3u);
  EXPECT_EQ(doc["results"][0]["status"], "ok");
  EXPECT_EQ(doc["results"][1]["severity"], "critical");
  EXPECT_GE(doc["results"][1]["lag_seconds"].get<double>(), 3 * 86400);
  EXPECT_EQ(doc["results"][2]["row_count"], 0);
}

// Every example validates and explains (without connecting) once its placeholders are set.
TEST(ExamplesTest, EveryExampleValidatesAndExplains) {
  const std::vector<std::string> env = {"FRESHGUARD_PG_DATABASE=analytics",
                                        "FRESHGUARD_PG_USER=reader",
                                        "FRESHGUARD_PG_PASSWORD=Sup3r-Secret-Passw0rd",
                                        "FRESHGUARD_MYSQL_HOST=localhost",
                                        "FRESHGUARD_MYSQL_DATABASE=shop",
                                        "FRESHGUARD_MYSQL_USER=reader",
                                        "FRESHGUARD_MYSQL_PASSWORD=Sup3r-Secret-Passw0rd",
                                        "FRESHGUARD_BQ_PROJECT=my-project-1",
                                        "GOOGLE_APPLICATION_CREDENTIALS=/nonexistent/sa.json",
                                        "FRESHGUARD_SF_ACCOUNT=myorg-acct",
                                        "FRESHGUARD_SF_USER=freshguard",
                                        "FRESHGUARD_SF_PRIVATE_KEY_FILE=/nonexistent/rsa_key.p8"};
  int seen = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(FRESHGUARD_SOURCE_DIR) + "/examples")) {
    if (entry.path().extension() != ".yaml") continue;
    ++seen;
    const std::string config = entry.path().string();
    const auto valid = testing::run_freshguard({"validate", "-c", config}, ".", env);
    EXPECT_EQ(valid.exit_code, 0) << config << "\n" << valid.out << valid.err;
    const auto explained = testing::run_freshguard({"explain", "-c", config}, ".", env);
    EXPECT_EQ(explained.exit_code, 0) << config << "\n" << explained.out << explained.err;
    EXPECT_EQ(explained.out.find("Sup3r"), std::string::npos) << config;
  }
  EXPECT_GE(seen, 6);
}

}  // namespace
}  // namespace freshguard
