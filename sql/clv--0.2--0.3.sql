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
