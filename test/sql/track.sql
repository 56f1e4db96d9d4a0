-- Tracked summaries (docs/tracking.md): clv_track keeps a table of the summary fields
-- that do not depend on the observation end, one row per customer, current through
-- statement triggers on the transaction table; clv_tracked_summary reads it at any
-- observation end. After every step below, the reader equals a fresh
-- clv_summary(...) GROUP BY customer exactly: track_diff counts the customers whose
-- summary differs in any field (float8 compared bit for bit through their text form
-- with extra_float_digits = 3), at three observation ends, one of them inside the data.
SET extra_float_digits = 3;
\set SHOW_CONTEXT never
SET TimeZone = 'UTC';
CREATE TABLE orders (id serial PRIMARY KEY, customer int, ts timestamptz, amount numeric(10, 2), note text);
INSERT INTO orders (customer, ts, amount) VALUES
    (1, '2024-01-01 10:00', 30), (1, '2024-01-01 18:00', 12.5), (1, '2024-01-08 09:00', 15),
    (2, '2024-01-03 12:00', 20), (3, '2024-01-20 23:30', 7.25);

CREATE FUNCTION track_diff(tracked regclass, unit text, refunds text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    n bigint;
BEGIN
    EXECUTE format($q$
        WITH ends(e) AS (VALUES ('2024-06-30'::timestamptz), ('2024-01-05 12:00'), ('2030-01-01')),
        fresh AS (SELECT e, customer::text AS customer_id, clv_summary(ts, amount, e, %L, %L) AS s
                  FROM orders, ends WHERE customer IS NOT NULL GROUP BY e, customer),
        tracked AS (SELECT e, r.customer_id, r.summary AS s FROM ends, clv_tracked_summary(%L, e) r)
        SELECT count(*) FROM fresh f FULL JOIN tracked t USING (e, customer_id)
        WHERE f.s::text IS DISTINCT FROM t.s::text OR f.e IS NULL OR t.e IS NULL$q$,
        unit, refunds, tracked) INTO n;
    RETURN n;
END
$$;

-- Set-up: the table is created next to the source and filled; the days are counted in
-- the session's TimeZone at this moment (UTC here), whatever TimeZone writers use later.
SELECT clv_track('orders', 'customer', 'ts', 'amount', unit => 'week', refunds => 'net');
SELECT tracked, source, customer_column, time_column, amount_column, unit, refunds, time_zone, created_index
FROM clv_tracking;
SELECT customer_id, frequency, monetary_value, first_purchase, last_purchase, purchases, total_spend,
       transactions, last_transaction
FROM orders_clv_summary ORDER BY customer_id;
-- The reader adds recency, t and days_since_last_purchase for an observation end.
SELECT customer_id, (summary).frequency, round((summary).recency::numeric, 3) AS recency,
       round((summary).t::numeric, 3) AS t, (summary).days_since_last_purchase AS days_since
FROM clv_tracked_summary('orders_clv_summary', '2024-01-31') ORDER BY 1;
SELECT track_diff('orders_clv_summary', 'week', 'net');

-- A single insert, and one from a writer in another time zone: 2024-01-08 23:30 in
-- New York is 2024-01-09 in UTC, the tracking's zone.
INSERT INTO orders (customer, ts, amount) VALUES (2, '2024-01-05 08:00', 40);
SET TimeZone = 'America/New_York';
INSERT INTO orders (customer, ts, amount) VALUES (2, '2024-01-08 23:30', 5);
SET TimeZone = 'UTC';
SELECT customer_id, purchases, last_purchase FROM orders_clv_summary WHERE customer_id = '2';
SELECT track_diff('orders_clv_summary', 'week', 'net');

-- Bulk loads: COPY and INSERT ... SELECT fire the statement triggers once, with every
-- new row in the transition table.
\copy orders (customer, ts, amount) FROM 'test/data/track_orders.csv' WITH (FORMAT csv, HEADER)
INSERT INTO orders (customer, ts, amount)
SELECT 200 + i % 50, '2024-01-01'::timestamptz + i * interval '7 hours', i % 40 + 0.99
FROM generate_series(1, 500) i;
SELECT count(*) AS customers FROM orders_clv_summary;
SELECT track_diff('orders_clv_summary', 'week', 'net');

-- Refunds ('net'): a refund nets against the same day's purchases. Customer 3's only
-- purchase refunded in full: no purchase day left, a NULL summary (as clv_summary gives).
INSERT INTO orders (customer, ts, amount) VALUES (1, '2024-01-08 15:00', -5), (3, '2024-01-20 23:45', -7.25);
SELECT customer_id, purchases, total_spend, transactions FROM orders_clv_summary
WHERE customer_id IN ('1', '3') ORDER BY 1;
SELECT customer_id, summary IS NULL AS no_purchase FROM clv_tracked_summary('orders_clv_summary', '2024-06-30')
WHERE customer_id = '3';
SELECT track_diff('orders_clv_summary', 'week', 'net');

-- Updates of the customer id, the time and the amount move the rows between customers
-- and days; an update of another column recomputes nothing.
UPDATE orders SET customer = 4 WHERE customer = 2 AND amount = 40;
UPDATE orders SET ts = ts + interval '20 days' WHERE customer = 1 AND amount = 15;
UPDATE orders SET amount = amount * 2 WHERE customer BETWEEN 100 AND 105;
SELECT max(updated_at) AS before_note FROM orders_clv_summary \gset
UPDATE orders SET note = 'checked';
SELECT count(*) AS rows_rewritten FROM orders_clv_summary WHERE updated_at > :'before_note';
SELECT track_diff('orders_clv_summary', 'week', 'net');

-- Deletes. A customer whose rows are all deleted keeps a row with transactions = 0
-- (so that a REPEATABLE READ writer conflicts with it instead of losing an update); the
-- reader skips it, as GROUP BY has no group for it.
DELETE FROM orders WHERE customer = 4;
DELETE FROM orders WHERE customer >= 240;
SELECT customer_id, transactions, purchases FROM orders_clv_summary WHERE customer_id = '4';
SELECT count(*) FROM clv_tracked_summary('orders_clv_summary', '2024-06-30') WHERE customer_id = '4';
SELECT track_diff('orders_clv_summary', 'week', 'net');

-- NULLs: as in clv_summary, a row with a NULL time or amount is skipped (the customer
-- exists, with a NULL summary if nothing else); a row with a NULL customer is not
-- tracked (the tracked table's key is the customer).
INSERT INTO orders (customer, ts, amount) VALUES (5, NULL, 10), (5, '2024-02-01', NULL), (NULL, '2024-02-01', 10);
SELECT customer_id, transactions, purchases, last_transaction FROM orders_clv_summary WHERE customer_id = '5';
SELECT track_diff('orders_clv_summary', 'week', 'net');

-- TRUNCATE empties the tracked table.
BEGIN;
TRUNCATE orders;
SELECT count(*) AS after_truncate FROM orders_clv_summary;
ROLLBACK;
SELECT track_diff('orders_clv_summary', 'week', 'net');

-- A second tracking of the same source (days, refunds an error) needs another name. With
-- refunds 'error' a refund is an error and the statement is rolled back, as clv_summary
-- would stop on it; the set-up itself stops on the refunds already there.
\set VERBOSITY terse
SELECT clv_track('orders', 'customer', 'ts', 'amount', summary_table => 'orders_daily');
DELETE FROM orders WHERE amount < 0;
SELECT clv_track('orders', 'customer', 'ts', 'amount', summary_table => 'orders_daily', time_zone => 'Asia/Tokyo');
INSERT INTO orders (customer, ts, amount) VALUES (1, '2024-03-01', -1);
\set VERBOSITY default
SELECT count(*) AS refunds FROM orders WHERE amount < 0;
SET TimeZone = 'Asia/Tokyo';
SELECT track_diff('orders_daily', 'day', 'error');
SET TimeZone = 'UTC';
SELECT track_diff('orders_clv_summary', 'week', 'net');

-- Bad input: clear errors, nothing half created.
SELECT clv_track('orders', 'customer', 'ts', 'amount', summary_table => 'orders_daily');
SELECT clv_track('orders', 'customer', 'ts', 'amount', 'month');
SELECT clv_track('orders', 'customer', 'ts', 'amount', refunds => 'keep');
SELECT clv_track('orders', 'customer', 'ts', 'amount', time_zone => 'Mars/Olympus', summary_table => 'x');
SELECT clv_track('orders', 'customer', 'ts', 'amt', summary_table => 'x');
SELECT clv_track('orders', 'customer', 'note', 'amount', summary_table => 'x');
SELECT clv_track('orders', 'customer', 'ts', 'ts', summary_table => 'x');
SELECT clv_track('orders_clv_summary_view', 'customer', 'ts', 'amount');
CREATE VIEW orders_view AS SELECT * FROM orders;
SELECT clv_track('orders_view', 'customer', 'ts', 'amount');
DROP VIEW orders_view;
SELECT clv_tracked_summary('orders', '2024-01-01');
SELECT clv_tracked_summary('orders_clv_summary', 'infinity');
SELECT to_regclass('x') AS nothing_left, count(*) AS trackings FROM clv_tracking;

-- Altering or dropping what a tracking depends on is an error (an event trigger rolls the
-- command back); other changes are fine.
ALTER TABLE orders RENAME COLUMN amount TO value;
ALTER TABLE orders ALTER COLUMN amount TYPE float8;
ALTER TABLE orders DROP COLUMN ts;
ALTER TABLE orders_clv_summary DROP COLUMN total_spend;
DROP TABLE orders;
DROP TABLE orders_daily;
DROP TRIGGER clv_track_insert ON orders;
-- A rewrite that keeps the column types (another scale, a USING expression) changes the
-- values without firing triggers: the summaries are computed anew.
ALTER TABLE orders ALTER COLUMN amount TYPE numeric(10, 1);
ALTER TABLE orders ALTER COLUMN ts TYPE timestamptz USING ts + interval '12 hours';
SELECT track_diff('orders_clv_summary', 'week', 'net');
ALTER TABLE orders ADD COLUMN channel text;
ALTER TABLE orders RENAME TO orders_2024;
INSERT INTO orders_2024 (customer, ts, amount) VALUES (6, '2024-03-03', 9);
ALTER TABLE orders_2024 RENAME TO orders;
SELECT track_diff('orders_clv_summary', 'week', 'net');

-- clv_untrack drops the tracked table, and the triggers with the last tracking of the
-- source (and the index on the customer column clv_track created for them).
SELECT clv_untrack('orders_daily');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'orders'::regclass AND NOT tgisinternal;
SELECT clv_untrack('orders_clv_summary');
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'orders'::regclass AND NOT tgisinternal;
SELECT to_regclass('orders_clv_summary') AS gone, count(*) AS trackings FROM clv_tracking;
SELECT indexrelid::regclass FROM pg_index WHERE indrelid = 'orders'::regclass;
SELECT clv_untrack('orders');

-- Dropping the source together with its tracked table forgets the tracking.
SELECT clv_track('orders', 'customer', 'ts', 'amount', 'day', 'net');
DROP TABLE orders, orders_clv_summary;
SELECT count(*) AS trackings FROM clv_tracking;

-- A partitioned table is tracked at its root: rows routed to any partition count.
CREATE TABLE sales (customer text, ts date, amount float8) PARTITION BY RANGE (ts);
CREATE TABLE sales_h1 PARTITION OF sales FOR VALUES FROM ('2024-01-01') TO ('2024-07-01');
CREATE TABLE sales_h2 PARTITION OF sales FOR VALUES FROM ('2024-07-01') TO ('2025-01-01');
SELECT clv_track('sales', 'customer', 'ts', 'amount');
INSERT INTO sales VALUES ('a', '2024-03-01', 10), ('a', '2024-09-01', 20), ('b', '2024-08-01', 5);
UPDATE sales SET ts = '2024-05-01' WHERE customer = 'b';
SELECT customer_id, (summary).frequency, (summary).t, (summary).total_spend
FROM clv_tracked_summary('sales_clv_summary', '2024-12-31') ORDER BY 1;
SELECT clv_untrack('sales_clv_summary');
DROP TABLE sales;

-- Statements changing a few rows run a statement the session prepares once per tracking;
-- DEALLOCATE ALL (or DISCARD ALL, as connection poolers do) only makes it prepare again.
-- A char(n) customer column keeps its blank-padded values.
CREATE TABLE visits (customer char(6), ts timestamptz, amount float8);
SELECT clv_track('visits', 'customer', 'ts', 'amount');
INSERT INTO visits VALUES ('ab', '2024-01-01', 1), ('ab    ', '2024-01-02', 2), ('abc', '2024-01-02', 3);
DEALLOCATE ALL;
INSERT INTO visits VALUES ('abc', '2024-01-05', 4);
SELECT customer_id, purchases, total_spend FROM visits_clv_summary ORDER BY 1;
SELECT clv_untrack('visits_clv_summary');
DROP TABLE visits;
-- A bulk load several times the size of the (analyzed) table reads it in one pass (hash
-- join) instead of customer by customer through the index; the triggers' settings
-- (generic plans, enable_nestloop, work_mem) end with them. The tracked table leaves
-- room on its pages for HOT updates.
CREATE TABLE loads (customer int, ts timestamptz, amount numeric);
SELECT clv_track('loads', 'customer', 'ts', 'amount', 'day', 'net');
INSERT INTO loads SELECT i % 40, '2024-01-01'::timestamptz + i * interval '5 hours', i % 7 - 1 FROM generate_series(1, 300) i;
ANALYZE loads;
BEGIN;
INSERT INTO loads SELECT i % 90, '2024-02-01'::timestamptz + i * interval '3 hours', i % 11 + 0.25 FROM generate_series(1, 2000) i;
SELECT current_setting('enable_nestloop') AS enable_nestloop, current_setting('plan_cache_mode') AS plan_cache_mode,
       current_setting('work_mem') AS work_mem;
COMMIT;
SELECT count(*) AS customers FROM loads_clv_summary;
SELECT count(*) AS differences
FROM (SELECT customer::text AS customer_id, clv_summary(ts, amount, '2030-01-01', 'day', 'net') AS s
      FROM loads GROUP BY customer) f
FULL JOIN clv_tracked_summary('loads_clv_summary', '2030-01-01') t USING (customer_id)
WHERE f.s::text IS DISTINCT FROM t.summary::text;
SELECT reloptions FROM pg_class WHERE oid = 'loads_clv_summary'::regclass;
SELECT clv_untrack('loads_clv_summary');
DROP TABLE loads;
DROP FUNCTION track_diff(regclass, text, text);
RESET TimeZone;
