-- Demo step 9: regression CLV. Predict each customer's spend in the 39 holdout weeks from
-- the calibration summary (the RFM inputs: repeat purchase days, recency, age, mean repeat
-- spend, total spend), trained on 80 % of the customers and judged on the other 20 %
-- (clv_split): linear regression, a decision tree and a random forest against BG/NBD
-- purchases times Gamma-Gamma spend from step 2 (fitted on the calibration period alone).
-- Title: Regression CLV on CDNOW and the Online-Retail sample: linear regression, decision tree, random forest vs BG/NBD + Gamma-Gamma (clv_split)
DROP TABLE IF EXISTS regression_data, regression_models, regression_predictions CASCADE;
CREATE TABLE regression_data AS
SELECT h.customer_id, clv_split(h.customer_id::text, 0.2) AS part,
       ARRAY[h.frequency, h.recency, h.t, coalesce(h.monetary_value, 0), h.total_spend]::float8[] AS features,
       h.holdout_frequency * h.holdout_monetary_value AS holdout_spend,
       h.frequency, h.recency, h.t, h.monetary_value, h.holdout_length
FROM holdout_summary h;
SELECT count(*) FILTER (WHERE part = 'train') AS tr, count(*) FILTER (WHERE part = 'test') AS te
FROM regression_data \gset
\echo '    clv_split(customer_id, 0.2): ' :tr 'training and' :te 'test customers; target: holdout spend'

CREATE TABLE regression_models AS
SELECT linreg_fit(holdout_spend, features) AS linreg,
       decision_tree_fit(holdout_spend, features, 4, 20) AS tree,
       random_forest_fit(holdout_spend, features, 200, 8, 10, 42) AS forest
FROM regression_data WHERE part = 'train';

CREATE TABLE regression_predictions AS
SELECT d.customer_id, d.holdout_spend AS actual,
       linreg_predict(m.linreg, d.features) AS linreg,
       decision_tree_predict(m.tree, d.features) AS tree,
       random_forest_predict(m.forest, d.features) AS forest,
       bgnbd_expected_purchases(s.bg, d.holdout_length, d.frequency, d.recency, d.t)
         * gamma_gamma_expected_spend(s.gg, d.frequency, coalesce(d.monetary_value, 0)) AS btyd
FROM regression_data d, regression_models m, models s
WHERE d.part = 'test';

CREATE OR REPLACE VIEW regression_comparison AS
SELECT model, (e).n AS customers, round((e).mae::numeric, 2) AS mae, round((e).mse::numeric, 0) AS mse,
       round((e).rmse::numeric, 2) AS rmse, round((e).r2::numeric, 3) AS r2
FROM (SELECT 'Linear regression (linreg_fit)' AS model, regression_metrics(actual, linreg) AS e FROM regression_predictions
      UNION ALL SELECT 'Decision tree (depth 4, 20 a leaf)', regression_metrics(actual, tree) FROM regression_predictions
      UNION ALL SELECT 'Random forest (200 trees, depth 8)', regression_metrics(actual, forest) FROM regression_predictions
      UNION ALL SELECT 'BG/NBD x Gamma-Gamma', regression_metrics(actual, btyd) FROM regression_predictions) r;
\echo '    holdout spend of the test customers: MAE, MSE, R^2 (best MSE first)'
SELECT * FROM regression_comparison ORDER BY mse;

CREATE OR REPLACE VIEW regression_importance AS
SELECT f.name AS feature, round(((m.tree).importance[f.i])::numeric, 3) AS tree_importance,
       round(((m.forest).importance[f.i])::numeric, 3) AS forest_importance
FROM regression_models m,
     unnest(ARRAY['repeat purchase days', 'recency', 'age (t)', 'mean repeat spend', 'total spend'])
       WITH ORDINALITY f(name, i);
\echo '    feature importance (impurity decrease, sums to 1)'
SELECT * FROM regression_importance ORDER BY forest_importance DESC;

-- The same comparison on the Online-Retail-shaped sample of step 7: an order is an invoice
-- (its lines summed; cancellations, 'C' invoices with negative amounts, are netted against
-- the same day's purchases: refunds => 'net'), customers without an id are left out;
-- calibration to 2011-08-31, holdout to 2011-12-08 (14 weeks). The BTYD models are fitted
-- on these customers' calibration period.
DROP TABLE IF EXISTS retail_regression CASCADE;
CREATE TABLE retail_regression AS
SELECT customer_id, clv_split(customer_id::text, 0.2) AS part,
       ARRAY[frequency, recency, t, coalesce(monetary_value, 0), total_spend]::float8[] AS features,
       holdout_frequency * coalesce(holdout_monetary_value, 0) AS holdout_spend,
       frequency, recency, t, monetary_value, holdout_length
FROM (SELECT customer_id,
             (clv_summary_holdout(invoiced_at, amount, '2011-08-31', '2011-12-08', 'week', 'net')).*
      FROM (SELECT customer_id, invoice_no, min(invoice_date)::timestamptz AS invoiced_at,
                   sum(quantity * unit_price)::float8 AS amount
            FROM online_retail WHERE customer_id IS NOT NULL
            GROUP BY customer_id, invoice_no) invoices
      GROUP BY customer_id) s
WHERE frequency IS NOT NULL;
SELECT count(*) FILTER (WHERE part = 'train') AS tr, count(*) FILTER (WHERE part = 'test') AS te
FROM retail_regression \gset
\echo '    Online-Retail sample: ' :tr 'training and' :te 'test customers; target: holdout spend (14 weeks)'
CREATE OR REPLACE VIEW retail_regression_comparison AS
WITH m AS (
    SELECT linreg_fit(holdout_spend, features) FILTER (WHERE part = 'train') AS linreg,
           decision_tree_fit(holdout_spend, features, 4, 10) FILTER (WHERE part = 'train') AS tree,
           random_forest_fit(holdout_spend, features, 200, 8, 5, 42) FILTER (WHERE part = 'train') AS forest,
           bgnbd_fit(frequency, recency, t) AS bg,
           gamma_gamma_fit(frequency, monetary_value) FILTER (WHERE frequency > 0) AS gg
    FROM retail_regression),
p AS (
    SELECT d.holdout_spend AS actual, linreg_predict(m.linreg, d.features) AS linreg,
           decision_tree_predict(m.tree, d.features) AS tree,
           random_forest_predict(m.forest, d.features) AS forest,
           bgnbd_expected_purchases(m.bg, d.holdout_length, d.frequency, d.recency, d.t)
             * gamma_gamma_expected_spend(m.gg, d.frequency, coalesce(d.monetary_value, 0)) AS btyd
    FROM retail_regression d, m WHERE d.part = 'test')
SELECT model, (e).n AS customers, round((e).mae::numeric, 2) AS mae, round((e).mse::numeric, 0) AS mse,
       round((e).rmse::numeric, 2) AS rmse, round((e).r2::numeric, 3) AS r2
FROM (SELECT 'Linear regression (linreg_fit)' AS model, regression_metrics(actual, linreg) AS e FROM p
      UNION ALL SELECT 'Decision tree (depth 4, 10 a leaf)', regression_metrics(actual, tree) FROM p
      UNION ALL SELECT 'Random forest (200 trees, depth 8)', regression_metrics(actual, forest) FROM p
      UNION ALL SELECT 'BG/NBD x Gamma-Gamma', regression_metrics(actual, btyd) FROM p) r;
CREATE TABLE retail_regression_result AS SELECT * FROM retail_regression_comparison;
SELECT * FROM retail_regression_result ORDER BY mse;
