-- clv 0.2 -> 0.3. Also part of the install script of 0.3: CREATE EXTENSION clv runs
-- clv--0.1.sql, clv--0.1--0.2.sql, then this file. As in the scripts before it, every
-- name of the catalog is qualified (pg_catalog.*), and so is every operator the script
-- evaluates (OPERATOR(pg_catalog.=)) (test/sql/install_hijack.sql).
-- New support functions of aggregates are created with a leading underscore; the last
-- block below revokes EXECUTE on them from PUBLIC.

\echo Use "ALTER EXTENSION clv UPDATE TO '0.3'" to load this file. \quit

-- (feature sections go here, before the support functions below)

-- ==== segcharts (issue 15): segmentation charts: dendrogram, scatter by cluster, cluster profiles ====
-- clv_svg_dendrogram draws a scipy linkage matrix (hclust_fit's linkage); the two
-- aggregates keep small states (a fixed sample of points, per-cluster sums) and are
-- parallel safe like the other chart aggregates (docs/charts.md).
CREATE FUNCTION clv_svg_dendrogram(linkage float8[], leaves int DEFAULT 30,
                                   title text DEFAULT 'Hierarchical clustering',
                                   k int DEFAULT 1, labels text[] DEFAULT '{}')
    RETURNS text AS 'MODULE_PATHNAME', 'clv_svg_dendrogram'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv_svg_dendrogram(float8[], int, text, int, text[]) IS
    'SVG dendrogram of a scipy linkage matrix in scipy''s leaf order: at most leaves leaves (lastp), k clusters coloured';

CREATE FUNCTION _clv_svg_scatter_trans(internal, float8, float8, int) RETURNS internal
    AS 'MODULE_PATHNAME', 'clv_svg_scatter_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _clv_svg_scatter_trans(internal, float8, float8, int, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'clv_svg_scatter_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _clv_svg_scatter_trans(internal, float8, float8, int, text, text, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'clv_svg_scatter_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _clv_svg_scatter_trans(internal, float8, float8, int, text, text, text, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'clv_svg_scatter_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _clv_svg_scatter_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'clv_svg_scatter_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _clv_svg_scatter_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'clv_svg_scatter_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION _clv_svg_scatter_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'clv_svg_scatter_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION _clv_svg_scatter_final(internal) RETURNS text
    AS 'MODULE_PATHNAME', 'clv_svg_scatter_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE clv_svg_scatter(x float8, y float8, cluster int) (
    SFUNC = _clv_svg_scatter_trans, STYPE = internal,
    FINALFUNC = _clv_svg_scatter_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_svg_scatter_combine,
    SERIALFUNC = _clv_svg_scatter_serialize, DESERIALFUNC = _clv_svg_scatter_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE clv_svg_scatter(float8, float8, int) IS
    'SVG scatter plot of x and y by cluster, at most 5000 points (a fixed sample)';
CREATE AGGREGATE clv_svg_scatter(x float8, y float8, cluster int, title text) (
    SFUNC = _clv_svg_scatter_trans, STYPE = internal,
    FINALFUNC = _clv_svg_scatter_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_svg_scatter_combine,
    SERIALFUNC = _clv_svg_scatter_serialize, DESERIALFUNC = _clv_svg_scatter_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE clv_svg_scatter(float8, float8, int, text) IS
    'SVG scatter plot of x and y by cluster, at most 5000 points (a fixed sample), with a title';
CREATE AGGREGATE clv_svg_scatter(x float8, y float8, cluster int, title text, xlabel text, ylabel text) (
    SFUNC = _clv_svg_scatter_trans, STYPE = internal,
    FINALFUNC = _clv_svg_scatter_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_svg_scatter_combine,
    SERIALFUNC = _clv_svg_scatter_serialize, DESERIALFUNC = _clv_svg_scatter_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE clv_svg_scatter(float8, float8, int, text, text, text) IS
    'SVG scatter plot of x and y by cluster, at most 5000 points (a fixed sample), title, axis titles';
CREATE AGGREGATE clv_svg_scatter(x float8, y float8, cluster int, title text, xlabel text, ylabel text, scale text) (
    SFUNC = _clv_svg_scatter_trans, STYPE = internal,
    FINALFUNC = _clv_svg_scatter_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_svg_scatter_combine,
    SERIALFUNC = _clv_svg_scatter_serialize, DESERIALFUNC = _clv_svg_scatter_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE clv_svg_scatter(float8, float8, int, text, text, text, text) IS
    'SVG scatter plot of x and y by cluster, at most 5000 points (a fixed sample), title, axis titles, scale';

CREATE FUNCTION _clv_svg_cluster_profile_trans(internal, int, float8[], text[]) RETURNS internal
    AS 'MODULE_PATHNAME', 'clv_svg_cluster_profile_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _clv_svg_cluster_profile_trans(internal, int, float8[], text[], text) RETURNS internal
    AS 'MODULE_PATHNAME', 'clv_svg_cluster_profile_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _clv_svg_cluster_profile_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'clv_svg_cluster_profile_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _clv_svg_cluster_profile_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'clv_svg_cluster_profile_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION _clv_svg_cluster_profile_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'clv_svg_cluster_profile_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION _clv_svg_cluster_profile_final(internal) RETURNS text
    AS 'MODULE_PATHNAME', 'clv_svg_cluster_profile_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE clv_svg_cluster_profile(cluster int, features float8[], feature_names text[]) (
    SFUNC = _clv_svg_cluster_profile_trans, STYPE = internal,
    FINALFUNC = _clv_svg_cluster_profile_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = _clv_svg_cluster_profile_combine,
    SERIALFUNC = _clv_svg_cluster_profile_serialize, DESERIALFUNC = _clv_svg_cluster_profile_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE clv_svg_cluster_profile(int, float8[], text[]) IS
    'SVG heat map of each cluster''s mean z-score of each feature (overall mean, population sd)';
CREATE AGGREGATE clv_svg_cluster_profile(cluster int, features float8[], feature_names text[], title text) (
    SFUNC = _clv_svg_cluster_profile_trans, STYPE = internal,
    FINALFUNC = _clv_svg_cluster_profile_final, FINALFUNC_MODIFY = READ_ONLY,
    COMBINEFUNC = _clv_svg_cluster_profile_combine,
    SERIALFUNC = _clv_svg_cluster_profile_serialize, DESERIALFUNC = _clv_svg_cluster_profile_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE clv_svg_cluster_profile(int, float8[], text[], text) IS
    'SVG heat map of each cluster''s mean z-score of each feature (overall mean, population sd), with a title';
-- ==== end segcharts ====

-- ==== hclust (issue 15): hierarchical clustering (hclust_segment, hclust_fit, hclust_cut) ====
-- Exact agglomerative clustering (Ward, single, complete, average) with scipy's linkage
-- matrix; at most 50,000 rows (docs/segmentation.md, "Hierarchical clustering").
CREATE TYPE hclust_model AS (
    method      text,       -- linkage: ward, single, complete or average
    scaling     text,
    n           bigint,     -- observations: the rows, in input order
    linkage     float8[],   -- (n - 1) x 4: scipy's linkage matrix [idx1, idx2, height, size]
    shift       float8[],   -- per feature: subtracted after log1p (log_zscore)
    scale       float8[]    -- per feature: divided by after the shift
);

CREATE FUNCTION hclust_segment(features float8[], k int, linkage text DEFAULT 'ward',
                               scaling text DEFAULT 'zscore')
    RETURNS int AS 'MODULE_PATHNAME', 'hclust_segment'
    LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _hclust_trans(internal, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME', 'hclust_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _hclust_trans(internal, float8[], text) RETURNS internal
    AS 'MODULE_PATHNAME', 'hclust_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _hclust_trans(internal, float8[], text, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'hclust_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _hclust_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'hclust_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _hclust_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'hclust_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION _hclust_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'hclust_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION _hclust_fit_final(internal) RETURNS hclust_model
    AS 'MODULE_PATHNAME', 'hclust_fit_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- Observation i of the model is the i-th row aggregated: hclust_fit(features ORDER BY id).
CREATE AGGREGATE hclust_fit(features float8[]) (
    SFUNC = _hclust_trans, STYPE = internal, FINALFUNC = _hclust_fit_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = _hclust_combine,
    SERIALFUNC = _hclust_serialize, DESERIALFUNC = _hclust_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE hclust_fit(features float8[], linkage text) (
    SFUNC = _hclust_trans, STYPE = internal, FINALFUNC = _hclust_fit_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = _hclust_combine,
    SERIALFUNC = _hclust_serialize, DESERIALFUNC = _hclust_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE hclust_fit(features float8[], linkage text, scaling text) (
    SFUNC = _hclust_trans, STYPE = internal, FINALFUNC = _hclust_fit_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = _hclust_combine,
    SERIALFUNC = _hclust_serialize, DESERIALFUNC = _hclust_deserialize, PARALLEL = SAFE);

CREATE FUNCTION hclust_cut(model hclust_model, k int)
    RETURNS int[] AS 'MODULE_PATHNAME', 'hclust_cut'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON TYPE hclust_model IS 'Hierarchical clustering: method, scaling, n, linkage ((n-1) x 4 scipy linkage matrix), shift, scale';
COMMENT ON FUNCTION hclust_segment(float8[], int, text, text) IS 'Window function: hierarchical cluster id 1..k of each row of the partition (left to right in the dendrogram)';
COMMENT ON AGGREGATE hclust_fit(float8[]) IS 'Hierarchical clustering (Ward, zscore scaling) of the feature rows in input order: the merge tree as an hclust_model';
COMMENT ON AGGREGATE hclust_fit(float8[], text) IS 'Hierarchical clustering with a linkage (ward, single, complete, average; zscore): the merge tree as an hclust_model';
COMMENT ON AGGREGATE hclust_fit(float8[], text, text) IS 'Hierarchical clustering with the given linkage and scaling (none, zscore, log_zscore): the merge tree as an hclust_model';
COMMENT ON FUNCTION hclust_cut(hclust_model, int) IS 'Cluster ids 1..k of the model''s rows in input order, cutting its tree into k clusters (as hclust_segment)';
-- ==== end hclust ====

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
