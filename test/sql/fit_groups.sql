-- A fit per group over many small groups. Every group's state lives in one memory
-- context shared by all groups (a context per state made hash aggregation quadratic in
-- the number of groups: it sums the memory of every context for each new group). Hash
-- aggregation, spilling to disk in batches, gives the same models as sorted aggregation.
CREATE TEMP TABLE grouped AS
SELECT id % 100 AS g, frequency, recency, t, zbar, (id % 3)::float8 AS z
FROM cdnow_summary;
SET client_min_messages = error;	-- some groups of 24 customers do not converge
SET max_parallel_workers_per_gather = 0;
SET work_mem = '64kB';
SET enable_sort = off;
EXPLAIN (COSTS OFF)
SELECT g, bgnbd_fit(frequency, recency, t) FROM grouped GROUP BY g;
CREATE TEMP TABLE hashed AS
SELECT g, bgnbd_fit(frequency, recency, t, 0.01)::text AS bg,
       pareto_nbd_fit(frequency, recency, t, 0.01)::text AS pn,
       gamma_gamma_fit(frequency, zbar, 0.01)::text AS gg,
       bgnbd_fit(frequency, recency, t, ARRAY[z], ARRAY[z], 0.01)::text AS cov
FROM grouped GROUP BY g;
RESET enable_sort;
SET enable_hashagg = off;
CREATE TEMP TABLE sorted AS
SELECT g, bgnbd_fit(frequency, recency, t, 0.01)::text AS bg,
       pareto_nbd_fit(frequency, recency, t, 0.01)::text AS pn,
       gamma_gamma_fit(frequency, zbar, 0.01)::text AS gg,
       bgnbd_fit(frequency, recency, t, ARRAY[z], ARRAY[z], 0.01)::text AS cov
FROM grouped GROUP BY g;
RESET enable_hashagg;
SELECT count(*) AS groups,
       count(*) FILTER (WHERE h.bg = s.bg) AS bgnbd_equal,
       count(*) FILTER (WHERE h.pn = s.pn) AS pareto_nbd_equal,
       count(*) FILTER (WHERE h.gg = s.gg) AS gamma_gamma_equal,
       count(*) FILTER (WHERE h.cov = s.cov) AS covariate_equal
FROM hashed h JOIN sorted s USING (g);
-- The states alone (no fit) of 20,000 groups: the same bytes either way.
CREATE AGGREGATE pg_temp.fit_state(float8, float8, float8) (
    SFUNC = _btyd_fit_trans, STYPE = bytea, COMBINEFUNC = _clv_rowset_combine);
CREATE TEMP TABLE wide AS
SELECT (k * 2357 + id) % 20000 AS g, frequency, recency, t + k AS t
FROM cdnow_summary, generate_series(1, 20) k;
SET enable_sort = off;
CREATE TEMP TABLE hashed_states AS
SELECT g, md5(pg_temp.fit_state(frequency, recency, t)) AS s FROM wide GROUP BY g;
RESET enable_sort;
SET enable_hashagg = off;
CREATE TEMP TABLE sorted_states AS
SELECT g, md5(pg_temp.fit_state(frequency, recency, t)) AS s FROM wide GROUP BY g;
RESET enable_hashagg;
SELECT count(*) AS groups, count(*) FILTER (WHERE h.s = s.s) AS equal_states
FROM hashed_states h JOIN sorted_states s USING (g);
RESET work_mem;
RESET max_parallel_workers_per_gather;
RESET client_min_messages;
