-- Demo step 4: k-means clusters on the RFM inputs (recency days, purchase days, spend),
-- log1p then z-score scaled. k is chosen by the mean silhouette over k = 2..8
-- (kmeans_silhouette, one pass fitting every k), then kmeans_segment clusters with it.
-- Title: k-means clusters, k chosen by silhouette (kmeans_silhouette, kmeans_segment)
DROP TABLE IF EXISTS kmeans_choice CASCADE;
CREATE TABLE kmeans_choice AS
SELECT k::int AS k, round(inertia::numeric, 1) AS inertia, round(silhouette::numeric, 4) AS silhouette
FROM (SELECT kmeans_elbow(x, 8, 42, 'log_zscore') AS e, kmeans_silhouette(x, 8, 42, 'log_zscore') AS s
      FROM (SELECT ARRAY[recency_days, frequency, monetary]::float8[] AS x FROM customer_segments) f) r,
     unnest(e, s) WITH ORDINALITY u(inertia, silhouette, k)
WHERE k >= 2;
SELECT k AS best_k, silhouette AS best_silhouette FROM kmeans_choice ORDER BY silhouette DESC, k LIMIT 1 \gset
SELECT count(*) AS n FROM customer_segments \gset
\echo '    fitted k-means for k = 2..8 on' :n 'customers (kmeans_elbow, kmeans_silhouette); best k =' :best_k
ALTER TABLE kmeans_choice ADD COLUMN chosen bool;
UPDATE kmeans_choice SET chosen = (k = :best_k);
SELECT k, inertia, silhouette, CASE WHEN chosen THEN '<- best' ELSE '' END AS chosen
FROM kmeans_choice ORDER BY k;

UPDATE customer_segments c SET cluster = s.cluster
FROM (SELECT customer_id,
             kmeans_segment(ARRAY[recency_days, frequency, monetary]::float8[], :best_k, 42, 'log_zscore')
                 OVER () AS cluster
      FROM customer_segments) s
WHERE s.customer_id = c.customer_id;
\echo '    clustered the customers with k =' :best_k '(kmeans_segment); cluster profiles:'
SELECT cluster, count(*) AS customers, round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct,
       round(avg(recency_days)) AS avg_recency_days, round(avg(frequency), 1) AS avg_purchase_days,
       round(avg(monetary), 2) AS avg_spend,
       mode() WITHIN GROUP (ORDER BY rfm_segment) AS typical_rfm_segment
FROM customer_segments GROUP BY cluster ORDER BY cluster;
