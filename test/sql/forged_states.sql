-- Forged aggregate states. A role that may execute an aggregate's support function can
-- wrap it in an aggregate of its own and hand it any state (INITCOND, or rows of states
-- for a combine function). Two defences: the support functions are not executable by
-- PUBLIC, and every one of them checks each state it did not build itself.
\set SHOW_CONTEXT never
CREATE ROLE regress_clv_plain;
GRANT SELECT ON cdnow_summary TO regress_clv_plain;

-- No support function of any clv aggregate is executable by PUBLIC.
SELECT count(*) AS support_functions,
       count(*) FILTER (WHERE has_function_privilege('regress_clv_plain', fn, 'EXECUTE'))
           AS executable_by_a_plain_role
FROM (SELECT DISTINCT s.fn::regprocedure AS fn
      FROM pg_depend d
      JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'clv'
      JOIN pg_aggregate a ON a.aggfnoid = d.objid
      CROSS JOIN LATERAL (VALUES (a.aggtransfn), (a.aggfinalfn), (a.aggcombinefn),
                                 (a.aggserialfn), (a.aggdeserialfn)) s(fn)
      WHERE d.deptype = 'e' AND s.fn <> 0) f;

SET ROLE regress_clv_plain;
-- The reproducer of issue 12 (it wrote 24 kB past the array and crashed the server):
CREATE AGGREGATE pg_temp.evil(int, float8, float8, int)
  (SFUNC = _clv_holdout_bins_trans, STYPE = float8[], INITCOND = '{1000}');
CREATE AGGREGATE pg_temp.evil_fit(float8, float8, float8)
  (SFUNC = _btyd_fit_trans, STYPE = bytea, INITCOND = '\xdeadbeef');
-- ... while the aggregates themselves work for the plain role.
SELECT (b).frequency, (b).customers
FROM (SELECT unnest(clv_holdout_by_frequency(frequency, 0.5, 1, 2)) AS b
      FROM cdnow_summary) s ORDER BY 1;
SELECT (clv_holdout_eval(frequency, frequency + 1)).n FROM cdnow_summary;
SELECT round((bgnbd_fit(frequency, recency, t)).r::numeric, 4) AS r FROM cdnow_summary;
RESET ROLE;

-- A superuser may still build such aggregates (or GRANT the functions): each forged state
-- is a clean ERROR, never a write outside the state.
CREATE FUNCTION pg_temp.bins_with(init float8[]) RETURNS float8[] LANGUAGE plpgsql AS $$
DECLARE r float8[];
BEGIN
    EXECUTE format('CREATE OR REPLACE AGGREGATE pg_temp.forged(int, float8, float8, int)
                    (SFUNC = _clv_holdout_bins_trans, STYPE = float8[], INITCOND = %L)', init);
    SELECT pg_temp.forged(g, 1e300, -1e300, 1000) INTO r FROM generate_series(0, 1000) g;
    RETURN r;
END $$;
SELECT pg_temp.bins_with('{1000}');                  -- header says 1000 bins, holds none
SELECT pg_temp.bins_with('{0}');                     -- 0 bins need 4 elements
SELECT pg_temp.bins_with('{-1,0,0,0}');
SELECT pg_temp.bins_with('{1000.5}');
SELECT pg_temp.bins_with('{NaN,0,0,0}');
SELECT pg_temp.bins_with('{{1000,0},{0,0}}');        -- two dimensions
SELECT pg_temp.bins_with('[0:3]={1000,0,0,0}');      -- lower bound 0
SELECT pg_temp.bins_with('{1000,NULL,0,0}');
-- a well-formed header with another max_frequency: the rows' own value must match
SELECT pg_temp.bins_with('{2,0,0,0,0,0,0,0,0,0}');
-- a well-formed state with a negative count: refused by the final function too
SELECT _clv_holdout_bins_final('{0,-5,1,1}');
SELECT _clv_holdout_bins_final('{0,5,10,15}');        -- a valid one: 5 customers, means 2 and 3

-- Combine functions receive states from other processes: checked the same way.
CREATE AGGREGATE pg_temp.combine_bins(float8[])
  (SFUNC = _clv_holdout_bins_combine, STYPE = float8[], INITCOND = '{0,1,1,1}');
SELECT pg_temp.combine_bins(s) FROM (VALUES ('{1000}'::float8[])) v(s);
SELECT pg_temp.combine_bins(s) FROM (VALUES ('{0,1,2,3}'::float8[])) v(s);
CREATE AGGREGATE pg_temp.combine_eval(float8[])
  (SFUNC = _clv_holdout_eval_combine, STYPE = float8[], INITCOND = '{0,0,0,0,0,0,0,0}');
SELECT pg_temp.combine_eval(s) FROM (VALUES ('{1,2}'::float8[])) v(s);
SELECT pg_temp.combine_eval(s) FROM (VALUES ('{-3,0,0,0,0,0,0,0}'::float8[])) v(s);
SELECT _clv_holdout_eval_final('{2.5,0,0,0,0,0,0,0}');

-- The fits' bytea state: a forged INITCOND or combine input is refused (22P03).
CREATE AGGREGATE pg_temp.fit_forged(float8, float8, float8)
  (SFUNC = _btyd_fit_trans, STYPE = bytea, INITCOND = '\xdeadbeef', FINALFUNC = _bgnbd_fit_final);
SELECT pg_temp.fit_forged(frequency, recency, t) FROM cdnow_summary;
CREATE AGGREGATE pg_temp.fit_combine(bytea)
  (SFUNC = _clv_rowset_combine, STYPE = bytea, FINALFUNC = _bgnbd_fit_final);
SELECT pg_temp.fit_combine(s) FROM (VALUES ('\x00'::bytea), ('\x0102030405060708'::bytea)) v(s);

-- The bytea states of the aggregates whose state was internal up to 0.3 (src/bytestate.c):
-- for each family of aggregates, a valid state (a partial aggregate's output) is forged
-- (too short, another header, another family's tag, truncated, huge leading counts, every
-- byte set) and handed to the transition function (INITCOND), the combine function and the
-- final function. Each is a clean ERROR (its SQLSTATE is listed) or, where the forgery
-- happens to be a valid state, a result ("ok"); never a crash.
SET client_min_messages = warning;
CREATE FUNCTION pg_temp.take(bytea, bytea) RETURNS bytea LANGUAGE sql AS 'SELECT $2';
CREATE FUNCTION pg_temp.forge(sfunc text, argtypes text, args text, sample text,
                              ffunc text, cfunc text)
RETURNS TABLE (trans text, combine text, final text) LANGUAGE plpgsql AS $$
DECLARE
    valid bytea;
    forged bytea[];
    f bytea;
    st text;
    tr text[] := '{}';
    co text[] := '{}';
    fi text[] := '{}';
BEGIN
    DROP AGGREGATE IF EXISTS pg_temp.c(bytea);
    DROP AGGREGATE IF EXISTS pg_temp.f(bytea);
    EXECUTE format('DROP AGGREGATE IF EXISTS pg_temp.t(%s)', argtypes);
    EXECUTE format('CREATE OR REPLACE AGGREGATE pg_temp.raw(%s) (SFUNC = %s, STYPE = bytea)', argtypes, sfunc);
    EXECUTE format('SELECT pg_temp.raw(%s) FROM (%s) s', args, sample) INTO valid;
    forged := ARRAY['\xdeadbeef'::bytea,
                    overlay(valid PLACING '\x00000000' FROM 1),              -- magic
                    overlay(valid PLACING '\x63000000' FROM 5),              -- family tag
                    overlay(valid PLACING '\x01000000' FROM 9),              -- reserved
                    substr(valid, 1, 12),                                    -- header only
                    substr(valid, 1, 16),
                    substr(valid, 1, length(valid) - 1),                     -- truncated
                    valid || '\x00'::bytea,                                  -- one byte more
                    overlay(valid PLACING '\xffffff7f' FROM 13),             -- huge counts
                    overlay(valid PLACING '\xffffffffffffff7f' FROM 13),
                    overlay(valid PLACING '\xffffff7f' FROM 17),
                    substr(valid, 1, 12) || decode(repeat('ff', length(valid) - 12), 'hex')];
    EXECUTE format('CREATE AGGREGATE pg_temp.c(bytea) (SFUNC = %s, STYPE = bytea, FINALFUNC = %s)',
                   cfunc, ffunc);
    EXECUTE format('CREATE AGGREGATE pg_temp.f(bytea) (SFUNC = pg_temp.take, STYPE = bytea, FINALFUNC = %s)',
                   ffunc);
    FOREACH f IN ARRAY forged LOOP
        BEGIN
            EXECUTE format('CREATE OR REPLACE AGGREGATE pg_temp.t(%s) (SFUNC = %s, STYPE = bytea, FINALFUNC = %s, INITCOND = %L)',
                           argtypes, sfunc, ffunc, f::text);
            EXECUTE format('SELECT pg_temp.t(%s)::text FROM (%s) s', args, sample);
            tr := tr || 'ok'::text;
        EXCEPTION WHEN OTHERS THEN GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE; tr := tr || st;
        END;
        BEGIN
            PERFORM pg_temp.c(x)::text FROM (VALUES (valid), (f)) v(x);
            co := co || 'ok'::text;
        EXCEPTION WHEN OTHERS THEN GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE; co := co || st;
        END;
        BEGIN
            PERFORM pg_temp.f(f)::text;
            fi := fi || 'ok'::text;
        EXCEPTION WHEN OTHERS THEN GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE; fi := fi || st;
        END;
    END LOOP;
    -- the valid state itself passes everywhere
    EXECUTE format('SELECT pg_temp.c(x)::text IS NOT NULL FROM (VALUES ($1), ($1)) v(x)') USING valid INTO STRICT st;
    trans := array_to_string(tr, ' ');
    combine := array_to_string(co, ' ');
    final := array_to_string(fi, ' ') || ' (valid: ' || st || ')';
    RETURN NEXT;
END $$;
SELECT fam, (pg_temp.forge(sfunc, argtypes, args, sample, ffunc, cfunc)).*
FROM (VALUES
  ('clv_summary', '_clv_summary_trans_b', 'timestamptz, float8, timestamptz', 'ts, g, te',
   $q$SELECT timestamptz '2020-01-01' + g * interval '3 days' AS ts, g::float8 AS g, timestamptz '2021-01-01' AS te FROM generate_series(1, 5) g$q$,
   '_clv_summary_final_b', '_clv_summary_combine_b'),
  ('historical_clv', '_historical_clv_trans_b', 'timestamptz, float8', 'ts, g',
   $q$SELECT timestamptz '2020-01-01' + g * interval '3 days' AS ts, g::float8 AS g FROM generate_series(1, 5) g$q$,
   '_historical_clv_final_b', '_historical_clv_combine_b'),
  ('ab_mean_test', '_ab_test_mean_trans_b', 'text, float8', 'v, g',
   $q$SELECT CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END AS v, (g % 7)::float8 AS g FROM generate_series(1, 20) g$q$,
   '_ab_mean_test_final_b', '_ab_test_combine_b'),
  ('ab_proportion_test', '_ab_test_prop_trans_b', 'text, bool', 'v, c',
   $q$SELECT CASE WHEN g % 2 = 0 THEN 'a' ELSE 'b' END AS v, g % 3 = 0 AS c FROM generate_series(1, 20) g$q$,
   '_ab_proportion_test_final_b', '_ab_test_combine_b'),
  ('linreg_fit', '_linreg_fit_trans_b', 'float8, float8[]', 'y, x',
   $q$SELECT (2 * g + g % 3)::float8 AS y, ARRAY[g, g % 3]::float8[] AS x FROM generate_series(1, 20) g$q$,
   '_linreg_fit_final_b', '_linreg_fit_combine_b'),
  ('regression_metrics', '_regression_metrics_trans_b', 'float8, float8', 'g, h',
   $q$SELECT g::float8 AS g, (g + g % 3)::float8 AS h FROM generate_series(1, 20) g$q$,
   '_regression_metrics_final_b', '_regression_metrics_combine_b'),
  ('gini', '_clv_values_trans_b', 'float8', 'g', $q$SELECT g::float8 AS g FROM generate_series(1, 20) g$q$,
   '_gini_final_b', '_clv_values_combine_b'),
  ('kmeans_fit', '_kmeans_trans_b', 'float8[], int', 'x, 2',
   $q$SELECT ARRAY[g, g % 5]::float8[] AS x FROM generate_series(1, 20) g$q$,
   '_kmeans_fit_final_b', '_kmeans_combine_b'),
  ('clv_svg_histogram', '_clv_svg_histogram_trans_b', 'float8', 'g', $q$SELECT g::float8 AS g FROM generate_series(1, 20) g$q$,
   '_clv_svg_histogram_final_b', '_clv_chart_agg_combine_b'),
  ('clv_svg_scatter', '_clv_svg_scatter_trans_b', 'float8, float8, int', 'g, 2 * g, g % 2',
   $q$SELECT g FROM generate_series(1, 20) g$q$,
   '_clv_svg_scatter_final_b', '_clv_svg_scatter_combine_b'),
  ('clv_svg_cluster_profile', '_clv_svg_cluster_profile_trans_b', 'int, float8[], text[]', $q$g % 2, ARRAY[g, 2 * g]::float8[], '{a,b}'::text[]$q$,
   $q$SELECT g FROM generate_series(1, 20) g$q$,
   '_clv_svg_cluster_profile_final_b', '_clv_svg_cluster_profile_combine_b'),
  ('hclust_fit', '_hclust_trans_b', 'float8[]', 'ARRAY[g, g % 3]::float8[]',
   $q$SELECT g FROM generate_series(1, 20) g$q$, '_hclust_fit_final_b', '_hclust_combine_b'),
  ('decision_tree_fit', '_decision_tree_trans_b', 'float8, float8[], int, int', 'g, ARRAY[g % 4]::float8[], 2, 2',
   $q$SELECT g FROM generate_series(1, 20) g$q$, '_decision_tree_final_b', '_tree_combine_b')
) v(fam, sfunc, argtypes, args, sample, ffunc, cfunc);

RESET client_min_messages;
REVOKE SELECT ON cdnow_summary FROM regress_clv_plain;
DROP ROLE regress_clv_plain;
