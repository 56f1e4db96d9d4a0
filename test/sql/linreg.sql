-- Regression CLV: linreg_fit, linreg_predict, regression_metrics.
-- Expected values: test/reference/biz_expected.py (mpmath) and R's lm output.

-- R: summary(lm(dist ~ speed, data = cars)):
--   (Intercept) -17.5791  6.7584  -2.601  0.0123
--   speed         3.9324  0.4155   9.464  1.49e-12
--   Residual standard error: 15.38 on 48 degrees of freedom
--   Multiple R-squared: 0.6511, Adjusted R-squared: 0.6438
CREATE TABLE cars (speed float8, dist float8);
INSERT INTO cars SELECT s, d FROM unnest(
  '{4,4,7,7,8,9,10,10,10,11,11,12,12,12,12,13,13,13,13,14,14,14,14,15,15,15,16,16,17,17,17,18,18,18,18,19,19,19,20,20,20,20,20,22,23,24,24,24,24,25}'::float8[],
  '{2,10,4,22,16,10,18,26,34,17,28,14,20,24,28,26,34,34,46,26,36,60,80,20,26,54,32,40,32,40,50,42,56,76,84,36,46,68,32,48,52,56,64,66,54,70,92,93,120,85}'::float8[]) u(s, d);
CREATE TABLE cars_fit AS SELECT (linreg_fit(dist, ARRAY[speed])).* FROM cars;
SELECT j, round(coefficients[j]::numeric, 4) AS coef, round(std_errors[j]::numeric, 4) AS se,
       round(t_values[j]::numeric, 3) AS t, to_char(p_values[j], '9.99EEEE') AS p
FROM cars_fit, generate_series(1, 2) j ORDER BY j;
SELECT round(r2::numeric, 4) AS r2, round(adj_r2::numeric, 4) AS adj_r2, n, rank,
       round(sigma::numeric, 2) AS sigma, df_residual
FROM cars_fit;

-- Predictions: intercept + slope * speed; speed 21 -> -17.5791 + 3.9324 * 21 = 65.0
SELECT round(linreg_predict(m, ARRAY[21::float8])::numeric, 4) AS dist_at_21,
       linreg_predict(m, ARRAY[NULL::float8]) IS NULL AS null_element,
       linreg_predict(NULL, ARRAY[1::float8]) IS NULL AS strict
FROM (SELECT linreg_fit(dist, ARRAY[speed]) AS m FROM cars) f;

-- Three regressors, one with a mean of 1e6 (centred co-moments keep the slopes exact).
-- mpmath: intercept -1993560.1697 (se 16930.914512), x1 1.99356397228 (se 0.0169305300438),
-- x2 -1.0397121273 (se 0.0626528830151), x3 0.425084599452 (se 0.0460479834267),
-- r2 0.997478644491, adj 0.997268531532, sigma 1.22835346632.
CREATE TABLE three AS
SELECT i, 1e6 + i AS x1, ((i * 7) % 11)::float8 AS x2, ((i * i) % 13)::float8 AS x3,
       3 + 2 * i - ((i * 7) % 11) + 0.5 * ((i * i) % 13) + ((i * 13) % 17 - 8) / 4.0 AS y
FROM generate_series(1, 40) i;
CREATE TABLE three_fit AS SELECT (linreg_fit(y, ARRAY[x1, x2, x3])).* FROM three;
SELECT j, round(coefficients[j]::numeric, 6) AS coef, round(std_errors[j]::numeric, 6) AS se,
       round(t_values[j]::numeric, 4) AS t
FROM three_fit, generate_series(1, 4) j ORDER BY j;
SELECT round(r2::numeric, 9) AS r2, round(adj_r2::numeric, 9) AS adj_r2,
       round(sigma::numeric, 8) AS sigma, n, rank, df_residual
FROM three_fit;

-- Rank deficiency: x3 = 2 * x1 - x2 and a constant column are aliased: WARNING, NULL
-- coefficients, rank 3, the other columns as in the fit without them (R's lm does the same).
CREATE TABLE two_fit AS SELECT (linreg_fit(y, ARRAY[x1, x2])).* FROM three;
SELECT round(f.coefficients[2]::numeric, 9) = round(t.coefficients[2]::numeric, 9)
       AND round(f.coefficients[3]::numeric, 9) = round(t.coefficients[3]::numeric, 9)
       AND round(f.std_errors[3]::numeric, 9) = round(t.std_errors[3]::numeric, 9) AS same_as_without,
       f.coefficients[4] IS NULL AS x3_null, f.coefficients[5] IS NULL AS const_null,
       f.std_errors[4] IS NULL AS se_null, f.p_values[5] IS NULL AS p_null, f.rank
FROM (SELECT (linreg_fit(y, ARRAY[x1, x2, 2 * x1 - x2, 7])).* FROM three) f, two_fit t;
-- Aliased coefficients count as 0 in predictions.
SELECT round(linreg_predict(m, ARRAY[1e6 + 1, 7, 12345, 7])::numeric, 6)
       = round(linreg_predict(m2, ARRAY[1e6 + 1, 7])::numeric, 6) AS aliased_count_zero
FROM (SELECT linreg_fit(y, ARRAY[x1, x2, 2 * x1 - x2, 7]) AS m,
             linreg_fit(y, ARRAY[x1, x2]) AS m2 FROM three) f;

-- No regressors: the intercept is the mean; as many rows as coefficients: exact fit,
-- no residual degrees of freedom, standard errors NULL.
SELECT round(coefficients[1]::numeric, 4) AS mean_dist, round(std_errors[1]::numeric, 4) AS se, rank
FROM (SELECT (linreg_fit(dist, '{}'::float8[])).* FROM cars) f;
SELECT coefficients, std_errors, r2, adj_r2 IS NULL AS adj_null, df_residual
FROM (SELECT (linreg_fit(y, ARRAY[x])).* FROM (VALUES (1.0::float8, 0.0::float8), (3, 1)) v(y, x)) f;

-- NULL rows and rows with a NULL element are skipped.
SELECT n, round(coefficients[2]::numeric, 4) AS slope
FROM (SELECT (linreg_fit(dist, ARRAY[speed])).*
      FROM (SELECT dist, speed FROM cars UNION ALL SELECT NULL, 1 UNION ALL SELECT 1, NULL) s) f;

-- Errors.
SELECT linreg_fit(y, x) FROM (VALUES (1.0::float8, '{1,2}'::float8[]), (2, '{1}')) v(y, x);
SELECT linreg_fit(y, x) FROM (VALUES (1.0::float8, '{{1,2}}'::float8[])) v(y, x);
SELECT linreg_fit(y, x) FROM (VALUES ('NaN'::float8, '{1}'::float8[])) v(y, x);
SELECT linreg_fit(y, x) FROM (VALUES (1::float8, '{Infinity}'::float8[])) v(y, x);
SELECT linreg_fit(dist, ARRAY[speed]) FROM cars WHERE false;
SELECT linreg_fit(1, array_fill(1::float8, ARRAY[201]));
SELECT linreg_predict(m, ARRAY[1::float8, 2]) FROM (SELECT linreg_fit(dist, ARRAY[speed]) AS m FROM cars) f;

-- regression_metrics: actual (1, 2, 3, 4) vs predicted (1.5, 2, 2, 4): errors -0.5, 0, 1, 0:
-- MAE 0.375, MSE 0.3125, RMSE 0.5590, R^2 = 1 - 1.25 / 5 = 0.75.
SELECT n, mae, mse, round(rmse::numeric, 4) AS rmse, r2
FROM (SELECT (regression_metrics(a, p)).*
      FROM (VALUES (1::float8, 1.5::float8), (2, 2), (3, 2), (4, 4), (NULL, 1), (5, NULL)) v(a, p)) m;
SELECT r2 IS NULL AS r2_null_for_constant_actual, mae
FROM (SELECT (regression_metrics(a, p)).* FROM (VALUES (2::float8, 1::float8), (2, 3)) v(a, p)) m;
SELECT regression_metrics(a, p) IS NULL AS empty_is_null FROM (VALUES (1::float8, 1::float8)) v(a, p) WHERE false;
SELECT regression_metrics(a, p) FROM (VALUES (1::float8, 'Infinity'::float8)) v(a, p);
-- R^2 of the cars fit on its own data equals the fit's r2.
SELECT round(r2::numeric, 4) AS r2 FROM (SELECT (regression_metrics(dist, linreg_predict(m, ARRAY[speed]))).*
  FROM cars, (SELECT linreg_fit(dist, ARRAY[speed]) AS m FROM cars) f) x;

-- p-values far in the tail come from the incomplete beta function: t = 13.1365 on 50
-- degrees of freedom, mpmath: p = 7.7772734107339261e-18 (2 * gsl_cdf_tdist_Q was 3e-9 off).
SELECT df_residual, round(t_values[2]::numeric, 8) AS t, to_char(p_values[2], '9.99999999EEEE') AS p,
       abs(p_values[2] / 7.7772734107339261e-18 - 1) < 1e-12 AS p_accurate
FROM (SELECT (linreg_fit((0.4 * i + (i * 7) % 11 - 5)::float8, ARRAY[i::float8])).*
      FROM generate_series(1, 52) i) f;

-- Near-collinear columns (issue 15): x3 = x1 + x2 + 3e-7 e is not aliased (its own part
-- is 2e-7 of its norm), condition number ~1e7. The normal equations gave 2.0048, -0.9952,
-- 2.9952 with zero standard errors; the QR factor solves it to cond * eps.
CREATE TABLE ns AS SELECT i, x1, x2, x1 + x2 + 3e-7 * e AS x3
FROM (SELECT i, sin(i) x1, cos(2.7*i) x2, sin(13.1*i+0.3) e FROM generate_series(1,2000) i) s;
SELECT round(coefficients[1]::numeric, 6) AS b0, round(coefficients[2]::numeric, 6) AS b1,
       round(coefficients[3]::numeric, 6) AS b2, round(coefficients[4]::numeric, 6) AS b3, rank
FROM (SELECT (linreg_fit(1 + 2*x1 - x2 + 3*x3, ARRAY[x1,x2,x3])).* FROM ns) f;
-- With noise 1e-6 sin(7.3 i), 1 - R^2 = 3.4e-14. mpmath (60 digits, same float8 data):
-- b1 2.0010257431940872, se(b1) 0.074570714273454035, sigma 7.0769994196191654e-7;
-- measured errors 6e-10, 3e-10, 2e-10 (numpy lstsq: 7e-10; the normal equations: b1 1.8687).
SELECT round(coefficients[2]::numeric, 6) AS b1, round(std_errors[2]::numeric, 6) AS se1,
       round(t_values[2]::numeric, 5) AS t1,
       abs(coefficients[2] / 2.0010257431940872 - 1) < 1e-8 AS b1_ok,
       abs(std_errors[2] / 0.074570714273454035 - 1) < 1e-8 AS se_ok,
       abs(sigma / 7.0769994196191654e-7 - 1) < 1e-8 AS sigma_ok
FROM (SELECT (linreg_fit(1 + 2*x1 - x2 + 3*x3 + 1e-6 * sin(7.3 * i), ARRAY[x1,x2,x3])).* FROM ns) f;
-- Near-perfect fit of well-conditioned columns, 1 - R^2 = 3.2e-12. mpmath: sigma
-- 2.8300910501311973e-6, se(b1) 8.9471164752549828e-8; measured errors 4e-11 (the
-- co-moments were 1e-3 off).
SELECT abs(sigma / 2.8300910501311973e-6 - 1) < 1e-9 AS sigma_ok,
       abs(std_errors[2] / 8.9471164752549828e-8 - 1) < 1e-9 AS se_ok,
       round(t_values[2]::numeric, -3) AS t1
FROM (SELECT (linreg_fit(1 + 2*x1 - x2 + 4e-6 * sin(7.3 * i), ARRAY[x1,x2])).* FROM ns) f;

-- Parallel plans give the serial fit and metrics.
CREATE TABLE three_many AS SELECT t.* FROM three t, generate_series(1, 2000);
ANALYZE three_many;
ANALYZE ns;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT linreg_fit(y, ARRAY[x1, x2, x3]) FROM three_many;
EXPLAIN (COSTS OFF) SELECT regression_metrics(y, x2) FROM three_many;
SELECT round(coefficients[2]::numeric, 8) AS b1, round(coefficients[3]::numeric, 8) AS b2,
       round(std_errors[4]::numeric, 8) AS se3, round(r2::numeric, 9) AS r2, n,
       (SELECT round(mse::numeric, 6) FROM (SELECT (regression_metrics(y, x2)).* FROM three_many) m) AS mse
FROM (SELECT (linreg_fit(y, ARRAY[x1, x2, x3])).* FROM three_many) f;
EXPLAIN (COSTS OFF) SELECT linreg_fit(x1, ARRAY[x2]) FROM ns;
SELECT round(coefficients[2]::numeric, 6) AS b1, round(coefficients[4]::numeric, 6) AS b3,
       round(std_errors[2]::numeric, 6) AS se1, n, rank
FROM (SELECT (linreg_fit(1 + 2*x1 - x2 + 3*x3 + 1e-6 * sin(7.3 * i), ARRAY[x1,x2,x3])).* FROM ns) f;
SET max_parallel_workers_per_gather = 0;
SELECT round(coefficients[2]::numeric, 8) AS b1, round(coefficients[3]::numeric, 8) AS b2,
       round(std_errors[4]::numeric, 8) AS se3, round(r2::numeric, 9) AS r2, n,
       (SELECT round(mse::numeric, 6) FROM (SELECT (regression_metrics(y, x2)).* FROM three_many) m) AS mse
FROM (SELECT (linreg_fit(y, ARRAY[x1, x2, x3])).* FROM three_many) f;
SELECT round(coefficients[2]::numeric, 6) AS b1, round(coefficients[4]::numeric, 6) AS b3,
       round(std_errors[2]::numeric, 6) AS se1, n, rank
FROM (SELECT (linreg_fit(1 + 2*x1 - x2 + 3*x3 + 1e-6 * sin(7.3 * i), ARRAY[x1,x2,x3])).* FROM ns) f;
RESET ALL;

-- The walk-through of docs/business.md: predict CDNOW holdout spend (1997-10-01 .. 1998-06-30, 39
-- weeks) from the calibration summary, fit on a deterministic 80 % split, compare on the
-- other 20 % with BG/NBD + Gamma-Gamma.
CREATE TABLE cal AS
SELECT customer_id, (clv_summary(txn_time, amount, '1997-09-30', 'week')).*
FROM cdnow_txn GROUP BY customer_id;
CREATE TABLE ds AS
SELECT c.customer_id, c.frequency::float8 AS frequency, c.recency, c.t, c.monetary_value,
       coalesce((SELECT sum(amount) FROM cdnow_txn x WHERE x.customer_id = c.customer_id
                 AND x.txn_time >= '1997-10-01' AND x.txn_time < '1998-07-01'), 0) AS holdout_spend,
       ab_assign(c.customer_id::text, 'cdnow-split', 5) <= 4 AS train
FROM cal c;
SELECT count(*) FILTER (WHERE train) AS train, count(*) FILTER (WHERE NOT train) AS test,
       round(sum(holdout_spend)::numeric, 2) AS holdout_spend FROM ds;
CREATE TABLE reg AS
SELECT linreg_fit(holdout_spend, ARRAY[frequency, recency, t, monetary_value]) AS m FROM ds WHERE train;
SELECT j, round(((m).coefficients[j])::numeric, 3) AS coef, round(((m).std_errors[j])::numeric, 3) AS se,
       round(((m).p_values[j])::numeric, 4) AS p
FROM reg, generate_series(1, 5) j ORDER BY j;
SELECT round((m).r2::numeric, 4) AS r2, round((m).adj_r2::numeric, 4) AS adj_r2, (m).n FROM reg;
CREATE TABLE btyd AS
SELECT (SELECT bgnbd_fit(frequency, recency, t) FROM cal) AS bg,
       (SELECT gamma_gamma_fit(frequency, monetary_value) FROM cal) AS gg;
SELECT model, n, round(mae::numeric, 2) AS mae, round(rmse::numeric, 2) AS rmse,
       round(r2::numeric, 4) AS r2, round(predicted::numeric, 2) AS predicted_total,
       round(actual::numeric, 2) AS actual_total
FROM (SELECT 'linear regression' AS model, (regression_metrics(holdout_spend, p)).*,
             sum(p) AS predicted, sum(holdout_spend) AS actual
      FROM (SELECT holdout_spend, linreg_predict(m, ARRAY[frequency, recency, t, monetary_value]) AS p
            FROM ds, reg WHERE NOT train) s
      UNION ALL
      SELECT 'BG/NBD + Gamma-Gamma', (regression_metrics(holdout_spend, p)).*, sum(p), sum(holdout_spend)
      FROM (SELECT holdout_spend, bgnbd_expected_purchases(bg, 39, frequency, recency, t)
                   * gamma_gamma_expected_spend(gg, frequency, monetary_value) AS p
            FROM ds, btyd WHERE NOT train) s) r
ORDER BY model;
