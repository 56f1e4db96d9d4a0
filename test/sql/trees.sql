-- Regression trees and random forests: decision_tree_fit / decision_tree_predict,
-- random_forest_fit / random_forest_predict. Held-out accuracy against scikit-learn:
-- test/reference/trees_sklearn.py (docs/regression.md).

-- A tree small enough to check by hand. Six rows, target y, features (x1, x2):
--   y   1  2  3  10  11  12
--   x1  1  2  3   4   5   6
--   x2 10 10 20  20  20  20
-- Root: x1 <= 3.5 leaves {1,2,3} | {10,11,12}, squared error 2 + 2 = 4, the best split
-- (x2 <= 15 gives {1,2} | {3,10,11,12}: 0.5 + 50.75). Depth 2: each half splits at its
-- first best place, x1 <= 1.5 ({1} | {2,3}) and x1 <= 4.5 ({10} | {11,12}), both 0.5
-- (ties go to the lowest threshold). So the leaves predict 1, 2.5, 10, 11.5, and
-- x2 is never used: importance {1, 0}.
CREATE TABLE tiny (y float8, x float8[]);
INSERT INTO tiny VALUES (1, '{1,10}'), (2, '{2,10}'), (3, '{3,20}'), (10, '{4,20}'),
                        (11, '{5,20}'), (12, '{6,20}');
CREATE TABLE tiny_tree AS SELECT decision_tree_fit(y, x, 2, 1) AS m FROM tiny;
SELECT (m).n, (m).n_features, (m).max_depth, (m).min_leaf, (m).depth, (m).leaves,
       (m).importance, length((m).model) AS model_bytes
FROM tiny_tree;
SELECT x, decision_tree_predict(m, x) AS prediction FROM tiny, tiny_tree ORDER BY x;
-- the thresholds are midpoints: 3.4 goes left, 3.6 right; 1.5 is left of x1 <= 1.5
SELECT decision_tree_predict(m, '{3.4,0}') AS at_3_4, decision_tree_predict(m, '{3.6,0}') AS at_3_6,
       decision_tree_predict(m, '{1.5,99}') AS at_1_5, decision_tree_predict(m, '{-1e300,0}') AS far_left
FROM tiny_tree;
-- max_depth 1 is a stump: the root split alone, leaves 2 and 11
SELECT (m).depth, (m).leaves, decision_tree_predict(m, '{0,0}') AS left_leaf,
       decision_tree_predict(m, '{9,0}') AS right_leaf
FROM (SELECT decision_tree_fit(y, x, 1, 1) AS m FROM tiny) s;
-- min_leaf 3: only the root split keeps 3 rows a leaf
SELECT (m).depth, (m).leaves FROM (SELECT decision_tree_fit(y, x, 5, 3) AS m FROM tiny) s;
-- a constant target: one leaf
SELECT (m).depth, (m).leaves, (m).importance, decision_tree_predict(m, '{1,1}')
FROM (SELECT decision_tree_fit(7, x, 5, 1) AS m FROM tiny) s;
-- rows with a NULL target or NULL features are left out
SELECT (m).n FROM (SELECT decision_tree_fit(y, x, 2, 1) AS m FROM
    (SELECT * FROM tiny UNION ALL VALUES (NULL::float8, '{1,1}'::float8[]), (5, NULL)) s) q;
-- STRICT: a NULL model or features give NULL
SELECT decision_tree_predict(NULL, '{1,2}') IS NULL AS null_model,
       decision_tree_predict(m, NULL) IS NULL AS null_features FROM tiny_tree;

-- CDNOW: holdout-style regression of the calibration spend on (frequency, recency, T).
CREATE TABLE tr_data AS
SELECT id, zbar AS y, ARRAY[frequency, recency, t]::float8[] AS x FROM cdnow_summary;
CREATE TABLE tr_tree AS SELECT decision_tree_fit(y, x, 4, 20) AS m FROM tr_data;
SELECT (m).n, (m).depth, (m).leaves,
       (SELECT array_agg(round(v::numeric, 3)) FROM unnest((m).importance) v) AS importance,
       round((SELECT sum(v) FROM unnest((m).importance) v)::numeric, 12) AS importance_sum
FROM tr_tree;
-- the tree beats predicting the mean on its training data, and a forest beats the tree
CREATE TABLE tr_forest AS SELECT random_forest_fit(y, x, 50, 8, 5, 42) AS m FROM tr_data;
SELECT (m).n, (m).n_trees, (m).max_depth, (m).min_leaf, (m).max_features, (m).seed,
       (m).depth <= 8 AS depth_ok, (m).leaves > 50 AS leaves_ok,
       round((SELECT sum(v) FROM unnest((m).importance) v)::numeric, 12) AS importance_sum
FROM tr_forest;
SELECT round((regression_metrics(y, decision_tree_predict(t.m, x))).r2::numeric, 2) > 0.3 AS tree_r2_ok,
       (regression_metrics(y, random_forest_predict(f.m, x))).mse
         < (regression_metrics(y, decision_tree_predict(t.m, x))).mse AS forest_better
FROM tr_data, tr_tree t, tr_forest f;
-- max_features: the default is max(1, d / 3) = 1 of 3; all 3 is bagging
SELECT (m).max_features FROM (SELECT random_forest_fit(y, x, 5, 4, 5, 1, 3) AS m FROM tr_data) s;
-- seeded: the same seed, the same forest; another seed, another forest
SELECT (SELECT random_forest_fit(y, x, 10, 6, 5, 7) FROM tr_data)::text
     = (SELECT random_forest_fit(y, x, 10, 6, 5, 7) FROM tr_data)::text AS same_seed_same,
       (SELECT random_forest_fit(y, x, 10, 6, 5, 7) FROM tr_data)::text
     = (SELECT random_forest_fit(y, x, 10, 6, 5, 8) FROM tr_data)::text AS other_seed_same;
-- one tree of a forest without feature sampling is the tree of a bootstrap sample: a
-- forest of identical rows predicts their target
SELECT random_forest_predict(m, '{1,2,3}') FROM
    (SELECT random_forest_fit(5, '{1,2,3}', 3, 4, 1, 0) AS m FROM generate_series(1, 10)) s;
-- GROUP BY: one model per group
SELECT id % 2 AS grp, (m).n, (m).leaves > 1 AS split
FROM (SELECT id % 2 AS id, decision_tree_fit(y, x, 3, 10) AS m FROM tr_data GROUP BY 1) s ORDER BY 1;

-- Bit for bit: the fit sorts the rows canonically, so neither the row order nor the
-- parallel plan (1 to 3 workers, with or without the leader) changes the model.
SELECT setseed(0.25);
CREATE TABLE tr_many AS SELECT d.y, d.x FROM tr_data d, generate_series(1, 5) ORDER BY random();
ALTER TABLE tr_many SET (parallel_workers = 3);
ANALYZE tr_many;
CREATE VIEW tr_fits AS
SELECT decision_tree_fit(y, x, 6, 5)::text AS tree, random_forest_fit(y, x, 8, 6, 5, 42)::text AS forest
FROM tr_many;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE tr_serial AS
SELECT decision_tree_fit(y, x, 6, 5)::text AS tree, random_forest_fit(y, x, 8, 6, 5, 42)::text AS forest
FROM (SELECT * FROM tr_many ORDER BY y, x) s;
CREATE TEMP VIEW tr_same AS
SELECT f.tree = s.tree AS tree_same, f.forest = s.forest AS forest_same FROM tr_fits f, tr_serial s;
SELECT 'serial, shuffled' AS run, * FROM tr_same;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 3;
EXPLAIN (COSTS OFF) SELECT decision_tree_fit(y, x, 6, 5) FROM tr_many;
SELECT '3 workers' AS run, * FROM tr_same;
SET parallel_leader_participation = off;
SELECT '3 workers without leader' AS run, * FROM tr_same;
RESET parallel_leader_participation;
SET max_parallel_workers_per_gather = 1;
SELECT '1 worker' AS run, * FROM tr_same;
RESET ALL;

-- Errors: parameters
SELECT decision_tree_fit(y, x, 0, 1) FROM tiny;
SELECT decision_tree_fit(y, x, 501, 1) FROM tiny;
SELECT decision_tree_fit(y, x, 2, 0) FROM tiny;
SELECT decision_tree_fit(y, x, NULL, 1) FROM tiny;
SELECT random_forest_fit(y, x, 0, 3, 1, 42) FROM tiny;
SELECT random_forest_fit(y, x, 10001, 3, 1, 42) FROM tiny;
SELECT random_forest_fit(y, x, 10, 3, 1, NULL) FROM tiny;
SELECT random_forest_fit(y, x, 10, 3, 1, 42, 0) FROM tiny;
SELECT random_forest_fit(y, x, 10, 3, 1, 42, 3) FROM tiny;
SELECT decision_tree_fit(y, x, (y > 5)::int + 1, 1) FROM tiny;
-- Errors: data
SELECT decision_tree_fit(y, x, 2, 1) FROM tiny WHERE false;
SELECT decision_tree_fit(y, NULL, 2, 1) FROM tiny;
SELECT decision_tree_fit('NaN', x, 2, 1) FROM tiny;
SELECT decision_tree_fit(y * 1e300, x, 2, 1) FROM tiny;
SELECT decision_tree_fit(y, ARRAY[x[1], 'Infinity'], 2, 1) FROM tiny;
SELECT decision_tree_fit(y, ARRAY[x[1], NULL], 2, 1) FROM tiny;
SELECT decision_tree_fit(y, CASE WHEN y > 5 THEN x ELSE x[1:1] END, 2, 1) FROM tiny;
SELECT decision_tree_fit(y, ARRAY[x], 2, 1) FROM tiny;
SELECT decision_tree_fit(y, '{}', 2, 1) FROM tiny;
-- Errors: prediction
SELECT decision_tree_predict(m, '{1}') FROM tiny_tree;
SELECT decision_tree_predict(m, '{1,2,3}') FROM tiny_tree;
SELECT decision_tree_predict(m, '{1,NaN}') FROM tiny_tree;
SELECT decision_tree_predict(m, '{1,NULL}') FROM tiny_tree;

-- Forged models. The bytes: header (magic "CLVT", version 1, kind 1 = tree, features,
-- trees, nodes), each tree's first node (8 bytes each, plus the end), then nodes of 16
-- bytes (feature, right child, threshold or leaf value), so node 0 starts at byte 41.
SELECT substr(encode((m).model, 'hex'), 1, 80) AS header FROM tiny_tree;
CREATE FUNCTION forged(m decision_tree_model, b bytea) RETURNS decision_tree_model
LANGUAGE sql AS $$ SELECT ROW(b, m.n, m.n_features, m.max_depth, m.min_leaf, m.depth,
                              m.leaves, m.importance)::decision_tree_model $$;
SELECT decision_tree_predict(forged(m, substr((m).model, 1, 30)), '{1,2}') FROM tiny_tree;
SELECT decision_tree_predict(forged(m, (m).model || '\x00'::bytea), '{1,2}') FROM tiny_tree;
SELECT decision_tree_predict(forged(m, overlay((m).model PLACING '\x00' FROM 1)), '{1,2}') FROM tiny_tree;
SELECT decision_tree_predict(forged(m, overlay((m).model PLACING '\x02' FROM 5)), '{1,2}') FROM tiny_tree;
SELECT decision_tree_predict(forged(m, overlay((m).model PLACING '\xffffff7f' FROM 13)), '{1,2}') FROM tiny_tree;
SELECT decision_tree_predict(forged(m, overlay((m).model PLACING '\xffffffffffffff7f' FROM 17)), '{1,2}') FROM tiny_tree;
-- a cycle: node 0's right child pointing back to itself
SELECT decision_tree_predict(forged(m, overlay((m).model PLACING '\x00000000' FROM 45)), '{9,2}') FROM tiny_tree;
-- a child index past the tree
SELECT decision_tree_predict(forged(m, overlay((m).model PLACING '\x63000000' FROM 45)), '{9,2}') FROM tiny_tree;
-- a feature index past the features, a negative one
SELECT decision_tree_predict(forged(m, overlay((m).model PLACING '\x02000000' FROM 41)), '{9,2}') FROM tiny_tree;
SELECT decision_tree_predict(forged(m, overlay((m).model PLACING '\xfeffffff' FROM 41)), '{9,2}') FROM tiny_tree;
-- a NaN threshold
SELECT decision_tree_predict(forged(m, overlay((m).model PLACING '\x000000000000f87f' FROM 49)), '{9,2}') FROM tiny_tree;
-- a leaf with a child: the last node (a leaf) gets a right child
SELECT decision_tree_predict(forged(m, overlay((m).model PLACING '\x01000000' FROM length((m).model) - 11)), '{9,2}') FROM tiny_tree;
-- the trees' starts out of order
SELECT decision_tree_predict(forged(m, overlay((m).model PLACING '\x05' FROM 25)), '{9,2}') FROM tiny_tree;
-- a tree's model given to the forest's predict
SELECT random_forest_predict(ROW((m).model, 6, 2, 1, 2, 1, 2, 42, 2, 4, '{1,0}')::random_forest_model, '{1,2}')
FROM tiny_tree;
SELECT decision_tree_predict(ROW(NULL, 6, 2, 2, 1, 2, 4, '{1,0}')::decision_tree_model, '{1,2}');
-- the valid model still works after the forged ones
SELECT decision_tree_predict(m, '{9,2}') FROM tiny_tree;

-- Memory: the rows are held while fitting, bounded by maintenance_work_mem.
SET maintenance_work_mem = '1MB';
SELECT decision_tree_fit(y, x, 3, 1) FROM tr_many;
RESET maintenance_work_mem;
-- A long fit polls for interrupts.
SET statement_timeout = '100ms';
SELECT random_forest_fit(y, x, 5000, 30, 1, 1) FROM tr_many;
RESET statement_timeout;
