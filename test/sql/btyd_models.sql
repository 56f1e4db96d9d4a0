-- The BTYD family beyond BG/NBD: Pareto/NBD, MBG/NBD, BG/BB; standard errors, the L2
-- penalizer, P(X(t) = n).

-- Pareto/NBD on CDNOW (Fader, Hardie & Lee 2005): r = 0.553, alpha = 10.578, s = 0.606,
-- beta = 11.669, LL = -9595.0, from the calibration summary of the transaction log.
CREATE TABLE cdnow_cal39 AS
SELECT customer_id, (clv_summary(txn_time, amount, '1997-09-30', 'week')).*
FROM cdnow_txn GROUP BY customer_id;
CREATE TABLE pnbd AS SELECT pareto_nbd_fit(frequency, recency, t) AS m FROM cdnow_cal39;
SELECT round((m).r::numeric, 3) AS r, round((m).alpha::numeric, 3) AS alpha,
       round((m).s::numeric, 3) AS s, round((m).beta::numeric, 3) AS beta,
       round((m).log_likelihood::numeric, 1) AS log_likelihood, (m).n_customers, (m).converged
FROM pnbd;
-- beta is barely identified (its standard error is half its value), so its third decimal
-- moves with the rounding of the input: the published summary file, rounded to 2 decimals,
-- gives 11.668 (lifetimes prints 11.67 for it).
SELECT round((m).beta::numeric, 3) AS beta, round((m).beta_se::numeric, 1) AS beta_se,
       round((m).log_likelihood::numeric, 1) AS log_likelihood
FROM (SELECT pareto_nbd_fit(frequency, recency, t) AS m FROM cdnow_summary) f;

-- Pareto/NBD predictions, checked against mpmath's hyp2f1 on the untransformed formulas:
-- P(alive) 0.869167559153, E[X(39)] 1.455123193258 for customer 1 at the published values,
-- and 0.268057316719 on the alpha < beta branch.
SELECT round(pareto_nbd_p_alive(pareto_nbd_model(0.553, 10.578, 0.606, 11.669), 2, 30.43, 38.86)::numeric, 10) AS p_alive_1,
       round(pareto_nbd_expected_purchases(pareto_nbd_model(0.553, 10.578, 0.606, 11.669), 39, 2, 30.43, 38.86)::numeric, 10) AS expected_1,
       round(pareto_nbd_p_alive(pareto_nbd_model(0.553, 3.0, 0.606, 11.669), 5, 20, 38.86)::numeric, 10) AS p_alive_other_branch;
-- A customer seen once on the last day is alive; a new customer's E[X(t)] has the closed
-- form r beta / (alpha (s - 1)) (1 - (beta / (beta + t))^(s - 1)).
SELECT pareto_nbd_p_alive(m, 0, 0, 0) AS p_alive_t0,
       round(pareto_nbd_expected_purchases(m, 39)::numeric, 8) AS e39,
       round(((m).r * (m).beta / ((m).alpha * ((m).s - 1)) * (1 - ((m).beta / ((m).beta + 39)) ^ ((m).s - 1)))::numeric, 8) AS closed_form
FROM pnbd;
-- Large frequencies and long horizons stay finite (log-space hypergeometric terms).
SELECT round(pareto_nbd_p_alive(m, 300, 38, 38.86)::numeric, 6) AS heavy_alive,
       round(pareto_nbd_p_alive(m, 300, 10, 38.86)::numeric, 6) AS heavy_gone,
       round(pareto_nbd_expected_purchases(m, 5200, 2, 30.43, 38.86)::numeric, 4) AS century
FROM pnbd;

-- MBG/NBD (Batislam et al. 2007) on CDNOW: lifetimes' ModifiedBetaGeoFitter gives
-- r 0.525, alpha 6.183, a 0.891, b 1.614.
CREATE TABLE mbg AS SELECT mbgnbd_fit(frequency, recency, t) AS m FROM cdnow_summary;
SELECT round((m).r::numeric, 3) AS r, round((m).alpha::numeric, 3) AS alpha,
       round((m).a::numeric, 3) AS a, round((m).b::numeric, 3) AS b,
       round((m).log_likelihood::numeric, 1) AS log_likelihood, (m).converged
FROM mbg;
-- Unlike BG/NBD, a customer without repeat purchases may be gone: P(alive) = 1 / (1 + a/b)
-- at t = 0; conditional expectation of a customer with no history = unconditional one.
SELECT round(mbgnbd_p_alive(m, 0, 0, 0)::numeric, 6) AS p_alive_t0,
       round(((m).b / ((m).a + (m).b))::numeric, 6) AS b_over_a_plus_b,
       round(mbgnbd_expected_purchases(m, 39)::numeric, 6) AS e39,
       round(mbgnbd_expected_purchases(m, 39, 0, 0, 0)::numeric, 6) AS e39_conditional,
       round(mbgnbd_expected_purchases(m, 39, 2, 30.43, 38.86)::numeric, 4) AS customer_1
FROM mbg;

-- BG/BB on the donations data (Fader, Hardie & Shang 2010), aggregated rows with weights:
-- alpha 1.204, beta 0.750, gamma 0.657, delta 2.783, LL -33225.6.
CREATE TABLE donations (frequency int, recency int, periods int, weights int);
\copy donations FROM 'data/donations.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE bb AS SELECT bgbb_fit(frequency, recency, periods, weights) AS m FROM donations;
SELECT round((m).alpha::numeric, 3) AS alpha, round((m).beta::numeric, 3) AS beta,
       round((m).gamma::numeric, 3) AS gamma, round((m).delta::numeric, 3) AS delta,
       round((m).log_likelihood::numeric, 1) AS log_likelihood, (m).n_customers, (m).converged
FROM bb;
-- The same fit from one row per donor.
SELECT round((bgbb_fit(frequency, recency, periods)).log_likelihood::numeric, 1) AS log_likelihood
FROM donations, generate_series(1, weights);
-- A donor with 6 donations in 6 years: P(alive) and 3.75 expected donations in the next
-- 5 years (FHS 2010); a new donor's first 5 years.
SELECT round(bgbb_p_alive(m, 6, 6, 6)::numeric, 4) AS p_alive_666,
       round(bgbb_expected_purchases(m, 5, 6, 6, 6)::numeric, 2) AS next5_666,
       round(bgbb_expected_purchases(m, 5)::numeric, 4) AS new_donor_5,
       round(bgbb_expected_purchases(m, 5, 0, 0, 0)::numeric, 4) AS same_conditional,
       round(bgbb_p_alive(m, 0, 0, 6)::numeric, 4) AS p_alive_lapsed
FROM bb;
-- Discrete patterns are checked.
SELECT bgbb_fit(x, tx, n) FROM (VALUES (3, 2, 6)) v(x, tx, n);
SELECT bgbb_fit(x, tx, n) FROM (VALUES (2, 7, 6)) v(x, tx, n);
SELECT bgbb_fit(x, tx, n, w) FROM (VALUES (2, 3, 6, -1)) v(x, tx, n, w);
SELECT bgbb_fit(x, tx, n) FROM (VALUES (1.5, 3, 6)) v(x, tx, n);
SELECT bgbb_expected_purchases(m, 2.5) FROM bb;

-- Standard errors from the observed information. BG/NBD on CDNOW, checked against an
-- independent mpmath computation (inverse of the numerically differentiated Hessian of
-- the log-likelihood in natural parameters): 0.012557, 0.37822, 0.18572, 0.70535.
CREATE TABLE bg AS SELECT bgnbd_fit(frequency, recency, t) AS m FROM cdnow_summary;
SELECT round((m).r_se::numeric, 5) AS r_se, round((m).alpha_se::numeric, 4) AS alpha_se,
       round((m).a_se::numeric, 4) AS a_se, round((m).b_se::numeric, 4) AS b_se
FROM bg;
-- 95 % Wald intervals: estimate +- 1.96 SE.
SELECT round(((m).r - 1.96 * (m).r_se)::numeric, 3) AS r_low, round(((m).r + 1.96 * (m).r_se)::numeric, 3) AS r_high
FROM bg;
SELECT round((m).p_se::numeric, 3) AS p_se, round((m).q_se::numeric, 3) AS q_se,
       round((m).gamma_se::numeric, 3) AS gamma_se
FROM (SELECT gamma_gamma_fit(frequency, zbar) AS m FROM cdnow_summary) g;
SELECT round((m).alpha_se::numeric, 3) AS alpha_se, round((m).delta_se::numeric, 3) AS delta_se FROM bb;

-- The L2 penalizer (lifetimes' penalizer_coef: mean negative log-likelihood +
-- penalizer * sum(parameters^2)) shrinks the parameters; 0 is the plain fit.
SELECT round((bgnbd_fit(frequency, recency, t, 0.1)).r::numeric, 4) AS r_pen,
       round((bgnbd_fit(frequency, recency, t, 0.1)).b::numeric, 4) AS b_pen,
       round((bgnbd_fit(frequency, recency, t, 0)).r::numeric, 3) AS r_zero,
       round((bgnbd_fit(frequency, recency, t, NULL)).r::numeric, 3) AS r_null
FROM cdnow_summary;
SELECT round((pareto_nbd_fit(frequency, recency, t, 0.01)).beta::numeric, 2) AS beta_pen FROM cdnow_summary;
SELECT bgnbd_fit(frequency, recency, t, -1) FROM cdnow_summary;
SELECT bgnbd_fit(frequency, recency, t, id % 2) FROM cdnow_summary;

-- P(X(t) = n) for a new customer: a distribution (sums to 1), and P(0) matches the closed
-- form of the BG/NBD paper (eq. 8 with x = 0).
SELECT round(sum(bgnbd_prob_n_purchases(m, 39, n))::numeric, 10) AS bg_total,
       round(bgnbd_prob_n_purchases(m, 39, 0)::numeric, 6) AS bg_p0,
       round((exp(0)
              * ((m).alpha / ((m).alpha + 39)) ^ (m).r)::numeric, 6) AS nb_p0,
       round(bgnbd_prob_n_purchases(m, 39, 3)::numeric, 6) AS bg_p3
FROM bg, generate_series(0, 300) n
GROUP BY m;
SELECT round(sum(pareto_nbd_prob_n_purchases(m, 39, n))::numeric, 10) AS pnbd_total,
       round(pareto_nbd_prob_n_purchases(m, 39, 0)::numeric, 6) AS pnbd_p0,
       round(sum(n * pareto_nbd_prob_n_purchases(m, 39, n))::numeric, 6) AS pnbd_mean,
       round(pareto_nbd_expected_purchases(m, 39)::numeric, 6) AS pnbd_e39
FROM pnbd, generate_series(0, 400) n
GROUP BY m;
SELECT bgnbd_prob_n_purchases(m, 39, 1.5) FROM bg;
SELECT pareto_nbd_prob_n_purchases(m, -1, 1) FROM pnbd;

-- Every fit is a parallel-safe aggregate: the parallel plan gives the serial result.
CREATE TABLE many_btyd AS SELECT s.* FROM cdnow_summary s, generate_series(1, 10);
ANALYZE many_btyd;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT pareto_nbd_fit(frequency, recency, t) FROM many_btyd;
CREATE TEMP TABLE par AS
SELECT pareto_nbd_fit(frequency, recency, t) AS p, mbgnbd_fit(frequency, recency, t) AS m FROM many_btyd;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ser AS
SELECT pareto_nbd_fit(frequency, recency, t) AS p, mbgnbd_fit(frequency, recency, t) AS m FROM many_btyd;
SELECT (par.p)::text = (ser.p)::text AS pareto_same, (par.m)::text = (ser.m)::text AS mbg_same,
       (par.p).n_customers
FROM par, ser;
RESET ALL;

-- Bit for bit: a fit depends on its distinct rows alone, not on how the rows were split
-- among the processes (1 to 3 workers, with or without the leader), on their physical
-- order, or on when an interrupt came (client_connection_check_interval = 1 ms raises one
-- every millisecond: a search restarted at each gave other last digits, and Pareto/NBD ran
-- out of evaluations). Each fit's whole model (parameters, standard errors, likelihood,
-- iterations) as text, compared with the serial fit of the table in insertion order.
SELECT setseed(0.5);
CREATE TABLE det_btyd_shuffled AS SELECT * FROM many_btyd ORDER BY random();
CREATE TABLE det_donors AS SELECT d.frequency, d.recency, d.periods
FROM donations d, generate_series(1, d.weights);
CREATE TABLE det_donors_shuffled AS SELECT * FROM det_donors ORDER BY random();
ALTER TABLE det_btyd_shuffled SET (parallel_workers = 3);
ALTER TABLE det_donors_shuffled SET (parallel_workers = 3);
ANALYZE det_btyd_shuffled, det_donors, det_donors_shuffled;
CREATE VIEW det_fits AS
SELECT * FROM (SELECT bgnbd_fit(frequency, recency, t)::text AS bgnbd,
                      pareto_nbd_fit(frequency, recency, t)::text AS pareto,
                      mbgnbd_fit(frequency, recency, t)::text AS mbgnbd,
                      (gamma_gamma_fit(frequency, zbar) FILTER (WHERE frequency > 0))::text AS gg
               FROM many_btyd) b,
              (SELECT bgbb_fit(frequency, recency, periods)::text AS bgbb FROM det_donors) d;
CREATE VIEW det_fits_shuffled AS
SELECT * FROM (SELECT bgnbd_fit(frequency, recency, t)::text AS bgnbd,
                      pareto_nbd_fit(frequency, recency, t)::text AS pareto,
                      mbgnbd_fit(frequency, recency, t)::text AS mbgnbd,
                      (gamma_gamma_fit(frequency, zbar) FILTER (WHERE frequency > 0))::text AS gg
               FROM det_btyd_shuffled) b,
              (SELECT bgbb_fit(frequency, recency, periods)::text AS bgbb FROM det_donors_shuffled) d;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE det_serial AS SELECT * FROM det_fits;
CREATE TEMP VIEW det_same AS
SELECT f.bgnbd = s.bgnbd AS bgnbd, f.pareto = s.pareto AS pareto, f.mbgnbd = s.mbgnbd AS mbgnbd,
       f.gg = s.gg AS gamma_gamma, f.bgbb = s.bgbb AS bgbb
FROM det_fits f, det_serial s;
CREATE TEMP VIEW det_same_shuffled AS
SELECT f.bgnbd = s.bgnbd AS bgnbd, f.pareto = s.pareto AS pareto, f.mbgnbd = s.mbgnbd AS mbgnbd,
       f.gg = s.gg AS gamma_gamma, f.bgbb = s.bgbb AS bgbb
FROM det_fits_shuffled f, det_serial s;
SELECT 'serial, shuffled' AS run, * FROM det_same_shuffled;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 3;
EXPLAIN (COSTS OFF) SELECT * FROM det_same_shuffled;
SELECT '3 workers, shuffled' AS run, * FROM det_same_shuffled;
SET parallel_leader_participation = off;
SELECT '3 workers without leader, shuffled' AS run, * FROM det_same_shuffled;
SET max_parallel_workers_per_gather = 2;
SELECT '2 workers without leader' AS run, * FROM det_same;
RESET parallel_leader_participation;
SELECT '2 workers' AS run, * FROM det_same;
SET max_parallel_workers_per_gather = 1;
SELECT '1 worker' AS run, * FROM det_same;
SET client_connection_check_interval = 1;
SELECT '1 worker, interrupts' AS run, * FROM det_same;
SET max_parallel_workers_per_gather = 0;
SELECT 'serial, interrupts' AS run, * FROM det_same_shuffled;
RESET ALL;
DROP VIEW det_same, det_same_shuffled, det_fits, det_fits_shuffled;
DROP TABLE det_btyd_shuffled, det_donors, det_donors_shuffled;

-- Identification errors name the model.
SELECT pareto_nbd_fit(0, 0, t) FROM cdnow_summary;
SELECT mbgnbd_fit(x, tx, tt) FROM (VALUES (1, 2, 5), (1, 2, 5)) v(x, tx, tt);
SELECT bgbb_fit(0, 0, 6) FROM generate_series(1, 3);
SELECT pareto_nbd_fit(frequency, recency, t) FROM cdnow_summary WHERE false;
