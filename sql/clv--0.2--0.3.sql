-- clv 0.2 -> 0.3. Also part of the install script of 0.3: CREATE EXTENSION clv runs
-- clv--0.1.sql, clv--0.1--0.2.sql, then this file. As in the scripts before it, every
-- name of the catalog is qualified (pg_catalog.*), and so is every operator the script
-- evaluates (OPERATOR(pg_catalog.=)) (test/sql/install_hijack.sql).
-- New support functions of aggregates are created with a leading underscore; the last
-- block below revokes EXECUTE on them from PUBLIC.

\echo Use "ALTER EXTENSION clv UPDATE TO '0.3'" to load this file. \quit

-- (feature sections go here, before the support functions below)

-- ==== predsurf (issue 14): model choice (aic, bic, covariance, penalizer, clv_lrtest) and the prediction surface of every purchase model ====
-- The fits fill these fields by name (src/clv.c): models stored under 0.2 keep working
-- and read them as NULL.
ALTER TYPE bgnbd_model ADD ATTRIBUTE aic float8, ADD ATTRIBUTE bic float8,
    ADD ATTRIBUTE covariance float8[], ADD ATTRIBUTE penalizer float8;
ALTER TYPE mbgnbd_model ADD ATTRIBUTE aic float8, ADD ATTRIBUTE bic float8,
    ADD ATTRIBUTE covariance float8[], ADD ATTRIBUTE penalizer float8;
ALTER TYPE pareto_nbd_model ADD ATTRIBUTE aic float8, ADD ATTRIBUTE bic float8,
    ADD ATTRIBUTE covariance float8[], ADD ATTRIBUTE penalizer float8;
ALTER TYPE bgbb_model ADD ATTRIBUTE aic float8, ADD ATTRIBUTE bic float8,
    ADD ATTRIBUTE covariance float8[], ADD ATTRIBUTE penalizer float8;
ALTER TYPE gamma_gamma_model ADD ATTRIBUTE aic float8, ADD ATTRIBUTE bic float8,
    ADD ATTRIBUTE covariance float8[], ADD ATTRIBUTE penalizer float8;

DO $$
DECLARE
    t pg_catalog.text;
BEGIN
    FOREACH t IN ARRAY ARRAY['bgnbd_model', 'mbgnbd_model', 'pareto_nbd_model', 'bgbb_model', 'gamma_gamma_model'] LOOP
        EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.aic IS %L', t,
            'Akaike information criterion, 2 k - 2 log_likelihood (k = estimated parameters); lower is better; NULL for models built from parameters or stored before 0.3');
        EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.bic IS %L', t,
            'Bayesian information criterion, k ln(n_customers) - 2 log_likelihood; lower is better; NULL for models built from parameters or stored before 0.3');
        EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.covariance IS %L', t,
            'k x k covariance of the parameters in their field order (inverse observed information; the *_se fields are the square roots of its diagonal); NULL where the standard errors are');
        EXECUTE pg_catalog.format('COMMENT ON COLUMN @extschema@.%I.penalizer IS %L', t,
            'the L2 penalizer of the fit, 0 for a maximum-likelihood fit; NULL for models built from parameters or stored before 0.3');
    END LOOP;
END
$$;

CREATE FUNCTION clv_lrtest(restricted bgnbd_model, full bgnbd_model,
                           OUT statistic float8, OUT df int, OUT p_value float8)
    AS 'MODULE_PATHNAME', 'clv_lrtest_models' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_lrtest(restricted mbgnbd_model, full mbgnbd_model,
                           OUT statistic float8, OUT df int, OUT p_value float8)
    AS 'MODULE_PATHNAME', 'clv_lrtest_models' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_lrtest(restricted pareto_nbd_model, full pareto_nbd_model,
                           OUT statistic float8, OUT df int, OUT p_value float8)
    AS 'MODULE_PATHNAME', 'clv_lrtest_models' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_lrtest(restricted bgbb_model, full bgbb_model,
                           OUT statistic float8, OUT df int, OUT p_value float8)
    AS 'MODULE_PATHNAME', 'clv_lrtest_models' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_lrtest(restricted gamma_gamma_model, full gamma_gamma_model,
                           OUT statistic float8, OUT df int, OUT p_value float8)
    AS 'MODULE_PATHNAME', 'clv_lrtest_models' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_lrtest(restricted_log_likelihood float8, full_log_likelihood float8, n_restrictions int,
                           OUT statistic float8, OUT df int, OUT p_value float8)
    AS 'MODULE_PATHNAME', 'clv_lrtest_loglik' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv_lrtest(bgnbd_model, bgnbd_model) IS 'Likelihood-ratio test of nested unpenalised BG/NBD fits to the same customers: statistic, df, p_value (chi-square)';
COMMENT ON FUNCTION clv_lrtest(mbgnbd_model, mbgnbd_model) IS 'Likelihood-ratio test of nested unpenalised MBG/NBD fits to the same customers: statistic, df, p_value (chi-square)';
COMMENT ON FUNCTION clv_lrtest(pareto_nbd_model, pareto_nbd_model) IS 'Likelihood-ratio test of nested unpenalised Pareto/NBD fits to the same customers: statistic, df, p_value (chi-square)';
COMMENT ON FUNCTION clv_lrtest(bgbb_model, bgbb_model) IS 'Likelihood-ratio test of nested unpenalised BG/BB fits to the same customers: statistic, df, p_value (chi-square)';
COMMENT ON FUNCTION clv_lrtest(gamma_gamma_model, gamma_gamma_model) IS 'Likelihood-ratio test of nested unpenalised Gamma-Gamma fits to the same customers: statistic, df, p_value (chi-square)';
COMMENT ON FUNCTION clv_lrtest(float8, float8, int) IS 'Likelihood-ratio test from the maximised log-likelihoods of two nested models and their df: statistic, df, p_value';
-- ==== end predsurf ====

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
