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

-- CLV of every purchase model x Gamma-Gamma, as gamma_gamma_clv(bgnbd_model, ...): months
-- of 30 days, discounted monthly; BG/BB's unit_days is the length of one opportunity.
CREATE FUNCTION gamma_gamma_clv(model mbgnbd_model, gg gamma_gamma_model, frequency float8,
                                recency float8, t_customer float8, monetary_value float8,
                                months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01,
                                unit_days float8 DEFAULT NULL)
    RETURNS float8 AS 'MODULE_PATHNAME', 'gamma_gamma_clv_mbgnbd'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv(model mbgnbd_model, gg gamma_gamma_model, summary clv_customer_summary,
                                months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01)
    RETURNS float8 AS 'MODULE_PATHNAME', 'gamma_gamma_clv_mbgnbd_summary'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv(model pareto_nbd_model, gg gamma_gamma_model, frequency float8,
                                recency float8, t_customer float8, monetary_value float8,
                                months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01,
                                unit_days float8 DEFAULT NULL)
    RETURNS float8 AS 'MODULE_PATHNAME', 'gamma_gamma_clv_pareto'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv(model pareto_nbd_model, gg gamma_gamma_model, summary clv_customer_summary,
                                months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01)
    RETURNS float8 AS 'MODULE_PATHNAME', 'gamma_gamma_clv_pareto_summary'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv(model bgbb_model, gg gamma_gamma_model, frequency float8,
                                recency float8, n_periods float8, monetary_value float8,
                                months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01,
                                unit_days float8 DEFAULT NULL)
    RETURNS float8 AS 'MODULE_PATHNAME', 'gamma_gamma_clv_bgbb'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;
COMMENT ON FUNCTION gamma_gamma_clv(mbgnbd_model, gamma_gamma_model, float8, float8, float8, float8, int, float8, float8) IS 'CLV over months (30 days): MBG/NBD x Gamma-Gamma, discounted monthly';
COMMENT ON FUNCTION gamma_gamma_clv(mbgnbd_model, gamma_gamma_model, clv_customer_summary, int, float8) IS 'CLV over months (30 days) of a clv_summary row''s customer: MBG/NBD x Gamma-Gamma, discounted; units checked';
COMMENT ON FUNCTION gamma_gamma_clv(pareto_nbd_model, gamma_gamma_model, float8, float8, float8, float8, int, float8, float8) IS 'CLV over months (30 days): Pareto/NBD x Gamma-Gamma, discounted monthly';
COMMENT ON FUNCTION gamma_gamma_clv(pareto_nbd_model, gamma_gamma_model, clv_customer_summary, int, float8) IS 'CLV over months (30 days) of a clv_summary row''s customer: Pareto/NBD x Gamma-Gamma, discounted; units checked';
COMMENT ON FUNCTION gamma_gamma_clv(bgbb_model, gamma_gamma_model, float8, float8, float8, float8, int, float8, float8) IS 'CLV over months (30 days): BG/BB x Gamma-Gamma, discounted monthly; unit_days = days per opportunity';

-- The prediction surface of every purchase model: P(alive) at a future time, P(no purchase)
-- and P(n purchases) over the next horizon given the history, expected purchases in a window
-- (t_customer + horizon_start, t_customer + horizon_end], and Pareto/NBD's DERT. BG/BB counts
-- opportunities: n_periods_ahead instead of horizon, n_periods instead of t_customer.
CREATE FUNCTION bgnbd_p_alive_at(model bgnbd_model, horizon float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_p_alive_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_prob_no_purchase(model bgnbd_model, horizon float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_prob_no_purchase' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_prob_n_purchases(model bgnbd_model, horizon float8, n float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_cond_prob_n_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_expected_purchases_between(model bgnbd_model, horizon_start float8, horizon_end float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_expected_purchases_between' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_p_alive_at(model bgnbd_model, horizon float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_p_alive_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_prob_no_purchase(model bgnbd_model, horizon float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_prob_no_purchase' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_prob_n_purchases(model bgnbd_model, horizon float8, n float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_cond_prob_n_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_expected_purchases_between(model bgnbd_model, horizon_start float8, horizon_end float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_expected_purchases_between' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_p_alive_at(model mbgnbd_model, horizon float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_p_alive_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_prob_no_purchase(model mbgnbd_model, horizon float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_prob_no_purchase' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_prob_n_purchases(model mbgnbd_model, horizon float8, n float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_cond_prob_n_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_prob_n_purchases(model mbgnbd_model, horizon float8, n float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_cond_prob_n_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_expected_purchases_between(model mbgnbd_model, horizon_start float8, horizon_end float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_expected_purchases_between' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_p_alive_at(model mbgnbd_model, horizon float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_p_alive_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_prob_no_purchase(model mbgnbd_model, horizon float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_prob_no_purchase' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_prob_n_purchases(model mbgnbd_model, horizon float8, n float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_cond_prob_n_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_expected_purchases_between(model mbgnbd_model, horizon_start float8, horizon_end float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_expected_purchases_between' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_p_alive_at(model pareto_nbd_model, horizon float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'pareto_p_alive_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_prob_no_purchase(model pareto_nbd_model, horizon float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'pareto_prob_no_purchase' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_prob_n_purchases(model pareto_nbd_model, horizon float8, n float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'pareto_cond_prob_n_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_expected_purchases_between(model pareto_nbd_model, horizon_start float8, horizon_end float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'pareto_expected_purchases_between' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_p_alive_at(model pareto_nbd_model, horizon float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'pareto_p_alive_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_prob_no_purchase(model pareto_nbd_model, horizon float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'pareto_prob_no_purchase' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_prob_n_purchases(model pareto_nbd_model, horizon float8, n float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'pareto_cond_prob_n_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_expected_purchases_between(model pareto_nbd_model, horizon_start float8, horizon_end float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'pareto_expected_purchases_between' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgbb_p_alive_at(model bgbb_model, n_periods_ahead float8, frequency float8, recency float8, n_periods float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgbb_p_alive_at' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgbb_prob_no_purchase(model bgbb_model, n_periods_ahead float8, frequency float8, recency float8, n_periods float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgbb_prob_no_purchase' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgbb_prob_n_purchases(model bgbb_model, n_periods_ahead float8, n float8, frequency float8, recency float8, n_periods float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgbb_cond_prob_n_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgbb_prob_n_purchases(model bgbb_model, n_periods_ahead float8, n float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgbb_cond_prob_n_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgbb_expected_purchases_between(model bgbb_model, n_periods_start float8, n_periods_end float8, frequency float8, recency float8, n_periods float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgbb_expected_purchases_between' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_dert(model pareto_nbd_model, discount_rate float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'pareto_dert_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_dert(model pareto_nbd_model, discount_rate float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'pareto_dert_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_p_alive_at(bgnbd_model, float8, float8, float8, float8) IS 'BG/NBD: probability the customer is still active at t_customer + horizon, given the history';
COMMENT ON FUNCTION bgnbd_prob_no_purchase(bgnbd_model, float8, float8, float8, float8) IS 'BG/NBD: probability of no purchase in the next horizon (model units), given the history';
COMMENT ON FUNCTION bgnbd_prob_n_purchases(bgnbd_model, float8, float8, float8, float8, float8) IS 'BG/NBD: probability of exactly n purchases in the next horizon (model units), given the history';
COMMENT ON FUNCTION bgnbd_expected_purchases_between(bgnbd_model, float8, float8, float8, float8, float8) IS 'BG/NBD: expected purchases in the window (horizon_start, horizon_end] after the customer''s last observed time';
COMMENT ON FUNCTION bgnbd_p_alive_at(bgnbd_model, float8, clv_customer_summary) IS 'BG/NBD: probability a clv_summary row''s customer is still active at t + horizon (units checked)';
COMMENT ON FUNCTION bgnbd_prob_no_purchase(bgnbd_model, float8, clv_customer_summary) IS 'BG/NBD: probability a clv_summary row''s customer buys nothing in the next horizon (units checked)';
COMMENT ON FUNCTION bgnbd_prob_n_purchases(bgnbd_model, float8, float8, clv_customer_summary) IS 'BG/NBD: probability a clv_summary row''s customer buys exactly n times in the next horizon';
COMMENT ON FUNCTION bgnbd_expected_purchases_between(bgnbd_model, float8, float8, clv_customer_summary) IS 'BG/NBD: expected purchases of a clv_summary row''s customer in (t + horizon_start, t + horizon_end]';
COMMENT ON FUNCTION mbgnbd_p_alive_at(mbgnbd_model, float8, float8, float8, float8) IS 'MBG/NBD: probability the customer is still active at t_customer + horizon, given the history';
COMMENT ON FUNCTION mbgnbd_prob_no_purchase(mbgnbd_model, float8, float8, float8, float8) IS 'MBG/NBD: probability of no purchase in the next horizon (model units), given the history';
COMMENT ON FUNCTION mbgnbd_prob_n_purchases(mbgnbd_model, float8, float8, float8, float8, float8) IS 'MBG/NBD: probability of exactly n purchases in the next horizon (model units), given the history';
COMMENT ON FUNCTION mbgnbd_prob_n_purchases(mbgnbd_model, float8, float8) IS 'MBG/NBD: probability of exactly n purchases in the first horizon (model units) of a new customer';
COMMENT ON FUNCTION mbgnbd_expected_purchases_between(mbgnbd_model, float8, float8, float8, float8, float8) IS 'MBG/NBD: expected purchases in the window (horizon_start, horizon_end] after the customer''s last observed time';
COMMENT ON FUNCTION mbgnbd_p_alive_at(mbgnbd_model, float8, clv_customer_summary) IS 'MBG/NBD: probability a clv_summary row''s customer is still active at t + horizon (units checked)';
COMMENT ON FUNCTION mbgnbd_prob_no_purchase(mbgnbd_model, float8, clv_customer_summary) IS 'MBG/NBD: probability a clv_summary row''s customer buys nothing in the next horizon (units checked)';
COMMENT ON FUNCTION mbgnbd_prob_n_purchases(mbgnbd_model, float8, float8, clv_customer_summary) IS 'MBG/NBD: probability a clv_summary row''s customer buys exactly n times in the next horizon';
COMMENT ON FUNCTION mbgnbd_expected_purchases_between(mbgnbd_model, float8, float8, clv_customer_summary) IS 'MBG/NBD: expected purchases of a clv_summary row''s customer in (t + horizon_start, t + horizon_end]';
COMMENT ON FUNCTION pareto_nbd_p_alive_at(pareto_nbd_model, float8, float8, float8, float8) IS 'Pareto/NBD: probability the customer is still active at t_customer + horizon, given the history';
COMMENT ON FUNCTION pareto_nbd_prob_no_purchase(pareto_nbd_model, float8, float8, float8, float8) IS 'Pareto/NBD: probability of no purchase in the next horizon (model units), given the history';
COMMENT ON FUNCTION pareto_nbd_prob_n_purchases(pareto_nbd_model, float8, float8, float8, float8, float8) IS 'Pareto/NBD: probability of exactly n purchases in the next horizon (model units), given the history';
COMMENT ON FUNCTION pareto_nbd_expected_purchases_between(pareto_nbd_model, float8, float8, float8, float8, float8) IS 'Pareto/NBD: expected purchases in the window (horizon_start, horizon_end] after the customer''s last observed time';
COMMENT ON FUNCTION pareto_nbd_p_alive_at(pareto_nbd_model, float8, clv_customer_summary) IS 'Pareto/NBD: probability a clv_summary row''s customer is still active at t + horizon (units checked)';
COMMENT ON FUNCTION pareto_nbd_prob_no_purchase(pareto_nbd_model, float8, clv_customer_summary) IS 'Pareto/NBD: probability a clv_summary row''s customer buys nothing in the next horizon (units checked)';
COMMENT ON FUNCTION pareto_nbd_prob_n_purchases(pareto_nbd_model, float8, float8, clv_customer_summary) IS 'Pareto/NBD: probability a clv_summary row''s customer buys exactly n times in the next horizon';
COMMENT ON FUNCTION pareto_nbd_expected_purchases_between(pareto_nbd_model, float8, float8, clv_customer_summary) IS 'Pareto/NBD: expected purchases of a clv_summary row''s customer in (t + horizon_start, t + horizon_end]';
COMMENT ON FUNCTION bgbb_p_alive_at(bgbb_model, float8, float8, float8, float8) IS 'BG/BB: probability the customer is still active at opportunity n_periods + n_periods_ahead, given the history';
COMMENT ON FUNCTION bgbb_prob_no_purchase(bgbb_model, float8, float8, float8, float8) IS 'BG/BB: probability of no purchase in the next n_periods_ahead (opportunities), given the history';
COMMENT ON FUNCTION bgbb_prob_n_purchases(bgbb_model, float8, float8, float8, float8, float8) IS 'BG/BB: probability of exactly n purchases in the next n_periods_ahead (opportunities), given the history';
COMMENT ON FUNCTION bgbb_prob_n_purchases(bgbb_model, float8, float8) IS 'BG/BB: probability of exactly n purchases in the first n_periods_ahead (opportunities) of a new customer';
COMMENT ON FUNCTION bgbb_expected_purchases_between(bgbb_model, float8, float8, float8, float8, float8) IS 'BG/BB: expected purchases in the window (n_periods_start, n_periods_end] after the customer''s last observed opportunity';
COMMENT ON FUNCTION pareto_nbd_dert(pareto_nbd_model, float8, float8, float8, float8) IS 'Pareto/NBD: discounted expected residual transactions (FHL 2005), discount_rate continuous per model unit';
COMMENT ON FUNCTION pareto_nbd_dert(pareto_nbd_model, float8, clv_customer_summary) IS 'Pareto/NBD: discounted expected residual transactions of a clv_summary row''s customer (units checked)';

CREATE FUNCTION bgnbd_dert(model bgnbd_model, discount_rate float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_dert_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_dert(model bgnbd_model, discount_rate float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_dert_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_dert(model mbgnbd_model, discount_rate float8, frequency float8, recency float8, t_customer float8)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_dert_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_dert(model mbgnbd_model, discount_rate float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_dert_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION bgnbd_dert(bgnbd_model, float8, float8, float8, float8) IS 'BG/NBD: discounted expected residual transactions, discount_rate continuous per model unit';
COMMENT ON FUNCTION bgnbd_dert(bgnbd_model, float8, clv_customer_summary) IS 'BG/NBD: discounted expected residual transactions of a clv_summary row''s customer (units checked)';
COMMENT ON FUNCTION mbgnbd_dert(mbgnbd_model, float8, float8, float8, float8) IS 'MBG/NBD: discounted expected residual transactions, discount_rate continuous per model unit';
COMMENT ON FUNCTION mbgnbd_dert(mbgnbd_model, float8, clv_customer_summary) IS 'MBG/NBD: discounted expected residual transactions of a clv_summary row''s customer (units checked)';
-- ==== end predsurf ====
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
    scale       float8[],   -- per feature: divided by after the shift
    weights     float8[]    -- per row: the weight passed (NULL: unweighted, each row 1)
);

CREATE FUNCTION hclust_segment(features float8[], k int, method text DEFAULT 'ward',
                               scaling text DEFAULT 'zscore')
    RETURNS int AS 'MODULE_PATHNAME', 'hclust_segment'
    LANGUAGE C WINDOW IMMUTABLE PARALLEL SAFE;

CREATE FUNCTION _hclust_trans(internal, float8[]) RETURNS internal
    AS 'MODULE_PATHNAME', 'hclust_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _hclust_trans(internal, float8[], text) RETURNS internal
    AS 'MODULE_PATHNAME', 'hclust_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _hclust_trans(internal, float8[], text, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'hclust_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _hclust_trans(internal, float8[], text, text, float8) RETURNS internal
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
CREATE AGGREGATE hclust_fit(features float8[], method text) (
    SFUNC = _hclust_trans, STYPE = internal, FINALFUNC = _hclust_fit_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = _hclust_combine,
    SERIALFUNC = _hclust_serialize, DESERIALFUNC = _hclust_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE hclust_fit(features float8[], method text, scaling text) (
    SFUNC = _hclust_trans, STYPE = internal, FINALFUNC = _hclust_fit_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = _hclust_combine,
    SERIALFUNC = _hclust_serialize, DESERIALFUNC = _hclust_deserialize, PARALLEL = SAFE);
-- weight: the number of identical rows a row stands for (k-means centroids: cluster sizes).
CREATE AGGREGATE hclust_fit(features float8[], method text, scaling text, weight float8) (
    SFUNC = _hclust_trans, STYPE = internal, FINALFUNC = _hclust_fit_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = _hclust_combine,
    SERIALFUNC = _hclust_serialize, DESERIALFUNC = _hclust_deserialize, PARALLEL = SAFE);

CREATE FUNCTION hclust_cut(model hclust_model, k int)
    RETURNS int[] AS 'MODULE_PATHNAME', 'hclust_cut'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON TYPE hclust_model IS 'Hierarchical clustering: method, scaling, n, linkage ((n-1) x 4 scipy linkage matrix), shift, scale, weights';
COMMENT ON FUNCTION hclust_segment(float8[], int, text, text) IS 'Window function: hierarchical cluster id 1..k of each row of the partition (left to right in the dendrogram)';
COMMENT ON AGGREGATE hclust_fit(float8[]) IS 'Hierarchical clustering (Ward, zscore scaling) of the feature rows in input order: the merge tree as an hclust_model';
COMMENT ON AGGREGATE hclust_fit(float8[], text) IS 'Hierarchical clustering by a linkage method (ward, single, complete, average; zscore): the merge tree as an hclust_model';
COMMENT ON AGGREGATE hclust_fit(float8[], text, text) IS 'Hierarchical clustering by linkage method and scaling (none, zscore, log_zscore): the merge tree as an hclust_model';
COMMENT ON AGGREGATE hclust_fit(float8[], text, text, float8) IS 'Weighted hierarchical clustering: each row counts weight times (e.g. k-means centroids with cluster sizes)';
COMMENT ON FUNCTION hclust_cut(hclust_model, int) IS 'Cluster ids 1..k of the model''s rows in input order, cutting its tree into k clusters (as hclust_segment)';
-- ==== end hclust ====

-- ==== trees (issue 15): decision trees, random forests, clv_split ====
-- Regression trees (CART, squared error) and random forests as aggregates over
-- (target, features): the state collects the rows; the final function sorts them
-- canonically before fitting, so every plan gives the same model. The model (a bytea
-- with a magic header, validated on every predict) travels in a composite with the
-- fit's summary.
CREATE TYPE decision_tree_model AS (
    model       bytea,      -- the tree, read by decision_tree_predict
    n           bigint,     -- training rows
    n_features  int,
    max_depth   int,
    min_leaf    int,
    depth       int,        -- the deepest leaf (splits from the root)
    leaves      int,
    importance  float8[]    -- impurity decrease per feature, sums to 1
);

CREATE TYPE random_forest_model AS (
    model        bytea,     -- the trees, read by random_forest_predict
    n            bigint,
    n_features   int,
    n_trees      int,
    max_depth    int,
    min_leaf     int,
    max_features int,       -- features tried at each split
    seed         int,
    depth        int,       -- the deepest leaf of any tree
    leaves       bigint,    -- all trees
    importance   float8[]   -- mean of the trees' normalised importances, sums to 1
);

CREATE FUNCTION _decision_tree_trans(internal, float8, float8[], int, int) RETURNS internal
    AS 'MODULE_PATHNAME', 'decision_tree_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _random_forest_trans(internal, float8, float8[], int, int, int, int) RETURNS internal
    AS 'MODULE_PATHNAME', 'random_forest_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _random_forest_trans(internal, float8, float8[], int, int, int, int, int) RETURNS internal
    AS 'MODULE_PATHNAME', 'random_forest_trans' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _tree_combine(internal, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'tree_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _tree_serialize(internal) RETURNS bytea
    AS 'MODULE_PATHNAME', 'tree_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION _tree_deserialize(bytea, internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'tree_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION _decision_tree_final(internal) RETURNS decision_tree_model
    AS 'MODULE_PATHNAME', 'decision_tree_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION _random_forest_final(internal) RETURNS random_forest_model
    AS 'MODULE_PATHNAME', 'random_forest_final' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE decision_tree_fit(target float8, features float8[], max_depth int, min_leaf int) (
    SFUNC = _decision_tree_trans, STYPE = internal, FINALFUNC = _decision_tree_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = _tree_combine,
    SERIALFUNC = _tree_serialize, DESERIALFUNC = _tree_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE random_forest_fit(target float8, features float8[], n_trees int, max_depth int,
                                   min_leaf int, seed int) (
    SFUNC = _random_forest_trans, STYPE = internal, FINALFUNC = _random_forest_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = _tree_combine,
    SERIALFUNC = _tree_serialize, DESERIALFUNC = _tree_deserialize, PARALLEL = SAFE);
CREATE AGGREGATE random_forest_fit(target float8, features float8[], n_trees int, max_depth int,
                                   min_leaf int, seed int, max_features int) (
    SFUNC = _random_forest_trans, STYPE = internal, FINALFUNC = _random_forest_final,
    FINALFUNC_MODIFY = READ_ONLY, COMBINEFUNC = _tree_combine,
    SERIALFUNC = _tree_serialize, DESERIALFUNC = _tree_deserialize, PARALLEL = SAFE);

CREATE FUNCTION decision_tree_predict(model decision_tree_model, features float8[])
    RETURNS float8 AS 'MODULE_PATHNAME', 'decision_tree_predict'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION random_forest_predict(model random_forest_model, features float8[])
    RETURNS float8 AS 'MODULE_PATHNAME', 'random_forest_predict'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- 'train' or 'test' by a hash of (seed, key): "WHERE clv_split(key, 0.2) = 'test'".
CREATE FUNCTION clv_split(key text, test_fraction float8, seed int DEFAULT 42)
    RETURNS text AS 'MODULE_PATHNAME', 'clv_split'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

COMMENT ON TYPE decision_tree_model IS 'Regression tree of decision_tree_fit: model (for decision_tree_predict), size, depth, leaves, importance';
COMMENT ON TYPE random_forest_model IS 'Random forest of random_forest_fit: model (for random_forest_predict), settings, depth, leaves, importance';
COMMENT ON AGGREGATE decision_tree_fit(float8, float8[], int, int) IS 'CART regression tree (squared error) of target on features, at most max_depth splits deep, at least min_leaf rows a leaf';
COMMENT ON AGGREGATE random_forest_fit(float8, float8[], int, int, int, int) IS 'Random forest of n_trees seeded regression trees on bootstrap samples; max(1, d/3) features tried a split';
COMMENT ON AGGREGATE random_forest_fit(float8, float8[], int, int, int, int, int) IS 'Random forest of n_trees seeded regression trees on bootstrap samples; max_features features tried a split';
COMMENT ON FUNCTION decision_tree_predict(decision_tree_model, float8[]) IS 'Prediction of a decision_tree_model for features: the mean target of the leaf they fall in';
COMMENT ON FUNCTION random_forest_predict(random_forest_model, float8[]) IS 'Prediction of a random_forest_model for features: the mean of its trees'' predictions';
COMMENT ON FUNCTION clv_split(text, float8, int) IS 'Deterministic train/test split: ''test'' for a share test_fraction of keys (SipHash-2-4 of seed and key), else ''train''';
-- ==== end trees ====

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
-- ==== track (issue 17): tracked summaries, kept current by triggers ====
-- clv_track(source, ...) keeps a table of the end-independent summary fields of every
-- customer of a transaction table; statement triggers with transition tables recompute
-- the customers a statement touches with clv_summary itself (so the floats are those of
-- a fresh GROUP BY); clv_tracked_summary derives recency, t and days_since_last_purchase
-- at read time. docs/tracking.md.

-- The catalog: one row per tracked table. pg_dump keeps its rows (config table).
CREATE TABLE @extschema@.clv_tracking (
    tracked regclass PRIMARY KEY,
    source regclass NOT NULL,
    customer_column text NOT NULL,
    time_column text NOT NULL,
    amount_column text NOT NULL,
    customer_type regtype NOT NULL,
    time_type regtype NOT NULL,
    amount_type regtype NOT NULL,
    unit text NOT NULL,
    refunds text NOT NULL,
    time_zone text NOT NULL,
    created_index text,
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.clv_tracking', '');
-- PUBLIC may register and forget trackings of its own tables only (the guard trigger);
-- nothing of clv runs with its owner's rights.
GRANT SELECT, INSERT, DELETE ON @extschema@.clv_tracking TO PUBLIC;
COMMENT ON TABLE @extschema@.clv_tracking IS
'clv_track: one row per tracked summary table (source, columns, unit, refunds, time zone); written by clv_track/clv_untrack';

CREATE FUNCTION @extschema@._clv_tracking_guard() RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    towner oid;
    sowner oid;
BEGIN
    IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
        towner := (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) NEW.tracked);
        sowner := (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) NEW.source);
        IF towner IS NULL OR sowner IS NULL OR NOT pg_catalog.pg_has_role(towner, 'USAGE')
           OR NOT pg_catalog.pg_has_role(sowner, 'USAGE') THEN
            RAISE EXCEPTION 'clv_tracking: only the owner of % and % may register them', NEW.source, NEW.tracked
                USING ERRCODE = 'insufficient_privilege', HINT = 'Run clv_track as the owner of the table.';
        END IF;
        RETURN NEW;
    END IF;
    -- a table that is gone (dropped together with its source) may be forgotten by anyone
    towner := (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) OLD.tracked);
    IF towner IS NOT NULL AND NOT pg_catalog.pg_has_role(towner, 'USAGE') THEN
        RAISE EXCEPTION 'clv_tracking: only the owner of % may untrack it', OLD.tracked
            USING ERRCODE = 'insufficient_privilege', HINT = 'Run clv_untrack as the owner of the table.';
    END IF;
    RETURN OLD;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_tracking_guard() IS
'Internal (clv_tracking): lets a role register and forget trackings of its own tables only';
CREATE TRIGGER clv_tracking_guard BEFORE INSERT OR DELETE ON @extschema@.clv_tracking
    FOR EACH ROW EXECUTE FUNCTION @extschema@._clv_tracking_guard();

-- The end of time as clv_summary's observation_end: every purchase day is up to it, so
-- the summary fields that do not depend on the end are exact.
CREATE FUNCTION @extschema@._clv_track_end() RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT '294276-12-31 23:59:59.999999+00'::pg_catalog.timestamptz $$;
COMMENT ON FUNCTION @extschema@._clv_track_end() IS
'Internal (clv_track): the observation_end of the stored summaries (the last finite timestamptz)';

-- Why a tracking cannot be used (NULL: it can): its tables or columns are gone or changed.
-- One catalog query when all is well (the triggers call it on every statement).
CREATE FUNCTION @extschema@._clv_tracking_problem(k @extschema@.clv_tracking) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    col text;
    typ oid;
    i int;
BEGIN
    IF (SELECT pg_catalog.count(*) FROM pg_catalog.pg_attribute a
        WHERE (a.attrelid OPERATOR(pg_catalog.=) k.source
               AND ((a.attname OPERATOR(pg_catalog.=) k.customer_column AND a.atttypid OPERATOR(pg_catalog.=) k.customer_type)
                    OR (a.attname OPERATOR(pg_catalog.=) k.time_column AND a.atttypid OPERATOR(pg_catalog.=) k.time_type)
                    OR (a.attname OPERATOR(pg_catalog.=) k.amount_column AND a.atttypid OPERATOR(pg_catalog.=) k.amount_type)))
           OR (a.attrelid OPERATOR(pg_catalog.=) k.tracked
               AND a.attname OPERATOR(pg_catalog.=) ANY ('{customer_id,frequency,monetary_value,first_purchase,last_purchase,purchases,total_spend,transactions,last_transaction,updated_at}'::pg_catalog.name[])))
       OPERATOR(pg_catalog.=) 13 THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) k.source) THEN
        RETURN pg_catalog.format('its source table (OID %s) no longer exists', k.source::oid);
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) k.tracked) THEN
        RETURN pg_catalog.format('the tracked table (OID %s) no longer exists', k.tracked::oid);
    END IF;
    FOR i IN 1 .. 3 LOOP
        col := (ARRAY[k.customer_column, k.time_column, k.amount_column])[i];
        typ := (ARRAY[k.customer_type, k.time_type, k.amount_type])[i];
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                       WHERE a.attrelid OPERATOR(pg_catalog.=) k.source AND a.attname OPERATOR(pg_catalog.=) col
                         AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped) THEN
            RETURN pg_catalog.format('column "%s" of %s no longer exists (dropped or renamed)', col, k.source);
        END IF;
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                       WHERE a.attrelid OPERATOR(pg_catalog.=) k.source AND a.attname OPERATOR(pg_catalog.=) col
                         AND NOT a.attisdropped AND a.atttypid OPERATOR(pg_catalog.=) typ) THEN
            RETURN pg_catalog.format('column "%s" of %s is no longer of type %s', col, k.source, typ::pg_catalog.regtype);
        END IF;
    END LOOP;
    RETURN pg_catalog.format('a column of the tracked table %s was dropped, renamed or changed', k.tracked);
END
$$;
COMMENT ON FUNCTION @extschema@._clv_tracking_problem(@extschema@.clv_tracking) IS
'Internal (clv_track): why a tracking can no longer be maintained, NULL if it can';

-- The trigger of every tracked source (statement level, with transition tables).
CREATE FUNCTION @extschema@._clv_track_trigger() RETURNS trigger
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    k @extschema@.clv_tracking;
    changed text;
    recompute text;
    problem text;
    key bigint;
    keys bigint[];
    ckeys text[];
    stmt text;
    nrows bigint;
    held bigint;
    tkey int;
    bulk boolean;
    ntrans bigint;
    reltuples float4;
    nl_saved text := pg_catalog.current_setting('enable_nestloop');
    -- TimeZone (and work_mem for bulk statements) are set with set_config(is_local) for
    -- this call and restored at the end; an error rolls them back with the transaction
    tz_saved text := pg_catalog.current_setting('TimeZone');
    wm_saved text := pg_catalog.current_setting('work_mem');
    hm_saved text := pg_catalog.current_setting('hash_mem_multiplier');
    pc_saved text := pg_catalog.current_setting('plan_cache_mode');
BEGIN
    -- Generic plans: planning the queries below anew for every statement (custom plans,
    -- as for any query with parameters: the tracking's fields, the customers' keys) cost
    -- more than running them for a single-row INSERT (0.33 of 0.95 ms).
    PERFORM pg_catalog.set_config('plan_cache_mode', 'force_generic_plan', true);
    FOR k IN SELECT * FROM @extschema@.clv_tracking t WHERE t.source OPERATOR(pg_catalog.=) TG_RELID::pg_catalog.regclass
             ORDER BY t.tracked::oid LOOP
        problem := @extschema@._clv_tracking_problem(k);
        IF problem IS NOT NULL THEN
            RAISE EXCEPTION 'clv_track: % cannot be maintained: %', k.tracked, problem
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'SELECT clv_untrack(...) then clv_track(...) again.';
        END IF;
        -- days are counted in the tracking's zone whatever the writer's TimeZone
        PERFORM pg_catalog.set_config('TimeZone', k.time_zone, true);
        IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
            PERFORM pg_catalog.pg_advisory_xact_lock((k.tracked::oid::bigint OPERATOR(pg_catalog.&) 2147483647)::int, 0);
            EXECUTE pg_catalog.format('TRUNCATE %s', k.tracked);
            CONTINUE;
        END IF;
        -- changed: the customers (column c) whose rows this statement added or removed
        IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
            changed := pg_catalog.format('SELECT %I AS c FROM new_rows', k.customer_column);
        ELSIF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
            changed := pg_catalog.format('SELECT %I AS c FROM old_rows', k.customer_column);
        ELSE
            -- an UPDATE changing none of the three columns changes no summary
            changed := pg_catalog.format(
                'SELECT c FROM ((SELECT %1$I AS c, %2$I AS tt, %3$I AS a FROM old_rows '
                ' EXCEPT ALL SELECT %1$I, %2$I, %3$I FROM new_rows) '
                'UNION ALL '
                '(SELECT %1$I, %2$I, %3$I FROM new_rows '
                ' EXCEPT ALL SELECT %1$I, %2$I, %3$I FROM old_rows)) d',
                k.customer_column, k.time_column, k.amount_column);
        END IF;
        -- Locks: a shared lock on the tracking, then one per customer (sorted). A statement
        -- with more rows (or a transaction that already holds many locks) takes the
        -- tracking's lock exclusively instead: the lock table is small.
        tkey := (k.tracked::oid::bigint OPERATOR(pg_catalog.&) 2147483647)::int;
        EXECUTE pg_catalog.format(
            'SELECT pg_catalog.count(*), pg_catalog.array_agg(DISTINCT key ORDER BY key) FILTER (WHERE key IS NOT NULL), '
            '       pg_catalog.array_agg(DISTINCT ct) FILTER (WHERE ct IS NOT NULL) '
            'FROM (SELECT (%s::pg_catalog.int8 OPERATOR(pg_catalog.<<) 32) OPERATOR(pg_catalog.|) '
            '(pg_catalog.hashtext(c::pg_catalog.text)::pg_catalog.int8 OPERATOR(pg_catalog.&) 4294967295) AS key, '
            'c::pg_catalog.text AS ct FROM (%s LIMIT 65) x) y', tkey, changed) INTO nrows, keys, ckeys;
        IF nrows OPERATOR(pg_catalog.=) 0 THEN
            CONTINUE;
        END IF;
        held := COALESCE(NULLIF(pg_catalog.current_setting('clv_track.locks', true), ''), '0')::bigint;
        bulk := nrows OPERATOR(pg_catalog.+) held OPERATOR(pg_catalog.>) 64;
        IF bulk THEN
            PERFORM pg_catalog.pg_advisory_xact_lock(tkey, 0);
            -- the recomputation's hash tables in memory (one bulk writer per tracking)
            PERFORM @extschema@._clv_track_memory();
        ELSE
            PERFORM pg_catalog.pg_advisory_xact_lock_shared(tkey, 0);
            -- (all the changed rows are among the 65 counted: the keys are complete)
            FOREACH key IN ARRAY COALESCE(keys, '{}') LOOP
                PERFORM pg_catalog.pg_advisory_xact_lock(key);
            END LOOP;
            PERFORM pg_catalog.set_config('clv_track.locks', (held OPERATOR(pg_catalog.+) nrows)::text, true);
        END IF;
        -- Recompute with a fresh snapshot (this statement's, taken after the locks), with
        -- clv_summary itself over all the rows of the changed customers. A few customers:
        -- a statement prepared once per session and tracking (planning it anew would cost
        -- more than running it), given their keys.
        IF NOT bulk THEN
            stmt := '_clv_track_' OPERATOR(pg_catalog.||) pg_catalog.md5(k::text);
            IF NOT EXISTS (SELECT FROM pg_catalog.pg_prepared_statements p WHERE p.name OPERATOR(pg_catalog.=) stmt) THEN
                EXECUTE pg_catalog.format($q$
                    PREPARE %1$I(pg_catalog.text[]) AS
                    INSERT INTO %2$s AS d (customer_id, frequency, monetary_value, first_purchase, last_purchase,
                                           purchases, total_spend, transactions, last_transaction, updated_at)
                    SELECT ch.c::pg_catalog.text, (r.s).frequency, (r.s).monetary_value, (r.s).first_purchase,
                           (r.s).last_purchase, (r.s).purchases, (r.s).total_spend, COALESCE(r.n, 0), r.lt, pg_catalog.now()
                    FROM (SELECT DISTINCT u::%3$s AS c FROM pg_catalog.unnest($1) u) ch
                    LEFT JOIN (SELECT %4$I AS c, @extschema@.clv_summary(%5$I, %6$I, @extschema@._clv_track_end(), %7$L, %8$L) AS s,
                                      pg_catalog.count(*) AS n, pg_catalog.max(%5$I) FILTER (WHERE %6$I IS NOT NULL) AS lt
                               FROM %9$s WHERE %4$I OPERATOR(pg_catalog.=) ANY ($1::%3$s[]) GROUP BY %4$I) r
                           ON r.c OPERATOR(pg_catalog.=) ch.c
                    ON CONFLICT (customer_id) DO UPDATE SET
                        frequency = EXCLUDED.frequency, monetary_value = EXCLUDED.monetary_value,
                        first_purchase = EXCLUDED.first_purchase, last_purchase = EXCLUDED.last_purchase,
                        purchases = EXCLUDED.purchases, total_spend = EXCLUDED.total_spend,
                        transactions = EXCLUDED.transactions, last_transaction = EXCLUDED.last_transaction,
                        updated_at = EXCLUDED.updated_at
                    $q$, stmt, k.tracked, CASE WHEN k.customer_type OPERATOR(pg_catalog.=) 'pg_catalog.bpchar'::pg_catalog.regtype THEN 'pg_catalog.bpchar' ELSE pg_catalog.format_type(k.customer_type, NULL) END, k.customer_column,
                    k.time_column, k.amount_column, k.unit, k.refunds, k.source);
            END IF;
            IF ckeys IS NOT NULL THEN
                EXECUTE pg_catalog.format('EXECUTE %I(%L)', stmt, ckeys);
            END IF;
            CONTINUE;
        END IF;
        -- Many rows against a table not much larger than them (reltuples: before this
        -- statement): one pass over the table (hash join) reads it faster than each
        -- customer's rows through the index, which the planner picks as it reckons 200
        -- customers in a transition table (no statistics). A never analyzed table
        -- (reltuples -1): the planner's choice.
        reltuples := (SELECT c.reltuples FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) k.source);
        IF reltuples OPERATOR(pg_catalog.>=) 0 THEN
            EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM %s',
                                      CASE WHEN TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN 'new_rows' ELSE 'old_rows' END) INTO ntrans;
            IF ntrans OPERATOR(pg_catalog.*) 4 OPERATOR(pg_catalog.>) reltuples THEN
                PERFORM pg_catalog.set_config('enable_nestloop', 'off', true);
            END IF;
        END IF;
        recompute := pg_catalog.format(
            'SELECT %1$I AS c, @extschema@.clv_summary(%2$I, %3$I, @extschema@._clv_track_end(), %4$L, %5$L) AS s, '
            '       pg_catalog.count(*) AS n, pg_catalog.max(%2$I) FILTER (WHERE %3$I IS NOT NULL) AS lt '
            'FROM %6$s WHERE %1$I IN (SELECT c FROM (%7$s) x) GROUP BY %1$I',
            k.customer_column, k.time_column, k.amount_column, k.unit, k.refunds, k.source, changed);
        -- Every changed customer gets a row; one whose rows are all gone keeps a row with
        -- transactions = 0 (after an INSERT every changed customer has rows).
        IF TG_OP OPERATOR(pg_catalog.<>) 'INSERT' THEN
            recompute := pg_catalog.format(
                'SELECT ch.c, r.s, COALESCE(r.n, 0) AS n, r.lt '
                'FROM (SELECT DISTINCT c FROM (%s) x WHERE c IS NOT NULL) ch '
                'LEFT JOIN (%s) r ON r.c OPERATOR(pg_catalog.=) ch.c', changed, recompute);
        END IF;
        EXECUTE pg_catalog.format($q$
            INSERT INTO %1$s AS d (customer_id, frequency, monetary_value, first_purchase, last_purchase,
                                   purchases, total_spend, transactions, last_transaction, updated_at)
            SELECT r.c::pg_catalog.text, (r.s).frequency, (r.s).monetary_value, (r.s).first_purchase,
                   (r.s).last_purchase, (r.s).purchases, (r.s).total_spend, r.n, r.lt, pg_catalog.now()
            FROM (%2$s) r
            ON CONFLICT (customer_id) DO UPDATE SET
                frequency = EXCLUDED.frequency, monetary_value = EXCLUDED.monetary_value,
                first_purchase = EXCLUDED.first_purchase, last_purchase = EXCLUDED.last_purchase,
                purchases = EXCLUDED.purchases, total_spend = EXCLUDED.total_spend,
                transactions = EXCLUDED.transactions, last_transaction = EXCLUDED.last_transaction,
                updated_at = EXCLUDED.updated_at
            $q$, k.tracked, recompute);
        IF bulk THEN
            PERFORM pg_catalog.set_config('work_mem', wm_saved, true);
            PERFORM pg_catalog.set_config('hash_mem_multiplier', hm_saved, true);
            PERFORM pg_catalog.set_config('enable_nestloop', nl_saved, true);
        END IF;
    END LOOP;
    PERFORM pg_catalog.set_config('TimeZone', tz_saved, true),
            pg_catalog.set_config('plan_cache_mode', pc_saved, true);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_track_trigger() IS
'Internal (clv_track): the statement trigger that keeps the tracked summaries of a source current';

-- For queries aggregating many customers: the planner reckons 8 kB per clv_summary state
-- (about ten times too many), which makes it spill hash tables or sort through the index.
-- Raised with set_config(is_local) by the caller, which restores them.
CREATE FUNCTION @extschema@._clv_track_memory() RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF pg_catalog.pg_size_bytes(pg_catalog.current_setting('work_mem')) OPERATOR(pg_catalog.<) 268435456 THEN
        PERFORM pg_catalog.set_config('work_mem', '256MB', true);
    END IF;
    PERFORM pg_catalog.set_config('hash_mem_multiplier', '8', true);
END
$$;
COMMENT ON FUNCTION @extschema@._clv_track_memory() IS
'Internal (clv_track): work_mem and hash_mem_multiplier for aggregating many customers at once';

-- Fills a tracked table from all of its source's rows (clv_track, and after a rewrite of
-- the source by ALTER TABLE, which fires no row triggers). The caller sets TimeZone.
CREATE FUNCTION @extschema@._clv_track_fill(k @extschema@.clv_tracking) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    wm_saved text := pg_catalog.current_setting('work_mem');
    hm_saved text := pg_catalog.current_setting('hash_mem_multiplier');
BEGIN
    IF k.tracked IS NULL OR k.source IS NULL OR k.customer_column IS NULL OR k.time_column IS NULL
       OR k.amount_column IS NULL OR k.unit IS NULL OR k.refunds IS NULL THEN
        RAISE EXCEPTION 'clv_track: not a tracking: %', k
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Rows of clv_tracking are trackings.';
    END IF;
    PERFORM @extschema@._clv_track_memory();
    EXECUTE pg_catalog.format('TRUNCATE %s', k.tracked);
    EXECUTE pg_catalog.format($q$
        INSERT INTO %1$s (customer_id, frequency, monetary_value, first_purchase, last_purchase,
                          purchases, total_spend, transactions, last_transaction, updated_at)
        SELECT c::pg_catalog.text, (s).frequency, (s).monetary_value, (s).first_purchase, (s).last_purchase,
               (s).purchases, (s).total_spend, n, lt, pg_catalog.now()
        FROM (SELECT %2$I AS c,
                     @extschema@.clv_summary(%3$I, %4$I, @extschema@._clv_track_end(), %5$L, %6$L) AS s,
                     pg_catalog.count(*) AS n,
                     pg_catalog.max(%3$I) FILTER (WHERE %4$I IS NOT NULL) AS lt
              FROM %7$s WHERE %2$I IS NOT NULL GROUP BY %2$I) r$q$,
        k.tracked, k.customer_column, k.time_column, k.amount_column, k.unit, k.refunds, k.source);
    PERFORM pg_catalog.set_config('work_mem', wm_saved, true), pg_catalog.set_config('hash_mem_multiplier', hm_saved, true);
END
$$;
COMMENT ON FUNCTION @extschema@._clv_track_fill(@extschema@.clv_tracking) IS
'Internal (clv_track): computes a tracked table from all the rows of its source';

CREATE FUNCTION @extschema@.clv_track(source regclass, customer_column text, time_column text,
                                      amount_column text, unit text DEFAULT 'day',
                                      refunds text DEFAULT 'error', time_zone text DEFAULT NULL,
                                      summary_table text DEFAULT NULL)
RETURNS regclass
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    k @extschema@.clv_tracking;
    nsp text;
    rel text;
    kind "char";
    i int;
    col text;
    typ oid;
    idx text;
    first_tracking boolean;
    tname text;
    tz_saved text := pg_catalog.current_setting('TimeZone');
BEGIN
    IF source IS NULL OR customer_column IS NULL OR time_column IS NULL OR amount_column IS NULL
       OR unit IS NULL OR refunds IS NULL THEN
        RAISE EXCEPTION 'clv_track: source, customer_column, time_column, amount_column, unit and refunds must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF customer_column OPERATOR(pg_catalog.=) time_column OR customer_column OPERATOR(pg_catalog.=) amount_column
       OR time_column OPERATOR(pg_catalog.=) amount_column THEN
        RAISE EXCEPTION 'clv_track: the customer, time and amount columns must be three different columns'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF pg_catalog.lower(unit) NOT IN ('day', 'days', 'week', 'weeks') THEN
        RAISE EXCEPTION 'clv_track: unknown unit "%"', unit
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use ''day'' or ''week''.';
    END IF;
    IF pg_catalog.lower(refunds) NOT IN ('error', 'net') THEN
        RAISE EXCEPTION 'clv_track: unknown refunds policy "%"', refunds
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use ''error'' (negative amounts are an error) or ''net'' (net them against the same day''s purchases).';
    END IF;
    SELECT n.nspname, c.relname, c.relkind INTO nsp, rel, kind
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
    WHERE c.oid OPERATOR(pg_catalog.=) source;
    IF kind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION 'clv_track: % is not a table', source
            USING ERRCODE = 'wrong_object_type',
                  HINT = 'Track the table that receives the transactions (a partitioned table: its root).';
    END IF;
    -- the zone the days are counted in, fixed now (the session's TimeZone unless given)
    k.time_zone := COALESCE(time_zone, pg_catalog.current_setting('TimeZone', false));
    BEGIN
        PERFORM pg_catalog.set_config('TimeZone', k.time_zone, true);
    EXCEPTION WHEN invalid_parameter_value THEN
        RAISE EXCEPTION 'clv_track: unknown time zone "%"', k.time_zone
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use a name of pg_timezone_names, such as ''Europe/Berlin''.';
    END;
    -- no writer may slip in between the first computation and the triggers
    EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', source);
    FOR i IN 1 .. 3 LOOP
        col := (ARRAY[customer_column, time_column, amount_column])[i];
        SELECT a.atttypid INTO typ FROM pg_catalog.pg_attribute a
        WHERE a.attrelid OPERATOR(pg_catalog.=) source AND a.attname OPERATOR(pg_catalog.=) col
          AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'clv_track: % has no column "%"', source, col
                USING ERRCODE = 'undefined_column', HINT = 'Name the customer, time and amount columns of the table.';
        END IF;
        -- types whose equal values have equal text forms (the text form is the key)
        IF i OPERATOR(pg_catalog.=) 1 AND (typ NOT IN ('pg_catalog.int2'::regtype, 'pg_catalog.int4'::regtype, 'pg_catalog.int8'::regtype,
                                'pg_catalog.text'::regtype, 'pg_catalog.varchar'::regtype, 'pg_catalog.bpchar'::regtype, 'pg_catalog.uuid'::regtype)
               OR EXISTS (SELECT FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_collation l ON l.oid OPERATOR(pg_catalog.=) a.attcollation
                          WHERE a.attrelid OPERATOR(pg_catalog.=) source AND a.attname OPERATOR(pg_catalog.=) col AND NOT l.collisdeterministic)) THEN
            RAISE EXCEPTION 'clv_track: customer column "%" is of type %', col, typ::regtype
                USING ERRCODE = 'datatype_mismatch',
                      HINT = 'The customer column must be an integer, text (with a deterministic collation) or uuid.';
        END IF;
        IF i OPERATOR(pg_catalog.=) 2 AND typ NOT IN ('pg_catalog.timestamptz'::regtype, 'pg_catalog.timestamp'::regtype, 'pg_catalog.date'::regtype) THEN
            RAISE EXCEPTION 'clv_track: time column "%" is of type %', col, typ::regtype
                USING ERRCODE = 'datatype_mismatch', HINT = 'The time column must be timestamptz, timestamp or date.';
        END IF;
        IF i OPERATOR(pg_catalog.=) 3 AND typ NOT IN ('pg_catalog.float8'::regtype, 'pg_catalog.float4'::regtype, 'pg_catalog.numeric'::regtype,
                                'pg_catalog.int2'::regtype, 'pg_catalog.int4'::regtype, 'pg_catalog.int8'::regtype) THEN
            RAISE EXCEPTION 'clv_track: amount column "%" is of type %', col, typ::regtype
                USING ERRCODE = 'datatype_mismatch', HINT = 'The amount column must be a number (float8, numeric, integer).';
        END IF;
        IF i OPERATOR(pg_catalog.=) 1 THEN k.customer_type := typ;
        ELSIF i OPERATOR(pg_catalog.=) 2 THEN k.time_type := typ;
        ELSE k.amount_type := typ;
        END IF;
    END LOOP;
    k.source := source;
    k.customer_column := customer_column;
    k.time_column := time_column;
    k.amount_column := amount_column;
    k.unit := CASE WHEN pg_catalog.lower(unit) IN ('week', 'weeks') THEN 'week' ELSE 'day' END;
    k.refunds := pg_catalog.lower(refunds);
    k.created_at := pg_catalog.now();
    -- the tracked table: <source>_clv_summary (or summary_table) next to the source
    tname := COALESCE(summary_table, pg_catalog.left(rel, 51) OPERATOR(pg_catalog.||) '_clv_summary');
    IF pg_catalog.to_regclass(pg_catalog.format('%I.%I', nsp, tname)) IS NOT NULL THEN
        RAISE EXCEPTION 'clv_track: table %.% already exists', pg_catalog.quote_ident(nsp), pg_catalog.quote_ident(tname)
            USING ERRCODE = 'duplicate_table',
                  HINT = 'Pass another name as summary_table, or drop it (clv_untrack if it is a tracked table).';
    END IF;
    EXECUTE pg_catalog.format($q$
        CREATE TABLE %I.%I (
            customer_id text PRIMARY KEY,
            frequency int,
            monetary_value float8,
            first_purchase timestamptz,
            last_purchase timestamptz,
            purchases bigint,
            total_spend float8,
            transactions bigint NOT NULL,
            last_transaction timestamptz,
            updated_at timestamptz NOT NULL)
        -- room on every page for the next version of its rows: the triggers' updates are
        -- then HOT (no new index entry), a bulk update of every customer 2.4x faster
        WITH (fillfactor = 50)$q$, nsp, tname);
    k.tracked := pg_catalog.format('%I.%I', nsp, tname)::regclass;
    EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', k.tracked,
        pg_catalog.format('clv_track: summaries of %s by %s (kept current by triggers; read with clv_tracked_summary)', source, customer_column));
    -- the triggers recompute customers by the customer column: it needs an index
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_index x
                   JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) x.indrelid
                        AND a.attnum OPERATOR(pg_catalog.=) x.indkey[0]
                   WHERE x.indrelid OPERATOR(pg_catalog.=) source AND a.attname OPERATOR(pg_catalog.=) customer_column
                     AND x.indpred IS NULL) THEN
        idx := pg_catalog.left(rel, 40) OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) pg_catalog.left(customer_column, 10) OPERATOR(pg_catalog.||) '_clv_idx';
        EXECUTE pg_catalog.format('CREATE INDEX %I ON %s (%I)', idx, source, customer_column);
        k.created_index := pg_catalog.format('%I.%I', nsp, idx);
    END IF;
    first_tracking := NOT EXISTS (SELECT FROM @extschema@.clv_tracking t WHERE t.source OPERATOR(pg_catalog.=) clv_track.source);
    INSERT INTO @extschema@.clv_tracking SELECT k.*;
    -- every customer now
    PERFORM @extschema@._clv_track_fill(k);
    IF first_tracking THEN
        EXECUTE pg_catalog.format('CREATE TRIGGER clv_track_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                                  'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._clv_track_trigger()', source);
        EXECUTE pg_catalog.format('CREATE TRIGGER clv_track_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                                  'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._clv_track_trigger()', source);
        EXECUTE pg_catalog.format('CREATE TRIGGER clv_track_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                                  'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._clv_track_trigger()', source);
        EXECUTE pg_catalog.format('CREATE TRIGGER clv_track_truncate AFTER TRUNCATE ON %s '
                                  'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._clv_track_trigger()', source);
    END IF;
    PERFORM pg_catalog.set_config('TimeZone', tz_saved, true);
    RETURN k.tracked;
END
$$;
COMMENT ON FUNCTION @extschema@.clv_track(regclass, text, text, text, text, text, text, text) IS
'Keeps <source>_clv_summary (per customer summary fields) current with triggers; read it with clv_tracked_summary';

CREATE FUNCTION @extschema@.clv_untrack(tracked regclass) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    k @extschema@.clv_tracking;
BEGIN
    SELECT * INTO k FROM @extschema@.clv_tracking t WHERE t.tracked OPERATOR(pg_catalog.=) clv_untrack.tracked;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'clv_untrack: % is not a tracked summary table', tracked
            USING ERRCODE = 'invalid_parameter_value', HINT = 'SELECT tracked FROM clv_tracking lists them.';
    END IF;
    DELETE FROM @extschema@.clv_tracking t WHERE t.tracked OPERATOR(pg_catalog.=) k.tracked;
    IF EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) k.source)
       AND NOT EXISTS (SELECT FROM @extschema@.clv_tracking t WHERE t.source OPERATOR(pg_catalog.=) k.source) THEN
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS clv_track_insert ON %1$s; DROP TRIGGER IF EXISTS clv_track_update ON %1$s; '
                                  'DROP TRIGGER IF EXISTS clv_track_delete ON %1$s; DROP TRIGGER IF EXISTS clv_track_truncate ON %1$s', k.source);
    END IF;
    -- (by name: a regclass column would not restore, indexes come after the data in a dump)
    IF pg_catalog.to_regclass(k.created_index) IS NOT NULL THEN
        EXECUTE pg_catalog.format('DROP INDEX %s', pg_catalog.to_regclass(k.created_index));
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) k.tracked) THEN
        EXECUTE pg_catalog.format('DROP TABLE %s', k.tracked);
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.clv_untrack(regclass) IS
'Stops tracking: drops the tracked summary table, its triggers and the index clv_track created';

CREATE FUNCTION @extschema@.clv_tracked_summary(tracked regclass, observation_end timestamptz)
RETURNS TABLE (customer_id text, summary @extschema@.clv_customer_summary)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE AS $$
DECLARE
    k @extschema@.clv_tracking;
    problem text;
    obs_day date;
    unit_days float8;
    nlate bigint;
    ntotal bigint;
    tz_saved text := pg_catalog.current_setting('TimeZone');
    wm_saved text := pg_catalog.current_setting('work_mem');
    hm_saved text := pg_catalog.current_setting('hash_mem_multiplier');
BEGIN
    SELECT * INTO k FROM @extschema@.clv_tracking t WHERE t.tracked OPERATOR(pg_catalog.=) clv_tracked_summary.tracked;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'clv_tracked_summary: % is not a tracked summary table', tracked
            USING ERRCODE = 'invalid_parameter_value', HINT = 'clv_track(...) creates one; SELECT tracked FROM clv_tracking lists them.';
    END IF;
    problem := @extschema@._clv_tracking_problem(k);
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION 'clv_tracked_summary: % cannot be read: %', k.tracked, problem
            USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'SELECT clv_untrack(...) then clv_track(...) again.';
    END IF;
    IF observation_end IS NULL OR NOT pg_catalog.isfinite(observation_end) THEN
        RAISE EXCEPTION 'clv_tracked_summary: observation_end must be a finite timestamp'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_catalog.set_config('TimeZone', k.time_zone, true);
    PERFORM @extschema@._clv_track_memory();
    obs_day := observation_end::date;
    unit_days := CASE WHEN k.unit OPERATOR(pg_catalog.=) 'week' THEN 7.0 ELSE 1.0 END;
    -- Most customers with a transaction after observation_end's day: the GROUP BY itself
    -- (reading the source once is cheaper than looking most customers up).
    EXECUTE pg_catalog.format(
        'SELECT pg_catalog.count(*) FILTER (WHERE d.last_transaction::date OPERATOR(pg_catalog.>) $1), pg_catalog.count(*) FROM %s d '
        'WHERE d.transactions OPERATOR(pg_catalog.>) 0', k.tracked) INTO nlate, ntotal USING obs_day;
    IF nlate OPERATOR(pg_catalog.*) 4 OPERATOR(pg_catalog.>) ntotal THEN
        RETURN QUERY EXECUTE pg_catalog.format(
            'SELECT s.%1$I::pg_catalog.text, @extschema@.clv_summary(s.%2$I, s.%3$I, $1, %4$L, %5$L) '
            'FROM %6$s s GROUP BY s.%1$I HAVING s.%1$I IS NOT NULL',
            k.customer_column, k.time_column, k.amount_column, k.unit, k.refunds, k.source)
        USING observation_end;
        PERFORM pg_catalog.set_config('TimeZone', tz_saved, true), pg_catalog.set_config('work_mem', wm_saved, true),
                pg_catalog.set_config('hash_mem_multiplier', hm_saved, true);
        RETURN;
    END IF;
    -- customers whose transactions all lie up to observation_end's day: from the stored
    -- fields; the others (some transaction later): clv_summary over their transactions
    RETURN QUERY EXECUTE pg_catalog.format($q$
        SELECT d.customer_id,
               CASE WHEN d.purchases IS NULL THEN NULL
                    ELSE ROW(d.frequency,
                             ((d.last_purchase::date OPERATOR(pg_catalog.-) d.first_purchase::date)::pg_catalog.float8 OPERATOR(pg_catalog./) $3),
                             (($2 OPERATOR(pg_catalog.-) d.first_purchase::date)::pg_catalog.float8 OPERATOR(pg_catalog./) $3),
                             d.monetary_value, d.first_purchase, d.last_purchase, $3,
                             ($2 OPERATOR(pg_catalog.-) d.last_purchase::date)::pg_catalog.float8,
                             d.purchases, d.total_spend)::@extschema@.clv_customer_summary END
        FROM %1$s d
        WHERE d.transactions OPERATOR(pg_catalog.>) 0
          AND (d.last_transaction IS NULL OR d.last_transaction::date OPERATOR(pg_catalog.<=) $2)
        UNION ALL
        SELECT s.%3$I::pg_catalog.text,
               @extschema@.clv_summary(s.%4$I, s.%5$I, $1, %6$L, %7$L)
        FROM %2$s s
        WHERE s.%3$I IN (SELECT l.customer_id::%8$s FROM %1$s l
                         WHERE l.transactions OPERATOR(pg_catalog.>) 0 AND l.last_transaction::date OPERATOR(pg_catalog.>) $2)
        GROUP BY s.%3$I$q$,
        k.tracked, k.source, k.customer_column, k.time_column, k.amount_column, k.unit, k.refunds,
        CASE WHEN k.customer_type OPERATOR(pg_catalog.=) 'pg_catalog.bpchar'::pg_catalog.regtype THEN 'pg_catalog.bpchar' ELSE pg_catalog.format_type(k.customer_type, NULL) END)
    USING observation_end, obs_day, unit_days;
    PERFORM pg_catalog.set_config('TimeZone', tz_saved, true), pg_catalog.set_config('work_mem', wm_saved, true),
            pg_catalog.set_config('hash_mem_multiplier', hm_saved, true);
END
$$;
COMMENT ON FUNCTION @extschema@.clv_tracked_summary(regclass, timestamptz) IS
'Summaries of a tracked table at observation_end: clv_summary(...) GROUP BY customer, read from the tracked table';
-- DDL on a tracked source or tracked table: an ALTER TABLE that renames, drops or retypes a
-- tracked column is an error (the whole command is rolled back), and so is dropping one of
-- the two tables alone; dropping both in one command forgets the tracking.
CREATE FUNCTION @extschema@._clv_track_ddl() RETURNS event_trigger
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    k @extschema@.clv_tracking;
    problem text;
    rewritten text;
    tz_saved text := pg_catalog.current_setting('TimeZone');
BEGIN
    -- every ALTER TABLE of the database comes here: roles that cannot see the catalog
    -- (no USAGE on clv's schema) track nothing
    IF NOT pg_catalog.has_schema_privilege((SELECT e.extnamespace FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'clv'), 'USAGE')
       OR NOT EXISTS (SELECT FROM @extschema@.clv_tracking) THEN
        RETURN;
    END IF;
    FOR k IN SELECT t.* FROM @extschema@.clv_tracking t
             WHERE t.source::oid IN (SELECT c.objid FROM pg_catalog.pg_event_trigger_ddl_commands() c)
                OR t.tracked::oid IN (SELECT c.objid FROM pg_catalog.pg_event_trigger_ddl_commands() c) LOOP
        problem := @extschema@._clv_tracking_problem(k);
        IF problem IS NOT NULL THEN
            RAISE EXCEPTION 'clv_track: this % would break the tracked summaries %: %', TG_TAG, k.tracked, problem
                USING ERRCODE = 'dependent_objects_still_exist',
                      HINT = pg_catalog.format('SELECT clv_untrack(%L) first, then clv_track(...) again after the change.', k.tracked::text);
        END IF;
    END LOOP;
    -- a rewritten source (ALTER COLUMN ... TYPE ... USING, a new scale): its values may
    -- have changed without any trigger firing, so its summaries are computed anew
    rewritten := pg_catalog.current_setting('clv_track.rewritten', true);
    IF rewritten IS NOT NULL AND rewritten OPERATOR(pg_catalog.<>) '' THEN
        PERFORM pg_catalog.set_config('clv_track.rewritten', '', true);
        FOR k IN SELECT t.* FROM @extschema@.clv_tracking t
                 WHERE t.source::oid OPERATOR(pg_catalog.=) ANY (pg_catalog.string_to_array(rewritten, ',')::oid[])
                 ORDER BY t.tracked::oid LOOP
            PERFORM pg_catalog.set_config('TimeZone', k.time_zone, true);
            PERFORM @extschema@._clv_track_fill(k);
        END LOOP;
        PERFORM pg_catalog.set_config('TimeZone', tz_saved, true);
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_track_ddl() IS
'Internal (clv_track): rejects ALTER TABLE commands that would break a tracking';

CREATE FUNCTION @extschema@._clv_track_drop() RETURNS event_trigger
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    k record;
BEGIN
    IF NOT pg_catalog.has_schema_privilege((SELECT e.extnamespace FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'clv'), 'USAGE')
       OR pg_catalog.to_regclass('@extschema@.clv_tracking') IS NULL THEN
        RETURN;					-- no access to clv's schema, or DROP EXTENSION
    END IF;
    -- a trigger of a tracking dropped while its source stays (clv_untrack forgets the
    -- tracking first)
    FOR k IN SELECT DISTINCT t.tracked, x.object_identity
             FROM pg_catalog.pg_event_trigger_dropped_objects() x
             JOIN @extschema@.clv_tracking t
               ON t.source::oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.quote_ident(x.address_names[1]) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(x.address_names[2]))::oid
             WHERE x.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::pg_catalog.regclass
               AND x.address_names[3] OPERATOR(pg_catalog.~) '^clv_track_(insert|update|delete|truncate)$' LOOP
        RAISE EXCEPTION 'clv_track: trigger % keeps the tracked summaries % current', k.object_identity, k.tracked
            USING ERRCODE = 'dependent_objects_still_exist',
                  HINT = pg_catalog.format('SELECT clv_untrack(%L) drops the tracking with its triggers.', k.tracked::text);
    END LOOP;
    FOR k IN SELECT t.tracked::oid AS tracked, s.object_identity AS source_gone, d.object_identity AS tracked_gone
             FROM @extschema@.clv_tracking t
             LEFT JOIN pg_catalog.pg_event_trigger_dropped_objects() s
                  ON s.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                 AND s.objid OPERATOR(pg_catalog.=) t.source::oid AND s.objsubid OPERATOR(pg_catalog.=) 0
             LEFT JOIN pg_catalog.pg_event_trigger_dropped_objects() d
                  ON d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                 AND d.objid OPERATOR(pg_catalog.=) t.tracked::oid AND d.objsubid OPERATOR(pg_catalog.=) 0
             WHERE s.objid IS NOT NULL OR d.objid IS NOT NULL LOOP
        IF k.source_gone IS NOT NULL AND k.tracked_gone IS NOT NULL THEN
            DELETE FROM @extschema@.clv_tracking t WHERE t.tracked::oid OPERATOR(pg_catalog.=) k.tracked;
        ELSIF k.source_gone IS NOT NULL THEN
            RAISE EXCEPTION 'clv_track: table % is the source of the tracked summaries %', k.source_gone, k.tracked::pg_catalog.regclass
                USING ERRCODE = 'dependent_objects_still_exist',
                      DETAIL = 'Dropping it alone would leave the tracked table without its source.',
                      HINT = pg_catalog.format('SELECT clv_untrack(%L) first, or drop both tables in one command.', k.tracked::pg_catalog.regclass::text);
        ELSE
            RAISE EXCEPTION 'clv_track: table % is a tracked summary table', k.tracked_gone
                USING ERRCODE = 'dependent_objects_still_exist',
                      DETAIL = 'Triggers on its source keep it current; they would fail without it.',
                      HINT = pg_catalog.format('SELECT clv_untrack(%L) drops it with its triggers.', k.tracked_gone);
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_track_drop() IS
'Internal (clv_track): rejects dropping a tracked table or its source alone';

-- Notes the tracked sources a command rewrites (a partition: its root) for _clv_track_ddl.
CREATE FUNCTION @extschema@._clv_track_rewrite() RETURNS event_trigger
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    rel oid := pg_catalog.pg_event_trigger_table_rewrite_oid();
    src oid;
BEGIN
    IF NOT pg_catalog.has_schema_privilege((SELECT e.extnamespace FROM pg_catalog.pg_extension e WHERE e.extname OPERATOR(pg_catalog.=) 'clv'), 'USAGE') THEN
        RETURN;
    END IF;
    FOR src IN SELECT DISTINCT t.source::oid FROM @extschema@.clv_tracking t
               WHERE t.source::oid IN (rel, pg_catalog.pg_partition_root(rel)::oid) LOOP
        PERFORM pg_catalog.set_config('clv_track.rewritten',
            pg_catalog.concat_ws(',', NULLIF(pg_catalog.current_setting('clv_track.rewritten', true), ''), src::text), true);
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_track_rewrite() IS
'Internal (clv_track): notes that ALTER TABLE rewrites a tracked source, whose summaries are then recomputed';

CREATE EVENT TRIGGER clv_track_rewrite ON table_rewrite
    EXECUTE FUNCTION @extschema@._clv_track_rewrite();
CREATE EVENT TRIGGER clv_track_ddl ON ddl_command_end WHEN TAG IN ('ALTER TABLE', 'ALTER TYPE')
    EXECUTE FUNCTION @extschema@._clv_track_ddl();
CREATE EVENT TRIGGER clv_track_drop ON sql_drop
    EXECUTE FUNCTION @extschema@._clv_track_drop();
-- ==== end track ====

-- ==== registry (issue 17): model registry, current scores, realization, alerts ====
-- Builds on track's tracked summaries (clv_track, clv_tracking, clv_tracked_summary).
-- Each refit is one transaction: a failed one leaves no version, prediction or alert.
-- The tables are configuration (pg_extension_config_dump): pg_dump keeps their rows.
------------------------------------------------------------------------------------------
CREATE SEQUENCE @extschema@.clv_alert_rules_seq;
CREATE SEQUENCE @extschema@.clv_alerts_seq;

CREATE TABLE @extschema@.clv_model_registry (
    name             text NOT NULL,
    version          int NOT NULL CHECK (version > 0),
    kind             text NOT NULL CHECK (kind IN ('bgnbd', 'pareto_nbd', 'mbgnbd')),
    fitted_at        timestamptz NOT NULL DEFAULT pg_catalog.now(),
    tracked          regclass NOT NULL,
    observation_end  timestamptz NOT NULL,
    unit_days        float8 NOT NULL,
    penalizer        float8 NOT NULL,
    horizons         float8[] NOT NULL,
    months           int NOT NULL,
    monthly_discount float8 NOT NULL,
    n_customers      bigint NOT NULL,
    log_likelihood   float8,
    converged        bool,
    bgnbd            @extschema@.bgnbd_model,
    pareto_nbd       @extschema@.pareto_nbd_model,
    mbgnbd           @extschema@.mbgnbd_model,
    gamma_gamma      @extschema@.gamma_gamma_model,
    rfm_cuts         float8[],
    PRIMARY KEY (name, version),
    -- NOT (x IS NULL): a model with a NULL standard error is not "IS NOT NULL"
    CHECK ((kind = 'bgnbd') = NOT (bgnbd IS NULL)
           AND (kind = 'pareto_nbd') = NOT (pareto_nbd IS NULL)
           AND (kind = 'mbgnbd') = NOT (mbgnbd IS NULL))
);

CREATE TABLE @extschema@.clv_predictions (
    name               text NOT NULL,
    version            int NOT NULL,
    customer_id        text NOT NULL,
    horizon            float8 NOT NULL,
    horizon_end        timestamptz NOT NULL,
    p_alive            float8,
    expected_purchases float8,
    expected_spend     float8,
    expected_revenue   float8,
    clv                float8,
    segment            text,
    first_purchase     timestamptz,
    last_purchase      timestamptz,
    PRIMARY KEY (name, version, customer_id, horizon)
);

CREATE TABLE @extschema@.clv_alert_rules (
    rule_id        bigint PRIMARY KEY
                   DEFAULT pg_catalog.nextval('@extschema@.clv_alert_rules_seq'::pg_catalog.regclass),
    name           text NOT NULL,
    p_alive_below  float8 CHECK (p_alive_below > 0 AND p_alive_below <= 1),
    clv_above      float8 NOT NULL DEFAULT 0,
    segments       text[] CHECK (segments <@ ARRAY['Champions', 'Loyal Customers', 'Potential Loyalist',
                                                   'New Customers', 'Promising', 'Need Attention',
                                                   'About To Sleep', 'At Risk', 'Can''t Lose Them',
                                                   'Hibernating', 'Lost']
                                 AND cardinality(segments) > 0),
    enabled        bool NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CHECK (num_nonnulls(p_alive_below, segments) = 1)
);

CREATE TABLE @extschema@.clv_alerts (
    alert_id     bigint PRIMARY KEY
                 DEFAULT pg_catalog.nextval('@extschema@.clv_alerts_seq'::pg_catalog.regclass),
    rule_id      bigint NOT NULL,
    name         text NOT NULL,
    version      int NOT NULL,
    customer_id  text NOT NULL,
    rule         text NOT NULL,
    p_alive      float8,
    clv          float8,
    segment      text,
    source       text NOT NULL CHECK (source IN ('refit', 'order')),
    observed_at  timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX clv_alerts_customer ON @extschema@.clv_alerts (name, customer_id);

-- Customers who currently meet a rule: an alert is raised when one enters it.
CREATE TABLE @extschema@._clv_alert_state (
    rule_id      bigint NOT NULL,
    customer_id  text NOT NULL,
    since        timestamptz NOT NULL,
    PRIMARY KEY (rule_id, customer_id)
);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.clv_model_registry', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.clv_predictions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.clv_alert_rules', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.clv_alerts', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@._clv_alert_state', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.clv_alert_rules_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.clv_alerts_seq', '');

COMMENT ON TABLE @extschema@.clv_model_registry IS
    'Fitted models by name and version: kind, data window, unit, the model composites and fit diagnostics (clv_refit)';
COMMENT ON TABLE @extschema@.clv_predictions IS
    'Each refit''s predictions per customer and horizon: P(alive), expected purchases and revenue, CLV, RFM segment';
COMMENT ON TABLE @extschema@.clv_alert_rules IS
    'Alert thresholds per model name: P(alive) below p_alive_below with CLV above clv_above, or entry into an RFM segment';
COMMENT ON TABLE @extschema@.clv_alerts IS
    'One row per customer crossing into an alert rule (after a refit or a new order); also sent by NOTIFY on channel clv_alerts';
COMMENT ON TABLE @extschema@._clv_alert_state IS
    'internal: the customers that currently meet each alert rule';
COMMENT ON SEQUENCE @extschema@.clv_alert_rules_seq IS 'rule_id of clv_alert_rules';
COMMENT ON SEQUENCE @extschema@.clv_alerts_seq IS 'alert_id of clv_alerts';

-- One tracked row as clv_summary's composite at observation_end: calendar days in the
-- tracking's time zone, as clv_summary counts them.
CREATE FUNCTION @extschema@._clv_row_summary(frequency int, monetary_value float8,
                                             first_purchase timestamptz, last_purchase timestamptz,
                                             purchases bigint, total_spend float8,
                                             observation_end timestamptz, unit_days float8,
                                             time_zone text)
RETURNS @extschema@.clv_customer_summary
LANGUAGE sql IMMUTABLE PARALLEL SAFE
-- no SET: inlined into the scoring path; every operator qualified instead. A tracked row
-- holds finite values; a non-finite or non-positive one (a forged call) reads as NULL.
AS $$
    SELECT ROW(frequency,
               ((pg_catalog.timezone(time_zone, last_purchase))::pg_catalog.date OPERATOR(pg_catalog.-) (pg_catalog.timezone(time_zone, first_purchase))::pg_catalog.date)::pg_catalog.float8 OPERATOR(pg_catalog./) (CASE WHEN unit_days OPERATOR(pg_catalog.>) 0 AND unit_days OPERATOR(pg_catalog.<) 'Infinity' THEN unit_days END),
               ((pg_catalog.timezone(time_zone, observation_end))::pg_catalog.date OPERATOR(pg_catalog.-) (pg_catalog.timezone(time_zone, first_purchase))::pg_catalog.date)::pg_catalog.float8 OPERATOR(pg_catalog./) (CASE WHEN unit_days OPERATOR(pg_catalog.>) 0 AND unit_days OPERATOR(pg_catalog.<) 'Infinity' THEN unit_days END),
               (CASE WHEN monetary_value OPERATOR(pg_catalog.>) '-Infinity' AND monetary_value OPERATOR(pg_catalog.<) 'Infinity' THEN monetary_value END), first_purchase, last_purchase, (CASE WHEN unit_days OPERATOR(pg_catalog.>) 0 AND unit_days OPERATOR(pg_catalog.<) 'Infinity' THEN unit_days END),
               ((pg_catalog.timezone(time_zone, observation_end))::pg_catalog.date OPERATOR(pg_catalog.-) (pg_catalog.timezone(time_zone, last_purchase))::pg_catalog.date)::pg_catalog.float8,
               purchases, (CASE WHEN total_spend OPERATOR(pg_catalog.>) '-Infinity' AND total_spend OPERATOR(pg_catalog.<) 'Infinity' THEN total_spend END))::@extschema@.clv_customer_summary
$$;
COMMENT ON FUNCTION @extschema@._clv_row_summary(int, float8, timestamptz, timestamptz, bigint, float8, timestamptz, float8, text) IS
    'internal: a tracked row as clv_customer_summary at observation_end';

-- RFM segment of one customer against a refit's cut points (rfm_cuts: for R the largest
-- days_since_last_purchase scoring 2..5, for F and M the smallest purchases / total_spend
-- scoring 2..5): the scores rfm_score gave at the refit, extended to new values.
CREATE FUNCTION @extschema@._clv_rfm_segment(rfm_cuts float8[], summary @extschema@.clv_customer_summary)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT CASE WHEN rfm_cuts IS NULL OR summary IS NULL THEN NULL ELSE
        @extschema@.rfm_segment(
            1 OPERATOR(pg_catalog.+) coalesce((summary.days_since_last_purchase OPERATOR(pg_catalog.<=) rfm_cuts[1])::pg_catalog.int4, 0) OPERATOR(pg_catalog.+) coalesce((summary.days_since_last_purchase OPERATOR(pg_catalog.<=) rfm_cuts[2])::pg_catalog.int4, 0) OPERATOR(pg_catalog.+) coalesce((summary.days_since_last_purchase OPERATOR(pg_catalog.<=) rfm_cuts[3])::pg_catalog.int4, 0) OPERATOR(pg_catalog.+) coalesce((summary.days_since_last_purchase OPERATOR(pg_catalog.<=) rfm_cuts[4])::pg_catalog.int4, 0),
            1 OPERATOR(pg_catalog.+) coalesce((summary.purchases OPERATOR(pg_catalog.>=) rfm_cuts[5])::pg_catalog.int4, 0) OPERATOR(pg_catalog.+) coalesce((summary.purchases OPERATOR(pg_catalog.>=) rfm_cuts[6])::pg_catalog.int4, 0) OPERATOR(pg_catalog.+) coalesce((summary.purchases OPERATOR(pg_catalog.>=) rfm_cuts[7])::pg_catalog.int4, 0) OPERATOR(pg_catalog.+) coalesce((summary.purchases OPERATOR(pg_catalog.>=) rfm_cuts[8])::pg_catalog.int4, 0),
            1 OPERATOR(pg_catalog.+) coalesce((summary.total_spend OPERATOR(pg_catalog.>=) rfm_cuts[9])::pg_catalog.int4, 0) OPERATOR(pg_catalog.+) coalesce((summary.total_spend OPERATOR(pg_catalog.>=) rfm_cuts[10])::pg_catalog.int4, 0) OPERATOR(pg_catalog.+) coalesce((summary.total_spend OPERATOR(pg_catalog.>=) rfm_cuts[11])::pg_catalog.int4, 0) OPERATOR(pg_catalog.+) coalesce((summary.total_spend OPERATOR(pg_catalog.>=) rfm_cuts[12])::pg_catalog.int4, 0)) END
$$;
COMMENT ON FUNCTION @extschema@._clv_rfm_segment(float8[], @extschema@.clv_customer_summary) IS
    'internal: RFM segment of a summary against the cut points of a refit';

-- P(alive), expected purchases over horizon, expected spend and CLV of one customer
-- under one registered version. CLV: as gamma_gamma_clv (months of 30 days, discounted
-- monthly) with the version's purchase model; NULL without a spend model.
CREATE FUNCTION @extschema@._clv_score_summary(m @extschema@.clv_model_registry,
                                               summary @extschema@.clv_customer_summary,
                                               horizon float8,
                                               OUT p_alive float8, OUT expected_purchases float8,
                                               OUT expected_spend float8, OUT clv float8)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
    prev float8 := 0;
    cum float8;
BEGIN
    -- a row of clv_model_registry has passed these checks; a forged one may not have
    IF NOT coalesce(m.kind OPERATOR(pg_catalog.=) ANY ('{bgnbd,pareto_nbd,mbgnbd}'::text[])
                    AND m.months OPERATOR(pg_catalog.>=) 0 AND m.months OPERATOR(pg_catalog.<=) 1200
                    AND m.monthly_discount OPERATOR(pg_catalog.>) -1
                    AND m.monthly_discount OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.float8
                    AND m.unit_days OPERATOR(pg_catalog.>) 0
                    AND m.unit_days OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.float8, false) THEN
        RAISE EXCEPTION 'clv_score: not a valid registered model: kind %, months %, monthly_discount %, unit_days %',
                        m.kind, m.months, m.monthly_discount, m.unit_days
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Score models of clv_model_registry (clv_refit stores them).';
    END IF;
    IF m.kind OPERATOR(pg_catalog.=) 'bgnbd' THEN
        p_alive := @extschema@.bgnbd_p_alive(m.bgnbd, summary);
        expected_purchases := @extschema@.bgnbd_expected_purchases(m.bgnbd, horizon, summary);
    ELSIF m.kind OPERATOR(pg_catalog.=) 'pareto_nbd' THEN
        p_alive := @extschema@.pareto_nbd_p_alive(m.pareto_nbd, summary);
        expected_purchases := @extschema@.pareto_nbd_expected_purchases(m.pareto_nbd, horizon, summary);
    ELSE
        p_alive := @extschema@.mbgnbd_p_alive(m.mbgnbd, summary);
        expected_purchases := @extschema@.mbgnbd_expected_purchases(m.mbgnbd, horizon, summary);
    END IF;
    IF m.gamma_gamma IS NULL THEN
        RETURN;
    END IF;
    expected_spend := @extschema@.gamma_gamma_expected_spend(m.gamma_gamma, summary);
    IF m.kind OPERATOR(pg_catalog.=) 'bgnbd' THEN
        clv := @extschema@.gamma_gamma_clv(m.bgnbd, m.gamma_gamma, summary, m.months, m.monthly_discount);
        RETURN;
    END IF;
    clv := 0;
    FOR i IN 1 .. m.months LOOP
        cum := CASE m.kind
                   WHEN 'pareto_nbd' THEN @extschema@.pareto_nbd_expected_purchases(m.pareto_nbd, i OPERATOR(pg_catalog.*) 30.0::pg_catalog.float8 OPERATOR(pg_catalog./) m.unit_days, summary)
                   ELSE @extschema@.mbgnbd_expected_purchases(m.mbgnbd, i OPERATOR(pg_catalog.*) 30.0::pg_catalog.float8 OPERATOR(pg_catalog./) m.unit_days, summary) END;
        -- (OPERATOR() has one precedence, left to right: parenthesized)
        clv := clv OPERATOR(pg_catalog.+) (((cum OPERATOR(pg_catalog.-) prev) OPERATOR(pg_catalog.*) expected_spend)
               OPERATOR(pg_catalog./) pg_catalog.power(1 OPERATOR(pg_catalog.+) m.monthly_discount, i));
        prev := cum;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_score_summary(@extschema@.clv_model_registry, @extschema@.clv_customer_summary, float8) IS
    'internal: P(alive), expected purchases, expected spend and CLV of a summary under a registered version';

-- The tracking of a tracked table, or a clear error when it is gone or not tracked.
CREATE FUNCTION @extschema@._clv_tracking_of(tracked regclass, caller text, model text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) tracked) THEN
        RAISE EXCEPTION '%: the tracked table of model "%" no longer exists', caller, model
            USING ERRCODE = 'undefined_table',
                  DETAIL = pg_catalog.format('The table (OID %s) was dropped after the model was fitted on it.', tracked::oid),
                  HINT = 'Track the orders again with clv_track(...) and pass its result as tracked => to clv_refit.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM @extschema@.clv_tracking t WHERE t.tracked OPERATOR(pg_catalog.=) $1) THEN
        RAISE EXCEPTION '%: table % is not a tracked summary', caller, tracked
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'clv_tracking has no row for it: it was not created by clv_track, or its tracking was removed.',
                  HINT = 'Pass the table clv_track(source, customer_column, time_column, amount_column) returned.';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_tracking_of(regclass, text, text) IS
    'internal: an error naming what is wrong unless tracked is a tracked table';

-- The version of a model: the latest unless one is given.
CREATE FUNCTION @extschema@._clv_model_version(name text, version int, caller text)
RETURNS @extschema@.clv_model_registry
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    m @extschema@.clv_model_registry;
BEGIN
    SELECT * INTO m FROM @extschema@.clv_model_registry r
    WHERE r.name OPERATOR(pg_catalog.=) $1 AND ($2 IS NULL OR r.version OPERATOR(pg_catalog.=) $2)
    ORDER BY r.version DESC LIMIT 1;
    IF NOT FOUND THEN
        IF version IS NOT NULL AND EXISTS (SELECT 1 FROM @extschema@.clv_model_registry r
                                           WHERE r.name OPERATOR(pg_catalog.=) $1) THEN
            RAISE EXCEPTION '%: model "%" has no version %', caller, name, version
                USING ERRCODE = 'no_data_found',
                      DETAIL = pg_catalog.format('Its versions are %s.',
                                      (SELECT pg_catalog.string_agg(r.version::text, ', ' ORDER BY r.version)
                                       FROM @extschema@.clv_model_registry r WHERE r.name OPERATOR(pg_catalog.=) $1)),
                      HINT = 'Leave version out (NULL) for the latest.';
        END IF;
        RAISE EXCEPTION '%: no model named "%" in clv_model_registry', caller, name
            USING ERRCODE = 'no_data_found',
                  HINT = 'Fit it first: SELECT clv_refit(name, tracked => clv_track(...)).';
    END IF;
    RETURN m;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_model_version(text, int, text) IS
    'internal: a registered version (the latest when version is NULL), or an error';

-- Alert crossings of one model version for a set of scored customers: enters the state of
-- every rule a customer now meets and did not (an alert row + NOTIFY clv_alerts), leaves
-- it for those who no longer meet it. complete: the set is every customer (a refit), so
-- customers missing from it leave every state.
CREATE FUNCTION @extschema@._clv_alerts_apply(m @extschema@.clv_model_registry, event_source text,
                                              cust_ids text[], cust_p_alive float8[], cust_clv float8[],
                                              cust_segment text[], cust_observed_at timestamptz[],
                                              complete bool)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
-- no SET of its own: its two callers (clv_refit, _clv_alerts_trigger) pin search_path
AS $$
DECLARE
    a record;
    n bigint := 0;
BEGIN
    -- leaving: no longer meets the rule (or, after a refit, no longer a customer)
    DELETE FROM @extschema@._clv_alert_state st
    USING @extschema@.clv_alert_rules r
    WHERE st.rule_id OPERATOR(pg_catalog.=) r.rule_id AND r.name OPERATOR(pg_catalog.=) m.name
      AND (EXISTS (SELECT 1 FROM (SELECT * FROM unnest(cust_ids, cust_p_alive, cust_clv, cust_segment, cust_observed_at) AS u(customer_id, p_alive, clv, segment, observed_at)) i
                   WHERE i.customer_id OPERATOR(pg_catalog.=) st.customer_id
                     AND NOT coalesce(CASE WHEN r.segments IS NOT NULL THEN i.segment OPERATOR(pg_catalog.=) ANY (r.segments)
                                           ELSE i.p_alive OPERATOR(pg_catalog.<) r.p_alive_below
                                                AND i.clv OPERATOR(pg_catalog.>) r.clv_above END, false))
           OR (complete AND NOT EXISTS (SELECT 1 FROM (SELECT * FROM unnest(cust_ids, cust_p_alive, cust_clv, cust_segment, cust_observed_at) AS u(customer_id, p_alive, clv, segment, observed_at)) i
                                        WHERE i.customer_id OPERATOR(pg_catalog.=) st.customer_id)));

    -- entering: meets an enabled rule and was not in its state
    FOR a IN
        WITH entered AS (
            INSERT INTO @extschema@._clv_alert_state
            SELECT r.rule_id, i.customer_id, i.observed_at
            FROM @extschema@.clv_alert_rules r, (SELECT * FROM unnest(cust_ids, cust_p_alive, cust_clv, cust_segment, cust_observed_at) AS u(customer_id, p_alive, clv, segment, observed_at)) i
            WHERE r.name OPERATOR(pg_catalog.=) m.name AND r.enabled
              AND coalesce(CASE WHEN r.segments IS NOT NULL THEN i.segment OPERATOR(pg_catalog.=) ANY (r.segments)
                                ELSE i.p_alive OPERATOR(pg_catalog.<) r.p_alive_below
                                     AND i.clv OPERATOR(pg_catalog.>) r.clv_above END, false)
            ON CONFLICT DO NOTHING
            RETURNING rule_id, customer_id)
        INSERT INTO @extschema@.clv_alerts (rule_id, name, version, customer_id, rule, p_alive, clv,
                                            segment, source, observed_at)
        SELECT e.rule_id, m.name, m.version, e.customer_id,
               CASE WHEN r.segments IS NOT NULL THEN 'segment' ELSE 'p_alive' END,
               i.p_alive, i.clv, i.segment, event_source, i.observed_at
        FROM entered e
        JOIN @extschema@.clv_alert_rules r ON r.rule_id OPERATOR(pg_catalog.=) e.rule_id
        JOIN (SELECT * FROM unnest(cust_ids, cust_p_alive, cust_clv, cust_segment, cust_observed_at) AS u(customer_id, p_alive, clv, segment, observed_at)) i ON i.customer_id OPERATOR(pg_catalog.=) e.customer_id
        ORDER BY e.customer_id, e.rule_id
        RETURNING *
    LOOP
        PERFORM pg_catalog.pg_notify('clv_alerts', pg_catalog.json_build_object(
            'alert_id', a.alert_id, 'rule_id', a.rule_id, 'model', a.name, 'version', a.version,
            'customer_id', a.customer_id, 'rule', a.rule,
            'p_alive', pg_catalog.round(a.p_alive::numeric, 4), 'clv', pg_catalog.round(a.clv::numeric, 2),
            'segment', a.segment, 'source', a.source,
            -- in UTC: the same text whatever TimeZone the writer (or the tracking) has
            'observed_at', pg_catalog.to_char(pg_catalog.timezone('UTC', a.observed_at), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))::text);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_alerts_apply(@extschema@.clv_model_registry, text, text[], float8[], float8[], text[], timestamptz[], bool) IS
    'internal: records and notifies the alert crossings of scored customers';

-- After an order changed tracked rows: each changed customer is scored under the latest
-- version of every model on this table that has an enabled rule, as of their latest
-- purchase or the version's observation_end, whichever is later.
CREATE FUNCTION @extschema@._clv_alerts_trigger()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
-- Runs as the extension owner: a role that may write orders (and, for clv_track, the
-- tracked table) needs no right on the registry, and cannot forge alerts or rules. Safe
-- as such: search_path pinned, no dynamic SQL, it reads only the transition table and the
-- registry, and EXECUTE is not granted (only clv_refit attaches it).
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m @extschema@.clv_model_registry;
    k record;
    c record;
BEGIN
    FOR m IN
        SELECT DISTINCT ON (r.name) r.* FROM @extschema@.clv_model_registry r
        WHERE r.tracked OPERATOR(pg_catalog.=) TG_RELID::pg_catalog.regclass
          AND EXISTS (SELECT 1 FROM @extschema@.clv_alert_rules a
                      WHERE a.name OPERATOR(pg_catalog.=) r.name AND a.enabled)
        ORDER BY r.name, r.version DESC
    LOOP
        SELECT * INTO k FROM @extschema@.clv_tracking t WHERE t.tracked OPERATOR(pg_catalog.=) m.tracked;
        SELECT array_agg(customer_id) AS ids, array_agg((sc).p_alive) AS p, array_agg((sc).clv) AS v,
               array_agg(@extschema@._clv_rfm_segment(m.rfm_cuts, s)) AS seg, array_agg(asof) AS at
        INTO c
        FROM (SELECT n.customer_id, s, asof,
                     @extschema@._clv_score_summary(m, s, m.horizons[1]) AS sc
              FROM (SELECT n.customer_id, asof,
                           @extschema@._clv_row_summary(n.frequency, n.monetary_value, n.first_purchase,
                                                        n.last_purchase, n.purchases, n.total_spend,
                                                        asof, m.unit_days, k.time_zone) AS s
                    FROM _clv_changed n,
                         LATERAL (SELECT greatest(m.observation_end, n.last_purchase) AS asof) t
                    WHERE n.customer_id IS NOT NULL AND n.last_purchase IS NOT NULL) n) x;
        IF c.ids IS NOT NULL THEN
            PERFORM @extschema@._clv_alerts_apply(m, 'order', c.ids, c.p, c.v, c.seg, c.at, false);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_alerts_trigger() IS
    'internal: statement trigger on a tracked table, checks the alert rules of the changed customers';
REVOKE EXECUTE ON FUNCTION @extschema@._clv_alerts_trigger() FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION @extschema@._clv_alerts_apply(@extschema@.clv_model_registry, text, text[], float8[], float8[], text[], timestamptz[], bool) FROM PUBLIC;

CREATE FUNCTION @extschema@.clv_refit(name text, tracked regclass DEFAULT NULL, kind text DEFAULT NULL,
                                      observation_end timestamptz DEFAULT pg_catalog.now(),
                                      horizons float8[] DEFAULT NULL, penalizer float8 DEFAULT 0,
                                      months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01)
RETURNS int
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $body$
DECLARE
    prev @extschema@.clv_model_registry;
    m @extschema@.clv_model_registry;
    k record;
    fits record;
    alerts record;
BEGIN
    IF name IS NULL OR name OPERATOR(pg_catalog.=) '' OR observation_end IS NULL OR penalizer IS NULL
       OR months IS NULL OR monthly_discount IS NULL THEN
        RAISE EXCEPTION 'clv_refit: name, observation_end, penalizer, months and monthly_discount may not be NULL or empty'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'SELECT clv_refit(''shop'', tracked => clv_track(''orders'', ''customer_id'', ''ordered_at'', ''amount''))';
    END IF;
    IF kind IS NOT NULL AND kind OPERATOR(pg_catalog.<>) ALL (ARRAY['bgnbd', 'pareto_nbd', 'mbgnbd']) THEN
        RAISE EXCEPTION 'clv_refit: unknown model kind "%"', kind
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'kind is ''bgnbd'', ''pareto_nbd'' or ''mbgnbd'' (with a Gamma-Gamma spend model alongside).';
    END IF;
    -- one refit of a name at a time: versions are consecutive
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('clv_refit'), pg_catalog.hashtext(name));
    SELECT * INTO prev FROM @extschema@.clv_model_registry r
    WHERE r.name OPERATOR(pg_catalog.=) clv_refit.name ORDER BY r.version DESC LIMIT 1;
    IF FOUND AND kind IS NOT NULL AND kind OPERATOR(pg_catalog.<>) prev.kind THEN
        RAISE EXCEPTION 'clv_refit: model "%" is a % model, not %', name, prev.kind, kind
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = format('Its versions 1 .. %s are %s fits; a version of another kind would not be comparable.',
                                  prev.version, prev.kind),
                  HINT = format('Leave kind out to refit it as %s, or register the %s fit under a new name.', prev.kind, kind);
    END IF;
    IF tracked IS NULL AND prev IS NULL THEN
        RAISE EXCEPTION 'clv_refit: model "%" has no version yet, so tracked is needed', name
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the table clv_track(...) returned: clv_refit(name, tracked => ...).';
    END IF;
    m.name := name;
    m.version := coalesce(prev.version, 0) + 1;
    m.kind := coalesce(kind, prev.kind, 'bgnbd');
    m.tracked := coalesce(tracked, prev.tracked);
    PERFORM @extschema@._clv_tracking_of(m.tracked, 'clv_refit', m.name);
    SELECT * INTO k FROM @extschema@.clv_tracking t WHERE t.tracked OPERATOR(pg_catalog.=) m.tracked;
    m.fitted_at := pg_catalog.now();
    m.observation_end := observation_end;
    m.unit_days := CASE WHEN pg_catalog.lower(k.unit) IN ('week', 'weeks') THEN 7 ELSE 1 END;
    m.penalizer := penalizer;
    m.horizons := coalesce(horizons, ARRAY[30 / m.unit_days, 90 / m.unit_days, 365 / m.unit_days]);
    IF cardinality(m.horizons) IS NULL OR cardinality(m.horizons) OPERATOR(pg_catalog.<) 1
       OR EXISTS (SELECT 1 FROM unnest(m.horizons) h WHERE NOT (h OPERATOR(pg_catalog.>) 0 AND h OPERATOR(pg_catalog.<) 'Infinity')) THEN
        RAISE EXCEPTION 'clv_refit: horizons must be positive and finite, got %', horizons
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'horizons are in the model''s unit (days or weeks, as the tracked table), e.g. ARRAY[30, 90, 365] for days.';
    END IF;
    IF NOT (months >= 0 AND months <= 1200) OR NOT (monthly_discount > -1 AND monthly_discount < 'Infinity') THEN
        RAISE EXCEPTION 'clv_refit: months must be in 0 .. 1200 and monthly_discount finite and above -1, got % and %',
                        months, monthly_discount
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'CLV sums months of 30 days discounted at monthly_discount, e.g. months => 12, monthly_discount => 0.01.';
    END IF;
    m.months := months;
    m.monthly_discount := monthly_discount;

    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE purchases IS NOT NULL AND first_purchase <= $1)', m.tracked)
        INTO fits USING observation_end;
    IF NOT fits.exists THEN
        RAISE EXCEPTION 'clv_refit: no customer of % has a purchase up to %', m.tracked, observation_end
            USING ERRCODE = 'no_data_found',
                  DETAIL = 'A model cannot be fitted without data; no version was stored.',
                  HINT = 'Load orders into the tracked source table, or pass a later observation_end.';
    END IF;
    -- the fits, on the tracked summaries at observation_end
    EXECUTE format($q$
        SELECT count(*) AS n, @extschema@.%I(s.summary, $2) AS model,
               @extschema@.gamma_gamma_fit(s.summary, $2)
                   FILTER (WHERE (s.summary).frequency > 0 AND (s.summary).monetary_value > 0) AS gg
        FROM @extschema@.clv_tracked_summary($1, $3) s WHERE s.summary IS NOT NULL$q$, m.kind || '_fit')
        INTO fits USING m.tracked, penalizer, observation_end;
    -- one assignment per kind: a cached plan keeps the type of fits.model it first saw
    IF m.kind = 'bgnbd' THEN
        m.bgnbd := fits.model;
        m.log_likelihood := (m.bgnbd).log_likelihood;
        m.converged := (m.bgnbd).converged;
    ELSIF m.kind = 'pareto_nbd' THEN
        m.pareto_nbd := fits.model;
        m.log_likelihood := (m.pareto_nbd).log_likelihood;
        m.converged := (m.pareto_nbd).converged;
    ELSE
        m.mbgnbd := fits.model;
        m.log_likelihood := (m.mbgnbd).log_likelihood;
        m.converged := (m.mbgnbd).converged;
    END IF;
    m.gamma_gamma := fits.gg;
    m.n_customers := fits.n;
    INSERT INTO @extschema@.clv_model_registry SELECT m.*;

    -- predictions per customer and horizon, and the RFM cut points of this population
    WITH s AS MATERIALIZED (
        SELECT t.customer_id, t.summary, @extschema@._clv_score_summary(m, t.summary, h.h) AS sc, h.h, h.i
        FROM @extschema@.clv_tracked_summary(m.tracked, observation_end) t,
             unnest(m.horizons) WITH ORDINALITY h(h, i)
        WHERE t.summary IS NOT NULL),
    r AS MATERIALIZED (
        SELECT s.customer_id, s.summary,
               @extschema@.rfm_score((s.summary).days_since_last_purchase, (s.summary).purchases,
                                     (s.summary).total_spend) OVER () AS rfm
        FROM s WHERE s.i OPERATOR(pg_catalog.=) 1),
    ins AS (
        INSERT INTO @extschema@.clv_predictions
        SELECT m.name, m.version, s.customer_id, s.h,
               observation_end + interval '1 day' * pg_catalog.round((s.h * m.unit_days)::numeric, 6)::float8,
               (s.sc).p_alive, (s.sc).expected_purchases, (s.sc).expected_spend,
               (s.sc).expected_purchases * (s.sc).expected_spend, (s.sc).clv,
               (r.rfm).segment, (s.summary).first_purchase, (s.summary).last_purchase
        FROM s JOIN r USING (customer_id))
    UPDATE @extschema@.clv_model_registry g
    SET rfm_cuts = (SELECT ARRAY[max((summary).days_since_last_purchase) FILTER (WHERE (rfm).r >= 2),
                                 max((summary).days_since_last_purchase) FILTER (WHERE (rfm).r >= 3),
                                 max((summary).days_since_last_purchase) FILTER (WHERE (rfm).r >= 4),
                                 max((summary).days_since_last_purchase) FILTER (WHERE (rfm).r >= 5),
                                 min((summary).purchases) FILTER (WHERE (rfm).f >= 2),
                                 min((summary).purchases) FILTER (WHERE (rfm).f >= 3),
                                 min((summary).purchases) FILTER (WHERE (rfm).f >= 4),
                                 min((summary).purchases) FILTER (WHERE (rfm).f >= 5),
                                 min((summary).total_spend) FILTER (WHERE (rfm).m >= 2),
                                 min((summary).total_spend) FILTER (WHERE (rfm).m >= 3),
                                 min((summary).total_spend) FILTER (WHERE (rfm).m >= 4),
                                 min((summary).total_spend) FILTER (WHERE (rfm).m >= 5)]::float8[]
                    FROM r)
    WHERE g.name OPERATOR(pg_catalog.=) m.name AND g.version OPERATOR(pg_catalog.=) m.version
    RETURNING g.* INTO m;

    -- new orders re-check the alert rules: a statement trigger per event on the tracked table
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                   WHERE t.tgrelid OPERATOR(pg_catalog.=) m.tracked AND t.tgname OPERATOR(pg_catalog.=) 'clv_alerts_insert') THEN
        EXECUTE format('CREATE TRIGGER clv_alerts_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS _clv_changed '
                       'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._clv_alerts_trigger()', m.tracked);
        EXECUTE format('CREATE TRIGGER clv_alerts_update AFTER UPDATE ON %s REFERENCING NEW TABLE AS _clv_changed '
                       'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._clv_alerts_trigger()', m.tracked);
    END IF;

    -- the alert rules, on the refit's scores at observation_end (first horizon's rows)
    SELECT array_agg(p.customer_id ORDER BY p.customer_id) AS ids, array_agg(p.p_alive ORDER BY p.customer_id) AS p,
           array_agg(p.clv ORDER BY p.customer_id) AS v, array_agg(p.segment ORDER BY p.customer_id) AS seg,
           array_agg(observation_end ORDER BY p.customer_id) AS at
    INTO alerts
    FROM @extschema@.clv_predictions p
    WHERE p.name OPERATOR(pg_catalog.=) m.name AND p.version OPERATOR(pg_catalog.=) m.version
      AND p.horizon OPERATOR(pg_catalog.=) m.horizons[1];
    IF EXISTS (SELECT 1 FROM @extschema@.clv_alert_rules a WHERE a.name OPERATOR(pg_catalog.=) m.name) THEN
        PERFORM @extschema@._clv_alerts_apply(m, 'refit', alerts.ids, alerts.p, alerts.v, alerts.seg, alerts.at, true);
    END IF;
    RETURN m.version;
END
$body$;
COMMENT ON FUNCTION @extschema@.clv_refit(text, regclass, text, timestamptz, float8[], float8, int, float8) IS
    'Refits a named model on tracked summaries at observation_end: stores a new version, its predictions, its alerts';

-- The customer's row of a tracked table, by its primary key (src/registry_sql.c): the
-- columns named in the call's column definition list; NULL without a row.
CREATE FUNCTION @extschema@._clv_tracked_row(tracked regclass, customer_id text)
RETURNS record
AS 'MODULE_PATHNAME', 'clv_tracked_row'
LANGUAGE C STABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION @extschema@._clv_tracked_row(regclass, text) IS
    'internal: a customer''s row of a tracked table (primary key lookup), columns as the call names them';

-- Why clv_score found nothing to score (bad arguments, no such model or version, no
-- tracking): raises the error; reached only then.
CREATE FUNCTION @extschema@._clv_score_fail(name text, customer_id text, horizon float8,
                                            version int, observation_end timestamptz)
RETURNS bool
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    m @extschema@.clv_model_registry;
BEGIN
    IF $1 IS NULL OR $2 IS NULL OR $5 IS NULL THEN
        RAISE EXCEPTION 'clv_score: name, customer_id and observation_end may not be NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'SELECT * FROM clv_score(''shop'', ''42'')';
    END IF;
    IF NOT pg_catalog.isfinite($5) THEN
        RAISE EXCEPTION 'clv_score: observation_end must be finite, got %', $5
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Leave observation_end out (now()) or pass a finite time.';
    END IF;
    IF $3 IS NOT NULL AND NOT ($3 OPERATOR(pg_catalog.>=) 0 AND $3 OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.float8) THEN
        RAISE EXCEPTION 'clv_score: horizon must be finite and >= 0, got %', $3
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'horizon is in the model''s unit (unit_days of clv_model_registry); NULL takes the first of its horizons.';
    END IF;
    m := @extschema@._clv_model_version($1, $4, 'clv_score');
    PERFORM @extschema@._clv_tracking_of(m.tracked, 'clv_score', m.name);
    RAISE EXCEPTION 'clv_score: model "%" cannot be scored', $1
        USING ERRCODE = 'internal_error', HINT = 'Refit it: SELECT clv_refit(name).';
END
$$;
COMMENT ON FUNCTION @extschema@._clv_score_fail(text, text, float8, int, timestamptz) IS
    'internal: the error of a clv_score call that has nothing to score';

-- A customer's purchases after observation_end: an error.
CREATE FUNCTION @extschema@._clv_score_late(customer_id text, observation_end timestamptz, last_purchase timestamptz)
RETURNS bool
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
BEGIN
    RAISE EXCEPTION 'clv_score: customer % has purchases after observation_end %', $1, $2
        USING ERRCODE = 'invalid_parameter_value',
              DETAIL = pg_catalog.format('The last purchase is at %s.', $3),
              HINT = 'Leave observation_end out (now()) or pass a time after the customer''s last purchase.';
END
$$;
COMMENT ON FUNCTION @extschema@._clv_score_late(text, timestamptz, timestamptz) IS
    'internal: the error of clv_score for a customer with purchases after observation_end';

-- The scoring path (one web request or CRM lookup): one SQL query, inlined into the
-- caller's (so a prepared call is planned once), without SET (it would cost a GUC save
-- and restore per call and prevent the inlining), every object qualified. Two index
-- lookups: the version (primary key of clv_model_registry) and the customer's tracked row
-- (_clv_tracked_row). The error functions run only when something is wrong.
CREATE FUNCTION @extschema@.clv_score(name text, customer_id text, horizon float8 DEFAULT NULL,
                                      version int DEFAULT NULL,
                                      observation_end timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (model_version int, p_alive float8, expected_purchases float8, expected_spend float8,
               clv float8, segment text, summary @extschema@.clv_customer_summary)
LANGUAGE sql STABLE PARALLEL SAFE
AS $body$
    SELECT (d.m).version,
           CASE (d.m).kind WHEN 'bgnbd' THEN @extschema@.bgnbd_p_alive((d.m).bgnbd, s.s)
                           ELSE (@extschema@._clv_score_summary(d.m, s.s, d.h)).p_alive END,
           CASE (d.m).kind WHEN 'bgnbd' THEN @extschema@.bgnbd_expected_purchases((d.m).bgnbd, d.h, s.s)
                           ELSE (@extschema@._clv_score_summary(d.m, s.s, d.h)).expected_purchases END,
           @extschema@.gamma_gamma_expected_spend((d.m).gamma_gamma, s.s),
           CASE (d.m).kind WHEN 'bgnbd' THEN @extschema@.gamma_gamma_clv((d.m).bgnbd, (d.m).gamma_gamma, s.s,
                                                                       (d.m).months, (d.m).monthly_discount)
                           ELSE (@extschema@._clv_score_summary(d.m, s.s, d.h)).clv END,
           @extschema@._clv_rfm_segment((d.m).rfm_cuts, s.s),
           s.s
    FROM (SELECT v.m, v.tz, coalesce($3, ((v.m).horizons)[1]) AS h
          FROM (SELECT (SELECT r FROM @extschema@.clv_model_registry r
                        WHERE r.name OPERATOR(pg_catalog.=) $1 AND ($4 IS NULL OR r.version OPERATOR(pg_catalog.=) $4)
                        ORDER BY r.version DESC LIMIT 1) AS m OFFSET 0) v0,
               LATERAL (SELECT v0.m, (SELECT k.time_zone FROM @extschema@.clv_tracking k
                                      WHERE k.tracked OPERATOR(pg_catalog.=) (v0.m).tracked) AS tz OFFSET 0) v
          WHERE ((v.m).version IS NOT NULL AND v.tz IS NOT NULL AND $2 IS NOT NULL AND pg_catalog.isfinite($5)
                 AND ($3 IS NULL OR ($3 OPERATOR(pg_catalog.>=) 0 AND $3 OPERATOR(pg_catalog.<) 'Infinity'::pg_catalog.float8)))
                OR @extschema@._clv_score_fail($1, $2, $3, $4, $5)
          OFFSET 0) d,    -- (OFFSET 0: each subquery runs once, not once per reference)
         LATERAL @extschema@._clv_tracked_row((d.m).tracked, $2)
             AS t(frequency int, monetary_value float8, first_purchase timestamptz, last_purchase timestamptz,
                  purchases bigint, total_spend float8),
         LATERAL (SELECT @extschema@._clv_row_summary(t.frequency, t.monetary_value, t.first_purchase, t.last_purchase,
                                                      t.purchases, t.total_spend, $5, (d.m).unit_days, d.tz) AS s
                  OFFSET 0) s
    -- not a customer (yet), or every purchase refunded: no row
    WHERE t.purchases IS NOT NULL
      AND (t.last_purchase OPERATOR(pg_catalog.<=) $5 OR @extschema@._clv_score_late($2, $5, t.last_purchase))
$body$;
COMMENT ON FUNCTION @extschema@.clv_score(text, text, float8, int, timestamptz) IS
    'A customer''s P(alive), expected purchases, CLV and RFM segment now: tracked row, latest (or given) version';

-- Realization: the stored predictions of every version whose horizon has passed (the
-- tracked table has a purchase at or after its end) against what the customer did in
-- (observation_end, horizon_end], from the tracked source table.
CREATE FUNCTION @extschema@._clv_realization_rows(name text, version int)
RETURNS TABLE (customer_id text, horizon float8, horizon_end timestamptz, segment text, cohort text,
               p_alive float8, predicted_purchases float8, actual_purchases bigint,
               predicted_revenue float8, actual_revenue float8)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $body$
DECLARE
    m @extschema@.clv_model_registry;
    k record;
    data_end timestamptz;
BEGIN
    SELECT * INTO m FROM @extschema@.clv_model_registry r
    WHERE r.name OPERATOR(pg_catalog.=) $1 AND r.version OPERATOR(pg_catalog.=) $2;
    IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) m.tracked) THEN
        RETURN;
    END IF;
    SELECT * INTO k FROM @extschema@.clv_tracking t WHERE t.tracked OPERATOR(pg_catalog.=) m.tracked;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    EXECUTE format('SELECT max(last_purchase) FROM %s', m.tracked) INTO data_end;
    RETURN QUERY EXECUTE format($q$
        WITH p AS (
            SELECT * FROM @extschema@.clv_predictions p
            WHERE p.name = $1 AND p.version = $2 AND p.horizon_end <= $3),
        o AS (
            SELECT (%1$I)::text AS customer_id, (%2$I)::timestamptz AS ts, (%3$I)::float8 AS amount
            FROM %4$s
            WHERE (%2$I)::timestamptz > $4 AND (%2$I)::timestamptz <= (SELECT max(horizon_end) FROM p)),
        a AS (
            SELECT p.customer_id, p.horizon,
                   count(DISTINCT (o.ts AT TIME ZONE $5)::date) FILTER (WHERE o.amount > 0) AS purchases,
                   coalesce(sum(o.amount), 0) AS revenue
            FROM p LEFT JOIN o ON o.customer_id = p.customer_id AND o.ts <= p.horizon_end
            GROUP BY p.customer_id, p.horizon)
        SELECT p.customer_id, p.horizon, p.horizon_end, p.segment,
               to_char(p.first_purchase AT TIME ZONE $5, 'YYYY-MM'),
               p.p_alive, p.expected_purchases, a.purchases, p.expected_revenue, a.revenue
        FROM p JOIN a USING (customer_id, horizon)$q$,
        k.customer_column, k.time_column, k.amount_column, k.source)
        USING m.name, m.version, data_end, m.observation_end, k.time_zone;
END
$body$;
COMMENT ON FUNCTION @extschema@._clv_realization_rows(text, int) IS
    'internal: predicted against actual purchases and revenue per customer of one version, horizons passed';

CREATE VIEW @extschema@.clv_realization AS
SELECT r.name, r.version, r.observation_end, x.*
FROM @extschema@.clv_model_registry r,
     LATERAL @extschema@._clv_realization_rows(r.name, r.version) x;
COMMENT ON VIEW @extschema@.clv_realization IS
    'Per customer, version and passed horizon: predicted vs actual purchases (purchase days) and revenue after observation_end';

CREATE VIEW @extschema@.clv_realization_by_segment AS
SELECT name, version, horizon, segment, count(*) AS customers,
       sum(predicted_purchases) AS predicted_purchases, sum(actual_purchases) AS actual_purchases,
       sum(predicted_revenue) AS predicted_revenue, sum(actual_revenue) AS actual_revenue
FROM @extschema@.clv_realization
GROUP BY name, version, horizon, segment;
COMMENT ON VIEW @extschema@.clv_realization_by_segment IS
    'clv_realization summed per RFM segment at the refit';

CREATE VIEW @extschema@.clv_realization_by_cohort AS
SELECT name, version, horizon, cohort, count(*) AS customers,
       sum(predicted_purchases) AS predicted_purchases, sum(actual_purchases) AS actual_purchases,
       sum(predicted_revenue) AS predicted_revenue, sum(actual_revenue) AS actual_revenue
FROM @extschema@.clv_realization
GROUP BY name, version, horizon, cohort;
COMMENT ON VIEW @extschema@.clv_realization_by_cohort IS
    'clv_realization summed per cohort (month of the first purchase)';
-- ==== end registry ====


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
