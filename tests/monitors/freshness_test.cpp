#include <gtest/gtest.h>

#include <freshguard/connectors/sqlite_connector.hpp>
#include <freshguard/core/error.hpp>
#include <freshguard/monitors/monitors.hpp>

#include "support/sqlite_db.hpp"
#include "support/temp_dir.hpp"

namespace freshguard {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::int64_t kBase = 1795788000;  // 2026-11-27T14:00:00Z
WallTime at(std::int64_t s) {
  return WallTime(seconds(s));
}

// Freshness arithmetic against a real SQLite file, with a manual clock.
class FreshnessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_ / "w.db";
    testing::sqlite_exec(db_, R"sql(
      CREATE TABLE events (id INTEGER PRIMARY KEY, loaded_at TEXT);
      INSERT INTO events (loaded_at) VALUES ('2026-11-27T12:00:00Z'), ('2026-11-27T13:00:00Z');
      CREATE TABLE empty_t (loaded_at TEXT);
      CREATE TABLE nulls (loaded_at TEXT);
      INSERT INTO nulls VALUES (NULL), (NULL), (NULL);
    )sql");
    SqliteOptions o;
    o.source_name = "wh";
    o.path = db_;
    o.clock = &clock_;
    connector_ = std::make_unique<SqliteConnector>(std::move(o));
  }

  Rule rule(const std::string& table = "events") const {
    Rule r;
    r.id = "events_fresh";
    r.source = "wh";
    r.table = table;
    r.type = RuleType::kFreshness;
    r.freshness.timestamp_column = "loaded_at";
    r.freshness.tolerance = minutes(90);
    return r;
  }

  testing::TempDir dir_;
  std::filesystem::path db_;
  ManualClock clock_{at(kBase)};  // 14:00, newest row 13:00: lag one hour
  std::unique_ptr<SqliteConnector> connector_;
};

TEST_F(FreshnessTest, WithinToleranceIsOk) {
  const auto r = check_freshness(*connector_, rule(), clock_);
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_EQ(r.severity, Severity::kNone);
  EXPECT_EQ(r.lag_seconds, 3600);
  EXPECT_EQ(r.last_update, at(kBase - 3600));
  EXPECT_EQ(r.tolerance_seconds, 90 * 60);
  EXPECT_EQ(r.method, Method::kMaxTimestamp);
  EXPECT_EQ(r.message, "fresh: last update 1h ago, tolerance 1h 30m");
}

TEST_F(FreshnessTest, LagExactlyAtToleranceIsStillOk) {
  clock_.advance(minutes(30));  // lag 90 min == tolerance
  EXPECT_EQ(check_freshness(*connector_, rule(), clock_).status, CheckStatus::kOk);
  clock_.advance(seconds(1));
  const auto r = check_freshness(*connector_, rule(), clock_);
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  EXPECT_EQ(r.severity, Severity::kWarning);
  EXPECT_EQ(r.lag_seconds, 90 * 60 + 1);
  EXPECT_EQ(r.message, "stale: last update 1h 30m ago, tolerance 1h 30m");
}

TEST_F(FreshnessTest, PastTheThresholdIsCritical) {
  auto rl = rule();
  rl.freshness.alert_threshold = hours(2);
  clock_.advance(minutes(61));  // lag 2h01m
  const auto r = check_freshness(*connector_, rl, clock_);
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  EXPECT_EQ(r.severity, Severity::kCritical);
  EXPECT_EQ(r.alert_threshold_seconds, 7200);
  EXPECT_NE(r.message.find("critical threshold of 2h"), std::string::npos);
  // Between tolerance and threshold: a warning.
  clock_.set_wall(at(kBase + 3600));  // lag 2h exactly
  EXPECT_EQ(check_freshness(*connector_, rl, clock_).severity, Severity::kWarning);
}

TEST_F(FreshnessTest, EmptyTableIsACriticalAlertNotAnError) {
  const auto r = check_freshness(*connector_, rule("empty_t"), clock_);
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  EXPECT_EQ(r.severity, Severity::kCritical);
  EXPECT_EQ(r.row_count, 0);
  EXPECT_FALSE(r.lag_seconds.has_value());
  EXPECT_NE(r.message.find("table is empty"), std::string::npos);
}

TEST_F(FreshnessTest, AllNullColumnIsAnAlertWithItsReason) {
  const auto r = check_freshness(*connector_, rule("nulls"), clock_);
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  EXPECT_EQ(r.row_count, 3);
  EXPECT_EQ(r.message, "column \"loaded_at\" is NULL in all 3 rows");
}

TEST_F(FreshnessTest, FutureTimestampsAreReportedNotClamped) {
  clock_.set_wall(at(kBase - 3600 - 120));  // newest row 2 minutes ahead: clock skew
  auto r = check_freshness(*connector_, rule(), clock_);
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_EQ(r.lag_seconds, -120);
  EXPECT_NE(r.message.find("2m in the future (within clock skew)"), std::string::npos);

  clock_.set_wall(at(kBase - 3600 - 3 * 3600));  // 3 hours ahead: suspicious
  r = check_freshness(*connector_, rule(), clock_);
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  EXPECT_EQ(r.severity, Severity::kWarning);
  EXPECT_EQ(r.lag_seconds, -3 * 3600);
  EXPECT_NE(r.message.find("3h in the future"), std::string::npos);
}

TEST_F(FreshnessTest, RuleTimezoneAppliesToNaiveTimestamps) {
  testing::sqlite_exec(db_,
                       "CREATE TABLE naive (loaded_at TEXT);"
                       "INSERT INTO naive VALUES ('2026-11-27 14:00:00');");
  auto rl = rule("naive");
  rl.freshness.timezone = "Europe/Paris";  // 14:00 Paris = 13:00 UTC
  const auto r = check_freshness(*connector_, rl, clock_);
  EXPECT_EQ(r.lag_seconds, 3600);
}

TEST_F(FreshnessTest, HostileNamesAreRejectedBeforeTheDatabaseIsOpened) {
  for (const char* bad : {"users; DROP TABLE users; --", "user data", "x' OR '1'='1"}) {
    EXPECT_THROW(check_freshness(*connector_, rule(bad), clock_), SecurityError) << bad;
  }
  auto rl = rule();
  rl.freshness.timestamp_column = "loaded_at; DROP TABLE events";
  EXPECT_THROW(check_freshness(*connector_, rl, clock_), SecurityError);
  EXPECT_EQ(connector_->open_connections(), 0);
}

TEST_F(FreshnessTest, MissingTableAndColumnAreClearErrors) {
  try {
    (void)check_freshness(*connector_, rule("nope"), clock_);
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_STREQ(e.what(), "table \"main.nope\" not found in source \"wh\"");
  }
  auto rl = rule();
  rl.freshness.timestamp_column = "updated_at";
  try {
    (void)check_freshness(*connector_, rl, clock_);
    FAIL();
  } catch (const QueryError& e) {
    EXPECT_STREQ(e.what(), "column \"updated_at\" not found in main.events of source \"wh\"");
  }
}

TEST_F(FreshnessTest, ColumnNamesResolveCaseInsensitively) {
  auto rl = rule("EVENTS");
  rl.freshness.timestamp_column = "LOADED_AT";
  EXPECT_EQ(check_freshness(*connector_, rl, clock_).lag_seconds, 3600);
}

TEST_F(FreshnessTest, RunCheckTurnsErrorsIntoResults) {
  auto r = run_check(*connector_, rule("users; DROP TABLE users; --"), clock_);
  EXPECT_EQ(r.status, CheckStatus::kError);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->code, ErrorCode::kSecurityViolation);
  EXPECT_EQ(r.error->message.find("DROP"), std::string::npos);

  r = run_check(*connector_, rule("nope"), clock_);
  EXPECT_EQ(r.error->code, ErrorCode::kQueryFailed);

  auto bad_zone = rule();
  bad_zone.freshness.timezone = "Nowhere/City";
  r = run_check(*connector_, bad_zone, clock_);
  EXPECT_EQ(r.error->code, ErrorCode::kConfigInvalid);

  r = run_check(*connector_, rule(), clock_);
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_EQ(r.checked_at, at(kBase));
  EXPECT_EQ(r.duration, std::chrono::microseconds(0));  // the manual clock did not move
}

TEST_F(FreshnessTest, RunCheckWithoutAStoreReportsRulesThatNeedOne) {
  auto rl = rule();
  for (auto type : {RuleType::kSchemaChange, RuleType::kVolumeAnomaly}) {
    rl.type = type;
    const auto r = run_check(*connector_, rl, clock_);
    EXPECT_EQ(r.status, CheckStatus::kError);
    EXPECT_EQ(r.error->code, ErrorCode::kMetadataFailed);
    EXPECT_NE(r.message.find("rules need the metadata store"), std::string::npos) << r.message;
  }
  EXPECT_THROW(check_freshness(*connector_, rl, clock_), ConfigError);
}

class VolumeThresholdTest : public FreshnessTest {
 protected:
  Rule volume(std::optional<std::int64_t> min, std::optional<std::int64_t> max) const {
    Rule r = rule();
    r.id = "events_volume";
    r.type = RuleType::kVolumeThreshold;
    r.volume_threshold = {min, max};
    return r;
  }
};

TEST_F(VolumeThresholdTest, BoundsAreInclusive) {
  auto r = run_check(*connector_, volume(2, 2), clock_);
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_EQ(r.row_count, 2);
  EXPECT_EQ(r.method, Method::kExactCount);
  EXPECT_EQ(r.message, "2 rows, within bounds");

  r = run_check(*connector_, volume(3, std::nullopt), clock_);
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  EXPECT_EQ(r.message, "2 rows, below the minimum of 3");

  r = run_check(*connector_, volume(std::nullopt, 1), clock_);
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  EXPECT_EQ(r.message, "2 rows, above the maximum of 1");
  EXPECT_EQ(r.max_row_count, 1);

  r = run_check(*connector_, volume(std::nullopt, std::nullopt), clock_);
  EXPECT_EQ(r.error->code, ErrorCode::kConfigInvalid);
  EXPECT_THROW(check_volume_threshold(*connector_, rule(), clock_), ConfigError);
}

}  // namespace
}  // namespace freshguard
