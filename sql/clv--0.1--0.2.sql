-- clv 0.1 -> 0.2. Also the install script of 0.2: CREATE EXTENSION clv runs
-- clv--0.1.sql, then this file. Every name of the catalog is qualified (pg_catalog.*), so
-- the script does not depend on search_path.

\echo Use "ALTER EXTENSION clv UPDATE TO '0.2'" to load this file. \quit

-- (feature sections go here, before the names and the support functions below)

------------------------------------------------------------------------------------------
-- Histogram scales and axis titles (issue 13, item 8). clv_svg_histogram gets a scale,
-- 'linear' (equal-width bins, as before), 'log' (bins equal in log10, values > 0) or
-- 'quantile' (bins of equal counts, bars of count per unit of x), and axis titles with
-- units instead of "value" and "count". Aggregates take no DEFAULTs: one overload per
-- arity; the state, combine and serial functions are those of the other chart aggregates
-- (their state now carries the scale and the axis titles).
------------------------------------------------------------------------------------------
CREATE FUNCTION clv_svg_histogram_trans(internal, float8, int, text, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION clv_svg_histogram_trans(internal, float8, int, text, text, text, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE clv_svg_histogram(value float8, bins int, title text, scale text) (
    SFUNC = clv_svg_histogram_trans, STYPE = internal,
    FINALFUNC = clv_svg_histogram_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_chart_agg_combine,
    SERIALFUNC = clv_chart_agg_serialize, DESERIALFUNC = clv_chart_agg_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE clv_svg_histogram(value float8, bins int, title text, scale text,
                                   xlabel text, ylabel text) (
    SFUNC = clv_svg_histogram_trans, STYPE = internal,
    FINALFUNC = clv_svg_histogram_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_chart_agg_combine,
    SERIALFUNC = clv_chart_agg_serialize, DESERIALFUNC = clv_chart_agg_deserialize,
    PARALLEL = SAFE
);

------------------------------------------------------------------------------------------
-- Names (issue 13). A type called rfm kept users from creating a table rfm: it is
-- clv_rfm now (columns and functions of the type follow the rename; SQL text that spells
-- the old name, such as a cast ::rfm, must be changed). One meaning per parameter name:
-- `horizon` is the prediction window (it was `t` in the expected-purchase and
-- P(n purchases) functions), `t_customer` the customer's age, first purchase to the
-- observation end (it was `t` in gamma_gamma_clv and the fit aggregates). Only the names
-- change: calls by position, views and stored results are unaffected; a call that named
-- the old parameter (t => 52) is an ERROR that names the function. The names are set in
-- the catalog because CREATE OR REPLACE cannot rename a parameter, and DROP would take
-- users' views with it.
------------------------------------------------------------------------------------------
ALTER TYPE rfm RENAME TO clv_rfm;

UPDATE pg_catalog.pg_proc
SET proargnames = pg_catalog.array_replace(proargnames, 't', 'horizon')
WHERE oid IN ('bgnbd_expected_purchases(bgnbd_model, float8, float8, float8, float8)'::pg_catalog.regprocedure,
              'bgnbd_expected_purchases(bgnbd_model, float8)'::pg_catalog.regprocedure,
              'mbgnbd_expected_purchases(mbgnbd_model, float8, float8, float8, float8)'::pg_catalog.regprocedure,
              'mbgnbd_expected_purchases(mbgnbd_model, float8)'::pg_catalog.regprocedure,
              'pareto_nbd_expected_purchases(pareto_nbd_model, float8, float8, float8, float8)'::pg_catalog.regprocedure,
              'pareto_nbd_expected_purchases(pareto_nbd_model, float8)'::pg_catalog.regprocedure,
              'bgnbd_prob_n_purchases(bgnbd_model, float8, float8)'::pg_catalog.regprocedure,
              'pareto_nbd_prob_n_purchases(pareto_nbd_model, float8, float8)'::pg_catalog.regprocedure);

UPDATE pg_catalog.pg_proc
SET proargnames = pg_catalog.array_replace(proargnames, 't', 't_customer')
WHERE oid IN ('gamma_gamma_clv(bgnbd_model, gamma_gamma_model, float8, float8, float8, float8, int, float8, float8)'::pg_catalog.regprocedure,
              'bgnbd_fit(float8, float8, float8)'::pg_catalog.regprocedure,
              'bgnbd_fit(float8, float8, float8, float8)'::pg_catalog.regprocedure,
              'mbgnbd_fit(float8, float8, float8)'::pg_catalog.regprocedure,
              'mbgnbd_fit(float8, float8, float8, float8)'::pg_catalog.regprocedure,
              'pareto_nbd_fit(float8, float8, float8)'::pg_catalog.regprocedure,
              'pareto_nbd_fit(float8, float8, float8, float8)'::pg_catalog.regprocedure);

------------------------------------------------------------------------------------------
-- Last, for every aggregate this script and the ones before it created: its support
-- functions get a leading underscore (so that \df lists the API alone; their C symbols
-- are unchanged) and are not for PUBLIC.
--
-- Support functions are not for PUBLIC. A role that may execute a transition, combine,
-- final, serial or deserial function can wrap it in an aggregate of its own with a forged
-- INITCOND; the functions check every state they did not build, and this takes the
-- surface away. The aggregates keep working for every role: PostgreSQL checks EXECUTE on
-- their support functions against the aggregate's owner, not the caller.
------------------------------------------------------------------------------------------
DO $$
DECLARE
    f regprocedure;
BEGIN
    FOR f IN
        SELECT DISTINCT s.fn::pg_catalog.regprocedure
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_extension e ON e.oid = d.refobjid
        JOIN pg_catalog.pg_aggregate a ON a.aggfnoid = d.objid
        CROSS JOIN LATERAL (VALUES (a.aggtransfn), (a.aggfinalfn), (a.aggcombinefn),
                                   (a.aggserialfn), (a.aggdeserialfn), (a.aggmtransfn),
                                   (a.aggminvtransfn), (a.aggmfinalfn)) s(fn)
        WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
          AND d.refclassid = 'pg_catalog.pg_extension'::pg_catalog.regclass
          AND d.deptype = 'e' AND e.extname = 'clv' AND s.fn <> 0
    LOOP
        EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        IF pg_catalog.left((SELECT proname FROM pg_catalog.pg_proc WHERE oid = f), 1) <> '_' THEN
            EXECUTE pg_catalog.format('ALTER FUNCTION %s RENAME TO %I', f,
                                      '_' || (SELECT proname FROM pg_catalog.pg_proc WHERE oid = f));
        END IF;
    END LOOP;
END
$$;
