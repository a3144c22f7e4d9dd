// The metadata store suite: every test runs against every backend (SQLite always; PostgreSQL
// when the test server's FRESHGUARD_TEST_PG_* variables are set).

#include <thread>

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "metadata/store_backends.hpp"
#include "support/temp_dir.hpp"

namespace freshguard::testing {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::seconds;

const WallTime kT0{seconds(1795788000)};  // 2026-11-27T14:00:00Z

CheckResult result(const std::string& rule, WallTime at, CheckStatus status = CheckStatus::kOk,
                   std::optional<std::int64_t> rows = std::nullopt) {
  CheckResult r;
  r.rule_id = rule;
  r.type = RuleType::kVolumeAnomaly;
  r.source = "wh";
  r.table = "main.orders";
  r.status = status;
  r.severity = status == CheckStatus::kAlert ? Severity::kWarning : Severity::kNone;
  r.message = "m";
  r.method = Method::kExactCount;
  r.row_count = rows;
  r.checked_at = at;
  r.duration = microseconds(1500);
  return r;
}

class StoreTest : public ::testing::TestWithParam<BackendFactory> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make();
    if (auto why = backend_->unavailable(); !why.empty()) {
      if (pg_required()) FAIL() << "FRESHGUARD_REQUIRE_PG=1 but " << why;
      GTEST_SKIP() << why;
    }
    store_ = backend_->open();
  }

  std::unique_ptr<StoreBackend> backend_;
  std::unique_ptr<MetadataStore> store_;
};

TEST_P(StoreTest, MigratesFromEmptyAndReopensIdempotently) {
  const int version = store_->schema_version();
  EXPECT_GE(version, 2);
  store_->record_execution(result("r1", kT0, CheckStatus::kOk, 5));
  store_.reset();
  auto again = backend_->open();
  EXPECT_EQ(again->schema_version(), version);
  auto third = backend_->open();  // two open at once, both migrated
  EXPECT_EQ(third->schema_version(), version);
  EXPECT_EQ(again->history({.rule_id = "r1"}).size(), 1u);
}

TEST_P(StoreTest, HistoryRoundTripKeepsEveryField) {
  CheckResult fresh = result("orders_fresh", kT0);
  fresh.type = RuleType::kFreshness;
  fresh.method = Method::kMaxTimestamp;
  fresh.lag_seconds = -42;
  fresh.last_update = kT0 - microseconds(123456789);
  fresh.row_count = 9'000'000'000'123;  // beyond 32 bits
  fresh.message = "fresh: l'ast \"update\" \xE2\x9C\x93; DROP TABLE executions; --";
  CheckResult anomaly = result("vol", kT0 + seconds(1), CheckStatus::kAlert, 40);
  anomaly.severity = Severity::kCritical;
  anomaly.deviation_percent = -60.25;
  CheckResult failed = result("vol", kT0 + seconds(2), CheckStatus::kError);
  failed.method.reset();
  failed.error = CheckError{ErrorCode::kTimeout, "timed out"};
  CheckResult schema = result("cols", kT0 + seconds(3), CheckStatus::kAlert);
  schema.type = RuleType::kSchemaChange;
  schema.method = Method::kCatalog;
  schema.schema_changes.resize(3);
  store_->record_executions(std::vector{fresh, anomaly, failed, schema});

  const auto all = store_->history({.limit = 10});
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].rule_id, "cols");  // newest first
  EXPECT_EQ(all[0].schema_changes, 3);
  EXPECT_EQ(all[0].method, Method::kCatalog);
  EXPECT_EQ(all[1].status, CheckStatus::kError);
  EXPECT_EQ(all[1].error_code, ErrorCode::kTimeout);
  EXPECT_FALSE(all[1].method);
  EXPECT_FALSE(all[1].row_count);
  EXPECT_EQ(all[2].severity, Severity::kCritical);
  EXPECT_DOUBLE_EQ(*all[2].deviation_percent, -60.25);
  const auto& f = all[3];
  EXPECT_GT(all[0].id, f.id);
  EXPECT_EQ(f.type, RuleType::kFreshness);
  EXPECT_EQ(f.source, "wh");
  EXPECT_EQ(f.table, "main.orders");
  EXPECT_EQ(f.status, CheckStatus::kOk);
  EXPECT_EQ(f.severity, Severity::kNone);
  EXPECT_EQ(f.message, fresh.message);
  EXPECT_EQ(f.method, Method::kMaxTimestamp);
  EXPECT_EQ(f.row_count, 9'000'000'000'123);
  EXPECT_EQ(f.lag_seconds, -42);
  EXPECT_EQ(f.last_update, fresh.last_update);
  EXPECT_FALSE(f.deviation_percent);
  EXPECT_FALSE(f.schema_changes);
  EXPECT_FALSE(f.error_code);
  EXPECT_EQ(f.duration, microseconds(1500));
  EXPECT_EQ(f.checked_at, kT0);
}

TEST_P(StoreTest, HistoryFiltersByRuleSinceAndLimit) {
  std::vector<CheckResult> batch;
  for (int i = 0; i < 30; ++i) {
    batch.push_back(result(i % 2 == 0 ? "even" : "odd", kT0 + hours(i), CheckStatus::kOk, i));
  }
  store_->record_executions(batch);
  const auto even = store_->history({.rule_id = "even", .limit = 5});
  ASSERT_EQ(even.size(), 5u);
  EXPECT_EQ(even.front().row_count, 28);
  EXPECT_EQ(even.back().row_count, 20);
  const auto since = store_->history({.rule_id = "odd", .limit = 100, .since = kT0 + hours(25)});
  ASSERT_EQ(since.size(), 3u);  // 25 (the bound is inclusive), 27 and 29
  EXPECT_EQ(since.back().checked_at, kT0 + hours(25));
  EXPECT_TRUE(store_->history({.rule_id = "nope"}).empty());
  EXPECT_EQ(store_->history({.limit = 0}).size(), 1u);  // a limit below 1 means 1
  // Same time: the last recorded comes first.
  store_->record_execution(result("tie", kT0, CheckStatus::kOk, 1));
  store_->record_execution(result("tie", kT0, CheckStatus::kOk, 2));
  EXPECT_EQ(store_->history({.rule_id = "tie"}).front().row_count, 2);
}

TEST_P(StoreTest, VolumeHistoryIsTheRulesRowCountsInTheWindow) {
  store_->record_executions(std::vector{
      result("vol", kT0 - days(31), CheckStatus::kOk, 1),    // before the window
      result("vol", kT0 - days(30), CheckStatus::kOk, 2),    // first instant: in
      result("vol", kT0 - days(2), CheckStatus::kAlert, 3),  // alerting: in, with its status
      result("vol", kT0 - days(1), CheckStatus::kError),     // no row count: out
      result("other", kT0 - days(1), CheckStatus::kOk, 4),   // another rule: out
      result("vol", kT0, CheckStatus::kOk, 5),               // `until` is exclusive: out
  });
  const auto points = store_->volume_history("vol", kT0 - days(30), kT0);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].row_count, 2);
  EXPECT_EQ(points[0].checked_at, kT0 - days(30));
  EXPECT_EQ(points[0].status, CheckStatus::kOk);
  EXPECT_EQ(points[1].row_count, 3);
  EXPECT_EQ(points[1].status, CheckStatus::kAlert);
}

SchemaSnapshot snapshot(const std::string& rule, std::vector<SchemaColumn> cols, WallTime at) {
  return SchemaSnapshot{rule, "main.orders", std::move(cols), at};
}

TEST_P(StoreTest, SchemaBaselinesAreStoredAndReplaced) {
  EXPECT_FALSE(store_->schema_baseline("s"));
  store_->save_schema_baseline(
      snapshot("s", {{"id", "integer", false, 1}, {"name", "varchar(100)", true, 2}}, kT0));
  auto got = store_->schema_baseline("s");
  ASSERT_TRUE(got);
  EXPECT_EQ(got->table, "main.orders");
  EXPECT_EQ(got->captured_at, kT0);
  ASSERT_EQ(got->columns.size(), 2u);
  EXPECT_EQ(got->columns[0].name, "id");
  EXPECT_EQ(got->columns[0].type, "integer");
  EXPECT_FALSE(got->columns[0].nullable);
  EXPECT_EQ(got->columns[1].position, 2);
  store_->save_schema_baseline(snapshot("s", {{"name", "text", true, 1}}, kT0 + hours(1)));
  got = store_->schema_baseline("s");
  ASSERT_EQ(got->columns.size(), 1u);
  EXPECT_EQ(got->columns[0].type, "text");
  EXPECT_EQ(got->captured_at, kT0 + hours(1));
  EXPECT_FALSE(store_->schema_baseline("other"));
}

TEST_P(StoreTest, ApprovalsAreRecordedWithTheirBaseline) {
  EXPECT_FALSE(store_->latest_approval("s"));
  store_->record_approval({"s", kT0, "ana", "first"}, std::nullopt);
  store_->record_approval({"s", kT0 + hours(1), "bo", ""},
                          snapshot("s", {{"id", "bigint", false, 1}}, kT0 + hours(1)));
  store_->record_approval({"t", kT0 + hours(2), "", ""}, std::nullopt);
  const auto a = store_->latest_approval("s");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->approved_at, kT0 + hours(1));
  EXPECT_EQ(a->approved_by, "bo");
  EXPECT_EQ(a->note, "");
  ASSERT_TRUE(store_->schema_baseline("s"));
  EXPECT_EQ(store_->schema_baseline("s")->columns.at(0).type, "bigint");
}

TEST_P(StoreTest, RetentionPrunesOnlyOldExecutions) {
  std::vector<CheckResult> batch;
  for (int d = 0; d < 100; ++d)
    batch.push_back(result("vol", kT0 - days(d), CheckStatus::kOk, d));
  store_->record_executions(batch);
  store_->save_schema_baseline(snapshot("s", {{"id", "integer", true, 1}}, kT0 - days(200)));
  store_->record_approval({"s", kT0 - days(200), "", ""}, std::nullopt);
  const WallTime cutoff = kT0 - days(kDefaultRetentionDays);
  EXPECT_EQ(store_->prune_history(cutoff), 9);  // days 91..99
  const auto left = store_->history({.rule_id = "vol", .limit = 1000});
  ASSERT_EQ(left.size(), 91u);
  EXPECT_EQ(left.back().checked_at, cutoff);
  EXPECT_EQ(store_->prune_history(cutoff), 0);
  EXPECT_TRUE(store_->schema_baseline("s"));
  EXPECT_TRUE(store_->latest_approval("s"));
}

TEST_P(StoreTest, ConcurrentThreadsLoseNothing) {
  constexpr int kThreads = 4;
  constexpr int kEach = 40;
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([this, t] {
        for (int i = 0; i < kEach; ++i) {
          store_->record_execution(result("t" + std::to_string(t), kT0 + seconds(i)));
          (void)store_->history({.rule_id = "t0", .limit = 3});
        }
      });
    }
  }
  EXPECT_EQ(store_->history({.limit = 1000}).size(), static_cast<std::size_t>(kThreads * kEach));
}

TEST_P(StoreTest, ConcurrentProcessesLoseNothing) {
  constexpr int kProcesses = 2;
  constexpr int kEach = 100;
  store_.reset();  // nothing open across fork
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int code = 0;
      try {
        auto store = backend_->open();
        for (int i = 0; i < kEach; ++i) {
          store->record_execution(result("p" + std::to_string(p), kT0 + seconds(i)));
        }
      } catch (...) {
        code = 1;
      }
      _exit(code);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child " << pid;
  }
  store_ = backend_->open();
  EXPECT_EQ(store_->history({.limit = 1000}).size(), static_cast<std::size_t>(kProcesses * kEach));
  EXPECT_EQ(store_->history({.rule_id = "p1", .limit = 1000}).size(),
            static_cast<std::size_t>(kEach));
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::ValuesIn(store_backends()),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace freshguard::testing
