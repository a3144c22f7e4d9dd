-- The quickstart's demo tables on MySQL / MariaDB, checked by examples/mysql.yaml: one fresh
-- table (orders), one stale table (page_events, last row 3 days old) and one empty table
-- (refunds). Timestamps are relative to now. Creates the tables in the current database;
-- drops them first. Works on MariaDB 10.3+ and MySQL 8.
DROP TABLE IF EXISTS orders, page_events, refunds;

CREATE TABLE orders (
  id          BIGINT AUTO_INCREMENT PRIMARY KEY,
  customer    VARCHAR(40) NOT NULL,
  amount_eur  DECIMAL(10, 2) NOT NULL,
  updated_at  TIMESTAMP NOT NULL,           -- TIMESTAMP: an absolute instant
  INDEX (updated_at)
);
INSERT INTO orders (customer, amount_eur, updated_at)
WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 500)
SELECT CONCAT('customer_', i % 37), ROUND(10 + MOD(i * 7.3, 400), 2),
       NOW() - INTERVAL (4 + i * 3) MINUTE
FROM n;

CREATE TABLE page_events (
  id          BIGINT AUTO_INCREMENT PRIMARY KEY,
  page        VARCHAR(80) NOT NULL,
  loaded_at   DATETIME NOT NULL             -- naive UTC: the pipeline stopped 3 days ago
);
INSERT INTO page_events (page, loaded_at)
WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 900)
SELECT CONCAT('/page/', i % 50), UTC_TIMESTAMP() - INTERVAL 3 DAY - INTERVAL i MINUTE
FROM n;

CREATE TABLE refunds (
  id          BIGINT AUTO_INCREMENT PRIMARY KEY,
  order_id    BIGINT NOT NULL,
  created_at  DATETIME NOT NULL             -- nothing has landed yet
);
