-- Segmentation charts (issue 15): the dendrogram of a scipy linkage matrix, the scatter
-- plot of two features by cluster and the heat map of cluster profiles. Structure checked
-- with XPath as in charts.sql; leaf orders against scipy; cluster profiles against SQL;
-- hostile text and hostile linkage matrices.

CREATE FUNCTION seg_count(svg text, path text) RETURNS int
    AS $$ SELECT (xpath('count(' || path || ')', svg::xml,
                        ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']]))[1]::text::numeric::int $$
    LANGUAGE sql IMMUTABLE;
CREATE FUNCTION seg_texts(svg text, path text) RETURNS text
    AS $$ SELECT string_agg(t::text, ' | ')
          FROM unnest(xpath(path, svg::xml, ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']])) t $$
    LANGUAGE sql IMMUTABLE;

-- scipy 1.10: X = 20 points in three groups (numpy default_rng(7)), Z = linkage(X, 'ward')
-- (heights rounded to 6 decimals). dendrogram(Z, no_plot=True)['ivl'] is
-- 6 4 1 2 3 5 0 7 19 15 16 17 18 12 14 11 8 10 9 13; with truncate_mode='lastp', p=6:
-- (4) (4) (3) (2) (2) (5); fcluster(Z, 3, 'maxclust') has clusters of 8, 5 and 7.
CREATE TABLE seg_linkage (name text PRIMARY KEY, z float8[]);
INSERT INTO seg_linkage VALUES
('ward20', '{{1,2,0.205913,2},{12,14,0.366197,2},{4,20,0.398832,3},{0,7,0.401123,2},{8,10,0.54626,2},{5,23,0.605117,3},{6,22,0.639753,4},{15,16,0.641405,2},{11,24,0.805647,3},{9,13,0.973088,2},{19,27,0.994552,3},{3,25,1.09194,4},{28,29,1.642082,5},{17,18,2.01102,2},{30,33,2.516519,5},{21,32,3.16904,7},{26,31,3.170225,8},{34,35,13.427743,12},{36,37,22.114148,20}}'),
-- linkage([[0, 0], [1, 0], [0.5, 0.9]], 'centroid'): the second merge is lower than the
-- first (an inversion); scipy's leaf order is 2 0 1
('centroid3', '{{0,1,1.0,2},{2,3,0.9,3}}'),
('two', '{{0,1,0,2}}');

-- Leaves in scipy's order, labelled by index, by label, or "(size)" when truncated.
CREATE FUNCTION seg_leaves(svg text) RETURNS text
    AS $$ SELECT replace(seg_texts(svg, '//s:text[@class="tick" and contains(@transform, "rotate(-90")]/text()'), ' | ', ' ') $$
    LANGUAGE sql;
SELECT name, seg_leaves(clv_svg_dendrogram(z)) AS leaves,
       seg_count(clv_svg_dendrogram(z), '//s:path[@class="link"]') AS links
FROM seg_linkage ORDER BY name;
SELECT n, seg_leaves(clv_svg_dendrogram(z, n)) AS leaves,
       seg_count(clv_svg_dendrogram(z, leaves => n), '//s:path[@class="link"]') AS links,
       seg_texts(clv_svg_dendrogram(z, n), '//s:text[@class="note"]/text()') AS note
FROM seg_linkage, (VALUES (2), (6), (19), (20), (200)) v(n) WHERE name = 'ward20' ORDER BY n;
SELECT seg_leaves(clv_svg_dendrogram(z, labels => (SELECT array_agg('c' || i ORDER BY i) FROM generate_series(0, 19) i)))
FROM seg_linkage WHERE name = 'ward20';

-- The same clustering by hclust_fit (the 20 points, Ward, no scaling): the same tree.
CREATE TABLE seg_points (id int, a float8, b float8);
INSERT INTO seg_points VALUES (0, 0.0, 0.3), (1, -0.27, -0.89), (2, -0.45, -0.99), (3, 0.06, 1.34),
    (4, -0.49, -0.62), (5, 0.49, 0.36), (6, 0.11, -0.93), (7, -0.03, 0.7), (8, 4.66, 5.54), (9, 4.1, 4.71),
    (10, 4.16, 5.76), (11, 4.73, 6.27), (12, 6.16, 5.81), (13, 3.48, 5.46), (14, 5.95, 6.11), (15, -1.53, 7.52),
    (16, -0.98, 7.19), (17, 1.06, 7.19), (18, -0.03, 8.88), (19, -0.58, 7.89);
SELECT seg_leaves(svg) AS leaves, seg_texts(svg, '//s:text[@class="legend"]/text()') AS legend
FROM (SELECT clv_svg_dendrogram((hclust_fit(ARRAY[a, b] ORDER BY id, 'ward', 'none')).linkage, 30, 'Ward', 3) AS svg
      FROM seg_points) d;

-- k = 3: the three clusters left by undoing the last two merges, numbered left to right,
-- in the legend with their sizes; their links in three colours, the two merges above the
-- cut in grey.
SELECT seg_texts(svg, '//s:text[@class="legend"]/text()') AS legend,
       (SELECT string_agg(c || ' x' || n, ', ' ORDER BY c)
        FROM (SELECT c, count(*) AS n
              FROM unnest(xpath('//s:path[@class="link"]/@stroke', svg::xml,
                                ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']])) u(c0),
                   LATERAL (SELECT c0::text AS c) c GROUP BY c) s) AS link_colours
FROM (SELECT clv_svg_dendrogram(z, 30, 'Ward', 3) AS svg FROM seg_linkage WHERE name = 'ward20') d;
-- Every link has a tooltip naming the merge; the axes have titles; the y axis is the height.
SELECT seg_texts(svg, '//s:path[@class="link"][last()]/s:title/text()') AS root_tooltip,
       seg_texts(svg, '//s:text[@class="axis-label"]/text()') AS axis_titles,
       seg_texts(svg, '//s:text[@class="tick" and @text-anchor="end" and not(@transform)]/text()') AS y_ticks
FROM (SELECT clv_svg_dendrogram(z) AS svg FROM seg_linkage WHERE name = 'ward20') d;

-- Hostile text: titles and labels escaped, titles cut at 120 characters (13 before the
-- x's, 107 x's, an ellipsis).
SELECT xml_is_well_formed_document(svg) AS well_formed, position('<script>' IN svg) = 0 AS no_raw_tag,
       position('&lt;script&gt;&amp;&quot;&apos;' IN svg) > 0 AS escaped,
       length(regexp_replace(seg_texts(svg, '/s:svg/s:title/text()'), '[^x]', '', 'g')) AS title_xs,
       right(seg_texts(svg, '/s:svg/s:title/text()'), 2) AS title_end
FROM (SELECT clv_svg_dendrogram('{{0,1,0.5,2},{2,3,1,3}}', 30, E'<script>&"''\x01' || repeat('x', 200),
                                1, ARRAY[E'<script>&"''', 'b', 'c']) AS svg) d;

-- Bad linkage matrices: an ERROR naming the value, never a crash.
SELECT clv_svg_dendrogram('{}');
SELECT clv_svg_dendrogram('{0,1,0.5,2}');
SELECT clv_svg_dendrogram('{{0,1,0.5}}');
SELECT clv_svg_dendrogram('{{{0,1,0.5,2}}}');
SELECT clv_svg_dendrogram('{{0,1,NULL,2}}');
SELECT clv_svg_dendrogram('{{0,1,NaN,2}}');
SELECT clv_svg_dendrogram('{{0,1,Infinity,2}}');
SELECT clv_svg_dendrogram('{{0,1.5,0.5,2}}');
SELECT clv_svg_dendrogram('{{0,-1,0.5,2}}');
SELECT clv_svg_dendrogram('{{0,2,0.5,2}}');
SELECT clv_svg_dendrogram('{{0,3,0.5,2},{1,2,1,3}}');
SELECT clv_svg_dendrogram('{{1,1,0.5,2},{0,3,1,3}}');
SELECT clv_svg_dendrogram('{{0,1,0.5,2},{0,3,1,3}}');
SELECT clv_svg_dendrogram('{{0,1,-0.5,2},{2,3,1,3}}');
SELECT clv_svg_dendrogram('{{0,1,1e16,2},{2,3,1,3}}');
SELECT clv_svg_dendrogram('{{0,1,0.5,2},{2,3,1,4}}');
SELECT clv_svg_dendrogram('{{0,1,0.5,2.5},{2,3,1,3}}');
SELECT clv_svg_dendrogram(array_fill(0::float8, ARRAY[100000, 4]));
-- Their SQLSTATEs: 22023 invalid_parameter_value, 2202E array_subscript_error, 22004
-- null_value_not_allowed, 54000 program_limit_exceeded.
CREATE FUNCTION seg_sqlstate(q text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE q;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
SELECT z, seg_sqlstate(format('SELECT clv_svg_dendrogram(%L)', z)) AS sqlstate
FROM (VALUES ('{}'), ('{0,1,0.5,2}'), ('{{0,1,0.5}}'), ('{{0,1,NULL,2}}'), ('{{0,1,NaN,2}}'),
             ('{{0,1.5,0.5,2}}'), ('{{1,1,0.5,2},{0,3,1,3}}'), ('{{0,1,0.5,2},{0,3,1,3}}'),
             ('{{0,1,-0.5,2},{2,3,1,3}}'), ('{{0,1,0.5,2},{2,3,1,4}}')) v(z);
SELECT seg_sqlstate('SELECT clv_svg_dendrogram(array_fill(0::float8, ARRAY[100000, 4]))') AS too_large;
SELECT clv_svg_dendrogram(z, 1) FROM seg_linkage WHERE name = 'ward20';
SELECT clv_svg_dendrogram(z, 201) FROM seg_linkage WHERE name = 'ward20';
SELECT clv_svg_dendrogram(z, 30, 't', 0) FROM seg_linkage WHERE name = 'ward20';
SELECT clv_svg_dendrogram(z, 6, 't', 7) FROM seg_linkage WHERE name = 'ward20';
SELECT clv_svg_dendrogram(z, 30, 't', 21) FROM seg_linkage WHERE name = 'ward20';
-- Non-monotone heights (centroid and median linkage) are drawn as they are: the link of
-- the second merge goes down from the first merge's height to its own.
SELECT seg_count(svg, '//s:path[@class="link"]') AS links,
       seg_texts(svg, '//s:path[@class="link"]/@d') AS paths,
       seg_texts(svg, '//s:text[@class="legend"]/text()') AS legend
FROM (SELECT clv_svg_dendrogram(z, 30, 't', 3) AS svg FROM seg_linkage WHERE name = 'centroid3') d;
SELECT clv_svg_dendrogram(z, labels => ARRAY['a', 'b']) FROM seg_linkage WHERE name = 'centroid3';
SELECT clv_svg_dendrogram(z, labels => ARRAY['a', NULL, 'c']) FROM seg_linkage WHERE name = 'centroid3';
-- Array lower bounds are ignored: the rows are read in order.
SELECT seg_leaves(clv_svg_dendrogram('[0:1][0:3]={{0,1,1.0,2},{2,3,0.9,3}}')) AS zero_based_array;
SELECT clv_svg_dendrogram(NULL) IS NULL AS strict, clv_svg_dendrogram(z, k => NULL) IS NULL AS strict_k
FROM seg_linkage WHERE name = 'two';
-- A shuffled linkage (the first row moved to the end: the cluster indices no longer
-- match their rows) and a large valid one: 20,000 observations merged in a chain, the last 30 merges drawn.
SELECT clv_svg_dendrogram(z[2:19][1:4] || z[1:1][1:4]) FROM seg_linkage WHERE name = 'ward20';
SELECT seg_count(clv_svg_dendrogram(array_agg(ARRAY[CASE WHEN i = 0 THEN 0 ELSE 19999 + i END, i + 1, i, i + 2]::float8[] ORDER BY i)),
                 '//s:path[@class="link"]') AS chain_links
FROM generate_series(0, 19998) i;

-- Scatter plots: CDNOW customers, recency against spend, coloured by repeat purchases.
CREATE TABLE seg_cust AS
SELECT customer_id, (clv_summary(txn_time, amount, '1997-09-30', 'week')).*
FROM cdnow_txn GROUP BY customer_id;
CREATE TABLE seg_scatter AS
SELECT clv_svg_scatter(recency, monetary_value, least(frequency, 3)::int, 'Recency and spend',
                       'recency (weeks)', 'mean spend ($)', 'log_y') AS svg
FROM seg_cust WHERE frequency > 0;
SELECT xml_is_well_formed_document(svg) AS well_formed,
       seg_count(svg, '//s:circle[@class="point"]') AS points,
       seg_texts(svg, '//s:text[@class="legend"]/text()') AS legend,
       seg_texts(svg, '//s:text[@class="axis-label"]/text()') AS axis_titles,
       seg_count(svg, '//s:text[@class="note"]') AS notes
FROM seg_scatter;
SELECT least(frequency, 3) AS cluster, count(*) AS customers FROM seg_cust WHERE frequency > 0 GROUP BY 1 ORDER BY 1;
-- A point's tooltip names its cluster and values.
SELECT seg_texts(svg, '//s:circle[@class="point"][1]/s:title/text()') ~ '^cluster [1-3]: [0-9.]+, [0-9.]+$' AS tooltip
FROM seg_scatter;

-- More than 5,000 rows: 5,000 points drawn, the legend counts every row, a note says
-- so; the sample is the same whatever the row order.
CREATE TABLE seg_big AS
SELECT i, (i % 5) AS c, ((i::bigint * 7919) % 10007) / 100.0 AS x, ((i::bigint * 104729) % 10009) / 10.0 + 1 AS y
FROM generate_series(1, 60000) i;
ANALYZE seg_big;
SELECT seg_count(svg, '//s:circle[@class="point"]') AS points,
       seg_texts(svg, '//s:text[@class="note"]/text()') AS note,
       seg_texts(svg, '//s:text[@class="legend"]/text()') AS legend
FROM (SELECT clv_svg_scatter(x, y, c) AS svg FROM seg_big) s;
SELECT (SELECT clv_svg_scatter(x, y, c ORDER BY i) FROM seg_big)
     = (SELECT clv_svg_scatter(x, y, c ORDER BY i DESC) FROM seg_big) AS order_independent;

-- Cluster profiles: each cell the cluster's mean of the feature's z-score, standardised
-- with the mean and population sd of all rows; the same numbers from SQL.
CREATE TABLE seg_profile AS
SELECT clv_svg_cluster_profile(least(frequency, 3)::int, ARRAY[recency, frequency, monetary_value, t],
                               ARRAY['recency', 'frequency', 'spend', 'age'], 'Profiles') AS svg
FROM seg_cust WHERE frequency > 0;
SELECT xml_is_well_formed_document(svg) AS well_formed,
       seg_count(svg, '//s:rect[@class="cell"]') AS cells,
       seg_count(svg, '//s:text[@class="value"]') AS values,
       seg_count(svg, '//s:rect[@class="scale"]') AS scale_steps,
       seg_texts(svg, '//s:text[@class="tick" and @text-anchor="end"]/text()') AS rows,
       seg_texts(svg, '//s:text[@class="tick" and @text-anchor="middle"]/text()') AS columns,
       seg_texts(svg, '//s:text[@class="axis-label"]/text()') AS scale_title
FROM seg_profile;
SELECT seg_texts(svg, '//s:text[@class="value"]/text()') AS chart,
       (SELECT string_agg(v, ' | ' ORDER BY c, j)
        FROM (SELECT c, j, to_char(avg((x - m) / sd), 'FM990.00') AS v
              FROM (SELECT least(frequency, 3) AS c, j, x,
                           avg(x) OVER (PARTITION BY j) AS m, stddev_pop(x) OVER (PARTITION BY j) AS sd
                    FROM seg_cust, unnest(ARRAY[recency, frequency, monetary_value, t]) WITH ORDINALITY u(x, j)
                    WHERE frequency > 0) s GROUP BY c, j) a) AS sql
FROM seg_profile;
SELECT seg_texts(svg, '//s:rect[@class="cell"][1]/s:title/text()') AS first_cell,
       round(avg(recency)::numeric, 4) AS mean_recency
FROM seg_profile, seg_cust WHERE frequency = 1 GROUP BY svg;
-- A constant feature has z = 0 everywhere; one cluster, one feature.
SELECT seg_texts(clv_svg_cluster_profile(c, ARRAY[x, 5], ARRAY['x', 'five']), '//s:text[@class="value"]/text()') AS two_clusters,
       seg_texts(clv_svg_cluster_profile(1, ARRAY[x], ARRAY['x']), '//s:text[@class="value"]/text()') AS one_cluster
FROM (VALUES (1, 1.0), (1, 2.0), (2, 3.0), (2, 6.0)) v(c, x);
-- Hostile names are escaped.
SELECT xml_is_well_formed_document(svg) AS well_formed, position('<b>' IN svg) = 0 AS no_raw_tag,
       position('&lt;b&gt;&amp;' IN svg) > 0 AS escaped
FROM (SELECT clv_svg_cluster_profile(c, ARRAY[x], ARRAY['<b>&'], '<b>&') AS svg,
             clv_svg_scatter(x, x, c, '<b>&', '<b>&', '<b>&') AS s2
      FROM (VALUES (1, 1.0), (2, 2.0)) v(c, x)) c
UNION ALL
SELECT xml_is_well_formed_document(s2), position('<b>' IN s2) = 0, position('&lt;b&gt;&amp;' IN s2) > 0
FROM (SELECT clv_svg_scatter(x, x, c, '<b>&', '<b>&', '<b>&') AS s2 FROM (VALUES (1, 1.0), (2, 2.0)) v(c, x)) c;

-- NULL rows are skipped; no rows give NULL.
SELECT (SELECT seg_count(clv_svg_scatter(x, y, c), '//s:circle[@class="point"]')
        FROM (VALUES (1.0, 2.0, 1), (NULL, 1.0, 1), (1.0, NULL, 1), (3.0, 4.0, NULL)) v(x, y, c)) AS scatter_points,
       (SELECT clv_svg_scatter(x, x, 1) FROM seg_big WHERE false) IS NULL AS scatter_no_rows,
       (SELECT seg_count(clv_svg_cluster_profile(c, f, ARRAY['a']), '//s:rect[@class="cell"]')
        FROM (VALUES (1, ARRAY[1.0]), (NULL, ARRAY[2.0]), (2, NULL)) v(c, f)) AS profile_cells,
       (SELECT clv_svg_cluster_profile(1, ARRAY[x], ARRAY['x']) FROM seg_big WHERE false) IS NULL AS profile_no_rows;

-- Parallel plans give the serial charts.
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT clv_svg_scatter(x, y, c) FROM seg_big;
CREATE TEMP TABLE seg_par AS
SELECT clv_svg_scatter(x + 1, y, c, 't', 'x', 'y', 'log') AS s,
       clv_svg_cluster_profile(c, ARRAY[x, y, i], ARRAY['x', 'y', 'i']) AS p FROM seg_big;
RESET parallel_leader_participation;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE seg_ser AS
SELECT clv_svg_scatter(x + 1, y, c, 't', 'x', 'y', 'log') AS s,
       clv_svg_cluster_profile(c, ARRAY[x, y, i], ARRAY['x', 'y', 'i']) AS p FROM seg_big;
SELECT a.s = b.s AS scatter_equal, a.p = b.p AS profile_equal FROM seg_par a, seg_ser b;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- Bad input.
SELECT clv_svg_scatter(x, y, 1) FROM (VALUES (1.0, 'NaN'::float8)) v(x, y);
SELECT clv_svg_scatter(x, y, 1) FROM (VALUES ('Infinity'::float8, 1.0)) v(x, y);
SELECT clv_svg_scatter(x, y, 1, 't', 'x', 'y', 'log') FROM (VALUES (0.0, 1.0)) v(x, y);
SELECT clv_svg_scatter(x, y, 1, 't', 'x', 'y', 'log_y') FROM (VALUES (0.0, -1.0)) v(x, y);
SELECT clv_svg_scatter(x, y, 1, 't', 'x', 'y', 'sqrt') FROM (VALUES (0.0, 1.0)) v(x, y);
SELECT clv_svg_scatter(x, y, 1, NULL) FROM (VALUES (0.0, 1.0)) v(x, y);
SELECT clv_svg_scatter(x, y, 1, t) FROM (VALUES (0.0, 1.0, 'a'), (1.0, 2.0, 'b')) v(x, y, t);
SELECT clv_svg_scatter(i, i, i) FROM generate_series(1, 21) i;
SELECT clv_svg_cluster_profile(1, ARRAY[1.0, 2.0], ARRAY['a']);
SELECT clv_svg_cluster_profile(1, ARRAY[1.0, NULL], ARRAY['a', 'b']);
SELECT clv_svg_cluster_profile(1, ARRAY[1.0, 'NaN'], ARRAY['a', 'b']);
SELECT clv_svg_cluster_profile(1, ARRAY[]::float8[], ARRAY[]::text[]);
SELECT clv_svg_cluster_profile(1, ARRAY[[1.0], [2.0]], ARRAY['a', 'b']);
SELECT clv_svg_cluster_profile(1, ARRAY[1.0], NULL);
SELECT clv_svg_cluster_profile(1, ARRAY[1.0], ARRAY[NULL]::text[]);
SELECT clv_svg_cluster_profile(1, f, n) FROM (VALUES (ARRAY[1.0], ARRAY['a']), (ARRAY[1.0, 2.0], ARRAY['a', 'b'])) v(f, n);
SELECT clv_svg_cluster_profile(1, ARRAY[x], n) FROM (VALUES (1.0, ARRAY['a']), (2.0, ARRAY['b'])) v(x, n);
SELECT clv_svg_cluster_profile(1, ARRAY[1.0], ARRAY['a'], t) FROM (VALUES ('a'), ('b')) v(t);
SELECT clv_svg_cluster_profile(i, ARRAY[1.0], ARRAY['a']) FROM generate_series(1, 51) i;
SELECT clv_svg_cluster_profile(1, array_fill(1.0::float8, ARRAY[51]), array_fill('a'::text, ARRAY[51]));
