-- Demo step 14: covariates (issue 14). Pareto/NBD with two covariates of the first order,
-- on both the purchase and the drop-out process: the log of the first day's spend
-- (centred on its mean) and whether that day had more than one CD. Their coefficients and
-- standard errors, AIC against the plain fit and the likelihood-ratio test between them;
-- then the 12-month CLV of every customer from the covariate model and, for the top 20,
-- its 90 % interval (draws of all the fit's parameters, coefficients included).
-- Title: Covariates: Pareto/NBD with first-order covariates, CLV with 90 % intervals (pareto_nbd_fit(..., covariates), gamma_gamma_clv_interval)
DROP TABLE IF EXISTS first_orders, covariate_models, covariate_clv CASCADE;

CREATE TABLE first_orders AS
SELECT customer_id, ln(1 + sum(amount)) - avg(ln(1 + sum(amount))) OVER () AS log_spend,
       (sum(n_cds) > 1)::int::float8 AS several_cds
FROM (SELECT customer_id, amount, n_cds, txn_time,
             min(txn_time) OVER (PARTITION BY customer_id) AS first_day
      FROM transactions) t
WHERE txn_time = first_day
GROUP BY customer_id;
ALTER TABLE first_orders ADD PRIMARY KEY (customer_id);

-- The same customers as step 2's plain fits, so the likelihoods compare.
CREATE TABLE covariate_models AS
SELECT pareto_nbd_fit(s.frequency, s.recency, s.t, ARRAY[f.log_spend, f.several_cds],
                      ARRAY[f.log_spend, f.several_cds]) AS pnbd_cov
FROM customer_summary s JOIN first_orders f USING (customer_id);

\echo '    Pareto/NBD coefficients of the first order (purchase: > 0 more purchases; drop-out: > 0 earlier drop-out)'
SELECT process, covariate, round(coefficient::numeric, 3) AS coefficient, round(se::numeric, 3) AS se,
       round((coefficient / se)::numeric, 1) AS z
FROM covariate_models, LATERAL (
    VALUES ('purchase', 'log first-day spend', (pnbd_cov).purchase_coefficients[1], (pnbd_cov).purchase_coefficients_se[1]),
           ('purchase', 'several CDs', (pnbd_cov).purchase_coefficients[2], (pnbd_cov).purchase_coefficients_se[2]),
           ('drop-out', 'log first-day spend', (pnbd_cov).dropout_coefficients[1], (pnbd_cov).dropout_coefficients_se[1]),
           ('drop-out', 'several CDs', (pnbd_cov).dropout_coefficients[2], (pnbd_cov).dropout_coefficients_se[2])) c(process, covariate, coefficient, se);
\echo '    AIC (lower is better) and the likelihood-ratio test of the covariates'
SELECT round((pnbd).aic::numeric, 1) AS aic_plain, round((pnbd_cov).aic::numeric, 1) AS aic_covariates,
       round(l.statistic::numeric, 1) AS lr_statistic, l.df, l.p_value < 0.001 AS "p < 0.001"
FROM models, covariate_models, LATERAL clv_lrtest(pnbd, pnbd_cov) l;

-- Every customer's 12-month CLV (1 % monthly discount, weeks: unit_days 7) from the
-- covariate model, beside the plain Pareto/NBD's; the 90 % interval for the top 20.
CREATE TABLE covariate_clv AS
SELECT s.customer_id, s.frequency, s.monetary_value, f.log_spend, f.several_cds,
       gamma_gamma_clv(c.pnbd_cov, m.gg, s.frequency, s.recency, s.t, s.monetary_value,
                       ARRAY[f.log_spend, f.several_cds], ARRAY[f.log_spend, f.several_cds], 12, 0.01, 7) AS clv_12m,
       gamma_gamma_clv(m.pnbd, m.gg, s.frequency, s.recency, s.t, s.monetary_value, 12, 0.01, 7) AS clv_12m_plain,
       NULL::clv_interval AS clv_interval
FROM customer_summary s JOIN first_orders f USING (customer_id), models m, covariate_models c;
ALTER TABLE covariate_clv ADD PRIMARY KEY (customer_id);
UPDATE covariate_clv v
SET clv_interval = gamma_gamma_clv_interval(c.pnbd_cov, m.gg, s.frequency, s.recency, s.t, s.monetary_value,
                                            ARRAY[v.log_spend, v.several_cds], ARRAY[v.log_spend, v.several_cds],
                                            12, 0.01, 7, level => 0.9)
FROM customer_summary s, models m, covariate_models c
WHERE s.customer_id = v.customer_id
  AND v.customer_id IN (SELECT customer_id FROM covariate_clv ORDER BY clv_12m DESC, customer_id LIMIT 20);

\echo '    top 5 customers by 12-month CLV with covariates, with its 90 % interval'
SELECT customer_id, frequency, round(monetary_value::numeric, 2) AS mean_spend,
       round(exp(log_spend)::numeric, 2) AS "first-day spend / typical", several_cds = 1 AS several_cds,
       round(clv_12m::numeric, 2) AS clv_12m, round((clv_interval).lower::numeric, 2) AS lower_90,
       round((clv_interval).upper::numeric, 2) AS upper_90, round(clv_12m_plain::numeric, 2) AS clv_12m_plain
FROM covariate_clv ORDER BY clv_12m DESC, customer_id LIMIT 5;
