// `check` recording its results, `history`, and `baseline approve`, run as a user would.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <freshguard/metadata/sqlite_store.hpp>

#include "support/pg_test_server.hpp"
#include "support/run_process.hpp"
#include "support/sqlite_db.hpp"
#include "support/temp_dir.hpp"

namespace freshguard {
namespace {

using nlohmann::json;
using testing::ProcessResult;

class HistoryCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::sqlite_exec(dir_ / "w.db", R"sql(
      CREATE TABLE orders (id INTEGER PRIMARY KEY, name VARCHAR(100), updated_at TEXT);
      INSERT INTO orders (updated_at) VALUES (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'));
    )sql");
    write_config("");
  }

  void write_config(const std::string& metadata) {
    dir_.write("freshguard.yaml", R"yaml(
sources:
  wh: {type: sqlite, path: w.db}
rules:
  - {id: fresh, source: wh, table: orders, type: freshness, timestamp_column: updated_at}
  - {id: cols, source: wh, table: orders, type: schema_change}
  - {id: vol, source: wh, table: orders, type: volume_anomaly, method: median,
     deviation_threshold: 30, minimum_data_points: 3, min_absolute_change: 0}
logging: {level: warn}
)yaml" + metadata);
  }

  ProcessResult run(const std::vector<std::string>& args) {
    return testing::run_freshguard(args, dir_.path());
  }

  std::filesystem::path metadata_db() const { return dir_ / ".freshguard" / "metadata.db"; }

  testing::TempDir dir_;
};

TEST_F(HistoryCliTest, CheckRecordsEveryResultAndHistoryShowsThem) {
  const auto none = run({"history"});
  EXPECT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.err.find("no history yet"), std::string::npos) << none.err;
  EXPECT_EQ(none.out, "no executions recorded\n");
  EXPECT_FALSE(std::filesystem::exists(metadata_db()));

  ASSERT_EQ(run({"check"}).exit_code, 0);
  const auto second = run({"check", "--format", "json"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;
  const auto doc = json::parse(second.out);
  EXPECT_EQ(doc["history"]["status"], "recorded");
  EXPECT_EQ(doc["history"]["recorded"], 3);
  EXPECT_TRUE(std::filesystem::exists(metadata_db()));

  const auto all = run({"history", "--format", "json"});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_EQ(json::parse(all.out)["executions"].size(), 6u);
  const auto cols = json::parse(run({"history", "--rule", "cols", "--format", "json"}).out);
  ASSERT_EQ(cols["executions"].size(), 2u);
  EXPECT_EQ(cols["executions"][0]["type"], "schema_change");
  EXPECT_EQ(cols["executions"][0]["message"], "schema unchanged: 3 columns");
  EXPECT_EQ(cols["executions"][1]["message"], "baseline created: 3 columns in main.orders");
  EXPECT_GT(cols["executions"][0]["id"].get<int>(), cols["executions"][1]["id"].get<int>());

  const auto table = run({"history", "--rule", "vol", "--limit", "1"});
  EXPECT_EQ(table.exit_code, 0);
  EXPECT_NE(table.out.find("CHECKED AT"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("1 row; baseline: insufficient_history (1 of 3 points"),
            std::string::npos)
      << table.out;
  EXPECT_NE(table.out.find("1 execution, newest first"), std::string::npos);
  const auto future = run({"history", "--since", "2999-01-01T00:00:00Z"});
  EXPECT_EQ(future.out, "no executions recorded\n");
  const auto bad = run({"history", "--since", "yesterday"});
  EXPECT_EQ(bad.exit_code, 64);
  EXPECT_NE(bad.err.find("--since: expected a timestamp"), std::string::npos);
}

TEST_F(HistoryCliTest, VolumeAnomalyReportsTheDeviation) {
  {
    // Three earlier days of 10 rows, recorded as `check` would have.
    SqliteStoreOptions o;
    o.path = metadata_db();
    SqliteMetadataStore store(o);
    for (int d = 1; d <= 3; ++d) {
      CheckResult r;
      r.rule_id = "vol";
      r.type = RuleType::kVolumeAnomaly;
      r.row_count = 10;
      r.checked_at = SystemClock::instance().wall_now() - std::chrono::days(d);
      store.record_execution(r);
    }
  }
  testing::sqlite_exec(dir_ / "w.db", "INSERT INTO orders (updated_at) VALUES ('x'), ('y'), ('z')");
  const auto r = run({"check", "--rule", "vol", "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto res = json::parse(r.out)["results"][0];
  EXPECT_EQ(res["status"], "alert");
  EXPECT_EQ(res["row_count"], 4);
  EXPECT_DOUBLE_EQ(res["deviation_percent"].get<double>(), -60.0);
  EXPECT_EQ(res["baseline"]["status"], "ready");
  EXPECT_EQ(res["baseline"]["method"], "median");
  EXPECT_EQ(res["baseline"]["points"], 3);
  EXPECT_DOUBLE_EQ(res["baseline"]["centre"].get<double>(), 10.0);
  EXPECT_DOUBLE_EQ(res["baseline"]["lower_bound"].get<double>(), 7.0);
  EXPECT_EQ(res["baseline"]["threshold_unit"], "percent");
}

TEST_F(HistoryCliTest, HistoryShowsAlertsAndErrors) {
  testing::sqlite_exec(dir_ / "w.db", "UPDATE orders SET updated_at = '2020-01-01T00:00:00Z'");
  EXPECT_EQ(run({"check", "--rule", "fresh"}).exit_code, 1);
  testing::sqlite_exec(dir_ / "w.db", "DROP TABLE orders");
  EXPECT_EQ(run({"check", "--rule", "fresh"}).exit_code, 2);
  const auto doc = json::parse(run({"history", "--format", "json"}).out);
  ASSERT_EQ(doc["executions"].size(), 2u);
  const auto& failed = doc["executions"][0];
  EXPECT_EQ(failed["status"], "error");
  EXPECT_EQ(failed["error"]["code"], "QUERY_FAILED");
  EXPECT_TRUE(failed["method"].is_null());
  const auto& stale = doc["executions"][1];
  EXPECT_EQ(stale["severity"], "warning");
  EXPECT_EQ(stale["last_update"], "2020-01-01T00:00:00Z");
  EXPECT_EQ(stale["method"], "max_timestamp");
  const auto table = run({"history"});
  EXPECT_NE(table.out.find("fresh  error  "), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("QUERY_FAILED: table"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("alert (warning)"), std::string::npos) << table.out;
  // A store that is not a database is an error, not an empty history.
  dir_.write("junk.db", std::string(4096, 'j'));
  write_config("metadata: {path: junk.db}\n");
  const auto junk = run({"history"});
  EXPECT_EQ(junk.exit_code, 2);
  EXPECT_NE(junk.err.find("history: METADATA_FAILED: metadata database"), std::string::npos)
      << junk.err;
}

TEST_F(HistoryCliTest, BaselineApproveAcceptsTheCurrentSchema) {
  ASSERT_EQ(run({"check", "--rule", "cols"}).exit_code, 0);
  testing::sqlite_exec(dir_ / "w.db", "ALTER TABLE orders DROP COLUMN name");
  const auto alert = run({"check", "--rule", "cols", "--format", "json"});
  EXPECT_EQ(alert.exit_code, 1);
  const auto res = json::parse(alert.out)["results"][0];
  EXPECT_EQ(res["severity"], "critical");
  EXPECT_EQ(res["schema_changes"][0]["change"], "removed");
  EXPECT_EQ(res["schema_changes"][0]["column"], "name");
  EXPECT_EQ(res["schema_changes"][0]["severity"], "high");
  EXPECT_EQ(run({"check", "--rule", "cols"}).exit_code, 1);  // manual: until approved

  const auto approved = run({"baseline", "approve", "--rule", "cols", "--note", "name retired"});
  EXPECT_EQ(approved.exit_code, 0) << approved.err;
  EXPECT_EQ(approved.out,
            "approved: rule cols now expects the current schema of main.orders (2 columns)\n");
  const auto after = run({"check", "--rule", "cols"});
  EXPECT_EQ(after.exit_code, 0) << after.out;
  EXPECT_NE(after.out.find("schema unchanged: 2 columns"), std::string::npos);

  const auto vol = run({"baseline", "approve", "--rule", "vol", "--by", "ana"});
  EXPECT_EQ(vol.exit_code, 0) << vol.err;
  EXPECT_NE(vol.out.find("recorded so far are part of its baseline"), std::string::npos);
}

TEST_F(HistoryCliTest, BaselineApproveUsageErrors) {
  const auto unknown = run({"baseline", "approve", "--rule", "nope"});
  EXPECT_EQ(unknown.exit_code, 64);
  EXPECT_NE(unknown.err.find("no rule with id \"nope\""), std::string::npos);
  const auto fresh = run({"baseline", "approve", "--rule", "fresh"});
  EXPECT_EQ(fresh.exit_code, 64);
  EXPECT_NE(fresh.err.find("is a freshness rule"), std::string::npos);
  EXPECT_EQ(run({"baseline", "approve"}).exit_code, 64);
  EXPECT_EQ(run({"baseline"}).exit_code, 64);
  testing::sqlite_exec(dir_ / "w.db", "DROP TABLE orders");
  const auto missing = run({"baseline", "approve", "--rule", "cols"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("QUERY_FAILED"), std::string::npos) << missing.err;
}

TEST_F(HistoryCliTest, AResultThatCannotBeRecordedExitsTwoAndStillPrintsTheResults) {
  dir_.write("blocker", "a file where a folder should be");
  write_config("metadata: {path: blocker/metadata.db}\n");
  const auto r = run({"check", "--rule", "fresh", "--format", "json"});
  EXPECT_EQ(r.exit_code, 2);
  const auto doc = json::parse(r.out);
  EXPECT_EQ(doc["results"][0]["status"], "ok");
  EXPECT_EQ(doc["history"]["status"], "failed");
  EXPECT_EQ(doc["history"]["error"]["code"], "METADATA_FAILED");
  EXPECT_NE(r.err.find("the results were not recorded in the metadata store: cannot create the "
                       "folder of metadata database"),
            std::string::npos)
      << r.err;
  // Rules that need the store are error results with the store's reason.
  const auto table = run({"check"});
  EXPECT_EQ(table.exit_code, 2);
  EXPECT_NE(table.out.find("METADATA_FAILED: cannot create the folder"), std::string::npos)
      << table.out;
  const auto history = run({"history"});
  EXPECT_EQ(history.exit_code, 0);  // nothing was ever recorded there
  // --no-history: nothing to record, nothing to fail.
  const auto quiet = run({"check", "--rule", "fresh", "--no-history", "--format", "json"});
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(json::parse(quiet.out)["history"]["status"], "disabled");
}

TEST_F(HistoryCliTest, NoHistoryRecordsNothing) {
  EXPECT_EQ(run({"check", "--rule", "fresh", "--no-history"}).exit_code, 0);
  EXPECT_FALSE(std::filesystem::exists(metadata_db()));
  EXPECT_EQ(run({"check", "--no-history"}).exit_code, 0);  // baselines still kept
  const auto h = json::parse(run({"history", "--format", "json"}).out);
  EXPECT_TRUE(h["executions"].empty());
}

TEST_F(HistoryCliTest, TwoProcessesCheckingAtOnceLoseNothing) {
  const std::string bin = testing::shell_quote(FRESHGUARD_BIN);
  const std::string one = bin + " check --rule fresh --rule vol >/dev/null 2>&1";
  std::string script = "cd " + testing::shell_quote(dir_.path().string()) + " && (";
  for (int i = 0; i < 4; ++i)
    script += one + " & ";
  script += "wait)";
  ASSERT_EQ(std::system(script.c_str()), 0);
  ASSERT_EQ(std::system(script.c_str()), 0);
  const auto h = json::parse(run({"history", "--limit", "100", "--format", "json"}).out);
  EXPECT_EQ(h["executions"].size(), 16u);
}

TEST_F(HistoryCliTest, ThePostgresBackendRecordsAndShowsHistory) {
  FRESHGUARD_NEED_PG();
  const auto* pg = testing::PgServer::get();
  const std::string schema = "fg_cli_history_" + std::to_string(getpid());
  testing::PgRaw raw(*pg, false);
  raw.exec("DROP SCHEMA IF EXISTS " + schema + " CASCADE; CREATE SCHEMA " + schema);
  const std::string url = "postgresql://" + pg->user + ":" + pg->password + "@" + pg->host + ":" +
                          pg->port + "/" + pg->db + "?sslmode=verify-full&sslrootcert=" + pg->ca +
                          "&options=-csearch_path%3D" + schema;
  write_config("metadata: {backend: postgres, url: \"${FG_METADATA_URL}\"}\n");
  const std::vector<std::string> env{"FG_METADATA_URL=" + url};
  const auto r = testing::run_freshguard({"check", "--format", "json"}, dir_.path(), env);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(json::parse(r.out)["history"]["status"], "recorded");
  EXPECT_EQ(r.err.find(pg->password), std::string::npos);
  const auto h = testing::run_freshguard({"history", "--format", "json"}, dir_.path(), env);
  EXPECT_EQ(h.exit_code, 0) << h.err;
  EXPECT_EQ(json::parse(h.out)["executions"].size(), 3u);
  EXPECT_EQ(raw.scalar("SELECT count(*) FROM " + schema + ".freshguard_executions"), "3");
  raw.exec("DROP SCHEMA " + schema + " CASCADE");
}

TEST_F(HistoryCliTest, HelpListsTheNewCommands) {
  const auto help = run({"--help"});
  EXPECT_NE(help.out.find("history"), std::string::npos);
  EXPECT_NE(help.out.find("baseline"), std::string::npos);
  EXPECT_NE(run({"check", "--help"}).out.find("--no-history"), std::string::npos);
  EXPECT_NE(run({"baseline", "approve", "--help"}).out.find("--rule"), std::string::npos);
}

}  // namespace
}  // namespace freshguard
