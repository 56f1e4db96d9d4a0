-- clv 0.1 -> 0.2. Also the install script of 0.2: CREATE EXTENSION clv runs
-- clv--0.1.sql, then this file. Every name of the catalog is qualified (pg_catalog.*), so
-- the script does not depend on search_path.

\echo Use "ALTER EXTENSION clv UPDATE TO '0.2'" to load this file. \quit

------------------------------------------------------------------------------------------
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
    END LOOP;
END
$$;
