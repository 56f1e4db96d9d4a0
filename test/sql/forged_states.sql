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

REVOKE SELECT ON cdnow_summary FROM regress_clv_plain;
DROP ROLE regress_clv_plain;
