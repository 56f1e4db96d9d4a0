-- report.html: the demo's analysis as one self-contained HTML page (inline SVG charts, no
-- external resources), written to the file named by :out. It only reads the tables the
-- demo steps demo/NN_*.sql create (transactions, customer_summary, models,
-- holdout_predictions, customer_clv, customer_segments, kmeans_choice, ab_test_groups,
-- top_products, dynamic_pricing ...); scripts/demo.sh runs it after them, from the
-- repository's top directory:
--   psql -v out=report.html -f demo/report.sql
--
-- Layout: the report is the rows of report.section in position order, each a heading and
-- an HTML body. To add a section, add a block at the end that calls
--   SELECT report.add(position, 'Heading', body_html);
-- with report.table($$ any query $$) for a table (cells are escaped) and a clv_svg_*
-- function for a chart. Positions: 5 summary, 10 data, 20 models, 30 holdout, 40 CLV, 50 RFM
-- segments, 60 k-means, 65 segmentation charts, 70 A/B test, 80 products, 90 pricing,
-- 100 regression CLV; leave gaps.
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS clv;
\o /dev/null

------------------------------------------------------------------------------------------
-- Report helpers (a schema of the demo, not of the extension)
------------------------------------------------------------------------------------------
DROP SCHEMA IF EXISTS report CASCADE;
CREATE SCHEMA report;
CREATE TABLE report.section (position int PRIMARY KEY, heading text NOT NULL, body text NOT NULL);

CREATE FUNCTION report.esc(s text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT replace(replace(replace(replace(replace(coalesce(s, ''), '&', '&amp;'), '<', '&lt;'),
                                           '>', '&gt;'), '"', '&quot;'), '''', '&#39;')
$$;

-- Any query as an HTML table, columns in the query's order, every cell escaped; text cells
-- are left-aligned, numbers right-aligned.
CREATE FUNCTION report.table(query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    rows json;
    cols text[];
    html text;
BEGIN
    EXECUTE format('SELECT json_agg(q) FROM (%s) q', query) INTO rows;
    IF rows IS NULL THEN
        RETURN '<p class="empty">(no rows)</p>';
    END IF;
    SELECT array_agg(k) INTO cols FROM json_object_keys(rows -> 0) k;
    SELECT '<table><thead><tr>' || string_agg('<th>' || report.esc(c) || '</th>', '' ORDER BY i)
           || '</tr></thead><tbody>' INTO html
    FROM unnest(cols) WITH ORDINALITY u(c, i);
    SELECT html || string_agg(r, '' ORDER BY n) || '</tbody></table>' INTO html
    FROM (SELECT n, '<tr>' || string_agg(CASE WHEN json_typeof(e -> c) = 'string' THEN '<td class="t">' ELSE '<td>' END
                                        || report.esc(e ->> c) || '</td>', '' ORDER BY i) || '</tr>' AS r
          FROM json_array_elements(rows) WITH ORDINALITY a(e, n), unnest(cols) WITH ORDINALITY u(c, i)
          GROUP BY n) t;
    RETURN html;
END
$$;

CREATE FUNCTION report.add(pos int, heading text, body text) RETURNS void LANGUAGE sql AS $$
    INSERT INTO report.section VALUES (pos, heading, body)
$$;

CREATE FUNCTION report.figure(svg text, caption text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT '<figure>' || svg || '<figcaption>' || report.esc(caption) || '</figcaption></figure>'
$$;

------------------------------------------------------------------------------------------
-- Summary in plain words, first. Expected revenue: the sum of every customer's 12-month
-- CLV (BG/NBD purchases times Gamma-Gamma spend), discounted 1 % a month as in the CLV
-- section, and undiscounted. At risk: spent more than the median customer so far (total
-- spend to 1997-09-30) but is more likely gone than active (BG/NBD P(alive) < 0.5).
------------------------------------------------------------------------------------------
SELECT report.add(5, 'Summary', format(
    '<ul class="summary">'
    '<li><strong>%s customers</strong> bought from the shop in the calibration period (to 1997-09-30).</li>'
    '<li><strong>Expected revenue over the next 12 months: $%s</strong> (the sum of the customers'' 12-month CLV, discounted 1 %% a month; $%s undiscounted).</li>'
    '<li><strong>The top 10 %% of customers hold %s %%</strong> of that value (the %s customers with the highest CLV).</li>'
    '<li><strong>%s customers are at risk</strong>: they have spent more than the median customer so far, but are more likely gone than still active (P(alive) &lt; 0.5). They spent $%s to date, %s %% of all spend.</li>'
    '</ul>',
    to_char(n, 'FM999,999,999'), to_char(clv, 'FM999,999,999'), to_char(clv_undiscounted, 'FM999,999,999'),
    to_char(100 * top10, 'FM990.0'), to_char(ceil(n / 10.0), 'FM999,999,999'),
    to_char(at_risk, 'FM999,999,999'), to_char(at_risk_spend, 'FM999,999,999'),
    to_char(100 * at_risk_spend / total_spend, 'FM990.0')))
FROM (SELECT count(*) AS n, sum(c.clv_12m) AS clv, top_share(c.clv_12m, 0.10) AS top10,
             sum(gamma_gamma_clv(m.bg, m.gg, c.frequency, c.recency, c.t, c.monetary_value,
                                 months => 12, monthly_discount => 0, unit_days => 7)) AS clv_undiscounted,
             count(*) FILTER (WHERE s.monetary > med.spend AND c.p_alive < 0.5) AS at_risk,
             sum(s.monetary) FILTER (WHERE s.monetary > med.spend AND c.p_alive < 0.5) AS at_risk_spend,
             sum(s.monetary) AS total_spend
      FROM customer_clv c JOIN customer_segments s USING (customer_id), models m,
           (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY monetary) AS spend FROM customer_segments) med) t;

------------------------------------------------------------------------------------------
-- Data
------------------------------------------------------------------------------------------
SELECT report.add(10, 'Data', report.table($$
    SELECT (SELECT count(*) FROM transactions) AS transactions,
           count(*) AS customers,
           count(*) FILTER (WHERE frequency > 0) AS repeat_buyers,
           (SELECT min(txn_time)::date FROM transactions) AS first_day,
           '1997-09-30' AS calibration_end,
           (SELECT max(txn_time)::date FROM transactions) AS last_day,
           round(avg(frequency), 3) AS mean_repeat_purchases
    FROM customer_summary $$)
    || '<p>CDNOW 1/10 sample (Fader, Hardie &amp; Lee 2005). Time unit: weeks. Models are fitted on the 39-week calibration period and checked on the following 39 weeks.</p>');

------------------------------------------------------------------------------------------
-- Models
------------------------------------------------------------------------------------------
SELECT report.add(20, 'Model parameters', report.table($$
    SELECT model, parameter, round(estimate::numeric, 4) AS estimate, round(se::numeric, 4) AS std_error,
           round((estimate * exp(-1.96 * se / estimate))::numeric, 4) || ' .. '
               || round((estimate * exp(1.96 * se / estimate))::numeric, 4) AS "95% interval",
           round(ll::numeric, 1) AS log_likelihood, converged
    FROM models,
    LATERAL (VALUES
        (1, 'BG/NBD', 'r', (bg).r, (bg).r_se, (bg).log_likelihood, (bg).converged),
        (2, 'BG/NBD', 'alpha', (bg).alpha, (bg).alpha_se, NULL, NULL),
        (3, 'BG/NBD', 'a', (bg).a, (bg).a_se, NULL, NULL),
        (4, 'BG/NBD', 'b', (bg).b, (bg).b_se, NULL, NULL),
        (5, 'MBG/NBD', 'r', (mbg).r, (mbg).r_se, (mbg).log_likelihood, (mbg).converged),
        (6, 'MBG/NBD', 'alpha', (mbg).alpha, (mbg).alpha_se, NULL, NULL),
        (7, 'MBG/NBD', 'a', (mbg).a, (mbg).a_se, NULL, NULL),
        (8, 'MBG/NBD', 'b', (mbg).b, (mbg).b_se, NULL, NULL),
        (9, 'Pareto/NBD', 'r', (pnbd).r, (pnbd).r_se, (pnbd).log_likelihood, (pnbd).converged),
        (10, 'Pareto/NBD', 'alpha', (pnbd).alpha, (pnbd).alpha_se, NULL, NULL),
        (11, 'Pareto/NBD', 's', (pnbd).s, (pnbd).s_se, NULL, NULL),
        (12, 'Pareto/NBD', 'beta', (pnbd).beta, (pnbd).beta_se, NULL, NULL),
        (13, 'Gamma-Gamma', 'p', (gg).p, (gg).p_se, (gg).log_likelihood, (gg).converged),
        (14, 'Gamma-Gamma', 'q', (gg).q, (gg).q_se, NULL, NULL),
        (15, 'Gamma-Gamma', 'gamma', (gg).gamma, (gg).gamma_se, NULL, NULL))
        v(n, model, parameter, estimate, se, ll, converged)
    ORDER BY n $$)
    || '<p>Standard errors from the observed information at the optimum. Every parameter is positive, so the 95 % intervals are Wald intervals of log(θ), exp(log θ ± 1.96 · se / θ) (the delta method: the standard error of log θ is se / θ), which stay positive; an interval much wider on the right than on the left means the data say little about that parameter.</p>');

SELECT report.add(25, 'BG/NBD: who is still a customer',
    report.figure(clv_svg_frequency_recency(bg, 38.86, 'p_alive', 20, 1,
                                            'P(alive) by frequency and recency'),
                  'Probability that a customer first seen 38.86 weeks ago is still active, by repeat purchases and the week of the last one.')
    || report.figure(clv_svg_frequency_recency(bg, 38.86, 'expected_purchases', 20, 39,
                                               'Expected purchases in the next 39 weeks'),
                     'Expected purchases in the next 39 weeks for the same customers.'))
FROM models;

------------------------------------------------------------------------------------------
-- Holdout check
------------------------------------------------------------------------------------------
SELECT report.add(30, 'Holdout accuracy', report.table($$
    SELECT * FROM holdout_comparison ORDER BY rmse $$)
    || report.figure(clv_svg_holdout(clv_holdout_by_frequency(frequency, bg, actual, 7),
                                     'BG/NBD: calibration vs holdout purchases'),
                     'Mean purchases in the 39 holdout weeks by purchases in the calibration period (7 and more pooled), predicted by BG/NBD and actual.'))
FROM holdout_predictions;

------------------------------------------------------------------------------------------
-- CLV
------------------------------------------------------------------------------------------
SELECT report.add(40, 'Customer lifetime value (12 months, 1 % monthly discount)',
    report.table($$
        SELECT count(*) AS customers, round(sum(clv_12m)::numeric, 0) AS total_clv,
               round(avg(clv_12m)::numeric, 2) AS mean_clv,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY clv_12m))::numeric, 2) AS median_clv,
               round((100 * top_share(clv_12m, 0.10))::numeric, 1) AS "top 10% share (%)"
        FROM customer_clv $$)
    || (SELECT report.figure(clv_svg_histogram(clv_12m, 30, 'Distribution of 12-month CLV', 'log',
                                               '12-month CLV ($)', 'customers') FILTER (WHERE clv_12m >= 1),
                             format('Customers by predicted 12-month CLV, on a log scale: equal-width bins would put most customers into the first bar. The peak around $10 is mostly the %s customers who did not buy again in the calibration period; %s customers with a CLV below $1 are left out.',
                                    to_char(count(*) FILTER (WHERE frequency = 0), 'FM999,999'),
                                    count(*) FILTER (WHERE clv_12m < 1)))
        FROM customer_clv)
    || (SELECT report.figure(clv_svg_lorenz(clv_12m, 'Concentration of 12-month CLV'),
                             'Share of total CLV held by the lowest-value customers; the further below the diagonal, the more concentrated.')
        FROM customer_clv)
    || (SELECT report.figure(clv_svg_bar_chart(array_agg(band ORDER BY band), array_agg(customers ORDER BY band),
                                               array_agg(total ORDER BY band),
                                               'Customers and CLV by repeat purchases',
                                               ARRAY['customers', 'total 12-month CLV ($)']),
                             'Customers and their total 12-month CLV by purchases in the calibration period.')
        FROM (SELECT CASE WHEN frequency >= 5 THEN '5+' ELSE frequency::text END AS band,
                     count(*)::float8 AS customers, sum(clv_12m) AS total
              FROM customer_clv GROUP BY 1) b));

SELECT report.add(45, 'Top 20 customers by CLV', report.table($$
    SELECT customer_id, c.frequency, round(recency::numeric, 1) AS recency_weeks, round(t::numeric, 1) AS age_weeks,
           round(monetary_value::numeric, 2) AS mean_spend, round(p_alive::numeric, 3) AS p_alive,
           round(purchases_next_52_weeks::numeric, 2) AS "purchases next 52 weeks",
           round(clv_12m::numeric, 2) AS clv_12m, s.rfm_segment, s.cluster
    FROM customer_clv c JOIN customer_segments s USING (customer_id)
    ORDER BY clv_12m DESC, customer_id LIMIT 20 $$));

------------------------------------------------------------------------------------------
-- RFM segments and value tiers
------------------------------------------------------------------------------------------
SELECT report.add(50, 'RFM segments and value tiers',
    '<p>As of 1997-09-30: recency (days since the last purchase), frequency (purchase days) and monetary value (total spend) scored 1..5 by quintile (<code>rfm_score</code>), named by <code>rfm_segment</code>; value tiers split total spend into the bottom 20 %, the middle 60 % and the top 20 % (<code>value_tier</code>).</p>'
    || report.table($$
        SELECT rfm_segment, count(*) AS customers, round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS "% customers",
               round(avg(recency_days)) AS avg_recency_days, round(avg(s.frequency), 1) AS avg_purchase_days,
               round(avg(monetary), 2) AS avg_spend,
               round(100 * sum(monetary) / sum(sum(monetary)) OVER (), 1) AS "% spend",
               round(sum(clv_12m)::numeric) AS total_clv_12m,
               round(100 * sum(clv_12m)::numeric / sum(sum(clv_12m)::numeric) OVER (), 1) AS "% CLV"
        FROM customer_segments s JOIN customer_clv c USING (customer_id)
        GROUP BY rfm_segment ORDER BY sum(clv_12m) DESC $$)
    || (SELECT report.figure(clv_svg_bar_chart(array_agg(rfm_segment ORDER BY total DESC),
                                               array_agg(customers ORDER BY total DESC),
                                               array_agg(total ORDER BY total DESC),
                                               'RFM segments: size and predicted value',
                                               ARRAY['customers', 'total 12-month CLV ($)']),
                             'Customers per RFM segment and their total predicted 12-month CLV, segments by value.')
        FROM (SELECT rfm_segment, count(*)::float8 AS customers, sum(clv_12m) AS total
              FROM customer_segments JOIN customer_clv USING (customer_id) GROUP BY 1) g)
    || report.table($$
        SELECT value_tier, count(*) AS customers, min(monetary) AS min_spend, max(monetary) AS max_spend,
               round(avg(monetary), 2) AS avg_spend,
               round(100 * sum(monetary) / sum(sum(monetary)) OVER (), 1) AS "% spend",
               round(avg(clv_12m)::numeric, 2) AS avg_clv_12m
        FROM customer_segments JOIN customer_clv USING (customer_id)
        GROUP BY value_tier ORDER BY min(monetary) DESC $$));

------------------------------------------------------------------------------------------
-- k-means
------------------------------------------------------------------------------------------
SELECT report.add(60, 'k-means clusters (k chosen by silhouette)',
    '<p>The same three inputs, log1p then z-score scaled, clustered by k-means for k = 2..8 (<code>kmeans_elbow</code>, <code>kmeans_silhouette</code>); the k with the highest mean silhouette is used by <code>kmeans_segment</code>. Silhouettes near 0.5 and below mean the clusters are not well separated.</p>'
    || (SELECT report.figure(clv_svg_bar_chart(array_agg('k = ' || k ORDER BY k), array_agg(silhouette::float8 ORDER BY k),
                                               array_agg(inertia::float8 ORDER BY k),
                                               'Choosing k: mean silhouette and inertia',
                                               ARRAY['mean silhouette (-1..1)', 'inertia (sum of squares)']),
                             'Mean silhouette (higher is better) and inertia (within-cluster sum of squares, scaled space) by number of clusters.')
        FROM kmeans_choice)
    || report.table($$
        SELECT k, inertia, silhouette, CASE WHEN chosen THEN 'chosen' ELSE '' END AS chosen
        FROM kmeans_choice ORDER BY k $$)
    || report.table($$
        SELECT cluster, count(*) AS customers, round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS "% customers",
               round(avg(recency_days)) AS avg_recency_days, round(avg(s.frequency), 1) AS avg_purchase_days,
               round(avg(monetary), 2) AS avg_spend, round(avg(p_alive)::numeric, 3) AS avg_p_alive,
               round(avg(clv_12m)::numeric, 2) AS avg_clv_12m,
               mode() WITHIN GROUP (ORDER BY rfm_segment) AS typical_rfm_segment
        FROM customer_segments s JOIN customer_clv c USING (customer_id)
        GROUP BY cluster ORDER BY cluster $$));

------------------------------------------------------------------------------------------
-- A/B test
------------------------------------------------------------------------------------------
SELECT report.add(70, 'A/B test example (an A/A test: no effect expected)',
    '<p>Customers are split into variants A (control) and B (treatment) of the experiment <code>demo-1997-10</code> by <code>ab_assign</code>, a hash of the customer id. <strong>The assignment is random and nobody was treated</strong>, so no effect is expected: the outcomes are what the customers did in the 39 holdout weeks (bought again: <code>ab_proportion_test</code>; holdout spend: <code>ab_mean_test</code>, Welch). A p-value below 0.05 would be a false positive, expected once in 20 such tests.</p>'
    || report.table($$ SELECT * FROM ab_results $$));

------------------------------------------------------------------------------------------
-- Products
------------------------------------------------------------------------------------------
SELECT report.add(80, 'Top products (Online-Retail-shaped sample)',
    '<p>CDNOW has no products: this section uses <code>data/online_retail_sample.sql</code> (invoice lines with stock code, description, quantity and unit price; cancellations left out).</p>'
    || report.table($$
        SELECT count(*) AS products, sum(quantity) AS units, sum(revenue) AS revenue,
               round(gini(revenue::float8)::numeric, 3) AS revenue_gini,
               round((100 * top_share(revenue::float8, 0.10))::numeric, 1) AS "top 10% products' share (%)"
        FROM top_products $$)
    || (SELECT report.figure(clv_svg_bar_chart(array_agg(stock_code ORDER BY revenue_rank),
                                               array_agg(revenue::float8 ORDER BY revenue_rank),
                                               array_agg(quantity::float8 ORDER BY revenue_rank),
                                               'Top 10 products by revenue', ARRAY['revenue (£)', 'units sold']),
                             'Revenue and units sold of the 10 products with the most revenue.')
        FROM top_products WHERE revenue_rank <= 10)
    || report.table($$
        SELECT revenue_rank, quantity_rank, stock_code, description, list_price, quantity, revenue,
               revenue_share_pct AS "% revenue", cumulative_revenue_pct AS "cumulative %", quantity_share_pct AS "% units"
        FROM top_products WHERE revenue_rank <= 10 OR quantity_rank <= 10 ORDER BY revenue_rank $$));

------------------------------------------------------------------------------------------
-- Pricing
------------------------------------------------------------------------------------------
SELECT report.add(90, 'Dynamic pricing by RFM segment',
    '<p>A price for every product and RFM segment: <code>segment_price(list_price, segment, rules)</code> with the rule table below (discount, floor price); segments without a rule pay the list price.</p>'
    || report.table($$
        SELECT * FROM pricing_summary ORDER BY "avg discount %", rfm_segment $$));

------------------------------------------------------------------------------------------
-- CLV from every purchase model (demo/11_every_model_clv.sql). Position 47: 45 is the
-- top-20 table.
-- Always current (demo/12_always_current.sql): the model registry, realization of version
-- 1's one-month predictions (October 1997) by segment and cohort, and the alerts.
SELECT report.add(110, 'Always current: model versions, realization vs prediction, alerts',
    '<p>Orders are tracked as they arrive (<code>clv_track</code>); model <code>cdnow</code> was fitted at 1997-09-30 and refitted a month later (<code>clv_refit</code>). Each refit stores its predictions; once a horizon has passed, <code>clv_realization</code> sets them against what customers did. docs/operations.md.</p>'
    || report.table($$
        SELECT version, kind, observation_end::date AS observation_end, n_customers,
               round(log_likelihood::numeric, 1) AS log_likelihood, converged,
               round((bgnbd).r::numeric, 3) AS r, round((bgnbd).alpha::numeric, 3) AS alpha,
               round((bgnbd).a::numeric, 3) AS a, round((bgnbd).b::numeric, 3) AS b
        FROM clv_model_registry WHERE name = 'cdnow' ORDER BY version $$)
    || '<p>Version 1, one month ahead (to 1997-10-30): predicted and actual purchases and revenue by RFM segment at the refit.</p>'
    || report.table($$
        SELECT segment, customers, round(predicted_purchases::numeric, 1) AS predicted_purchases,
               actual_purchases, round(predicted_revenue::numeric, 0) AS predicted_revenue,
               round(actual_revenue::numeric, 0) AS actual_revenue
        FROM clv_realization_by_segment WHERE name = 'cdnow' AND version = 1
        ORDER BY predicted_revenue DESC $$)
    || '<p>By cohort (month of the first purchase):</p>'
    || report.table($$
        SELECT cohort, customers, round(predicted_purchases::numeric, 1) AS predicted_purchases,
               actual_purchases, round(predicted_revenue::numeric, 0) AS predicted_revenue,
               round(actual_revenue::numeric, 0) AS actual_revenue
        FROM clv_realization_by_cohort WHERE name = 'cdnow' AND version = 1 ORDER BY cohort $$)
    || '<p>Alerts (rules: P(alive) below 0.2 with a CLV above 10; entry into At Risk or Can''t Lose Them). The first refit reports every customer already meeting a rule; later ones only new crossings.</p>'
    || report.table($$
        SELECT version, rule, source, count(*) AS alerts FROM clv_alerts WHERE name = 'cdnow'
        GROUP BY 1, 2, 3 ORDER BY 1, 2, 3 $$))
WHERE to_regclass('clv_model_registry') IS NOT NULL
  AND EXISTS (SELECT 1 FROM clv_model_registry WHERE name = 'cdnow');

-- (Further sections: append here, see the header.)
------------------------------------------------------------------------------------------
SELECT report.add(47, 'CLV from every purchase model, and which model',
    '<p>Each purchase model times the Gamma-Gamma spend model (<code>gamma_gamma_clv</code> takes a BG/NBD, MBG/NBD, Pareto/NBD or BG/BB model): 12-month CLV with a 1 % monthly discount, and each model''s predicted spend in the 39 holdout weeks against what the customers spent. BG/BB is fitted on weekly purchase opportunities (did the customer buy in week k after the first purchase). The Pareto/NBD lifetime value is DERT (discounted expected residual transactions, 15 % a year, <code>pareto_nbd_dert</code>) times expected spend.</p>'
    || report.table($$
        SELECT model, round(total_clv) AS "total 12-month CLV ($)", round(mean_clv::numeric, 2) AS "mean CLV ($)",
               round(predicted::numeric) AS "predicted holdout spend ($)", round(actual::numeric) AS "actual holdout spend ($)"
        FROM (SELECT 'BG/NBD' AS model, sum(bgnbd) AS total_clv, avg(bgnbd) AS mean_clv, sum(bg_holdout * spend) AS predicted, sum(actual_holdout_spend) AS actual FROM every_model_clv
              UNION ALL SELECT 'MBG/NBD', sum(mbgnbd), avg(mbgnbd), sum(mbg_holdout * spend), sum(actual_holdout_spend) FROM every_model_clv
              UNION ALL SELECT 'Pareto/NBD', sum(pareto_nbd), avg(pareto_nbd), sum(pnbd_holdout * spend), sum(actual_holdout_spend) FROM every_model_clv
              UNION ALL SELECT 'BG/BB (weekly)', sum(bgbb), avg(bgbb), sum(bgbb_holdout * spend), sum(actual_holdout_spend) FROM every_model_clv) t
        ORDER BY model $$)
    || '<p>AIC = 2k &minus; 2 log L and BIC = k ln(n) &minus; 2 log L (n customers), the fields <code>aic</code> and <code>bic</code> of every fitted model: lower is better, but only between models of the same data (BG/NBD, MBG/NBD and Pareto/NBD here).</p>'
    || report.table($$ SELECT * FROM model_choice ORDER BY data, aic $$)
    || '<p>The ten customers of highest BG/NBD CLV under every model (12 months, $), and their Pareto/NBD lifetime value.</p>'
    || report.table($$
        SELECT customer_id, frequency, round(monetary_value::numeric, 2) AS mean_spend,
               round(bgnbd::numeric, 2) AS "BG/NBD", round(mbgnbd::numeric, 2) AS "MBG/NBD",
               round(pareto_nbd::numeric, 2) AS "Pareto/NBD", round(bgbb::numeric, 2) AS "BG/BB",
               round(pareto_nbd_lifetime::numeric, 2) AS "Pareto/NBD lifetime (DERT)"
        FROM every_model_clv ORDER BY bgnbd DESC, customer_id LIMIT 10 $$));

------------------------------------------------------------------------------------------
-- (Further sections: append here, see the header.)
------------------------------------------------------------------------------------------
-- Covariates (demo/14_covariates.sql): Pareto/NBD with two covariates of the first order,
-- the test against the plain fit, and the top customers' CLV with 90 % intervals.
------------------------------------------------------------------------------------------
SELECT report.add(48, 'Covariates: what the first order says about a customer',
    '<p>Pareto/NBD fitted with two covariates of each customer''s first purchase day, on both the purchase and the drop-out process (<code>pareto_nbd_fit(frequency, recency, t, purchase_covariates, dropout_covariates)</code>): the log of the day''s spend, centred on its mean, and whether the day had more than one CD. A positive purchase coefficient means more purchases (the customer''s alpha is alpha &times; exp(&minus;coefficient &times; covariate)); a positive drop-out coefficient an earlier drop-out. z is the coefficient over its standard error.</p>'
    || report.table($$
        SELECT process, covariate, round(coefficient::numeric, 3) AS coefficient, round(se::numeric, 3) AS "standard error",
               round((coefficient / se)::numeric, 1) AS z
        FROM covariate_models, LATERAL (
            VALUES ('purchase', 'log first-day spend', (pnbd_cov).purchase_coefficients[1], (pnbd_cov).purchase_coefficients_se[1]),
                   ('purchase', 'several CDs on the first day', (pnbd_cov).purchase_coefficients[2], (pnbd_cov).purchase_coefficients_se[2]),
                   ('drop-out', 'log first-day spend', (pnbd_cov).dropout_coefficients[1], (pnbd_cov).dropout_coefficients_se[1]),
                   ('drop-out', 'several CDs on the first day', (pnbd_cov).dropout_coefficients[2], (pnbd_cov).dropout_coefficients_se[2])) c(process, covariate, coefficient, se) $$)
    || '<p>Against the plain Pareto/NBD of the same customers: AIC (lower is better; the covariate model has 8 parameters, the plain one 4) and the likelihood-ratio test of the four coefficients (<code>clv_lrtest(plain, covariates)</code>).</p>'
    || report.table($$
        SELECT round((pnbd).log_likelihood::numeric, 1) AS "log L plain", round((pnbd_cov).log_likelihood::numeric, 1) AS "log L covariates",
               round((pnbd).aic::numeric, 1) AS "AIC plain", round((pnbd_cov).aic::numeric, 1) AS "AIC covariates",
               round(l.statistic::numeric, 1) AS "LR statistic", l.df,
               CASE WHEN l.p_value < 0.0001 THEN '< 0.0001' ELSE round(l.p_value::numeric, 4)::text END AS "p-value"
        FROM models, covariate_models, LATERAL clv_lrtest(pnbd, pnbd_cov) l $$)
    || '<p>The 20 customers of highest 12-month CLV under the covariate model (Pareto/NBD &times; Gamma-Gamma, 1 % monthly discount), with its 90 % interval (<code>gamma_gamma_clv_interval</code> with the customer''s covariates: 1,000 draws of all the fit''s parameters, coefficients included, and of the Gamma-Gamma model), and the plain Pareto/NBD''s CLV.</p>'
    || report.table($$
        SELECT customer_id, frequency, round(monetary_value::numeric, 2) AS mean_spend,
               round(exp(log_spend)::numeric, 2) AS "first-day spend / typical",
               CASE WHEN several_cds = 1 THEN 'yes' ELSE 'no' END AS "several CDs",
               round(clv_12m::numeric, 2) AS "CLV 12 months", round((clv_interval).lower::numeric, 2) AS "90 % lower",
               round((clv_interval).upper::numeric, 2) AS "90 % upper", round(clv_12m_plain::numeric, 2) AS "CLV plain Pareto/NBD"
        FROM covariate_clv WHERE clv_interval IS NOT NULL ORDER BY clv_12m DESC, customer_id $$))
WHERE to_regclass('covariate_models') IS NOT NULL;


------------------------------------------------------------------------------------------
-- Model checks over calendar time (demo/10_model_checks.sql): two charts a row, each
-- model's cumulative and weekly tracking side by side, then the three count checks.
------------------------------------------------------------------------------------------
SELECT report.add(35, 'Model checks over calendar time',
    '<p>Repeat purchases of the 2,357 customers week by week, expected by each model (fitted on the 39 calibration weeks) and made; the dashed line ends the calibration period. Then the customers by repeat purchases in the calibration period, actual and expected.</p>'
    || '<div style="display: grid; grid-template-columns: 1fr 1fr; gap: 8px 16px;">'
    || string_agg(report.figure(clv_svg_tracking(periods, '1997-09-30', true, model || ': cumulative repeat purchases'),
                                model || ': cumulative, expected and actual.')
                  || report.figure(clv_svg_tracking(periods, '1997-09-30', false, model || ': weekly repeat purchases'),
                                   model || ': per week, expected and actual.'), '' ORDER BY model)
    || (SELECT string_agg(report.figure(clv_svg_count_check(bins, model || ': customers by repeat purchases'),
                                        model || ': customers with 0 .. 6 and 7 or more repeat purchases in the calibration weeks.'), '' ORDER BY model)
        FROM model_counts)
    || '</div>')
FROM model_tracking;
------------------------------------------------------------------------------------------

------------------------------------------------------------------------------------------
-- Regression CLV (trees, issue 15): demo/09_regression.sql
------------------------------------------------------------------------------------------
SELECT report.add(100, 'Regression CLV: holdout spend of unseen customers',
    '<p>Each customer''s spend in the 39 holdout weeks, predicted from the calibration summary (repeat purchase days, recency, age, mean repeat spend, total spend). The regression models learn from 80 % of the customers and are scored on the other 20 % (<code>clv_split(customer_id, 0.2) = ''test''</code>); BG/NBD &times; Gamma-Gamma was fitted on the calibration period alone. <code>regression_metrics</code> on the same test customers, best MSE first.</p>'
    || report.table($$ SELECT * FROM regression_comparison ORDER BY mse $$)
    || '<p>Feature importance: the share of the squared error each feature''s splits removed (decision tree; random forest: mean over its trees).</p>'
    || report.table($$ SELECT * FROM regression_importance ORDER BY forest_importance DESC $$)
    || '<p>The same comparison on the Online-Retail-shaped sample (an order is an invoice; cancellations netted against the same day''s purchases; calibration to 2011-08-31, 14 holdout weeks to 2011-12-08). The sample is synthetic: each invoice goes to a customer drawn at random (some far more often than others), nobody drops out, and invoice values vary widely; with 57 test customers and 14 weeks the holdout spend is mostly noise, and every model is close to predicting the mean (R&sup2; near 0 or below).</p>'
    || report.table($$ SELECT * FROM retail_regression_result ORDER BY mse $$));

------------------------------------------------------------------------------------------
-- Segmentation charts (segcharts, issue 15): the k-means segments of step 4 as a scatter
-- plot of recency and spend and as a heat map of cluster profiles, and the dendrogram of
-- a Ward clustering (hclust_fit) of every fifth customer, cut into as many clusters as
-- k-means found.
------------------------------------------------------------------------------------------
SELECT clv_svg_dendrogram((hclust_fit(ARRAY[recency_days, frequency, monetary]::float8[] ORDER BY customer_id,
                                      'ward', 'log_zscore')).linkage,
                          30, 'Ward clustering of every fifth customer',
                          (SELECT count(DISTINCT cluster)::int FROM customer_segments),
                          array_agg('#' || customer_id ORDER BY customer_id)) AS dendrogram
FROM customer_segments WHERE customer_id % 5 = 0 \gset seg_
SELECT report.add(65, 'k-means segments: how they differ',
    '<p>The k-means clusters of the section above, customer by customer: days since the last purchase against total spend (log scale), one colour per cluster (<code>clv_svg_scatter</code>); then each cluster''s mean of each input as a z-score, standardised with the mean and standard deviation of all customers (<code>clv_svg_cluster_profile</code>): red is above the average customer, blue below.</p>'
    || (SELECT report.figure(clv_svg_scatter(recency_days::float8, monetary::float8, cluster,
                                             'k-means segments: recency and spend',
                                             'days since the last purchase', 'total spend ($)', 'log_y')
                                 FILTER (WHERE monetary > 0),
                             'Every customer with a positive spend, coloured by k-means cluster; the legend gives each cluster''s customers with a positive spend.')
        FROM customer_segments)
    || (SELECT report.figure(clv_svg_cluster_profile(cluster, ARRAY[recency_days, frequency, monetary]::float8[],
                                                     ARRAY['recency (days)', 'purchase days', 'spend ($)'],
                                                     'k-means segments: cluster profiles'),
                             'Mean z-score of each input by cluster (0 = the average customer); the number of customers in brackets.')
        FROM customer_segments)
    || report.figure(:'seg_dendrogram', 'Hierarchical (Ward) clustering of the same inputs, log1p then z-score scaled, of every fifth customer (leaves: customer ids, or (n) for a cluster of n customers): the last 29 merges, coloured by the cut into as many clusters as k-means chose (hclust_fit, clv_svg_dendrogram).'));

------------------------------------------------------------------------------------------
-- The page
------------------------------------------------------------------------------------------
\pset tuples_only on
\pset format unaligned
\o :out
SELECT '<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Customer lifetime value report</title>
<style>
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; margin: 24px auto; max-width: 1100px; color: #222; }
h1 { margin-bottom: 4px; } h2 { border-bottom: 2px solid #4e79a7; padding-bottom: 4px; margin-top: 36px; }
table { border-collapse: collapse; margin: 12px 0; font-size: 13px; }
th, td { border: 1px solid #ccc; padding: 4px 10px; text-align: right; }
th { background: #eef2f7; } td:first-child, th:first-child, td.t { text-align: left; }
figure { margin: 16px 0; } figcaption { font-size: 13px; color: #555; max-width: 760px; }
svg { display: block; width: 100%; max-width: 960px; height: auto; }
ul.summary { font-size: 16px; line-height: 1.5; background: #f5f8fb; border-left: 4px solid #4e79a7; padding: 12px 12px 12px 32px; }
</style></head><body>
<h1>Customer lifetime value report</h1>
<p class="meta">CDNOW sample (products: Online-Retail-shaped sample), generated ' || report.esc(to_char(now(), 'YYYY-MM-DD HH24:MI TZ')) || ' by the clv extension.</p>
' || string_agg('<section><h2>' || report.esc(heading) || '</h2>' || body || '</section>', E'\n' ORDER BY position)
  || E'\n</body></html>'
FROM report.section;
\o

