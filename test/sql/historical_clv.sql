-- historical_clv: realised value per customer from the transaction log.

-- CDNOW customer 1: 4 transactions (1997-01-01, 01-18, 08-02, 12-12) worth 29.33,
-- 29.73, 14.96, 26.48 = 100.50; lifespan 1997-01-01 .. 12-12 = 345 days;
-- frequency 4 / 345 per day; clv = 25.125 * (4 / 345) * 345 = 100.50.
SELECT round(total_spend::numeric, 2) AS total_spend, n_transactions,
       round(avg_purchase_value::numeric, 4) AS avg_purchase_value,
       round(purchase_frequency::numeric, 6) AS purchase_frequency, lifespan_days,
       round(clv::numeric, 2) AS clv
FROM (SELECT (historical_clv(txn_time, amount)).* FROM cdnow_txn WHERE customer_id = 1) h;
SELECT txn_time::date, amount FROM cdnow_txn WHERE customer_id = 1 ORDER BY 1;

-- A single-day customer (two orders on one day): lifespan 0, purchase_frequency NULL
-- (no rate over no time), clv = total spend (the realised value).
SELECT total_spend, n_transactions, avg_purchase_value, purchase_frequency IS NULL AS freq_null,
       lifespan_days, clv
FROM (SELECT (historical_clv(t, a)).*
      FROM (VALUES ('2024-03-01 09:00+00'::timestamptz, 10.0::float8),
                   ('2024-03-01 17:00+00', 30.0)) v(t, a)) h;

-- Lifespan counts calendar days in the session's TimeZone.
SET TimeZone = 'UTC';
SELECT lifespan_days FROM (SELECT (historical_clv(t, 1)).*
  FROM (VALUES ('2024-03-01 23:30+00'::timestamptz), ('2024-03-02 00:30+00')) v(t)) h;
SET TimeZone = 'America/New_York';
SELECT lifespan_days FROM (SELECT (historical_clv(t, 1)).*
  FROM (VALUES ('2024-03-01 23:30+00'::timestamptz), ('2024-03-02 00:30+00')) v(t)) h;
RESET TimeZone;

-- NULL rows skipped; a zero amount is a transaction worth 0; no rows: NULL.
SELECT total_spend, n_transactions, lifespan_days
FROM (SELECT (historical_clv(t, a)).*
      FROM (VALUES ('2024-01-01'::timestamptz, 5.0::float8), ('2024-01-11', 0),
                   (NULL, 7), ('2024-02-01', NULL)) v(t, a)) h;
SELECT historical_clv(txn_time, amount) IS NULL AS empty_is_null FROM cdnow_txn WHERE false;

-- Bad input: negative, non-finite amounts, infinite timestamps.
SELECT historical_clv(t, a) FROM (VALUES ('2024-01-01'::timestamptz, -5.0::float8)) v(t, a);
SELECT historical_clv(t, a) FROM (VALUES ('2024-01-01'::timestamptz, 'Infinity'::float8)) v(t, a);
SELECT historical_clv(t, a) FROM (VALUES ('infinity'::timestamptz, 5.0::float8)) v(t, a);

-- The whole CDNOW sample: per-customer historical CLV, the top 5, and the total equals
-- the sum of all transactions.
CREATE TABLE hist AS
SELECT customer_id, (historical_clv(txn_time, amount)).* FROM cdnow_txn GROUP BY customer_id;
SELECT customer_id, n_transactions, lifespan_days, round(clv::numeric, 2) AS clv
FROM hist ORDER BY clv DESC, customer_id LIMIT 5;
SELECT count(*) AS customers, count(*) FILTER (WHERE lifespan_days = 0) AS single_day,
       round(sum(clv)::numeric, 2) = round((SELECT sum(amount) FROM cdnow_txn)::numeric, 2) AS sums_match
FROM hist;

-- Parallel plan, same result as serial.
CREATE TABLE txn_many AS SELECT t.*, g FROM cdnow_txn t, generate_series(1, 5) g;
ANALYZE txn_many;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT historical_clv(txn_time, amount) FROM txn_many;
SELECT round(total_spend::numeric, 2) AS total, n_transactions, lifespan_days, round(clv::numeric, 2) AS clv
FROM (SELECT (historical_clv(txn_time, amount)).* FROM txn_many) h;
SET max_parallel_workers_per_gather = 0;
SELECT round(total_spend::numeric, 2) AS total, n_transactions, lifespan_days, round(clv::numeric, 2) AS clv
FROM (SELECT (historical_clv(txn_time, amount)).* FROM txn_many) h;
RESET ALL;
