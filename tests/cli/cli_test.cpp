#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <freshguard/config/config.hpp>

#include "support/run_process.hpp"
#include "support/sqlite_db.hpp"
#include "support/temp_dir.hpp"

namespace freshguard {
namespace {

using testing::ProcessResult;
using testing::run_freshguard;

constexpr const char* kPassword = "Sup3r-Secret-Passw0rd";

// A warehouse like the demo one: fresh, stale and empty tables, timestamps relative to now.
class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::sqlite_exec(dir_ / "w.db", R"sql(
      CREATE TABLE orders (id INTEGER PRIMARY KEY, updated_at TEXT);
      INSERT INTO orders (updated_at) VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-5 minutes'));
      CREATE TABLE page_events (id INTEGER PRIMARY KEY, loaded_at TIMESTAMP);
      INSERT INTO page_events (loaded_at) VALUES (datetime('now', '-3 days'));
      CREATE TABLE refunds (id INTEGER PRIMARY KEY, created_at INTEGER);
    )sql");
  }

  std::string rules_yaml() const {
    return R"yaml(
sources:
  demo:
    type: sqlite
    path: w.db
rules:
  - id: orders_fresh
    source: demo
    table: orders
    type: freshness
    timestamp_column: updated_at
    tolerance_minutes: 60
  - id: page_events_fresh
    source: demo
    table: page_events
    type: freshness
    timestamp_column: loaded_at
    tolerance_minutes: 60
    alert_threshold_hours: 24
  - id: refunds_fresh
    source: demo
    table: refunds
    type: freshness
    timestamp_column: created_at
    tolerance_minutes: 60
)yaml";
  }

  ProcessResult run(const std::vector<std::string>& args,
                    const std::vector<std::string>& env = {}) {
    return run_freshguard(args, dir_.path(), env);
  }

  testing::TempDir dir_;
};

TEST_F(CliTest, CheckPrintsATableAndExitsOneOnAlerts) {
  dir_.write("freshguard.yaml", rules_yaml());
  const auto r = run({"check"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("RULE"), std::string::npos);
  EXPECT_NE(r.out.find("orders_fresh"), std::string::npos);
  EXPECT_NE(r.out.find("fresh: last update 5m"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("alert (critical)  stale: last update 3d"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("table is empty"), std::string::npos);
  EXPECT_NE(r.out.find("3 rules: 1 ok, 2 alert, 0 error"), std::string::npos);
}

TEST_F(CliTest, CheckJsonFollowsTheContract) {
  dir_.write("fg.yaml", rules_yaml());
  const auto r = run({"check", "-c", "fg.yaml", "--format", "json", "--concurrency", "2"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["summary"]["total"], 3);
  EXPECT_EQ(doc["summary"]["alert"], 2);
  ASSERT_EQ(doc["results"].size(), 3u);
  const auto& ok = doc["results"][0];
  EXPECT_EQ(ok["rule_id"], "orders_fresh");
  EXPECT_EQ(ok["status"], "ok");
  EXPECT_EQ(ok["table"], "orders");
  EXPECT_EQ(ok["method"], "max_timestamp");
  EXPECT_GE(ok["lag_seconds"].get<int>(), 299);
  EXPECT_LT(ok["lag_seconds"].get<int>(), 400);
  EXPECT_TRUE(ok["last_update"].is_string());
  EXPECT_TRUE(ok["duration_ms"].is_number());
  EXPECT_FALSE(ok.contains("error"));
  const auto& stale = doc["results"][1];
  EXPECT_EQ(stale["status"], "alert");
  EXPECT_EQ(stale["severity"], "critical");
  EXPECT_GE(stale["lag_seconds"].get<int>(), 3 * 86400);
  const auto& empty = doc["results"][2];
  EXPECT_EQ(empty["status"], "alert");
  EXPECT_EQ(empty["row_count"], 0);
  EXPECT_TRUE(empty["lag_seconds"].is_null());
}

TEST_F(CliTest, AllFreshExitsZeroAndRuleSelectionWorks) {
  dir_.write("freshguard.yaml", rules_yaml());
  const auto r = run({"check", "--rule", "orders_fresh", "--rule", "orders_fresh"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("1 rule: 1 ok"), std::string::npos) << r.out;
  const auto unknown = run({"check", "--rule", "nope"});
  EXPECT_EQ(unknown.exit_code, 64);
  EXPECT_NE(unknown.err.find("no rule with id \"nope\""), std::string::npos);
}

TEST_F(CliTest, ACheckThatCannotRunExitsTwo) {
  auto yaml = rules_yaml();
  yaml.replace(yaml.find("table: refunds"), 14, "table: missing");
  dir_.write("freshguard.yaml", yaml);
  const auto r = run({"check", "--format", "json"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  const auto& bad = doc["results"][2];
  EXPECT_EQ(bad["status"], "error");
  EXPECT_EQ(bad["error"]["code"], "QUERY_FAILED");
  EXPECT_EQ(bad["error"]["message"], "table \"main.missing\" not found in source \"demo\"");
}

TEST_F(CliTest, MissingDatabaseFileIsAnErrorResult) {
  auto yaml = rules_yaml();
  yaml.replace(yaml.find("path: w.db"), 10, "path: gone.db");
  dir_.write("freshguard.yaml", yaml);
  const auto r = run({"check"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.out.find("CONNECTION_FAILED"), std::string::npos) << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir_ / "gone.db"));
}

TEST_F(CliTest, ValidateListsEveryProblemAndExits78) {
  dir_.write("bad.yaml", R"yaml(
sources:
  pg:
    type: postgres
    host: db.internal
    port: 70000
    database: analytics
    username: monitor
    password: ${FG_TEST_UNSET_PASSWORD}
rules:
  - id: r1
    source: pg
    table: orders
    type: freshness
    timestamp_column: updated_at
    tolerance_minutes: 3
  - id: r2
    source: nowhere
    table: orders
    type: freshness
    timestamp_column: updated_at
    tolerence_minutes: 60
)yaml");
  const auto r = run({"validate", "-c", "bad.yaml"});
  EXPECT_EQ(r.exit_code, 78) << r.out << r.err;
  for (const char* expected :
       {"sources.pg.port: ", "sources.pg.password: environment variable FG_TEST_UNSET_PASSWORD",
        "rules[0].tolerance_minutes: must be between 5 and 10080, got 3",
        "rules[1].source: ", "rules[1].tolerence_minutes: "}) {
    EXPECT_NE(r.err.find(expected), std::string::npos) << expected << "\n" << r.err;
  }
  EXPECT_NE(r.err.find("5 problems in bad.yaml"), std::string::npos) << r.err;
}

TEST_F(CliTest, ValidateAcceptsAGoodConfig) {
  dir_.write("freshguard.yaml", rules_yaml());
  const auto r = run({"validate"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "freshguard.yaml: ok (1 source, 3 rules)\n");
}

TEST_F(CliTest, HostileTableIsASecurityViolationBeforeAnyDatabaseIsOpened) {
  auto yaml = rules_yaml();
  yaml.replace(yaml.find("table: refunds"), 14, "table: \"users; DROP TABLE users; --\"");
  yaml.replace(yaml.find("path: w.db"), 10, "path: never-opened.db");
  dir_.write("freshguard.yaml", yaml);
  for (const auto& cmd : {std::string("validate"), std::string("check")}) {
    const auto r = run({cmd});
    EXPECT_EQ(r.exit_code, 78) << cmd;
    EXPECT_NE(r.err.find("rules[2].table: SECURITY_VIOLATION"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("DROP TABLE"), std::string::npos) << r.err;
    EXPECT_EQ(r.out.find("DROP TABLE"), std::string::npos) << r.out;
  }
  const auto json = run({"check", "--format", "json"});
  const auto doc = nlohmann::json::parse(json.out);
  EXPECT_EQ(doc["error"]["code"], "CONFIG_INVALID");
  EXPECT_EQ(doc["error"]["problems"][0]["code"], "SECURITY_VIOLATION");
  EXPECT_FALSE(std::filesystem::exists(dir_ / "never-opened.db"));
}

TEST_F(CliTest, PasswordNeverAppearsInOutputOrLogs) {
  std::string yaml = rules_yaml();
  yaml.replace(yaml.find("sources:\n") + 9, 0,
               "  pg:\n    type: postgres\n    host: localhost\n    database: d\n"
               "    username: u\n    password: ${FG_PW}\n");
  yaml +=
      "  - id: pg_fresh\n    source: pg\n    table: t\n    type: freshness\n"
      "    timestamp_column: ts\n";
  dir_.write("freshguard.yaml", yaml);
  const std::string env = std::string("FG_PW=") + kPassword;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"check", "--log-level", "debug"},
           {"check", "--format", "json", "--log-level", "trace", "--log-format", "text"},
           {"validate", "--log-level", "debug"},
           {"test", "--log-level", "debug"},
           {"test", "--format", "json"}}) {
    const auto r = run(args, {env});
    EXPECT_NE(r.exit_code, 78) << r.err;
    EXPECT_EQ(r.out.find(kPassword), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(kPassword), std::string::npos) << r.err;
  }
  // Logs at debug level are JSON lines on stderr, never on stdout.
  const auto r = run({"check", "--format", "json", "--log-level", "debug"}, {env});
  EXPECT_TRUE(nlohmann::json::accept(r.out)) << r.out;
  EXPECT_NE(r.err.find("\"action\":\"check.finished\""), std::string::npos) << r.err;
}

TEST_F(CliTest, TestCommandReportsEachSource) {
  dir_.write("freshguard.yaml", rules_yaml());
  auto r = run({"test"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("demo"), std::string::npos);
  EXPECT_NE(r.out.find("connected in"), std::string::npos);

  r = run({"test", "--source", "nope"});
  EXPECT_EQ(r.exit_code, 64);

  auto yaml = rules_yaml();
  yaml.replace(yaml.find("path: w.db"), 10, "path: gone.db");
  dir_.write("freshguard.yaml", yaml);
  r = run({"test", "--source", "demo", "--format", "json"});
  EXPECT_EQ(r.exit_code, 2);
  const auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["sources"][0]["status"], "error");
  EXPECT_EQ(doc["sources"][0]["error"]["code"], "CONNECTION_FAILED");
}

TEST_F(CliTest, InitWritesALoadableConfigAndRefusesToOverwrite) {
  auto r = run({"init"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(std::filesystem::exists(dir_ / "freshguard.yaml"));
  const auto loaded = config::load_config_string(testing::slurp(dir_ / "freshguard.yaml"),
                                                 [](const std::string&) { return "x"; });
  EXPECT_TRUE(loaded.problems.empty());

  r = run({"init"});
  EXPECT_EQ(r.exit_code, 73);
  EXPECT_NE(r.err.find("already exists"), std::string::npos);
  r = run({"init", "--force"});
  EXPECT_EQ(r.exit_code, 0);
  r = run({"init", "-o", "sub/dir/missing.yaml"});
  EXPECT_EQ(r.exit_code, 73);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "sub"));
}

TEST_F(CliTest, UsageErrorsExit64AndHelpExitsZero) {
  EXPECT_EQ(run({}).exit_code, 64);
  EXPECT_EQ(run({"frobnicate"}).exit_code, 64);
  EXPECT_EQ(run({"check", "--concurrency", "0"}).exit_code, 64);
  EXPECT_EQ(run({"check", "--format", "xml"}).exit_code, 64);
  EXPECT_EQ(run({"check", "--log-level", "loud"}).exit_code, 64);
  const auto help = run({"--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* sub : {"check", "validate", "test", "init", "version"}) {
    EXPECT_NE(help.out.find(sub), std::string::npos) << sub;
    const auto sub_help = run({sub, "--help"});
    EXPECT_EQ(sub_help.exit_code, 0) << sub;
    EXPECT_NE(sub_help.out.find("--config"), std::string::npos) << sub << sub_help.out;
  }
}

TEST_F(CliTest, MissingConfigFileIsAConfigError) {
  const auto r = run({"check", "-c", "absent.yaml"});
  EXPECT_EQ(r.exit_code, 78);
  EXPECT_NE(r.err.find("absent.yaml"), std::string::npos) << r.err;
}

TEST_F(CliTest, VersionPrintsTheVersion) {
  const auto r = run({"version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("freshguard 0.1.0", 0), 0u) << r.out;
  EXPECT_EQ(run({"--version"}).exit_code, 0);
}

}  // namespace
}  // namespace freshguard
