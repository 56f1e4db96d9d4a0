-- The ratios of issue 18, run by `bench/run.sh --ratios` (or `--size 10M`) after the data
-- is loaded into txn: every figure is the best of :reps runs, and every ratio compares
-- two measurements of this run on the same data. Serial means
-- max_parallel_workers_per_gather = 0 (and so one thread in the fits); "2 workers" means
-- max_parallel_workers_per_gather = 2 (the fits' likelihood passes then use 3 threads,
-- see docs/performance.md). Serial and parallel runs alternate so that a burst of other
-- load on the machine hits both.
\set ON_ERROR_STOP on
\pset footer off
SET client_min_messages = warning;
SET work_mem = '1GB';
SET max_parallel_workers_per_gather = 0;

CREATE TEMP TABLE timing (what text, workers int, seconds float8);

-- One measurement: q run :reps times serial, with 2 workers, and (the fits) with 2 workers
-- but one thread in the final function (clv.fit_threads = 1: what 0.3 did), alternating.
-- Each run in its own transaction: a fit's final function answers a byte-identical state
-- with the transaction's last model (docs/performance.md, "Citus"), so a second run in
-- the same transaction would time the scan without the fit.
CREATE PROCEDURE pg_temp.time_pair(what text, q text, reps int)
LANGUAGE plpgsql AS $$
DECLARE
    t0 timestamptz;
    w int;
BEGIN
    FOR i IN 1 .. reps LOOP
        FOREACH w IN ARRAY CASE WHEN what LIKE '%fit' THEN ARRAY[0, 2, -2] ELSE ARRAY[0, 2] END LOOP
            PERFORM set_config('max_parallel_workers_per_gather', abs(w)::text, true);
            PERFORM set_config('clv.fit_threads', CASE WHEN w < 0 THEN '1' ELSE '0' END, true);
            t0 := clock_timestamp();
            EXECUTE q;
            INSERT INTO timing VALUES (what, w, extract(epoch FROM clock_timestamp() - t0));
            COMMIT;
        END LOOP;
    END LOOP;
END $$;

SELECT count(*) AS transactions FROM txn \gset
DROP TABLE IF EXISTS summary;
CREATE TABLE summary AS
SELECT customer_id, (clv_summary(txn_time, amount, '2024-12-31', 'week')).*
FROM txn GROUP BY customer_id;
VACUUM ANALYZE summary;
SELECT count(*) AS customers,
       count(DISTINCT (frequency, recency, t)) AS distinct_rows,
       count(DISTINCT (frequency, monetary_value)) FILTER (WHERE frequency > 0) AS distinct_spend_rows,
       count(*) FILTER (WHERE frequency > 0) AS repeat_buyers
FROM summary \gset
\echo :customers customers, :transactions transactions, :distinct_rows distinct (frequency, recency, t), :repeat_buyers repeat buyers
\! echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"

-- The scipy reference on the same summaries (1 row per customer, as lifetimes fits them).
\setenv CLV_SUMMARY_CSV :summary_csv
\copy (SELECT frequency, recency, t FROM summary) TO PROGRAM 'cat > "$CLV_SUMMARY_CSV"' CSV
CREATE TEMP TABLE scipy_line (line text);
\copy scipy_line FROM PROGRAM '/usr/bin/python3 "$CLV_BENCH_DIR/scipy_bgnbd.py" "$CLV_SUMMARY_CSV" "$CLV_SCIPY_REPS"'
SELECT split_part(line, ' ', 2)::float8 AS scipy_s, split_part(line, ' ', 3) AS scipy_r,
       split_part(line, ' ', 4) AS scipy_alpha, split_part(line, ' ', 5) AS scipy_a,
       split_part(line, ' ', 6) AS scipy_b
FROM scipy_line \gset
\! rm -f "$CLV_SUMMARY_CSV"

CALL pg_temp.time_pair('bgnbd_fit', 'SELECT bgnbd_fit(frequency, recency, t) FROM summary', :reps);
CALL pg_temp.time_pair('gamma_gamma_fit', 'SELECT gamma_gamma_fit(frequency, monetary_value) FROM summary', :reps);
CALL pg_temp.time_pair('pareto_nbd_fit', 'SELECT pareto_nbd_fit(frequency, recency, t) FROM summary', :reps);
CALL pg_temp.time_pair('sum() over the summaries',
       'SELECT sum(frequency), sum(ln(1 + recency)), sum(ln(1 + t)) FROM summary', :reps);
CALL pg_temp.time_pair('clv_summary GROUP BY customer',
       $q$SELECT count(*) FROM (SELECT customer_id, clv_summary(txn_time, amount, '2024-12-31', 'week') AS s
          FROM txn GROUP BY customer_id) q WHERE s IS NOT NULL$q$, :reps);
-- The same GROUP BY with PostgreSQL's own aggregates: the platform's ceiling for a hash
-- aggregation into 1M groups (each row a random access to its customer's group).
CALL pg_temp.time_pair('min/max/count/sum GROUP BY customer',
       $q$SELECT count(*) FROM (SELECT customer_id, min(txn_time), max(txn_time), count(*), sum(amount)
          FROM txn GROUP BY customer_id) q$q$, :reps);
CALL pg_temp.time_pair('clv_summary, one group', $q$SELECT clv_summary(txn_time, amount, '2024-12-31', 'week') FROM txn$q$, :reps);
CALL pg_temp.time_pair('sum() over the transactions', 'SELECT sum(amount), max(txn_time) FROM txn', :reps);
\! echo "load after:  $(cut -d' ' -f1-3 /proc/loadavg)"

SELECT what AS "query (best of :reps)", round(min(seconds) FILTER (WHERE workers = 0)::numeric, 3) AS serial_s,
       round(min(seconds) FILTER (WHERE workers = 2)::numeric, 3) AS workers2_s,
       round((min(seconds) FILTER (WHERE workers = 0) / min(seconds) FILTER (WHERE workers = 2))::numeric, 2)
           AS speedup,
       round(min(seconds) FILTER (WHERE workers = -2)::numeric, 3) AS "2 workers, fit_threads 1",
       round((min(seconds) FILTER (WHERE workers = 0) / min(seconds) FILTER (WHERE workers = -2))::numeric, 2)
           AS speedup_1thread
FROM timing GROUP BY what ORDER BY min(ctid::text);

SELECT 'BG/NBD over ' || :customers || ' customers (' || :distinct_rows || ' distinct rows)' AS fit,
       round(min(seconds)::numeric, 3) AS clv_serial_s, :scipy_s AS scipy_s,
       round((:scipy_s / min(seconds))::numeric, 1) AS scipy_over_clv, '>= 50' AS target
FROM timing WHERE what = 'bgnbd_fit' AND workers = 0
UNION ALL
SELECT 'the same, 2 workers', round(min(seconds)::numeric, 3), :scipy_s,
       round((:scipy_s / min(seconds))::numeric, 1), '>= 50'
FROM timing WHERE what = 'bgnbd_fit' AND workers = 2;

SELECT 'clv ' || round((m).r::numeric, 4) || ' ' || round((m).alpha::numeric, 4) || ' ' ||
       round((m).a::numeric, 4) || ' ' || round((m).b::numeric, 4) AS "BG/NBD r alpha a b",
       'scipy ' || :'scipy_r' || ' ' || :'scipy_alpha' || ' ' || :'scipy_a' || ' ' || :'scipy_b' AS reference
FROM (SELECT bgnbd_fit(frequency, recency, t) AS m FROM summary) f;

-- Memory of a fit's state: 32 bytes per distinct row (3 keys and a count, float8), plus
-- while rows are appended up to twice that (the buffer doubles; duplicates are merged
-- once it holds 1M rows), and the final function's copy of the rows (the fit cache keeps
-- states up to 64 MB).
SELECT 'BG/NBD, Pareto/NBD' AS state, :distinct_rows AS distinct_rows,
       pg_size_pretty(32 * :distinct_rows::bigint) AS state_size, 32 AS bytes_per_distinct_row
UNION ALL
SELECT 'Gamma-Gamma', :distinct_spend_rows, pg_size_pretty(32 * :distinct_spend_rows::bigint), 32;
