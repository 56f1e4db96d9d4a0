-- Aggregate states passed between processes (parallel workers, partitionwise aggregation)
-- are bytea values of at most 1 GB. Past that an aggregate raises an ERROR instead of
-- sending a wrapped length (which once made gini over 140M values return 0). The limit
-- is lowered here by the test-only setting clv.max_state_bytes, so that a few thousand
-- rows reach it.

CREATE TABLE sl_values AS
SELECT i, (i % 997)::float8 * 1.5 AS x, i % 3 AS grp FROM generate_series(1, 20000) i;
ANALYZE sl_values;

-- A plan with parallel workers, forced (see ci-recipe.md).
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT gini(x) FROM sl_values;

-- Under the limit, parallel results equal serial ones (each aggregate sorts its values
-- before summing, so they are equal to the last bit).
CREATE TABLE sl_results AS
SELECT 'parallel' AS plan, gini(x) AS gini, top_share(x, 0.1) AS top_share,
       md5(clv_svg_histogram(x)) AS histogram, md5(clv_svg_lorenz(x)) AS lorenz
FROM sl_values;
CREATE TABLE sl_summaries AS
SELECT 'parallel' AS plan,
       md5(string_agg(s::text, ',' ORDER BY customer_id)) AS summaries
FROM (SELECT customer_id, clv_summary(txn_time, amount, '1997-09-30', 'week') AS s
      FROM cdnow_txn GROUP BY customer_id) t;
SET max_parallel_workers_per_gather = 0;
INSERT INTO sl_results
SELECT 'serial', gini(x), top_share(x, 0.1), md5(clv_svg_histogram(x)), md5(clv_svg_lorenz(x))
FROM sl_values;
INSERT INTO sl_summaries
SELECT 'serial', md5(string_agg(s::text, ',' ORDER BY customer_id))
FROM (SELECT customer_id, clv_summary(txn_time, amount, '1997-09-30', 'week') AS s
      FROM cdnow_txn GROUP BY customer_id) t;
SELECT plan, round(gini::numeric, 4) AS gini, round(top_share::numeric, 4) AS top_share,
       count(*) OVER (PARTITION BY gini, top_share, histogram, lorenz) AS equal_results
FROM sl_results ORDER BY plan;
SELECT count(DISTINCT summaries) AS distinct_summary_results FROM sl_summaries;

-- Lowered to 8 kB: every partial state below is larger, and every aggregate says so.
-- (Terse: the counts in the DETAIL depend on how the rows fell to the workers.)
SET clv.max_state_bytes = '8kB';
SET max_parallel_workers_per_gather = 2;
\set VERBOSITY terse
SELECT gini(x) FROM sl_values;
SELECT top_share(x, 0.1) FROM sl_values;
SELECT clv_svg_histogram(x) FROM sl_values;
SELECT clv_svg_lorenz(x) FROM sl_values;
SELECT (clv_summary(txn_time, amount, '1997-09-30')).frequency FROM cdnow_txn;
SELECT (bgnbd_fit(frequency, recency, t)).n_customers FROM cdnow_summary;
SELECT kmeans_fit(ARRAY[x, i], 3) IS NOT NULL FROM sl_values;
\set VERBOSITY default

-- The whole message, made deterministic with no workers to launch: the leader alone
-- runs the partial aggregate and serialises its state for the finalize step.
SET max_parallel_workers = 0;
SELECT gini(x) FROM sl_values;
SELECT clv_svg_histogram(x) FROM sl_values;
SELECT (clv_summary(txn_time, amount, '1997-09-30')).frequency FROM cdnow_txn;
SELECT (bgnbd_fit(frequency, recency, t)).n_customers FROM cdnow_summary;
RESET max_parallel_workers;

-- The hint's way out: a serial plan passes no state and has no such limit.
SET max_parallel_workers_per_gather = 0;
SELECT round(gini(x)::numeric, 4) AS gini, length(clv_svg_lorenz(x)) > 0 AS lorenz FROM sl_values;
RESET clv.max_state_bytes;

-- Only superusers may change the setting.
CREATE ROLE sl_user;
SET ROLE sl_user;
SET clv.max_state_bytes = '8kB';
RESET ROLE;
DROP ROLE sl_user;

-- Parallel histogram and Lorenz aggregates in fresh sessions. A field of the chart
-- state was left unset when the leader read a partial state back, so the result
-- depended on what the memory held before: freed memory full of 'H' made every run fail
-- with "cannot combine clv fit states of different models ('?' and 'H')".
\c
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT length(string_agg(repeat('H', 1000), '')) FROM generate_series(1, 1000);
SELECT length(clv_svg_histogram(x)) > 0 AS histogram, length(clv_svg_lorenz(x)) > 0 AS lorenz
FROM sl_values;
\c
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SELECT length(string_agg(repeat('H', 1000), '')) FROM generate_series(1, 1000);
SELECT grp, length(clv_svg_histogram(x, 10, 'Group ' || grp)) > 0 AS histogram,
       length(clv_svg_lorenz(x, 'Group ' || grp)) > 0 AS lorenz
FROM sl_values GROUP BY grp ORDER BY grp;

-- n_customers is a bigint: weights adding up past 2^63 are an ERROR (it was -2^63);
-- below that the fit is the one of the unscaled weights.
CREATE TEMP TABLE sl_bgbb (frequency int, recency int, weight float8);
INSERT INTO sl_bgbb VALUES (0, 0, 40), (1, 1, 10), (1, 6, 10), (3, 6, 10), (6, 6, 20), (2, 3, 10);
SELECT (bgbb_fit(frequency, recency, 6, weight * 1e17)).n_customers FROM sl_bgbb;
SELECT scale, round(alpha::numeric, 3) AS alpha, round(beta::numeric, 3) AS beta,
       round(gamma::numeric, 3) AS gamma, round(delta::numeric, 3) AS delta, n_customers, converged
FROM (VALUES (1), (5e16)) s(scale),
     LATERAL (SELECT (bgbb_fit(frequency, recency, 6, weight * scale)).* FROM sl_bgbb) f
ORDER BY scale;

DROP TABLE sl_values, sl_results, sl_summaries;
