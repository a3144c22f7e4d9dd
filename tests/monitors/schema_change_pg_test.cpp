// Schema change end to end against a real PostgreSQL warehouse (and the PostgreSQL metadata
// store in the same throwaway schema): add a column in auto mode, drop one, change types,
// approve.

#include <gtest/gtest.h>

#include <freshguard/connectors/postgres_connector.hpp>
#include <freshguard/metadata/postgres_store.hpp>
#include <freshguard/monitors/approval.hpp>
#include <freshguard/monitors/monitors.hpp>

#include "support/pg_test_server.hpp"

namespace freshguard::testing {
namespace {

class SchemaChangePgTest : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    user_->exec("CREATE TABLE " + schema_ +
                ".orders (id integer PRIMARY KEY, name varchar(100), amount numeric(12,2), "
                "note text); INSERT INTO " +
                schema_ + ".orders VALUES (1, 'a', 1.5, 'x')");
    connector_ = std::make_unique<PostgresConnector>(options());
    PostgresStoreOptions so;
    so.url = "postgresql://" + server_->user + ":" + server_->password + "@" + server_->host + ":" +
             server_->port + "/" + server_->db + "?sslmode=verify-full&sslrootcert=" + server_->ca +
             "&options=-csearch_path%3D" + schema_;
    store_ = std::make_unique<PostgresMetadataStore>(std::move(so));
    rule_.id = "orders_schema";
    rule_.source = "pgtest";
    rule_.table = "orders";
    rule_.type = RuleType::kSchemaChange;
  }

  CheckResult check() {
    return run_check(*connector_, rule_, CheckContext{&SystemClock::instance(), store_.get()});
  }

  void alter(const std::string& what) { user_->exec("ALTER TABLE " + schema_ + ".orders " + what); }

  std::unique_ptr<PostgresConnector> connector_;
  std::unique_ptr<PostgresMetadataStore> store_;
  Rule rule_;
};

TEST_F(SchemaChangePgTest, BaselineUsesNormalisedCatalogTypes) {
  const auto r = check();
  ASSERT_EQ(r.status, CheckStatus::kOk) << r.message;
  EXPECT_EQ(r.schema_baseline, SchemaBaselineAction::kCreated);
  const auto base = store_->schema_baseline(rule_.id);
  ASSERT_TRUE(base);
  ASSERT_EQ(base->columns.size(), 4u);
  EXPECT_EQ(base->columns[0].type, "integer");
  EXPECT_FALSE(base->columns[0].nullable);
  EXPECT_EQ(base->columns[1].type, "varchar(100)");
  EXPECT_EQ(base->columns[2].type, "numeric(12,2)");
  EXPECT_EQ(base->table, schema_ + ".orders");
}

TEST_F(SchemaChangePgTest, AutoModeAdaptsToAnAddedColumn) {
  rule_.schema_change.adaptation_mode = SchemaAdaptation::kAuto;
  ASSERT_EQ(check().status, CheckStatus::kOk);
  alter("ADD COLUMN channel text");
  const auto r = check();
  EXPECT_EQ(r.status, CheckStatus::kOk) << r.message;
  ASSERT_EQ(r.schema_changes.size(), 1u);
  EXPECT_EQ(r.schema_changes[0].kind, SchemaChangeKind::kAdded);
  EXPECT_EQ(r.schema_baseline, SchemaBaselineAction::kUpdated);
  const auto after = check();
  EXPECT_EQ(after.status, CheckStatus::kOk);
  EXPECT_TRUE(after.schema_changes.empty());
}

TEST_F(SchemaChangePgTest, DropAlertsHighTypeChangesAlertAndApprovalClears) {
  ASSERT_EQ(check().status, CheckStatus::kOk);
  alter("DROP COLUMN note");
  auto r = check();
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  EXPECT_EQ(r.severity, Severity::kCritical);
  ASSERT_EQ(r.schema_changes.size(), 1u);
  EXPECT_EQ(r.schema_changes[0].kind, SchemaChangeKind::kRemoved);
  EXPECT_EQ(r.schema_changes[0].severity, ChangeSeverity::kHigh);

  ASSERT_TRUE(approve_baseline(*connector_, rule_, *store_,
                               Approval{"", SystemClock::instance().wall_now(), "ana", ""}));
  EXPECT_EQ(check().status, CheckStatus::kOk);

  alter("ALTER COLUMN name TYPE varchar(20), ALTER COLUMN id TYPE bigint");
  r = check();
  EXPECT_EQ(r.status, CheckStatus::kAlert);
  EXPECT_EQ(r.severity, Severity::kCritical);
  ASSERT_EQ(r.schema_changes.size(), 2u);
  EXPECT_EQ(r.schema_changes[0].detail, "widening: integer -> bigint");
  EXPECT_EQ(r.schema_changes[0].severity, ChangeSeverity::kMedium);
  EXPECT_EQ(r.schema_changes[1].detail, "narrowing: varchar(100) -> varchar(20)");
  EXPECT_EQ(r.schema_changes[1].severity, ChangeSeverity::kHigh);
  EXPECT_EQ(check().status, CheckStatus::kAlert);  // manual: until approved

  ASSERT_TRUE(approve_baseline(*connector_, rule_, *store_,
                               Approval{"", SystemClock::instance().wall_now(), "ana", ""}));
  const auto ok = check();
  EXPECT_EQ(ok.status, CheckStatus::kOk) << ok.message;
  EXPECT_TRUE(ok.schema_changes.empty());

  alter("ALTER COLUMN amount SET NOT NULL");
  r = check();
  EXPECT_EQ(r.severity, Severity::kWarning);
  ASSERT_EQ(r.schema_changes.size(), 1u);
  EXPECT_EQ(r.schema_changes[0].kind, SchemaChangeKind::kNullabilityChanged);
}

}  // namespace
}  // namespace freshguard::testing
