-- k-means: kmeans_segment (window), kmeans_fit / kmeans_assign, kmeans_elbow, kmeans_silhouette.

-- Five well-separated blobs of 40 points in 3-D (deterministic offsets within 0.8 of
-- the centre); the centres' first coordinates increase with the blob number.
CREATE TABLE blobs AS
SELECT b AS blob, i,
       ARRAY[c[1] + 0.8 * sin(i * 1.7 + b), c[2] + 0.8 * cos(i * 2.3 + b),
             c[3] + 0.8 * sin(i * 0.7 + 2 * b)]::float8[] AS x
FROM (VALUES (1, ARRAY[0, 0, 0]), (2, ARRAY[10, 5, 0]), (3, ARRAY[20, 0, 10]),
             (4, ARRAY[30, 10, 5]), (5, ARRAY[40, 5, 10])) v(b, c),
     generate_series(1, 40) i;

-- Labels recovered exactly, numbered by the first coordinate of the centroid.
SELECT blob, cluster, count(*)
FROM (SELECT blob, kmeans_segment(x, 5, scaling => 'none') OVER () AS cluster FROM blobs) s
GROUP BY blob, cluster ORDER BY blob;
-- The same with z-scored features, another seed, shuffled rows and a window ORDER BY.
SELECT count(*) FILTER (WHERE cluster <> blob) AS wrong
FROM (SELECT blob, kmeans_segment(x, 5, 7) OVER (ORDER BY i DESC) AS cluster
      FROM (SELECT * FROM blobs ORDER BY random()) r) s;

-- The fit: inertia equals the optimum (within-blob sum of squares, computed here
-- independently), centroids equal the blob means.
CREATE TABLE blob_model AS
SELECT kmeans_fit(x, 5, 42, 'none') AS m FROM blobs;
SELECT (m).k, (m).scaling, (m).converged, (m).n, (m).iterations BETWEEN 1 AND 300 AS iter_ok,
       round((m).inertia::numeric, 6) AS inertia FROM blob_model;
SELECT round(sum((x[1] - m1) ^ 2 + (x[2] - m2) ^ 2 + (x[3] - m3) ^ 2)::numeric, 6) AS optimum
FROM (SELECT x, avg(x[1]) OVER w AS m1, avg(x[2]) OVER w AS m2, avg(x[3]) OVER w AS m3
      FROM blobs WINDOW w AS (PARTITION BY blob)) s;
SELECT c AS cluster, round(avg(x[1])::numeric, 6) AS mean_x1,
       round((m).centers[c][1]::numeric, 6) AS center_x1,
       round((m).centers[c][3]::numeric, 6) AS center_x3, round(avg(x[3])::numeric, 6) AS mean_x3
FROM blobs, blob_model, LATERAL (SELECT blob AS c) s GROUP BY c, m ORDER BY c;
-- 'none' scaling: the centroids are the centers, shift 0 and scale 1.
SELECT (m).shift, (m).scale, (m).centroids = (m).centers AS same FROM blob_model;

-- kmeans_assign with the stored model gives kmeans_segment's labels.
SELECT count(*) FILTER (WHERE kmeans_assign(m, x) <> seg) AS mismatches, count(*)
FROM (SELECT x, kmeans_segment(x, 5, 42, 'none') OVER () AS seg FROM blobs) s, blob_model;
SELECT kmeans_assign(m, ARRAY[39.5, 5, 10]) AS new_customer, kmeans_assign(m, NULL) AS null_in
FROM blob_model;

-- Choosing k: inertia per k falls steeply up to 5; the mean silhouette peaks at 5.
SELECT k, round(inertia::numeric, 1) AS inertia, round(silhouette::numeric, 4) AS silhouette
FROM (SELECT kmeans_elbow(x, 8, 42, 'none') AS e, kmeans_silhouette(x, 8, 42, 'none') AS s
      FROM blobs) r,
     unnest(e, s) WITH ORDINALITY u(inertia, silhouette, k) ORDER BY k;
SELECT k AS best_k
FROM unnest((SELECT kmeans_silhouette(x, 8) FROM blobs)) WITH ORDINALITY u(s, k)
WHERE s IS NOT NULL ORDER BY s DESC LIMIT 1;

-- Silhouette against a direct computation in SQL (Rousseeuw 1987) for k = 2.
WITH lab AS (SELECT i, blob, x, kmeans_segment(x, 2, 42, 'none') OVER () AS c FROM blobs),
pair AS (SELECT a.blob, a.i, a.c, b.c AS oc,
                sqrt((a.x[1] - b.x[1]) ^ 2 + (a.x[2] - b.x[2]) ^ 2 + (a.x[3] - b.x[3]) ^ 2) AS d
         FROM lab a JOIN lab b ON (a.blob, a.i) <> (b.blob, b.i)),
per AS (SELECT blob, i, avg(d) FILTER (WHERE oc = c) AS a, avg(d) FILTER (WHERE oc <> c) AS b
        FROM pair GROUP BY blob, i)
SELECT round(avg((b - a) / greatest(a, b))::numeric, 6) AS sql_silhouette,
       round((SELECT (kmeans_silhouette(x, 2, 42, 'none'))[2] FROM blobs)::numeric, 6) AS clv
FROM per;

-- Duplicated rows count as many customers; k may equal the number of distinct vectors.
SELECT v, kmeans_segment(ARRAY[v], 3, scaling => 'none') OVER () AS c
FROM unnest(ARRAY[5, 1, 1, 1, 9, 5]::float8[]) v ORDER BY v;
SELECT round((m).inertia::numeric, 6) AS inertia, (m).centers
FROM (SELECT kmeans_fit(ARRAY[v], 2, 1, 'none') AS m
      FROM unnest(ARRAY[0, 0, 0, 1, 10, 10]::float8[]) v) s;

-- NULL feature rows get a NULL cluster and stay out of the fit; partitions are separate.
SELECT g, v, kmeans_segment(CASE WHEN v IS NULL THEN NULL ELSE ARRAY[v] END, 2) OVER (PARTITION BY g) AS c
FROM (VALUES (1, 1::float8), (1, 2), (1, NULL), (1, 50), (2, NULL), (2, NULL), (3, 7), (3, 8)) t(g, v)
ORDER BY g, v;
-- A partition with fewer distinct vectors than k is an error, not a guess.
SELECT kmeans_segment(ARRAY[v], 2) OVER (PARTITION BY g)
FROM (VALUES (1, 1::float8), (1, 2), (2, 7)) t(g, v);
SELECT (kmeans_fit(x, 2)).n FROM (SELECT ARRAY[i]::float8[] AS x FROM generate_series(1, 5) i
                                  UNION ALL SELECT NULL) s;
-- A single customer: one cluster.
SELECT kmeans_segment(ARRAY[3.0, 4.0]::float8[], 1) OVER () AS single;
SELECT (kmeans_fit(ARRAY[3.0, 4.0]::float8[], 1)).centers;
-- A constant feature is centred, not scaled (scale 1).
SELECT (m).shift, (m).scale FROM (SELECT kmeans_fit(ARRAY[2, i], 2) AS m
                                  FROM generate_series(1, 4) i) s;

-- Bad input: clear errors.
SELECT kmeans_segment(x, 0) OVER () FROM blobs;
SELECT kmeans_segment(ARRAY[v], 3) OVER () FROM unnest(ARRAY[1, 1, 2, 2]::float8[]) v;
SELECT kmeans_segment(x, 2) OVER () FROM (VALUES (ARRAY[1, 2]::float8[]), (ARRAY[1, 2, 3])) v(x);
SELECT kmeans_segment(x, 2) OVER () FROM (VALUES (ARRAY[1, 2]::float8[]), (ARRAY[1, NULL])) v(x);
SELECT kmeans_segment(x, 2) OVER () FROM (VALUES (ARRAY[1, 2]::float8[]), ('{1,NaN}')) v(x);
SELECT kmeans_segment(x, 2) OVER () FROM (VALUES (ARRAY[1, 2]::float8[]), ('{Infinity,1}')) v(x);
SELECT kmeans_segment(x, 2) OVER () FROM (VALUES (ARRAY[1, 2]::float8[]), ('{}')) v(x);
SELECT kmeans_segment(x, 2) OVER () FROM (VALUES ('{{1, 2}, {3, 4}}'::float8[])) v(x);
SELECT kmeans_segment(x, 2, scaling => 'minmax') OVER () FROM blobs;
SELECT kmeans_segment(x, 2, scaling => 'log_zscore') OVER () FROM (VALUES (ARRAY[-1, 2]::float8[]), (ARRAY[1, 2])) v(x);
SELECT kmeans_segment(x, 2 + (i > 1)::int) OVER () FROM blobs;
SELECT kmeans_segment(x, NULL) OVER () FROM blobs;
SELECT kmeans_fit(x, 6) FROM (VALUES (ARRAY[1]::float8[]), (ARRAY[2])) v(x);
SELECT kmeans_fit(x, 1) FROM blobs WHERE false;
SELECT kmeans_fit(x, 1 + (i > 1)::int) FROM blobs;
SELECT kmeans_fit(x, 2, 1, 'zscore') FROM (VALUES (ARRAY[1]::float8[]), (ARRAY[1, 2])) v(x);
SELECT kmeans_elbow(x, 1001) FROM blobs;
SELECT kmeans_assign(m, ARRAY[1, 2]) FROM blob_model;
SELECT kmeans_assign(m, '{1,2,NaN}') FROM blob_model;
SELECT kmeans_assign(ROW(2, '{{1,2},{3,4}}', NULL, 'none', '{0,0}', '{1,0}', 0, 1, true, 4)::kmeans_model, ARRAY[1, 2]);
SELECT kmeans_assign(ROW(3, '{{1,2},{3,4}}', NULL, 'none', '{0,0}', '{1,1}', 0, 1, true, 4)::kmeans_model, ARRAY[1, 2]);

-- CDNOW customers (recency days, purchase days, spend at 1997-09-30), log1p + z-score.
CREATE TABLE cdnow_features AS
SELECT customer_id,
       ARRAY[('1997-09-30'::date - max(txn_time)::date)::float8,
             count(DISTINCT txn_time)::float8, sum(amount)] AS x
FROM cdnow_txn WHERE txn_time < '1997-10-01' GROUP BY customer_id;
SELECT c AS cluster, count(*), round(avg(x[1])) AS days, round(avg(x[2])::numeric, 2) AS freq,
       round(avg(x[3])::numeric, 2) AS spend
FROM (SELECT x, kmeans_segment(x, 5, 42, 'log_zscore') OVER () AS c FROM cdnow_features) s
GROUP BY c ORDER BY c;
CREATE TABLE cdnow_model AS SELECT kmeans_fit(x, 5, 42, 'log_zscore') AS m FROM cdnow_features;
SELECT (m).k, (m).converged, (m).n, round((m).inertia::numeric, 3) AS inertia,
       round((m).centers[1][1]::numeric, 2) AS c1_days, round((m).centers[5][1]::numeric, 2) AS c5_days
FROM cdnow_model;
SELECT count(*) FILTER (WHERE kmeans_assign(m, x) <> c) AS assign_mismatches, count(*)
FROM (SELECT x, kmeans_segment(x, 5, 42, 'log_zscore') OVER () AS c FROM cdnow_features) s,
     cdnow_model;
SELECT k, round(inertia::numeric, 1) AS inertia, round(silhouette::numeric, 3) AS silhouette
FROM (SELECT kmeans_elbow(x, 8, 42, 'log_zscore') AS e, kmeans_silhouette(x, 8, 42, 'log_zscore') AS s
      FROM cdnow_features) r,
     unnest(e, s) WITH ORDINALITY u(inertia, silhouette, k) ORDER BY k;

-- Parallel plan (Partial/Finalize Aggregate) gives the serial fit.
CREATE TABLE km_many AS SELECT f.x FROM cdnow_features f, generate_series(1, 20);
ANALYZE km_many;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT kmeans_fit(x, 4, 1, 'log_zscore') FROM km_many;
CREATE TABLE par AS SELECT kmeans_fit(x, 4, 1, 'log_zscore') AS m FROM km_many;
SET max_parallel_workers_per_gather = 0;
CREATE TABLE ser AS SELECT kmeans_fit(x, 4, 1, 'log_zscore') AS m FROM km_many;
RESET ALL;
SELECT (p.m).n, round((p.m).inertia::numeric, 6) AS parallel_inertia,
       round((s.m).inertia::numeric, 6) AS serial_inertia,
       (p.m).centroids = (s.m).centroids AS same_centroids
FROM par p, ser s;

-- statement_timeout cancels a long clustering (silhouette of 10,000 distinct points per k).
CREATE TABLE km_slow AS
SELECT ARRAY[i % 101 + sin(i), i % 97 + cos(i), (i % 13)::float8] AS x FROM generate_series(1, 20000) i;
SET statement_timeout = '300ms';
SELECT kmeans_silhouette(x, 10) FROM km_slow;
RESET statement_timeout;

-- libFuzzer: two points at 1.8e308 in one feature kept their distances finite, but the
-- centroid's weighted sum overflowed and the inertia came out Infinity. Such points are
-- an ERROR now, before the fit.
SELECT kmeans_fit(x, 1, 42, 'none')
FROM (VALUES (ARRAY[0, 1.7976931348623157e308, 0]), (ARRAY[1, 1.7976931348623157e308, 1])) v(x);
