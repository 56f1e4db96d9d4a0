-- Upgrades in place: a database that installed clv 0.1 and stored its results (fitted
-- models in a table, a materialized view of per-customer scores) is brought to the current
-- version with ALTER EXTENSION clv UPDATE; stored values keep their meaning and the
-- results after the upgrade equal those of a fresh install.
CREATE DATABASE clv_upgrade;
\c clv_upgrade
SET client_min_messages = warning;
CREATE EXTENSION clv VERSION '0.1';
SELECT extversion FROM pg_extension WHERE extname = 'clv';

CREATE TABLE cust (id int, frequency int, recency float8, t float8, zbar float8);
\copy cust FROM 'data/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE models AS
SELECT bgnbd_fit(frequency, recency, t) AS bg,
       gamma_gamma_fit(frequency, zbar) FILTER (WHERE frequency > 0) AS gg
FROM cust;
CREATE MATERIALIZED VIEW scores AS
SELECT c.id, bgnbd_p_alive(m.bg, frequency, recency, t) AS p_alive,
       gamma_gamma_clv(m.bg, m.gg, frequency, recency, t, zbar, 12, 0.01, 7) AS clv
FROM cust c, models m WHERE c.frequency > 0;
-- In 0.1 a plain role could execute the support functions.
SELECT has_function_privilege('public', 'clv_holdout_bins_trans(float8[], int, float8, float8, int)',
                              'EXECUTE') AS public_may_execute_bins_trans;

-- A view that names a parameter 0.1 called t: the update warns that its definition
-- keeps the old name (it runs, but a dump of it would not restore).
CREATE VIEW named_t AS
SELECT bgnbd_expected_purchases(bg, t => 52, frequency => 2, recency => 30, t_customer => 38) AS e
FROM models;
SET client_min_messages = warning;
ALTER EXTENSION clv UPDATE;
SELECT round(e::numeric, 6) AS still_runs FROM named_t;
DROP VIEW named_t;
SELECT extversion FROM pg_extension WHERE extname = 'clv';
SELECT has_function_privilege('public', '_clv_holdout_bins_trans(float8[], int, float8, float8, int)',
                              'EXECUTE') AS public_may_execute_bins_trans;
-- Support functions carry a leading underscore; the type rfm is clv_rfm; parameters
-- named t are called horizon (prediction window) or t_customer (age).
SELECT count(*) FILTER (WHERE p.proname !~ '^_') AS support_functions_without_underscore
FROM pg_aggregate a JOIN pg_proc p ON p.oid IN (a.aggtransfn, a.aggfinalfn, a.aggcombinefn)
WHERE a.aggfnoid::regproc::text ~ 'fit|holdout|gini|summary';
SELECT to_regtype('rfm') AS rfm, to_regtype('clv_rfm') AS clv_rfm;
SELECT pg_get_function_arguments('bgnbd_expected_purchases(bgnbd_model, float8, float8, float8, float8)'::regprocedure);
SELECT pg_get_function_arguments('bgnbd_fit(float8, float8, float8)'::regprocedure);
SELECT round(bgnbd_expected_purchases(bg, horizon => 52, frequency => 2, recency => 30, t_customer => 38)::numeric, 6)
FROM models;
-- (the old name is an ERROR; terse, since its hint differs between PostgreSQL versions)
\set VERBOSITY terse
SELECT round(bgnbd_expected_purchases(bg, t => 52, frequency => 2, recency => 30, t_customer => 38)::numeric, 6)
FROM models;
\set VERBOSITY default

-- The stored models and view still read, score and refresh to the same numbers.
SELECT round((bg).r::numeric, 4) AS r, round((bg).alpha::numeric, 4) AS alpha,
       round((gg).p::numeric, 4) AS p FROM models;
CREATE TEMP TABLE before AS SELECT * FROM scores;
REFRESH MATERIALIZED VIEW scores;
SELECT count(*) AS customers,
       max(abs(s.p_alive - b.p_alive)) = 0 AS same_p_alive,
       max(abs(s.clv - b.clv)) = 0 AS same_clv
FROM scores s JOIN before b USING (id);

-- Everything a fresh install creates is there after the upgrade, with the same ACLs.
-- (PostgreSQL 17 on also makes the array types members: not counted, so that the count
-- is the same on every version; they are compared like the rest.)
CREATE TEMP TABLE upgraded AS
SELECT pg_describe_object(classid, objid, 0) AS object,
       (SELECT proacl::text FROM pg_proc WHERE oid = objid AND classid = 'pg_proc'::regclass) AS acl
FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
WHERE e.extname = 'clv' AND d.deptype = 'e';
DROP MATERIALIZED VIEW scores;
DROP TABLE models;
DROP EXTENSION clv;
CREATE EXTENSION clv;
SELECT count(*) FILTER (WHERE f.object NOT LIKE 'type %[]') AS objects,
       count(*) FILTER (WHERE u.object IS NULL) AS missing_after_upgrade,
       count(*) FILTER (WHERE u.acl IS DISTINCT FROM f.acl) AS different_acl
FROM (SELECT pg_describe_object(classid, objid, 0) AS object,
             (SELECT proacl::text FROM pg_proc WHERE oid = objid AND classid = 'pg_proc'::regclass) AS acl
      FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
      WHERE e.extname = 'clv' AND d.deptype = 'e') f
LEFT JOIN upgraded u USING (object);
SELECT count(*) AS only_in_upgrade FROM upgraded u
WHERE NOT EXISTS (SELECT 1 FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
                  WHERE e.extname = 'clv' AND d.deptype = 'e'
                    AND pg_describe_object(classid, objid, 0) = u.object);

\c contrib_regression
DROP DATABASE clv_upgrade;

-- From 0.2: a database that installed 0.2 and stored fitted models and a materialized
-- view of scores is brought to the current version; stored values keep their numbers.
CREATE DATABASE clv_upgrade02;
\c clv_upgrade02
SET client_min_messages = warning;
CREATE EXTENSION clv VERSION '0.2';
CREATE TABLE cust (id int, frequency int, recency float8, t float8, zbar float8);
\copy cust FROM 'data/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE models AS
SELECT bgnbd_fit(frequency, recency, t) AS bg, pareto_nbd_fit(frequency, recency, t) AS pn,
       gamma_gamma_fit(frequency, zbar) FILTER (WHERE frequency > 0) AS gg
FROM cust;
CREATE MATERIALIZED VIEW scores AS
SELECT c.id, bgnbd_p_alive(m.bg, frequency, recency, t) AS p_alive,
       gamma_gamma_clv(m.bg, m.gg, frequency, recency, t, zbar, 12, 0.01, 7) AS clv
FROM cust c, models m WHERE c.frequency > 0;
CREATE TEMP TABLE before AS SELECT * FROM scores;
ALTER EXTENSION clv UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'clv';
SELECT round((bg).r::numeric, 4) AS r, round((bg).alpha::numeric, 4) AS alpha,
       round((pn).s::numeric, 4) AS s, round((gg).p::numeric, 4) AS p FROM models;
REFRESH MATERIALIZED VIEW scores;
SELECT count(*) AS customers,
       max(abs(s.p_alive - b.p_alive)) = 0 AS same_p_alive,
       max(abs(s.clv - b.clv)) = 0 AS same_clv
FROM scores s JOIN before b USING (id);
-- Support functions of every aggregate, old and new, are not executable by PUBLIC.
SELECT count(*) AS support_functions_public_may_execute
FROM pg_aggregate a
CROSS JOIN LATERAL (VALUES (a.aggtransfn), (a.aggfinalfn), (a.aggcombinefn),
                           (a.aggserialfn), (a.aggdeserialfn)) s(fn)
JOIN pg_depend d ON d.objid = a.aggfnoid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'clv'
WHERE s.fn <> 0 AND has_function_privilege('public', s.fn, 'EXECUTE');

\c contrib_regression
DROP DATABASE clv_upgrade02;

-- From 0.3: a database that installed 0.3 and stored fitted models (with aic, bic and
-- covariance) and a materialized view of scores is brought to the current version;
-- stored values keep their numbers.
CREATE DATABASE clv_upgrade03;
\c clv_upgrade03
SET client_min_messages = warning;
CREATE EXTENSION clv VERSION '0.3';
CREATE TABLE cust (id int, frequency int, recency float8, t float8, zbar float8);
\copy cust FROM 'data/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE models AS
SELECT bgnbd_fit(frequency, recency, t) AS bg, pareto_nbd_fit(frequency, recency, t) AS pn,
       gamma_gamma_fit(frequency, zbar) FILTER (WHERE frequency > 0) AS gg
FROM cust;
CREATE MATERIALIZED VIEW scores AS
SELECT c.id, bgnbd_p_alive(m.bg, frequency, recency, t) AS p_alive,
       pareto_nbd_p_alive(m.pn, frequency, recency, t) AS pn_p_alive,
       gamma_gamma_clv(m.bg, m.gg, frequency, recency, t, zbar, 12, 0.01, 7) AS clv
FROM cust c, models m WHERE c.frequency > 0;
CREATE TEMP TABLE before AS SELECT * FROM scores;
-- Views over aggregates whose state was internal in 0.3 (bytea from 0.4, changed in
-- place): they survive the update and give the same results, to the bit.
CREATE VIEW agg_results AS
SELECT 'kmeans_fit' AS agg, kmeans_fit(ARRAY[frequency, recency, t], 3, 7)::text AS result FROM cust
UNION ALL SELECT 'kmeans_elbow', kmeans_elbow(ARRAY[frequency, recency], 4)::text FROM cust
UNION ALL SELECT 'gini', gini(zbar)::text FROM cust
UNION ALL SELECT 'top_share', top_share(zbar, 0.1)::text FROM cust
UNION ALL SELECT 'ab_mean_test', ab_mean_test(CASE WHEN id % 2 = 0 THEN 'a' ELSE 'b' END, zbar)::text FROM cust
UNION ALL SELECT 'ab_proportion_test', ab_proportion_test(id % 2, frequency > 0)::text FROM cust
UNION ALL SELECT 'linreg_fit', linreg_fit(zbar, ARRAY[frequency, recency])::text FROM cust
UNION ALL SELECT 'regression_metrics', regression_metrics(recency, t)::text FROM cust
UNION ALL SELECT 'historical_clv', historical_clv(timestamptz '1997-01-01' + id * interval '1 hour', zbar)::text FROM cust
UNION ALL SELECT 'clv_svg_histogram', md5(clv_svg_histogram(zbar)) FROM cust
UNION ALL SELECT 'hclust_fit', hclust_fit(ARRAY[frequency, recency])::text FROM cust WHERE id <= 200
UNION ALL SELECT 'decision_tree_fit', decision_tree_fit(zbar, ARRAY[frequency, recency], 3, 20)::text FROM cust
UNION ALL SELECT 'clv_summary', array_agg(s::text ORDER BY g)::text
          FROM (SELECT id % 50 AS g, clv_summary(timestamptz '1997-01-01' + (id % 90) * interval '1 day',
                                                 zbar, '1998-07-01') AS s
                FROM cust GROUP BY 1) x;
CREATE TEMP TABLE agg_before AS SELECT * FROM agg_results;
ALTER EXTENSION clv UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'clv';
SELECT count(*) AS aggregates_in_view, count(*) FILTER (WHERE a.result = b.result) AS same_result
FROM agg_results a JOIN agg_before b USING (agg);
SELECT count(*) AS aggregates_with_internal_state FROM pg_aggregate
WHERE aggtranstype = 'internal'::regtype AND aggfnoid::oid IN
  (SELECT objid FROM pg_depend WHERE refobjid = (SELECT oid FROM pg_extension WHERE extname = 'clv'));
SELECT round((bg).r::numeric, 4) AS r, round((bg).aic::numeric, 2) AS bg_aic,
       round((pn).s::numeric, 4) AS s, round((gg).p::numeric, 4) AS p,
       cardinality((pn).covariance) AS pn_covariance_cells FROM models;
REFRESH MATERIALIZED VIEW scores;
SELECT count(*) AS customers,
       max(abs(s.p_alive - b.p_alive)) = 0 AS same_p_alive,
       max(abs(s.pn_p_alive - b.pn_p_alive)) = 0 AS same_pn_p_alive,
       max(abs(s.clv - b.clv)) = 0 AS same_clv
FROM scores s JOIN before b USING (id);
-- models stored under 0.3 carry their covariance: 0.4's prediction intervals work on them
SELECT round(i.estimate::numeric, 4) AS p_alive, i.lower < i.estimate AND i.estimate < i.upper AS ordered
FROM models, bgnbd_p_alive_interval(bg, 2, 30.43, 38.86) i;
-- 0.4's covariate fields read NULL in models stored under 0.3: they score without vectors.
SELECT (pn).purchase_coefficients IS NULL AND (pn).dropout_coefficients_se IS NULL AS no_covariates,
       round(pareto_nbd_expected_purchases(pn, 10, 2, 30, 39)::numeric, 6) =
       round(pareto_nbd_expected_purchases(pn, 10, 2, 30, 39, '{}', '{}')::numeric, 6) AS empty_vectors_same
FROM models;
SELECT count(*) AS support_functions_public_may_execute
FROM pg_aggregate a
CROSS JOIN LATERAL (VALUES (a.aggtransfn), (a.aggfinalfn), (a.aggcombinefn),
                           (a.aggserialfn), (a.aggdeserialfn)) s(fn)
JOIN pg_depend d ON d.objid = a.aggfnoid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'clv'
WHERE s.fn <> 0 AND has_function_privilege('public', s.fn, 'EXECUTE');
-- Every aggregate's catalog row and dependencies equal those of a fresh install (by
-- names: the oids differ).
CREATE TEMP TABLE agg_upgraded AS
SELECT a.aggfnoid::regprocedure::text AS agg,
       concat_ws(' ', a.aggkind, a.aggnumdirectargs, a.aggtransfn::regprocedure, a.aggfinalfn::regprocedure,
                 a.aggcombinefn::regprocedure, a.aggserialfn, a.aggdeserialfn, a.aggmtransfn,
                 a.aggminvtransfn, a.aggmfinalfn, a.aggfinalextra, a.aggmfinalextra, a.aggfinalmodify,
                 a.aggmfinalmodify, a.aggsortop, a.aggtranstype::regtype, a.aggtransspace,
                 a.aggmtranstype, a.aggmtransspace, a.agginitval, a.aggminitval) AS row,
       (SELECT string_agg(dep, ', ' ORDER BY dep)
        FROM (SELECT pg_describe_object(refclassid, refobjid, refobjsubid) || ' ' || deptype::text AS dep
              FROM pg_depend WHERE classid = 'pg_proc'::regclass AND objid = a.aggfnoid) q) AS deps
FROM pg_aggregate a JOIN pg_depend d ON d.objid = a.aggfnoid AND d.deptype = 'e'
JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'clv';
-- A converted aggregate's row and dependencies are those CREATE AGGREGATE makes.
CREATE AGGREGATE pg_temp.gini_created(float8) (
    SFUNC = _clv_values_trans_b, STYPE = bytea, SSPACE = 8192,
    FINALFUNC = _gini_final_b, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_values_combine_b, PARALLEL = SAFE);
SELECT regexp_replace(x.g::text, 'pg_temp_[0-9]+', 'pg_temp') AS aggregate,
       (SELECT string_agg(pg_describe_object(refclassid, refobjid, refobjsubid), ', '
                               ORDER BY pg_describe_object(refclassid, refobjid, refobjsubid))
             FROM pg_depend WHERE objid = x.g AND refclassid = 'pg_proc'::regclass AND deptype = 'n') AS depends_on,
       (SELECT (a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn, a.aggdeserialfn, a.aggfinalmodify,
                a.aggtranstype::regtype, a.aggtransspace, a.agginitval)::text
        FROM pg_aggregate a WHERE a.aggfnoid = x.g) AS aggregate_row,
       (SELECT round(gini(zbar)::numeric, 6) FROM cust) AS gini,
       (SELECT round(pg_temp.gini_created(zbar)::numeric, 6) FROM cust) AS gini_created
FROM (VALUES ('gini(float8)'::regprocedure), ('pg_temp.gini_created(float8)'::regprocedure)) x(g);
DROP AGGREGATE pg_temp.gini_created(float8);
-- The view holds the extension (its dependency on the aggregates is intact) ...
\set VERBOSITY terse
DROP EXTENSION clv;
\set VERBOSITY default
-- ... and once it is gone, the extension drops.
DROP VIEW agg_results;
DROP MATERIALIZED VIEW scores;
DROP TABLE models;
DROP EXTENSION clv;
CREATE EXTENSION clv;
SELECT count(*) AS aggregates,
       count(*) FILTER (WHERE u.agg IS NULL) AS missing_after_upgrade,
       count(*) FILTER (WHERE u.row IS DISTINCT FROM f.row) AS different_row,
       count(*) FILTER (WHERE u.deps IS DISTINCT FROM f.deps) AS different_dependencies
FROM (SELECT a.aggfnoid::regprocedure::text AS agg,
             concat_ws(' ', a.aggkind, a.aggnumdirectargs, a.aggtransfn::regprocedure, a.aggfinalfn::regprocedure,
                       a.aggcombinefn::regprocedure, a.aggserialfn, a.aggdeserialfn, a.aggmtransfn,
                       a.aggminvtransfn, a.aggmfinalfn, a.aggfinalextra, a.aggmfinalextra, a.aggfinalmodify,
                       a.aggmfinalmodify, a.aggsortop, a.aggtranstype::regtype, a.aggtransspace,
                       a.aggmtranstype, a.aggmtransspace, a.agginitval, a.aggminitval) AS row,
             (SELECT string_agg(dep, ', ' ORDER BY dep)
              FROM (SELECT pg_describe_object(refclassid, refobjid, refobjsubid) || ' ' || deptype::text AS dep
                    FROM pg_depend WHERE classid = 'pg_proc'::regclass AND objid = a.aggfnoid) q) AS deps
      FROM pg_aggregate a JOIN pg_depend d ON d.objid = a.aggfnoid AND d.deptype = 'e'
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'clv') f
LEFT JOIN agg_upgraded u USING (agg);
-- (the catalog allows serial functions only for internal states)
SELECT count(*) AS aggregates_with_bytea_state_and_serial_function FROM pg_aggregate
WHERE aggtranstype = 'bytea'::regtype AND aggserialfn <> 0;

\c contrib_regression
DROP DATABASE clv_upgrade03;
