-- BG/NBD (Fader, Hardie & Lee 2005): fit, predictions, errors.

-- Acceptance: the published CDNOW fit r = 0.243, alpha = 4.414, a = 0.793, b = 2.426,
-- LL = -9582.4, from the published calibration summary.
SELECT round(r::numeric, 3) AS r, round(alpha::numeric, 3) AS alpha,
       round(a::numeric, 3) AS a, round(b::numeric, 3) AS b,
       round(log_likelihood::numeric, 1) AS log_likelihood, n_customers, converged,
       iterations BETWEEN 1 AND 200 AS iterations_ok
FROM (SELECT (bgnbd_fit(frequency, recency, t)).* FROM cdnow_summary) f;

-- The same fit straight from the transaction log through clv_summary.
CREATE TABLE cdnow_bgnbd AS
SELECT (bgnbd_fit(frequency, recency, t)).*
FROM (SELECT (clv_summary(txn_time, amount, '1997-09-30', 'week')).*
      FROM cdnow_txn GROUP BY customer_id) s;
SELECT round(r::numeric, 3) AS r, round(alpha::numeric, 3) AS alpha,
       round(a::numeric, 3) AS a, round(b::numeric, 3) AS b,
       round(log_likelihood::numeric, 1) AS log_likelihood, n_customers, converged
FROM cdnow_bgnbd;

-- Predictions at the fixed published parameters agree with an independent
-- implementation on every CDNOW customer (max relative error below 1e-6).
CREATE TABLE published AS
SELECT bgnbd_model(0.243, 4.414, 0.793, 2.426) AS m;
SELECT count(*) AS customers,
       max(abs(bgnbd_expected_purchases(m, 39, frequency, recency, t) - expected_purchases_39)
           / expected_purchases_39) < 1e-6 AS expected_ok,
       max(abs(bgnbd_p_alive(m, frequency, recency, t) - p_alive) / p_alive) < 1e-6 AS p_alive_ok
FROM cdnow_bgnbd_ref, published;

-- Customer 1 of the paper: 1.226 expected purchases in the next 39 weeks.
SELECT round(bgnbd_expected_purchases(m, 39, 2, 30.43, 38.86)::numeric, 3) AS customer_1,
       round(bgnbd_p_alive(m, 2, 30.43, 38.86)::numeric, 4) AS p_alive_1
FROM published;

-- A new customer: E[X(t)] for t = 39 and 78 weeks; t = 0 gives 0.
SELECT round(bgnbd_expected_purchases(m, 39)::numeric, 4) AS e39,
       round(bgnbd_expected_purchases(m, 78)::numeric, 4) AS e78,
       bgnbd_expected_purchases(m, 0) AS e0
FROM published;
-- The unconditional expectation is the conditional one of a customer with no history.
SELECT abs(bgnbd_expected_purchases(m, 52) - bgnbd_expected_purchases(m, 52, 0, 0, 0)) < 1e-12 AS same
FROM published;

-- Long horizons stay finite and increase (Euler-transformed series).
SELECT round(bgnbd_expected_purchases(m, 520, 2, 30.43, 38.86)::numeric, 4) AS ten_years,
       round(bgnbd_expected_purchases(m, 5200, 2, 30.43, 38.86)::numeric, 4) AS hundred_years,
       round(bgnbd_expected_purchases(m, 1e5, 50, 38, 38.86)::numeric, 2) AS heavy_buyer
FROM published;

-- t = 0 is a customer first seen on the last day: accepted everywhere, P(alive) = 1.
SELECT bgnbd_p_alive(m, 0, 0, 0) AS p_alive_new,
       round(bgnbd_expected_purchases(m, 39, 0, 0, 0)::numeric, 4) AS expected_new
FROM published;
SELECT round(r::numeric, 3) AS r, converged
FROM (SELECT (bgnbd_fit(frequency, recency, t)).*
      FROM (SELECT frequency, recency, t FROM cdnow_summary
            UNION ALL SELECT 0, 0, 0 FROM generate_series(1, 10)) s) f;

-- NULL rows are skipped.
SELECT n_customers
FROM (SELECT (bgnbd_fit(frequency, recency, t)).*
      FROM (SELECT frequency, recency, t FROM cdnow_summary
            UNION ALL SELECT NULL, 1, 2 UNION ALL SELECT 1, NULL, 2 UNION ALL SELECT 1, 1, NULL) s) f;

-- Bad rows: an ERROR naming the value.
SELECT bgnbd_fit(x, tx, tt) FROM (VALUES (-1::float8, 0::float8, 5::float8)) v(x, tx, tt);
SELECT bgnbd_fit(x, tx, tt) FROM (VALUES (1.5::float8, 1::float8, 5::float8)) v(x, tx, tt);
SELECT bgnbd_fit(x, tx, tt) FROM (VALUES (2::float8, 6::float8, 5::float8)) v(x, tx, tt);
SELECT bgnbd_fit(x, tx, tt) FROM (VALUES (2::float8, 1::float8, -5::float8)) v(x, tx, tt);
SELECT bgnbd_fit(x, tx, tt) FROM (VALUES (2::float8, 1::float8, 'Infinity'::float8)) v(x, tx, tt);
SELECT bgnbd_fit(x, tx, tt) FROM (VALUES (2::float8, 'NaN'::float8, 5::float8)) v(x, tx, tt);
SELECT bgnbd_fit(x, tx, tt) FROM (VALUES (0::float8, 3::float8, 5::float8)) v(x, tx, tt);

-- Data the model cannot identify.
SELECT bgnbd_fit(frequency, recency, t) FROM cdnow_summary WHERE false;
SELECT bgnbd_fit(0, 0, t) FROM cdnow_summary;
SELECT bgnbd_fit(x, tx, tt) FROM (VALUES (1, 2, 5), (0, 0, 5), (1, 2, 5)) v(x, tx, tt);

-- A fit that cannot converge returns converged = false with a WARNING. Here the likelihood
-- keeps rising as r and alpha grow without bound (no heterogeneity in the purchase rates):
-- the gradient vanishes on the way, but the point is a degenerate limit, not an estimate.
SELECT converged, r > 1e5 AS r_diverged, round(log_likelihood::numeric, 0) < 0 AS has_ll
FROM (SELECT (bgnbd_fit(x, x * 5, 100)).* FROM generate_series(1, 20) x) f;
-- And here the optimum is flat (a -> 0, b -> infinity: no drop-out in sight).
SELECT converged, a_se IS NULL AS no_standard_errors
FROM (SELECT (bgnbd_fit(frequency, recency, t)).*
      FROM (VALUES (1, 1, 1), (2, 2, 2), (3, 3, 3), (0, 0, 5)) v(frequency, recency, t)) f;

-- Predictions reject bad arguments.
SELECT bgnbd_expected_purchases(m, -1, 1, 1, 2) FROM published;
SELECT bgnbd_expected_purchases(m, 'Infinity') FROM published;
SELECT bgnbd_p_alive(m, 1, 3, 2) FROM published;
SELECT bgnbd_p_alive(bgnbd_model(0.243, -4.4, 0.793, 2.426), 1, 1, 2);
SELECT bgnbd_p_alive(jsonb_populate_record(NULL::bgnbd_model, '{"alpha": 4.4, "a": 0.793, "b": 2.426}'), 1, 1, 2);
SELECT bgnbd_p_alive(m, NULL, 1, 2) IS NULL AS strict FROM published;

-- Parallel plan with Partial/Finalize Aggregate gives the serial fit.
CREATE TABLE many AS SELECT s.* FROM cdnow_summary s, generate_series(1, 20);
ANALYZE many;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT bgnbd_fit(frequency, recency, t) FROM many;
SELECT round(r::numeric, 4) AS r, round(alpha::numeric, 3) AS alpha, round(a::numeric, 4) AS a,
       round(b::numeric, 4) AS b, round(log_likelihood::numeric, 1) AS ll, n_customers
FROM (SELECT (bgnbd_fit(frequency, recency, t)).* FROM many) f;
SET max_parallel_workers_per_gather = 0;
SELECT round(r::numeric, 4) AS r, round(alpha::numeric, 3) AS alpha, round(a::numeric, 4) AS a,
       round(b::numeric, 4) AS b, round(log_likelihood::numeric, 1) AS ll, n_customers
FROM (SELECT (bgnbd_fit(frequency, recency, t)).* FROM many) f;
RESET ALL;

-- A fit per group: models per cohort in one statement.
SELECT cohort, round(r::numeric, 2) AS r, n_customers, converged
FROM (SELECT id % 2 AS cohort, (bgnbd_fit(frequency, recency, t)).*
      FROM cdnow_summary GROUP BY 1) f ORDER BY cohort;

-- statement_timeout cancels a long fit (half a million distinct customers).
CREATE TABLE slow AS
SELECT x, CASE WHEN x > 0 THEN x * 3 + (i % 997) * 0.01 ELSE 0 END AS tx, 40 + (i % 1013) * 0.001 AS tt
FROM generate_series(1, 500000) i, LATERAL (SELECT i % 7 AS x) s;
SET statement_timeout = '300ms';
SELECT bgnbd_fit(x, tx, tt) FROM slow;
RESET statement_timeout;
