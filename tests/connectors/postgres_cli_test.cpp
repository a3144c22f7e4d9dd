// `freshguard check` with examples/postgres.yaml against the real server: the quickstart's
// freshness rules on PostgreSQL, run by the binary as a user would.

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "support/pg_test_server.hpp"
#include "support/run_process.hpp"

namespace freshguard {
namespace {

using testing::PgTest;

class PostgresCliTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    std::ifstream in(std::string(FRESHGUARD_SOURCE_DIR) + "/examples/postgres-demo.sql");
    std::stringstream sql;
    sql << in.rdbuf();
    ASSERT_FALSE(sql.str().empty());
    user_->exec(sql.str());  // search_path is this test's schema
  }

  std::vector<std::string> env() const {
    return {"FRESHGUARD_PG_HOST=" + server_->host,
            "FRESHGUARD_PG_PORT=" + server_->port,
            "FRESHGUARD_PG_DATABASE=" + server_->db,
            "FRESHGUARD_PG_USER=" + server_->user,
            "FRESHGUARD_PG_PASSWORD=" + server_->password,
            "FRESHGUARD_PG_SSL_ROOT_CERT=" + server_->ca,
            "FRESHGUARD_PG_SCHEMA=" + schema_};
  }

  static std::string line_of(const std::string& out, const std::string& rule) {
    std::istringstream lines(out);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind(rule + " ", 0) == 0) return line;
    }
    return "";
  }
};

TEST_F(PostgresCliTest, CheckRunsTheQuickstartRules) {
  testing::TempDir cwd;
  const auto config = std::string(FRESHGUARD_SOURCE_DIR) + "/examples/postgres.yaml";
  const auto r = testing::run_freshguard({"check", "-c", config}, cwd.path(), env());
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

TEST_F(PostgresCliTest, TestCommandReachesTheSource) {
  testing::TempDir cwd;
  const auto config = std::string(FRESHGUARD_SOURCE_DIR) + "/examples/postgres.yaml";
  auto r = testing::run_freshguard({"test", "-c", config}, cwd.path(), env());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  // A wrong password is an error naming the source, never the password.
  auto bad = env();
  bad.push_back("FRESHGUARD_PG_PASSWORD=wrong-password-123");
  r = testing::run_freshguard({"check", "-c", config}, cwd.path(), bad);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.out.find("authentication failed for source \"warehouse\""), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("wrong-password"), std::string::npos);
  EXPECT_EQ(r.err.find("wrong-password"), std::string::npos);
}

}  // namespace
}  // namespace freshguard
