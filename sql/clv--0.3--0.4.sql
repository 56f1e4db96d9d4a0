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

-- ==== covar (issue 14): covariates of BG/NBD, MBG/NBD and Pareto/NBD (docs/covariates.md) ====
-- Models fitted with covariates carry their coefficients and standard errors; models
-- fitted without (and models stored under 0.3) read them as NULL and score as before.
ALTER TYPE bgnbd_model ADD ATTRIBUTE purchase_coefficients float8[],
    ADD ATTRIBUTE dropout_coefficients float8[],
    ADD ATTRIBUTE purchase_coefficients_se float8[],
    ADD ATTRIBUTE dropout_coefficients_se float8[];
ALTER TYPE mbgnbd_model ADD ATTRIBUTE purchase_coefficients float8[],
    ADD ATTRIBUTE dropout_coefficients float8[],
    ADD ATTRIBUTE purchase_coefficients_se float8[],
    ADD ATTRIBUTE dropout_coefficients_se float8[];
ALTER TYPE pareto_nbd_model ADD ATTRIBUTE purchase_coefficients float8[],
    ADD ATTRIBUTE dropout_coefficients float8[],
    ADD ATTRIBUTE purchase_coefficients_se float8[],
    ADD ATTRIBUTE dropout_coefficients_se float8[];

-- The fits: a bytea state of distinct rows (covariates, frequency, recency, t, weight), as
-- every fit aggregate's (an expanded object while aggregating).
CREATE FUNCTION _clv_cov_fit_trans(bytea, float8, float8, float8, float8[], float8[]) RETURNS bytea
    AS 'MODULE_PATHNAME', 'clv_cov_fit_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _clv_cov_fit_trans(bytea, float8, float8, float8, float8[], float8[], float8) RETURNS bytea
    AS 'MODULE_PATHNAME', 'clv_cov_fit_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _clv_cov_fit_summary_trans(bytea, clv_customer_summary, float8[], float8[]) RETURNS bytea
    AS 'MODULE_PATHNAME', 'clv_cov_fit_summary_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _clv_cov_fit_summary_trans(bytea, clv_customer_summary, float8[], float8[], float8) RETURNS bytea
    AS 'MODULE_PATHNAME', 'clv_cov_fit_summary_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _clv_cov_fit_combine(bytea, bytea) RETURNS bytea
    AS 'MODULE_PATHNAME', 'clv_cov_fit_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _clv_cov_bgnbd_fit_final(bytea) RETURNS bgnbd_model
    AS 'MODULE_PATHNAME', 'clv_cov_bgnbd_fit_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _clv_cov_mbgnbd_fit_final(bytea) RETURNS mbgnbd_model
    AS 'MODULE_PATHNAME', 'clv_cov_mbgnbd_fit_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _clv_cov_pareto_nbd_fit_final(bytea) RETURNS pareto_nbd_model
    AS 'MODULE_PATHNAME', 'clv_cov_pareto_fit_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE AGGREGATE bgnbd_fit(frequency float8, recency float8, t float8, purchase_covariates float8[], dropout_covariates float8[]) (
    SFUNC = _clv_cov_fit_trans, STYPE = bytea,
    FINALFUNC = _clv_cov_bgnbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_cov_fit_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE bgnbd_fit(frequency float8, recency float8, t float8, purchase_covariates float8[], dropout_covariates float8[], penalizer float8) (
    SFUNC = _clv_cov_fit_trans, STYPE = bytea,
    FINALFUNC = _clv_cov_bgnbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_cov_fit_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE bgnbd_fit(summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[]) (
    SFUNC = _clv_cov_fit_summary_trans, STYPE = bytea,
    FINALFUNC = _clv_cov_bgnbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_cov_fit_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE bgnbd_fit(summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[], penalizer float8) (
    SFUNC = _clv_cov_fit_summary_trans, STYPE = bytea,
    FINALFUNC = _clv_cov_bgnbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_cov_fit_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE mbgnbd_fit(frequency float8, recency float8, t float8, purchase_covariates float8[], dropout_covariates float8[]) (
    SFUNC = _clv_cov_fit_trans, STYPE = bytea,
    FINALFUNC = _clv_cov_mbgnbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_cov_fit_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE mbgnbd_fit(frequency float8, recency float8, t float8, purchase_covariates float8[], dropout_covariates float8[], penalizer float8) (
    SFUNC = _clv_cov_fit_trans, STYPE = bytea,
    FINALFUNC = _clv_cov_mbgnbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_cov_fit_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE mbgnbd_fit(summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[]) (
    SFUNC = _clv_cov_fit_summary_trans, STYPE = bytea,
    FINALFUNC = _clv_cov_mbgnbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_cov_fit_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE mbgnbd_fit(summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[], penalizer float8) (
    SFUNC = _clv_cov_fit_summary_trans, STYPE = bytea,
    FINALFUNC = _clv_cov_mbgnbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_cov_fit_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE pareto_nbd_fit(frequency float8, recency float8, t float8, purchase_covariates float8[], dropout_covariates float8[]) (
    SFUNC = _clv_cov_fit_trans, STYPE = bytea,
    FINALFUNC = _clv_cov_pareto_nbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_cov_fit_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE pareto_nbd_fit(frequency float8, recency float8, t float8, purchase_covariates float8[], dropout_covariates float8[], penalizer float8) (
    SFUNC = _clv_cov_fit_trans, STYPE = bytea,
    FINALFUNC = _clv_cov_pareto_nbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_cov_fit_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE pareto_nbd_fit(summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[]) (
    SFUNC = _clv_cov_fit_summary_trans, STYPE = bytea,
    FINALFUNC = _clv_cov_pareto_nbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_cov_fit_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE pareto_nbd_fit(summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[], penalizer float8) (
    SFUNC = _clv_cov_fit_summary_trans, STYPE = bytea,
    FINALFUNC = _clv_cov_pareto_nbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = _clv_cov_fit_combine,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE bgnbd_fit(float8, float8, float8, float8[], float8[]) IS 'BG/NBD fit with purchase and drop-out covariates';

COMMENT ON AGGREGATE bgnbd_fit(float8, float8, float8, float8[], float8[], float8) IS 'BG/NBD fit with purchase and drop-out covariates; L2 penalizer on the coefficients';

COMMENT ON AGGREGATE bgnbd_fit(clv_customer_summary, float8[], float8[]) IS 'BG/NBD fit with purchase and drop-out covariates on clv_summary rows';

COMMENT ON AGGREGATE bgnbd_fit(clv_customer_summary, float8[], float8[], float8) IS 'BG/NBD fit with purchase and drop-out covariates on clv_summary rows; L2 penalizer on the coefficients';

COMMENT ON AGGREGATE mbgnbd_fit(float8, float8, float8, float8[], float8[]) IS 'MBG/NBD fit with purchase and drop-out covariates';

COMMENT ON AGGREGATE mbgnbd_fit(float8, float8, float8, float8[], float8[], float8) IS 'MBG/NBD fit with purchase and drop-out covariates; L2 penalizer on the coefficients';

COMMENT ON AGGREGATE mbgnbd_fit(clv_customer_summary, float8[], float8[]) IS 'MBG/NBD fit with purchase and drop-out covariates on clv_summary rows';

COMMENT ON AGGREGATE mbgnbd_fit(clv_customer_summary, float8[], float8[], float8) IS 'MBG/NBD fit with purchase and drop-out covariates on clv_summary rows; L2 penalizer on the coefficients';

COMMENT ON AGGREGATE pareto_nbd_fit(float8, float8, float8, float8[], float8[]) IS 'Pareto/NBD fit with purchase and drop-out covariates';

COMMENT ON AGGREGATE pareto_nbd_fit(float8, float8, float8, float8[], float8[], float8) IS 'Pareto/NBD fit with purchase and drop-out covariates; L2 penalizer on the coefficients';

COMMENT ON AGGREGATE pareto_nbd_fit(clv_customer_summary, float8[], float8[]) IS 'Pareto/NBD fit with purchase and drop-out covariates on clv_summary rows';

COMMENT ON AGGREGATE pareto_nbd_fit(clv_customer_summary, float8[], float8[], float8) IS 'Pareto/NBD fit with purchase and drop-out covariates on clv_summary rows; L2 penalizer on the coefficients';

-- The model of one customer: the plain model with this customer's parameters.
CREATE FUNCTION clv_customer_model(model bgnbd_model, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS bgnbd_model AS 'MODULE_PATHNAME', 'clv_customer_model_bgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_customer_model(model mbgnbd_model, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS mbgnbd_model AS 'MODULE_PATHNAME', 'clv_customer_model_mbgnbd' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_customer_model(model pareto_nbd_model, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS pareto_nbd_model AS 'MODULE_PATHNAME', 'clv_customer_model_pareto' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION clv_customer_model(bgnbd_model, float8[], float8[]) IS 'BG/NBD model of one customer: alpha, a, b scaled by the fitted covariate coefficients';
COMMENT ON FUNCTION clv_customer_model(mbgnbd_model, float8[], float8[]) IS 'MBG/NBD model of one customer: alpha, a, b scaled by the fitted covariate coefficients';
COMMENT ON FUNCTION clv_customer_model(pareto_nbd_model, float8[], float8[]) IS 'Pareto/NBD model of one customer: alpha, beta scaled by the fitted covariate coefficients';

-- Every prediction of a customer, with the customer's two covariate vectors after the
-- customer's data: the plain function on clv_customer_model.
CREATE FUNCTION bgnbd_dert(model bgnbd_model, discount_rate float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.bgnbd_dert(@extschema@.clv_customer_model($1, $6, $7), $2, $3, $4, $5);
CREATE FUNCTION bgnbd_dert(model bgnbd_model, discount_rate float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.bgnbd_dert(@extschema@.clv_customer_model($1, $4, $5), $2, $3);
CREATE FUNCTION bgnbd_expected_purchases(model bgnbd_model, horizon float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.bgnbd_expected_purchases(@extschema@.clv_customer_model($1, $3, $4), $2);
CREATE FUNCTION bgnbd_expected_purchases(model bgnbd_model, horizon float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.bgnbd_expected_purchases(@extschema@.clv_customer_model($1, $6, $7), $2, $3, $4, $5);
CREATE FUNCTION bgnbd_expected_purchases(model bgnbd_model, horizon float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.bgnbd_expected_purchases(@extschema@.clv_customer_model($1, $4, $5), $2, $3);
CREATE FUNCTION bgnbd_expected_purchases_between(model bgnbd_model, horizon_start float8, horizon_end float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.bgnbd_expected_purchases_between(@extschema@.clv_customer_model($1, $7, $8), $2, $3, $4, $5, $6);
CREATE FUNCTION bgnbd_expected_purchases_between(model bgnbd_model, horizon_start float8, horizon_end float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.bgnbd_expected_purchases_between(@extschema@.clv_customer_model($1, $5, $6), $2, $3, $4);
CREATE FUNCTION bgnbd_p_alive(model bgnbd_model, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.bgnbd_p_alive(@extschema@.clv_customer_model($1, $5, $6), $2, $3, $4);
CREATE FUNCTION bgnbd_p_alive(model bgnbd_model, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.bgnbd_p_alive(@extschema@.clv_customer_model($1, $3, $4), $2);
CREATE FUNCTION bgnbd_p_alive_at(model bgnbd_model, horizon float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.bgnbd_p_alive_at(@extschema@.clv_customer_model($1, $6, $7), $2, $3, $4, $5);
CREATE FUNCTION bgnbd_p_alive_at(model bgnbd_model, horizon float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.bgnbd_p_alive_at(@extschema@.clv_customer_model($1, $4, $5), $2, $3);
CREATE FUNCTION bgnbd_prob_n_purchases(model bgnbd_model, horizon float8, n float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.bgnbd_prob_n_purchases(@extschema@.clv_customer_model($1, $7, $8), $2, $3, $4, $5, $6);
CREATE FUNCTION bgnbd_prob_n_purchases(model bgnbd_model, horizon float8, n float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.bgnbd_prob_n_purchases(@extschema@.clv_customer_model($1, $5, $6), $2, $3, $4);
CREATE FUNCTION bgnbd_prob_no_purchase(model bgnbd_model, horizon float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.bgnbd_prob_no_purchase(@extschema@.clv_customer_model($1, $6, $7), $2, $3, $4, $5);
CREATE FUNCTION bgnbd_prob_no_purchase(model bgnbd_model, horizon float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.bgnbd_prob_no_purchase(@extschema@.clv_customer_model($1, $4, $5), $2, $3);
CREATE FUNCTION gamma_gamma_clv(bg bgnbd_model, gg gamma_gamma_model, frequency float8, recency float8, t_customer float8, monetary_value float8, purchase_covariates float8[], dropout_covariates float8[], months integer DEFAULT 12, monthly_discount float8 DEFAULT 0.01, unit_days float8 DEFAULT NULL)
    RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN @extschema@.gamma_gamma_clv(@extschema@.clv_customer_model($1, $7, $8), $2, $3, $4, $5, $6, $9, $10, $11);
CREATE FUNCTION gamma_gamma_clv(bg bgnbd_model, gg gamma_gamma_model, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[], months integer DEFAULT 12, monthly_discount float8 DEFAULT 0.01)
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.gamma_gamma_clv(@extschema@.clv_customer_model($1, $4, $5), $2, $3, $6, $7);
CREATE FUNCTION gamma_gamma_clv(model mbgnbd_model, gg gamma_gamma_model, frequency float8, recency float8, t_customer float8, monetary_value float8, purchase_covariates float8[], dropout_covariates float8[], months integer DEFAULT 12, monthly_discount float8 DEFAULT 0.01, unit_days float8 DEFAULT NULL)
    RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN @extschema@.gamma_gamma_clv(@extschema@.clv_customer_model($1, $7, $8), $2, $3, $4, $5, $6, $9, $10, $11);
CREATE FUNCTION gamma_gamma_clv(model mbgnbd_model, gg gamma_gamma_model, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[], months integer DEFAULT 12, monthly_discount float8 DEFAULT 0.01)
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.gamma_gamma_clv(@extschema@.clv_customer_model($1, $4, $5), $2, $3, $6, $7);
CREATE FUNCTION gamma_gamma_clv(model pareto_nbd_model, gg gamma_gamma_model, frequency float8, recency float8, t_customer float8, monetary_value float8, purchase_covariates float8[], dropout_covariates float8[], months integer DEFAULT 12, monthly_discount float8 DEFAULT 0.01, unit_days float8 DEFAULT NULL)
    RETURNS float8 LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN @extschema@.gamma_gamma_clv(@extschema@.clv_customer_model($1, $7, $8), $2, $3, $4, $5, $6, $9, $10, $11);
CREATE FUNCTION gamma_gamma_clv(model pareto_nbd_model, gg gamma_gamma_model, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[], months integer DEFAULT 12, monthly_discount float8 DEFAULT 0.01)
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.gamma_gamma_clv(@extschema@.clv_customer_model($1, $4, $5), $2, $3, $6, $7);
CREATE FUNCTION mbgnbd_dert(model mbgnbd_model, discount_rate float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.mbgnbd_dert(@extschema@.clv_customer_model($1, $6, $7), $2, $3, $4, $5);
CREATE FUNCTION mbgnbd_dert(model mbgnbd_model, discount_rate float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.mbgnbd_dert(@extschema@.clv_customer_model($1, $4, $5), $2, $3);
CREATE FUNCTION mbgnbd_expected_purchases(model mbgnbd_model, horizon float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.mbgnbd_expected_purchases(@extschema@.clv_customer_model($1, $3, $4), $2);
CREATE FUNCTION mbgnbd_expected_purchases(model mbgnbd_model, horizon float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.mbgnbd_expected_purchases(@extschema@.clv_customer_model($1, $6, $7), $2, $3, $4, $5);
CREATE FUNCTION mbgnbd_expected_purchases(model mbgnbd_model, horizon float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.mbgnbd_expected_purchases(@extschema@.clv_customer_model($1, $4, $5), $2, $3);
CREATE FUNCTION mbgnbd_expected_purchases_between(model mbgnbd_model, horizon_start float8, horizon_end float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.mbgnbd_expected_purchases_between(@extschema@.clv_customer_model($1, $7, $8), $2, $3, $4, $5, $6);
CREATE FUNCTION mbgnbd_expected_purchases_between(model mbgnbd_model, horizon_start float8, horizon_end float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.mbgnbd_expected_purchases_between(@extschema@.clv_customer_model($1, $5, $6), $2, $3, $4);
CREATE FUNCTION mbgnbd_p_alive(model mbgnbd_model, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.mbgnbd_p_alive(@extschema@.clv_customer_model($1, $5, $6), $2, $3, $4);
CREATE FUNCTION mbgnbd_p_alive(model mbgnbd_model, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.mbgnbd_p_alive(@extschema@.clv_customer_model($1, $3, $4), $2);
CREATE FUNCTION mbgnbd_p_alive_at(model mbgnbd_model, horizon float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.mbgnbd_p_alive_at(@extschema@.clv_customer_model($1, $6, $7), $2, $3, $4, $5);
CREATE FUNCTION mbgnbd_p_alive_at(model mbgnbd_model, horizon float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.mbgnbd_p_alive_at(@extschema@.clv_customer_model($1, $4, $5), $2, $3);
CREATE FUNCTION mbgnbd_prob_n_purchases(model mbgnbd_model, horizon float8, n float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.mbgnbd_prob_n_purchases(@extschema@.clv_customer_model($1, $7, $8), $2, $3, $4, $5, $6);
CREATE FUNCTION mbgnbd_prob_n_purchases(model mbgnbd_model, horizon float8, n float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.mbgnbd_prob_n_purchases(@extschema@.clv_customer_model($1, $5, $6), $2, $3, $4);
CREATE FUNCTION mbgnbd_prob_no_purchase(model mbgnbd_model, horizon float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.mbgnbd_prob_no_purchase(@extschema@.clv_customer_model($1, $6, $7), $2, $3, $4, $5);
CREATE FUNCTION mbgnbd_prob_no_purchase(model mbgnbd_model, horizon float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.mbgnbd_prob_no_purchase(@extschema@.clv_customer_model($1, $4, $5), $2, $3);
CREATE FUNCTION pareto_nbd_dert(model pareto_nbd_model, discount_rate float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.pareto_nbd_dert(@extschema@.clv_customer_model($1, $6, $7), $2, $3, $4, $5);
CREATE FUNCTION pareto_nbd_dert(model pareto_nbd_model, discount_rate float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.pareto_nbd_dert(@extschema@.clv_customer_model($1, $4, $5), $2, $3);
CREATE FUNCTION pareto_nbd_expected_purchases(model pareto_nbd_model, horizon float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.pareto_nbd_expected_purchases(@extschema@.clv_customer_model($1, $3, $4), $2);
CREATE FUNCTION pareto_nbd_expected_purchases(model pareto_nbd_model, horizon float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.pareto_nbd_expected_purchases(@extschema@.clv_customer_model($1, $6, $7), $2, $3, $4, $5);
CREATE FUNCTION pareto_nbd_expected_purchases(model pareto_nbd_model, horizon float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.pareto_nbd_expected_purchases(@extschema@.clv_customer_model($1, $4, $5), $2, $3);
CREATE FUNCTION pareto_nbd_expected_purchases_between(model pareto_nbd_model, horizon_start float8, horizon_end float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.pareto_nbd_expected_purchases_between(@extschema@.clv_customer_model($1, $7, $8), $2, $3, $4, $5, $6);
CREATE FUNCTION pareto_nbd_expected_purchases_between(model pareto_nbd_model, horizon_start float8, horizon_end float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.pareto_nbd_expected_purchases_between(@extschema@.clv_customer_model($1, $5, $6), $2, $3, $4);
CREATE FUNCTION pareto_nbd_p_alive(model pareto_nbd_model, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.pareto_nbd_p_alive(@extschema@.clv_customer_model($1, $5, $6), $2, $3, $4);
CREATE FUNCTION pareto_nbd_p_alive(model pareto_nbd_model, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.pareto_nbd_p_alive(@extschema@.clv_customer_model($1, $3, $4), $2);
CREATE FUNCTION pareto_nbd_p_alive_at(model pareto_nbd_model, horizon float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.pareto_nbd_p_alive_at(@extschema@.clv_customer_model($1, $6, $7), $2, $3, $4, $5);
CREATE FUNCTION pareto_nbd_p_alive_at(model pareto_nbd_model, horizon float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.pareto_nbd_p_alive_at(@extschema@.clv_customer_model($1, $4, $5), $2, $3);
CREATE FUNCTION pareto_nbd_prob_n_purchases(model pareto_nbd_model, horizon float8, n float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.pareto_nbd_prob_n_purchases(@extschema@.clv_customer_model($1, $7, $8), $2, $3, $4, $5, $6);
CREATE FUNCTION pareto_nbd_prob_n_purchases(model pareto_nbd_model, horizon float8, n float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.pareto_nbd_prob_n_purchases(@extschema@.clv_customer_model($1, $5, $6), $2, $3, $4);
CREATE FUNCTION pareto_nbd_prob_no_purchase(model pareto_nbd_model, horizon float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.pareto_nbd_prob_no_purchase(@extschema@.clv_customer_model($1, $6, $7), $2, $3, $4, $5);
CREATE FUNCTION pareto_nbd_prob_no_purchase(model pareto_nbd_model, horizon float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[])
    RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
    RETURN @extschema@.pareto_nbd_prob_no_purchase(@extschema@.clv_customer_model($1, $4, $5), $2, $3);
COMMENT ON FUNCTION bgnbd_dert(bgnbd_model, float8, float8, float8, float8, float8[], float8[]) IS 'BG/NBD with covariates: DERT of (frequency, recency, t_customer)';
COMMENT ON FUNCTION bgnbd_dert(bgnbd_model, float8, clv_customer_summary, float8[], float8[]) IS 'BG/NBD with covariates: DERT of a clv_summary row';
COMMENT ON FUNCTION bgnbd_expected_purchases(bgnbd_model, float8, float8[], float8[]) IS 'BG/NBD with covariates: expected purchases of a new customer';
COMMENT ON FUNCTION bgnbd_expected_purchases(bgnbd_model, float8, float8, float8, float8, float8[], float8[]) IS 'BG/NBD with covariates: expected purchases of (frequency, recency, t_customer)';
COMMENT ON FUNCTION bgnbd_expected_purchases(bgnbd_model, float8, clv_customer_summary, float8[], float8[]) IS 'BG/NBD with covariates: expected purchases of a clv_summary row';
COMMENT ON FUNCTION bgnbd_expected_purchases_between(bgnbd_model, float8, float8, float8, float8, float8, float8[], float8[]) IS 'BG/NBD with covariates: expected purchases between horizons of (frequency, recency, t_customer)';
COMMENT ON FUNCTION bgnbd_expected_purchases_between(bgnbd_model, float8, float8, clv_customer_summary, float8[], float8[]) IS 'BG/NBD with covariates: expected purchases between horizons of a clv_summary row';
COMMENT ON FUNCTION bgnbd_p_alive(bgnbd_model, float8, float8, float8, float8[], float8[]) IS 'BG/NBD with covariates: P(alive) of (frequency, recency, t_customer)';
COMMENT ON FUNCTION bgnbd_p_alive(bgnbd_model, clv_customer_summary, float8[], float8[]) IS 'BG/NBD with covariates: P(alive) of a clv_summary row';
COMMENT ON FUNCTION bgnbd_p_alive_at(bgnbd_model, float8, float8, float8, float8, float8[], float8[]) IS 'BG/NBD with covariates: P(alive at t_customer + horizon) of (frequency, recency, t_customer)';
COMMENT ON FUNCTION bgnbd_p_alive_at(bgnbd_model, float8, clv_customer_summary, float8[], float8[]) IS 'BG/NBD with covariates: P(alive at t_customer + horizon) of a clv_summary row';
COMMENT ON FUNCTION bgnbd_prob_n_purchases(bgnbd_model, float8, float8, float8, float8, float8, float8[], float8[]) IS 'BG/NBD with covariates: P(n purchases in horizon) of (frequency, recency, t_customer)';
COMMENT ON FUNCTION bgnbd_prob_n_purchases(bgnbd_model, float8, float8, clv_customer_summary, float8[], float8[]) IS 'BG/NBD with covariates: P(n purchases in horizon) of a clv_summary row';
COMMENT ON FUNCTION bgnbd_prob_no_purchase(bgnbd_model, float8, float8, float8, float8, float8[], float8[]) IS 'BG/NBD with covariates: P(no purchase in horizon) of (frequency, recency, t_customer)';
COMMENT ON FUNCTION bgnbd_prob_no_purchase(bgnbd_model, float8, clv_customer_summary, float8[], float8[]) IS 'BG/NBD with covariates: P(no purchase in horizon) of a clv_summary row';
COMMENT ON FUNCTION gamma_gamma_clv(bgnbd_model, gamma_gamma_model, float8, float8, float8, float8, float8[], float8[], int, float8, float8) IS 'CLV of a customer with covariates: BG/NBD x Gamma-Gamma';
COMMENT ON FUNCTION gamma_gamma_clv(bgnbd_model, gamma_gamma_model, clv_customer_summary, float8[], float8[], int, float8) IS 'CLV of a customer with covariates: BG/NBD x Gamma-Gamma of a clv_summary row';
COMMENT ON FUNCTION gamma_gamma_clv(mbgnbd_model, gamma_gamma_model, float8, float8, float8, float8, float8[], float8[], int, float8, float8) IS 'CLV of a customer with covariates: MBG/NBD x Gamma-Gamma';
COMMENT ON FUNCTION gamma_gamma_clv(mbgnbd_model, gamma_gamma_model, clv_customer_summary, float8[], float8[], int, float8) IS 'CLV of a customer with covariates: MBG/NBD x Gamma-Gamma of a clv_summary row';
COMMENT ON FUNCTION gamma_gamma_clv(pareto_nbd_model, gamma_gamma_model, float8, float8, float8, float8, float8[], float8[], int, float8, float8) IS 'CLV of a customer with covariates: Pareto/NBD x Gamma-Gamma';
COMMENT ON FUNCTION gamma_gamma_clv(pareto_nbd_model, gamma_gamma_model, clv_customer_summary, float8[], float8[], int, float8) IS 'CLV of a customer with covariates: Pareto/NBD x Gamma-Gamma of a clv_summary row';
COMMENT ON FUNCTION mbgnbd_dert(mbgnbd_model, float8, float8, float8, float8, float8[], float8[]) IS 'MBG/NBD with covariates: DERT of (frequency, recency, t_customer)';
COMMENT ON FUNCTION mbgnbd_dert(mbgnbd_model, float8, clv_customer_summary, float8[], float8[]) IS 'MBG/NBD with covariates: DERT of a clv_summary row';
COMMENT ON FUNCTION mbgnbd_expected_purchases(mbgnbd_model, float8, float8[], float8[]) IS 'MBG/NBD with covariates: expected purchases of a new customer';
COMMENT ON FUNCTION mbgnbd_expected_purchases(mbgnbd_model, float8, float8, float8, float8, float8[], float8[]) IS 'MBG/NBD with covariates: expected purchases of (frequency, recency, t_customer)';
COMMENT ON FUNCTION mbgnbd_expected_purchases(mbgnbd_model, float8, clv_customer_summary, float8[], float8[]) IS 'MBG/NBD with covariates: expected purchases of a clv_summary row';
COMMENT ON FUNCTION mbgnbd_expected_purchases_between(mbgnbd_model, float8, float8, float8, float8, float8, float8[], float8[]) IS 'MBG/NBD with covariates: expected purchases between horizons of (frequency, recency, t_customer)';
COMMENT ON FUNCTION mbgnbd_expected_purchases_between(mbgnbd_model, float8, float8, clv_customer_summary, float8[], float8[]) IS 'MBG/NBD with covariates: expected purchases between horizons of a clv_summary row';
COMMENT ON FUNCTION mbgnbd_p_alive(mbgnbd_model, float8, float8, float8, float8[], float8[]) IS 'MBG/NBD with covariates: P(alive) of (frequency, recency, t_customer)';
COMMENT ON FUNCTION mbgnbd_p_alive(mbgnbd_model, clv_customer_summary, float8[], float8[]) IS 'MBG/NBD with covariates: P(alive) of a clv_summary row';
COMMENT ON FUNCTION mbgnbd_p_alive_at(mbgnbd_model, float8, float8, float8, float8, float8[], float8[]) IS 'MBG/NBD with covariates: P(alive at t_customer + horizon) of (frequency, recency, t_customer)';
COMMENT ON FUNCTION mbgnbd_p_alive_at(mbgnbd_model, float8, clv_customer_summary, float8[], float8[]) IS 'MBG/NBD with covariates: P(alive at t_customer + horizon) of a clv_summary row';
COMMENT ON FUNCTION mbgnbd_prob_n_purchases(mbgnbd_model, float8, float8, float8, float8, float8, float8[], float8[]) IS 'MBG/NBD with covariates: P(n purchases in horizon) of (frequency, recency, t_customer)';
COMMENT ON FUNCTION mbgnbd_prob_n_purchases(mbgnbd_model, float8, float8, clv_customer_summary, float8[], float8[]) IS 'MBG/NBD with covariates: P(n purchases in horizon) of a clv_summary row';
COMMENT ON FUNCTION mbgnbd_prob_no_purchase(mbgnbd_model, float8, float8, float8, float8, float8[], float8[]) IS 'MBG/NBD with covariates: P(no purchase in horizon) of (frequency, recency, t_customer)';
COMMENT ON FUNCTION mbgnbd_prob_no_purchase(mbgnbd_model, float8, clv_customer_summary, float8[], float8[]) IS 'MBG/NBD with covariates: P(no purchase in horizon) of a clv_summary row';
COMMENT ON FUNCTION pareto_nbd_dert(pareto_nbd_model, float8, float8, float8, float8, float8[], float8[]) IS 'Pareto/NBD with covariates: DERT of (frequency, recency, t_customer)';
COMMENT ON FUNCTION pareto_nbd_dert(pareto_nbd_model, float8, clv_customer_summary, float8[], float8[]) IS 'Pareto/NBD with covariates: DERT of a clv_summary row';
COMMENT ON FUNCTION pareto_nbd_expected_purchases(pareto_nbd_model, float8, float8[], float8[]) IS 'Pareto/NBD with covariates: expected purchases of a new customer';
COMMENT ON FUNCTION pareto_nbd_expected_purchases(pareto_nbd_model, float8, float8, float8, float8, float8[], float8[]) IS 'Pareto/NBD with covariates: expected purchases of (frequency, recency, t_customer)';
COMMENT ON FUNCTION pareto_nbd_expected_purchases(pareto_nbd_model, float8, clv_customer_summary, float8[], float8[]) IS 'Pareto/NBD with covariates: expected purchases of a clv_summary row';
COMMENT ON FUNCTION pareto_nbd_expected_purchases_between(pareto_nbd_model, float8, float8, float8, float8, float8, float8[], float8[]) IS 'Pareto/NBD with covariates: expected purchases between horizons of (frequency, recency, t_customer)';
COMMENT ON FUNCTION pareto_nbd_expected_purchases_between(pareto_nbd_model, float8, float8, clv_customer_summary, float8[], float8[]) IS 'Pareto/NBD with covariates: expected purchases between horizons of a clv_summary row';
COMMENT ON FUNCTION pareto_nbd_p_alive(pareto_nbd_model, float8, float8, float8, float8[], float8[]) IS 'Pareto/NBD with covariates: P(alive) of (frequency, recency, t_customer)';
COMMENT ON FUNCTION pareto_nbd_p_alive(pareto_nbd_model, clv_customer_summary, float8[], float8[]) IS 'Pareto/NBD with covariates: P(alive) of a clv_summary row';
COMMENT ON FUNCTION pareto_nbd_p_alive_at(pareto_nbd_model, float8, float8, float8, float8, float8[], float8[]) IS 'Pareto/NBD with covariates: P(alive at t_customer + horizon) of (frequency, recency, t_customer)';
COMMENT ON FUNCTION pareto_nbd_p_alive_at(pareto_nbd_model, float8, clv_customer_summary, float8[], float8[]) IS 'Pareto/NBD with covariates: P(alive at t_customer + horizon) of a clv_summary row';
COMMENT ON FUNCTION pareto_nbd_prob_n_purchases(pareto_nbd_model, float8, float8, float8, float8, float8, float8[], float8[]) IS 'Pareto/NBD with covariates: P(n purchases in horizon) of (frequency, recency, t_customer)';
COMMENT ON FUNCTION pareto_nbd_prob_n_purchases(pareto_nbd_model, float8, float8, clv_customer_summary, float8[], float8[]) IS 'Pareto/NBD with covariates: P(n purchases in horizon) of a clv_summary row';
COMMENT ON FUNCTION pareto_nbd_prob_no_purchase(pareto_nbd_model, float8, float8, float8, float8, float8[], float8[]) IS 'Pareto/NBD with covariates: P(no purchase in horizon) of (frequency, recency, t_customer)';
COMMENT ON FUNCTION pareto_nbd_prob_no_purchase(pareto_nbd_model, float8, clv_customer_summary, float8[], float8[]) IS 'Pareto/NBD with covariates: P(no purchase in horizon) of a clv_summary row';
-- ==== end covar ====

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
-- ==== covint (issue 14): intervals for customers of covariate models (docs/intervals.md) ====
-- The interval functions with the customer's purchase_covariates and dropout_covariates
-- right after the customer's data, as the point predictions take them: each draw is one
-- joint normal draw of (r, alpha, s|a, beta|b, coefficients) from the fit's covariance
-- (the first four on the log scale), turned into the customer's parameters.
CREATE FUNCTION bgnbd_expected_purchases_interval(model bgnbd_model, horizon float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[],
    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'bgnbd_expected_purchases_interval_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_expected_purchases_interval(model bgnbd_model, horizon float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[],
    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'bgnbd_expected_purchases_interval_summary_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_expected_purchases_new_interval(model bgnbd_model, horizon float8, purchase_covariates float8[], dropout_covariates float8[],
    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'bgnbd_expected_purchases_new_interval_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_p_alive_interval(model bgnbd_model, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[],
    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'bgnbd_p_alive_interval_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_p_alive_interval(model bgnbd_model, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[],
    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'bgnbd_p_alive_interval_summary_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv_interval(bg bgnbd_model, gg gamma_gamma_model, frequency float8, recency float8, t_customer float8, monetary_value float8, purchase_covariates float8[], dropout_covariates float8[],
    months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01, unit_days float8 DEFAULT NULL, level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'gamma_gamma_clv_interval_cov' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv_interval(bg bgnbd_model, gg gamma_gamma_model, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[],
    months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01, level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'gamma_gamma_clv_interval_summary_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_expected_purchases_interval(model mbgnbd_model, horizon float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[],
    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'mbgnbd_expected_purchases_interval_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_expected_purchases_interval(model mbgnbd_model, horizon float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[],
    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'mbgnbd_expected_purchases_interval_summary_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_expected_purchases_new_interval(model mbgnbd_model, horizon float8, purchase_covariates float8[], dropout_covariates float8[],
    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'mbgnbd_expected_purchases_new_interval_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_p_alive_interval(model mbgnbd_model, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[],
    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'mbgnbd_p_alive_interval_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_p_alive_interval(model mbgnbd_model, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[],
    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'mbgnbd_p_alive_interval_summary_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv_interval(model mbgnbd_model, gg gamma_gamma_model, frequency float8, recency float8, t_customer float8, monetary_value float8, purchase_covariates float8[], dropout_covariates float8[],
    months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01, unit_days float8 DEFAULT NULL, level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'gamma_gamma_clv_interval_mbgnbd_cov' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv_interval(model mbgnbd_model, gg gamma_gamma_model, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[],
    months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01, level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'gamma_gamma_clv_interval_mbgnbd_summary_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_expected_purchases_interval(model pareto_nbd_model, horizon float8, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[],
    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'pareto_expected_purchases_interval_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_expected_purchases_interval(model pareto_nbd_model, horizon float8, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[],
    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'pareto_expected_purchases_interval_summary_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_expected_purchases_new_interval(model pareto_nbd_model, horizon float8, purchase_covariates float8[], dropout_covariates float8[],
    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'pareto_expected_purchases_new_interval_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_p_alive_interval(model pareto_nbd_model, frequency float8, recency float8, t_customer float8, purchase_covariates float8[], dropout_covariates float8[],
    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'pareto_p_alive_interval_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_p_alive_interval(model pareto_nbd_model, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[],
    level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'pareto_p_alive_interval_summary_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv_interval(model pareto_nbd_model, gg gamma_gamma_model, frequency float8, recency float8, t_customer float8, monetary_value float8, purchase_covariates float8[], dropout_covariates float8[],
    months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01, unit_days float8 DEFAULT NULL, level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'gamma_gamma_clv_interval_pareto_cov' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv_interval(model pareto_nbd_model, gg gamma_gamma_model, summary clv_customer_summary, purchase_covariates float8[], dropout_covariates float8[],
    months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01, level float8 DEFAULT 0.9, draws int DEFAULT 1000, seed int DEFAULT 1)
    RETURNS clv_interval AS 'MODULE_PATHNAME', 'gamma_gamma_clv_interval_pareto_summary_cov' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON FUNCTION bgnbd_expected_purchases_interval(bgnbd_model, float8, float8, float8, float8, float8[], float8[], float8, int, int) IS 'BG/NBD expected purchases of a covariate model''s customer in the horizon, with its interval (all parameters drawn)';
COMMENT ON FUNCTION bgnbd_expected_purchases_interval(bgnbd_model, float8, clv_customer_summary, float8[], float8[], float8, int, int) IS 'BG/NBD expected purchases of a clv_summary row''s customer of a covariate model, with its interval; units checked';
COMMENT ON FUNCTION bgnbd_expected_purchases_new_interval(bgnbd_model, float8, float8[], float8[], float8, int, int) IS 'BG/NBD expected purchases of a new customer with these covariates in (0, horizon], with its interval';
COMMENT ON FUNCTION bgnbd_p_alive_interval(bgnbd_model, float8, float8, float8, float8[], float8[], float8, int, int) IS 'BG/NBD P(alive) of a covariate model''s customer, with its interval (draws of all parameters)';
COMMENT ON FUNCTION bgnbd_p_alive_interval(bgnbd_model, clv_customer_summary, float8[], float8[], float8, int, int) IS 'BG/NBD P(alive) of a clv_summary row''s customer of a covariate model, with its interval; units checked';
COMMENT ON FUNCTION gamma_gamma_clv_interval(bgnbd_model, gamma_gamma_model, float8, float8, float8, float8, float8[], float8[], int, float8, float8, float8, int, int) IS 'CLV over months (30 days): BG/NBD with covariates x Gamma-Gamma, discounted, with its interval';
COMMENT ON FUNCTION gamma_gamma_clv_interval(bgnbd_model, gamma_gamma_model, clv_customer_summary, float8[], float8[], int, float8, float8, int, int) IS 'CLV of a clv_summary row''s customer: BG/NBD with covariates x Gamma-Gamma, with its interval; units checked';
COMMENT ON FUNCTION mbgnbd_expected_purchases_interval(mbgnbd_model, float8, float8, float8, float8, float8[], float8[], float8, int, int) IS 'MBG/NBD expected purchases of a covariate model''s customer in the horizon, with its interval (all parameters drawn)';
COMMENT ON FUNCTION mbgnbd_expected_purchases_interval(mbgnbd_model, float8, clv_customer_summary, float8[], float8[], float8, int, int) IS 'MBG/NBD expected purchases of a clv_summary row''s customer of a covariate model, with its interval; units checked';
COMMENT ON FUNCTION mbgnbd_expected_purchases_new_interval(mbgnbd_model, float8, float8[], float8[], float8, int, int) IS 'MBG/NBD expected purchases of a new customer with these covariates in (0, horizon], with its interval';
COMMENT ON FUNCTION mbgnbd_p_alive_interval(mbgnbd_model, float8, float8, float8, float8[], float8[], float8, int, int) IS 'MBG/NBD P(alive) of a covariate model''s customer, with its interval (draws of all parameters)';
COMMENT ON FUNCTION mbgnbd_p_alive_interval(mbgnbd_model, clv_customer_summary, float8[], float8[], float8, int, int) IS 'MBG/NBD P(alive) of a clv_summary row''s customer of a covariate model, with its interval; units checked';
COMMENT ON FUNCTION gamma_gamma_clv_interval(mbgnbd_model, gamma_gamma_model, float8, float8, float8, float8, float8[], float8[], int, float8, float8, float8, int, int) IS 'CLV over months (30 days): MBG/NBD with covariates x Gamma-Gamma, discounted, with its interval';
COMMENT ON FUNCTION gamma_gamma_clv_interval(mbgnbd_model, gamma_gamma_model, clv_customer_summary, float8[], float8[], int, float8, float8, int, int) IS 'CLV of a clv_summary row''s customer: MBG/NBD with covariates x Gamma-Gamma, with its interval; units checked';
COMMENT ON FUNCTION pareto_nbd_expected_purchases_interval(pareto_nbd_model, float8, float8, float8, float8, float8[], float8[], float8, int, int) IS 'Pareto/NBD expected purchases of a covariate model''s customer in the horizon, with its interval (all parameters drawn)';
COMMENT ON FUNCTION pareto_nbd_expected_purchases_interval(pareto_nbd_model, float8, clv_customer_summary, float8[], float8[], float8, int, int) IS 'Pareto/NBD expected purchases of a clv_summary row''s customer of a covariate model, with its interval; units checked';
COMMENT ON FUNCTION pareto_nbd_expected_purchases_new_interval(pareto_nbd_model, float8, float8[], float8[], float8, int, int) IS 'Pareto/NBD expected purchases of a new customer with these covariates in (0, horizon], with its interval';
COMMENT ON FUNCTION pareto_nbd_p_alive_interval(pareto_nbd_model, float8, float8, float8, float8[], float8[], float8, int, int) IS 'Pareto/NBD P(alive) of a covariate model''s customer, with its interval (draws of all parameters)';
COMMENT ON FUNCTION pareto_nbd_p_alive_interval(pareto_nbd_model, clv_customer_summary, float8[], float8[], float8, int, int) IS 'Pareto/NBD P(alive) of a clv_summary row''s customer of a covariate model, with its interval; units checked';
COMMENT ON FUNCTION gamma_gamma_clv_interval(pareto_nbd_model, gamma_gamma_model, float8, float8, float8, float8, float8[], float8[], int, float8, float8, float8, int, int) IS 'CLV over months (30 days): Pareto/NBD with covariates x Gamma-Gamma, discounted, with its interval';
COMMENT ON FUNCTION gamma_gamma_clv_interval(pareto_nbd_model, gamma_gamma_model, clv_customer_summary, float8[], float8[], int, float8, float8, int, int) IS 'CLV of a clv_summary row''s customer: Pareto/NBD with covariates x Gamma-Gamma, with its interval; units checked';
-- ==== end covint ====


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
