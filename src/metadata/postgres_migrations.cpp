// The PostgreSQL metadata schema, as versioned migrations. Tables carry a `freshguard_`
// prefix because the database may be shared with other applications. A migration is never
// edited once released: changes are new migrations appended to the list.

#include "metadata/migrations.hpp"

namespace freshguard::metadata_detail {
namespace {

constexpr Migration kMigrations[] = {
    {1, "execution history", R"sql(
CREATE TABLE freshguard_executions (
  id                BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rule_id           TEXT   NOT NULL,
  rule_type         TEXT   NOT NULL,
  source            TEXT   NOT NULL,
  table_name        TEXT   NOT NULL,
  status            TEXT   NOT NULL CHECK (status IN ('ok', 'alert', 'error')),
  severity          TEXT   NOT NULL,
  message           TEXT   NOT NULL,
  method            TEXT,
  row_count         BIGINT,
  lag_seconds       BIGINT,
  last_update_us    BIGINT,
  deviation_percent DOUBLE PRECISION,
  schema_changes    BIGINT,
  error_code        TEXT,
  duration_us       BIGINT NOT NULL,
  checked_at_us     BIGINT NOT NULL
);
CREATE INDEX freshguard_executions_rule_time ON freshguard_executions (rule_id, checked_at_us);
CREATE INDEX freshguard_executions_time ON freshguard_executions (checked_at_us);
)sql"},
    {2, "schema baselines and approvals", R"sql(
CREATE TABLE freshguard_schema_baselines (
  rule_id        TEXT   PRIMARY KEY,
  table_name     TEXT   NOT NULL,
  captured_at_us BIGINT NOT NULL
);
CREATE TABLE freshguard_schema_baseline_columns (
  rule_id  TEXT    NOT NULL,
  position INTEGER NOT NULL,
  name     TEXT    NOT NULL,
  type     TEXT    NOT NULL,
  nullable BOOLEAN NOT NULL,
  PRIMARY KEY (rule_id, name)
);
CREATE TABLE freshguard_approvals (
  id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  rule_id        TEXT   NOT NULL,
  approved_at_us BIGINT NOT NULL,
  approved_by    TEXT   NOT NULL,
  note           TEXT   NOT NULL
);
CREATE INDEX freshguard_approvals_rule_time ON freshguard_approvals (rule_id, approved_at_us);
)sql"},
};

}  // namespace

std::span<const Migration> postgres_migrations() noexcept {
  return kMigrations;
}

}  // namespace freshguard::metadata_detail
