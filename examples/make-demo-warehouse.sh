#!/usr/bin/env bash
# Creates the embedded demo warehouse checked by examples/quickstart.yaml: a SQLite file
# with one fresh table (orders), one stale table (page_events, last row 3 days old) and one
# empty table (refunds). Timestamps are relative to now, so the file is rebuilt every run.
set -euo pipefail
db="${1:-examples/demo-warehouse.db}"
rm -f "$db" "$db-journal" "$db-wal" "$db-shm"
sqlite3 "$db" <<'SQL'
CREATE TABLE orders (
  id          INTEGER PRIMARY KEY,
  customer    TEXT NOT NULL,
  amount_eur  REAL NOT NULL,
  updated_at  TEXT NOT NULL            -- ISO-8601 UTC, as most loaders write it
);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
INSERT INTO orders (customer, amount_eur, updated_at)
SELECT 'customer_' || (i % 37), round(10 + (i * 7.3) % 400, 2),
       strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || (4 + i * 3) || ' minutes')
FROM n;

CREATE TABLE page_events (
  id          INTEGER PRIMARY KEY,
  page        TEXT NOT NULL,
  loaded_at   TIMESTAMP NOT NULL       -- naive UTC text: the pipeline stopped 3 days ago
);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000)
INSERT INTO page_events (page, loaded_at)
SELECT '/page/' || (i % 50), datetime('now', '-3 days', '-' || i || ' minutes')
FROM n;

CREATE TABLE refunds (
  id          INTEGER PRIMARY KEY,
  order_id    INTEGER NOT NULL,
  created_at  INTEGER NOT NULL         -- Unix seconds; nothing has landed yet
);
SQL
echo "demo warehouse: $db (orders: fresh, page_events: stale, refunds: empty)"
