-- Prediction intervals (docs/intervals.md): each prediction with the quantiles of its
-- value over draws of the parameters from the fit's sampling distribution.
CREATE TEMP TABLE fits AS
SELECT bgnbd_fit(frequency, recency, t) AS bg,
       mbgnbd_fit(frequency, recency, t) AS mbg,
       pareto_nbd_fit(frequency, recency, t) AS pnbd,
       gamma_gamma_fit(frequency, zbar) AS gg,
       bgnbd_fit(frequency, recency, t) FILTER (WHERE id % 4 = 0) AS bg_quarter
FROM cdnow_summary;
CREATE TEMP TABLE donations (frequency float8, recency float8, periods float8, weights int);
\copy donations FROM 'data/donations.csv' WITH (FORMAT csv, HEADER)
CREATE TEMP TABLE bb AS
SELECT bgbb_fit(frequency, recency, periods, weights) AS m FROM donations;

-- A customer with 2 repeat purchases, the last at week 30.43 of 38.86: every function,
-- the estimate the point prediction, the bounds rounded (Monte-Carlo error of 1000 draws
-- is about 1 % of the width).
SELECT f, round(estimate::numeric, 4) AS estimate, round(lower::numeric, 2) AS lower,
       round(upper::numeric, 2) AS upper, level
FROM (SELECT 'bgnbd_expected_purchases_interval' AS f, (bgnbd_expected_purchases_interval(bg, 39, 2, 30.43, 38.86)).* FROM fits
      UNION ALL SELECT 'bgnbd_expected_purchases_new_interval', (bgnbd_expected_purchases_new_interval(bg, 39)).* FROM fits
      UNION ALL SELECT 'bgnbd_p_alive_interval', (bgnbd_p_alive_interval(bg, 2, 30.43, 38.86)).* FROM fits
      UNION ALL SELECT 'mbgnbd_expected_purchases_interval', (mbgnbd_expected_purchases_interval(mbg, 39, 2, 30.43, 38.86)).* FROM fits
      UNION ALL SELECT 'mbgnbd_expected_purchases_new_interval', (mbgnbd_expected_purchases_new_interval(mbg, 39)).* FROM fits
      UNION ALL SELECT 'mbgnbd_p_alive_interval', (mbgnbd_p_alive_interval(mbg, 2, 30.43, 38.86)).* FROM fits
      UNION ALL SELECT 'pareto_nbd_expected_purchases_interval', (pareto_nbd_expected_purchases_interval(pnbd, 39, 2, 30.43, 38.86)).* FROM fits
      UNION ALL SELECT 'pareto_nbd_expected_purchases_new_interval', (pareto_nbd_expected_purchases_new_interval(pnbd, 39)).* FROM fits
      UNION ALL SELECT 'pareto_nbd_p_alive_interval', (pareto_nbd_p_alive_interval(pnbd, 2, 30.43, 38.86)).* FROM fits
      UNION ALL SELECT 'bgbb_expected_purchases_interval', (bgbb_expected_purchases_interval(m, 5, 3, 5, 6)).* FROM bb
      UNION ALL SELECT 'bgbb_expected_purchases_new_interval', (bgbb_expected_purchases_new_interval(m, 5)).* FROM bb
      UNION ALL SELECT 'bgbb_p_alive_interval', (bgbb_p_alive_interval(m, 3, 5, 6)).* FROM bb
      UNION ALL SELECT 'gamma_gamma_expected_spend_interval', (gamma_gamma_expected_spend_interval(gg, 2, 30)).* FROM fits
      UNION ALL SELECT 'gamma_gamma_clv_interval (BG/NBD)', (gamma_gamma_clv_interval(bg, gg, 2, 30.43, 38.86, 30, unit_days => 7)).* FROM fits
      UNION ALL SELECT 'gamma_gamma_clv_interval (MBG/NBD)', (gamma_gamma_clv_interval(mbg, gg, 2, 30.43, 38.86, 30, unit_days => 7)).* FROM fits
      UNION ALL SELECT 'gamma_gamma_clv_interval (Pareto/NBD)', (gamma_gamma_clv_interval(pnbd, gg, 2, 30.43, 38.86, 30, unit_days => 7)).* FROM fits
      UNION ALL SELECT 'gamma_gamma_clv_interval (BG/BB)', (gamma_gamma_clv_interval(m, gg, 3, 5, 6, 30, unit_days => 365)).* FROM bb, fits) s;

-- The estimate is the point prediction of the existing functions.
SELECT (bgnbd_expected_purchases_interval(bg, 39, 2, 30.43, 38.86)).estimate = bgnbd_expected_purchases(bg, 39, 2, 30.43, 38.86) AS expected,
       (bgnbd_p_alive_interval(bg, 2, 30.43, 38.86)).estimate = bgnbd_p_alive(bg, 2, 30.43, 38.86) AS p_alive,
       (pareto_nbd_expected_purchases_new_interval(pnbd, 39)).estimate = pareto_nbd_expected_purchases(pnbd, 39) AS new_customer,
       (gamma_gamma_expected_spend_interval(gg, 2, 30)).estimate = gamma_gamma_expected_spend(gg, 2, 30) AS spend,
       abs((gamma_gamma_clv_interval(bg, gg, 2, 30.43, 38.86, 30, unit_days => 7)).estimate
           - gamma_gamma_clv(bg, gg, 2, 30.43, 38.86, 30, unit_days => 7)) < 1e-9 AS clv
FROM fits;

-- The forms taking a clv_summary row give the same intervals as the three numbers
-- (a customer without repeat purchases has no mean spend: the model's mean, as in
-- gamma_gamma_expected_spend).
CREATE TEMP TABLE sums AS
SELECT customer_id, clv_summary(txn_time, amount, '1997-09-30', 'week') AS s
FROM cdnow_txn WHERE customer_id <= 20 GROUP BY customer_id;
SELECT count(*) AS customers,
       bool_and(bgnbd_expected_purchases_interval(bg, 39, s) = bgnbd_expected_purchases_interval(bg, 39, (s).frequency, (s).recency, (s).t)) AS bgnbd,
       bool_and(mbgnbd_p_alive_interval(mbg, s) = mbgnbd_p_alive_interval(mbg, (s).frequency, (s).recency, (s).t)) AS mbgnbd,
       bool_and(pareto_nbd_p_alive_interval(pnbd, s) = pareto_nbd_p_alive_interval(pnbd, (s).frequency, (s).recency, (s).t)) AS pareto_nbd,
       bool_and(gamma_gamma_expected_spend_interval(gg, s) = gamma_gamma_expected_spend_interval(gg, (s).frequency, coalesce((s).monetary_value, 0))) AS spend,
       bool_and(gamma_gamma_clv_interval(pnbd, gg, s) = gamma_gamma_clv_interval(pnbd, gg, (s).frequency, (s).recency, (s).t, coalesce((s).monetary_value, 0), unit_days => 7)) AS clv
FROM sums, fits WHERE s IS NOT NULL;

-- Every CDNOW customer: lower <= estimate <= upper (BG/NBD; Pareto/NBD on every 10th).
SELECT count(*) AS customers,
       count(*) FILTER (WHERE NOT (e.lower <= e.estimate AND e.estimate <= e.upper)) AS expected_outside,
       count(*) FILTER (WHERE NOT (p.lower <= p.estimate AND p.estimate <= p.upper)) AS p_alive_outside,
       count(*) FILTER (WHERE NOT (0 <= p.lower AND p.upper <= 1)) AS p_alive_not_probability
FROM cdnow_summary, fits,
     LATERAL bgnbd_expected_purchases_interval(bg, 39, frequency, recency, t) e,
     LATERAL bgnbd_p_alive_interval(bg, frequency, recency, t) p;
SELECT count(*) AS customers,
       count(*) FILTER (WHERE NOT (e.lower <= e.estimate AND e.estimate <= e.upper)) AS expected_outside
FROM cdnow_summary, fits, LATERAL pareto_nbd_expected_purchases_interval(pnbd, 39, frequency, recency, t) e
WHERE id % 10 = 0;

-- More data, narrower intervals: the fit on a quarter of the customers against all.
SELECT round(((q.upper - q.lower) / (a.upper - a.lower))::numeric, 1) AS width_ratio_quarter_to_all
FROM fits, bgnbd_expected_purchases_new_interval(bg_quarter, 39) q, bgnbd_expected_purchases_new_interval(bg, 39) a;

-- Level: nested intervals, wider with the level; draws and seed: deterministic.
SELECT level, round(lower::numeric, 3) AS lower, round(upper::numeric, 3) AS upper
FROM fits, unnest(ARRAY[0.5, 0.8, 0.9, 0.99]) lv,
     LATERAL bgnbd_expected_purchases_new_interval(bg, 39, lv, 10000) i
ORDER BY level;
SELECT a = b AS same_seed_same_interval, a <> c AS other_seed_other_draws,
       abs(a.upper - c.upper) < 0.05 * (a.upper - a.lower) AS other_seed_close
FROM fits, bgnbd_expected_purchases_new_interval(bg, 39, 0.9, 1000, 7) a,
     bgnbd_expected_purchases_new_interval(bg, 39, 0.9, 1000, 7) b,
     bgnbd_expected_purchases_new_interval(bg, 39, 0.9, 1000, 8) c;

-- Against an independent computation: the delta method on the log scale, with the
-- gradient of log E[X(39)] in the log-parameters by central differences, gives
-- E exp(-+1.645 sd). The draws (100,000 of them) agree within Monte-Carlo error where
-- the quantity is close to log-linear in the parameters, as here.
CREATE FUNCTION pg_temp.e39(th float8[]) RETURNS float8 LANGUAGE sql AS
$$ SELECT bgnbd_expected_purchases(bgnbd_model(th[1], th[2], th[3], th[4]), 39) $$;
CREATE FUNCTION pg_temp.bump(th float8[], i int, h float8) RETURNS float8[] LANGUAGE sql AS
$$ SELECT array_agg(CASE WHEN j = i THEN th[j] * exp(h) ELSE th[j] END ORDER BY j) FROM generate_subscripts(th, 1) j $$;
WITH p AS (SELECT bg, ARRAY[(bg).r, (bg).alpha, (bg).a, (bg).b] AS th FROM fits),
g AS (SELECT i, (ln(pg_temp.e39(pg_temp.bump(th, i, 1e-4))) - ln(pg_temp.e39(pg_temp.bump(th, i, -1e-4)))) / 2e-4 AS d
      FROM p, generate_series(1, 4) i),
v AS (SELECT sum(gi.d * gj.d * (bg).covariance[gi.i][gj.i] / (th[gi.i] * th[gj.i])) AS var
      FROM p, g gi, g gj),
delta AS (SELECT pg_temp.e39(th) * exp(-1.6449 * sqrt(var)) AS lower, pg_temp.e39(th) * exp(1.6449 * sqrt(var)) AS upper FROM p, v)
SELECT round(d.lower::numeric, 3) AS delta_lower, round(i.lower::numeric, 3) AS draws_lower,
       round(d.upper::numeric, 3) AS delta_upper, round(i.upper::numeric, 3) AS draws_upper,
       abs(d.lower - i.lower) < 0.02 * (d.upper - d.lower) AND abs(d.upper - i.upper) < 0.02 * (d.upper - d.lower) AS agree
FROM delta d, fits, bgnbd_expected_purchases_new_interval(bg, 39, 0.9, 100000) i;

-- NULL arguments: NULL (gamma_gamma_clv_interval's unit_days NULL is the model's unit).
SELECT bgnbd_expected_purchases_interval(bg, 39, NULL, 1, 2) IS NULL AS strict,
       gamma_gamma_clv_interval(bg, gg, 2, 30.43, 38.86, NULL, unit_days => 7) IS NULL AS clv_null
FROM fits;

-- Errors: a model without covariance (built from parameters, or stored before 0.3), a
-- forged covariance of the wrong size, not symmetric or not positive definite, a level
-- outside (0, 1), draws out of bounds, too many evaluations for a CLV interval, and a
-- quantity that most draws cannot evaluate (q <= 1: no finite expected spend).
SELECT bgnbd_expected_purchases_new_interval(bgnbd_model(0.24, 4.41, 0.79, 2.43), 39);
SELECT bgnbd_expected_purchases_new_interval(json_populate_record(bg, '{"covariance": [[1, 0], [0, 1]]}'), 39) FROM fits;
SELECT bgnbd_p_alive_interval(json_populate_record(bg, '{"covariance": [[1, 0, 0, 0], [0.5, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]}'), 1, 2, 3) FROM fits;
SELECT bgnbd_p_alive_interval(json_populate_record(bg, '{"covariance": [[1, 2, 0, 0], [2, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]}'), 1, 2, 3) FROM fits;
SELECT bgnbd_expected_purchases_new_interval(bg, 39, 1) FROM fits;
SELECT bgnbd_expected_purchases_new_interval(bg, 39, 0) FROM fits;
SELECT bgnbd_expected_purchases_new_interval(bg, 39, 'NaN') FROM fits;
SELECT bgnbd_expected_purchases_new_interval(bg, 39, 0.9, 5) FROM fits;
SELECT bgnbd_expected_purchases_new_interval(bg, 39, 0.9, 100001) FROM fits;
SELECT gamma_gamma_clv_interval(bg, gg, 2, 30.43, 38.86, 30, 1200, unit_days => 7, draws => 10000) FROM fits;
SELECT gamma_gamma_expected_spend_interval(json_populate_record(gg, '{"q": 1.01}'), 0, 0) FROM fits;
-- A fit that did not converge has no interval, even where it carries a covariance (the
-- inverse Hessian where the optimiser stopped); its point predictions remain. Here a and
-- b run off to infinity together (the data identify only a / (a + b)); then a converged
-- model marked as not converged.
CREATE TEMP TABLE runaway AS
SELECT bgnbd_fit(frequency::float8, recency::float8, t::float8) AS m
FROM (VALUES (0, 0, 30), (0, 0, 30), (1, 10, 30), (2, 25, 30), (3, 28, 30), (0, 0, 20),
             (1, 5, 20), (4, 19, 20), (2, 3, 30)) v(frequency, recency, t), generate_series(1, 3);
SELECT (m).converged, (m).covariance IS NOT NULL AS has_covariance,
       round(bgnbd_expected_purchases(m, 39)::numeric, 3) AS point_prediction
FROM runaway;
SELECT bgnbd_expected_purchases_new_interval(m, 39) FROM runaway;
SELECT bgnbd_expected_purchases_new_interval(json_populate_record(bg, '{"converged": false}'), 39) FROM fits;
