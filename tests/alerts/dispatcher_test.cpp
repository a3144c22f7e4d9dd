// Dispatcher: delivery per sink. A dead sink (a black-holed webhook: each attempt ends only
// at its timeout) delays its own deliveries and nobody else's; queues, retries and counters
// are per sink; a reload keeps what is queued and the counters.

#include <algorithm>
#include <fstream>

#include <gtest/gtest.h>

#include <freshguard/alerts/alerts.hpp>

#include "alerts/tcp_stubs.hpp"
#include "support/http_receiver.hpp"
#include "support/temp_dir.hpp"

namespace freshguard::alerts {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

AlertEvent event(int i) {
  AlertEvent e;
  e.kind = AlertKind::kAlert;
  e.rule_id = "r" + std::to_string(i);
  e.source = "wh";
  e.table = "orders";
  e.status = CheckStatus::kAlert;
  e.message = "stale";
  e.dedup_key = "freshguard/" + e.rule_id;
  return e;
}

// Polls `done` until it holds or `limit` passes; whether it held.
template <typename F>
bool eventually(F done, milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
  return true;
}

TEST(DispatcherPerSink, BlackHoledSinkDelaysOnlyItself) {
  Dispatcher d({.max_attempts = 2, .base_delay = milliseconds(10), .max_delay = milliseconds(10)});
  testing::HttpReceiver healthy;
  testing::BlackHole hole;  // destroyed before the dispatcher: resets the attempt in flight
  // Each attempt to the black hole ends after 1.5 s, so one delivery thread for every sink
  // (the old dispatcher) hands the healthy sink its 4th alert only after 6 s.
  const SinkOptions timeouts{.io_timeout = milliseconds(1500)};
  d.set_sinks({make_sink({.name = "dead", .type = "webhook", .url = hole.url()}, timeouts),
               make_sink({.name = "pd",
                          .type = "pagerduty",
                          .url = healthy.url("/v2/enqueue"),
                          .routing_key = "rk"},
                         timeouts)});
  const auto start = Clock::now();
  for (int i = 0; i < 6; ++i)
    d.enqueue(event(i));
  const bool all_six = eventually([&] { return healthy.bodies().size() == 6; }, seconds(5));
  const auto took = std::chrono::duration_cast<milliseconds>(Clock::now() - start);
  ASSERT_TRUE(all_six) << "the healthy sink got " << healthy.bodies().size() << " of 6 alerts in "
                       << took.count() << " ms";

  // The black hole's failures are counted against it, and only it.
  ASSERT_TRUE(
      eventually([&] { return d.stats().sinks.at("dead").failed_attempts >= 1; }, seconds(10)));
  const auto s = d.stats();
  ASSERT_EQ(s.sinks.size(), 2U);
  const SinkStats& pd = s.sinks.at("pd");
  EXPECT_EQ(pd.delivered, 6U);
  EXPECT_EQ(pd.failed_attempts, 0U);
  EXPECT_EQ(pd.dropped, 0U);
  const SinkStats& dead = s.sinks.at("dead");
  EXPECT_EQ(dead.delivered, 0U);
  EXPECT_EQ(s.delivered, 6U);
  EXPECT_EQ(s.failed_attempts, dead.failed_attempts);
  EXPECT_EQ(s.dropped, dead.dropped);
}

TEST(DispatcherPerSink, FullQueueDropsTheOldestOfThatSinkOnly) {
  testing::HttpReceiver healthy;
  testing::TempDir dir;
  const auto out = dir / "got.jsonl";
  Dispatcher d({.max_attempts = 1, .queue_capacity = 2});
  d.set_sinks({make_sink({.name = "slow",
                          .type = "command",
                          .command = "cat >> '" + out.string() + "'; sleep 0.3"}),
               make_sink({.name = "hook", .type = "webhook", .url = healthy.url()})});
  for (int i = 0; i < 6; ++i) {
    d.enqueue(event(i));
    // The healthy sink keeps up; the slow one is still on its first delivery.
    ASSERT_TRUE(
        eventually([&] { return healthy.bodies().size() == std::size_t(i + 1); }, seconds(5)));
  }
  ASSERT_TRUE(d.drain(seconds(10)));
  const auto s = d.stats();
  EXPECT_EQ(s.sinks.at("hook").delivered, 6U);
  EXPECT_EQ(s.sinks.at("hook").dropped, 0U);
  const SinkStats& slow = s.sinks.at("slow");
  EXPECT_GE(slow.overflowed, 3U);
  EXPECT_EQ(slow.dropped, slow.overflowed);
  EXPECT_EQ(slow.delivered + slow.dropped, 6U);
  // The newest two were kept.
  std::ifstream in(out);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    lines.push_back(line);
  ASSERT_GE(lines.size(), 2U);
  EXPECT_NE(lines[lines.size() - 2].find(R"("rule_id":"r4")"), std::string::npos);
  EXPECT_NE(lines.back().find(R"("rule_id":"r5")"), std::string::npos);
}

TEST(DispatcherPerSink, ReloadKeepsCountersAndRevivesARemovedSink) {
  testing::HttpReceiver rx;
  Dispatcher d({.max_attempts = 1});
  const auto sink = [&rx](const std::string& name) {
    return make_sink({.name = name, .type = "webhook", .url = rx.url("/" + name)});
  };
  d.set_sinks({sink("a")});
  d.enqueue(event(0));
  ASSERT_TRUE(d.drain(seconds(5)));
  d.set_sinks({sink("b")});  // a's worker ends
  d.enqueue(event(1));
  ASSERT_TRUE(d.drain(seconds(5)));
  d.set_sinks({sink("a"), sink("b")});  // a is back with a new worker
  d.enqueue(event(2));
  ASSERT_TRUE(d.drain(seconds(5)));
  const auto s = d.stats();
  EXPECT_EQ(s.sinks.at("a").delivered, 2U);
  EXPECT_EQ(s.sinks.at("b").delivered, 2U);
  EXPECT_EQ(s.delivered, 4U);
  auto paths = rx.paths();  // the last two in either order: sinks deliver in parallel
  std::sort(paths.begin(), paths.end());
  EXPECT_EQ(paths, (std::vector<std::string>{"/a", "/a", "/b", "/b"}));
}

TEST(DispatcherPerSink, StopsPromptlyWithAttemptsInFlight) {
  testing::BlackHole hole;
  const auto start = Clock::now();
  {
    Dispatcher d({.max_attempts = 3});
    d.set_sinks({make_sink({.name = "dead1", .type = "webhook", .url = hole.url()},
                           {.io_timeout = milliseconds(1000)}),
                 make_sink({.name = "dead2", .type = "slack", .url = hole.url()},
                           {.io_timeout = milliseconds(1000)})});
    d.enqueue(event(0));
    d.enqueue(event(1));
    EXPECT_FALSE(d.drain(milliseconds(100)));
  }  // both attempts in flight end at their 1 s timeout, in parallel; nothing is retried
  EXPECT_LT(Clock::now() - start, seconds(3));
}

TEST(Sinks, AttemptTimeoutBoundsATricklingReceiver) {
  testing::Trickler trickler(milliseconds(100));  // a byte every 100 ms, never a whole reply
  auto sink = make_sink({.name = "hook", .type = "webhook", .url = trickler.url()},
                        {.io_timeout = milliseconds(1000), .attempt_timeout = milliseconds(800)});
  const auto start = Clock::now();
  try {
    sink->deliver(event(0));
    ADD_FAILURE() << "a reply that never ends was taken as a delivery";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "request took longer than 800 ms");
  }
  EXPECT_LT(Clock::now() - start, seconds(3));
}

}  // namespace
}  // namespace freshguard::alerts
