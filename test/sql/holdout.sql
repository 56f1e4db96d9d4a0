-- Calibration / holdout: clv_summary_holdout, clv_holdout_eval, clv_holdout_by_frequency,
-- and which model tracks CDNOW's 39-week holdout best.

-- CDNOW: 39 weeks of calibration (to 1997-09-30), 39 weeks of holdout (to 1998-06-30).
CREATE TABLE cdnow_ho AS
SELECT customer_id, (clv_summary_holdout(txn_time, amount, '1997-09-30', '1998-06-30', 'week')).*
FROM cdnow_txn GROUP BY customer_id;
-- Customer 1: the calibration summary as before, one holdout purchase of 26.48.
SELECT frequency, round(recency::numeric, 2) AS recency, round(t::numeric, 2) AS t,
       round(monetary_value::numeric, 2) AS monetary_value, holdout_frequency,
       holdout_monetary_value, holdout_length
FROM cdnow_ho WHERE customer_id = 1;
-- Totals checked against an independent Python computation: 2357 customers, 1882 holdout
-- purchase days, 684 customers buying in the holdout with a mean of 37.2748 per day.
SELECT count(*) AS customers, sum(holdout_frequency) AS holdout_purchases,
       count(*) FILTER (WHERE holdout_frequency > 0) AS holdout_buyers,
       round(avg(holdout_monetary_value) FILTER (WHERE holdout_frequency > 0)::numeric, 4) AS holdout_mean
FROM cdnow_ho;
-- The calibration part equals clv_summary up to calibration_end.
SELECT count(*) AS differing
FROM cdnow_ho h
JOIN (SELECT customer_id, (clv_summary(txn_time, amount, '1997-09-30', 'week')).*
      FROM cdnow_txn GROUP BY customer_id) c USING (customer_id)
WHERE (h.frequency, h.recency, h.t, h.monetary_value, h.first_purchase, h.last_purchase)
      IS DISTINCT FROM (c.frequency, c.recency, c.t, c.monetary_value, c.first_purchase, c.last_purchase);

-- A customer first seen in the holdout period gets NULL (lifetimes drops such customers).
SELECT clv_summary_holdout(t, a, '2024-01-31', '2024-02-29') IS NULL AS dropped
FROM (VALUES ('2024-02-10'::timestamptz, 5::float8)) v(t, a);
-- calibration_end must be before observation_end.
SELECT clv_summary_holdout(t, a, '2024-02-29', '2024-02-29')
FROM (VALUES ('2024-02-10'::timestamptz, 5::float8)) v(t, a);
SELECT clv_summary_holdout(t, a, NULL, '2024-02-29')
FROM (VALUES ('2024-02-10'::timestamptz, 5::float8)) v(t, a);

-- Fit each model on the calibration period, predict the 39 holdout weeks, compare.
CREATE TABLE ho_models AS
SELECT bgnbd_fit(frequency, recency, t) AS bg, mbgnbd_fit(frequency, recency, t) AS mbg,
       pareto_nbd_fit(frequency, recency, t) AS pnbd
FROM cdnow_ho;
CREATE TABLE ho_pred AS
SELECT h.customer_id, h.frequency, h.holdout_frequency AS actual,
       bgnbd_expected_purchases(bg, holdout_length, frequency, recency, t) AS bg,
       mbgnbd_expected_purchases(mbg, holdout_length, frequency, recency, t) AS mbg,
       pareto_nbd_expected_purchases(pnbd, holdout_length, frequency, recency, t) AS pnbd
FROM cdnow_ho h, ho_models;
SELECT model, (e).n, round((e).mae::numeric, 4) AS mae, round((e).rmse::numeric, 4) AS rmse,
       round((e).bias::numeric, 4) AS bias, round((e).correlation::numeric, 4) AS correlation,
       round((e).predicted_total::numeric, 1) AS predicted, round((e).actual_total::numeric, 1) AS actual
FROM (SELECT 'BG/NBD' AS model, clv_holdout_eval(bg, actual) AS e FROM ho_pred
      UNION ALL SELECT 'MBG/NBD', clv_holdout_eval(mbg, actual) FROM ho_pred
      UNION ALL SELECT 'Pareto/NBD', clv_holdout_eval(pnbd, actual) FROM ho_pred) r
ORDER BY (e).rmse;

-- The lifetimes "calibration vs holdout" view: mean predicted and actual holdout purchases
-- per calibration frequency, 7 and more pooled in the last bin.
SELECT b.frequency, b.customers, round(b.predicted::numeric, 3) AS bg_predicted,
       round(b.actual::numeric, 3) AS actual
FROM unnest((SELECT clv_holdout_by_frequency(frequency, bg, actual, 7) FROM ho_pred)) b;

-- clv_holdout_eval on a worked example: errors 1, -1, 2, 0 -> MAE 1, RMSE sqrt(6/4),
-- bias 0.5, correlation of (2,2,5,4) with (1,3,3,4) = 3.25 / sqrt(6.75 * 4.75) = 0.5740.
SELECT (e).n, (e).mae, round((e).rmse::numeric, 6) AS rmse, (e).bias,
       round((e).correlation::numeric, 4) AS correlation
FROM (SELECT clv_holdout_eval(p, a) AS e
      FROM (VALUES (2, 1), (2, 3), (5, 3), (4, 4), (NULL, 1)) v(p, a)) s;
-- Constant predictions have no correlation (NULL); no rows give NULL; non-finite is an error.
SELECT (clv_holdout_eval(1, a)).correlation IS NULL AS no_correlation FROM generate_series(1, 3) a;
SELECT clv_holdout_eval(1, 1) IS NULL AS empty FROM generate_series(1, 0);
SELECT clv_holdout_eval('NaN', 1);
SELECT clv_holdout_by_frequency(1, 1, 1, -1);
SELECT clv_holdout_by_frequency(f, 1, 1, f) FROM generate_series(1, 2) f;

-- Parallel plans give the serial results.
CREATE TABLE ho_many AS SELECT p.* FROM ho_pred p, generate_series(1, 20);
ANALYZE ho_many;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT clv_holdout_eval(bg, actual) FROM ho_many;
CREATE TEMP TABLE par AS
SELECT clv_holdout_eval(bg, actual) AS e, clv_holdout_by_frequency(frequency, bg, actual, 7) AS b FROM ho_many;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ser AS
SELECT clv_holdout_eval(bg, actual) AS e, clv_holdout_by_frequency(frequency, bg, actual, 7) AS b FROM ho_many;
SELECT round((par.e).rmse::numeric, 8) = round((ser.e).rmse::numeric, 8) AS eval_same,
       round((par.e).correlation::numeric, 8) = round((ser.e).correlation::numeric, 8) AS corr_same,
       (SELECT array_agg(round(predicted::numeric, 8)) FROM unnest(par.b))
         = (SELECT array_agg(round(predicted::numeric, 8)) FROM unnest(ser.b)) AS bins_same
FROM par, ser;
RESET ALL;
