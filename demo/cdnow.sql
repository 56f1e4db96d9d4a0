-- The main job on the CDNOW sample: transactions -> customer summary -> BG/NBD and
-- Gamma-Gamma fits -> 12-month CLV per customer. Run by scripts/demo.sh from the
-- repository's top directory.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS clv;

\echo '--- loading data/CDNOW_sample.txt (one row per transaction)'
DROP TABLE IF EXISTS cdnow_raw, transactions, customer_summary, models, customer_clv;
CREATE TABLE cdnow_raw (line text);
\copy cdnow_raw FROM 'data/CDNOW_sample.txt'
CREATE TABLE transactions AS
SELECT f[2]::int AS customer_id, to_date(f[3], 'YYYYMMDD')::timestamptz AS txn_time,
       f[4]::int AS n_cds, f[5]::float8 AS amount
FROM (SELECT regexp_split_to_array(btrim(line), '\s+') AS f FROM cdnow_raw) s;
DROP TABLE cdnow_raw;
SELECT count(*) AS transactions, count(DISTINCT customer_id) AS customers,
       min(txn_time)::date AS first_day, max(txn_time)::date AS last_day FROM transactions;

\echo '--- customer summary of the 39-week calibration period (weeks)'
CREATE TABLE customer_summary AS
SELECT customer_id, (clv_summary(txn_time, amount, '1997-09-30', 'week')).*
FROM transactions GROUP BY customer_id;
SELECT count(*) AS customers, count(*) FILTER (WHERE frequency > 0) AS repeat_buyers,
       round(avg(frequency), 3) AS mean_frequency FROM customer_summary;

\echo '--- fitting BG/NBD and Gamma-Gamma (published: r 0.243 alpha 4.414 a 0.793 b 2.426; p 6.25 q 3.74 gamma 15.44)'
CREATE TABLE models AS
SELECT (SELECT bgnbd_fit(frequency, recency, t) FROM customer_summary) AS bg,
       (SELECT gamma_gamma_fit(frequency, monetary_value) FROM customer_summary) AS gg,
       now() AS fitted_at;
SELECT round((bg).r::numeric, 3) AS r, round((bg).alpha::numeric, 3) AS alpha,
       round((bg).a::numeric, 3) AS a, round((bg).b::numeric, 3) AS b,
       round((bg).log_likelihood::numeric, 1) AS ll, (bg).iterations, (bg).converged
FROM models;
SELECT round((gg).p::numeric, 2) AS p, round((gg).q::numeric, 2) AS q,
       round((gg).gamma::numeric, 2) AS gamma, (gg).n_customers AS repeat_buyers,
       (gg).iterations, (gg).converged
FROM models;

\echo '--- 12-month CLV (1 % monthly discount) per customer'
CREATE TABLE customer_clv AS
SELECT s.customer_id, s.frequency, s.recency, s.t, s.monetary_value,
       bgnbd_p_alive(m.bg, s.frequency, s.recency, s.t) AS p_alive,
       bgnbd_expected_purchases(m.bg, 39, s.frequency, s.recency, s.t) AS purchases_next_39_weeks,
       gamma_gamma_clv(m.bg, m.gg, s.frequency, s.recency, s.t, s.monetary_value,
                       months => 12, monthly_discount => 0.01, unit_days => 7) AS clv_12m
FROM customer_summary s, models m;

\echo '--- top 10 customers by predicted CLV'
SELECT customer_id, frequency, round(recency::numeric, 1) AS recency_wk, round(t::numeric, 1) AS t_wk,
       round(monetary_value::numeric, 2) AS avg_spend, round(p_alive::numeric, 3) AS p_alive,
       round(purchases_next_39_weeks::numeric, 2) AS exp_purchases_39wk,
       round(clv_12m::numeric, 2) AS clv_12m
FROM customer_clv ORDER BY clv_12m DESC, customer_id LIMIT 10;
