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

-- The unit travels with the summary: unit_days is the days per unit of recency and t, the
-- number gamma_gamma_clv's unit_days wants (t * unit_days is the same in either unit).
SELECT unit, (s).unit_days, round((s).t::numeric, 4) AS t, round(((s).t * (s).unit_days)::numeric, 4) AS t_days
FROM (VALUES ('day'), ('week')) u(unit),
     LATERAL (SELECT clv_summary(txn_time, amount, '2024-01-31', unit) AS s
              FROM txn WHERE customer = 'a') q
ORDER BY unit;

-- RFM inputs, named apart from BTYD's recency/frequency/monetary_value:
-- days_since_last_purchase (whole calendar days to observation_end's day), purchases
-- (purchase days, the first included: frequency + 1), total_spend (all purchase days).
-- They do not depend on the unit.
SELECT customer, (s).frequency, (s).recency, (s).days_since_last_purchase, (s).purchases,
       (s).total_spend, (s).monetary_value
FROM (SELECT customer, clv_summary(txn_time, amount, '2024-01-31', 'week') AS s
      FROM txn GROUP BY customer) q
ORDER BY customer;

-- RFM from transactions in one step: the summary's fields feed rfm_score, whose inputs
-- carry the same names. CDNOW customer 1: 59 days, 3 purchase days, $74.02 -> '554'.
CREATE TABLE cdnow_rfm_sum AS
SELECT customer_id, (s).days_since_last_purchase, (s).purchases, (s).total_spend,
       (rfm_score(days_since_last_purchase => (s).days_since_last_purchase,
                  purchases => (s).purchases, total_spend => (s).total_spend) OVER ()).*
FROM (SELECT customer_id, clv_summary(txn_time, amount, '1997-09-30') AS s
      FROM cdnow_txn GROUP BY customer_id) q
WHERE s IS NOT NULL;
SELECT customer_id, days_since_last_purchase, purchases, round(total_spend::numeric, 2) AS total_spend,
       score, segment
FROM cdnow_rfm_sum WHERE customer_id IN (1, 2, 3, 1000) ORDER BY customer_id;
-- The same segments as the inputs computed by hand (docs/segmentation.md, demo step 3).
SELECT count(*) AS customers, count(*) FILTER (WHERE h.score = s.score) AS same_score
FROM cdnow_rfm_sum s
JOIN (SELECT customer_id, (rfm_score(('1997-09-30'::date - max(txn_time)::date)::float8,
                                     count(DISTINCT txn_time::date), sum(amount)) OVER ()).score
      FROM cdnow_txn WHERE txn_time < '1997-10-01' GROUP BY customer_id) h USING (customer_id);
-- Why the names matter: BTYD's recency (first to last purchase, larger = more loyal) and
-- monetary_value (mean repeat spend) in rfm_score's places give other segments.
SELECT count(*) AS customers, count(*) FILTER (WHERE b.segment <> s.segment) AS other_segment
FROM cdnow_rfm_sum s
JOIN (SELECT customer_id, (rfm_score((s).recency, (s).frequency, (s).monetary_value) OVER ()).segment
      FROM (SELECT customer_id, clv_summary(txn_time, amount, '1997-09-30') AS s
            FROM cdnow_txn GROUP BY customer_id) q WHERE s IS NOT NULL) b USING (customer_id);

-- Refunds (negative amounts). By default an ERROR whose hint names the policy; with
-- 'net' (after the unit) a day's refunds are netted against that day's purchases, and a
-- day with a refund that nets to <= 0 is no purchase day. A day without refunds is a
-- purchase day even at 0 (a free order). first/last_purchase skip refund rows.
CREATE TABLE txn_refunds (customer text, txn_time timestamptz, amount float8);
INSERT INTO txn_refunds VALUES
  ('r', '2024-01-01 10:00', 30), ('r', '2024-01-01 18:00', -10),   -- nets to 20
  ('r', '2024-01-05 10:00', 0),                                       -- free order: a purchase
  ('r', '2024-01-08 10:00', 15), ('r', '2024-01-08 11:00', -15),   -- fully refunded: none
  ('r', '2024-01-12 10:00', -20),                                     -- refund only: none
  ('r', '2024-01-20 10:00', 25),
  ('u', '2024-01-02 09:00', 50), ('u', '2024-01-02 12:00', -50),   -- first day refunded
  ('u', '2024-01-10 07:00', -3), ('u', '2024-01-10 08:00', 5), ('u', '2024-01-10 20:00', 7),
  ('w', '2024-01-06 10:00', 0), ('w', '2024-01-06 11:00', -5),     -- free order refunded
  ('z', '2024-01-03 10:00', 0), ('z', '2024-01-09 10:00', 0);      -- free orders only
SELECT customer, (s).frequency, (s).recency, (s).t, (s).monetary_value,
       (s).first_purchase, (s).last_purchase, (s).days_since_last_purchase, (s).purchases,
       (s).total_spend
FROM (SELECT customer, clv_summary(txn_time, amount, '2024-01-31', 'day', 'net') AS s
      FROM txn_refunds GROUP BY customer) q
ORDER BY customer;
-- Without refunds, 'net' changes nothing.
SELECT count(*) AS customers, count(*) FILTER (WHERE n = e) AS same
FROM (SELECT clv_summary(txn_time, amount, '1997-09-30', 'week', 'net') AS n,
             clv_summary(txn_time, amount, '1997-09-30', 'week', 'error') AS e
      FROM cdnow_txn GROUP BY customer_id) q;
-- The holdout figures are netted the same way.
SELECT customer, (s).frequency, (s).purchases, (s).total_spend, (s).holdout_frequency,
       (s).holdout_monetary_value
FROM (SELECT customer, clv_summary_holdout(txn_time, amount, '2024-01-09', '2024-01-31', 'day', 'net') AS s
      FROM txn_refunds GROUP BY customer) q
ORDER BY customer;
SELECT clv_summary(txn_time, amount, '2024-01-31') FROM txn_refunds WHERE customer = 'r';
SELECT clv_summary(txn_time, amount, '2024-01-31', 'day', 'error') FROM txn_refunds WHERE customer = 'r';
SELECT clv_summary_holdout(txn_time, amount, '2024-01-09', '2024-01-31') FROM txn_refunds WHERE customer = 'r';
SELECT clv_summary(txn_time, amount, '2024-01-31', 'day', 'ignore') FROM txn_refunds WHERE customer = 'r';
SELECT clv_summary(txn_time, amount, '2024-01-31', 'day', NULL) FROM txn_refunds WHERE customer = 'r';

-- Parallel plan with refunds netted, grouped by customer (a state per group crosses from
-- worker to leader): every field equal to the serial plan's.
CREATE TABLE big_refunds AS
SELECT (i % 3000) AS customer_id,
       '2023-01-01'::timestamptz + ((i * 7919) % 365) * interval '1 day' + (i % 24) * interval '1 hour' AS txn_time,
       CASE WHEN i % 7 = 0 THEN -(((i * 13) % 60) + 0.25) ELSE ((i * 31) % 97) + 0.5 * (i % 3) END AS amount
FROM generate_series(1, 200000) i;
ANALYZE big_refunds;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF)
SELECT customer_id, clv_summary(txn_time, amount, '2023-12-31', 'week', 'net') FROM big_refunds GROUP BY customer_id;
CREATE TEMP TABLE par_net AS
SELECT customer_id, clv_summary(txn_time, amount, '2023-12-31', 'week', 'net') AS s
FROM big_refunds GROUP BY customer_id;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ser_net AS
SELECT customer_id, clv_summary(txn_time, amount, '2023-12-31', 'week', 'net') AS s
FROM big_refunds GROUP BY customer_id;
RESET ALL;
SELECT count(*) AS customers, count(*) FILTER (WHERE p.s IS NOT DISTINCT FROM s.s) AS parallel_equals_serial,
       sum((s.s).purchases) AS purchase_days, round(sum((s.s).total_spend)::numeric, 2) AS total_spend
FROM par_net p JOIN ser_net s USING (customer_id);
-- Calendar days are those of the session's TimeZone, as txn_time::date gives them, in
-- every zone: one with a single UTC offset (computed by division), and zones with
-- daylight saving time or a changed offset (computed by PostgreSQL's time-zone rules).
-- Purchases a minute either side of local midnight, before and after 2000-01-01.
CREATE TEMP TABLE midnights AS
SELECT c AS customer_id, ts
FROM generate_series(1, 40) c,
     LATERAL (SELECT '1969-12-30 00:00:00+00'::timestamptz + (c * 97 + k * 389) * interval '1 day'
                     + (k % 3 - 1) * interval '1 minute' + (k % 5) * interval '3 hours' AS ts
              FROM generate_series(1, 25) k) t;
CREATE TEMP TABLE zone_check (zone text, customers int, same_as_date int);
DO $$
DECLARE z text;
BEGIN
    FOREACH z IN ARRAY ARRAY['UTC', 'Etc/GMT+5', '<+0530>-05:30', 'America/New_York', 'Asia/Kolkata',
                             'Australia/Lord_Howe', 'PST8PDT'] LOOP
        PERFORM set_config('TimeZone', z, true);
        INSERT INTO zone_check
        SELECT z, count(*), count(*) FILTER (WHERE (s).frequency = d.days - 1
                                               AND (s).recency = d.last_day - d.first_day
                                               AND (s).t = '2040-01-01'::timestamptz::date - d.first_day)
        FROM (SELECT customer_id, clv_summary(ts, 1, '2040-01-01', 'day') AS s
              FROM midnights GROUP BY customer_id) q
        JOIN (SELECT customer_id, count(DISTINCT ts::date) AS days, min(ts::date) AS first_day,
                     max(ts::date) AS last_day
              FROM midnights GROUP BY customer_id) d USING (customer_id);
    END LOOP;
END $$;
SELECT * FROM zone_check;
