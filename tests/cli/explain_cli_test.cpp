// `freshguard explain` through the binary: SQL per dialect, the analyser's verdict, no
// connection made (the server sources below do not exist).

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace freshguard {
namespace {

using testing::run_freshguard;

constexpr const char* kConfig = R"yaml(
sources:
  warehouse:
    type: postgres
    host: 127.0.0.1
    port: 1
    database: analytics
    username: reader
    password: ${PGPW}
    schema: sales
  shop:
    type: mysql
    host: 127.0.0.1
    port: 1
    database: shop
    username: reader
    password: ${PGPW}
  local:
    type: sqlite
    path: missing.db
rules:
  - id: orders_fresh
    source: warehouse
    table: orders
    type: freshness
    timestamp_column: updated_at
    filter: region = 'eu' AND is_test = false
  - id: carts_volume
    source: shop
    table: carts
    type: volume_threshold
    min_row_count: 1
  - id: events_schema
    source: local
    table: main.events
    type: schema_change
)yaml";

class ExplainCliTest : public ::testing::Test {
 protected:
  testing::ProcessResult run(const std::vector<std::string>& args) {
    return run_freshguard(args, dir_.path(), {"PGPW=Sup3r-Secret-Passw0rd"});
  }
  testing::TempDir dir_;
};

TEST_F(ExplainCliTest, PrintsEachRulesSqlAndVerdictWithoutConnecting) {
  dir_.write("freshguard.yaml", kConfig);
  const auto r = run({"explain"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("rule orders_fresh (freshness, source warehouse, postgres)"),
            std::string::npos)
      << r.out;
  // The filter as the engine receives it: rendered from its allowlisted tree.
  EXPECT_NE(r.out.find("SELECT max(\"updated_at\") FROM \"sales\".\"orders\" WHERE "
                       "((\"region\" = 'eu') AND (\"is_test\" = FALSE))"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("SELECT count(*) FROM `shop`.`carts`"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("analyser: accepted, fingerprint "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("reads only the catalog"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("Sup3r"), std::string::npos);
}

TEST_F(ExplainCliTest, JsonForOneRule) {
  dir_.write("fg.yaml", kConfig);
  const auto r = run({"explain", "-c", "fg.yaml", "--rule", "orders_fresh", "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["rules"].size(), 1u);
  const auto& rule = doc["rules"][0];
  EXPECT_EQ(rule["rule_id"], "orders_fresh");
  EXPECT_EQ(rule["dialect"], "postgres");
  ASSERT_EQ(rule["queries"].size(), 2u);
  const auto& q = rule["queries"][0];
  EXPECT_EQ(q["verdict"], "accepted");
  EXPECT_EQ(q["fingerprint"].get<std::string>().size(), 16u);
  // Literals are stripped from the normalised form.
  EXPECT_EQ(q["normalized"].get<std::string>().find("'eu'"), std::string::npos) << q;
  const auto schema =
      run({"explain", "-c", "fg.yaml", "--rule", "events_schema", "--format", "json"});
  const auto sdoc = nlohmann::json::parse(schema.out);
  EXPECT_TRUE(sdoc["rules"][0]["queries"].empty());
  EXPECT_TRUE(sdoc["rules"][0]["note"].is_string());
}

TEST_F(ExplainCliTest, WarehouseSourcesExplainTheCatalogMethodAndTheirSql) {
  dir_.write("sf.yaml", R"yaml(
sources:
  sf:
    type: snowflake
    account: myorg-acct
    username: fg
    private_key_file: /nonexistent/rsa_key.p8
    database: analytics
  bq:
    type: bigquery
    project: my-project-1
    dataset: raw
    credentials_file: /nonexistent/sa.json
rules:
  - id: sf_catalog
    source: sf
    table: orders
    type: freshness
  - id: sf_column
    source: sf
    table: orders
    type: freshness
    timestamp_column: loaded_at
  - id: bq_catalog
    source: bq
    table: events
    type: freshness
)yaml");
  const auto r = run({"explain", "-c", "sf.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("rule sf_catalog (freshness, source sf, snowflake)\n  catalog method"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("rule bq_catalog (freshness, source bq, bigquery)\n  catalog method"),
            std::string::npos)
      << r.out;
  // The database as the connector names it (folded to upper case), as Snowflake receives it.
  EXPECT_NE(r.out.find("SELECT max(\"loaded_at\") FROM \"ANALYTICS\".\"PUBLIC\".\"orders\""),
            std::string::npos)
      << r.out;
}

TEST_F(ExplainCliTest, UnknownRuleAndHostileFilter) {
  dir_.write("freshguard.yaml", kConfig);
  auto r = run({"explain", "--rule", "nope"});
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("no rule with id \"nope\""), std::string::npos) << r.err;
  std::string hostile = kConfig;
  hostile.replace(hostile.find("region = 'eu' AND is_test = false"), 33,
                  "\"true; DROP TABLE orders; --\"");
  dir_.write("freshguard.yaml", hostile);
  r = run({"explain"});
  EXPECT_EQ(r.exit_code, 78) << r.out << r.err;
  EXPECT_NE(r.err.find("rules[0].filter"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("DROP"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace freshguard
