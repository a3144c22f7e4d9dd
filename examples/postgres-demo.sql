-- The quickstart's demo tables on PostgreSQL, checked by examples/postgres.yaml: one fresh
-- table (orders), one stale table (page_events, last row 3 days old) and one empty table
-- (refunds). Timestamps are relative to now(). Creates the tables in the first schema of
-- the search_path (`public` unless set); drops them first.
DROP TABLE IF EXISTS orders, page_events, refunds;

CREATE TABLE orders (
  id          bigserial PRIMARY KEY,
  customer    text NOT NULL,
  amount_eur  numeric(10, 2) NOT NULL,
  updated_at  timestamptz NOT NULL
);
INSERT INTO orders (customer, amount_eur, updated_at)
SELECT 'customer_' || (i % 37), round((10 + (i * 7.3) % 400)::numeric, 2),
       now() - make_interval(mins => 4 + i * 3)
FROM generate_series(1, 500) AS i;
CREATE INDEX ON orders (updated_at);

CREATE TABLE page_events (
  id          bigserial PRIMARY KEY,
  page        text NOT NULL,
  loaded_at   timestamp NOT NULL            -- naive UTC: the pipeline stopped 3 days ago
);
INSERT INTO page_events (page, loaded_at)
SELECT '/page/' || (i % 50), (now() AT TIME ZONE 'UTC') - interval '3 days' - make_interval(mins => i)
FROM generate_series(1, 2000) AS i;

CREATE TABLE refunds (
  id          bigserial PRIMARY KEY,
  order_id    bigint NOT NULL,
  created_at  timestamptz NOT NULL          -- nothing has landed yet
);
