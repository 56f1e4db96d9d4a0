-- Benchmark queries, run by bench/run.sh after the data is loaded into txn.
-- Every measurement is the best of :reps runs; ratios compare with a baseline measured
-- in the same run on the same data.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
SET work_mem = '1GB';
SET maintenance_work_mem = '1GB';  -- k-means keeps its rows within it
SET max_parallel_workers_per_gather = 2;

CREATE OR REPLACE FUNCTION pg_temp.best_of(q text, reps int) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
    best float8 := 'Infinity';
    t0 timestamptz;
BEGIN
    FOR i IN 1 .. reps LOOP
        t0 := clock_timestamp();
        EXECUTE q;
        best := least(best, extract(epoch FROM clock_timestamp() - t0));
    END LOOP;
    RETURN best;
END $$;

CREATE TEMP TABLE result (n serial, benchmark text, seconds float8, baseline text,
                          baseline_seconds float8, target text);

-- 1. clv_summary vs the plain aggregates it replaces.
INSERT INTO result (benchmark, seconds, baseline, baseline_seconds, target)
SELECT 'clv_summary GROUP BY customer',
       pg_temp.best_of($q$SELECT count(*) FROM (SELECT customer_id,
              clv_summary(txn_time, amount, '2024-12-31', 'week') AS s
              FROM txn GROUP BY customer_id) q WHERE s IS NOT NULL$q$, :reps),
       'count(DISTINCT day), min, max, sum GROUP BY customer',
       pg_temp.best_of($q$SELECT count(*) FROM (SELECT customer_id,
              count(DISTINCT txn_time::date) AS d, min(txn_time) AS a, max(txn_time) AS b,
              sum(amount) AS s FROM txn GROUP BY customer_id) q
              WHERE (d, a, b, s) IS NOT NULL$q$, :reps),
       'ratio <= 1.5';

CREATE TABLE summary AS
SELECT customer_id, (clv_summary(txn_time, amount, '2024-12-31', 'week')).*
FROM txn GROUP BY customer_id;
ANALYZE summary;
SELECT count(*) AS customers,
       count(DISTINCT (frequency, recency, t)) AS distinct_rows,
       count(*) FILTER (WHERE frequency > 0) AS repeat_buyers
FROM summary \gset

-- 2. Fits over every customer summary; the baseline is one pass of plain aggregates
-- over the same columns (the floor any aggregate pays).
INSERT INTO result (benchmark, seconds, baseline, baseline_seconds, target)
SELECT format('bgnbd_fit over %s customers (%s distinct rows)', :customers, :distinct_rows),
       pg_temp.best_of('SELECT bgnbd_fit(frequency, recency, t) FROM summary', :fitreps),
       'sum(frequency), sum(ln(1 + recency)), sum(ln(1 + t))',
       pg_temp.best_of('SELECT sum(frequency), sum(ln(1 + recency)), sum(ln(1 + t)) FROM summary', :reps),
       '< 1 s';
INSERT INTO result (benchmark, seconds, baseline, baseline_seconds, target)
SELECT format('gamma_gamma_fit over %s repeat buyers', :repeat_buyers),
       pg_temp.best_of('SELECT gamma_gamma_fit(frequency, monetary_value) FROM summary', :fitreps),
       'sum(frequency), sum(ln(monetary_value))',
       pg_temp.best_of('SELECT sum(frequency), sum(ln(monetary_value + 1)) FROM summary', :reps),
       '< 0.5 s';
INSERT INTO result (benchmark, seconds, baseline, baseline_seconds, target)
SELECT format('pareto_nbd_fit over %s customers', :customers),
       pg_temp.best_of('SELECT pareto_nbd_fit(frequency, recency, t) FROM summary', 1),
       'sum(frequency), sum(ln(1 + recency)), sum(ln(1 + t))',
       pg_temp.best_of('SELECT sum(frequency), sum(ln(1 + recency)), sum(ln(1 + t)) FROM summary', :reps),
       '< 3 s';

CREATE TABLE models AS
SELECT bgnbd_fit(frequency, recency, t) AS bg, gamma_gamma_fit(frequency, monetary_value) AS gg,
       pareto_nbd_fit(frequency, recency, t) AS pnbd
FROM summary;

-- 3. Scoring: expected purchases + P(alive) + 12-month CLV per customer, against plain
-- SQL arithmetic of the same size: the P(alive) formula, one power term for the
-- expectation and twelve discounted monthly power terms for the CLV.
SELECT 'SELECT sum(1 / (1 + CASE WHEN frequency > 0 THEN (m).a / ((m).b + frequency - 1)
          * (((m).alpha + t) / ((m).alpha + recency)) ^ ((m).r + frequency) ELSE 0 END)
        + ((m).r + frequency) / ((m).alpha + t) * (1 - (((m).alpha + t) / ((m).alpha + t + 52)) ^ ((m).a))'
       || string_agg(format(' + (1 - (((m).alpha + t) / ((m).alpha + t + %s)) ^ ((m).r + frequency)) * monetary_value / 1.01 ^ %s',
                            round(i * 30 / 7.0, 4), i), '' ORDER BY i)
       || ') FROM summary, (SELECT bg AS m FROM models) mm' AS plain_scoring
FROM generate_series(1, 12) i \gset
INSERT INTO result (benchmark, seconds, baseline, baseline_seconds, target)
SELECT format('scoring %s customers (E[X], P(alive), gamma_gamma_clv)', :customers),
       pg_temp.best_of($q$SELECT sum(bgnbd_expected_purchases(bg, 52, frequency, recency, t)
              + bgnbd_p_alive(bg, frequency, recency, t)
              + gamma_gamma_clv(bg, gg, frequency, recency, t, monetary_value, 12, 0.01, 7))
              FROM summary, models$q$, :reps),
       'the same arithmetic size in plain SQL (P(alive) + 13 power terms)',
       pg_temp.best_of(:'plain_scoring', :reps),
       'ratio <= 3';

-- 4. Parallel speed-up of the aggregates: workers 0 vs 2.
SET max_parallel_workers_per_gather = 0;
SELECT pg_temp.best_of($q$SELECT count(*) FROM (SELECT customer_id,
       clv_summary(txn_time, amount, '2024-12-31', 'week') AS s FROM txn GROUP BY customer_id) q
       WHERE s IS NOT NULL$q$, :reps) AS summary_serial,
       pg_temp.best_of('SELECT clv_summary(txn_time, amount, ''2024-12-31'', ''week'') FROM txn', :reps) AS onegroup_serial,
       pg_temp.best_of('SELECT bgnbd_fit(frequency, recency, t) FROM summary', :fitreps) AS fit_serial,
       pg_temp.best_of('SELECT gamma_gamma_fit(frequency, monetary_value) FROM summary', :fitreps) AS gg_serial,
       pg_temp.best_of('SELECT sum(frequency), sum(ln(1 + recency)), sum(ln(1 + t)) FROM summary', :reps) AS sums_serial \gset
SET max_parallel_workers_per_gather = 2;
INSERT INTO result (benchmark, seconds, baseline, baseline_seconds, target)
SELECT 'clv_summary GROUP BY customer, 2 workers', pg_temp.best_of($q$SELECT count(*) FROM (SELECT customer_id,
       clv_summary(txn_time, amount, '2024-12-31', 'week') AS s FROM txn GROUP BY customer_id) q
       WHERE s IS NOT NULL$q$, :reps), 'the same with 0 workers', :summary_serial, 'ratio < 1: faster'
UNION ALL
SELECT 'clv_summary over all transactions (one group), 2 workers',
       pg_temp.best_of('SELECT clv_summary(txn_time, amount, ''2024-12-31'', ''week'') FROM txn', :reps),
       'the same with 0 workers', :onegroup_serial, 'ratio < 1: faster'
UNION ALL
SELECT 'bgnbd_fit, 2 workers', pg_temp.best_of('SELECT bgnbd_fit(frequency, recency, t) FROM summary', :fitreps),
       'the same with 0 workers', :fit_serial, 'ratio < 1: faster'
UNION ALL
SELECT 'gamma_gamma_fit, 2 workers', pg_temp.best_of('SELECT gamma_gamma_fit(frequency, monetary_value) FROM summary', :fitreps),
       'the same with 0 workers', :gg_serial, 'ratio < 1: faster'
UNION ALL
-- The platform's own parallel cost: plain sums over the same summaries.
SELECT 'plain sum() over the summaries, 2 workers',
       pg_temp.best_of('SELECT sum(frequency), sum(ln(1 + recency)), sum(ln(1 + t)) FROM summary', :reps),
       'the same with 0 workers', :sums_serial, 'reference';

-- 5. k-means, when the segmentation functions are installed.
SELECT EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'kmeans_segment') AS has_kmeans \gset
\if :has_kmeans
INSERT INTO result (benchmark, seconds, baseline, baseline_seconds, target)
SELECT format('kmeans_segment %s rows x 3 features, k = 5', :customers),
       pg_temp.best_of($q$SELECT max(c) FROM (SELECT kmeans_segment(ARRAY[frequency, recency, monetary_value], 5) OVER () AS c
              FROM summary) q$q$, 1),
       'ntile(5) OVER (ORDER BY frequency)',
       pg_temp.best_of('SELECT max(c) FROM (SELECT ntile(5) OVER (ORDER BY frequency) AS c FROM summary) q', :reps),
       '< 3 s';
\endif

SELECT benchmark, round(seconds::numeric, 3) AS seconds, baseline,
       round(baseline_seconds::numeric, 3) AS baseline_s,
       round((seconds / nullif(baseline_seconds, 0))::numeric, 2) AS ratio, target
FROM result ORDER BY n;

-- Parameter recovery against the generator's truth (weeks; spends).
SELECT 'BG/NBD' AS model, round((bg).r::numeric, 3) AS r, round((bg).alpha::numeric, 3) AS alpha,
       round((bg).a::numeric, 3) AS a, round((bg).b::numeric, 3) AS b,
       round((100 * greatest(abs((bg).r / 1.0 - 1), abs((bg).alpha / 2.0 - 1),
                             abs((bg).a / 1.2 - 1), abs((bg).b / 10.0 - 1)))::numeric, 1) AS max_error_pct,
       (bg).converged
FROM models;
SELECT 'Gamma-Gamma' AS model, round((gg).p::numeric, 3) AS p, round((gg).q::numeric, 3) AS q,
       round((gg).gamma::numeric, 3) AS gamma,
       round((100 * greatest(abs((gg).p / 6.0 - 1), abs((gg).q / 4.0 - 1), abs((gg).gamma / 15.0 - 1)))::numeric, 1) AS max_error_pct,
       (gg).converged
FROM models;
SELECT 'Pareto/NBD (misspecified: data are BG/NBD)' AS model, round((pnbd).r::numeric, 3) AS r,
       round((pnbd).alpha::numeric, 3) AS alpha, round((pnbd).s::numeric, 3) AS s,
       round((pnbd).beta::numeric, 3) AS beta, round((pnbd).log_likelihood::numeric, 1) AS ll,
       round((bg).log_likelihood::numeric, 1) AS bgnbd_ll, (pnbd).converged
FROM models;
