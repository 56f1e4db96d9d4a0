-- The time unit travels with the data. A summary records its unit (unit_days), a fit on
-- the summary composite records it in the model, and scoring checks it: a model fitted
-- on weeks can no longer be scored as if it were fitted on days.
CREATE TABLE units_w AS
SELECT customer_id, clv_summary(txn_time, amount, '1997-09-30', 'week') AS s
FROM cdnow_txn WHERE txn_time < '1997-10-01' GROUP BY customer_id;
CREATE TABLE units_d AS
SELECT customer_id, clv_summary(txn_time, amount, '1997-09-30', 'day') AS s
FROM cdnow_txn WHERE txn_time < '1997-10-01' GROUP BY customer_id;
CREATE TABLE units_m AS
SELECT (SELECT bgnbd_fit(s) FROM units_w) AS bg_w,
       (SELECT bgnbd_fit(s) FROM units_d) AS bg_d,
       (SELECT bgnbd_fit((s).frequency, (s).recency, (s).t) FROM units_w) AS bg_bare,
       (SELECT gamma_gamma_fit(s) FILTER (WHERE (s).monetary_value > 0) FROM units_w) AS gg;

-- The summary form of the fit gives the same parameters as the bare numbers, and the unit.
SELECT round((bg_w).r::numeric, 4) AS r, round((bg_w).alpha::numeric, 3) AS alpha,
       (bg_w).r = (bg_bare).r AS same_fit, (bg_w).unit_days AS weekly, (bg_d).unit_days AS daily,
       (bg_bare).unit_days AS bare, round((gg).p::numeric, 3) AS gg_p
FROM units_m;
SELECT DISTINCT (s).unit_days FROM units_w;

-- gamma_gamma_clv takes the model's unit (0.1 assumed days: the weekly model gave 4x the
-- CLV here). The weekly and the daily fit give the same CLV: the times are the same in
-- another unit, and BG/NBD's alpha scales with the unit.
SELECT round(gamma_gamma_clv(bg_w, gg, (w.s).frequency, (w.s).recency, (w.s).t, (w.s).monetary_value)::numeric, 2) AS weekly_model,
       round(gamma_gamma_clv(bg_d, gg, (d.s).frequency, (d.s).recency, (d.s).t, (d.s).monetary_value)::numeric, 2) AS daily_model,
       round(gamma_gamma_clv(bg_w, gg, w.s)::numeric, 2) AS from_summary
FROM units_m, units_w w JOIN units_d d USING (customer_id) WHERE customer_id = 1;

-- The mistake of issue 13: a weekly model scored as daily (0.1's default unit_days 1) gave
-- 4x the CLV. Now unit_days that contradicts the model is an ERROR ...
SELECT gamma_gamma_clv(bg_w, gg, 2, 30.43, 38.86, 22.35, 12, 0.01, 1) FROM units_m;
-- ... a model without a unit needs one (the 0.1 default is gone) ...
SELECT gamma_gamma_clv(bg_bare, gg, 2, 30.43, 38.86, 22.35) FROM units_m;
SELECT round(gamma_gamma_clv(bg_bare, gg, 2, 30.43, 38.86, 22.35, unit_days => 7)::numeric, 2) AS given
FROM units_m;
-- ... and so does a model from a constructor; a stored model's unit can be set by hand.
SELECT round(gamma_gamma_clv(bgnbd_model(0.243, 4.414, 0.793, 2.426), gg, 2, 30.43, 38.86, 22.35,
                             unit_days => 7)::numeric, 2) AS published FROM units_m;
-- A daily summary scored with a weekly model, and summaries of two units in one fit.
SELECT bgnbd_p_alive(bg_w, d.s) FROM units_m, units_d d WHERE customer_id = 1;
SELECT gamma_gamma_clv(bg_w, gg, d.s) FROM units_m, units_d d WHERE customer_id = 1;
SELECT bgnbd_fit(s) FROM (SELECT s FROM units_w UNION ALL SELECT s FROM units_d) u;
-- The summary forms of the scoring functions agree with the bare numbers.
SELECT bool_and(bgnbd_p_alive(bg_w, s) = bgnbd_p_alive(bg_w, (s).frequency, (s).recency, (s).t)) AS p_alive,
       bool_and(bgnbd_expected_purchases(bg_w, 52, s)
                = bgnbd_expected_purchases(bg_w, 52, (s).frequency, (s).recency, (s).t)) AS expected,
       bool_and(gamma_gamma_expected_spend(gg, s)
                = gamma_gamma_expected_spend(gg, (s).frequency, coalesce((s).monetary_value, 0))) AS spend,
       count(*) AS customers
FROM units_m, units_w;
SELECT round(mbgnbd_p_alive(mbgnbd_fit(s), (SELECT s FROM units_w WHERE customer_id = 1))::numeric, 4) AS mbg,
       round(pareto_nbd_p_alive(pareto_nbd_fit(s), (SELECT s FROM units_w WHERE customer_id = 1))::numeric, 4) AS pareto,
       (mbgnbd_fit(s)).unit_days AS mbg_unit, (pareto_nbd_fit(s)).unit_days AS pareto_unit
FROM units_w;
-- A parallel fit carries the unit through its partial states, and is the serial fit bit
-- for bit (the whole model as text).
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT (bgnbd_fit(s)).unit_days AS parallel_unit, bgnbd_fit(s)::text = (SELECT bg_w::text FROM units_m) AS same_fit
FROM units_w;
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;
DROP TABLE units_w, units_d, units_m;
