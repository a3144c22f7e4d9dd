// Pool and timeout settings of server sources (postgres, mysql): defaults, ranges, and
// rejection on the source types they do not apply to.

#include <gtest/gtest.h>

#include <freshguard/config/config.hpp>

#include "config/config_test_util.hpp"

namespace freshguard::config {
namespace {

using testing::has_problem;
using testing::load;
using testing::loads;
using testing::only_problem;
using testing::source_doc;

constexpr std::string_view kPostgres =
    "type: postgres\nhost: db.example.com\ndatabase: analytics\nusername: fg\n"
    "password: correct-horse\n";

TEST(PoolConfigTest, AuditedDefaults) {
  const auto r = load(source_doc(kPostgres));
  ASSERT_TRUE(loads(r));
  const auto& s = r.config->sources.at("src");
  EXPECT_EQ(s.connect_timeout_ms, 5000);
  EXPECT_EQ(s.idle_timeout_ms, 30000);
  EXPECT_EQ(s.max_uses, 7500);
  EXPECT_EQ(s.max_lifetime_ms, 1800000);
  EXPECT_EQ(s.statement_timeout_ms, 10000);
  EXPECT_EQ(s.max_connections, 20);
}

TEST(PoolConfigTest, AllSettingsOnPostgresAndMysql) {
  for (const std::string_view type : {"postgres", "mysql"}) {
    SCOPED_TRACE(type);
    const auto r =
        load(source_doc("type: " + std::string(type) +
                        "\nhost: h\ndatabase: d\nusername: u\npassword: 12345678\n"
                        "connect_timeout_ms: 1000\nidle_timeout_ms: 3600000\nmax_uses: 1\n"
                        "max_lifetime_ms: 60000\nstatement_timeout_ms: \"${ST}\"\n"),
             {{"ST", "600000"}});
    ASSERT_TRUE(loads(r));
    const auto& s = r.config->sources.at("src");
    EXPECT_EQ(s.connect_timeout_ms, 1000);
    EXPECT_EQ(s.idle_timeout_ms, 3600000);
    EXPECT_EQ(s.max_uses, 1);
    EXPECT_EQ(s.max_lifetime_ms, 60000);
    EXPECT_EQ(s.statement_timeout_ms, 600000);
  }
}

TEST(PoolConfigTest, RangesAreChecked) {
  const struct {
    const char* line;
    const char* path;
    const char* message;
  } cases[] = {
      {"connect_timeout_ms: 999", "sources.src.connect_timeout_ms", "between 1000 and 60000"},
      {"connect_timeout_ms: 60001", "sources.src.connect_timeout_ms", "between 1000 and 60000"},
      {"idle_timeout_ms: 999", "sources.src.idle_timeout_ms", "between 1000 and 3600000"},
      {"max_uses: 0", "sources.src.max_uses", "between 1 and 1000000"},
      {"max_lifetime_ms: 59999", "sources.src.max_lifetime_ms", "between 60000 and 86400000"},
      {"statement_timeout_ms: 99", "sources.src.statement_timeout_ms", "between 100 and 600000"},
      {"statement_timeout_ms: ten", "sources.src.statement_timeout_ms", "integer"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.line);
    const auto r = load(source_doc(std::string(kPostgres) + c.line + "\n"));
    EXPECT_TRUE(only_problem(r, c.path, c.message));
  }
}

TEST(PoolConfigTest, NotForFileDatabases) {
  const auto r = load(source_doc("type: sqlite\npath: /data/db.sqlite\nmax_uses: 10\n"));
  EXPECT_TRUE(only_problem(r, "sources.src.max_uses", "does not apply to sqlite sources"));
}

TEST(PoolConfigTest, RelativeRootCertIsReadFromTheConfigFolder) {
  const auto r = load(source_doc(std::string(kPostgres) + "ssl_root_cert: certs/ca.pem\n"), {},
                      "/etc/freshguard/freshguard.yaml");
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(r.config->sources.at("src").ssl_root_cert, "/etc/freshguard/certs/ca.pem");
  const auto empty = load(source_doc(std::string(kPostgres) + "ssl_root_cert: \"\"\n"), {},
                          "/etc/freshguard/freshguard.yaml");
  ASSERT_TRUE(loads(empty));
  EXPECT_EQ(empty.config->sources.at("src").ssl_root_cert, "");
}

}  // namespace
}  // namespace freshguard::config
