-- Model choice: aic, bic and the covariance matrix of every fitted model, and the
-- likelihood-ratio test of nested fits (clv_lrtest).
CREATE TEMP TABLE fits AS
SELECT bgnbd_fit(frequency, recency, t) AS bg,
       mbgnbd_fit(frequency, recency, t) AS mbg,
       pareto_nbd_fit(frequency, recency, t) AS pnbd,
       bgnbd_fit(frequency, recency, t, 0.01) AS bg_pen,
       gamma_gamma_fit(frequency, zbar) AS gg
FROM cdnow_summary;
CREATE TEMP TABLE donations (frequency float8, recency float8, periods float8, weights int);
\copy donations FROM 'data/donations.csv' WITH (FORMAT csv, HEADER)
CREATE TEMP TABLE bb AS
SELECT bgbb_fit(frequency, recency, periods, weights) AS m FROM donations;

-- AIC = 2 k - 2 LL and BIC = k ln(n) - 2 LL with n the customers fitted (lifetimes' and
-- CLVTools' definitions), checked against the direct computation.
SELECT model, k, n, round(ll::numeric, 2) AS log_likelihood, round(aic::numeric, 2) AS aic,
       round(bic::numeric, 2) AS bic,
       abs(aic - (2 * k - 2 * ll)) < 1e-9 AS aic_ok,
       abs(bic - (k * ln(n) - 2 * ll)) < 1e-9 AS bic_ok
FROM (SELECT 'BG/NBD' AS model, 4 AS k, (bg).n_customers AS n, (bg).log_likelihood AS ll, (bg).aic, (bg).bic FROM fits
      UNION ALL SELECT 'MBG/NBD', 4, (mbg).n_customers, (mbg).log_likelihood, (mbg).aic, (mbg).bic FROM fits
      UNION ALL SELECT 'Pareto/NBD', 4, (pnbd).n_customers, (pnbd).log_likelihood, (pnbd).aic, (pnbd).bic FROM fits
      UNION ALL SELECT 'Gamma-Gamma', 3, (gg).n_customers, (gg).log_likelihood, (gg).aic, (gg).bic FROM fits
      UNION ALL SELECT 'BG/BB', 4, (m).n_customers, (m).log_likelihood, (m).aic, (m).bic FROM bb) s
ORDER BY model;

-- The covariance matrix is k x k in the order of the parameters, symmetric, and its
-- diagonal holds the squared standard errors.
SELECT array_dims((bg).covariance) AS bgnbd, array_dims((gg).covariance) AS gamma_gamma,
       array_dims((m).covariance) AS bgbb
FROM fits, bb;
SELECT bool_and(abs(sqrt(c[i][i]) - se[i]) <= 1e-12 * se[i]) AS diagonal_is_se_squared,
       bool_and(c[i][j] = c[j][i]) AS symmetric
FROM (SELECT (bg).covariance AS c, ARRAY[(bg).r_se, (bg).alpha_se, (bg).a_se, (bg).b_se] AS se FROM fits
      UNION ALL SELECT (pnbd).covariance, ARRAY[(pnbd).r_se, (pnbd).alpha_se, (pnbd).s_se, (pnbd).beta_se] FROM fits
      UNION ALL SELECT (m).covariance, ARRAY[(m).alpha_se, (m).beta_se, (m).gamma_se, (m).delta_se] FROM bb) s,
     generate_series(1, 4) i, generate_series(1, 4) j;
-- a and b of BG/NBD are strongly correlated on CDNOW
SELECT round(((bg).covariance[3][4] / ((bg).a_se * (bg).b_se))::numeric, 3) AS corr_a_b FROM fits;
SELECT (bg).penalizer AS ml_fit, (bg_pen).penalizer AS penalised_fit FROM fits;
-- a model built from parameters records no fit
SELECT (m).aic IS NULL AS aic, (m).bic IS NULL AS bic, (m).covariance IS NULL AS covariance,
       (m).penalizer IS NULL AS penalizer
FROM (SELECT bgnbd_model(0.243, 4.414, 0.793, 2.426) AS m) s;

-- The likelihood-ratio test: 2 (LL_full - LL_restricted) against chi-square(df).
SELECT round(statistic::numeric, 4) AS statistic, df, round(p_value::numeric, 8) AS p_value,
       abs(p_value - exp(-10)) < 1e-15 AS chi2_2_tail_ok
FROM clv_lrtest(-100, -90, 2);
SELECT round(statistic::numeric, 4) AS statistic, df, round(p_value::numeric, 6) AS p_value
FROM clv_lrtest(-100.5, -100, 1);
-- Fits of one model without covariates estimate the same parameters: not nested.
SELECT * FROM fits, clv_lrtest(bg, bg);
-- A penalised fit does not maximise the likelihood: no chi-square test.
SELECT * FROM fits, clv_lrtest(bg_pen, bg);
-- Different data.
SELECT * FROM clv_lrtest((SELECT bgnbd_fit(frequency, recency, t) FROM cdnow_summary WHERE id <= 1000),
                         (SELECT bg FROM fits));
-- A model built from parameters; a full model that fits worse; a bad df.
SELECT * FROM fits, clv_lrtest(bgnbd_model(0.243, 4.414, 0.793, 2.426), bg);
SELECT * FROM clv_lrtest(-90, -100, 2);
SELECT * FROM clv_lrtest(-100, -90, 0);
SELECT * FROM clv_lrtest('NaN', -90, 1);
-- Models of different kinds have no test.
SELECT * FROM fits, clv_lrtest(bg, pnbd);

-- Models stored under 0.2 read the new fields as NULL and keep scoring.
SELECT current_database() AS regression_db \gset
CREATE DATABASE clv_choice_upgrade;
\c clv_choice_upgrade
SET client_min_messages = warning;
CREATE EXTENSION clv VERSION '0.2';
CREATE TABLE cust (id int, frequency int, recency float8, t float8, zbar float8);
\copy cust FROM 'data/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER)
-- the 0.3 library fills the fields a 0.2 type has
CREATE TABLE stored AS
SELECT bgnbd_fit(frequency, recency, t) AS bg, gamma_gamma_fit(frequency, zbar) AS gg FROM cust;
SELECT round((bg).r::numeric, 4) AS r, round((bg).log_likelihood::numeric, 2) AS ll FROM stored;
ALTER EXTENSION clv UPDATE;
SELECT (bg).aic IS NULL AS aic_null, (bg).covariance IS NULL AS covariance_null,
       (bg).penalizer IS NULL AS penalizer_null, (gg).bic IS NULL AS gg_bic_null,
       round(bgnbd_p_alive(bg, 2, 30.43, 38.86)::numeric, 6) AS p_alive
FROM stored;
SELECT round((m).aic::numeric, 2) AS fresh_aic, array_dims((m).covariance) AS fresh_covariance
FROM (SELECT bgnbd_fit(frequency, recency, t) AS m FROM cust) s;
SELECT * FROM stored, clv_lrtest(bg, bg);
\c :regression_db
DROP DATABASE clv_choice_upgrade;
