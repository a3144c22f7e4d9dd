// The Done-when test of `freshguard serve`: the real binary on rules over the real
// PostgreSQL test server and a SQLite file, 1 s intervals, a free loopback port. It scrapes
// /metrics and validates it with `promtool check metrics`, reads /api/v1/status, makes a
// table stale and sees exactly one alert at a local webhook receiver, makes it fresh and sees
// exactly one recovery, sends SIGHUP with a broken config and sees the old one kept, and
// sends SIGTERM and sees exit 0 within the grace period.

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/http_receiver.hpp"
#include "support/pg_test_server.hpp"
#include "support/run_process.hpp"
#include "support/serve_process.hpp"
#include "support/sqlite_db.hpp"
#include "support/temp_dir.hpp"

namespace freshguard {
namespace {

using std::chrono::milliseconds;
using testing::eventually;
using testing::ServeProcess;

bool have_promtool() {
  return std::system("command -v promtool >/dev/null 2>&1") == 0;
}

class ServeTest : public testing::PgTest {};

TEST_F(ServeTest, ServesAlertsReloadsAndDrains) {
  if (IsSkipped() || HasFatalFailure()) return;
  if (!have_promtool()) {
    if (testing::pg_required()) FAIL() << "promtool not found (Debian package prometheus)";
    GTEST_SKIP() << "promtool not found: install the prometheus package";
  }
  user_->exec(
      "CREATE TABLE orders (id serial PRIMARY KEY, updated_at timestamptz);"
      "INSERT INTO orders (updated_at) VALUES (now());");
  testing::TempDir dir;
  testing::sqlite_exec(dir / "wh.db",
                       "CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT);"
                       "INSERT INTO events (at) VALUES (datetime('now'));");
  testing::HttpReceiver rx;
  const std::string config = R"(
sources:
  pg:
    type: postgres
    host: ${PGT_HOST}
    port: ${PGT_PORT}
    database: ${PGT_DB}
    username: ${PGT_USER}
    password: ${PGT_PASSWORD}
    ssl_root_cert: ${PGT_CA}
    schema: ${PGT_SCHEMA}
  lite:
    type: sqlite
    path: wh.db
rules:
  - id: pg_orders
    source: pg
    table: orders
    type: freshness
    timestamp_column: updated_at
    tolerance_minutes: 60
  - id: lite_events
    source: lite
    table: events
    type: freshness
    timestamp_column: at
    tolerance_minutes: 60
metadata:
  path: meta.db
alerts:
  sinks:
    - name: receiver
      type: webhook
      url: )" + rx.url() + "\n";
  std::ofstream(dir / "freshguard.yaml") << config;

  ServeProcess serve({"serve", "-c", "freshguard.yaml", "--listen", "127.0.0.1:0",
                      "--interval-override-seconds", "1", "--grace-seconds", "10"},
                     dir.path(),
                     {{"PGT_HOST", server_->host},
                      {"PGT_PORT", server_->port},
                      {"PGT_DB", server_->db},
                      {"PGT_USER", server_->user},
                      {"PGT_PASSWORD", server_->password},
                      {"PGT_CA", server_->ca},
                      {"PGT_SCHEMA", schema_}});
  ASSERT_TRUE(eventually([&] { return serve.port() > 0; }, milliseconds(10000))) << serve.log();
  httplib::Client http("127.0.0.1", serve.port());
  const auto get = [&](const std::string& path) {
    auto r = http.Get(path);
    return r ? std::make_pair(r->status, r->body) : std::make_pair(0, std::string());
  };
  EXPECT_EQ(get("/healthz").first, 200);
  EXPECT_EQ(get("/readyz").first, 200);

  // Several intervals: both rules run and are ok.
  const auto results = [&] {
    return nlohmann::json::parse(get("/api/v1/status").second)["results"];
  };
  ASSERT_TRUE(eventually([&] { return results().size() == 2; }, milliseconds(10000)))
      << serve.log();
  for (const auto& r : results())
    EXPECT_EQ(r["status"], "ok") << r.dump();
  std::this_thread::sleep_for(milliseconds(2200));
  const auto metrics = get("/metrics").second;
  EXPECT_NE(metrics.find("freshguard_rule_status{rule=\"pg_orders\""), std::string::npos);
  EXPECT_NE(metrics.find("freshguard_pool_connections{source=\"pg\""), std::string::npos);
  EXPECT_NE(metrics.find("freshguard_query_duration_seconds{operation=\"max\",source=\"pg\""),
            std::string::npos);
  std::ofstream(dir / "metrics.txt") << metrics;
  const std::string promtool = "promtool check metrics < '" + (dir / "metrics.txt").string() +
                               "' > '" + (dir / "promtool.out").string() + "' 2>&1";
  EXPECT_EQ(std::system(promtool.c_str()), 0) << testing::slurp(dir / "promtool.out");

  // Stale: exactly one alert; fresh again: exactly one recovery.
  const auto events = [&] {
    std::vector<std::string> out;
    for (const auto& b : rx.bodies()) {
      const auto j = nlohmann::json::parse(b);
      out.push_back(j["rule_id"].get<std::string>() + ":" + j["event"].get<std::string>());
    }
    return out;
  };
  user_->exec("UPDATE orders SET updated_at = now() - interval '3 hours'");
  ASSERT_TRUE(eventually([&] { return !events().empty(); }, milliseconds(10000))) << serve.log();
  std::this_thread::sleep_for(milliseconds(2500));  // two more intervals, still alerting
  EXPECT_EQ(events(), std::vector<std::string>{"pg_orders:alert"});
  user_->exec("UPDATE orders SET updated_at = now()");
  ASSERT_TRUE(eventually([&] { return events().size() == 2; }, milliseconds(10000)));
  std::this_thread::sleep_for(milliseconds(1500));
  EXPECT_EQ(events(), (std::vector<std::string>{"pg_orders:alert", "pg_orders:recovery"}));

  // SIGHUP with a broken config: reported, the old config kept.
  std::ofstream(dir / "freshguard.yaml") << "rules:\n  - id: broken\n    tolerance_minutes: 3\n";
  serve.signal(SIGHUP);
  ASSERT_TRUE(
      eventually([&] { return serve.log().find("config.reload_failed") != std::string::npos; },
                 milliseconds(5000)));
  EXPECT_EQ(get("/healthz").first, 200);
  EXPECT_EQ(results().size(), 2U);
  EXPECT_NE(get("/metrics").second.find("freshguard_config_reloads_total{result=\"failure\"} 1"),
            std::string::npos);

  // SIGTERM: drained, exit 0 within the grace period.
  serve.signal(SIGTERM);
  const auto code = serve.wait(milliseconds(12000));
  ASSERT_TRUE(code.has_value()) << "serve did not exit";
  EXPECT_EQ(*code, 0) << serve.log();
  const auto log = serve.log();
  EXPECT_NE(log.find("serve.stopped"), std::string::npos);
  EXPECT_EQ(log.find(server_->password), std::string::npos);
}

}  // namespace
}  // namespace freshguard
