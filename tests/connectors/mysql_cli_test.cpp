// `freshguard check` with examples/mysql.yaml against the real MariaDB server: the
// quickstart's freshness rules on MySQL / MariaDB, run by the binary as a user would.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/mysql_test_server.hpp"
#include "support/run_process.hpp"

namespace freshguard {
namespace {

using testing::MysqlTest;

class MysqlCliTest : public MysqlTest {
 protected:
  void SetUp() override {
    MysqlTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::ifstream in(std::string(FRESHGUARD_SOURCE_DIR) + "/examples/mysql-demo.sql");
    std::stringstream sql;
    sql << in.rdbuf();
    ASSERT_FALSE(sql.str().empty());
    user_->exec(sql.str());  // the raw connection's database is this test's
  }

  std::vector<std::string> env() const {
    return {"FRESHGUARD_MYSQL_HOST=" + server_->host,
            "FRESHGUARD_MYSQL_PORT=" + server_->port,
            "FRESHGUARD_MYSQL_DATABASE=" + db_,
            "FRESHGUARD_MYSQL_USER=" + server_->user,
            "FRESHGUARD_MYSQL_PASSWORD=" + server_->password,
            "FRESHGUARD_MYSQL_SSL_ROOT_CERT=" + server_->ca};
  }

  static std::string config() {
    return std::string(FRESHGUARD_SOURCE_DIR) + "/examples/mysql.yaml";
  }

  static std::string line_of(const std::string& out, const std::string& rule) {
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(rule + " ", 0) == 0) return line;
    }
    return "";
  }
};

TEST_F(MysqlCliTest, CheckRunsTheQuickstartRules) {
  testing::TempDir cwd;
  const auto r = testing::run_freshguard({"check", "-c", config()}, cwd.path(), env());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;  // alerts: page_events stale, refunds empty
  EXPECT_NE(line_of(r.out, "orders_fresh").find(" ok "), std::string::npos) << r.out;
  EXPECT_NE(line_of(r.out, "page_events_fresh").find("alert (critical)"), std::string::npos)
      << r.out;
  EXPECT_NE(line_of(r.out, "page_events_fresh").find("last update 3d"), std::string::npos) << r.out;
  EXPECT_NE(line_of(r.out, "refunds_fresh").find("table is empty"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("3 rules: 1 ok, 2 alert, 0 error"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(server_->password), std::string::npos);
  EXPECT_EQ(r.err.find(server_->password), std::string::npos);
}

TEST_F(MysqlCliTest, JsonResultsCarryLagAndMethod) {
  testing::TempDir cwd;
  const auto r =
      testing::run_freshguard({"check", "-c", config(), "--format", "json"}, cwd.path(), env());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto doc = nlohmann::json::parse(r.out);
  ASSERT_EQ(doc["results"].size(), 3u);
  EXPECT_EQ(doc["results"][0]["status"], "ok") << doc.dump(2);
  EXPECT_EQ(doc["results"][0]["method"], "max_timestamp");
  EXPECT_NEAR(doc["results"][0]["lag_seconds"].get<double>(), 7 * 60, 120);
  EXPECT_NEAR(doc["results"][1]["lag_seconds"].get<double>(), 3 * 86400 + 60, 180);
}

TEST_F(MysqlCliTest, TestCommandReachesTheSourceAndBadPasswordsAreErrors) {
  testing::TempDir cwd;
  auto r = testing::run_freshguard({"test", "-c", config()}, cwd.path(), env());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // A wrong password is an error naming the source, never the password.
  auto bad = env();
  bad.push_back("FRESHGUARD_MYSQL_PASSWORD=wrong-password-123");
  r = testing::run_freshguard({"check", "-c", config()}, cwd.path(), bad);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("authentication failed for source \"warehouse\""), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("wrong-password"), std::string::npos);
  EXPECT_EQ(r.err.find("wrong-password"), std::string::npos);
}

}  // namespace
}  // namespace freshguard
