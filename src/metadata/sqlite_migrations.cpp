// The SQLite metadata schema, as versioned migrations. A migration is never edited once
// released: changes are new migrations appended to the list.

#include "metadata/migrations.hpp"

namespace freshguard::metadata_detail {
namespace {

// STRICT tables: an INTEGER column holds 64-bit integers and nothing else.
constexpr Migration kMigrations[] = {
    {1, "execution history", R"sql(
CREATE TABLE executions (
  id                INTEGER PRIMARY KEY AUTOINCREMENT,
  rule_id           TEXT    NOT NULL,
  rule_type         TEXT    NOT NULL,
  source            TEXT    NOT NULL,
  table_name        TEXT    NOT NULL,
  status            TEXT    NOT NULL CHECK (status IN ('ok', 'alert', 'error')),
  severity          TEXT    NOT NULL,
  message           TEXT    NOT NULL,
  method            TEXT,
  row_count         INTEGER,
  lag_seconds       INTEGER,
  last_update_us    INTEGER,
  deviation_percent REAL,
  schema_changes    INTEGER,
  error_code        TEXT,
  duration_us       INTEGER NOT NULL,
  checked_at_us     INTEGER NOT NULL
) STRICT;
CREATE INDEX executions_rule_time ON executions (rule_id, checked_at_us);
CREATE INDEX executions_time ON executions (checked_at_us);
)sql"},
    {2, "schema baselines and approvals", R"sql(
CREATE TABLE schema_baselines (
  rule_id        TEXT    PRIMARY KEY,
  table_name     TEXT    NOT NULL,
  captured_at_us INTEGER NOT NULL
) STRICT;
CREATE TABLE schema_baseline_columns (
  rule_id  TEXT    NOT NULL,
  position INTEGER NOT NULL,
  name     TEXT    NOT NULL,
  type     TEXT    NOT NULL,
  nullable INTEGER NOT NULL CHECK (nullable IN (0, 1)),
  PRIMARY KEY (rule_id, name)
) STRICT;
CREATE TABLE approvals (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  rule_id        TEXT    NOT NULL,
  approved_at_us INTEGER NOT NULL,
  approved_by    TEXT    NOT NULL,
  note           TEXT    NOT NULL
) STRICT;
CREATE INDEX approvals_rule_time ON approvals (rule_id, approved_at_us);
)sql"},
};

}  // namespace

std::span<const Migration> sqlite_migrations() noexcept {
  return kMigrations;
}

}  // namespace freshguard::metadata_detail
