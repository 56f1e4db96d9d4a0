-- Demo step 10: model checks over calendar time. Tracking: the repeat purchases BG/NBD,
-- MBG/NBD and Pareto/NBD expect week by week of the 2,357 customers (each from its first
-- purchase on), against those made, through calibration and holdout; count check: the
-- customers with 0, 1, ..., 7+ repeat purchases in the calibration period, expected and actual.
-- Title: Model checks over calendar time: weekly tracking and the count check (bgnbd_tracking, bgnbd_count_check)
DROP TABLE IF EXISTS model_tracking, model_counts CASCADE;
-- the models were fitted on bare numbers in weeks: unit_days 7
CREATE TABLE model_tracking AS
WITH c AS (SELECT array_agg(txn_time) AS purchases FROM transactions GROUP BY customer_id)
SELECT 'BG/NBD' AS model, bgnbd_tracking(bg, purchases, '1997-01-01', '1998-06-30', 'week', 7) AS periods
FROM models, c
UNION ALL
SELECT 'MBG/NBD', mbgnbd_tracking(mbg, purchases, '1997-01-01', '1998-06-30', 'week', 7) FROM models, c
UNION ALL
SELECT 'Pareto/NBD', pareto_nbd_tracking(pnbd, purchases, '1997-01-01', '1998-06-30', 'week', 7) FROM models, c;
CREATE TABLE model_counts AS
SELECT 'BG/NBD' AS model, bgnbd_count_check(bg, frequency, t, 7) AS bins FROM models, customer_summary
UNION ALL
SELECT 'MBG/NBD', mbgnbd_count_check(mbg, frequency, t, 7) FROM models, customer_summary
UNION ALL
SELECT 'Pareto/NBD', pareto_nbd_count_check(pnbd, frequency, t, 7) FROM models, customer_summary;
\echo '    cumulative repeat purchases, expected and actual, at the end of calibration (week 39) and of the holdout (week 78)'
SELECT model, p.period AS week, round(p.cumulative_expected::numeric, 0) AS expected, p.cumulative_actual AS actual
FROM model_tracking, unnest(periods) p WHERE p.period IN (39, 78) ORDER BY week, model;
\echo '    count check: customers by repeat purchases in the calibration period'
SELECT b.frequency || CASE WHEN b.or_more THEN '+' ELSE '' END AS repeat_purchases, b.actual,
       max(round(b.expected::numeric, 1)) FILTER (WHERE model = 'BG/NBD') AS bg_nbd,
       max(round(b.expected::numeric, 1)) FILTER (WHERE model = 'MBG/NBD') AS mbg_nbd,
       max(round(b.expected::numeric, 1)) FILTER (WHERE model = 'Pareto/NBD') AS pareto_nbd
FROM model_counts, unnest(bins) b GROUP BY b.frequency, b.or_more, b.actual ORDER BY b.frequency;
