-- clv 0.1: customer lifetime value in SQL.
-- Every object is created in the extension's schema; SQL bodies qualify what they call
-- with @extschema@, so the script and the functions do not depend on search_path.

\echo Use "CREATE EXTENSION clv" to load this file. \quit

------------------------------------------------------------------------------------------
-- Shared state support of the fit aggregates (internal: weighted distinct rows)
------------------------------------------------------------------------------------------

CREATE FUNCTION clv_rowset_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION clv_rowset_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION clv_rowset_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

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

------------------------------------------------------------------------------------------
-- BG/NBD
------------------------------------------------------------------------------------------

CREATE TYPE bgnbd_model AS (
    r               float8,
    alpha           float8,
    a               float8,
    b               float8,
    log_likelihood  float8,
    n_customers     bigint,
    iterations      int,
    converged       bool
);

CREATE FUNCTION bgnbd_fit_trans(internal, float8, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION bgnbd_fit_final(internal) RETURNS bgnbd_model
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE bgnbd_fit(frequency float8, recency float8, t float8) (
    SFUNC = bgnbd_fit_trans, STYPE = internal,
    FINALFUNC = bgnbd_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_rowset_combine,
    SERIALFUNC = clv_rowset_serialize, DESERIALFUNC = clv_rowset_deserialize,
    PARALLEL = SAFE
);

CREATE FUNCTION bgnbd_expected_purchases(model bgnbd_model, t float8, frequency float8,
                                         recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_expected_purchases'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_expected_purchases(model bgnbd_model, t float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_expected_purchases_new'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_p_alive(model bgnbd_model, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_p_alive'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

------------------------------------------------------------------------------------------
-- Gamma-Gamma spend model and CLV
------------------------------------------------------------------------------------------

CREATE TYPE gamma_gamma_model AS (
    p               float8,
    q               float8,
    gamma           float8,
    log_likelihood  float8,
    n_customers     bigint,
    iterations      int,
    converged       bool
);

CREATE FUNCTION gamma_gamma_fit_trans(internal, float8, float8) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_fit_final(internal) RETURNS gamma_gamma_model
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE gamma_gamma_fit(frequency float8, monetary_value float8) (
    SFUNC = gamma_gamma_fit_trans, STYPE = internal,
    FINALFUNC = gamma_gamma_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_rowset_combine,
    SERIALFUNC = clv_rowset_serialize, DESERIALFUNC = clv_rowset_deserialize,
    PARALLEL = SAFE
);

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
