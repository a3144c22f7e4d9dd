#include <gtest/gtest.h>

#include <freshguard/config/config.hpp>

#include "config/config_test_util.hpp"

namespace freshguard::config {
namespace {

using testing::doc_with;
using testing::has_problem;
using testing::load;
using testing::loads;
using testing::only_problem;

TEST(MetadataConfigTest, Defaults) {
  const auto r = load(doc_with(""));
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(r.config->metadata.backend, MetadataBackend::kSqlite);
  EXPECT_EQ(r.config->metadata.path, ".freshguard/metadata.db");
  EXPECT_EQ(r.config->metadata.url, "");
  EXPECT_EQ(r.config->metadata.retention_days, 90);
  const auto from_file = load(doc_with(""), {}, "/etc/fg/freshguard.yaml");
  ASSERT_TRUE(loads(from_file));
  EXPECT_EQ(from_file.config->metadata.path, "/etc/fg/.freshguard/metadata.db");
  EXPECT_TRUE(loads(load(doc_with("metadata:\n"))));
}

TEST(MetadataConfigTest, SqlitePath) {
  const auto r = load(doc_with("metadata:\n  backend: sqlite\n  path: state/history.db\n"
                               "  retention_days: 3650\n"),
                      {}, "/etc/fg/freshguard.yaml");
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(r.config->metadata.path, "/etc/fg/state/history.db");
  EXPECT_EQ(r.config->metadata.retention_days, 3650);
  const auto absolute = load(doc_with("metadata: {path: /var/lib/fg.db}\n"), {}, "/etc/fg/x.yaml");
  ASSERT_TRUE(loads(absolute));
  EXPECT_EQ(absolute.config->metadata.path, "/var/lib/fg.db");
  const auto from_string = load(doc_with("metadata: {path: state/h.db}\n"));
  ASSERT_TRUE(loads(from_string));
  EXPECT_EQ(from_string.config->metadata.path, "state/h.db");
  EXPECT_TRUE(
      only_problem(load(doc_with("metadata: {path: ''}\n")), "metadata.path", "must not be empty"));
}

TEST(MetadataConfigTest, Postgres) {
  const auto r = load(doc_with("metadata:\n  backend: postgres\n  url: ${META_URL}\n"),
                      {{"META_URL", "postgresql://fg:s3cret@db/fg"}});
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(r.config->metadata.backend, MetadataBackend::kPostgres);
  EXPECT_EQ(r.config->metadata.url, "postgresql://fg:s3cret@db/fg");
  EXPECT_EQ(r.config->metadata.path, "");
  EXPECT_TRUE(loads(load(doc_with("metadata: {backend: postgres, url: 'postgres://h/db'}\n"))));
}

TEST(MetadataConfigTest, PostgresErrors) {
  EXPECT_TRUE(only_problem(load(doc_with("metadata: {backend: postgres}\n")), "metadata.url",
                           "is required"));
  const auto bad = load(doc_with("metadata: {backend: postgres, url: 'mysql://u:hunter22@h'}\n"));
  ASSERT_TRUE(only_problem(bad, "metadata.url", "must be a postgres:// or postgresql:// URL"));
  EXPECT_EQ(bad.problems[0].message.find("hunter22"), std::string::npos);
  EXPECT_TRUE(only_problem(
      load(doc_with("metadata: {backend: postgres, url: 'postgres://h/db', path: x.db}\n")),
      "metadata.path", "'path' does not apply to the postgres metadata backend"));
  EXPECT_TRUE(only_problem(load(doc_with("metadata: {url: 'postgres://h/db'}\n")), "metadata.url",
                           "'url' does not apply to the sqlite metadata backend"));
}

TEST(MetadataConfigTest, BackendAndRetentionErrors) {
  const auto r = load(doc_with("metadata: {backend: mongo, retention: 5}\n"));
  EXPECT_TRUE(has_problem(r, "metadata.backend", "must be one of sqlite, postgres, got \"mongo\""));
  EXPECT_TRUE(has_problem(r, "metadata.retention", "did you mean 'retention_days'?"));
  EXPECT_EQ(r.problems.size(), 2U) << testing::describe(r);
  EXPECT_TRUE(only_problem(load(doc_with("metadata: {retention_days: 0}\n")),
                           "metadata.retention_days", "must be between 1 and 3650, got 0"));
  EXPECT_TRUE(only_problem(load(doc_with("metadata: {retention_days: 3651}\n")),
                           "metadata.retention_days", "must be between 1 and 3650, got 3651"));
  EXPECT_TRUE(loads(load(doc_with("metadata: {retention_days: 1}\n"))));
  EXPECT_TRUE(only_problem(load(doc_with("metadata: sqlite\n")), "metadata",
                           "must be a map, got \"sqlite\""));
}

TEST(LoggingConfigTest, DefaultsAndValues) {
  const auto r = load(doc_with(""));
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(r.config->logging.level, "info");
  EXPECT_EQ(r.config->logging.format, "json");
  for (const auto* level : {"trace", "debug", "info", "warn", "error", "off"}) {
    const auto l = load(doc_with("logging: {level: " + std::string(level) + ", format: text}\n"));
    ASSERT_TRUE(loads(l)) << level;
    EXPECT_EQ(l.config->logging.level, level);
    EXPECT_EQ(l.config->logging.format, "text");
  }
}

TEST(LoggingConfigTest, Errors) {
  EXPECT_TRUE(only_problem(load(doc_with("logging: {level: warning}\n")), "logging.level",
                           "must be one of trace, debug, info, warn, error, off, got \"warning\"; "
                           "did you mean 'warn'?"));
  EXPECT_TRUE(only_problem(load(doc_with("logging: {format: yaml}\n")), "logging.format",
                           "must be one of json, text, got \"yaml\""));
  EXPECT_TRUE(only_problem(load(doc_with("logging: {level: [info]}\n")), "logging.level",
                           "must be one of trace, debug, info, warn, error, off, got a list"));
  EXPECT_TRUE(only_problem(load(doc_with("logging: {levle: info}\n")), "logging.levle",
                           "unknown key 'levle'; did you mean 'level'?"));
  EXPECT_TRUE(
      only_problem(load(doc_with("logging: [info]\n")), "logging", "must be a map, got a list"));
}

TEST(AlertsConfigTest, Defaults) {
  const auto r = load(doc_with(""));
  ASSERT_TRUE(loads(r));
  EXPECT_EQ(r.config->alerts.cooldown_minutes, 0);
  EXPECT_TRUE(r.config->alerts.sinks.empty());
  EXPECT_TRUE(loads(load(doc_with("alerts: {sinks: ~}\n"))));
}

TEST(AlertsConfigTest, CooldownRange) {
  EXPECT_TRUE(loads(load(doc_with("alerts: {cooldown_minutes: 0}\n"))));
  const auto max = load(doc_with("alerts: {cooldown_minutes: 10080}\n"));
  ASSERT_TRUE(loads(max));
  EXPECT_EQ(max.config->alerts.cooldown_minutes, 10080);
  EXPECT_TRUE(only_problem(load(doc_with("alerts: {cooldown_minutes: -1}\n")),
                           "alerts.cooldown_minutes", "must be between 0 and 10080, got -1"));
  EXPECT_TRUE(only_problem(load(doc_with("alerts: {cooldown_minutes: 10081}\n")),
                           "alerts.cooldown_minutes", "must be between 0 and 10080, got 10081"));
}

TEST(AlertsConfigTest, AllSinkTypes) {
  const auto r = load(
      doc_with("alerts:\n"
               "  cooldown_minutes: 30\n"
               "  sinks:\n"
               "    - name: hook\n      type: webhook\n      url: https://hooks.example.com/x\n"
               "      headers:\n        Authorization: Bearer ${HOOK_TOKEN}\n        X-Team: data\n"
               "    - {name: chat, type: slack, url: 'https://hooks.slack.com/services/T/B/xyz'}\n"
               "    - {name: pager, type: pagerduty, routing_key: '${PD_KEY}'}\n"
               "    - {name: script, type: command, command: /usr/local/bin/notify}\n"),
      {{"HOOK_TOKEN", "tok-123456"}, {"PD_KEY", "pd-routing-key"}});
  ASSERT_TRUE(loads(r));
  const auto& sinks = r.config->alerts.sinks;
  ASSERT_EQ(sinks.size(), 4U);
  EXPECT_EQ(r.config->alerts.cooldown_minutes, 30);
  EXPECT_EQ(sinks[0].name, "hook");
  EXPECT_EQ(sinks[0].type, "webhook");
  EXPECT_EQ(sinks[0].url, "https://hooks.example.com/x");
  EXPECT_EQ(sinks[0].headers.at("Authorization"), "Bearer tok-123456");
  EXPECT_EQ(sinks[0].headers.at("X-Team"), "data");
  EXPECT_EQ(sinks[1].type, "slack");
  EXPECT_EQ(sinks[1].url, "https://hooks.slack.com/services/T/B/xyz");
  EXPECT_EQ(sinks[2].routing_key, "pd-routing-key");
  EXPECT_EQ(sinks[3].command, "/usr/local/bin/notify");
}

TEST(AlertsConfigTest, SinkErrors) {
  const auto r =
      load(doc_with("alerts:\n"
                    "  sinks:\n"
                    "    - {type: webhook, url: 'http://h/x', routing_key: abc}\n"
                    "    - {name: a, type: slack, url: 'ftp://h'}\n"
                    "    - {name: a, type: pagerduty}\n"
                    "    - {name: b, type: command}\n"
                    "    - {name: c, type: email, to: x}\n"
                    "    - {name: 'bad name', type: slack}\n"
                    "    - not-a-map\n"));
  EXPECT_TRUE(has_problem(r, "alerts.sinks[0].name", "is required"));
  EXPECT_TRUE(has_problem(r, "alerts.sinks[0].routing_key",
                          "'routing_key' does not apply to webhook sinks"));
  EXPECT_TRUE(has_problem(r, "alerts.sinks[1].url", "must start with http:// or https://"));
  EXPECT_TRUE(has_problem(r, "alerts.sinks[2].routing_key", "is required"));
  EXPECT_TRUE(has_problem(r, "alerts.sinks[2].name", "duplicate sink name \"a\""));
  EXPECT_TRUE(has_problem(r, "alerts.sinks[3].command", "is required"));
  EXPECT_TRUE(has_problem(r, "alerts.sinks[4].type",
                          "must be one of webhook, slack, pagerduty, command, got \"email\""));
  EXPECT_TRUE(has_problem(r, "alerts.sinks[4].to", "unknown key 'to'"));
  EXPECT_TRUE(has_problem(r, "alerts.sinks[5].name", "letters, digits"));
  EXPECT_TRUE(has_problem(r, "alerts.sinks[5].url", "is required"));
  EXPECT_TRUE(has_problem(r, "alerts.sinks[6]", "must be a map (a sink with name: and type:)"));
  EXPECT_EQ(r.problems.size(), 11U) << testing::describe(r);
}

TEST(AlertsConfigTest, SlackUrlIsNotEchoed) {
  const auto r =
      load(doc_with("alerts:\n  sinks:\n    - {name: s, type: slack, "
                    "url: 'hooks.slack.com/services/SECRETTOKEN'}\n"));
  ASSERT_TRUE(only_problem(r, "alerts.sinks[0].url", "must start with http:// or https://"));
  EXPECT_EQ(r.problems[0].message.find("SECRETTOKEN"), std::string::npos);
}

TEST(AlertsConfigTest, HeaderErrors) {
  const std::string prefix =
      "alerts:\n  sinks:\n    - name: h\n      type: webhook\n"
      "      url: https://h/x\n      headers:";
  EXPECT_TRUE(only_problem(load(doc_with(prefix + " [a]\n")), "alerts.sinks[0].headers",
                           "must be a map from header name to value, got a list"));
  EXPECT_TRUE(only_problem(load(doc_with(prefix + " {'Bad Header': x}\n")),
                           "alerts.sinks[0].headers.Bad Header",
                           "is not a valid HTTP header name"));
  EXPECT_TRUE(only_problem(load(doc_with(prefix + " {X-A: \"a\\r\\nX-Evil: 1\"}\n")),
                           "alerts.sinks[0].headers.X-A", "must not contain line breaks"));
  EXPECT_TRUE(only_problem(load(doc_with(prefix + " {X-A: [1]}\n")), "alerts.sinks[0].headers.X-A",
                           "must be a string, got a list"));
  EXPECT_TRUE(only_problem(load(doc_with(prefix + " {X-A: '${MISSING}'}\n")),
                           "alerts.sinks[0].headers.X-A",
                           "environment variable MISSING is not set"));
}

TEST(AlertsConfigTest, SectionShape) {
  EXPECT_TRUE(only_problem(load(doc_with("alerts: {sinks: {a: 1}}\n")), "alerts.sinks",
                           "must be a list of sinks, got a map"));
  EXPECT_TRUE(only_problem(load(doc_with("alerts: {sink: []}\n")), "alerts.sink",
                           "unknown key 'sink'; did you mean 'sinks'?"));
  EXPECT_TRUE(only_problem(load(doc_with("alerts: 5\n")), "alerts", "must be a map, got \"5\""));
}

}  // namespace
}  // namespace freshguard::config
