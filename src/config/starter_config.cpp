// The starter configuration written by `freshguard init`.

#include <freshguard/config/config.hpp>

namespace freshguard::config {
namespace {

constexpr std::string_view kStarterConfig = R"yaml(# FreshGuard configuration.
#
# Any string value may use ${VAR} to read an environment variable, ${VAR:-default} to fall
# back to a default when VAR is unset or empty, and $$ for a literal $. Keep secrets in the
# environment, never in this file. Check the file with: freshguard validate -c freshguard.yaml

# The databases to watch, by name. Rules refer to a source by this name.
sources:
  # An embedded SQLite database. A relative path is read from this file's folder.
  local:
    type: sqlite
    path: data/warehouse.db

  # A PostgreSQL server (remove the leading # signs to use it). The password comes from
  # the environment variable FRESHGUARD_PG_PASSWORD.
  # warehouse:
  #   type: postgres
  #   host: db.example.com
  #   port: 5432
  #   database: analytics
  #   username: freshguard
  #   password: ${FRESHGUARD_PG_PASSWORD}
  #   ssl: verify-full        # disable, require, verify-ca or verify-full (default)
  #   schema: public          # default schema for tables named without one
  #   timeout_ms: 30000       # per-query timeout, 1000-60000
  #   max_connections: 20     # pool size, 1-100
  #   statement_timeout_ms: 10000   # server-side limit of each query
  #   connect_timeout_ms: 5000      # waiting for (or opening) a connection

# What to check. Each rule has a unique id, a source, a table (`table` or `schema.table`)
# and a type: freshness, volume_threshold, volume_anomaly or schema_change.
rules:
  - id: orders_freshness
    source: local
    table: orders
    type: freshness
    description: New orders arrive at least hourly
    timestamp_column: updated_at   # when each row last changed
    tolerance_minutes: 60          # alert when the newest row is older (5-10080)
    alert_threshold_hours: 4       # critical when older than this (optional, 1-168)
    check_interval_minutes: 5      # how often `freshguard serve` runs it (1-10080)
    timezone: UTC                  # zone of timestamps stored without an offset

  # - id: orders_volume
  #   source: local
  #   table: orders
  #   type: volume_threshold
  #   min_row_count: 1              # alert when the table has fewer rows
  #   max_row_count: 10000000       # ...or more rows

  # - id: orders_volume_anomaly     # row count against its own history
  #   source: local
  #   table: orders
  #   type: volume_anomaly
  #   baseline_window_days: 30      # history used (1-365)
  #   method: mad                   # mad (default), median, mean or trimmed_mean
  #   sensitivity: 3.5              # in spreads; or deviation_threshold: 20 (percent)
  #   seasonality: day_of_week      # compare with the same weekday (optional)
  #   min_absolute_change: 10       # never alert on a smaller change

  # - id: orders_schema             # columns added, removed, retyped
  #   source: local
  #   table: orders
  #   type: schema_change
  #   adaptation_mode: manual       # manual (default), auto or alert_only

# Where check history is kept: an SQLite file (default) or PostgreSQL
# (backend: postgres, url: ${FRESHGUARD_METADATA_URL}).
metadata:
  backend: sqlite
  path: .freshguard/metadata.db
  retention_days: 90

# Logs go to stderr.
logging:
  level: info     # trace, debug, info, warn, error or off
  format: json    # json, or text for people

# Where `freshguard serve` sends alerts.
# alerts:
#   cooldown_minutes: 30
#   sinks:
#     - name: team-slack
#       type: slack
#       url: ${FRESHGUARD_SLACK_WEBHOOK_URL}
)yaml";

}  // namespace

std::string starter_config() {
  return std::string(kStarterConfig);
}

}  // namespace freshguard::config
