-- Every function, aggregate and type of the API has a one-line COMMENT (\df+ and \dT+
-- show it). Read from the catalog, so objects added later are checked too. Not API:
-- the support functions of the extension's aggregates (by pg_aggregate, not by name),
-- array types and the row types of tables.
CREATE TEMP VIEW api_object AS
WITH member AS (
    SELECT d.classid, d.objid
    FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
    WHERE d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e' AND e.extname = 'clv'
), support AS (
    SELECT s.fn
    FROM pg_aggregate a
    JOIN member m ON m.classid = 'pg_proc'::regclass AND m.objid = a.aggfnoid
    CROSS JOIN LATERAL unnest(ARRAY[a.aggtransfn, a.aggfinalfn, a.aggcombinefn, a.aggserialfn,
                                    a.aggdeserialfn, a.aggmtransfn, a.aggminvtransfn,
                                    a.aggmfinalfn]::oid[]) s(fn)
    WHERE s.fn <> 0
)
SELECT CASE p.prokind WHEN 'a' THEN 'aggregate' ELSE 'function' END AS kind,
       p.oid::regprocedure::text AS object, 'pg_proc'::regclass AS classoid, p.oid
FROM member m JOIN pg_proc p ON p.oid = m.objid
WHERE m.classid = 'pg_proc'::regclass AND p.oid NOT IN (SELECT fn FROM support)
UNION ALL
SELECT 'type', t.oid::regtype::text, 'pg_type'::regclass, t.oid
FROM member m JOIN pg_type t ON t.oid = m.objid
LEFT JOIN pg_class c ON c.oid = t.typrelid
WHERE m.classid = 'pg_type'::regclass
  AND NOT (t.typelem <> 0 AND t.typsubscript = 'array_subscript_handler'::regproc)
  AND (t.typrelid = 0 OR c.relkind = 'c');

-- Missing or not one line of at most 120 characters: none.
SELECT kind, object,
       CASE WHEN d.description IS NULL THEN 'no comment'
            WHEN d.description ~ '[\n\r]' THEN 'more than one line'
            ELSE length(d.description) || ' characters' END AS problem
FROM api_object o
LEFT JOIN pg_description d ON d.classoid = o.classoid AND d.objoid = o.oid AND d.objsubid = 0
WHERE d.description IS NULL OR d.description ~ '[\n\r]' OR length(d.description) > 120
ORDER BY kind, object;

-- What was checked.
SELECT kind, count(*) AS commented
FROM api_object o
JOIN pg_description d ON d.classoid = o.classoid AND d.objoid = o.oid AND d.objsubid = 0
GROUP BY kind ORDER BY kind;

-- An example, as \df+ shows it.
SELECT obj_description('bgnbd_p_alive(bgnbd_model, float8, float8, float8)'::regprocedure,
                       'pg_proc') AS bgnbd_p_alive;
