-- clv_summary: transactions -> BTYD customer summary, lifetimes conventions.

-- Customer 1 of CDNOW bought on 1997-01-01, 01-18, 08-02 (and 12-12, after the end of
-- calibration): x = 2, t_x = 213/7, T = 272/7; monetary = mean of the two repeat days.
SELECT (s).frequency, round((s).recency::numeric, 2) AS recency, round((s).t::numeric, 2) AS t,
       round((s).monetary_value::numeric, 2) AS monetary_value,
       (s).first_purchase::date, (s).last_purchase::date
FROM (SELECT clv_summary(txn_time, amount, '1997-09-30', 'week') AS s
      FROM cdnow_txn WHERE customer_id = 1) q;

-- Acceptance: every CDNOW customer matches the published summary to 2 decimals.
CREATE TABLE cdnow_calib AS
SELECT customer_id, (s).*
FROM (SELECT customer_id, clv_summary(txn_time, amount, '1997-09-30', 'week') AS s
      FROM cdnow_txn GROUP BY customer_id) q;
SELECT count(*) AS customers,
       count(*) FILTER (WHERE c.frequency = p.frequency
                          AND round(c.recency::numeric, 2) = round(p.recency::numeric, 2)
                          AND round(c.t::numeric, 2) = round(p.t::numeric, 2)) AS matching,
       count(*) FILTER (WHERE round(c.monetary_value::numeric, 2) = round(p.zbar::numeric, 2)) AS matching_monetary
FROM cdnow_calib c JOIN cdnow_summary p ON p.id = c.customer_id;

-- Same-day transactions collapse into one purchase day with their amounts summed;
-- the unit defaults to days; a customer first seen on the last day has t = 0.
CREATE TABLE txn (customer text, txn_time timestamptz, amount float8);
INSERT INTO txn VALUES
  ('a', '2024-01-01 09:00', 10), ('a', '2024-01-01 17:00', 5),
  ('a', '2024-01-08 12:00', 20), ('a', '2024-01-15 12:00', 40),
  ('b', '2024-01-31 10:00', 7),
  ('c', '2024-01-10 10:00', 0),  ('c', '2024-01-20 10:00', 0),    -- free orders count
  ('d', '2024-01-05 10:00', NULL), ('d', NULL, 3), ('d', '2024-01-06 10:00', 8),  -- NULLs skipped
  ('e', '2024-02-15 10:00', 99);                                   -- after observation_end
SELECT customer, (s).frequency, (s).recency, (s).t, (s).monetary_value,
       (s).first_purchase, (s).last_purchase
FROM (SELECT customer, clv_summary(txn_time, amount, '2024-01-31') AS s
      FROM txn GROUP BY customer) q
ORDER BY customer;

-- Weeks are fractional.
SELECT (clv_summary(txn_time, amount, '2024-01-31', 'week')).*
FROM txn WHERE customer = 'a';

-- A group with no purchase up to observation_end (or no rows) gives NULL: the customer
-- did not exist yet.
SELECT clv_summary(txn_time, amount, '2024-01-31') IS NULL AS no_summary FROM txn WHERE customer = 'e';
SELECT clv_summary(txn_time, amount, '2024-01-31') IS NULL AS no_summary FROM txn WHERE false;

-- Errors.
SELECT clv_summary(t, a, '2024-01-31') FROM (VALUES ('2024-01-01'::timestamptz, -5.0::float8)) v(t, a);
SELECT clv_summary(t, a, '2024-01-31') FROM (VALUES ('2024-01-01'::timestamptz, 'NaN'::float8)) v(t, a);
SELECT clv_summary(t, a, '2024-01-31') FROM (VALUES ('infinity'::timestamptz, 1::float8)) v(t, a);
SELECT clv_summary(t, a, 'infinity') FROM (VALUES ('2024-01-01'::timestamptz, 1::float8)) v(t, a);
SELECT clv_summary(t, a, NULL) FROM (VALUES ('2024-01-01'::timestamptz, 1::float8)) v(t, a);
SELECT clv_summary(t, a, '2024-01-31', 'month') FROM (VALUES ('2024-01-01'::timestamptz, 1::float8)) v(t, a);
SELECT clv_summary(t, a, e) FROM (VALUES ('2024-01-01'::timestamptz, 1::float8, '2024-01-31'::timestamptz),
                                         ('2024-01-02', 1, '2024-02-28')) v(t, a, e);

-- Parallel plan: Partial/Finalize Aggregate, and the same result as the serial plan.
CREATE TABLE big_txn AS
SELECT (i % 5000) AS customer_id,
       '2023-01-01'::timestamptz + ((i * 7919) % 365) * interval '1 day' AS txn_time,
       ((i * 31) % 97) + 1.5 AS amount
FROM generate_series(1, 200000) i;
ANALYZE big_txn;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT clv_summary(txn_time, amount, '2023-12-31', 'week') FROM big_txn;
CREATE TEMP TABLE par AS
SELECT (clv_summary(txn_time, amount, '2023-12-31', 'week')).* FROM big_txn;
RESET max_parallel_workers_per_gather;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ser AS
SELECT (clv_summary(txn_time, amount, '2023-12-31', 'week')).* FROM big_txn;
SELECT p.frequency = s.frequency AND p.recency = s.recency AND p.t = s.t
       AND abs(p.monetary_value - s.monetary_value) < 1e-9 * s.monetary_value AS parallel_equals_serial,
       p.frequency, round(p.monetary_value::numeric, 4) AS monetary_value
FROM par p, ser s;
RESET ALL;
