-- clv 0.1: customer lifetime value in SQL.
-- Every object is created in the extension's schema; SQL bodies qualify what they call
-- with @extschema@, so the script and the functions do not depend on search_path.

\echo Use "CREATE EXTENSION clv" to load this file. \quit

------------------------------------------------------------------------------------------
-- Shared state of the fit aggregates: weighted distinct rows in a bytea (not internal,
-- so that every Citus release can push the partial aggregation down), grown in place as
-- an expanded object while aggregating.
------------------------------------------------------------------------------------------

CREATE FUNCTION clv_rowset_combine(bytea, bytea) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

------------------------------------------------------------------------------------------
-- clv_summary: transactions -> (frequency, recency, t, monetary_value)
------------------------------------------------------------------------------------------

CREATE TYPE clv_customer_summary AS (
    frequency       int,
    recency         float8,
    t               float8,
    monetary_value  float8,
    first_purchase  timestamptz,
    last_purchase   timestamptz
);

-- STABLE: a purchase's calendar day depends on the session's TimeZone.
CREATE FUNCTION clv_summary_trans(internal, timestamptz, float8, timestamptz)
    RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION clv_summary_trans(internal, timestamptz, float8, timestamptz, text)
    RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION clv_summary_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION clv_summary_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_summary_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_summary_final(internal) RETURNS clv_customer_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE clv_summary(txn_time timestamptz, amount float8, observation_end timestamptz) (
    SFUNC = clv_summary_trans, STYPE = internal,
    FINALFUNC = clv_summary_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_summary_combine,
    SERIALFUNC = clv_summary_serialize, DESERIALFUNC = clv_summary_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE clv_summary(txn_time timestamptz, amount float8, observation_end timestamptz, unit text) (
    SFUNC = clv_summary_trans, STYPE = internal,
    FINALFUNC = clv_summary_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_summary_combine,
    SERIALFUNC = clv_summary_serialize, DESERIALFUNC = clv_summary_deserialize,
    PARALLEL = SAFE
);

-- clv_summary_holdout: the calibration summary plus the holdout period's figures.
CREATE TYPE clv_holdout_summary AS (
    frequency               int,
    recency                 float8,
    t                       float8,
    monetary_value          float8,
    first_purchase          timestamptz,
    last_purchase           timestamptz,
    holdout_frequency       int,
    holdout_monetary_value  float8,
    holdout_length          float8
);

CREATE FUNCTION clv_summary_holdout_trans(internal, timestamptz, float8, timestamptz, timestamptz)
    RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION clv_summary_holdout_trans(internal, timestamptz, float8, timestamptz, timestamptz, text)
    RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION clv_summary_holdout_final(internal) RETURNS clv_holdout_summary
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE clv_summary_holdout(txn_time timestamptz, amount float8,
                                     calibration_end timestamptz, observation_end timestamptz) (
    SFUNC = clv_summary_holdout_trans, STYPE = internal,
    FINALFUNC = clv_summary_holdout_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_summary_combine,
    SERIALFUNC = clv_summary_serialize, DESERIALFUNC = clv_summary_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE clv_summary_holdout(txn_time timestamptz, amount float8,
                                     calibration_end timestamptz, observation_end timestamptz, unit text) (
    SFUNC = clv_summary_holdout_trans, STYPE = internal,
    FINALFUNC = clv_summary_holdout_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_summary_combine,
    SERIALFUNC = clv_summary_serialize, DESERIALFUNC = clv_summary_deserialize,
    PARALLEL = SAFE
);

------------------------------------------------------------------------------------------
-- Holdout evaluation
------------------------------------------------------------------------------------------

CREATE TYPE clv_holdout_metrics AS (
    n                bigint,
    mae              float8,
    rmse             float8,
    bias             float8,   -- mean(predicted - actual)
    correlation      float8,
    predicted_total  float8,
    actual_total     float8
);
CREATE FUNCTION clv_holdout_eval_trans(float8[], float8, float8) RETURNS float8[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_holdout_eval_combine(float8[], float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_holdout_eval_final(float8[]) RETURNS clv_holdout_metrics
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE clv_holdout_eval(predicted float8, actual float8) (
    SFUNC = clv_holdout_eval_trans, STYPE = float8[], INITCOND = '{0,0,0,0,0,0,0,0}',
    FINALFUNC = clv_holdout_eval_final, COMBINEFUNC = clv_holdout_eval_combine,
    PARALLEL = SAFE
);

CREATE TYPE clv_frequency_bin AS (
    frequency  int,      -- calibration frequency; the last bin holds max_frequency and more
    customers  bigint,
    predicted  float8,   -- mean predicted holdout purchases
    actual     float8    -- mean actual holdout purchases
);
CREATE FUNCTION clv_holdout_bins_trans(float8[], int, float8, float8, int) RETURNS float8[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_holdout_bins_combine(float8[], float8[]) RETURNS float8[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_holdout_bins_final(float8[]) RETURNS clv_frequency_bin[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE AGGREGATE clv_holdout_by_frequency(frequency int, predicted float8, actual float8,
                                          max_frequency int) (
    SFUNC = clv_holdout_bins_trans, STYPE = float8[], INITCOND = '{}',
    FINALFUNC = clv_holdout_bins_final, COMBINEFUNC = clv_holdout_bins_combine,
    PARALLEL = SAFE
);

------------------------------------------------------------------------------------------
-- Purchase models: BG/NBD, MBG/NBD, Pareto/NBD (continuous time), BG/BB (discrete time)
-- Each model type: parameters, log_likelihood, n_customers, iterations, converged, and the
-- standard errors of the parameters (NULL when the Hessian is not positive definite).
------------------------------------------------------------------------------------------

CREATE TYPE bgnbd_model AS (
    r float8, alpha float8, a float8, b float8,
    log_likelihood float8, n_customers bigint, iterations int, converged bool,
    r_se float8, alpha_se float8, a_se float8, b_se float8
);
CREATE TYPE mbgnbd_model AS (
    r float8, alpha float8, a float8, b float8,
    log_likelihood float8, n_customers bigint, iterations int, converged bool,
    r_se float8, alpha_se float8, a_se float8, b_se float8
);
CREATE TYPE pareto_nbd_model AS (
    r float8, alpha float8, s float8, beta float8,
    log_likelihood float8, n_customers bigint, iterations int, converged bool,
    r_se float8, alpha_se float8, s_se float8, beta_se float8
);
CREATE TYPE bgbb_model AS (
    alpha float8, beta float8, gamma float8, delta float8,
    log_likelihood float8, n_customers bigint, iterations int, converged bool,
    alpha_se float8, beta_se float8, gamma_se float8, delta_se float8
);

-- Transition functions depend on their arguments only; IMMUTABLE is truthful.
CREATE FUNCTION btyd_fit_trans(bytea, float8, float8, float8) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION btyd_fit_trans(bytea, float8, float8, float8, float8) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bgnbd_fit_final(bytea) RETURNS bgnbd_model
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION mbgnbd_fit_final(bytea) RETURNS mbgnbd_model
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_fit_final(bytea) RETURNS pareto_nbd_model
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bgbb_fit_trans(bytea, float8, float8, float8) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bgbb_fit_trans(bytea, float8, float8, float8, float8) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bgbb_fit_trans(bytea, float8, float8, float8, float8, float8) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bgbb_fit_final(bytea) RETURNS bgbb_model
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE bgnbd_fit(frequency float8, recency float8, t float8) (
    SFUNC = btyd_fit_trans, STYPE = bytea,
    FINALFUNC = bgnbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_rowset_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE bgnbd_fit(frequency float8, recency float8, t float8, penalizer float8) (
    SFUNC = btyd_fit_trans, STYPE = bytea,
    FINALFUNC = bgnbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_rowset_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE mbgnbd_fit(frequency float8, recency float8, t float8) (
    SFUNC = btyd_fit_trans, STYPE = bytea,
    FINALFUNC = mbgnbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_rowset_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE mbgnbd_fit(frequency float8, recency float8, t float8, penalizer float8) (
    SFUNC = btyd_fit_trans, STYPE = bytea,
    FINALFUNC = mbgnbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_rowset_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE pareto_nbd_fit(frequency float8, recency float8, t float8) (
    SFUNC = btyd_fit_trans, STYPE = bytea,
    FINALFUNC = pareto_nbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_rowset_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE pareto_nbd_fit(frequency float8, recency float8, t float8, penalizer float8) (
    SFUNC = btyd_fit_trans, STYPE = bytea,
    FINALFUNC = pareto_nbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_rowset_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE bgbb_fit(frequency float8, recency float8, n_periods float8) (
    SFUNC = bgbb_fit_trans, STYPE = bytea,
    FINALFUNC = bgbb_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_rowset_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE bgbb_fit(frequency float8, recency float8, n_periods float8, weight float8) (
    SFUNC = bgbb_fit_trans, STYPE = bytea,
    FINALFUNC = bgbb_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_rowset_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE bgbb_fit(frequency float8, recency float8, n_periods float8, weight float8, penalizer float8) (
    SFUNC = bgbb_fit_trans, STYPE = bytea,
    FINALFUNC = bgbb_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_rowset_combine,
    PARALLEL = SAFE
);

CREATE FUNCTION bgnbd_expected_purchases(model bgnbd_model, t float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_expected_purchases'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_expected_purchases(model bgnbd_model, t float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_expected_purchases_new'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_p_alive(model bgnbd_model, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_p_alive'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_expected_purchases(model mbgnbd_model, t float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_expected_purchases'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_expected_purchases(model mbgnbd_model, t float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_expected_purchases_new'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_p_alive(model mbgnbd_model, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_p_alive'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_expected_purchases(model pareto_nbd_model, t float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'pareto_expected_purchases'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_expected_purchases(model pareto_nbd_model, t float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'pareto_expected_purchases_new'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_p_alive(model pareto_nbd_model, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'pareto_p_alive'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgbb_expected_purchases(model bgbb_model, n_periods_ahead float8, frequency float8, recency float8, n_periods float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgbb_expected_purchases'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgbb_expected_purchases(model bgbb_model, n_periods_ahead float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgbb_expected_purchases_new'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgbb_p_alive(model bgbb_model, frequency float8, recency float8, n_periods float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgbb_p_alive'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
-- Models from known parameters (published values, a stored fit), e.g. bgnbd_model(0.243, 4.414, 0.793, 2.426):
-- the fit statistics are NULL.
CREATE FUNCTION bgnbd_model(r float8, alpha float8, a float8, b float8) RETURNS bgnbd_model
    AS 'MODULE_PATHNAME', 'clv_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_model(r float8, alpha float8, a float8, b float8) RETURNS mbgnbd_model
    AS 'MODULE_PATHNAME', 'clv_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_model(r float8, alpha float8, s float8, beta float8) RETURNS pareto_nbd_model
    AS 'MODULE_PATHNAME', 'clv_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgbb_model(alpha float8, beta float8, gamma float8, delta float8) RETURNS bgbb_model
    AS 'MODULE_PATHNAME', 'clv_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION bgnbd_prob_n_purchases(model bgnbd_model, t float8, n float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_prob_n_purchases'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_prob_n_purchases(model pareto_nbd_model, t float8, n float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'pareto_prob_n_purchases'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

------------------------------------------------------------------------------------------
-- Gamma-Gamma spend model and CLV
------------------------------------------------------------------------------------------

CREATE TYPE gamma_gamma_model AS (
    p float8, q float8, gamma float8,
    log_likelihood float8, n_customers bigint, iterations int, converged bool,
    p_se float8, q_se float8, gamma_se float8
);

CREATE FUNCTION gamma_gamma_fit_trans(bytea, float8, float8) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_fit_trans(bytea, float8, float8, float8) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_fit_final(bytea) RETURNS gamma_gamma_model
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE gamma_gamma_fit(frequency float8, monetary_value float8) (
    SFUNC = gamma_gamma_fit_trans, STYPE = bytea,
    FINALFUNC = gamma_gamma_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_rowset_combine,
    PARALLEL = SAFE
);
CREATE AGGREGATE gamma_gamma_fit(frequency float8, monetary_value float8, penalizer float8) (
    SFUNC = gamma_gamma_fit_trans, STYPE = bytea,
    FINALFUNC = gamma_gamma_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_rowset_combine,
    PARALLEL = SAFE
);

CREATE FUNCTION gamma_gamma_model(p float8, q float8, gamma float8) RETURNS gamma_gamma_model
    AS 'MODULE_PATHNAME', 'clv_model_construct' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION gamma_gamma_expected_spend(model gamma_gamma_model, frequency float8,
                                           monetary_value float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'gamma_gamma_expected_spend'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION gamma_gamma_clv(bg bgnbd_model, gg gamma_gamma_model, frequency float8,
                                recency float8, t float8, monetary_value float8,
                                months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01,
                                unit_days float8 DEFAULT 1)
    RETURNS float8 AS 'MODULE_PATHNAME', 'gamma_gamma_clv'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

------------------------------------------------------------------------------------------
-- Business analytics: historical CLV, A/B tests, regression CLV, concentration, pricing
------------------------------------------------------------------------------------------

-- historical_clv: realised value per customer. STABLE: lifespan is in calendar days of
-- the session's TimeZone.
CREATE TYPE historical_clv_result AS (
    total_spend         float8,
    n_transactions      bigint,
    avg_purchase_value  float8,
    purchase_frequency  float8,
    lifespan_days       int,
    clv                 float8
);

CREATE FUNCTION historical_clv_trans(internal, timestamptz, float8) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION historical_clv_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION historical_clv_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION historical_clv_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION historical_clv_final(internal) RETURNS historical_clv_result
    AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;

CREATE AGGREGATE historical_clv(txn_time timestamptz, amount float8) (
    SFUNC = historical_clv_trans, STYPE = internal,
    FINALFUNC = historical_clv_final,
    COMBINEFUNC = historical_clv_combine,
    SERIALFUNC = historical_clv_serialize, DESERIALFUNC = historical_clv_deserialize,
    PARALLEL = SAFE
);

-- A/B tests. ab_assign: SipHash-2-4 of experiment || 0x00 || subject, reduced to
-- 1..variants without modulo bias.
CREATE FUNCTION ab_assign(subject text, experiment text, variants int DEFAULT 2)
    RETURNS int AS 'MODULE_PATHNAME', 'ab_assign'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION ab_sample_size(baseline_rate float8, minimum_detectable_effect float8,
                               alpha float8 DEFAULT 0.05, power float8 DEFAULT 0.8)
    RETURNS bigint AS 'MODULE_PATHNAME', 'ab_sample_size'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE ab_proportion_result AS (
    control         text,
    treatment       text,
    n_control       bigint,
    n_treatment     bigint,
    rate_control    float8,
    rate_treatment  float8,
    abs_lift        float8,
    rel_lift        float8,
    z               float8,
    p_value         float8,
    ci_low          float8,
    ci_high         float8
);

CREATE TYPE ab_mean_result AS (
    control         text,
    treatment       text,
    n_control       bigint,
    n_treatment     bigint,
    mean_control    float8,
    mean_treatment  float8,
    diff            float8,
    rel_lift        float8,
    t               float8,
    df              float8,
    p_value         float8,
    ci_low          float8,
    ci_high         float8
);

CREATE FUNCTION ab_test_prop_trans(internal, text, bool) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ab_test_mean_trans(internal, text, float8) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ab_test_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ab_test_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ab_test_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ab_proportion_test_final(internal) RETURNS ab_proportion_result
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ab_mean_test_final(internal) RETURNS ab_mean_result
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE ab_proportion_test(variant text, converted bool) (
    SFUNC = ab_test_prop_trans, STYPE = internal,
    FINALFUNC = ab_proportion_test_final,
    COMBINEFUNC = ab_test_combine,
    SERIALFUNC = ab_test_serialize, DESERIALFUNC = ab_test_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE ab_mean_test(variant text, value float8) (
    SFUNC = ab_test_mean_trans, STYPE = internal,
    FINALFUNC = ab_mean_test_final,
    COMBINEFUNC = ab_test_combine,
    SERIALFUNC = ab_test_serialize, DESERIALFUNC = ab_test_deserialize,
    PARALLEL = SAFE
);

-- Regression CLV: OLS with intercept from mergeable co-moments.
CREATE TYPE linreg_model AS (
    coefficients    float8[],
    std_errors      float8[],
    t_values        float8[],
    p_values        float8[],
    r2              float8,
    adj_r2          float8,
    n               bigint,
    rank            int,
    sigma           float8,
    df_residual     bigint
);

CREATE FUNCTION linreg_fit_trans(internal, float8, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION linreg_fit_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION linreg_fit_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION linreg_fit_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION linreg_fit_final(internal) RETURNS linreg_model
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE linreg_fit(y float8, x float8[]) (
    SFUNC = linreg_fit_trans, STYPE = internal,
    FINALFUNC = linreg_fit_final,
    COMBINEFUNC = linreg_fit_combine,
    SERIALFUNC = linreg_fit_serialize, DESERIALFUNC = linreg_fit_deserialize,
    PARALLEL = SAFE
);

CREATE FUNCTION linreg_predict(model linreg_model, x float8[])
    RETURNS float8 AS 'MODULE_PATHNAME', 'linreg_predict'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE regression_metrics_result AS (
    n       bigint,
    mae     float8,
    mse     float8,
    rmse    float8,
    r2      float8
);

CREATE FUNCTION regression_metrics_trans(internal, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION regression_metrics_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION regression_metrics_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION regression_metrics_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION regression_metrics_final(internal) RETURNS regression_metrics_result
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE regression_metrics(actual float8, predicted float8) (
    SFUNC = regression_metrics_trans, STYPE = internal,
    FINALFUNC = regression_metrics_final,
    COMBINEFUNC = regression_metrics_combine,
    SERIALFUNC = regression_metrics_serialize, DESERIALFUNC = regression_metrics_deserialize,
    PARALLEL = SAFE
);

-- Concentration: the state is every value (8 bytes a row), sorted by the final function.
CREATE FUNCTION clv_values_trans(internal, float8) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION clv_values_share_trans(internal, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION clv_values_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION clv_values_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_values_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION gini_final(internal) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION top_share_final(internal) RETURNS float8
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE gini(amount float8) (
    SFUNC = clv_values_trans, STYPE = internal,
    FINALFUNC = gini_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_values_combine,
    SERIALFUNC = clv_values_serialize, DESERIALFUNC = clv_values_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE top_share(amount float8, fraction float8) (
    SFUNC = clv_values_share_trans, STYPE = internal,
    FINALFUNC = top_share_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_values_combine,
    SERIALFUNC = clv_values_serialize, DESERIALFUNC = clv_values_deserialize,
    PARALLEL = SAFE
);

-- Segment pricing: rules are data (jsonb), validated on every call.
CREATE FUNCTION segment_price(base_price numeric, segment text,
                              rules jsonb DEFAULT '{"High-Value": {"discount": 0.10}}')
    RETURNS numeric AS 'MODULE_PATHNAME', 'segment_price'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

------------------------------------------------------------------------------------------
-- Segmentation: RFM and k-means
------------------------------------------------------------------------------------------

-- Window functions below rank or cluster the whole partition, whatever the window's
-- ORDER BY or frame: the result is a function of the partition's multiset of inputs, so
-- they are IMMUTABLE like ntile(). They handle NULL rows themselves (not STRICT).

CREATE TYPE rfm AS (
    r        int,
    f        int,
    m        int,
    score    text,
    segment  text
);

CREATE FUNCTION rfm_score(recency_days float8, frequency float8, monetary float8,
                          bins int DEFAULT 5)
    RETURNS rfm AS 'MODULE_PATHNAME', 'rfm_score'
    LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION value_tier(monetary float8, low_cut float8 DEFAULT 0.2,
                           high_cut float8 DEFAULT 0.8)
    RETURNS text AS 'MODULE_PATHNAME', 'value_tier'
    LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION rfm_segment(r int, f int, m int)
    RETURNS text AS 'MODULE_PATHNAME', 'rfm_segment'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE TYPE kmeans_model AS (
    k           int,
    centroids   float8[],   -- k x d, in the scaled space distances are measured in
    centers     float8[],   -- k x d, the same centroids mapped back to input units
    scaling     text,
    shift       float8[],   -- per feature: subtracted after log1p (log_zscore)
    scale       float8[],   -- per feature: divided by after the shift
    inertia     float8,
    iterations  int,
    converged   bool,
    n           bigint
);

CREATE FUNCTION kmeans_segment(features float8[], k int, seed int DEFAULT 42,
                               scaling text DEFAULT 'zscore')
    RETURNS int AS 'MODULE_PATHNAME', 'kmeans_segment'
    LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;

-- One state (the feature rows) for kmeans_fit, kmeans_elbow and kmeans_silhouette; the
-- final functions only read it, so one query can share it between them.
CREATE FUNCTION kmeans_trans(internal, float8[], int) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kmeans_trans(internal, float8[], int, int) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kmeans_trans(internal, float8[], int, int, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kmeans_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kmeans_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmeans_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION kmeans_fit_final(internal) RETURNS kmeans_model
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kmeans_elbow_final(internal) RETURNS float8[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION kmeans_silhouette_final(internal) RETURNS float8[]
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- CREATE AGGREGATE has no DEFAULT arguments: one aggregate per argument list.
CREATE AGGREGATE kmeans_fit(features float8[], k int) (
    SFUNC = kmeans_trans, STYPE = internal, FINALFUNC = kmeans_fit_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = kmeans_combine,
    SERIALFUNC = kmeans_serialize, DESERIALFUNC = kmeans_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE kmeans_fit(features float8[], k int, seed int) (
    SFUNC = kmeans_trans, STYPE = internal, FINALFUNC = kmeans_fit_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = kmeans_combine,
    SERIALFUNC = kmeans_serialize, DESERIALFUNC = kmeans_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE kmeans_fit(features float8[], k int, seed int, scaling text) (
    SFUNC = kmeans_trans, STYPE = internal, FINALFUNC = kmeans_fit_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = kmeans_combine,
    SERIALFUNC = kmeans_serialize, DESERIALFUNC = kmeans_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE kmeans_elbow(features float8[], k_max int) (
    SFUNC = kmeans_trans, STYPE = internal, FINALFUNC = kmeans_elbow_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = kmeans_combine,
    SERIALFUNC = kmeans_serialize, DESERIALFUNC = kmeans_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE kmeans_elbow(features float8[], k_max int, seed int) (
    SFUNC = kmeans_trans, STYPE = internal, FINALFUNC = kmeans_elbow_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = kmeans_combine,
    SERIALFUNC = kmeans_serialize, DESERIALFUNC = kmeans_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE kmeans_elbow(features float8[], k_max int, seed int, scaling text) (
    SFUNC = kmeans_trans, STYPE = internal, FINALFUNC = kmeans_elbow_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = kmeans_combine,
    SERIALFUNC = kmeans_serialize, DESERIALFUNC = kmeans_deserialize, PARALLEL = SAFE);

CREATE AGGREGATE kmeans_silhouette(features float8[], k_max int) (
    SFUNC = kmeans_trans, STYPE = internal, FINALFUNC = kmeans_silhouette_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = kmeans_combine,
    SERIALFUNC = kmeans_serialize, DESERIALFUNC = kmeans_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE kmeans_silhouette(features float8[], k_max int, seed int) (
    SFUNC = kmeans_trans, STYPE = internal, FINALFUNC = kmeans_silhouette_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = kmeans_combine,
    SERIALFUNC = kmeans_serialize, DESERIALFUNC = kmeans_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE kmeans_silhouette(features float8[], k_max int, seed int, scaling text) (
    SFUNC = kmeans_trans, STYPE = internal, FINALFUNC = kmeans_silhouette_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = kmeans_combine,
    SERIALFUNC = kmeans_serialize, DESERIALFUNC = kmeans_deserialize, PARALLEL = SAFE);

CREATE FUNCTION kmeans_assign(model kmeans_model, features float8[])
    RETURNS int AS 'MODULE_PATHNAME', 'kmeans_assign'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

------------------------------------------------------------------------------------------
-- Charts and reports: SVG 1.1 documents as text (psql \o chart.svg, a web page, a BI tool)
------------------------------------------------------------------------------------------

-- P(alive) or expected purchases of a fitted BG/NBD model over frequency 0..max_frequency
-- and recency 0..t_customer (a heat map with a colour scale).
CREATE FUNCTION clv_svg_frequency_recency(model bgnbd_model, t_customer float8,
                                          metric text DEFAULT 'p_alive',
                                          max_frequency int DEFAULT 20,
                                          horizon float8 DEFAULT 1,
                                          title text DEFAULT 'BG/NBD frequency/recency matrix')
    RETURNS text AS 'MODULE_PATHNAME', 'clv_svg_frequency_recency'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Mean predicted and actual holdout purchases by calibration frequency, from the result
-- of clv_holdout_by_frequency.
CREATE FUNCTION clv_svg_holdout(bins clv_frequency_bin[],
                                title text DEFAULT 'Calibration vs holdout purchases')
    RETURNS text AS 'MODULE_PATHNAME', 'clv_svg_holdout'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Bars by label; the second form draws two series, the second on its own right axis.
CREATE FUNCTION clv_svg_bar_chart(labels text[], "values" float8[],
                                  title text DEFAULT 'Segments', series_name text DEFAULT 'value')
    RETURNS text AS 'MODULE_PATHNAME', 'clv_svg_bar_chart'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_svg_bar_chart(labels text[], "values" float8[], values2 float8[],
                                  title text, series_names text[])
    RETURNS text AS 'MODULE_PATHNAME', 'clv_svg_bar_chart2'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Histogram and Lorenz curve aggregates. State: distinct values with counts, and the
-- group's bins and title (the same on every row).
CREATE FUNCTION clv_chart_agg_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION clv_chart_agg_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_chart_agg_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION clv_svg_histogram_trans(internal, float8) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION clv_svg_histogram_trans(internal, float8, int) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION clv_svg_histogram_trans(internal, float8, int, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION clv_svg_histogram_final(internal) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION clv_svg_lorenz_trans(internal, float8) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION clv_svg_lorenz_trans(internal, float8, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION clv_svg_lorenz_final(internal) RETURNS text
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE clv_svg_histogram(value float8) (
    SFUNC = clv_svg_histogram_trans, STYPE = internal,
    FINALFUNC = clv_svg_histogram_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_chart_agg_combine,
    SERIALFUNC = clv_chart_agg_serialize, DESERIALFUNC = clv_chart_agg_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE clv_svg_histogram(value float8, bins int) (
    SFUNC = clv_svg_histogram_trans, STYPE = internal,
    FINALFUNC = clv_svg_histogram_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_chart_agg_combine,
    SERIALFUNC = clv_chart_agg_serialize, DESERIALFUNC = clv_chart_agg_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE clv_svg_histogram(value float8, bins int, title text) (
    SFUNC = clv_svg_histogram_trans, STYPE = internal,
    FINALFUNC = clv_svg_histogram_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_chart_agg_combine,
    SERIALFUNC = clv_chart_agg_serialize, DESERIALFUNC = clv_chart_agg_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE clv_svg_lorenz(value float8) (
    SFUNC = clv_svg_lorenz_trans, STYPE = internal,
    FINALFUNC = clv_svg_lorenz_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_chart_agg_combine,
    SERIALFUNC = clv_chart_agg_serialize, DESERIALFUNC = clv_chart_agg_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE clv_svg_lorenz(value float8, title text) (
    SFUNC = clv_svg_lorenz_trans, STYPE = internal,
    FINALFUNC = clv_svg_lorenz_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_chart_agg_combine,
    SERIALFUNC = clv_chart_agg_serialize, DESERIALFUNC = clv_chart_agg_deserialize,
    PARALLEL = SAFE
);
