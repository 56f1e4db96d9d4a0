-- report.html on the CDNOW sample: fits the models on a 39-week calibration period, checks
-- them on the 39-week holdout, scores 12-month CLV, and writes one self-contained HTML page
-- (inline SVG charts, no external resources) to the file named by :out.
-- Run by demo/report.sh from the repository's top directory:
--   psql -v out=report.html -f demo/report.sql
--
-- Layout: the report is the rows of report.section in position order, each a heading and
-- an HTML body. To add a section, add a block at the end that calls
--   SELECT report.add(position, 'Heading', body_html);
-- with report.table($$ any query $$) for a table (cells are escaped) and a clv_svg_*
-- function for a chart. Positions: 10 data, 20 models, 30 holdout, 40 CLV; leave gaps.
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

-- Any query as an HTML table, columns in the query's order, every cell escaped.
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
    FROM (SELECT n, '<tr>' || string_agg('<td>' || report.esc(e ->> c) || '</td>', '' ORDER BY i) || '</tr>' AS r
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
-- Data
------------------------------------------------------------------------------------------
\echo '--- loading data/CDNOW_sample.txt'
DROP TABLE IF EXISTS cdnow_raw, transactions, customer_summary, holdout_summary, models,
                     customer_clv, holdout_predictions;
CREATE TABLE cdnow_raw (line text);
\copy cdnow_raw FROM 'data/CDNOW_sample.txt'
CREATE TABLE transactions AS
SELECT f[2]::int AS customer_id, to_date(f[3], 'YYYYMMDD')::timestamptz AS txn_time,
       f[4]::int AS n_cds, f[5]::float8 AS amount
FROM (SELECT regexp_split_to_array(btrim(line), '\s+') AS f FROM cdnow_raw) s;
DROP TABLE cdnow_raw;

-- Calibration: 1997-01-01 .. 1997-09-30 (39 weeks); holdout: to 1998-06-30 (39 weeks).
CREATE TABLE holdout_summary AS
SELECT customer_id, (clv_summary_holdout(txn_time, amount, '1997-09-30', '1998-06-30', 'week')).*
FROM transactions GROUP BY customer_id;
CREATE TABLE customer_summary AS
SELECT customer_id, frequency, recency, t, monetary_value FROM holdout_summary;

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
\echo '--- fitting BG/NBD, MBG/NBD, Pareto/NBD and Gamma-Gamma'
CREATE TABLE models AS
SELECT (SELECT bgnbd_fit(frequency, recency, t) FROM customer_summary) AS bg,
       (SELECT mbgnbd_fit(frequency, recency, t) FROM customer_summary) AS mbg,
       (SELECT pareto_nbd_fit(frequency, recency, t) FROM customer_summary) AS pnbd,
       (SELECT gamma_gamma_fit(frequency, monetary_value) FROM customer_summary) AS gg,
       now() AS fitted_at;

SELECT report.add(20, 'Model parameters', report.table($$
    SELECT model, parameter, round(estimate::numeric, 4) AS estimate, round(se::numeric, 4) AS std_error,
           round((estimate - 1.96 * se)::numeric, 4) || ' .. ' || round((estimate + 1.96 * se)::numeric, 4)
               AS "95% interval",
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
    || '<p>Standard errors from the observed information at the optimum; Wald 95 % intervals.</p>');

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
\echo '--- predicting the holdout period'
CREATE TABLE holdout_predictions AS
SELECT h.customer_id, h.frequency, h.holdout_frequency AS actual,
       bgnbd_expected_purchases(bg, holdout_length, frequency, recency, t) AS bg,
       mbgnbd_expected_purchases(mbg, holdout_length, frequency, recency, t) AS mbg,
       pareto_nbd_expected_purchases(pnbd, holdout_length, frequency, recency, t) AS pnbd
FROM holdout_summary h, models;

SELECT report.add(30, 'Holdout accuracy', report.table($$
    SELECT model, (e).n AS customers, round((e).mae::numeric, 4) AS mae, round((e).rmse::numeric, 4) AS rmse,
           round((e).bias::numeric, 4) AS bias, round((e).correlation::numeric, 4) AS correlation,
           round((e).predicted_total::numeric, 1) AS predicted_total, round((e).actual_total::numeric, 1) AS actual_total
    FROM (SELECT 'BG/NBD' AS model, clv_holdout_eval(bg, actual) AS e FROM holdout_predictions
          UNION ALL SELECT 'MBG/NBD', clv_holdout_eval(mbg, actual) FROM holdout_predictions
          UNION ALL SELECT 'Pareto/NBD', clv_holdout_eval(pnbd, actual) FROM holdout_predictions) r
    ORDER BY (e).rmse $$)
    || report.figure(clv_svg_holdout(clv_holdout_by_frequency(frequency, bg, actual, 7),
                                     'BG/NBD: calibration vs holdout purchases'),
                     'Mean purchases in the 39 holdout weeks by purchases in the calibration period (7 and more pooled), predicted by BG/NBD and actual.'))
FROM holdout_predictions;

------------------------------------------------------------------------------------------
-- CLV
------------------------------------------------------------------------------------------
\echo '--- scoring 12-month CLV'
CREATE TABLE customer_clv AS
SELECT s.customer_id, s.frequency, s.recency, s.t, s.monetary_value,
       bgnbd_p_alive(m.bg, s.frequency, s.recency, s.t) AS p_alive,
       bgnbd_expected_purchases(m.bg, 52, s.frequency, s.recency, s.t) AS purchases_next_52_weeks,
       gamma_gamma_clv(m.bg, m.gg, s.frequency, s.recency, s.t, s.monetary_value,
                       months => 12, monthly_discount => 0.01, unit_days => 7) AS clv_12m
FROM customer_summary s, models m;

SELECT report.add(40, 'Customer lifetime value (12 months, 1 % monthly discount)',
    report.table($$
        SELECT count(*) AS customers, round(sum(clv_12m)::numeric, 0) AS total_clv,
               round(avg(clv_12m)::numeric, 2) AS mean_clv,
               round((percentile_cont(0.5) WITHIN GROUP (ORDER BY clv_12m))::numeric, 2) AS median_clv,
               round((sum(clv_12m) FILTER (WHERE r <= n / 10) / sum(clv_12m) * 100)::numeric, 1)
                   AS "top 10% share (%)"
        FROM (SELECT clv_12m, row_number() OVER (ORDER BY clv_12m DESC) AS r, count(*) OVER () AS n
              FROM customer_clv) c $$)
    || (SELECT report.figure(clv_svg_histogram(clv_12m, 40, 'Distribution of 12-month CLV'),
                             'Customers by predicted 12-month CLV.') FROM customer_clv)
    || (SELECT report.figure(clv_svg_lorenz(clv_12m, 'Concentration of 12-month CLV'),
                             'Share of total CLV held by the lowest-value customers; the further below the diagonal, the more concentrated.')
        FROM customer_clv)
    || (SELECT report.figure(clv_svg_bar_chart(array_agg(band ORDER BY band), array_agg(customers ORDER BY band),
                                               array_agg(total ORDER BY band),
                                               'Customers and CLV by repeat purchases',
                                               ARRAY['customers', 'total 12-month CLV']),
                             'Customers and their total 12-month CLV by purchases in the calibration period.')
        FROM (SELECT CASE WHEN frequency >= 5 THEN '5+' ELSE frequency::text END AS band,
                     count(*)::float8 AS customers, sum(clv_12m) AS total
              FROM customer_clv GROUP BY 1) b));

SELECT report.add(45, 'Top 20 customers by CLV', report.table($$
    SELECT customer_id, frequency, round(recency::numeric, 1) AS recency_weeks, round(t::numeric, 1) AS age_weeks,
           round(monetary_value::numeric, 2) AS mean_spend, round(p_alive::numeric, 3) AS p_alive,
           round(purchases_next_52_weeks::numeric, 2) AS purchases_next_52_weeks,
           round(clv_12m::numeric, 2) AS clv_12m
    FROM customer_clv ORDER BY clv_12m DESC, customer_id LIMIT 20 $$));

------------------------------------------------------------------------------------------
-- (Further sections: append here, see the header.)
------------------------------------------------------------------------------------------

------------------------------------------------------------------------------------------
-- The page
------------------------------------------------------------------------------------------
\echo '--- writing' :out
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
th { background: #eef2f7; } td:first-child, th:first-child { text-align: left; }
figure { margin: 16px 0; } figcaption { font-size: 13px; color: #555; max-width: 760px; }
svg { display: block; }
</style></head><body>
<h1>Customer lifetime value report</h1>
<p class="meta">CDNOW sample, generated ' || report.esc(to_char(now(), 'YYYY-MM-DD HH24:MI TZ')) || ' by the clv extension.</p>
' || string_agg('<section><h2>' || report.esc(heading) || '</h2>' || body || '</section>', E'\n' ORDER BY position)
  || E'\n</body></html>'
FROM report.section;
\o
