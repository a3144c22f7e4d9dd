// BigQuery-specific settings: the cost budget, the CA override, and freshness rules without a
// timestamp column (the catalog method, offered by warehouse sources only).

#include <gtest/gtest.h>

#include <freshguard/config/config.hpp>

namespace freshguard::config {
namespace {

const EnvLookup kNoEnv = [](const std::string&) { return std::optional<std::string>(); };

LoadResult load_bq(const std::string& extra, const std::string& rule_extra = "") {
  return load_config_string(
      "sources:\n  bq:\n    type: bigquery\n    project: my-project-1\n"
      "    dataset: analytics\n" +
          extra +
          "rules:\n  - id: r\n    source: bq\n    table: events\n"
          "    type: freshness\n" +
          rule_extra,
      kNoEnv, "/etc/fg/freshguard.yaml");
}

bool has_problem(const LoadResult& r, const std::string& path, const std::string& part) {
  for (const auto& p : r.problems) {
    if (p.path == path && p.message.find(part) != std::string::npos) return true;
  }
  return false;
}

TEST(BigqueryConfigTest, BudgetAndCaOverride) {
  auto r = load_bq("");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.config->sources.at("bq").maximum_bytes_billed, 1000000000);
  EXPECT_TRUE(r.config->rules[0].freshness.timestamp_column.empty());
  r = load_bq(
      "    maximum_bytes_billed: 50000000\n    ssl_root_cert: ca.pem\n"
      "    credentials_file: keys/sa.json\n");
  ASSERT_TRUE(r.ok());
  const auto& s = r.config->sources.at("bq");
  EXPECT_EQ(s.maximum_bytes_billed, 50000000);
  EXPECT_EQ(s.ssl_root_cert, "/etc/fg/ca.pem");
  EXPECT_EQ(s.credentials_file, "/etc/fg/keys/sa.json");
  EXPECT_TRUE(has_problem(load_bq("    maximum_bytes_billed: 1000\n"),
                          "sources.bq.maximum_bytes_billed", "must be between"));
}

TEST(BigqueryConfigTest, CatalogFreshnessOnlyOnWarehouseSources) {
  const auto r = load_config_string(
      "sources:\n  db:\n    type: sqlite\n    path: w.db\n"
      "rules:\n  - id: r\n    source: db\n    table: events\n    type: freshness\n",
      kNoEnv, "/etc/fg/freshguard.yaml");
  EXPECT_TRUE(has_problem(r, "rules[0].timestamp_column", "is required for sqlite sources"));
  EXPECT_TRUE(load_bq("", "    timestamp_column: loaded_at\n").ok());
}

}  // namespace
}  // namespace freshguard::config
