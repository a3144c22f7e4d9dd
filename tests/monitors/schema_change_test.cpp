// Schema change end to end against a real SQLite warehouse and metadata store.

#include <gtest/gtest.h>

#include <freshguard/connectors/sqlite_connector.hpp>
#include <freshguard/metadata/sqlite_store.hpp>
#include <freshguard/monitors/approval.hpp>
#include <freshguard/monitors/monitors.hpp>

#include "support/sqlite_db.hpp"
#include "support/temp_dir.hpp"

namespace freshguard {
namespace {

using std::chrono::seconds;

class SchemaChangeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::sqlite_exec(warehouse_, R"sql(
      CREATE TABLE orders (id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100),
                           amount INTEGER, note TEXT);
      INSERT INTO orders VALUES (1, 'a', 10, 'x');
    )sql");
    SqliteOptions o;
    o.source_name = "wh";
    o.path = warehouse_;
    connector_ = std::make_unique<SqliteConnector>(std::move(o));
    SqliteStoreOptions so;
    so.path = dir_ / "metadata.db";
    store_ = std::make_unique<SqliteMetadataStore>(std::move(so));
    rule_.id = "orders_schema";
    rule_.source = "wh";
    rule_.table = "orders";
    rule_.type = RuleType::kSchemaChange;
  }

  CheckResult check() { return run_check(*connector_, rule_, CheckContext{&clock_, store_.get()}); }

  // SQLite cannot alter a column's type: rebuild the table with a new definition.
  void rebuild(const std::string& columns, const std::string& select) {
    testing::sqlite_exec(warehouse_, "CREATE TABLE orders_new (" + columns +
                                         "); INSERT INTO orders_new SELECT " + select +
                                         " FROM orders; DROP TABLE orders; "
                                         "ALTER TABLE orders_new RENAME TO orders;");
  }

  testing::TempDir dir_;
  std::filesystem::path warehouse_ = dir_ / "w.db";
  ManualClock clock_{WallTime(seconds(1795788000))};
  std::unique_ptr<SqliteConnector> connector_;
  std::unique_ptr<SqliteMetadataStore> store_;
  Rule rule_;
};

TEST_F(SchemaChangeTest, FirstRunStoresTheBaseline) {
  const auto r = check();
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_EQ(r.method, Method::kCatalog);
  EXPECT_EQ(r.schema_baseline, SchemaBaselineAction::kCreated);
  EXPECT_EQ(r.column_count, 4);
  EXPECT_EQ(r.message, "baseline created: 4 columns in main.orders");
  const auto base = store_->schema_baseline(rule_.id);
  ASSERT_TRUE(base);
  ASSERT_EQ(base->columns.size(), 4u);
  EXPECT_EQ(base->columns[0].name, "id");
  EXPECT_EQ(base->columns[0].type, "integer");
  EXPECT_FALSE(base->columns[0].nullable);
  EXPECT_EQ(base->columns[1].type, "varchar(100)");
  EXPECT_EQ(base->captured_at, clock_.wall_now());
  const auto again = check();
  EXPECT_EQ(again.status, CheckStatus::kOk);
  EXPECT_EQ(again.schema_baseline, SchemaBaselineAction::kKept);
  EXPECT_TRUE(again.schema_changes.empty());
  EXPECT_EQ(again.message, "schema unchanged: 4 columns");
}

TEST_F(SchemaChangeTest, AutoModeAdaptsToAnAddedColumn) {
  rule_.schema_change.adaptation_mode = SchemaAdaptation::kAuto;
  ASSERT_EQ(check().status, CheckStatus::kOk);
  testing::sqlite_exec(warehouse_, "ALTER TABLE orders ADD COLUMN channel TEXT");
  const auto r = check();
  EXPECT_EQ(r.status, CheckStatus::kOk) << r.message;
  ASSERT_EQ(r.schema_changes.size(), 1u);
  EXPECT_EQ(r.schema_changes[0].kind, SchemaChangeKind::kAdded);
  EXPECT_EQ(r.schema_changes[0].column, "channel");
  EXPECT_EQ(r.schema_baseline, SchemaBaselineAction::kUpdated);
  EXPECT_EQ(r.message, "schema adapted (auto): 1 change: \"channel\" column added");
  const auto after = check();
  EXPECT_EQ(after.status, CheckStatus::kOk);
  EXPECT_TRUE(after.schema_changes.empty());
  // A removal is not a safe change, even in auto mode.
  testing::sqlite_exec(warehouse_, "ALTER TABLE orders DROP COLUMN note");
  EXPECT_EQ(check().status, CheckStatus::kAlert);
  EXPECT_EQ(check().status, CheckStatus::kAlert);
}

TEST_F(SchemaChangeTest, ADroppedColumnAlertsHighUntilApproved) {
  ASSERT_EQ(check().status, CheckStatus::kOk);
  testing::sqlite_exec(warehouse_, "ALTER TABLE orders DROP COLUMN note");
  const auto r = check();
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  EXPECT_EQ(r.severity, Severity::kCritical);
  ASSERT_EQ(r.schema_changes.size(), 1u);
  EXPECT_EQ(r.schema_changes[0].kind, SchemaChangeKind::kRemoved);
  EXPECT_EQ(r.schema_changes[0].severity, ChangeSeverity::kHigh);
  EXPECT_EQ(r.schema_baseline, SchemaBaselineAction::kKept);
  EXPECT_EQ(r.message,
            "schema changed: 1 change: \"note\" column removed; accept it with: freshguard "
            "baseline approve --rule orders_schema");
  EXPECT_EQ(check().status, CheckStatus::kAlert);  // manual: still alerting

  const auto approved = approve_baseline(*connector_, rule_, *store_,
                                         Approval{"", clock_.wall_now(), "ana", "note retired"});
  ASSERT_TRUE(approved);
  EXPECT_EQ(approved->columns.size(), 3u);
  EXPECT_EQ(store_->latest_approval(rule_.id)->note, "note retired");
  const auto next = check();
  EXPECT_EQ(next.status, CheckStatus::kOk) << next.message;
  EXPECT_TRUE(next.schema_changes.empty());
}

TEST_F(SchemaChangeTest, TypeChangesAreComparedInFull) {
  ASSERT_EQ(check().status, CheckStatus::kOk);
  rebuild("id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(20), amount BIGINT, note TEXT",
          "id, name, amount, note");
  const auto r = check();
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  EXPECT_EQ(r.severity, Severity::kCritical);  // the narrowing is high
  ASSERT_EQ(r.schema_changes.size(), 2u);
  EXPECT_EQ(r.schema_changes[0].detail, "narrowing: varchar(100) -> varchar(20)");
  EXPECT_EQ(r.schema_changes[0].severity, ChangeSeverity::kHigh);
  EXPECT_EQ(r.schema_changes[1].detail, "widening: integer -> bigint");
  EXPECT_EQ(r.schema_changes[1].severity, ChangeSeverity::kMedium);
}

TEST_F(SchemaChangeTest, MediumChangesAreWarnings) {
  ASSERT_EQ(check().status, CheckStatus::kOk);
  rebuild("id INTEGER NOT NULL PRIMARY KEY, name VARCHAR(100), amount INTEGER NOT NULL, note TEXT",
          "id, name, amount, note");
  const auto r = check();
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  EXPECT_EQ(r.severity, Severity::kWarning);
  ASSERT_EQ(r.schema_changes.size(), 1u);
  EXPECT_EQ(r.schema_changes[0].kind, SchemaChangeKind::kNullabilityChanged);
  EXPECT_EQ(r.schema_changes[0].detail, "nullable -> not null");
}

TEST_F(SchemaChangeTest, AlertOnlyAlertsOnceAndMovesOn) {
  rule_.schema_change.adaptation_mode = SchemaAdaptation::kAlertOnly;
  ASSERT_EQ(check().status, CheckStatus::kOk);
  testing::sqlite_exec(warehouse_, "ALTER TABLE orders DROP COLUMN amount");
  const auto r = check();
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  EXPECT_EQ(r.schema_baseline, SchemaBaselineAction::kUpdated);
  EXPECT_NE(r.message.find("alert_only: the new schema is now the baseline"), std::string::npos);
  EXPECT_EQ(check().status, CheckStatus::kOk);
}

TEST_F(SchemaChangeTest, PointingTheRuleAtAnotherTableResetsTheBaseline) {
  ASSERT_EQ(check().status, CheckStatus::kOk);
  testing::sqlite_exec(warehouse_, "CREATE TABLE refunds (id INTEGER)");
  rule_.table = "refunds";
  const auto r = check();
  EXPECT_EQ(r.status, CheckStatus::kOk);
  EXPECT_EQ(r.schema_baseline, SchemaBaselineAction::kUpdated);
  EXPECT_EQ(r.message,
            "baseline replaced: the rule now watches main.refunds (was main.orders), 1 column");
}

TEST_F(SchemaChangeTest, ErrorsBecomeResults) {
  rule_.table = "nope";
  auto r = check();
  EXPECT_EQ(r.error->code, ErrorCode::kQueryFailed);
  rule_.table = "orders; DROP TABLE orders";
  r = check();
  EXPECT_EQ(r.error->code, ErrorCode::kSecurityViolation);
  EXPECT_THROW(approve_baseline(*connector_, rule_, *store_, Approval{}), SecurityError);
  rule_.type = RuleType::kFreshness;
  EXPECT_THROW(check_schema_change(*connector_, rule_, *store_), ConfigError);
}

}  // namespace
}  // namespace freshguard
