-- Cancellation and memory limits of the long-running functions.
--
-- Every loop over rows or points polls for interrupts, and sorts are cancellable, so
-- statement_timeout (or pg_cancel_backend) stops a call within milliseconds, also
-- inside a final function's sort or a k-means iteration. test/fuzz/cancel.sh measures
-- the latency at millions of rows; here: that the call stops, well within a second of
-- the timeout, and the session goes on.

-- Runs q; reports whether statement_timeout stopped it, and in time (elapsed since the
-- statement started below the timeout plus 1 s: generous, for a loaded machine).
CREATE FUNCTION pg_temp.stops(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	EXECUTE q;
	RETURN 'finished before the timeout';
EXCEPTION WHEN query_canceled THEN
	RETURN CASE WHEN clock_timestamp() - statement_timestamp()
	                 < current_setting('statement_timeout')::interval + interval '1 s'
	            THEN 'cancelled in time'
	            ELSE 'cancelled late' END;
END $$;

SET max_parallel_workers_per_gather = 0;
-- 20,000 distinct customers, 50 features: the final function (scaling, 10 k-means++
-- restarts, Lloyd iterations at k = 200) runs for over a minute after the rows are read.
CREATE TABLE km_wide AS
SELECT i, ARRAY(SELECT ((i::bigint * 2654435761 + j * 40503) % 100003)::float8
                FROM generate_series(1, 50) j) AS x
FROM generate_series(1, 20000) i;
SET statement_timeout = '300ms';
SELECT pg_temp.stops('SELECT kmeans_fit(x, 200) FROM km_wide') AS kmeans_fit;
SELECT pg_temp.stops('SELECT kmeans_elbow(x, 200) FROM km_wide') AS kmeans_elbow;
SELECT pg_temp.stops('SELECT max(c) FROM (SELECT kmeans_segment(x, 200) OVER () c FROM km_wide) s')
       AS kmeans_segment;
-- The plain statement: the timeout's own message.
SELECT kmeans_fit(x, 200, 1, 'log_zscore') FROM km_wide;
RESET statement_timeout;
SELECT 'the session goes on' AS after_cancel;

-- k-means keeps every row in memory (16 bytes a feature + 48 bytes a row at most, see
-- the manual), bounded by maintenance_work_mem: beyond it an ERROR says what to do,
-- before the memory is used.
SET maintenance_work_mem = '1MB';
-- 1 MB holds 16,384 rows of 1 feature (64 bytes each), 1,236 rows of 50 features.
SELECT (kmeans_fit(ARRAY[i % 100]::float8[], 3)).n FROM generate_series(1, 16384) i;
SELECT (kmeans_fit(ARRAY[i % 100]::float8[], 3)).n FROM generate_series(1, 16385) i;
SELECT kmeans_elbow(x, 3) FROM km_wide;
SELECT kmeans_silhouette(x, 3) FROM km_wide;
SELECT max(c) FROM (SELECT kmeans_segment(x, 3) OVER () AS c FROM km_wide) s;
-- The hint's way out: fit on a sample, label every row with kmeans_assign.
SELECT count(DISTINCT kmeans_assign(m, x)) AS clusters, count(*) AS labelled
FROM (SELECT kmeans_fit(x, 3) AS m FROM km_wide WHERE i <= 1000) f, km_wide;
RESET maintenance_work_mem;
SELECT (kmeans_fit(x, 3)).n FROM km_wide;
