-- Intervals for customers of covariate models (docs/intervals.md, docs/covariates.md):
-- the interval functions take the customer's purchase_covariates and dropout_covariates
-- right after the customer's data, as the point predictions do. Each draw is one joint
-- normal draw of all the fit's parameters (r, alpha, s|a, beta|b on the log scale, the
-- coefficients on theirs) turned into the customer's parameters.
\set VERBOSITY terse
\i test/covariates_sim.sql
SELECT setseed(0.42);
-- 2000 simulated customers per model: purchase covariates z1 (binary) and z3 (normal),
-- drop-out covariate z2 (binary).
CREATE TEMP TABLE sim_p AS
SELECT * FROM pg_temp.sim_customers(2000, 'pareto', '{0.8,6,0.7,10}', '{0.5,-0.4,0.3}', '{0.6,-0.5,0.3}');
CREATE TEMP TABLE sim_b AS
SELECT * FROM pg_temp.sim_customers(2000, 'bgnbd', '{0.8,6,0.7,3}', '{0.5,-0.4,0.3}', '{0.6,-0.5,0.3}');
CREATE TEMP TABLE cfits AS SELECT
    (SELECT pareto_nbd_fit(x, tx, t, ARRAY[z1, z3], ARRAY[z2]) FROM sim_p) AS p,
    (SELECT bgnbd_fit(x, tx, t, ARRAY[z1, z3], ARRAY[z2]) FROM sim_b) AS b,
    (SELECT mbgnbd_fit(x, tx, t, ARRAY[z1, z3], ARRAY[z2]) FROM sim_b) AS mb,
    (SELECT gamma_gamma_fit(frequency, zbar) FROM cdnow_summary) AS gg;
-- The simulated times are weeks: record it, as a fit of clv_summary rows would.
UPDATE cfits SET p.unit_days = 7, b.unit_days = 7, mb.unit_days = 7;
SELECT array_dims((p).covariance) AS pareto, array_dims((b).covariance) AS bgnbd,
       array_dims((mb).covariance) AS mbgnbd
FROM cfits;

-- A customer with 3 repeat purchases, the last at week 40 of 60, z1 = 1, z3 = 0.5,
-- z2 = 1: every function (typed vectors: a bare '{...}' literal is ambiguous against the
-- level, draws arguments of the plain overload).
CREATE TEMP TABLE cust AS SELECT '{1, 0.5}'::float8[] AS zp, '{1}'::float8[] AS zd,
    jsonb_populate_record(NULL::clv_customer_summary, '{"frequency": 3, "recency": 40, "t": 60, "monetary_value": 30}') AS s;
CREATE TEMP TABLE ci AS
SELECT * FROM (
          SELECT 1 AS o, 'bgnbd_expected_purchases_interval' AS f, (bgnbd_expected_purchases_interval(b, 52, 3, 40, 60, zp, zd)).*, bgnbd_expected_purchases(b, 52, 3, 40, 60, zp, zd) AS point FROM cfits, cust
UNION ALL SELECT 2, 'bgnbd_expected_purchases_new_interval', (bgnbd_expected_purchases_new_interval(b, 52, zp, zd)).*, bgnbd_expected_purchases(b, 52, zp, zd) FROM cfits, cust
UNION ALL SELECT 3, 'bgnbd_p_alive_interval', (bgnbd_p_alive_interval(b, 3, 40, 60, zp, zd)).*, bgnbd_p_alive(b, 3, 40, 60, zp, zd) FROM cfits, cust
UNION ALL SELECT 4, 'mbgnbd_expected_purchases_interval', (mbgnbd_expected_purchases_interval(mb, 52, 3, 40, 60, zp, zd)).*, mbgnbd_expected_purchases(mb, 52, 3, 40, 60, zp, zd) FROM cfits, cust
UNION ALL SELECT 5, 'mbgnbd_expected_purchases_new_interval', (mbgnbd_expected_purchases_new_interval(mb, 52, zp, zd)).*, mbgnbd_expected_purchases(mb, 52, zp, zd) FROM cfits, cust
UNION ALL SELECT 6, 'mbgnbd_p_alive_interval', (mbgnbd_p_alive_interval(mb, 3, 40, 60, zp, zd)).*, mbgnbd_p_alive(mb, 3, 40, 60, zp, zd) FROM cfits, cust
UNION ALL SELECT 7, 'pareto_nbd_expected_purchases_interval', (pareto_nbd_expected_purchases_interval(p, 52, 3, 40, 60, zp, zd)).*, pareto_nbd_expected_purchases(p, 52, 3, 40, 60, zp, zd) FROM cfits, cust
UNION ALL SELECT 8, 'pareto_nbd_expected_purchases_new_interval', (pareto_nbd_expected_purchases_new_interval(p, 52, zp, zd)).*, pareto_nbd_expected_purchases(p, 52, zp, zd) FROM cfits, cust
UNION ALL SELECT 9, 'pareto_nbd_p_alive_interval', (pareto_nbd_p_alive_interval(p, 3, 40, 60, zp, zd)).*, pareto_nbd_p_alive(p, 3, 40, 60, zp, zd) FROM cfits, cust
UNION ALL SELECT 10, 'gamma_gamma_clv_interval (BG/NBD)', (gamma_gamma_clv_interval(b, gg, 3, 40, 60, 30, zp, zd)).*, gamma_gamma_clv(b, gg, 3, 40, 60, 30, zp, zd) FROM cfits, cust
UNION ALL SELECT 11, 'gamma_gamma_clv_interval (MBG/NBD)', (gamma_gamma_clv_interval(mb, gg, 3, 40, 60, 30, zp, zd)).*, gamma_gamma_clv(mb, gg, 3, 40, 60, 30, zp, zd) FROM cfits, cust
UNION ALL SELECT 12, 'gamma_gamma_clv_interval (Pareto/NBD)', (gamma_gamma_clv_interval(p, gg, 3, 40, 60, 30, zp, zd)).*, gamma_gamma_clv(p, gg, 3, 40, 60, 30, zp, zd) FROM cfits, cust) q;
-- The estimate is the point prediction with the same vectors; lower <= estimate <= upper.
SELECT f, round(estimate::numeric, 3) AS estimate, round(lower::numeric, 2) AS lower,
       round(upper::numeric, 2) AS upper, level, estimate = point AS is_point,
       lower <= estimate AND estimate <= upper AS inside
FROM ci ORDER BY o;

-- The summary forms give the intervals of the three numbers.
SELECT bgnbd_expected_purchases_interval(b, 52, s, zp, zd) = bgnbd_expected_purchases_interval(b, 52, 3, 40, 60, zp, zd) AS bgnbd,
       mbgnbd_p_alive_interval(mb, s, zp, zd) = mbgnbd_p_alive_interval(mb, 3, 40, 60, zp, zd) AS mbgnbd,
       pareto_nbd_expected_purchases_interval(p, 52, s, zp, zd) = pareto_nbd_expected_purchases_interval(p, 52, 3, 40, 60, zp, zd) AS pareto_nbd,
       pareto_nbd_p_alive_interval(p, s, zp, zd) = pareto_nbd_p_alive_interval(p, 3, 40, 60, zp, zd) AS pareto_alive,
       gamma_gamma_clv_interval(p, gg, s, zp, zd) = gamma_gamma_clv_interval(p, gg, 3, 40, 60, 30, zp, zd) AS clv_pareto,
       gamma_gamma_clv_interval(b, gg, s, zp, zd, 6, 0.02, level => 0.8) = gamma_gamma_clv_interval(b, gg, 3, 40, 60, 30, zp, zd, 6, 0.02, level => 0.8) AS clv_bgnbd
FROM cfits, cust;

-- level, draws and seed as in the plain functions: a wider level, a wider interval; the
-- same seed, the same interval; another seed, other bounds.
SELECT (w).upper - (w).lower > (n).upper - (n).lower AS wider_at_95,
       pareto_nbd_p_alive_interval(p, 3, 40, 60, zp, zd, 0.9, 1000, 1) = pareto_nbd_p_alive_interval(p, 3, 40, 60, zp, zd) AS defaults,
       pareto_nbd_p_alive_interval(p, 3, 40, 60, zp, zd, seed => 2) <> pareto_nbd_p_alive_interval(p, 3, 40, 60, zp, zd) AS other_seed
FROM cfits, cust,
     LATERAL pareto_nbd_p_alive_interval(p, 3, 40, 60, zp, zd, level => 0.95) w,
     LATERAL pareto_nbd_p_alive_interval(p, 3, 40, 60, zp, zd, level => 0.5) n;

-- Zero vectors: the customer is the base model, and the draws of r, alpha, s|a, beta|b
-- follow those of a plain model with the covariance's top-left 4 x 4 block (the
-- coefficients' draws have no effect at zero covariates): the same estimate, and the same
-- bounds up to the Monte-Carlo error (other random numbers: 7 per draw instead of 4),
-- here within 5 % of the interval's width at 4000 draws.
CREATE TEMP TABLE base AS SELECT p, b, mb, gg FROM cfits;
UPDATE base SET p.covariance = (p).covariance[1:4][1:4], p.purchase_coefficients = NULL, p.dropout_coefficients = NULL,
                b.covariance = (b).covariance[1:4][1:4], b.purchase_coefficients = NULL, b.dropout_coefficients = NULL,
                mb.covariance = (mb).covariance[1:4][1:4], mb.purchase_coefficients = NULL, mb.dropout_coefficients = NULL;
SELECT f, (c).estimate = (z).estimate AS same_estimate,
       abs((c).lower - (z).lower) < 0.05 * ((z).upper - (z).lower) AS lower_close,
       abs((c).upper - (z).upper) < 0.05 * ((z).upper - (z).lower) AS upper_close
FROM (SELECT 'pareto_nbd_expected_purchases_interval' AS f,
             pareto_nbd_expected_purchases_interval(c.p, 52, 3, 40, 60, '{0,0}'::float8[], '{0}'::float8[], draws => 4000) AS c,
             pareto_nbd_expected_purchases_interval(z.p, 52, 3, 40, 60, draws => 4000) AS z
      FROM cfits c, base z
      UNION ALL
      SELECT 'bgnbd_p_alive_interval', bgnbd_p_alive_interval(c.b, 3, 40, 60, '{0,0}'::float8[], '{0}'::float8[], draws => 4000),
             bgnbd_p_alive_interval(z.b, 3, 40, 60, draws => 4000)
      FROM cfits c, base z
      UNION ALL
      SELECT 'mbgnbd_expected_purchases_new_interval', mbgnbd_expected_purchases_new_interval(c.mb, 52, '{0,0}'::float8[], '{0}'::float8[], draws => 4000),
             mbgnbd_expected_purchases_new_interval(z.mb, 52, draws => 4000)
      FROM cfits c, base z
      UNION ALL
      SELECT 'gamma_gamma_clv_interval', gamma_gamma_clv_interval(c.p, c.gg, 3, 40, 60, 30, '{0,0}'::float8[], '{0}'::float8[], draws => 4000),
             gamma_gamma_clv_interval(z.p, z.gg, 3, 40, 60, 30, draws => 4000)
      FROM cfits c, base z) q;
-- ... and a model without coefficients through the covariate overload ('{}' vectors) is
-- the plain model.
SELECT pareto_nbd_p_alive_interval(p, 3, 40, 60, '{}'::float8[], '{}'::float8[]) = pareto_nbd_p_alive_interval(p, 3, 40, 60) AS plain
FROM base;

-- The coefficients' uncertainty widens a customer's interval as the covariates move away
-- from 0 (a little here: 2000 customers determine z3's coefficient to +-0.03): z3 = 0, 2
-- and 4 standard deviations.
SELECT z3, round(((i).upper - (i).lower)::numeric, 2) AS width_52_weeks
FROM cfits, unnest('{0,2,4}'::float8[]) z3,
     LATERAL pareto_nbd_expected_purchases_interval(p, 52, 3, 40, 60, ARRAY[0, z3], '{0}'::float8[]) i
ORDER BY z3;

-- Every simulated Pareto/NBD customer (every 4th): lower <= estimate <= upper.
SELECT count(*) AS customers,
       count(*) FILTER (WHERE NOT (e.lower <= e.estimate AND e.estimate <= e.upper)) AS expected_outside,
       count(*) FILTER (WHERE NOT (a.lower <= a.estimate AND a.estimate <= a.upper)) AS p_alive_outside
FROM sim_p, cfits,
     LATERAL pareto_nbd_expected_purchases_interval(p, 52, x, tx, t, ARRAY[z1, z3], ARRAY[z2], draws => 200) e,
     LATERAL pareto_nbd_p_alive_interval(p, x, tx, t, ARRAY[z1, z3], ARRAY[z2], draws => 200) a
WHERE id % 4 = 0;

-- Errors. A covariate model without the customer's covariates names the overload:
\set VERBOSITY default
SELECT pareto_nbd_p_alive_interval(p, 3, 40, 60) FROM cfits;
SELECT gamma_gamma_clv_interval(b, gg, 3, 40, 60, 30) FROM cfits;
\set VERBOSITY terse
SELECT bgnbd_expected_purchases_new_interval(b, 52) FROM cfits;
-- The vectors' lengths, NaN, NULL elements, values that overflow the customer's parameters:
SELECT pareto_nbd_p_alive_interval(p, 3, 40, 60, '{1}'::float8[], '{1}'::float8[]) FROM cfits;
SELECT bgnbd_expected_purchases_interval(b, 52, 3, 40, 60, '{1, 0.5}'::float8[], '{}'::float8[]) FROM cfits;
SELECT mbgnbd_p_alive_interval(mb, 3, 40, 60, '{1, NaN}'::float8[], '{1}'::float8[]) FROM cfits;
SELECT pareto_nbd_expected_purchases_new_interval(p, 52, '{1, NULL}'::float8[], '{1}'::float8[]) FROM cfits;
SELECT pareto_nbd_p_alive_interval(p, 3, 40, 60, '{1, 1e300}'::float8[], '{1}'::float8[]) FROM cfits;
SELECT gamma_gamma_clv_interval(p, gg, 3, 40, 60, 30, '{1, 0.5}'::float8[], '{1e300}'::float8[]) FROM cfits;
-- ... and the plain functions' argument checks, at their shifted positions:
SELECT pareto_nbd_p_alive_interval(p, 3, 40, 60, '{1, 0.5}'::float8[], '{1}'::float8[], level => 1) FROM cfits;
SELECT bgnbd_expected_purchases_interval(b, 52, 3, 40, 60, '{1, 0.5}'::float8[], '{1}'::float8[], draws => 5) FROM cfits;
SELECT gamma_gamma_clv_interval(mb, gg, 3, 40, 60, 30, '{1, 0.5}'::float8[], '{1}'::float8[], 1200, draws => 100000) FROM cfits;
SELECT pareto_nbd_p_alive_interval(p, 3, 70, 60, '{1, 0.5}'::float8[], '{1}'::float8[]) FROM cfits;
-- A NULL vector: NULL, as every STRICT prediction.
SELECT pareto_nbd_p_alive_interval(p, 3, 40, 60, NULL, '{1}'::float8[]) IS NULL AS null_vector,
       gamma_gamma_clv_interval(p, gg, 3, 40, 60, 30, '{1, 0.5}'::float8[], NULL) IS NULL AS null_clv
FROM cfits;
-- The bare literal is ambiguous (cast the vectors):
SELECT pareto_nbd_p_alive_interval(p, 3, 40, 60, '{1, 0.5}', '{1}') FROM cfits;
