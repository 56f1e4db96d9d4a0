-- clv 0.3 -> 0.4. Also part of the install script of 0.4: CREATE EXTENSION clv runs
-- clv--0.1.sql, clv--0.1--0.2.sql, clv--0.2--0.3.sql, then this file. As in the scripts
-- before it, every name of the catalog is qualified (pg_catalog.*), and so is every
-- operator the script evaluates (OPERATOR(pg_catalog.=)) (test/sql/install_hijack.sql).
-- New support functions of aggregates are created with a leading underscore; the last
-- block below revokes EXECUTE on them from PUBLIC.

\echo Use "ALTER EXTENSION clv UPDATE TO '0.4'" to load this file. \quit

-- (feature sections go here, before the support functions below)


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
