// Volume anomaly end to end: a real SQLite warehouse table whose row count changes day by
// day, a real SQLite metadata store, and a manual clock.

#include <algorithm>

#include <gtest/gtest.h>

#include <freshguard/connectors/sqlite_connector.hpp>
#include <freshguard/metadata/sqlite_store.hpp>
#include <freshguard/monitors/approval.hpp>
#include <freshguard/monitors/monitors.hpp>
#include <freshguard/monitors/statistics.hpp>

#include "support/sqlite_db.hpp"
#include "support/temp_dir.hpp"

namespace freshguard {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::seconds;

const WallTime kStart{seconds(1795770000)};  // 2026-11-27T09:00:00Z

class VolumeAnomalyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::sqlite_exec(warehouse_, "CREATE TABLE events (id INTEGER PRIMARY KEY, v INTEGER)");
    SqliteOptions o;
    o.source_name = "wh";
    o.path = warehouse_;
    o.clock = &clock_;
    connector_ = std::make_unique<SqliteConnector>(std::move(o));
    SqliteStoreOptions so;
    so.path = dir_ / "meta" / "metadata.db";
    so.clock = &clock_;
    store_ = std::make_unique<SqliteMetadataStore>(std::move(so));
    rule_.id = "events_volume";
    rule_.source = "wh";
    rule_.table = "events";
    rule_.type = RuleType::kVolumeAnomaly;
  }

  void set_rows(std::int64_t n) {
    testing::sqlite_exec(warehouse_,
                         "DELETE FROM events; WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT "
                         "i + 1 FROM c WHERE i < " +
                             std::to_string(n) + ") INSERT INTO events (v) SELECT i FROM c WHERE " +
                             std::to_string(n) + " > 0");
  }

  // Checks once and records the result, as `freshguard check` does.
  CheckResult check() {
    CheckResult r = run_check(*connector_, rule_, CheckContext{&clock_, store_.get()});
    store_->record_execution(r);
    return r;
  }

  testing::TempDir dir_;
  std::filesystem::path warehouse_ = dir_ / "w.db";
  ManualClock clock_{kStart};
  std::unique_ptr<SqliteConnector> connector_;
  std::unique_ptr<SqliteMetadataStore> store_;
  Rule rule_;
};

// A normal day: about 1000 rows, +-20.
std::int64_t normal_count(int day) {
  return 1000 + (day * 37) % 41 - 20;
}

TEST_F(VolumeAnomalyTest, ThirtyDaysWithOneIncidentAlertOnlyOnTheIncidentDay) {
  constexpr int kIncident = 20;
  std::vector<double> normal_history;  // what the baseline should be trained on
  for (int day = 0; day < 30; ++day) {
    const std::int64_t expected = day == kIncident ? normal_count(day) * 4 / 10 : normal_count(day);
    set_rows(expected);
    const CheckResult r = check();
    SCOPED_TRACE("day " + std::to_string(day) + ": " + r.message);
    ASSERT_NE(r.status, CheckStatus::kError);
    ASSERT_TRUE(r.baseline);
    EXPECT_EQ(r.row_count, expected);
    EXPECT_EQ(r.method, Method::kExactCount);
    if (day < 7) {
      EXPECT_EQ(r.status, CheckStatus::kOk);
      EXPECT_EQ(r.baseline->status, BaselineStatus::kInsufficientHistory);
      EXPECT_EQ(r.baseline->points, day);
      EXPECT_NE(r.message.find("baseline: insufficient_history"), std::string::npos);
    } else {
      EXPECT_EQ(r.baseline->status, BaselineStatus::kReady);
      EXPECT_EQ(r.status, day == kIncident ? CheckStatus::kAlert : CheckStatus::kOk);
      // The incident never enters the training data: the centre is the median of the
      // normal days only.
      EXPECT_DOUBLE_EQ(*r.baseline->centre, stats::median(normal_history));
      EXPECT_EQ(r.baseline->excluded_points, day > kIncident ? 1 : 0);
      EXPECT_EQ(r.baseline->points, static_cast<int>(normal_history.size()));
    }
    if (day == kIncident) {
      EXPECT_EQ(r.severity, Severity::kCritical);
      EXPECT_NEAR(*r.deviation_percent, -60.0, 2.0);
      EXPECT_EQ(r.message.rfind("volume anomaly: ", 0), 0u);
    } else {
      normal_history.push_back(static_cast<double>(expected));
    }
    clock_.advance(days(1));
  }
  const auto alerts = store_->history({.rule_id = rule_.id, .limit = 100});
  EXPECT_EQ(std::count_if(alerts.begin(), alerts.end(),
                          [](const ExecutionRecord& e) { return e.status == CheckStatus::kAlert; }),
            1);
}

TEST_F(VolumeAnomalyTest, ApprovalMakesANewLevelNormal) {
  rule_.volume_anomaly.minimum_data_points = 3;
  for (int day = 0; day < 3; ++day) {
    set_rows(1000);
    EXPECT_EQ(check().status, CheckStatus::kOk);
    clock_.advance(days(1));
  }
  set_rows(3000);  // a deliberate change: the table now holds three times as much
  for (int day = 0; day < 3; ++day) {
    EXPECT_EQ(check().status, CheckStatus::kAlert);
    clock_.advance(days(1));
  }
  approve_baseline(*connector_, rule_, *store_, Approval{"", clock_.wall_now(), "ana", "tripled"});
  clock_.advance(hours(1));
  const auto r = check();
  EXPECT_EQ(r.status, CheckStatus::kOk) << r.message;
  EXPECT_EQ(r.baseline->points, 6);
  EXPECT_EQ(r.baseline->excluded_points, 0);
}

TEST_F(VolumeAnomalyTest, ErrorsBecomeResults) {
  rule_.table = "missing";
  auto r = run_check(*connector_, rule_, CheckContext{&clock_, store_.get()});
  EXPECT_EQ(r.status, CheckStatus::kError);
  EXPECT_EQ(r.error->code, ErrorCode::kQueryFailed);
  rule_.table = "events";
  rule_.volume_anomaly.baseline_window_days = 0;
  r = run_check(*connector_, rule_, CheckContext{&clock_, store_.get()});
  EXPECT_EQ(r.error->code, ErrorCode::kConfigInvalid);
  rule_.type = RuleType::kFreshness;
  EXPECT_THROW(check_volume_anomaly(*connector_, rule_, *store_, clock_), ConfigError);
  EXPECT_THROW(approve_baseline(*connector_, rule_, *store_, Approval{}), ConfigError);
}

}  // namespace
}  // namespace freshguard
