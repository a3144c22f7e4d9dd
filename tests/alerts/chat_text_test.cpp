// Text for people in alerts: names and messages from the database carry no Slack mentions,
// links or terminal escapes to the people reading them; JSON bodies stay valid JSON.

#include "alerts/chat_text.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <freshguard/alerts/alerts.hpp>

#include "support/http_receiver.hpp"

namespace freshguard::alerts {
namespace {

AlertEvent hostile_event() {
  AlertEvent e;
  e.kind = AlertKind::kAlert;
  e.rule_id = "r1";
  e.source = "wh";
  e.table = "orders<!channel><http://evil.example|click>\x1b[2J";
  e.status = CheckStatus::kAlert;
  e.message = "stale & <b>bad</b>\nsecond line\x7f";
  e.dedup_key = "freshguard/r1";
  return e;
}

TEST(ChatText, SlackReceiverGetsMentionsLinksAndControlsEscaped) {
  testing::HttpReceiver rx;
  make_sink({.name = "sl", .type = "slack", .url = rx.url("/slack")})->deliver(hostile_event());
  const auto bodies = rx.bodies();
  ASSERT_EQ(bodies.size(), 1U);
  EXPECT_EQ(bodies[0],
            R"({"text":"[ALERT] r1 (wh.orders&lt;!channel&gt;&lt;http://evil.example|click&gt;)"
            R"(\\x1b[2J): stale &amp; &lt;b&gt;bad&lt;/b&gt;\nsecond line\\x7f"})");
}

TEST(ChatText, PagerDutySummaryAndFieldsShowControlsEscaped) {
  auto e = hostile_event();
  e.source = "wh\r\n";
  const auto pd = nlohmann::json::parse(to_pagerduty_json(e, "rk"));
  EXPECT_EQ(pd["payload"]["summary"],
            "[ALERT] r1 (wh\\x0d\\x0a.orders<!channel><http://evil.example|click>\\x1b[2J): "
            "stale & <b>bad</b>\\x0asecond line\\x7f");
  EXPECT_EQ(pd["payload"]["component"], "orders<!channel><http://evil.example|click>\\x1b[2J");
  EXPECT_EQ(pd["payload"]["source"], "wh\\x0d\\x0a");
  EXPECT_EQ(pd["payload"]["group"], "wh\\x0d\\x0a");
  // custom_details is the generic body: exact, JSON-escaped.
  EXPECT_EQ(pd["payload"]["custom_details"]["table"], e.table);
  EXPECT_EQ(nlohmann::json::parse(to_json(e))["message"], e.message);
}

TEST(ChatText, EscapeControl) {
  EXPECT_EQ(escape_control("plain text: ok", false), "plain text: ok");
  EXPECT_EQ(escape_control(std::string("a\0b\tc\x1f\x7f", 7), false), "a\\x00b\\x09c\\x1f\\x7f");
  EXPECT_EQ(escape_control("one\ntwo", true), "one\ntwo");
  EXPECT_EQ(escape_control("one\ntwo", false), "one\\x0atwo");
  // C1 controls and bidirectional overrides hide or reorder text: shown as code points.
  EXPECT_EQ(escape_control("a\xc2\x85"
                           "b\xe2\x80\xae"
                           "c\xe2\x81\xa9",
                           false),
            "a\\u0085b\\u202ec\\u2069");
  // Other UTF-8 (and broken UTF-8) is kept as it is.
  EXPECT_EQ(escape_control("caf\xc3\xa9 \xe2\x80\x94 \xe2\x80", false),
            "caf\xc3\xa9 \xe2\x80\x94 \xe2\x80");
  EXPECT_EQ(escape_slack("<!here> & <@U1>"), "&lt;!here&gt; &amp; &lt;@U1&gt;");
}

}  // namespace
}  // namespace freshguard::alerts
