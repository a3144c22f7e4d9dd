// `freshguard serve` as a user starts it: usage and config errors, and the config keys it
// added (`query_metrics:`, a pagerduty sink's `url:`).

#include <fstream>

#include <gtest/gtest.h>
#include <httplib.h>

#include <freshguard/config/config.hpp>

#include "support/run_process.hpp"
#include "support/temp_dir.hpp"

namespace freshguard {
namespace {

constexpr const char* kConfig = R"(
sources:
  wh:
    type: sqlite
    path: wh.db
rules:
  - id: r
    source: wh
    table: orders
    type: freshness
    timestamp_column: updated_at
)";

TEST(ServeCli, UsageAndConfigErrors) {
  testing::TempDir dir;
  std::ofstream(dir / "freshguard.yaml") << kConfig;
  auto r = testing::run_freshguard({"serve", "--listen", "nowhere"}, dir.path());
  EXPECT_EQ(r.exit_code, 64) << r.err;
  EXPECT_NE(r.err.find("--listen: must be HOST:PORT"), std::string::npos) << r.err;
  r = testing::run_freshguard({"serve", "--token-env", "FG_UNSET_TOKEN_VAR"}, dir.path());
  EXPECT_EQ(r.exit_code, 64);
  EXPECT_NE(r.err.find("FG_UNSET_TOKEN_VAR is not set"), std::string::npos) << r.err;
  r = testing::run_freshguard({"serve", "-c", "missing.yaml"}, dir.path());
  EXPECT_EQ(r.exit_code, 78) << r.err;
  r = testing::run_freshguard({"serve", "--concurrency", "0"}, dir.path());
  EXPECT_EQ(r.exit_code, 64);
}

TEST(ServeCli, PortInUseIsAClearError) {
  testing::TempDir dir;
  std::ofstream(dir / "freshguard.yaml") << kConfig;
  httplib::Server blocker;
  const int port = blocker.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port, 0);
  const auto r = testing::run_freshguard({"serve", "--listen", "127.0.0.1:" + std::to_string(port)},
                                         dir.path());
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("cannot listen on 127.0.0.1:" + std::to_string(port)), std::string::npos)
      << r.err;
}

TEST(ServeConfig, QueryMetricsFlagAndPagerDutyEndpoint) {
  auto r = config::load_config_string(std::string(kConfig) + R"(
alerts:
  sinks:
    - name: pd
      type: pagerduty
      routing_key: abc
      url: http://127.0.0.1:9/v2/enqueue
)");
  ASSERT_TRUE(r.ok()) << r.problems[0].to_string();
  EXPECT_TRUE(r.config->sources.at("wh").query_metrics);
  EXPECT_EQ(r.config->alerts.sinks[0].url, "http://127.0.0.1:9/v2/enqueue");

  r = config::load_config_string(R"(
sources:
  wh:
    type: sqlite
    path: wh.db
    query_metrics: false
rules:
  - {id: r, source: wh, table: orders, type: freshness, timestamp_column: updated_at}
alerts:
  sinks:
    - name: pd
      type: pagerduty
      routing_key: abc
)");
  ASSERT_TRUE(r.ok()) << r.problems[0].to_string();
  EXPECT_FALSE(r.config->sources.at("wh").query_metrics);
  EXPECT_TRUE(r.config->alerts.sinks[0].url.empty());

  r = config::load_config_string(R"(
sources:
  wh:
    type: sqlite
    path: wh.db
    query_metrics: sometimes
rules:
  - {id: r, source: wh, table: orders, type: freshness, timestamp_column: updated_at}
alerts:
  sinks:
    - name: pd
      type: pagerduty
      routing_key: abc
      url: ftp://x
)");
  ASSERT_EQ(r.problems.size(), 2U);
  EXPECT_EQ(r.problems[0].to_string(),
            "sources.wh.query_metrics: must be true or false, got \"sometimes\"");
  EXPECT_EQ(r.problems[1].path, "alerts.sinks[0].url");
}

}  // namespace
}  // namespace freshguard
