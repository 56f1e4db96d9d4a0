-- clv 0.2 -> 0.3. Also part of the install script of 0.3: CREATE EXTENSION clv runs
-- clv--0.1.sql, clv--0.1--0.2.sql, then this file. As in the scripts before it, every
-- name of the catalog is qualified (pg_catalog.*), and so is every operator the script
-- evaluates (OPERATOR(pg_catalog.=)) (test/sql/install_hijack.sql).
-- New support functions of aggregates are created with a leading underscore; the last
-- block below revokes EXECUTE on them from PUBLIC.

\echo Use "ALTER EXTENSION clv UPDATE TO '0.3'" to load this file. \quit

-- (feature sections go here, before the support functions below)

-- ==== btydchecks (issue 14): model checks over calendar time ====
-- Tracking (expected vs actual repeat purchases per day, week or month), the count check
-- (customers by number of calibration repeat purchases) and their charts, for BG/NBD,
-- MBG/NBD and Pareto/NBD. docs/holdout.md, "Checks over calendar time".
CREATE TYPE clv_tracking_period AS (
    period               int,      -- 1, 2, ... from tracking_start
    period_start         date,     -- first day of the period
    period_end           date,     -- the day after its last day (the last period ends after observation_end)
    expected             float8,   -- expected repeat purchases in the period
    actual               bigint,   -- repeat purchase days in the period (NULL from first purchases alone)
    cumulative_expected  float8,   -- from tracking_start through the period
    cumulative_actual    bigint
);
COMMENT ON TYPE clv_tracking_period IS
    'Calendar period of a tracking check: expected and actual repeat purchases, in it and cumulated';
CREATE TYPE clv_count_bin AS (
    frequency  int,      -- repeat purchases in the calibration period
    or_more    boolean,  -- the last bin: frequency or more
    actual     bigint,   -- customers with that many
    expected   float8    -- expected customers: the sum of P(X(t_customer) = frequency)
);
COMMENT ON TYPE clv_count_bin IS
    'Bin of a count check: customers with frequency (or more) repeat purchases, actual and expected';

CREATE FUNCTION mbgnbd_prob_n_purchases(model mbgnbd_model, t float8, n float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_prob_n_purchases'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION mbgnbd_prob_n_purchases(mbgnbd_model, float8, float8) IS
    'P(X(t) = n): probability that a new MBG/NBD customer makes n repeat purchases in (0, t]';

DO $$
DECLARE
    m text;
    typ text;
    label text;
BEGIN
    FOR m, label IN VALUES ('bgnbd', 'BG/NBD'), ('mbgnbd', 'MBG/NBD'), ('pareto_nbd', 'Pareto/NBD') LOOP
        typ := m OPERATOR(pg_catalog.||) '_model';
        -- tracking from each customer's purchase times (actuals) or first purchase alone
        EXECUTE pg_catalog.format($f$
            CREATE FUNCTION _%1$s_tracking_trans(float8[], %2$s, timestamptz[], timestamptz, timestamptz, text)
                RETURNS float8[] AS 'MODULE_PATHNAME', 'clv_%1$s_tracking_trans' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
            CREATE FUNCTION _%1$s_tracking_trans(float8[], %2$s, timestamptz[], timestamptz, timestamptz, text, float8)
                RETURNS float8[] AS 'MODULE_PATHNAME', 'clv_%1$s_tracking_trans' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
            CREATE FUNCTION _%1$s_tracking_first_trans(float8[], %2$s, timestamptz, timestamptz, timestamptz, text)
                RETURNS float8[] AS 'MODULE_PATHNAME', 'clv_%1$s_tracking_first_trans' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
            CREATE FUNCTION _%1$s_tracking_first_trans(float8[], %2$s, timestamptz, timestamptz, timestamptz, text, float8)
                RETURNS float8[] AS 'MODULE_PATHNAME', 'clv_%1$s_tracking_first_trans' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
            CREATE FUNCTION _%1$s_tracking_combine(float8[], float8[])
                RETURNS float8[] AS 'MODULE_PATHNAME', 'clv_%1$s_tracking_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
            CREATE FUNCTION _%1$s_tracking_final(float8[])
                RETURNS clv_tracking_period[] AS 'MODULE_PATHNAME', 'clv_%1$s_tracking_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
            CREATE AGGREGATE %1$s_tracking(model %2$s, purchases timestamptz[], tracking_start timestamptz,
                                           observation_end timestamptz, period text) (
                SFUNC = _%1$s_tracking_trans, STYPE = float8[], INITCOND = '{}',
                FINALFUNC = _%1$s_tracking_final, COMBINEFUNC = _%1$s_tracking_combine, PARALLEL = SAFE);
            CREATE AGGREGATE %1$s_tracking(model %2$s, purchases timestamptz[], tracking_start timestamptz,
                                           observation_end timestamptz, period text, unit_days float8) (
                SFUNC = _%1$s_tracking_trans, STYPE = float8[], INITCOND = '{}',
                FINALFUNC = _%1$s_tracking_final, COMBINEFUNC = _%1$s_tracking_combine, PARALLEL = SAFE);
            CREATE AGGREGATE %1$s_tracking(model %2$s, first_purchase timestamptz, tracking_start timestamptz,
                                           observation_end timestamptz, period text) (
                SFUNC = _%1$s_tracking_first_trans, STYPE = float8[], INITCOND = '{}',
                FINALFUNC = _%1$s_tracking_final, COMBINEFUNC = _%1$s_tracking_combine, PARALLEL = SAFE);
            CREATE AGGREGATE %1$s_tracking(model %2$s, first_purchase timestamptz, tracking_start timestamptz,
                                           observation_end timestamptz, period text, unit_days float8) (
                SFUNC = _%1$s_tracking_first_trans, STYPE = float8[], INITCOND = '{}',
                FINALFUNC = _%1$s_tracking_final, COMBINEFUNC = _%1$s_tracking_combine, PARALLEL = SAFE);
            COMMENT ON AGGREGATE %1$s_tracking(%2$s, timestamptz[], timestamptz, timestamptz, text) IS
                '%3$s tracking: expected and actual repeat purchases per day, week or month (a row per customer)';
            COMMENT ON AGGREGATE %1$s_tracking(%2$s, timestamptz[], timestamptz, timestamptz, text, float8) IS
                '%3$s tracking for a model without a time unit: unit_days is its unit in days (7 for weeks)';
            COMMENT ON AGGREGATE %1$s_tracking(%2$s, timestamptz, timestamptz, timestamptz, text) IS
                '%3$s tracking from first purchases alone: expected repeat purchases per period';
            COMMENT ON AGGREGATE %1$s_tracking(%2$s, timestamptz, timestamptz, timestamptz, text, float8) IS
                '%3$s tracking from first purchases alone, for a model without a time unit (unit_days)';
            CREATE FUNCTION _%1$s_count_trans(float8[], %2$s, float8, float8, int)
                RETURNS float8[] AS 'MODULE_PATHNAME', 'clv_%1$s_count_trans' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
            CREATE FUNCTION _%1$s_count_combine(float8[], float8[])
                RETURNS float8[] AS 'MODULE_PATHNAME', 'clv_%1$s_count_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
            CREATE FUNCTION _%1$s_count_final(float8[])
                RETURNS clv_count_bin[] AS 'MODULE_PATHNAME', 'clv_%1$s_count_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
            CREATE AGGREGATE %1$s_count_check(model %2$s, frequency float8, t_customer float8, max_frequency int) (
                SFUNC = _%1$s_count_trans, STYPE = float8[], INITCOND = '{}',
                FINALFUNC = _%1$s_count_final, COMBINEFUNC = _%1$s_count_combine, PARALLEL = SAFE);
            COMMENT ON AGGREGATE %1$s_count_check(%2$s, float8, float8, int) IS
                '%3$s count check: customers by calibration repeat purchases, actual and expected';
        $f$, m, typ, label);
    END LOOP;
END
$$;

-- BG/BB (discrete opportunities): the count check alone
CREATE FUNCTION _bgbb_count_trans(float8[], bgbb_model, float8, float8, int)
    RETURNS float8[] AS 'MODULE_PATHNAME', 'clv_bgbb_count_trans' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION _bgbb_count_combine(float8[], float8[])
    RETURNS float8[] AS 'MODULE_PATHNAME', 'clv_bgbb_count_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION _bgbb_count_final(float8[])
    RETURNS clv_count_bin[] AS 'MODULE_PATHNAME', 'clv_bgbb_count_final' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE bgbb_count_check(model bgbb_model, frequency float8, n_periods float8, max_frequency int) (
    SFUNC = _bgbb_count_trans, STYPE = float8[], INITCOND = '{}',
    FINALFUNC = _bgbb_count_final, COMBINEFUNC = _bgbb_count_combine, PARALLEL = SAFE);
COMMENT ON AGGREGATE bgbb_count_check(bgbb_model, float8, float8, int) IS
    'BG/BB count check: customers by transactions in their n_periods opportunities, actual and expected';
CREATE FUNCTION bgbb_prob_n_purchases(model bgbb_model, n_periods float8, n float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgbb_prob_n_purchases'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgbb_prob_n_purchases(bgbb_model, float8, float8) IS
    'P(X = n): probability that a new BG/BB customer makes n transactions in n_periods opportunities';

CREATE FUNCTION clv_svg_tracking(periods clv_tracking_period[], calibration_end timestamptz,
                                 cumulative boolean DEFAULT true,
                                 title text DEFAULT 'Repeat purchases: actual vs expected')
    RETURNS text AS 'MODULE_PATHNAME', 'clv_svg_tracking'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv_svg_tracking(clv_tracking_period[], timestamptz, boolean, text) IS
    'SVG chart of a tracking check: actual and expected repeat purchases, a line at calibration_end';
CREATE FUNCTION clv_svg_count_check(bins clv_count_bin[],
                                    title text DEFAULT 'Customers by repeat purchases: actual vs expected')
    RETURNS text AS 'MODULE_PATHNAME', 'clv_svg_count_check'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv_svg_count_check(clv_count_bin[], text) IS
    'SVG grouped bars of a count check: customers by calibration repeat purchases';
-- ==== end btydchecks ====


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
