-- The tables the examples of README.md and docs/*.md use, from the files in data/ (run
-- from the repository's top directory: psql -f test/docs_fixture.sql). Listed in
-- docs/README.md; test/docs_examples.sh loads this into a template database and runs each
-- file's examples in a fresh copy of it. The CDNOW tables are those of the demo
-- (demo/01_data.sql .. 05_clv.sql): calibration period to 1997-09-30, holdout to 1998-06-30.
-- With -v full=false only the orders table is created, not even the extension: README.md's
-- quick start starts from a shop's own orders table and creates everything else itself.
\if :{?full}
\else
\set full true
\endif

-- CDNOW: 6,919 transactions of 2,357 customers, 1997-01-01 .. 1998-06-30, as a shop's
-- orders table would have them (text ids as in the file, timestamp, numeric).
CREATE TABLE cdnow_raw (line text);
\copy cdnow_raw FROM 'data/CDNOW_sample.txt'
CREATE TABLE orders AS
SELECT f[2] AS customer_id, to_date(f[3], 'YYYYMMDD')::timestamp AS ordered_at,
       f[5]::numeric AS amount
FROM (SELECT regexp_split_to_array(btrim(line), '\s+') AS f FROM cdnow_raw) s;

\if :full
CREATE EXTENSION clv;

-- The same as the demo's transaction table (demo/01_data.sql).
CREATE TABLE transactions AS
SELECT f[2]::int AS customer_id, to_date(f[3], 'YYYYMMDD')::timestamptz AS txn_time,
       f[4]::int AS n_cds, f[5]::float8 AS amount
FROM (SELECT regexp_split_to_array(btrim(line), '\s+') AS f FROM cdnow_raw) s;

-- Per customer: the calibration summary in weeks plus the holdout purchases, and the
-- calibration summary alone with the month of the first purchase as a cohort.
CREATE TABLE holdout_summary AS
SELECT customer_id, (clv_summary_holdout(txn_time, amount, '1997-09-30', '1998-06-30', 'week')).*
FROM transactions GROUP BY customer_id;
CREATE TABLE customer_summary AS
SELECT customer_id, frequency, recency, t, monetary_value,
       to_char(first_purchase, 'YYYY-MM') AS cohort
FROM holdout_summary;
ALTER TABLE customer_summary ADD PRIMARY KEY (customer_id);

-- The RFM inputs at 1997-09-30: days since the last purchase, purchase days, total spend.
CREATE TABLE customers AS
SELECT customer_id, (s).days_since_last_purchase AS recency_days, (s).purchases::float8 AS frequency,
       (s).total_spend AS monetary
FROM (SELECT customer_id, clv_summary(txn_time, amount, '1997-09-30') AS s
      FROM transactions GROUP BY customer_id) q
WHERE s IS NOT NULL;
ALTER TABLE customers ADD PRIMARY KEY (customer_id);

-- Models fitted on the calibration summaries (weeks; fitted from plain columns, so the
-- models carry no unit: scoring passes unit_days => 7).
CREATE TABLE models AS
SELECT (SELECT bgnbd_fit(frequency, recency, t) FROM customer_summary) AS bg,
       (SELECT mbgnbd_fit(frequency, recency, t) FROM customer_summary) AS mbg,
       (SELECT pareto_nbd_fit(frequency, recency, t) FROM customer_summary) AS pnbd,
       (SELECT gamma_gamma_fit(frequency, monetary_value) FROM customer_summary) AS gg;

-- BG/NBD's predicted purchases in the 39 holdout weeks against the actual ones.
CREATE TABLE predictions AS
SELECT customer_id, frequency,
       bgnbd_expected_purchases(bg, holdout_length, frequency, recency, t) AS predicted,
       holdout_frequency::float8 AS actual
FROM holdout_summary, models;

-- Discrete-time donations (Fader, Hardie & Shang 2010), one row per pattern with weights.
CREATE TABLE donations (frequency int, recency int, periods int, weights int);
\copy donations FROM 'data/donations.csv' WITH (FORMAT csv, HEADER)

-- R's cars data set (speed in mph, stopping distance in ft).
CREATE TABLE cars (speed float8, dist float8);
INSERT INTO cars SELECT s, d FROM unnest(
  '{4,4,7,7,8,9,10,10,10,11,11,12,12,12,12,13,13,13,13,14,14,14,14,15,15,15,16,16,17,17,17,18,18,18,18,19,19,19,20,20,20,20,20,22,23,24,24,24,24,25}'::float8[],
  '{2,10,4,22,16,10,18,26,34,17,28,14,20,24,28,26,34,34,46,26,36,60,80,20,26,54,32,40,32,40,50,42,56,76,84,36,46,68,32,48,52,56,64,66,54,70,92,93,120,85}'::float8[]) u(s, d);

-- online_retail: the Online-Retail-shaped sample.
\ir ../data/online_retail_sample.sql
\endif

DROP TABLE cdnow_raw;
ANALYZE;
