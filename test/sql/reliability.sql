-- Reliability and security (docs/reliability.md): catalog rules every function and
-- aggregate of the extension must follow, and regression tests of the bugs the fuzzer
-- found. The catalog queries list violations: an empty result is a pass, and a function
-- added later is checked without editing this file.

-- The three rules below list violations: a function may break one only when it is named
-- in the rule's allow-list, with the reason. Nothing else may (an empty result passes).

-- Nothing runs with its owner's rights, except:
--   _clv_alerts_trigger (registry): the alert check after an order. It runs as the
--     extension owner so that a role that may write orders needs no right on the registry
--     and cannot forge alerts; search_path pinned, no dynamic SQL, EXECUTE not granted
--     (only clv_refit attaches it). docs/operations.md, "Rights".
SELECT p.oid::regprocedure AS security_definer
FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'clv')
  AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e' AND p.prosecdef
  AND p.proname NOT IN ('_clv_alerts_trigger');

-- No function pins a search_path or another setting (a SET is applied and undone at every
-- call, and keeps SQL functions from being inlined): objects are qualified instead.
-- Allowed, each pinning search_path = pg_catalog, pg_temp:
--   clv_analyze: runs whole queries over the user's table once per call, so nothing on
--     the caller's path changes what it runs;
--   clv_refit (registry): plans queries of its own text on the tracked table and creates
--     triggers, once per refit;
--   _clv_realization_rows (registry): dynamic SQL over the orders table (behind the
--     clv_realization views);
--   _clv_alerts_trigger (registry): SECURITY DEFINER, which must pin it.
-- The scoring path (clv_score and its helpers) pins nothing: it is called per customer.
SELECT p.oid::regprocedure AS has_proconfig, p.proconfig
FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'clv')
  AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e' AND p.proconfig IS NOT NULL
  AND NOT (p.proname IN ('clv_analyze', 'clv_refit', '_clv_realization_rows', '_clv_alerts_trigger')
           AND p.proconfig = '{"search_path=pg_catalog, pg_temp"}');

-- Every function is PARALLEL SAFE, except those that write tables, create triggers, set
-- a setting for the call or plan queries of their own (trigger functions are not called
-- in queries and are not checked):
--   clv_analyze: plans and runs queries of its own;
--   clv_track, clv_untrack, _clv_track_fill, _clv_track_memory, clv_tracked_summary
--     (track): write tables, create triggers, set TimeZone to the tracking's zone for
--     the call (docs/tracking.md);
--   clv_refit, _clv_alerts_apply (registry): write the registry, predictions and alerts.
SELECT p.oid::regprocedure AS not_parallel_safe, p.proparallel
FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'clv')
  AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e' AND p.proparallel <> 's'
  AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
  AND p.proname NOT IN ('clv_analyze', 'clv_track', 'clv_untrack', '_clv_track_fill',
                        '_clv_track_memory', 'clv_tracked_summary', 'clv_refit', '_clv_alerts_apply')
ORDER BY 1::text;

-- Every aggregate with an internal state has combine, serial and deserial functions (so
-- it runs in parallel plans).
SELECT a.aggfnoid::regprocedure AS aggregate_without_parallel_support
FROM pg_depend d JOIN pg_aggregate a ON a.aggfnoid = d.objid
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'clv')
  AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
  AND (a.aggcombinefn = 0 OR (a.aggtranstype = 'internal'::regtype
                              AND (a.aggserialfn = 0 OR a.aggdeserialfn = 0)));

-- Functions that take internal can only be reached through their aggregates; a function
-- that returns internal must take internal (or SQL could forge a pointer).
SELECT p.oid::regprocedure AS returns_internal_without_internal_argument
FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'clv')
  AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
  AND p.prorettype = 'internal'::regtype AND NOT 'internal'::regtype = ANY (p.proargtypes::oid[]);

-- Plain (non-aggregate) C functions are STRICT unless they take internal or are an
-- aggregate's transition, combine or final function (whose state starts as NULL): a
-- NULL argument is NULL, never a dereferenced null pointer. The one exception:
-- gamma_gamma_clv (of every purchase model), whose unit_days may be NULL (the model's
-- unit); it returns NULL for a NULL in any other argument itself.
SELECT p.oid::regprocedure AS c_function_not_strict
FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'clv')
  AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
  AND p.prokind = 'f' AND p.prolang = (SELECT oid FROM pg_language WHERE lanname = 'c')
  AND NOT p.proisstrict AND NOT 'internal'::regtype = ANY (p.proargtypes::oid[])
  AND NOT EXISTS (SELECT FROM pg_aggregate a
                  WHERE p.oid IN (a.aggtransfn, a.aggcombinefn, a.aggfinalfn));

-- The fit aggregates' state is a bytea, not internal, so that every Citus release can
-- run the partial aggregation on its workers. A state can therefore reach a final
-- function from outside (from Citus, or typed by a user): it is checked row by row as
-- the aggregate's input is, never trusted. The layout (little-endian): magic 'CRV1',
-- int32 model kind ('B' BTYD, 'G' Gamma-Gamma, 'D' BG/BB), int32 0, float8 penalizer
-- (NaN: none), then rows of 4 float8 (3 keys and a weight), sorted and distinct.
SELECT a.aggfnoid::regprocedure AS fit_aggregate, a.aggtranstype::regtype AS state
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE p.proname IN ('bgnbd_fit', 'gamma_gamma_fit', 'bgbb_fit', 'pareto_nbd_fit', 'mbgnbd_fit')
ORDER BY 1::text;
CREATE FUNCTION pg_temp.le(x float8) RETURNS text LANGUAGE sql AS $$
    SELECT string_agg(substr(h, 15 - 2 * i, 2), '' ORDER BY i)
    FROM (SELECT encode(float8send(x), 'hex') AS h) s, generate_series(0, 7) i $$;
CREATE FUNCTION pg_temp.fit_state(kind text, penalizer float8, r float8[]) RETURNS bytea
LANGUAGE sql AS $$
    SELECT decode('43525632' || kind || '00000000000000' || pg_temp.le(penalizer) || pg_temp.le('NaN')
                  || coalesce(string_agg(pg_temp.le(v), '' ORDER BY i), ''), 'hex')
    FROM unnest(r) WITH ORDINALITY u(v, i) $$;
CREATE TEMP TABLE small (frequency float8, recency float8, t float8);
INSERT INTO small SELECT v.* FROM (VALUES (0, 0, 30), (0, 0, 30), (1, 10, 30), (2, 25, 30),
    (3, 28, 30), (0, 0, 20), (1, 5, 20), (4, 19, 20), (2, 3, 30)) v, generate_series(1, 3);
-- A state built by hand from the same rows gives the aggregate's model.
WITH agg AS (SELECT bgnbd_fit(frequency, recency, t) AS m FROM small),
     st AS (SELECT pg_temp.fit_state('42', 'NaN', array_agg(v ORDER BY g, k)) AS s
            FROM (SELECT frequency, recency, t, count(*)::float8 AS w FROM small GROUP BY 1, 2, 3) c,
                 LATERAL (VALUES (1, frequency), (2, recency), (3, t), (4, w)) u(k, v),
                 LATERAL (SELECT row(frequency, recency, t)::text AS g) o
            GROUP BY ())
SELECT round((agg.m).r::numeric, 6) = round((f.m).r::numeric, 6) AND
       round((agg.m).b::numeric, 6) = round((f.m).b::numeric, 6) AS same_model,
       (f.m).n_customers
FROM agg, (SELECT _bgnbd_fit_final(s) AS m FROM st) f;
-- Forged or foreign states are ERRORs.
SELECT _bgnbd_fit_final('\xdeadbeef');
SELECT _bgnbd_fit_final(pg_temp.fit_state('42', 'NaN', '{}') || '\x00'::bytea);
SELECT _bgnbd_fit_final(decode('58585858', 'hex') || substr(pg_temp.fit_state('42', 'NaN', '{}'), 5));
SELECT _gamma_gamma_fit_final(pg_temp.fit_state('42', 'NaN', '{1, 2, 3, 1}'));
SELECT _bgnbd_fit_final(pg_temp.fit_state('42', 'NaN', '{1, 5, 3, 1}'));
SELECT _bgnbd_fit_final(pg_temp.fit_state('42', 'NaN', '{1, 2, 3, 0}'));
SELECT _bgnbd_fit_final(pg_temp.fit_state('42', -1, '{1, 2, 3, 1}'));
SELECT _gamma_gamma_fit_final(pg_temp.fit_state('47', 'NaN', '{2, -5, 0, 1}'));
SELECT _bgbb_fit_final(pg_temp.fit_state('44', 'NaN', '{2.5, 3, 6, 1}'));

-- Objects are created in the extension's schema only.
SELECT p.oid::regprocedure AS outside_extension_schema
FROM pg_depend d JOIN pg_proc p ON p.oid = d.objid
WHERE d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'clv')
  AND d.classid = 'pg_proc'::regclass AND d.deptype = 'e'
  AND p.pronamespace <> (SELECT extnamespace FROM pg_extension WHERE extname = 'clv');

-- Fuzzer finding: a row too extreme for double precision (frequency 1.8e308) made the
-- fits return the starting point (1, 1, 1, 1) with a NaN log-likelihood as a model.
-- It is an ERROR now.
SELECT bgnbd_fit(frequency, recency, t)
FROM (SELECT frequency, recency, t FROM cdnow_summary WHERE id <= 20
      UNION ALL SELECT 1.7976931348623157e308, 6.6e-12, 1071) s;
SELECT gamma_gamma_fit(frequency, zbar)
FROM (SELECT frequency, zbar FROM cdnow_summary WHERE id <= 100
      UNION ALL SELECT 1e308, 11) s;
-- libFuzzer: P(alive) was NaN at 1e308 ((r + x) overflows, times log(1) = 0).
SELECT bgnbd_p_alive(bgnbd_model(1e308, 1e308, 1e308, 1e308),
                     1e308, 1e308, 1e308);
-- ... and a scoring function returned Infinity.
SELECT gamma_gamma_expected_spend(gamma_gamma_model(6.25, 3.74, 15.44),
                                  8, 1e308);
SELECT gamma_gamma_clv(bgnbd_model(0.243, 4.414, 0.793, 2.426),
                       gamma_gamma_model(6.25, 3.74, 15.44),
                       2, 30.43, 38.86, 1e300, monthly_discount => -0.999999, unit_days => 7);

-- Fuzzer finding: finite amounts whose sum overflows gave monetary_value = Infinity.
SELECT (clv_summary(t, 1.7976931348623157e308, '1997-09-30')).*
FROM (VALUES ('1997-01-01'::timestamptz), ('1997-02-01'), ('1997-02-01')) v(t);
-- Since total_spend (0.2) sums every purchase day, two days of 1e308 overflow too; one is fine.
SELECT (clv_summary(t, 1e308, '1997-09-30')).frequency
FROM (VALUES ('1997-01-01'::timestamptz), ('1997-02-01')) v(t);
SELECT (clv_summary(t, 1e308, '1997-09-30')).total_spend
FROM (VALUES ('1997-01-01'::timestamptz)) v(t);

-- libFuzzer finding: with a tiny r the series cancelled and E[X(t)] came out -5.3e-15, a
-- negative count. Summed from positive terms it is r E[log(1 + p w) / p] = 1.5e-308.
SELECT e > 0 AND e < 1e-307 AS tiny_r
FROM bgnbd_expected_purchases(bgnbd_model(2.2250738585072014e-308, 45, 32, 15), 39) e;

-- libFuzzer: E[X(t)] came out -Infinity here; alpha = b = 1e-300 is beyond double precision,
-- an ERROR (whose hint does not blame the horizon), not a number.
SELECT bgnbd_expected_purchases(bgnbd_model(2, 1e-300, 0.5, 1e-300), 39);

-- gamma_gamma_clv evaluates up to 1200 series; the loop polls for interrupts, so a
-- slow call (4.5 s here) stops at statement_timeout.
SET statement_timeout = '300ms';
SELECT gamma_gamma_clv(bgnbd_model(0.243, 4.414, 5, 2.426),
                       gamma_gamma_model(6.25, 3.74, 15.44),
                       2, 30.43, 38.86, 20, months => 1200, unit_days => 0.01);
-- pareto_nbd_prob_n_purchases sums n + 1 hypergeometric terms; at extreme parameters
-- (r + s = 3e8, n = 10,000: seconds, up to its budget of 10^9 series terms) it polls at
-- every term.
SELECT pareto_nbd_prob_n_purchases('(1523633.2,21181460.7,307751901.9,2862507936.1,-8.77,3,234,f,,,,,,,,,0,,,,)'::pareto_nbd_model,
                                   1.35e-11, 10000);
RESET statement_timeout;

-- search_path safety: the extension installed in a schema that is not on the path, with
-- a hostile schema in front, works when called with qualified names and an empty path.
\set regdb :DBNAME
CREATE DATABASE clv_search_path;
\c clv_search_path
CREATE SCHEMA app;
CREATE SCHEMA evil;
CREATE FUNCTION evil.exp(float8) RETURNS float8 LANGUAGE sql AS 'SELECT 0::float8';
CREATE FUNCTION evil.lgamma(float8) RETURNS float8 LANGUAGE sql AS 'SELECT 0::float8';
CREATE TYPE evil.bgnbd_model AS (x int);
SET search_path = evil, public;
CREATE EXTENSION clv SCHEMA app;
SET search_path = '';
SELECT round(app.bgnbd_p_alive(app.bgnbd_model(0.243, 4.414, 0.793, 2.426),
                               2, 30.43, 38.86)::numeric, 4) AS p_alive;
SELECT (app.clv_summary(t, 10, '1997-09-30', 'week')).frequency
FROM (VALUES ('1997-01-01'::timestamptz), ('1997-02-01')) v(t);
SET search_path = evil, app;
SELECT round(bgnbd_p_alive(app.bgnbd_model(0.243, 4.414, 0.793, 2.426),
                           2, 30.43, 38.86)::numeric, 4) AS p_alive;
\c :regdb
DROP DATABASE clv_search_path;

-- Fuzzer findings after the model family landed:
-- model constructors validate their parameters (a model with NaN was returned);
SELECT pareto_nbd_model(0.5, 0, 'NaN', 39.61);
SELECT gamma_gamma_model('NaN', 1e-300, 8);
SELECT bgbb_model(1e15, 1e100, 1, 'Infinity');
-- final functions with plain array states are callable from SQL: malformed states are
-- rejected instead of read out of bounds;
SELECT _clv_holdout_eval_final('[0:1]={1,2}'::float8[]);
SELECT _clv_holdout_eval_final('{}'::float8[]);
SELECT _clv_holdout_bins_final(array_fill(NULL::float8, ARRAY[4]));
SELECT _clv_holdout_bins_final('{5,1,1,1}'::float8[]);
-- sums past the float8 range are an ERROR, not Infinity.
SELECT clv_holdout_eval(16.06, -1e308) FROM generate_series(1, 10);
SELECT historical_clv(t, 1e308) FROM (VALUES ('2024-01-01'::timestamptz), ('2024-01-05')) v(t);
-- A likelihood without maximum (a customer with 10 repeat purchases at recency ~0: the
-- likelihood grows as alpha -> 0) took minutes of ever longer hypergeometric series; now
-- the search stops at the parameter bound with converged = false.
SELECT (m).converged, (m).n_customers
FROM (SELECT pareto_nbd_fit(x, tx, t) AS m
      FROM (SELECT frequency::float8, recency, t FROM cdnow_summary
            WHERE id <= 60 AND id % 3 = 0
            UNION ALL VALUES (10, 4.9e-324, 2.2250738585072014e-308)) v(x, tx, t)) s;
-- k-means on features near the float8 limit: the z-score mean is a convex combination
-- (summing 2 x -1e308 gave a model with -Infinity and NaN in it); squared distances that
-- would overflow are an ERROR.
SELECT kmeans_fit(f, 1) FROM (VALUES (ARRAY[3, 3, -1e308, 1]::float8[]), (ARRAY[3, 3, -1e308, 1])) v(f);
SELECT (m).centers, (m).scale, round((m).inertia::numeric, 6) AS inertia
FROM (SELECT kmeans_fit(f, 1) AS m FROM (VALUES (ARRAY[1e308]::float8[]), (ARRAY[-1e308]), (ARRAY[0])) v(f)) s;
SELECT kmeans_fit(f, 1, 42, 'none') FROM (VALUES (ARRAY[1e200]::float8[]), (ARRAY[-1e200])) v(f);
-- historical_clv of a spend at the float8 limit: clv is the total spend itself (the
-- product avg x frequency x lifespan used to round past 1.8e308 here, 21 purchase days
-- over 370 days, and was an ERROR). A prediction from a model edited to hold Infinity:
-- ERROR 22003, not Infinity.
SELECT historical_clv(t, a)
FROM (SELECT '2024-01-01'::timestamptz AS t, 1.7976931348623157e308::float8 AS a
      UNION ALL
      SELECT '2024-01-01'::timestamptz + (g * 370 / 20) * interval '1 day', 0
      FROM generate_series(1, 20) g) s;
SELECT linreg_predict(ROW(ARRAY[5, 'Infinity']::float8[], NULL, NULL, NULL, 0, 1, 10, 2, 1, 0)::linreg_model,
                      ARRAY[11]::float8[]);
