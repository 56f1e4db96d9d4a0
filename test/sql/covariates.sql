-- Covariates of BG/NBD, MBG/NBD and Pareto/NBD (docs/covariates.md): each customer has a
-- purchase covariate vector z_p and a drop-out vector z_d, and (CLVTools' convention)
--   alpha_i = alpha exp(-gamma_p' z_p)                   (a positive gamma_p: more purchases)
--   Pareto/NBD: beta_i = beta exp(-gamma_d' z_d)         (a positive gamma_d: earlier drop-out)
--   BG/NBD, MBG/NBD: a_i = a exp(gamma_d' z_d), b_i = b exp(gamma_d' z_d)
\set VERBOSITY terse
\i test/covariates_sim.sql
SELECT setseed(0.42);
-- 4000 simulated Pareto/NBD customers: two binary covariates and a continuous one on
-- both processes, true coefficients (0.5, -0.4, 0.3) and (0.6, -0.5, 0.3).
CREATE TEMP TABLE sim AS
SELECT * FROM pg_temp.sim_customers(4000, 'pareto', '{0.8,6,0.7,10}', '{0.5,-0.4,0.3}', '{0.6,-0.5,0.3}');
CREATE TEMP TABLE fit AS
SELECT pareto_nbd_fit(x, tx, t, ARRAY[z1, z2, z3], ARRAY[z1, z2, z3]) AS m FROM sim;

-- Every coefficient is recovered within 2 standard errors.
SELECT process, i, truth, round(est::numeric, 2) AS estimate, round(se::numeric, 2) AS se,
       abs(est - truth) < 2 * se AS within_2_se
FROM fit, LATERAL (
    SELECT 'purchase' AS process, i, ('{0.5,-0.4,0.3}'::float8[])[i] AS truth,
           (m).purchase_coefficients[i] AS est, (m).purchase_coefficients_se[i] AS se
    FROM generate_series(1, 3) i
    UNION ALL
    SELECT 'dropout', i, ('{0.6,-0.5,0.3}'::float8[])[i],
           (m).dropout_coefficients[i], (m).dropout_coefficients_se[i]
    FROM generate_series(1, 3) i) c
ORDER BY process DESC, i;

-- The model's other fields as for a plain fit; aic and bic count the 10 parameters; the
-- covariance is 10 x 10: r, alpha, s, beta, then the purchase and drop-out coefficients,
-- its diagonal the squared standard errors.
SELECT (m).converged, (m).n_customers, round((m).r::numeric, 1) AS r,
       round((m).s::numeric, 1) AS s,
       abs((m).aic - (2 * 10 - 2 * (m).log_likelihood)) < 1e-6 AS aic_counts_10,
       array_dims((m).covariance) AS covariance,
       abs((m).covariance[5][5] - (m).purchase_coefficients_se[1] ^ 2) < 1e-12 AS diag_5,
       abs((m).covariance[10][10] - (m).dropout_coefficients_se[3] ^ 2) < 1e-12 AS diag_10,
       abs((m).covariance[2][2] - (m).alpha_se ^ 2) < 1e-12 AS diag_2
FROM fit;

-- The covariates explain the data: a likelihood-ratio test against the plain fit.
SELECT round(statistic::numeric) > 100 AS significant, df
FROM fit, clv_lrtest((SELECT pareto_nbd_fit(x, tx, t) FROM sim), (m));

-- No covariates ('{}' for both) is the plain model: the same fit to the printed digits.
SELECT round(a.r::numeric, 6) = round(b.r::numeric, 6) AS r,
       round(a.alpha::numeric, 5) = round(b.alpha::numeric, 5) AS alpha,
       round(a.s::numeric, 6) = round(b.s::numeric, 6) AS s,
       round(a.beta::numeric, 5) = round(b.beta::numeric, 5) AS beta,
       round(a.log_likelihood::numeric, 6) = round(b.log_likelihood::numeric, 6) AS log_likelihood,
       a.purchase_coefficients, a.dropout_coefficients
FROM (SELECT (pareto_nbd_fit(x, tx, t, '{}', '{}')).* FROM sim) a,
     (SELECT (pareto_nbd_fit(x, tx, t)).* FROM sim) b;
-- Plain fits carry NULL coefficients.
SELECT (pareto_nbd_fit(x, tx, t)).purchase_coefficients IS NULL AS plain FROM sim;

-- One process only: drop-out covariates alone.
SELECT array_length(purchase_coefficients, 1) AS purchase, array_length(dropout_coefficients, 1) AS dropout,
       round(dropout_coefficients[1]::numeric, 1) AS z1
FROM (SELECT (pareto_nbd_fit(x, tx, t, '{}', ARRAY[z1])).* FROM sim) m;

-- The penalizer shrinks the coefficients (L2 on the coefficients, not on r, alpha, s, beta).
SELECT abs((p).purchase_coefficients[1]) < abs((m).purchase_coefficients[1]) AS shrunk,
       (p).penalizer
FROM fit, (SELECT pareto_nbd_fit(x, tx, t, ARRAY[z1, z2, z3], ARRAY[z1, z2, z3], 0.01) AS p FROM sim) q;

-- Parallel workers give the fit of a serial scan (rows merge and combine).
CREATE TABLE covar_par AS SELECT * FROM sim, generate_series(1, 3) copy;
ALTER TABLE covar_par SET (parallel_workers = 2);
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
CREATE TEMP TABLE par AS
SELECT pareto_nbd_fit(x, tx, t, ARRAY[z1, z2, z3], ARRAY[z1, z2, z3]) AS m FROM covar_par;
RESET max_parallel_workers_per_gather;
SELECT (q).n_customers, round((q).purchase_coefficients[1]::numeric, 6) = round((m).purchase_coefficients[1]::numeric, 6) AS same_coefficient,
       round((q).log_likelihood::numeric / 3, 4) = round((m).log_likelihood::numeric, 4) AS three_times_the_likelihood
FROM par p(q), fit;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
DROP TABLE covar_par;

-- The summary-composite form, with the unit of the summaries.
SELECT (m).unit_days, array_length((m).purchase_coefficients, 1) AS kp
FROM (SELECT pareto_nbd_fit(ROW(x::int, tx, t, NULL, NULL, NULL, 7, NULL, NULL, NULL)::clv_customer_summary, ARRAY[z1], ARRAY[z2]) AS m
      FROM sim) s;

-- BG/NBD and MBG/NBD: simulated BG/NBD customers (a and b scale together with the
-- drop-out covariates, so those coefficients move P(drop-out) only through its spread).
SELECT setseed(0.7);
CREATE TEMP TABLE simbg AS
SELECT * FROM pg_temp.sim_customers(4000, 'bgnbd', '{0.8,6,0.7,3}', '{0.5,-0.4,0.3}', '{0.6,-0.5,0.3}');
SELECT model, converged, i, round(est::numeric, 2) AS purchase, abs(est - ('{0.5,-0.4,0.3}'::float8[])[i]) < 2 * se AS within_2_se
FROM (SELECT 'BG/NBD' AS model, (m).converged, (m).purchase_coefficients AS est, (m).purchase_coefficients_se AS se
      FROM (SELECT bgnbd_fit(x, tx, t, ARRAY[z1, z2, z3], ARRAY[z1, z2, z3]) AS m FROM simbg) b
      UNION ALL
      SELECT 'MBG/NBD', (m).converged, (m).purchase_coefficients, (m).purchase_coefficients_se
      FROM (SELECT mbgnbd_fit(x, tx, t, ARRAY[z1, z2, z3], ARRAY[z1, z2, z3]) AS m FROM simbg) b) f(model, converged, e, s),
     LATERAL (SELECT i, e[i] AS est, s[i] AS se FROM generate_series(1, 3) i) c
ORDER BY model, i;

-- Scoring: clv_customer_model is the plain model of one customer (alpha and beta scaled),
-- and every prediction function takes the customer's two vectors after the customer's
-- data; the same numbers as the plain function on clv_customer_model.
SELECT round((c).alpha::numeric, 4) = round(((m).alpha * exp(-(m).purchase_coefficients[1]))::numeric, 4) AS alpha_scaled,
       round((c).beta::numeric, 4) = round(((m).beta * exp(-(m).dropout_coefficients[1]))::numeric, 4) AS beta_scaled,
       (c).purchase_coefficients IS NULL AND (c).r_se IS NULL AS plain_model
FROM fit, clv_customer_model(m, '{1,0,0}', '{1,0,0}') c;
SELECT round(pareto_nbd_expected_purchases(m, 10, 2, 20, 40, '{1,0,0.5}', '{1,0,0.5}')::numeric, 6) =
       round(pareto_nbd_expected_purchases(clv_customer_model(m, '{1,0,0.5}', '{1,0,0.5}'), 10, 2, 20, 40)::numeric, 6) AS same,
       pareto_nbd_expected_purchases(m, 10, 2, 20, 40, '{1,0,0}', '{0,0,0}') >
       pareto_nbd_expected_purchases(m, 10, 2, 20, 40, '{0,0,0}', '{0,0,0}') AS z1_buys_more,
       pareto_nbd_p_alive(m, 2, 20, 40, '{0,0,0}', '{1,0,0}') <
       pareto_nbd_p_alive(m, 2, 20, 40, '{0,0,0}', '{0,0,0}') AS z1_drops_out_sooner
FROM fit;
-- The whole surface, for one customer.
SELECT round(pareto_nbd_expected_purchases(m, 10, '{1,1,0}', '{1,1,0}')::numeric, 4) AS new_customer,
       round(pareto_nbd_p_alive_at(m, 10, 2, 20, 40, '{1,1,0}', '{1,1,0}')::numeric, 4) AS alive_at,
       round(pareto_nbd_prob_no_purchase(m, 10, 2, 20, 40, '{1,1,0}', '{1,1,0}')::numeric, 4) AS no_purchase,
       round(pareto_nbd_prob_n_purchases(m, 10, 1, 2, 20, 40, '{1,1,0}', '{1,1,0}')::numeric, 4) AS one_purchase,
       round(pareto_nbd_expected_purchases_between(m, 5, 10, 2, 20, 40, '{1,1,0}', '{1,1,0}')::numeric, 4) AS between_5_10,
       round(pareto_nbd_dert(m, 0.01, 2, 20, 40, '{1,1,0}', '{1,1,0}')::numeric, 2) AS dert,
       round(gamma_gamma_clv(m, gamma_gamma_model(6, 4, 15), 2, 20, 40, 35, '{1,1,0}'::float8[], '{1,1,0}'::float8[], unit_days => 7)::numeric, 2) AS clv
FROM fit;

-- Errors: a model with covariates scored without the customer's covariates,
\set VERBOSITY default
SELECT pareto_nbd_expected_purchases(m, 10, 2, 20, 40) FROM fit;
-- vectors of the wrong length, non-finite values, parameters that overflow;
SELECT pareto_nbd_p_alive(m, 2, 20, 40, '{1,0}', '{1,0,0}') FROM fit;
SELECT pareto_nbd_p_alive(m, 2, 20, 40, '{1,0,0}', '{NaN,0,0}') FROM fit;
SELECT pareto_nbd_p_alive(m, 2, 20, 40, '{1e300,0,0}', '{0,0,0}') FROM fit;
\set VERBOSITY terse
SELECT pareto_nbd_p_alive(m, 2, 20, 40, '{{1,0,0}}', '{0,0,0}') FROM fit;
SELECT pareto_nbd_p_alive(m, 2, 20, 40, '{1,NULL,0}', '{0,0,0}') FROM fit;
-- a plain model given covariates; NULL vectors give NULL, as any NULL argument.
SELECT pareto_nbd_p_alive(pareto_nbd_model(1, 2, 3, 4), 2, 20, 40, '{1}', '{}');
SELECT pareto_nbd_p_alive(m, 2, 20, 40, NULL, '{0,0,0}') IS NULL AS null_in_null_out FROM fit;
-- In the fits: rows with different numbers of covariates, NULL or non-finite ones,
-- too large values, a covariate that never varies.
SELECT pareto_nbd_fit(x, tx, t, CASE WHEN id = 2 THEN ARRAY[z1, z2] ELSE ARRAY[z1] END, '{}') FROM sim;
SELECT pareto_nbd_fit(x, tx, t, ARRAY[z1], NULL) FROM sim;
SELECT pareto_nbd_fit(x, tx, t, ARRAY['Infinity'::float8], '{}') FROM sim WHERE id = 1;
SELECT pareto_nbd_fit(x, tx, t, ARRAY[z3 * 1e7], '{}') FROM sim;
SELECT pareto_nbd_fit(x, tx, t, ARRAY[z1, 1], '{}') FROM sim;
SELECT pareto_nbd_fit(x, tx, t, '{1,2,3,4,5,6,7}', '{}') FROM sim;
-- A forged state (a bytea from outside) is checked before it is used.
SELECT _clv_cov_pareto_nbd_fit_final('\x0102'::bytea);
SELECT _clv_cov_pareto_nbd_fit_final(('\x' || repeat('00', 40))::bytea);
