#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include <freshguard/config/config.hpp>

#include "config/config_test_util.hpp"

namespace freshguard::config {
namespace {

namespace fs = std::filesystem;
using testing::doc_with;
using testing::has_problem;
using testing::load;
using testing::loads;
using testing::only_problem;

TEST(ConfigLoaderTest, MinimalConfig) {
  const auto r = load(doc_with(""));
  ASSERT_TRUE(loads(r));
  EXPECT_TRUE(r.config->file.empty());
  ASSERT_EQ(r.config->sources.size(), 1U);
  ASSERT_EQ(r.config->rules.size(), 1U);
}

TEST(ConfigLoaderTest, SyntaxErrorGivesLineAndColumnWithoutContent) {
  const auto r = load("sources:\n  db: {type: sqlite\nrules: [secret-token-xyz\n");
  ASSERT_EQ(r.problems.size(), 1U) << testing::describe(r);
  const auto& p = r.problems[0];
  EXPECT_EQ(p.path, "");
  EXPECT_NE(p.message.find("invalid YAML at line "), std::string::npos) << p.message;
  EXPECT_NE(p.message.find(", column "), std::string::npos) << p.message;
  EXPECT_EQ(p.message.find("secret-token-xyz"), std::string::npos) << p.message;
  EXPECT_FALSE(r.config.has_value());
}

TEST(ConfigLoaderTest, SyntaxErrorPosition) {
  // yaml-cpp reports the tab at line 3; lines and columns are 1-based.
  const auto r = load("sources:\n  db: x\n\t- bad\n");
  ASSERT_EQ(r.problems.size(), 1U) << testing::describe(r);
  EXPECT_NE(r.problems[0].message.find("line 3"), std::string::npos) << r.problems[0].message;
}

TEST(ConfigLoaderTest, SyntaxErrorDetailIsCut) {
  const auto r = load("a: \"\\q-secret\"\n");
  ASSERT_EQ(r.problems.size(), 1U) << testing::describe(r);
  EXPECT_NE(r.problems[0].message.find("unknown escape character"), std::string::npos);
  EXPECT_EQ(r.problems[0].message.find("secret"), std::string::npos);
}

TEST(ConfigLoaderTest, DocumentMustBeAMap) {
  EXPECT_TRUE(only_problem(load("- a\n- b\n"), "",
                           "the configuration must be a YAML map with sources: and rules:, got a "
                           "list"));
  EXPECT_TRUE(only_problem(load("just text\n"), "", "got \"just text\""));
  EXPECT_TRUE(only_problem(load(""), "", "the configuration is empty"));
  EXPECT_TRUE(only_problem(load("# only a comment\n"), "", "the configuration is empty"));
}

TEST(ConfigLoaderTest, MissingSourcesAndRules) {
  const auto r = load("logging: {level: info}\n");
  EXPECT_TRUE(has_problem(r, "sources", "at least one source is required"));
  EXPECT_TRUE(has_problem(r, "rules", "at least one rule is required"));
  EXPECT_EQ(r.problems.size(), 2U);
}

TEST(ConfigLoaderTest, UnknownTopLevelKey) {
  const auto r = load(doc_with("sourcs: {}\nlogs: {}\n"));
  EXPECT_TRUE(has_problem(r, "sourcs", "unknown key 'sourcs'; did you mean 'sources'?"));
  EXPECT_TRUE(has_problem(r, "logs", "unknown key 'logs'"));
  EXPECT_EQ(r.problems.size(), 2U) << testing::describe(r);
}

TEST(ConfigLoaderTest, DuplicateAndNonStringKeys) {
  EXPECT_TRUE(only_problem(load(doc_with("logging: {}\nlogging: {}\n")), "logging",
                           "duplicate key 'logging'"));
  EXPECT_TRUE(only_problem(load(doc_with("? [a, b]\n: 1\n")), "",
                           "keys must be plain strings, got a list"));
}

TEST(ConfigLoaderTest, ReportsEveryProblemAtOnce) {
  const auto r = load(R"(
sources:
  warehouse:
    type: postgres
    host: db.example.com
    port: 70000
    database: analytics
    username: fg
    password: ${DB_PASSWORD}
rules:
  - id: orders
    source: warehouse
    table: orders
    type: freshness
    timestamp_column: updated_at
  - id: orders
    source: warehouse
    table: "users; DROP TABLE users; --"
    type: freshness
    timestamp_column: updated_at
  - id: events
    source: warehouse
    table: events
    type: freshness
    timestamp_column: ts
    tolerence_minutes: 30
logging:
  level: loud
)");
  EXPECT_TRUE(has_problem(r, "sources.warehouse.port", "must be between 1 and 65535, got 70000"));
  EXPECT_TRUE(
      has_problem(r, "sources.warehouse.password", "environment variable DB_PASSWORD is not set"));
  EXPECT_TRUE(has_problem(r, "rules[1].id", "duplicate rule id \"orders\""));
  EXPECT_TRUE(has_problem(r, "rules[1].table", "SECURITY_VIOLATION: "));
  EXPECT_TRUE(has_problem(r, "rules[2].tolerence_minutes", "did you mean 'tolerance_minutes'?"));
  EXPECT_TRUE(has_problem(r, "logging.level", "must be one of"));
  EXPECT_EQ(r.problems.size(), 6U) << testing::describe(r);
  EXPECT_FALSE(r.config.has_value());
  EXPECT_FALSE(r.ok());
  const auto security = std::count_if(r.problems.begin(), r.problems.end(),
                                      [](const ConfigProblem& p) { return p.security; });
  EXPECT_EQ(security, 1);
}

TEST(ConfigLoaderTest, FiveMistakesFiveProblems) {
  const auto r = load(R"(
sources:
  db:
    type: sqlite
    path: /data/wh.db
    timeout_ms: 10
rules:
  - id: a
    source: nowhere
    table: t
    type: freshness
    timestamp_column: ts
  - id: b
    source: db
    table: t
    type: freshness
    timestamp_column: ts
    tolerance_minutes: 3
metadata:
  retention_days: abc
alerts:
  cooldown_minutes: 99999
)");
  ASSERT_EQ(r.problems.size(), 5U) << testing::describe(r);
  EXPECT_EQ(r.problems[0].to_string(),
            "sources.db.timeout_ms: must be between 1000 and 60000, got 10");
  EXPECT_TRUE(has_problem(r, "rules[0].source", "unknown source \"nowhere\""));
  EXPECT_EQ(r.problems[2].to_string(),
            "rules[1].tolerance_minutes: must be between 5 and 10080, got 3");
  EXPECT_EQ(r.problems[3].to_string(), "metadata.retention_days: must be an integer, got \"abc\"");
  EXPECT_EQ(r.problems[4].to_string(),
            "alerts.cooldown_minutes: must be between 0 and 10080, got 99999");
}

TEST(ConfigProblemTest, ToString) {
  EXPECT_EQ((ConfigProblem{"a.b", "bad", false}).to_string(), "a.b: bad");
  EXPECT_EQ((ConfigProblem{"", "bad", false}).to_string(), "bad");
}

TEST(ConfigSecretsTest, CollectsEverySecret) {
  const auto r = load(R"(
sources:
  pg:
    type: postgres
    host: h
    database: d
    username: u
    password: pg-password-1
  bq:
    type: bigquery
    project: my-project
    dataset: d
    endpoint: https://user:endpoint-pass@bq.local/
  file: {type: sqlite, path: /x.db}
rules:
  - {id: r, source: file, table: t, type: freshness, timestamp_column: ts}
metadata:
  backend: postgres
  url: postgresql://fg:meta%40pass@db:5432/fg
alerts:
  sinks:
    - name: hook
      type: webhook
      url: https://bot:hook-pass@hooks.example.com/x?y=1
      headers: {Authorization: Bearer header-token}
    - {name: chat, type: slack, url: 'https://hooks.slack.com/services/T/B/slack-token'}
    - {name: pager, type: pagerduty, routing_key: pd-routing-key}
)");
  ASSERT_TRUE(loads(r));
  const auto secrets = r.config->secrets();
  const auto has = [&secrets](const std::string& s) {
    return std::find(secrets.begin(), secrets.end(), s) != secrets.end();
  };
  EXPECT_TRUE(has("pg-password-1"));
  EXPECT_TRUE(has("endpoint-pass"));
  EXPECT_TRUE(has("postgresql://fg:meta%40pass@db:5432/fg"));
  EXPECT_TRUE(has("meta%40pass"));
  EXPECT_TRUE(has("meta@pass"));
  EXPECT_TRUE(has("hook-pass"));
  EXPECT_TRUE(has("Bearer header-token"));
  EXPECT_TRUE(has("https://hooks.slack.com/services/T/B/slack-token"));
  EXPECT_TRUE(has("pd-routing-key"));
  EXPECT_FALSE(has(""));
  EXPECT_EQ(secrets.size(), 9U);
  EXPECT_TRUE(std::is_sorted(secrets.begin(), secrets.end()));
}

TEST(ConfigSecretsTest, UrlsWithoutPasswords) {
  Config config;
  config.metadata.url = "postgres://user@db/fg";
  AlertSinkConfig sink;
  sink.type = "webhook";
  sink.url = "https://hooks.example.com/a@b";
  config.alerts.sinks.push_back(sink);
  sink.url = "no-scheme:x@y";
  config.alerts.sinks.push_back(sink);
  sink.url = "https://u:%zz%4@h/";
  config.alerts.sinks.push_back(sink);
  const auto secrets = config.secrets();
  EXPECT_EQ(secrets, (std::vector<std::string>{"%zz%4", "postgres://user@db/fg"}));
  EXPECT_TRUE(Config{}.secrets().empty());
}

TEST(StarterConfigTest, LoadsCleanly) {
  const auto text = starter_config();
  EXPECT_NE(text.find("${FRESHGUARD_PG_PASSWORD}"), std::string::npos);
  EXPECT_NE(text.find("type: postgres"), std::string::npos);
  const auto r = load(text);
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(r.config->sources.at("local").type, SourceType::kSqlite);
  ASSERT_EQ(r.config->rules.size(), 1U);
  EXPECT_EQ(r.config->rules[0].type, RuleType::kFreshness);
  EXPECT_EQ(r.config->logging.format, "json");
  EXPECT_EQ(r.config->metadata.backend, MetadataBackend::kSqlite);
}

TEST(StarterConfigTest, PostgresExampleLoadsWhenUncommented) {
  std::string text = starter_config();
  const auto start = text.find("  # warehouse:");
  ASSERT_NE(start, std::string::npos);
  const auto end = text.find("\n\n", start);
  std::string block = text.substr(start, end - start);
  std::string uncommented;
  std::size_t pos = 0;
  while (pos < block.size()) {
    auto eol = block.find('\n', pos);
    if (eol == std::string::npos) eol = block.size();
    auto line = block.substr(pos, eol - pos);
    line.erase(2, 2);  // "  # x" -> "  x"
    uncommented += line + "\n";
    pos = eol + 1;
  }
  text.replace(start, end - start, uncommented);
  EXPECT_TRUE(has_problem(load(text), "sources.warehouse.password",
                          "environment variable FRESHGUARD_PG_PASSWORD is not set"));
  const auto r = load(text, {{"FRESHGUARD_PG_PASSWORD", "a-long-password"}});
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(r.config->sources.at("warehouse").type, SourceType::kPostgres);
  EXPECT_EQ(r.config->sources.at("warehouse").password, "a-long-password");
}

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = fs::temp_directory_path() / ("freshguard-config-test-" + std::to_string(rd()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  fs::path write(const std::string& name, const std::string& text) {
    auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  fs::path dir_;
};

TEST_F(ConfigFileTest, LoadsAndResolvesRelativePaths) {
  const auto file = write("freshguard.yaml", starter_config());
  const auto r = load_config_file(file, testing::env_of({}));
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(r.config->file, file);
  EXPECT_EQ(r.config->sources.at("local").path, (dir_ / "data/warehouse.db").string());
  EXPECT_EQ(r.config->metadata.path, (dir_ / ".freshguard/metadata.db").string());
}

TEST_F(ConfigFileTest, MissingFile) {
  const auto missing = dir_ / "nope.yaml";
  const auto r = load_config_file(missing, testing::env_of({}));
  ASSERT_EQ(r.problems.size(), 1U);
  EXPECT_EQ(r.problems[0].path, "");
  EXPECT_EQ(r.problems[0].message,
            "cannot read config file \"" + missing.string() + "\": No such file or directory");
  EXPECT_FALSE(r.config.has_value());
}

TEST_F(ConfigFileTest, DirectoryIsRefused) {
  const auto r = load_config_file(dir_, testing::env_of({}));
  ASSERT_TRUE(only_problem(r, "", "cannot read config file"));
  EXPECT_NE(r.problems[0].message.find("Is a directory"), std::string::npos);
}

TEST_F(ConfigFileTest, FileOverTenMebibytesIsRefused) {
  constexpr std::size_t kLimit = std::size_t{10} * 1024 * 1024;
  const auto big = write("big.yaml", "#" + std::string(kLimit - 1, 'x') + "\n");
  EXPECT_TRUE(
      only_problem(load_config_file(big, testing::env_of({})), "", "larger than the 10 MiB limit"));
  // Exactly at the limit the file is read (and found to hold nothing but a comment).
  const auto at_limit = write("limit.yaml", "#" + std::string(kLimit - 2, 'x') + "\n");
  EXPECT_TRUE(only_problem(load_config_file(at_limit, testing::env_of({})), "",
                           "the configuration is empty"));
}

TEST_F(ConfigFileTest, ProblemsInAFile) {
  const auto file = write("bad.yaml", "sources: {}\nrules: []\n");
  const auto r = load_config_file(file, testing::env_of({}));
  EXPECT_TRUE(has_problem(r, "sources", "at least one source is required"));
  EXPECT_TRUE(has_problem(r, "rules", "at least one rule is required"));
}

TEST_F(ConfigFileTest, DefaultEnvironmentIsTheProcess) {
  const auto file = write("env.yaml", testing::doc_with(""));
  EXPECT_TRUE(loads(load_config_file(file)));
  EXPECT_TRUE(loads(load_config_string(testing::doc_with(""))));
}

}  // namespace
}  // namespace freshguard::config
