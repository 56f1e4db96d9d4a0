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
ALTER EXTENSION clv UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'clv';
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

\c contrib_regression
DROP DATABASE clv_upgrade03;
