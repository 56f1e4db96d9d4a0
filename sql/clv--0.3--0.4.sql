-- clv 0.3 -> 0.4. Also part of the install script of 0.4: CREATE EXTENSION clv runs
-- clv--0.1.sql, clv--0.1--0.2.sql, clv--0.2--0.3.sql, then this file. As in the scripts
-- before it, every name of the catalog is qualified (pg_catalog.*), and so is every
-- operator the script evaluates (OPERATOR(pg_catalog.=)) (test/sql/install_hijack.sql).
-- New support functions of aggregates are created with a leading underscore; the last
-- block below revokes EXECUTE on them from PUBLIC.

\echo Use "ALTER EXTENSION clv UPDATE TO '0.4'" to load this file. \quit

-- (feature sections go here, before the support functions below)
-- ==== intervals (issue 14): prediction intervals of each customer's predictions ====
-- The quantity at parameter draws from the fit's sampling distribution (normal on the log
-- scale of the parameters, with the model's covariance); the bounds are the draws'
-- quantiles at (1 -+ level) / 2, the estimate the point prediction. docs/intervals.md.
CREATE TYPE clv_interval AS (estimate float8, lower float8, upper float8, level float8);
COMMENT ON TYPE clv_interval IS 'A prediction with its interval: estimate (at the fitted parameters), lower and upper bounds at the given level';

CREATE FUNCTION bgnbd_expected_purchases_interval(model bgnbd_model, horizon float8, frequency float8, recency float8, t_customer float8,
                                                  level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'bgnbd_expected_purchases_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_expected_purchases_new_interval(model bgnbd_model, horizon float8,
                                                      level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'bgnbd_expected_purchases_new_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_p_alive_interval(model bgnbd_model, frequency float8, recency float8, t_customer float8,
                                       level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'bgnbd_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_expected_purchases_interval(model mbgnbd_model, horizon float8, frequency float8, recency float8, t_customer float8,
                                                   level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'mbgnbd_expected_purchases_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_expected_purchases_new_interval(model mbgnbd_model, horizon float8,
                                                       level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'mbgnbd_expected_purchases_new_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_p_alive_interval(model mbgnbd_model, frequency float8, recency float8, t_customer float8,
                                        level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'mbgnbd_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_expected_purchases_interval(model pareto_nbd_model, horizon float8, frequency float8, recency float8, t_customer float8,
                                                       level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'pareto_expected_purchases_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_expected_purchases_new_interval(model pareto_nbd_model, horizon float8,
                                                           level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'pareto_expected_purchases_new_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_p_alive_interval(model pareto_nbd_model, frequency float8, recency float8, t_customer float8,
                                            level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'pareto_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgbb_expected_purchases_interval(model bgbb_model, n_periods_ahead float8, frequency float8, recency float8, n_periods float8,
                                                 level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'bgbb_expected_purchases_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgbb_expected_purchases_new_interval(model bgbb_model, n_periods_ahead float8,
                                                     level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'bgbb_expected_purchases_new_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgbb_p_alive_interval(model bgbb_model, frequency float8, recency float8, n_periods float8,
                                      level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'bgbb_p_alive_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_expected_spend_interval(model gamma_gamma_model, frequency float8, monetary_value float8,
                                                    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'gamma_gamma_expected_spend_interval' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- unit_days NULL (the default) = the model's unit, as in gamma_gamma_clv
CREATE FUNCTION gamma_gamma_clv_interval(bg bgnbd_model, gg gamma_gamma_model, frequency float8, recency float8, t_customer float8,
                                         monetary_value float8, months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01,
                                         unit_days float8 DEFAULT NULL, level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'gamma_gamma_clv_interval' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv_interval(model mbgnbd_model, gg gamma_gamma_model, frequency float8, recency float8, t_customer float8,
                                         monetary_value float8, months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01,
                                         unit_days float8 DEFAULT NULL, level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'gamma_gamma_clv_interval_mbgnbd' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv_interval(model pareto_nbd_model, gg gamma_gamma_model, frequency float8, recency float8, t_customer float8,
                                         monetary_value float8, months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01,
                                         unit_days float8 DEFAULT NULL, level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'gamma_gamma_clv_interval_pareto' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv_interval(model bgbb_model, gg gamma_gamma_model, frequency float8, recency float8, n_periods float8,
                                         monetary_value float8, months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01,
                                         unit_days float8 DEFAULT NULL, level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'gamma_gamma_clv_interval_bgbb' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;

COMMENT ON FUNCTION bgnbd_expected_purchases_interval(bgnbd_model, float8, float8, float8, float8, float8, int, int) IS 'BG/NBD expected purchases of a customer over the horizon, with its interval at level from parameter draws';
COMMENT ON FUNCTION bgnbd_expected_purchases_new_interval(bgnbd_model, float8, float8, int, int) IS 'BG/NBD expected purchases of a new customer in (0, horizon], with its interval at level from parameter draws';
COMMENT ON FUNCTION bgnbd_p_alive_interval(bgnbd_model, float8, float8, float8, float8, int, int) IS 'BG/NBD P(alive) of a customer, with its interval at level from parameter draws';
COMMENT ON FUNCTION mbgnbd_expected_purchases_interval(mbgnbd_model, float8, float8, float8, float8, float8, int, int) IS 'MBG/NBD expected purchases of a customer over the horizon, with its interval at level from parameter draws';
COMMENT ON FUNCTION mbgnbd_expected_purchases_new_interval(mbgnbd_model, float8, float8, int, int) IS 'MBG/NBD expected purchases of a new customer in (0, horizon], with its interval at level from parameter draws';
COMMENT ON FUNCTION mbgnbd_p_alive_interval(mbgnbd_model, float8, float8, float8, float8, int, int) IS 'MBG/NBD P(alive) of a customer, with its interval at level from parameter draws';
COMMENT ON FUNCTION pareto_nbd_expected_purchases_interval(pareto_nbd_model, float8, float8, float8, float8, float8, int, int) IS 'Pareto/NBD expected purchases of a customer over the horizon, with its interval at level from parameter draws';
COMMENT ON FUNCTION pareto_nbd_expected_purchases_new_interval(pareto_nbd_model, float8, float8, int, int) IS 'Pareto/NBD expected purchases of a new customer in (0, horizon], with its interval from parameter draws';
COMMENT ON FUNCTION pareto_nbd_p_alive_interval(pareto_nbd_model, float8, float8, float8, float8, int, int) IS 'Pareto/NBD P(alive) of a customer, with its interval at level from parameter draws';
COMMENT ON FUNCTION bgbb_expected_purchases_interval(bgbb_model, float8, float8, float8, float8, float8, int, int) IS 'BG/BB expected purchases of a customer in n_periods_ahead opportunities, with its interval from parameter draws';
COMMENT ON FUNCTION bgbb_expected_purchases_new_interval(bgbb_model, float8, float8, int, int) IS 'BG/BB expected purchases of a new customer in n_periods_ahead opportunities, with its interval from parameter draws';
COMMENT ON FUNCTION bgbb_p_alive_interval(bgbb_model, float8, float8, float8, float8, int, int) IS 'BG/BB P(alive) of a customer, with its interval at level from parameter draws';
COMMENT ON FUNCTION gamma_gamma_expected_spend_interval(gamma_gamma_model, float8, float8, float8, int, int) IS 'Gamma-Gamma expected spend per purchase of a customer, with its interval at level from parameter draws';
COMMENT ON FUNCTION gamma_gamma_clv_interval(bgnbd_model, gamma_gamma_model, float8, float8, float8, float8, int, float8, float8, float8, int, int) IS 'CLV over months (30 days): BG/NBD x Gamma-Gamma, discounted, with its interval from draws of both models';
COMMENT ON FUNCTION gamma_gamma_clv_interval(mbgnbd_model, gamma_gamma_model, float8, float8, float8, float8, int, float8, float8, float8, int, int) IS 'CLV over months (30 days): MBG/NBD x Gamma-Gamma, discounted, with its interval from draws of both models';
COMMENT ON FUNCTION gamma_gamma_clv_interval(pareto_nbd_model, gamma_gamma_model, float8, float8, float8, float8, int, float8, float8, float8, int, int) IS 'CLV over months (30 days): Pareto/NBD x Gamma-Gamma, discounted, with its interval from draws of both models';
COMMENT ON FUNCTION gamma_gamma_clv_interval(bgbb_model, gamma_gamma_model, float8, float8, float8, float8, int, float8, float8, float8, int, int) IS 'CLV over months (30 days): BG/BB x Gamma-Gamma, discounted, with its interval from draws of both models';
-- the same with a clv_summary row's customer (units checked), as the point predictions
CREATE FUNCTION bgnbd_expected_purchases_interval(model bgnbd_model, horizon float8, summary clv_customer_summary,
                                                  level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'bgnbd_expected_purchases_interval_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_expected_purchases_interval(model mbgnbd_model, horizon float8, summary clv_customer_summary,
                                                   level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'mbgnbd_expected_purchases_interval_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_expected_purchases_interval(model pareto_nbd_model, horizon float8, summary clv_customer_summary,
                                                       level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'pareto_expected_purchases_interval_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_p_alive_interval(model bgnbd_model, summary clv_customer_summary,
                                       level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'bgnbd_p_alive_interval_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_p_alive_interval(model mbgnbd_model, summary clv_customer_summary,
                                        level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'mbgnbd_p_alive_interval_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_p_alive_interval(model pareto_nbd_model, summary clv_customer_summary,
                                            level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'pareto_p_alive_interval_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_expected_spend_interval(model gamma_gamma_model, summary clv_customer_summary,
                                                    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'gamma_gamma_expected_spend_interval_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv_interval(bg bgnbd_model, gg gamma_gamma_model, summary clv_customer_summary,
                                         months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01,
                                         level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'gamma_gamma_clv_interval_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv_interval(model mbgnbd_model, gg gamma_gamma_model, summary clv_customer_summary,
                                         months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01,
                                         level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'gamma_gamma_clv_interval_mbgnbd_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv_interval(model pareto_nbd_model, gg gamma_gamma_model, summary clv_customer_summary,
                                         months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01,
                                         level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'gamma_gamma_clv_interval_pareto_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION bgnbd_expected_purchases_interval(bgnbd_model, float8, clv_customer_summary, float8, int, int) IS 'BG/NBD expected purchases of a clv_summary row''s customer over the horizon, with its interval; units checked';
COMMENT ON FUNCTION mbgnbd_expected_purchases_interval(mbgnbd_model, float8, clv_customer_summary, float8, int, int) IS 'MBG/NBD expected purchases of a clv_summary row''s customer over the horizon, with its interval; units checked';
COMMENT ON FUNCTION pareto_nbd_expected_purchases_interval(pareto_nbd_model, float8, clv_customer_summary, float8, int, int) IS 'Pareto/NBD expected purchases of a clv_summary row''s customer over the horizon, with its interval; units checked';
COMMENT ON FUNCTION bgnbd_p_alive_interval(bgnbd_model, clv_customer_summary, float8, int, int) IS 'BG/NBD P(alive) of a clv_summary row''s customer, with its interval at level from parameter draws; units checked';
COMMENT ON FUNCTION mbgnbd_p_alive_interval(mbgnbd_model, clv_customer_summary, float8, int, int) IS 'MBG/NBD P(alive) of a clv_summary row''s customer, with its interval at level from parameter draws; units checked';
COMMENT ON FUNCTION pareto_nbd_p_alive_interval(pareto_nbd_model, clv_customer_summary, float8, int, int) IS 'Pareto/NBD P(alive) of a clv_summary row''s customer, with its interval from parameter draws; units checked';
COMMENT ON FUNCTION gamma_gamma_expected_spend_interval(gamma_gamma_model, clv_customer_summary, float8, int, int) IS 'Gamma-Gamma expected spend per purchase of a clv_summary row''s customer, with its interval from parameter draws';
COMMENT ON FUNCTION gamma_gamma_clv_interval(bgnbd_model, gamma_gamma_model, clv_customer_summary, int, float8, float8, int, int) IS 'CLV over months of a clv_summary row''s customer: BG/NBD x Gamma-Gamma, with its interval; units checked';
COMMENT ON FUNCTION gamma_gamma_clv_interval(mbgnbd_model, gamma_gamma_model, clv_customer_summary, int, float8, float8, int, int) IS 'CLV over months of a clv_summary row''s customer: MBG/NBD x Gamma-Gamma, with its interval; units checked';
COMMENT ON FUNCTION gamma_gamma_clv_interval(pareto_nbd_model, gamma_gamma_model, clv_customer_summary, int, float8, float8, int, int) IS 'CLV over months of a clv_summary row''s customer: Pareto/NBD x Gamma-Gamma, with its interval; units checked';
-- ==== end intervals ====


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
