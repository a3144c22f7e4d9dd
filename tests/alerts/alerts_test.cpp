// Alerts: status-change detection, payloads, the sinks against local receivers (a real
// HTTP server on loopback, a real shell command), and the dispatcher's retries.

#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <freshguard/alerts/alerts.hpp>
#include <freshguard/core/error.hpp>

#include "support/http_receiver.hpp"
#include "support/temp_dir.hpp"

namespace freshguard::alerts {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

CheckResult result(const std::string& id, CheckStatus status) {
  CheckResult r;
  r.rule_id = id;
  r.source = "wh";
  r.table = "orders";
  r.status = status;
  r.severity = status == CheckStatus::kAlert ? Severity::kWarning : Severity::kNone;
  r.message = "data is 2h old";
  r.lag_seconds = 7200;
  if (status == CheckStatus::kError) r.error = CheckError{ErrorCode::kTimeout, "timed out"};
  return r;
}

TEST(AlertTracker, NotifiesOnChangesOnly) {
  AlertTracker t;
  const SteadyTime now{};
  EXPECT_FALSE(t.observe(result("r", CheckStatus::kOk), now));  // first ok: nothing
  auto e = t.observe(result("r", CheckStatus::kAlert), now);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, AlertKind::kAlert);
  EXPECT_EQ(e->previous_status, CheckStatus::kOk);
  EXPECT_EQ(e->dedup_key, "freshguard/r");
  EXPECT_FALSE(t.observe(result("r", CheckStatus::kAlert), now));  // de-duplicated
  e = t.observe(result("r", CheckStatus::kError), now);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, AlertKind::kError);
  EXPECT_EQ(e->error_code, "TIMEOUT");
  EXPECT_EQ(e->message, "timed out");
  e = t.observe(result("r", CheckStatus::kOk), now);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, AlertKind::kRecovery);
  EXPECT_FALSE(t.observe(result("r", CheckStatus::kOk), now));
  // A first result that alerts is a change from ok.
  e = t.observe(result("s", CheckStatus::kAlert), now);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->kind, AlertKind::kAlert);
}

TEST(AlertTracker, CooldownSuppressesFlappingAndItsRecovery) {
  AlertTracker t(minutes(30));
  const SteadyTime t0{};
  ASSERT_TRUE(t.observe(result("r", CheckStatus::kAlert), t0));
  ASSERT_TRUE(t.observe(result("r", CheckStatus::kOk), t0 + minutes(1)));      // recovery is sent
  EXPECT_FALSE(t.observe(result("r", CheckStatus::kAlert), t0 + minutes(2)));  // cooling down
  EXPECT_FALSE(t.observe(result("r", CheckStatus::kOk), t0 + minutes(3)));     // nothing to resolve
  auto e = t.observe(result("r", CheckStatus::kAlert), t0 + minutes(31));
  ASSERT_TRUE(e);
  t.retain({});
  t.set_cooldown(minutes(0));
  EXPECT_TRUE(t.observe(result("r", CheckStatus::kAlert), t0 + minutes(32)));  // forgotten
}

TEST(Payloads, GenericSlackAndPagerDuty) {
  AlertTracker t;
  auto e = *t.observe(result("orders_fresh", CheckStatus::kAlert), SteadyTime{});
  const auto generic = nlohmann::json::parse(to_json(e));
  EXPECT_EQ(generic["event"], "alert");
  EXPECT_EQ(generic["rule_id"], "orders_fresh");
  EXPECT_EQ(generic["status"], "alert");
  EXPECT_EQ(generic["severity"], "warning");
  EXPECT_EQ(generic["lag_seconds"], 7200);
  EXPECT_TRUE(generic["error_code"].is_null());
  const auto slack = nlohmann::json::parse(to_slack_json(e));
  EXPECT_EQ(slack["text"], "[ALERT warning] orders_fresh (wh.orders): data is 2h old");
  auto pd = nlohmann::json::parse(to_pagerduty_json(e, "key123"));
  EXPECT_EQ(pd["event_action"], "trigger");
  EXPECT_EQ(pd["routing_key"], "key123");
  EXPECT_EQ(pd["dedup_key"], "freshguard/orders_fresh");
  EXPECT_EQ(pd["payload"]["severity"], "warning");
  EXPECT_EQ(pd["payload"]["source"], "wh");
  e.kind = AlertKind::kError;
  EXPECT_EQ(nlohmann::json::parse(to_pagerduty_json(e, "k"))["payload"]["severity"], "error");
  EXPECT_NE(to_slack_json(e).find("[ERROR]"), std::string::npos);
  e.kind = AlertKind::kRecovery;
  pd = nlohmann::json::parse(to_pagerduty_json(e, "key123"));
  EXPECT_EQ(pd["event_action"], "resolve");
  EXPECT_EQ(pd["dedup_key"], "freshguard/orders_fresh");
  EXPECT_FALSE(pd.contains("payload"));
  EXPECT_NE(to_slack_json(e).find("[RECOVERED]"), std::string::npos);
  EXPECT_EQ(to_string(AlertKind::kRecovery), "recovery");
}

using Receiver = testing::HttpReceiver;

AlertEvent event(AlertKind kind = AlertKind::kAlert) {
  AlertEvent e;
  e.kind = kind;
  e.rule_id = "r1";
  e.source = "wh";
  e.table = "orders";
  e.status = CheckStatus::kAlert;
  e.message = "stale";
  e.dedup_key = "freshguard/r1";
  return e;
}

TEST(Sinks, WebhookSlackAndPagerDutyPostToTheirEndpoint) {
  Receiver rx;
  config::AlertSinkConfig c{.name = "hook", .type = "webhook", .url = rx.url("/hook?x=1")};
  c.headers["X-Token"] = "s3cret";
  make_sink(c)->deliver(event());
  make_sink({.name = "sl", .type = "slack", .url = rx.url("/slack")})->deliver(event());
  make_sink({.name = "pd", .type = "pagerduty", .url = rx.url("/v2/enqueue"), .routing_key = "rk"})
      ->deliver(event(AlertKind::kRecovery));
  const auto bodies = rx.bodies();
  ASSERT_EQ(bodies.size(), 3U);
  EXPECT_EQ(nlohmann::json::parse(bodies[0])["rule_id"], "r1");
  EXPECT_EQ(rx.paths()[0], "/hook");
  EXPECT_TRUE(nlohmann::json::parse(bodies[1]).contains("text"));
  EXPECT_EQ(nlohmann::json::parse(bodies[2])["event_action"], "resolve");
  EXPECT_EQ(rx.paths()[2], "/v2/enqueue");
}

TEST(Sinks, FailuresThrow) {
  Receiver rx(1);
  auto sink = make_sink({.name = "hook", .type = "webhook", .url = rx.url()});
  EXPECT_EQ(sink->name(), "hook");
  EXPECT_THROW(sink->deliver(event()), std::runtime_error);  // 500
  sink->deliver(event());                                    // then fine
  // Nothing listens on port 1.
  EXPECT_THROW(
      make_sink({.name = "x", .type = "webhook", .url = "http://127.0.0.1:1/"})->deliver(event()),
      std::runtime_error);
  EXPECT_THROW(make_sink({.name = "x", .type = "email"}), ConfigError);
  EXPECT_THROW(make_sink({.name = "x", .type = "webhook", .url = "no-scheme"}), ConfigError);
  // A URL without a path posts to "/".
  make_sink(
      {.name = "x", .type = "webhook", .url = "http://127.0.0.1:" + std::to_string(rx.port())})
      ->deliver(event());
  EXPECT_EQ(rx.paths().back(), "/");
}

TEST(Sinks, CommandGetsJsonOnStdin) {
  testing::TempDir dir;
  const auto out = dir / "got.json";
  auto sink =
      make_sink({.name = "cmd", .type = "command", .command = "cat > '" + out.string() + "'"});
  sink->deliver(event());
  std::ifstream in(out);
  nlohmann::json j;
  in >> j;
  EXPECT_EQ(j["rule_id"], "r1");
  EXPECT_EQ(j["event"], "alert");
  EXPECT_THROW(make_sink({.name = "c", .type = "command", .command = "exit 3"})->deliver(event()),
               std::runtime_error);
  // A command that ignores stdin and succeeds is fine.
  make_sink({.name = "c", .type = "command", .command = "true"})->deliver(event());
}

TEST(Dispatcher, RetriesWithBackoffThenDelivers) {
  Receiver rx(2);
  Dispatcher d({.max_attempts = 3, .base_delay = milliseconds(10), .max_delay = milliseconds(20)});
  d.set_sinks({make_sink({.name = "hook", .type = "webhook", .url = rx.url()})});
  d.enqueue(event());
  ASSERT_TRUE(d.drain(milliseconds(5000)));
  const auto s = d.stats();
  EXPECT_EQ(s.delivered, 1U);
  EXPECT_EQ(s.failed_attempts, 2U);
  EXPECT_EQ(s.dropped, 0U);
  EXPECT_EQ(rx.bodies().size(), 1U);
}

TEST(Dispatcher, GivesUpAfterMaxAttemptsAndBoundsTheQueue) {
  Receiver rx(100);
  Dispatcher d({.max_attempts = 2,
                .base_delay = milliseconds(5),
                .max_delay = milliseconds(5),
                .queue_capacity = 1});
  d.set_sinks({make_sink({.name = "hook", .type = "webhook", .url = rx.url()})});
  d.enqueue(event());
  ASSERT_TRUE(d.drain(milliseconds(5000)));
  auto s = d.stats();
  EXPECT_EQ(s.delivered, 0U);
  EXPECT_EQ(s.failed_attempts, 2U);
  EXPECT_EQ(s.dropped, 1U);
  EXPECT_EQ(s.queued, 0U);
}

TEST(Dispatcher, EnqueueNeverBlocksOnASlowSink) {
  // A command sink that takes a while: enqueue returns at once.
  Dispatcher d({.max_attempts = 1, .queue_capacity = 2});
  d.set_sinks({make_sink({.name = "slow", .type = "command", .command = "sleep 0.3"})});
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i)
    d.enqueue(event());
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(200));
  EXPECT_GE(d.stats().dropped, 1U);  // the queue holds 2: older ones were dropped
  EXPECT_FALSE(d.drain(milliseconds(1)));
}

}  // namespace
}  // namespace freshguard::alerts
