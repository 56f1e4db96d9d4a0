-- Loads the extension and the reference data sets every other test file uses.
CREATE EXTENSION clv;

-- CDNOW 1/10 sample: one row per transaction, 1997-01-01 .. 1998-06-30.
CREATE TABLE cdnow_raw (line text);
\copy cdnow_raw FROM 'data/CDNOW_sample.txt'
CREATE TABLE cdnow_txn AS
SELECT f[2]::int AS customer_id,
       to_date(f[3], 'YYYYMMDD')::timestamptz AS txn_time,
       f[4]::int AS n_cds,
       f[5]::float8 AS amount
FROM (SELECT regexp_split_to_array(btrim(line), '\s+') AS f FROM cdnow_raw) s;
DROP TABLE cdnow_raw;
SELECT count(*) AS transactions, count(DISTINCT customer_id) AS customers,
       min(txn_time)::date AS first_day, max(txn_time)::date AS last_day
FROM cdnow_txn;

-- Published calibration summary (Fader, Hardie & Lee 2005), weeks, 2 decimals.
CREATE TABLE cdnow_summary (id int PRIMARY KEY, frequency int, recency float8, t float8, zbar float8);
\copy cdnow_summary FROM 'data/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER)
SELECT count(*) AS customers, count(*) FILTER (WHERE frequency > 0) AS repeat_buyers FROM cdnow_summary;

-- Test vectors from an independent implementation at fixed BG/NBD parameters.
CREATE TABLE cdnow_bgnbd_ref (id int PRIMARY KEY, frequency int, recency float8, t float8,
                              expected_purchases_39 float8, p_alive float8);
\copy cdnow_bgnbd_ref FROM 'data/cdnow_bgnbd_predictions.csv' WITH (FORMAT csv, HEADER)
SELECT count(*) AS reference_rows FROM cdnow_bgnbd_ref;
