-- Demo step 2: fit BG/NBD, MBG/NBD, Pareto/NBD (purchases) and Gamma-Gamma (spend) on the
-- calibration period, predict each customer's purchases in the 39 holdout weeks and
-- compare the three models with what happened (clv_holdout_eval).
-- Title: Holdout check: BG/NBD, MBG/NBD and Pareto/NBD on the 39 holdout weeks (clv_holdout_eval)
DROP TABLE IF EXISTS models, holdout_predictions CASCADE;
CREATE TABLE models AS
SELECT (SELECT bgnbd_fit(frequency, recency, t) FROM customer_summary) AS bg,
       (SELECT mbgnbd_fit(frequency, recency, t) FROM customer_summary) AS mbg,
       (SELECT pareto_nbd_fit(frequency, recency, t) FROM customer_summary) AS pnbd,
       (SELECT gamma_gamma_fit(frequency, monetary_value) FROM customer_summary) AS gg,
       now() AS fitted_at;
SELECT (bg).n_customers AS n, (gg).n_customers AS g FROM models \gset
\echo '    fitted BG/NBD, MBG/NBD and Pareto/NBD on' :n 'customers, Gamma-Gamma on' :g 'repeat buyers'
\echo '    BG/NBD and Gamma-Gamma parameters (published: r 0.243, alpha 4.414, a 0.793, b 2.426; p 6.25, q 3.74, gamma 15.44)'
SELECT round((bg).r::numeric, 3) AS bg_r, round((bg).alpha::numeric, 3) AS bg_alpha,
       round((bg).a::numeric, 3) AS bg_a, round((bg).b::numeric, 3) AS bg_b,
       round((gg).p::numeric, 2) AS gg_p, round((gg).q::numeric, 2) AS gg_q,
       round((gg).gamma::numeric, 2) AS gg_gamma,
       (bg).converged AND (mbg).converged AND (pnbd).converged AND (gg).converged AS all_converged
FROM models;

CREATE TABLE holdout_predictions AS
SELECT h.customer_id, h.frequency, h.holdout_frequency AS actual,
       bgnbd_expected_purchases(bg, holdout_length, frequency, recency, t) AS bg,
       mbgnbd_expected_purchases(mbg, holdout_length, frequency, recency, t) AS mbg,
       pareto_nbd_expected_purchases(pnbd, holdout_length, frequency, recency, t) AS pnbd
FROM holdout_summary h, models;

CREATE OR REPLACE VIEW holdout_comparison AS
SELECT model, (e).n AS customers, round((e).mae::numeric, 3) AS mae, round((e).rmse::numeric, 3) AS rmse,
       round((e).bias::numeric, 3) AS bias, round((e).correlation::numeric, 3) AS correlation,
       round((e).predicted_total::numeric, 0) AS predicted_total, round((e).actual_total::numeric, 0) AS actual_total
FROM (SELECT 'BG/NBD' AS model, clv_holdout_eval(bg, actual) AS e FROM holdout_predictions
      UNION ALL SELECT 'MBG/NBD', clv_holdout_eval(mbg, actual) FROM holdout_predictions
      UNION ALL SELECT 'Pareto/NBD', clv_holdout_eval(pnbd, actual) FROM holdout_predictions) r;
\echo '    holdout check: predicted vs actual purchases per customer in the 39 holdout weeks (best first)'
SELECT * FROM holdout_comparison ORDER BY rmse;
