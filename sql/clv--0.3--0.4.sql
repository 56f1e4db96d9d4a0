-- clv 0.3 -> 0.4. Also part of the install script of 0.4: CREATE EXTENSION clv runs
-- clv--0.1.sql, clv--0.1--0.2.sql, clv--0.2--0.3.sql, then this file. As in the scripts
-- before it, every name of the catalog is qualified (pg_catalog.*), and so is every
-- operator the script evaluates (OPERATOR(pg_catalog.=)) (test/sql/install_hijack.sql).
-- New support functions of aggregates are created with a leading underscore; the last
-- block below revokes EXECUTE on them from PUBLIC.

\echo Use "ALTER EXTENSION clv UPDATE TO '0.4'" to load this file. \quit

-- (feature sections go here, before the support functions below)

-- ==== aggstate (issue 18): every aggregate's state is a bytea (Citus pushes them down) ====
-- Citus pushes an aggregate down to its workers only if the state type is not internal.
-- Every aggregate that had an internal state gets a bytea state, changed in place so that
-- views and other objects using the aggregates survive the update (a DROP AGGREGATE would
-- fail on them, or CASCADE them away): each support function f (internal) is replaced by
-- f_b (bytea), whose C code wraps f's (src/bytestate.c), and the catalog rows of the
-- aggregate and its dependencies are changed to what CREATE AGGREGATE would have made:
-- no serial/deserial functions, the planner's size estimate of before (8 kB a group).
-- The aggregates' names, arguments, results and FINALFUNC_MODIFY are unchanged. A fresh
-- install runs the same steps, so both end in the same catalog (test/sql/upgrade.sql).
DO $$
DECLARE
    a record;
    fn pg_catalog.oid;
    nf pg_catalog.oid[];
    old_fns pg_catalog.oid[] := '{}';
    p record;
    args pg_catalog.text;
    sig pg_catalog.text;
BEGIN
    FOR a IN
        SELECT g.aggfnoid::pg_catalog.oid AS agg, g.aggtransfn::pg_catalog.oid AS t,
               g.aggfinalfn::pg_catalog.oid AS f, g.aggcombinefn::pg_catalog.oid AS c,
               g.aggserialfn::pg_catalog.oid AS s, g.aggdeserialfn::pg_catalog.oid AS ds
        FROM pg_catalog.pg_aggregate g
        JOIN pg_catalog.pg_depend d ON d.objid OPERATOR(pg_catalog.=) g.aggfnoid::pg_catalog.oid
        JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
        WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
          AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
          AND d.deptype OPERATOR(pg_catalog.=) 'e' AND e.extname OPERATOR(pg_catalog.=) 'clv'
          AND g.aggtranstype OPERATOR(pg_catalog.=) 'pg_catalog.internal'::pg_catalog.regtype
          -- the transition functions src/bytestate.c wraps (their families' combine and
          -- final functions with them); an aggregate outside the list stays as it is
          AND (SELECT pr.prosrc FROM pg_catalog.pg_proc pr
               WHERE pr.oid OPERATOR(pg_catalog.=) g.aggtransfn::pg_catalog.oid) OPERATOR(pg_catalog.=) ANY (ARRAY[
                'clv_summary_trans', 'clv_summary_holdout_trans', 'historical_clv_trans',
                'ab_test_prop_trans', 'ab_test_prop_trans_ctl', 'ab_test_prop_trans_int',
                'ab_test_prop_trans_int_ctl', 'ab_test_mean_trans', 'ab_test_mean_trans_ctl',
                'ab_test_mean_trans_int', 'ab_test_mean_trans_int_ctl', 'linreg_fit_trans',
                'regression_metrics_trans', 'clv_values_trans', 'clv_values_share_trans',
                'kmeans_trans', 'clv_svg_histogram_trans', 'clv_svg_lorenz_trans',
                'clv_svg_scatter_trans', 'clv_svg_cluster_profile_trans', 'hclust_trans',
                'decision_tree_trans', 'random_forest_trans']::pg_catalog.text[])
        ORDER BY g.aggfnoid::pg_catalog.oid
    LOOP
        nf := '{}';
        FOREACH fn IN ARRAY ARRAY[a.t, a.f, a.c] LOOP
            -- f(internal, ...) -> f_b(bytea, ...), C symbol f's with _b; same attributes.
            SELECT pr.proname, pr.prosrc, pr.provolatile, pr.proisstrict, pr.proparallel,
                   pr.prorettype, pr.proargtypes
              INTO p FROM pg_catalog.pg_proc pr WHERE pr.oid OPERATOR(pg_catalog.=) fn;
            SELECT pg_catalog.string_agg(CASE WHEN t.x OPERATOR(pg_catalog.=) 'pg_catalog.internal'::pg_catalog.regtype
                                              THEN 'pg_catalog.bytea' ELSE pg_catalog.format_type(t.x, NULL) END,
                                         ', ' ORDER BY t.i)
              INTO args FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[]) WITH ORDINALITY t(x, i);
            sig := pg_catalog.format('@extschema@.%I(%s)', p.proname::pg_catalog.text OPERATOR(pg_catalog.||) '_b', args);
            IF pg_catalog.to_regprocedure(sig) IS NULL THEN
                EXECUTE pg_catalog.format(
                    'CREATE FUNCTION %s RETURNS %s AS %L, %L LANGUAGE C %s %s PARALLEL %s',
                    sig,
                    CASE WHEN p.prorettype OPERATOR(pg_catalog.=) 'pg_catalog.internal'::pg_catalog.regtype
                         THEN 'pg_catalog.bytea' ELSE pg_catalog.format_type(p.prorettype, NULL) END,
                    'MODULE_PATHNAME', p.prosrc OPERATOR(pg_catalog.||) '_b',
                    CASE p.provolatile WHEN 'i' THEN 'IMMUTABLE' WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END,
                    CASE WHEN p.proisstrict THEN 'STRICT' ELSE 'CALLED ON NULL INPUT' END,
                    CASE p.proparallel WHEN 's' THEN 'SAFE' WHEN 'r' THEN 'RESTRICTED' ELSE 'UNSAFE' END);
                EXECUTE pg_catalog.format('COMMENT ON FUNCTION %s IS %L', sig,
                    'Support function of an aggregate (bytea state; wraps ' OPERATOR(pg_catalog.||) p.proname::pg_catalog.text OPERATOR(pg_catalog.||) ' of clv 0.3).');
            END IF;
            nf := nf OPERATOR(pg_catalog.||) pg_catalog.to_regprocedure(sig)::pg_catalog.oid;
        END LOOP;
        UPDATE pg_catalog.pg_aggregate
           SET aggtransfn = nf[1]::pg_catalog.regproc, aggfinalfn = nf[2]::pg_catalog.regproc,
               aggcombinefn = nf[3]::pg_catalog.regproc,
               aggserialfn = 0::pg_catalog.regproc, aggdeserialfn = 0::pg_catalog.regproc,
               aggtranstype = 'pg_catalog.bytea'::pg_catalog.regtype, aggtransspace = 8192
         WHERE aggfnoid::pg_catalog.oid OPERATOR(pg_catalog.=) a.agg;
        -- The aggregate depends on its support functions (as CREATE AGGREGATE records it).
        DELETE FROM pg_catalog.pg_depend
         WHERE classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
           AND objid OPERATOR(pg_catalog.=) a.agg
           AND refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
           AND deptype OPERATOR(pg_catalog.=) 'n';
        INSERT INTO pg_catalog.pg_depend (classid, objid, objsubid, refclassid, refobjid, refobjsubid, deptype)
        SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass, a.agg, 0,
               'pg_catalog.pg_proc'::pg_catalog.regclass, x, 0, 'n'
        FROM (SELECT DISTINCT pg_catalog.unnest(nf) AS x) u;
        old_fns := old_fns OPERATOR(pg_catalog.||) ARRAY[a.t, a.f, a.c, a.s, a.ds];
    END LOOP;
    -- The internal support functions are no longer used.
    FOR fn IN SELECT DISTINCT x FROM pg_catalog.unnest(old_fns) x LOOP
        EXECUTE pg_catalog.format('DROP FUNCTION %s', fn::pg_catalog.regprocedure);
    END LOOP;
END
$$;


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
    f pg_catalog.regprocedure;
    n pg_catalog.name;
BEGIN
    FOR f IN
        SELECT DISTINCT s.fn::pg_catalog.regprocedure
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
        JOIN pg_catalog.pg_aggregate a ON a.aggfnoid::pg_catalog.oid OPERATOR(pg_catalog.=) d.objid
        CROSS JOIN LATERAL (VALUES (a.aggtransfn), (a.aggfinalfn), (a.aggcombinefn),
                                   (a.aggserialfn), (a.aggdeserialfn), (a.aggmtransfn),
                                   (a.aggminvtransfn), (a.aggmfinalfn)) s(fn)
        WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
          AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
          AND d.deptype OPERATOR(pg_catalog.=) 'e' AND e.extname OPERATOR(pg_catalog.=) 'clv'
          AND s.fn::pg_catalog.oid OPERATOR(pg_catalog.<>) 0::pg_catalog.oid
    LOOP
        EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        n := (SELECT proname FROM pg_catalog.pg_proc WHERE oid OPERATOR(pg_catalog.=) f);
        IF pg_catalog.left(n::pg_catalog.text, 1) OPERATOR(pg_catalog.<>) '_' THEN
            EXECUTE pg_catalog.format('ALTER FUNCTION %s RENAME TO %I', f, '_' OPERATOR(pg_catalog.||) n::pg_catalog.text);
        END IF;
    END LOOP;
END
$$;
