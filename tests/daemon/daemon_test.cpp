// The Daemon in-process over a real SQLite warehouse and SQLite metadata store, with 100 ms
// intervals: results recorded, status and metrics rendered, one alert per status change
// delivered to a local receiver, reloads, and a drained stop.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <freshguard/daemon/daemon.hpp>
#include <freshguard/daemon/http_server.hpp>
#include <freshguard/metadata/factory.hpp>

#include "support/http_receiver.hpp"
#include "support/pg_test_server.hpp"
#include "support/sqlite_db.hpp"
#include "support/temp_dir.hpp"

namespace freshguard::daemon {
namespace {

using ::freshguard::testing::eventually;
using std::chrono::milliseconds;

class DaemonTest : public ::testing::Test {
 protected:
  void SetUp() override { freshen(); }
  void freshen() {
    testing::sqlite_exec(dir_ / "wh.db", R"sql(
      CREATE TABLE IF NOT EXISTS orders (id INTEGER PRIMARY KEY, updated_at TEXT);
      DELETE FROM orders;
      INSERT INTO orders (updated_at) VALUES (datetime('now'));
    )sql");
  }
  void make_stale() {
    testing::sqlite_exec(dir_ / "wh.db",
                         "UPDATE orders SET updated_at = datetime('now', '-3 hours');");
  }
  std::string yaml(const std::string& extra_rule = "") const {
    return "sources:\n  wh:\n    type: sqlite\n    path: " + (dir_ / "wh.db").string() +
           "\nrules:\n  - id: orders_fresh\n    source: wh\n    table: orders\n"
           "    type: freshness\n    timestamp_column: updated_at\n    tolerance_minutes: 60\n" +
           extra_rule + "metadata:\n  path: " + (dir_ / "meta.db").string() +
           "\nalerts:\n  sinks:\n    - name: hook\n      type: webhook\n      url: " + rx_.url() +
           "\n";
  }
  config::Config load(const std::string& text) const {
    auto r = config::load_config_string(text);
    EXPECT_TRUE(r.ok()) << (r.problems.empty() ? "" : r.problems[0].to_string());
    return std::move(*r.config);
  }
  std::unique_ptr<Daemon> make() {
    auto cfg = load(yaml());
    auto store = open_metadata_store(cfg.metadata);
    DaemonOptions o;
    o.interval_override = milliseconds(100);
    o.scheduler.jitter = 0;
    o.dispatcher.base_delay = milliseconds(10);
    return std::make_unique<Daemon>(std::move(cfg), std::move(store), o);
  }
  std::vector<std::string> events() {
    std::vector<std::string> out;
    for (const auto& b : rx_.bodies())
      out.push_back(nlohmann::json::parse(b)["event"]);
    return out;
  }

  testing::TempDir dir_;
  testing::HttpReceiver rx_;
};

TEST_F(DaemonTest, RunsRecordsAlertsOnceAndRecovers) {
  auto d = make();
  std::string why;
  EXPECT_TRUE(d->ready(&why)) << why;
  const auto pending = nlohmann::json::parse(d->status_json());
  EXPECT_EQ(pending["pending"], nlohmann::json::array({"orders_fresh"}));
  d->start();
  ASSERT_TRUE(eventually([&] { return d->checks_completed() >= 2; }, milliseconds(5000)));
  auto status = nlohmann::json::parse(d->status_json());
  ASSERT_EQ(status["results"].size(), 1U);
  EXPECT_EQ(status["results"][0]["rule_id"], "orders_fresh");
  EXPECT_EQ(status["results"][0]["status"], "ok");
  EXPECT_TRUE(status["pending"].empty());

  const std::string metrics = d->metrics_text();
  EXPECT_NE(metrics.find(
                "freshguard_rule_status{rule=\"orders_fresh\",source=\"wh\",table=\"orders\"} 0"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("freshguard_checks_total{rule=\"orders_fresh\",status=\"ok\"}"),
            std::string::npos);
  EXPECT_NE(
      metrics.find(
          "freshguard_check_duration_seconds_bucket{source=\"wh\",type=\"freshness\",le=\"+Inf\"}"),
      std::string::npos);
  EXPECT_NE(metrics.find("freshguard_queries_total{operation=\"max\",source=\"wh\",table="),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("freshguard_circuit_breaker_state{source=\"wh\"} 0"), std::string::npos);
  EXPECT_TRUE(events().empty());

  make_stale();
  ASSERT_TRUE(eventually([&] { return events().size() == 1; }, milliseconds(5000)));
  const auto seen = d->checks_completed();
  ASSERT_TRUE(eventually([&] { return d->checks_completed() >= seen + 3; }, milliseconds(5000)));
  EXPECT_EQ(events(), std::vector<std::string>{"alert"});  // once, not per check
  freshen();
  ASSERT_TRUE(eventually([&] { return events().size() == 2; }, milliseconds(5000)));
  EXPECT_EQ(events(), (std::vector<std::string>{"alert", "recovery"}));

  const auto history = d->history_json("orders_fresh", 3);
  ASSERT_TRUE(history.has_value());
  EXPECT_EQ(nlohmann::json::parse(*history)["executions"].size(), 3U);
  EXPECT_FALSE(d->history_json("nope", 3).has_value());
  EXPECT_TRUE(d->stop(milliseconds(5000)));
  EXPECT_EQ(d->alert_stats().delivered, 2U);
}

TEST_F(DaemonTest, ReloadAddsRulesAndKeepsServing) {
  auto d = make();
  d->start();
  d->reload(
      load(yaml("  - id: orders_rows\n    source: wh\n    table: orders\n"
                "    type: volume_threshold\n    min_row_count: 1\n")));
  ASSERT_TRUE(
      eventually([&] { return nlohmann::json::parse(d->status_json())["results"].size() == 2; },
                 milliseconds(5000)));
  d->reload_failed();
  const auto metrics = d->metrics_text();
  EXPECT_NE(metrics.find("freshguard_config_reloads_total{result=\"failure\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("freshguard_config_reloads_total{result=\"success\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("freshguard_rule_rows{rule=\"orders_rows\""), std::string::npos);
  // Dropping the rule again removes it from the status.
  d->reload(load(yaml()));
  ASSERT_TRUE(
      eventually([&] { return nlohmann::json::parse(d->status_json())["results"].size() == 1; },
                 milliseconds(5000)));
  EXPECT_TRUE(d->stop(milliseconds(5000)));
}

TEST_F(DaemonTest, HttpEndpoints) {
  auto d = make();
  HttpServer http(*d, "tok3n");
  const int port = http.start({"127.0.0.1", 0});
  ASSERT_GT(port, 0);
  d->start();
  ASSERT_TRUE(eventually([&] { return d->checks_completed() >= 1; }, milliseconds(5000)));
  httplib::Client c("127.0.0.1", port);
  auto r = c.Get("/healthz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = c.Get("/readyz");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = c.Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_NE(r->body.find("freshguard_up 1"), std::string::npos);
  EXPECT_EQ(c.Get("/api/v1/status")->status, 401);
  EXPECT_EQ(c.Get("/api/v1/status", {{"Authorization", "Bearer wrong"}})->status, 401);
  const httplib::Headers auth = {{"Authorization", "Bearer tok3n"}};
  r = c.Get("/api/v1/status", auth);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(nlohmann::json::parse(r->body)["results"][0]["rule_id"], "orders_fresh");
  r = c.Get("/api/v1/rules/orders_fresh/history?limit=1", auth);
  ASSERT_TRUE(r);
  EXPECT_EQ(nlohmann::json::parse(r->body)["executions"].size(), 1U);
  EXPECT_EQ(c.Get("/api/v1/rules/orders_fresh/history?limit=0", auth)->status, 400);
  EXPECT_EQ(c.Get("/api/v1/rules/orders_fresh/history?limit=x", auth)->status, 400);
  EXPECT_EQ(c.Get("/api/v1/rules/nope/history", auth)->status, 404);
  r = c.Get("/nothing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_NE(r->body.find("NOT_FOUND"), std::string::npos);
  // The port is taken now.
  HttpServer second(*d, "");
  EXPECT_THROW(second.start({"127.0.0.1", port}), ConfigError);
  http.stop();
  http.stop();  // idempotent
  EXPECT_TRUE(d->stop(milliseconds(5000)));
}

TEST(ParseListen, Forms) {
  std::string err;
  auto a = parse_listen("127.0.0.1:8080", &err);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 8080);
  a = parse_listen("[::1]:0", &err);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 0);
  EXPECT_FALSE(parse_listen("localhost", &err));
  EXPECT_EQ(err, "must be HOST:PORT");
  EXPECT_FALSE(parse_listen(":80", &err));
  EXPECT_FALSE(parse_listen("h:99999", &err));
  EXPECT_EQ(err, "port must be a number from 0 to 65535");
  EXPECT_FALSE(parse_listen("h:8o", &err));
  EXPECT_FALSE(parse_listen("h:", &err));
  EXPECT_FALSE(parse_listen("[::1:80", &err));
  EXPECT_FALSE(parse_listen("x:1", nullptr).has_value() == false);
}

}  // namespace
}  // namespace freshguard::daemon
