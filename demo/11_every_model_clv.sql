-- Demo step 11: CLV from every purchase model. BG/NBD, MBG/NBD and Pareto/NBD (step 2's
-- fits) and BG/BB (fitted here on weekly purchase opportunities) each times the
-- Gamma-Gamma spend model: the 12-month CLV of every customer side by side, the models'
-- AIC and BIC, and each model's predicted spend in the 39 holdout weeks against the actual.
-- Title: CLV from every purchase model x Gamma-Gamma, AIC/BIC, DERT (gamma_gamma_clv, pareto_nbd_dert)
DROP TABLE IF EXISTS weekly_opportunities, bgbb_models, every_model_clv, model_choice CASCADE;

-- BG/BB counts opportunities: week k after the first purchase (k = 1..n, n whole weeks to
-- 1997-09-30) had a purchase or not; recency is the last such week.
CREATE TABLE weekly_opportunities AS
SELECT customer_id, count(DISTINCT w) FILTER (WHERE w > 0)::float8 AS frequency,
       coalesce(max(w) FILTER (WHERE w > 0), 0)::float8 AS recency,
       floor(('1997-09-30'::date - min(first_day)) / 7.0)::float8 AS n_periods
FROM (SELECT customer_id, txn_time::date AS day,
             min(txn_time::date) OVER (PARTITION BY customer_id) AS first_day,
             floor((txn_time::date - min(txn_time::date) OVER (PARTITION BY customer_id)) / 7.0) AS w
      FROM transactions WHERE txn_time < '1997-10-01') t
GROUP BY customer_id;
CREATE TABLE bgbb_models AS
SELECT bgbb_fit(frequency, recency, n_periods) AS bgbb FROM weekly_opportunities;

CREATE TABLE every_model_clv AS
SELECT s.customer_id, s.frequency, s.monetary_value,
       gamma_gamma_clv(m.bg, m.gg, s.frequency, s.recency, s.t, s.monetary_value, 12, 0.01, 7) AS bgnbd,
       gamma_gamma_clv(m.mbg, m.gg, s.frequency, s.recency, s.t, s.monetary_value, 12, 0.01, 7) AS mbgnbd,
       gamma_gamma_clv(m.pnbd, m.gg, s.frequency, s.recency, s.t, s.monetary_value, 12, 0.01, 7) AS pareto_nbd,
       gamma_gamma_clv(b.bgbb, m.gg, o.frequency, o.recency, o.n_periods, s.monetary_value, 12, 0.01, 7) AS bgbb,
       -- discounted expected residual transactions (15 % a year, continuously) times spend
       pareto_nbd_dert(m.pnbd, ln(1.15) / 52, s.frequency, s.recency, s.t) *
           gamma_gamma_expected_spend(m.gg, s.frequency, s.monetary_value) AS pareto_nbd_lifetime,
       -- predicted spend in the 39 holdout weeks (undiscounted) and the actual
       gamma_gamma_expected_spend(m.gg, s.frequency, s.monetary_value) AS spend,
       bgnbd_expected_purchases(m.bg, h.holdout_length, s.frequency, s.recency, s.t) AS bg_holdout,
       mbgnbd_expected_purchases(m.mbg, h.holdout_length, s.frequency, s.recency, s.t) AS mbg_holdout,
       pareto_nbd_expected_purchases(m.pnbd, h.holdout_length, s.frequency, s.recency, s.t) AS pnbd_holdout,
       bgbb_expected_purchases(b.bgbb, floor(h.holdout_length), o.frequency, o.recency, o.n_periods) AS bgbb_holdout,
       h.holdout_frequency * coalesce(h.holdout_monetary_value, 0) AS actual_holdout_spend
FROM customer_summary s
JOIN holdout_summary h USING (customer_id)
JOIN weekly_opportunities o USING (customer_id), models m, bgbb_models b;
ALTER TABLE every_model_clv ADD PRIMARY KEY (customer_id);

-- AIC and BIC: lower is better; BG/NBD, MBG/NBD and Pareto/NBD share their data (repeat
-- purchase days, weeks), so theirs compare; BG/BB's likelihood is of the weekly indicators.
CREATE TABLE model_choice AS
SELECT model, k AS parameters, n AS customers, round(ll::numeric, 1) AS log_likelihood,
       round(aic::numeric, 1) AS aic, round(bic::numeric, 1) AS bic, data
FROM (SELECT 'BG/NBD' AS model, 4 AS k, (bg).n_customers AS n, (bg).log_likelihood AS ll, (bg).aic, (bg).bic, 'repeat days, weeks' AS data FROM models
      UNION ALL SELECT 'MBG/NBD', 4, (mbg).n_customers, (mbg).log_likelihood, (mbg).aic, (mbg).bic, 'repeat days, weeks' FROM models
      UNION ALL SELECT 'Pareto/NBD', 4, (pnbd).n_customers, (pnbd).log_likelihood, (pnbd).aic, (pnbd).bic, 'repeat days, weeks' FROM models
      UNION ALL SELECT 'BG/BB', 4, (bgbb).n_customers, (bgbb).log_likelihood, (bgbb).aic, (bgbb).bic, 'weekly opportunities' FROM bgbb_models
      UNION ALL SELECT 'Gamma-Gamma', 3, (gg).n_customers, (gg).log_likelihood, (gg).aic, (gg).bic, 'mean spend of repeat buyers' FROM models) s;

\echo '    AIC and BIC of every model (lower is better among models of the same data)'
SELECT * FROM model_choice ORDER BY data, aic;
\echo '    12-month CLV (1 % monthly discount) of every purchase model x Gamma-Gamma, and holdout spend'
SELECT model, round(total_clv) AS total_clv_12m, round(mean_clv::numeric, 2) AS mean_clv,
       round(predicted::numeric) AS predicted_holdout_spend, round(actual::numeric) AS actual_holdout_spend
FROM (SELECT 'BG/NBD' AS model, sum(bgnbd) AS total_clv, avg(bgnbd) AS mean_clv, sum(bg_holdout * spend) AS predicted, sum(actual_holdout_spend) AS actual FROM every_model_clv
      UNION ALL SELECT 'MBG/NBD', sum(mbgnbd), avg(mbgnbd), sum(mbg_holdout * spend), sum(actual_holdout_spend) FROM every_model_clv
      UNION ALL SELECT 'Pareto/NBD', sum(pareto_nbd), avg(pareto_nbd), sum(pnbd_holdout * spend), sum(actual_holdout_spend) FROM every_model_clv
      UNION ALL SELECT 'BG/BB (weekly)', sum(bgbb), avg(bgbb), sum(bgbb_holdout * spend), sum(actual_holdout_spend) FROM every_model_clv) t
ORDER BY model;
