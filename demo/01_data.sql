-- Demo step 1: the CDNOW transaction log (data/CDNOW_sample.txt) as a table, one row per
-- transaction, and each customer's summary: the 39-week calibration period 1997-01-01 ..
-- 1997-09-30 (the models see only this) and the following 39 weeks to 1998-06-30, the
-- holdout, used to check the models and as the outcome of the A/B example.
-- The demo files run in name order (scripts/demo.sh), each in its own psql session from
-- the repository's top directory, with ON_ERROR_STOP; tables they create stay for the next.
-- Title: Summary: the CDNOW transaction log, per customer (clv_summary_holdout)
CREATE EXTENSION IF NOT EXISTS clv;
DROP TABLE IF EXISTS cdnow_raw, transactions, holdout_summary, customer_summary CASCADE;

CREATE TABLE cdnow_raw (line text);
\copy cdnow_raw FROM 'data/CDNOW_sample.txt'
CREATE TABLE transactions AS
SELECT f[2]::int AS customer_id, to_date(f[3], 'YYYYMMDD')::timestamptz AS txn_time,
       f[4]::int AS n_cds, f[5]::float8 AS amount
FROM (SELECT regexp_split_to_array(btrim(line), '\s+') AS f FROM cdnow_raw) s;
DROP TABLE cdnow_raw;
SELECT count(*) AS n, count(DISTINCT customer_id) AS c, min(txn_time)::date AS d0,
       max(txn_time)::date AS d1 FROM transactions \gset
\echo '    loaded' :n 'transactions of' :c 'customers,' :d0 '..' :d1

-- clv_summary_holdout: the calibration summary (frequency = repeat purchase days, recency
-- and age t in weeks, mean spend of the repeat purchases) plus the holdout purchases.
CREATE TABLE holdout_summary AS
SELECT customer_id, (clv_summary_holdout(txn_time, amount, '1997-09-30', '1998-06-30', 'week')).*
FROM transactions GROUP BY customer_id;
CREATE TABLE customer_summary AS
SELECT customer_id, frequency, recency, t, monetary_value FROM holdout_summary;
ALTER TABLE customer_summary ADD PRIMARY KEY (customer_id);
SELECT count(*) AS n FROM customer_summary \gset
\echo '    summarised' :n 'customers (clv_summary_holdout, calibration to 1997-09-30, holdout to 1998-06-30)'
\echo
SELECT count(*) AS customers,
       count(*) FILTER (WHERE frequency > 0) AS repeat_buyers,
       round(avg(frequency), 2) AS mean_repeat_days,
       round(avg(monetary_value) FILTER (WHERE frequency > 0)::numeric, 2) AS mean_repeat_spend,
       sum(holdout_frequency) AS holdout_purchases,
       count(*) FILTER (WHERE holdout_frequency > 0) AS holdout_buyers
FROM holdout_summary;
