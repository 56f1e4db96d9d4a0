-- Fits over more than 65536 distinct rows sum each likelihood pass in chunks of 65536
-- rows, shared out among clv.fit_threads threads (default: 1 + max_parallel_workers_per_gather),
-- and sort their rows in pieces on the same threads: the model is the same, bit for
-- bit, whatever the number of threads and the parallel plan.
CREATE TABLE cdnow_wide AS
SELECT frequency, recency, t + k * 1e-4 AS t, zbar + k * 1e-4 AS zbar, k, id * 100 + k AS id
FROM cdnow_summary, generate_series(1, 100) k;
SELECT count(DISTINCT (frequency, recency, t)) AS distinct_rows FROM cdnow_wide;
SET max_parallel_workers_per_gather = 0;
SET clv.fit_threads = 1;
CREATE TEMP TABLE one_thread AS
SELECT bgnbd_fit(frequency, recency, t)::text AS bg, pareto_nbd_fit(frequency, recency, t)::text AS pn,
       gamma_gamma_fit(frequency, zbar)::text AS gg
FROM cdnow_wide;
SET clv.fit_threads = 3;
CREATE TEMP TABLE three_threads AS
SELECT bgnbd_fit(frequency, recency, t)::text AS bg, pareto_nbd_fit(frequency, recency, t)::text AS pn,
       gamma_gamma_fit(frequency, zbar)::text AS gg
FROM cdnow_wide;
RESET clv.fit_threads;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT bgnbd_fit(frequency, recency, t) FROM cdnow_wide;
CREATE TEMP TABLE parallel_plan AS
SELECT bgnbd_fit(frequency, recency, t)::text AS bg, pareto_nbd_fit(frequency, recency, t)::text AS pn,
       gamma_gamma_fit(frequency, zbar)::text AS gg
FROM cdnow_wide;
RESET ALL;
SELECT o.bg = t.bg AND o.bg = p.bg AS bgnbd_same, o.pn = t.pn AND o.pn = p.pn AS pareto_nbd_same,
       o.gg = t.gg AND o.gg = p.gg AS gamma_gamma_same
FROM one_thread o, three_threads t, parallel_plan p;
-- CDNOW's parameters (each customer 100 times, T moved by at most 0.01 weeks).
SELECT round((bg::bgnbd_model).r::numeric, 4) AS r, round((bg::bgnbd_model).alpha::numeric, 3) AS alpha,
       round((bg::bgnbd_model).a::numeric, 4) AS a, round((bg::bgnbd_model).b::numeric, 4) AS b,
       (bg::bgnbd_model).n_customers, (bg::bgnbd_model).converged
FROM one_thread;
-- The rows are sorted by a radix sort on the keys' bytes (docs/performance.md); any input
-- order gives the same model, bit for bit, also with spends below 1 (the Gamma-Gamma
-- rows' third key, log of the mean spend, is then negative; it never decides the order,
-- being a function of the second) and with a recency of 0 written as -0 (read as 0).
SET clv.fit_threads = 2;
SELECT gamma_gamma_fit(frequency, zbar / 100 ORDER BY t)::text =
       gamma_gamma_fit(frequency, zbar / 100 ORDER BY t DESC, zbar)::text AS spend_below_1_any_order,
       bgnbd_fit(frequency, CASE WHEN recency = 0 THEN '-0'::float8 ELSE recency END, t ORDER BY zbar)::text =
       bgnbd_fit(frequency, recency, t ORDER BY t DESC)::text AS minus_zero_any_order,
       (gamma_gamma_fit(frequency, zbar / 100)).converged AS converged
FROM cdnow_wide;
RESET clv.fit_threads;
-- Groups of at least 4096 rows whose keys take at most 65,536 distinct values each are
-- sorted on the keys' ranks packed into one integer; other rows byte-wise. Both give the
-- same order: the state of all rows, sorted on ranks, is byte for byte the merge of 100
-- states of 2357 rows, each sorted byte-wise; so is a state sorted byte-wise because
-- its t takes 235,700 distinct values. (A state is the fit's rows, sorted and distinct.)
CREATE AGGREGATE pg_temp.fit_state(float8, float8, float8) (
    SFUNC = _btyd_fit_trans, STYPE = bytea, COMBINEFUNC = _clv_rowset_combine);
CREATE AGGREGATE pg_temp.merged(bytea) (SFUNC = _clv_rowset_combine, STYPE = bytea);
SELECT count(*) AS rows, count(DISTINCT recency) AS distinct_recency, count(DISTINCT t) AS distinct_t,
       count(DISTINCT t + id * 1e-9) AS distinct_t_moved
FROM cdnow_wide;
SELECT (SELECT pg_temp.fit_state(frequency, recency, t) FROM cdnow_wide) =
       (SELECT pg_temp.merged(s) FROM (SELECT pg_temp.fit_state(frequency, recency, t) AS s
                                      FROM cdnow_wide GROUP BY k) g) AS ranks_order_bytewise,
       (SELECT pg_temp.fit_state(frequency, recency, t + id * 1e-9) FROM cdnow_wide) =
       (SELECT pg_temp.merged(s) FROM (SELECT pg_temp.fit_state(frequency, recency, t + id * 1e-9) AS s
                                      FROM cdnow_wide GROUP BY k) g) AS many_distinct_bytewise,
       (SELECT length(pg_temp.fit_state(frequency, recency, t)) FROM cdnow_wide) AS state_bytes;
DROP TABLE cdnow_wide;
