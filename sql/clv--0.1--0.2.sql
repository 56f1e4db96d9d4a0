-- clv 0.1 -> 0.2. Also the install script of 0.2: CREATE EXTENSION clv runs
-- clv--0.1.sql, then this file. Every name of the catalog is qualified (pg_catalog.*), and
-- so is every operator the script evaluates (OPERATOR(pg_catalog.=)): the script runs with
-- search_path = the extension's schema, where an operator with a better-matching
-- signature, e.g. =(oid, regclass), would otherwise be called by the superuser
-- (test/sql/install_hijack.sql).

\echo Use "ALTER EXTENSION clv UPDATE TO '0.2'" to load this file. \quit

-- (feature sections go here, before the names and the support functions below)

------------------------------------------------------------------------------------------
-- Histogram scales and axis titles (issue 13, item 8). clv_svg_histogram gets a scale,
-- 'linear' (equal-width bins, as before), 'log' (bins equal in log10, values > 0) or
-- 'quantile' (bins of equal counts, bars of count per unit of x), and axis titles with
-- units instead of "value" and "count". Aggregates take no DEFAULTs: one overload per
-- arity; the state, combine and serial functions are those of the other chart aggregates
-- (their state now carries the scale and the axis titles).
------------------------------------------------------------------------------------------
CREATE FUNCTION clv_svg_histogram_trans(internal, float8, int, text, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION clv_svg_histogram_trans(internal, float8, int, text, text, text, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE clv_svg_histogram(value float8, bins int, title text, scale text) (
    SFUNC = clv_svg_histogram_trans, STYPE = internal,
    FINALFUNC = clv_svg_histogram_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_chart_agg_combine,
    SERIALFUNC = clv_chart_agg_serialize, DESERIALFUNC = clv_chart_agg_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE clv_svg_histogram(value float8, bins int, title text, scale text,
                                   xlabel text, ylabel text) (
    SFUNC = clv_svg_histogram_trans, STYPE = internal,
    FINALFUNC = clv_svg_histogram_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_chart_agg_combine,
    SERIALFUNC = clv_chart_agg_serialize, DESERIALFUNC = clv_chart_agg_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE clv_svg_histogram(float8, int, text, text) IS
    'SVG histogram of values with bins, title and scale: linear, log (values > 0) or quantile (equal counts)';
COMMENT ON AGGREGATE clv_svg_histogram(float8, int, text, text, text, text) IS
    'SVG histogram of values with bins, title, scale (linear, log, quantile) and axis titles with units';

------------------------------------------------------------------------------------------
-- clv_summary: the summary carries its unit and the RFM inputs; refunds policy (issue 13)
------------------------------------------------------------------------------------------

-- New fields at the end of both summary types. The library fills the result by field
-- name, so it also serves a database still on 0.1's types; stored values of these types
-- (a table column of type clv_customer_summary) read the new fields as NULL.
ALTER TYPE @extschema@.clv_customer_summary
    ADD ATTRIBUTE unit_days float8,
    ADD ATTRIBUTE days_since_last_purchase float8,
    ADD ATTRIBUTE purchases bigint,
    ADD ATTRIBUTE total_spend float8;
ALTER TYPE @extschema@.clv_holdout_summary
    ADD ATTRIBUTE unit_days float8,
    ADD ATTRIBUTE days_since_last_purchase float8,
    ADD ATTRIBUTE purchases bigint,
    ADD ATTRIBUTE total_spend float8;

COMMENT ON COLUMN @extschema@.clv_customer_summary.unit_days IS
    'days per unit of recency and t: 1 for ''day'', 7 for ''week''';
COMMENT ON COLUMN @extschema@.clv_customer_summary.days_since_last_purchase IS
    'RFM recency: calendar days from the last purchase day to observation_end''s day';
COMMENT ON COLUMN @extschema@.clv_customer_summary.purchases IS
    'RFM frequency: purchase days, the first included (frequency + 1)';
COMMENT ON COLUMN @extschema@.clv_customer_summary.total_spend IS
    'RFM monetary: the amounts of all purchase days, the first included';
COMMENT ON COLUMN @extschema@.clv_holdout_summary.unit_days IS
    'days per unit of recency, t and holdout_length: 1 for ''day'', 7 for ''week''';
COMMENT ON COLUMN @extschema@.clv_holdout_summary.days_since_last_purchase IS
    'RFM recency at calibration_end: calendar days from the last calibration purchase day';
COMMENT ON COLUMN @extschema@.clv_holdout_summary.purchases IS
    'RFM frequency in the calibration period: purchase days, the first included';
COMMENT ON COLUMN @extschema@.clv_holdout_summary.total_spend IS
    'RFM monetary in the calibration period: the amounts of all its purchase days';

-- The refunds policy: a fifth (sixth with holdout) argument after the unit. Aggregates
-- take no defaults, hence overloads; the 0.1 signatures keep refunds an ERROR.
CREATE FUNCTION @extschema@.clv_summary_trans(internal, timestamptz, float8, timestamptz, text, text)
    RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
CREATE FUNCTION @extschema@.clv_summary_holdout_trans(internal, timestamptz, float8, timestamptz,
                                                      timestamptz, text, text)
    RETURNS internal AS 'MODULE_PATHNAME' LANGUAGE C STABLE PARALLEL SAFE;
REVOKE EXECUTE ON FUNCTION
    @extschema@.clv_summary_trans(internal, timestamptz, float8, timestamptz, text, text),
    @extschema@.clv_summary_holdout_trans(internal, timestamptz, float8, timestamptz, timestamptz, text, text)
    FROM PUBLIC;
COMMENT ON FUNCTION @extschema@.clv_summary_trans(internal, timestamptz, float8, timestamptz, text, text) IS
    'transition function of clv_summary with a refunds policy';
COMMENT ON FUNCTION @extschema@.clv_summary_holdout_trans(internal, timestamptz, float8, timestamptz,
                                                          timestamptz, text, text) IS
    'transition function of clv_summary_holdout with a refunds policy';

CREATE AGGREGATE @extschema@.clv_summary(txn_time timestamptz, amount float8, observation_end timestamptz,
                                         unit text, refunds text) (
    SFUNC = @extschema@.clv_summary_trans, STYPE = internal,
    FINALFUNC = @extschema@.clv_summary_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = @extschema@.clv_summary_combine,
    SERIALFUNC = @extschema@.clv_summary_serialize, DESERIALFUNC = @extschema@.clv_summary_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE @extschema@.clv_summary_holdout(txn_time timestamptz, amount float8,
                                                 calibration_end timestamptz, observation_end timestamptz,
                                                 unit text, refunds text) (
    SFUNC = @extschema@.clv_summary_holdout_trans, STYPE = internal,
    FINALFUNC = @extschema@.clv_summary_holdout_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = @extschema@.clv_summary_combine,
    SERIALFUNC = @extschema@.clv_summary_serialize, DESERIALFUNC = @extschema@.clv_summary_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE @extschema@.clv_summary(timestamptz, float8, timestamptz, text, text) IS
    'Per customer: BTYD and RFM summary; refunds ''error'' or ''net'' (netted per day; a day netting to <= 0 is dropped)';
COMMENT ON AGGREGATE @extschema@.clv_summary_holdout(timestamptz, float8, timestamptz, timestamptz, text, text) IS
    'calibration and holdout summary; refunds: ''error'' or ''net'' as in clv_summary';

-- rfm_score's inputs are named after what it wants, which are the summary's fields
-- (0.1: recency_days, frequency, monetary, which read like BTYD's recency, frequency and
-- monetary_value). CREATE OR REPLACE cannot rename an input and DROP would take users'
-- views with it, so the names are changed in place: same function, OID, grants and
-- dependent views; positional calls are unaffected. A view that named the old arguments
-- (rfm_score(recency_days => ...)) keeps running, but its stored definition still shows
-- the old names, which a dump cannot restore: it is listed with a WARNING below.
DO $$
DECLARE
    f pg_catalog.regprocedure := '@extschema@.rfm_score(float8, float8, float8, int)';
    v pg_catalog.regclass;
BEGIN
    FOR v IN
        SELECT DISTINCT r.ev_class::pg_catalog.regclass
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_rewrite r ON r.oid OPERATOR(pg_catalog.=) d.objid
        WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
          AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
          AND d.refobjid OPERATOR(pg_catalog.=) f
          AND pg_catalog.pg_get_viewdef(r.ev_class) OPERATOR(pg_catalog.~) '(recency_days|frequency|monetary)\s*=>'
    LOOP
        RAISE WARNING 'view % may call rfm_score with the argument names of clv 0.1', v
            USING DETAIL = 'rfm_score''s arguments are now days_since_last_purchase, purchases, total_spend, bins. '
                           'The view keeps working, but its definition (and a dump of it) shows the old names.',
                  HINT = 'Recreate the view (CREATE OR REPLACE VIEW) with the new argument names or with positional arguments.';
    END LOOP;
    UPDATE pg_catalog.pg_proc
    SET proargnames = '{days_since_last_purchase,purchases,total_spend,bins}'
    WHERE oid OPERATOR(pg_catalog.=) f
      AND proargnames OPERATOR(pg_catalog.=) '{recency_days,frequency,monetary,bins}'::pg_catalog.text[];
END
$$;
COMMENT ON FUNCTION @extschema@.rfm_score(float8, float8, float8, int) IS
    'RFM quintile scores over the window partition; inputs: clv_summary''s days_since_last_purchase, purchases, total_spend';

------------------------------------------------------------------------------------------
-- A/B tests: the control by name (issue 13, item 4). In 0.1 the control was the
-- byte-wise smaller label, so 'old'/'new' made 'new' the control and flipped every sign.
-- New forms take the control label as a third argument, and int forms take ab_assign's
-- output without a cast. The two-argument text form (same C function as in 0.1) no
-- longer uses sort order: the control is the one label named like a control (control,
-- ctrl, baseline, base, old, original, current, existing, default, champion, holdout, A;
-- any case), or 0, else 1, when both labels are whole numbers; any other pair is an
-- ERROR asking for the control. ab_proportion_result and ab_mean_result already name
-- the control arm (their first field, control), so the types are unchanged.
------------------------------------------------------------------------------------------
CREATE FUNCTION ab_test_prop_trans(internal, text, bool, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'ab_test_prop_trans_ctl' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ab_test_prop_trans(internal, int, bool) RETURNS internal
    AS 'MODULE_PATHNAME', 'ab_test_prop_trans_int' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ab_test_prop_trans(internal, int, bool, int) RETURNS internal
    AS 'MODULE_PATHNAME', 'ab_test_prop_trans_int_ctl' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ab_test_mean_trans(internal, text, float8, text) RETURNS internal
    AS 'MODULE_PATHNAME', 'ab_test_mean_trans_ctl' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ab_test_mean_trans(internal, int, float8) RETURNS internal
    AS 'MODULE_PATHNAME', 'ab_test_mean_trans_int' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ab_test_mean_trans(internal, int, float8, int) RETURNS internal
    AS 'MODULE_PATHNAME', 'ab_test_mean_trans_int_ctl' LANGUAGE C IMMUTABLE PARALLEL SAFE;

REVOKE EXECUTE ON FUNCTION ab_test_prop_trans(internal, text, bool, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ab_test_prop_trans(internal, int, bool) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ab_test_prop_trans(internal, int, bool, int) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ab_test_mean_trans(internal, text, float8, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ab_test_mean_trans(internal, int, float8) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ab_test_mean_trans(internal, int, float8, int) FROM PUBLIC;

CREATE AGGREGATE ab_proportion_test(variant text, converted bool, control text) (
    SFUNC = ab_test_prop_trans, STYPE = internal,
    FINALFUNC = ab_proportion_test_final,
    COMBINEFUNC = ab_test_combine,
    SERIALFUNC = ab_test_serialize, DESERIALFUNC = ab_test_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE ab_proportion_test(variant int, converted bool) (
    SFUNC = ab_test_prop_trans, STYPE = internal,
    FINALFUNC = ab_proportion_test_final,
    COMBINEFUNC = ab_test_combine,
    SERIALFUNC = ab_test_serialize, DESERIALFUNC = ab_test_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE ab_proportion_test(variant int, converted bool, control int) (
    SFUNC = ab_test_prop_trans, STYPE = internal,
    FINALFUNC = ab_proportion_test_final,
    COMBINEFUNC = ab_test_combine,
    SERIALFUNC = ab_test_serialize, DESERIALFUNC = ab_test_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE ab_mean_test(variant text, value float8, control text) (
    SFUNC = ab_test_mean_trans, STYPE = internal,
    FINALFUNC = ab_mean_test_final,
    COMBINEFUNC = ab_test_combine,
    SERIALFUNC = ab_test_serialize, DESERIALFUNC = ab_test_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE ab_mean_test(variant int, value float8) (
    SFUNC = ab_test_mean_trans, STYPE = internal,
    FINALFUNC = ab_mean_test_final,
    COMBINEFUNC = ab_test_combine,
    SERIALFUNC = ab_test_serialize, DESERIALFUNC = ab_test_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE ab_mean_test(variant int, value float8, control int) (
    SFUNC = ab_test_mean_trans, STYPE = internal,
    FINALFUNC = ab_mean_test_final,
    COMBINEFUNC = ab_test_combine,
    SERIALFUNC = ab_test_serialize, DESERIALFUNC = ab_test_deserialize,
    PARALLEL = SAFE
);

COMMENT ON AGGREGATE ab_proportion_test(text, bool) IS
    'Two-proportion z test; control: the label named like one (control, old, A, ...) or 0/1; else pass it';
COMMENT ON AGGREGATE ab_proportion_test(text, bool, text) IS
    'two-proportion z test of two variants; control: the label of the control variant';
COMMENT ON AGGREGATE ab_proportion_test(int, bool) IS
    'two-proportion z test of two int variants (ab_assign output); the control is 0, else 1, else ERROR';
COMMENT ON AGGREGATE ab_proportion_test(int, bool, int) IS
    'two-proportion z test of two int variants (ab_assign output); control: the control variant';
COMMENT ON AGGREGATE ab_mean_test(text, float8) IS
    'Welch t test of means; control: the label named like one (control, old, A, ...) or 0/1; else pass it';
COMMENT ON AGGREGATE ab_mean_test(text, float8, text) IS
    'Welch t test of two variants; control: the label of the control variant';
COMMENT ON AGGREGATE ab_mean_test(int, float8) IS
    'Welch t test of two int variants (ab_assign output); the control is 0, else 1, else ERROR';
COMMENT ON AGGREGATE ab_mean_test(int, float8, int) IS
    'Welch t test of two int variants (ab_assign output); control: the control variant';
COMMENT ON FUNCTION ab_test_prop_trans(internal, text, bool, text) IS
    'transition function of ab_proportion_test(text, bool, text)';
COMMENT ON FUNCTION ab_test_prop_trans(internal, int, bool) IS
    'transition function of ab_proportion_test(int, bool)';
COMMENT ON FUNCTION ab_test_prop_trans(internal, int, bool, int) IS
    'transition function of ab_proportion_test(int, bool, int)';
COMMENT ON FUNCTION ab_test_mean_trans(internal, text, float8, text) IS
    'transition function of ab_mean_test(text, float8, text)';
COMMENT ON FUNCTION ab_test_mean_trans(internal, int, float8) IS
    'transition function of ab_mean_test(int, float8)';
COMMENT ON FUNCTION ab_test_mean_trans(internal, int, float8, int) IS
    'transition function of ab_mean_test(int, float8, int)';

------------------------------------------------------------------------------------------
-- The time unit travels with the data (issue 13). A purchase model fitted from
-- clv_summary's composite records the summary's unit_days; scoring with a summary checks
-- that the units agree, and gamma_gamma_clv takes the model's unit unless told otherwise
-- (it used to assume days: a model fitted on weeks gave 4x the CLV without unit_days => 7).
------------------------------------------------------------------------------------------
ALTER TYPE bgnbd_model ADD ATTRIBUTE unit_days float8;
ALTER TYPE mbgnbd_model ADD ATTRIBUTE unit_days float8;
ALTER TYPE pareto_nbd_model ADD ATTRIBUTE unit_days float8;

CREATE FUNCTION btyd_fit_summary_trans(bytea, clv_customer_summary) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION btyd_fit_summary_trans(bytea, clv_customer_summary, float8) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_fit_summary_trans(bytea, clv_customer_summary) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_fit_summary_trans(bytea, clv_customer_summary, float8) RETURNS bytea
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE bgnbd_fit(summary clv_customer_summary) (
    SFUNC = btyd_fit_summary_trans, STYPE = bytea, FINALFUNC = bgnbd_fit_final,
    FINALFUNC_MODIFY = READ_WRITE, COMBINEFUNC = clv_rowset_combine, PARALLEL = SAFE);
CREATE AGGREGATE bgnbd_fit(summary clv_customer_summary, penalizer float8) (
    SFUNC = btyd_fit_summary_trans, STYPE = bytea, FINALFUNC = bgnbd_fit_final,
    FINALFUNC_MODIFY = READ_WRITE, COMBINEFUNC = clv_rowset_combine, PARALLEL = SAFE);
CREATE AGGREGATE mbgnbd_fit(summary clv_customer_summary) (
    SFUNC = btyd_fit_summary_trans, STYPE = bytea, FINALFUNC = mbgnbd_fit_final,
    FINALFUNC_MODIFY = READ_WRITE, COMBINEFUNC = clv_rowset_combine, PARALLEL = SAFE);
CREATE AGGREGATE mbgnbd_fit(summary clv_customer_summary, penalizer float8) (
    SFUNC = btyd_fit_summary_trans, STYPE = bytea, FINALFUNC = mbgnbd_fit_final,
    FINALFUNC_MODIFY = READ_WRITE, COMBINEFUNC = clv_rowset_combine, PARALLEL = SAFE);
CREATE AGGREGATE pareto_nbd_fit(summary clv_customer_summary) (
    SFUNC = btyd_fit_summary_trans, STYPE = bytea, FINALFUNC = pareto_nbd_fit_final,
    FINALFUNC_MODIFY = READ_WRITE, COMBINEFUNC = clv_rowset_combine, PARALLEL = SAFE);
CREATE AGGREGATE pareto_nbd_fit(summary clv_customer_summary, penalizer float8) (
    SFUNC = btyd_fit_summary_trans, STYPE = bytea, FINALFUNC = pareto_nbd_fit_final,
    FINALFUNC_MODIFY = READ_WRITE, COMBINEFUNC = clv_rowset_combine, PARALLEL = SAFE);
CREATE AGGREGATE gamma_gamma_fit(summary clv_customer_summary) (
    SFUNC = gamma_gamma_fit_summary_trans, STYPE = bytea, FINALFUNC = gamma_gamma_fit_final,
    FINALFUNC_MODIFY = READ_WRITE, COMBINEFUNC = clv_rowset_combine, PARALLEL = SAFE);
CREATE AGGREGATE gamma_gamma_fit(summary clv_customer_summary, penalizer float8) (
    SFUNC = gamma_gamma_fit_summary_trans, STYPE = bytea, FINALFUNC = gamma_gamma_fit_final,
    FINALFUNC_MODIFY = READ_WRITE, COMBINEFUNC = clv_rowset_combine, PARALLEL = SAFE);

-- Scoring from the summary composite (the same C functions: they tell the forms apart by
-- their number of arguments).
CREATE FUNCTION bgnbd_p_alive(model bgnbd_model, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_p_alive' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION bgnbd_expected_purchases(model bgnbd_model, horizon float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'bgnbd_expected_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_p_alive(model mbgnbd_model, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_p_alive' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION mbgnbd_expected_purchases(model mbgnbd_model, horizon float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'mbgnbd_expected_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_p_alive(model pareto_nbd_model, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'pareto_p_alive' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION pareto_nbd_expected_purchases(model pareto_nbd_model, horizon float8, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'pareto_expected_purchases' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_expected_spend(model gamma_gamma_model, summary clv_customer_summary)
    RETURNS float8 AS 'MODULE_PATHNAME', 'gamma_gamma_expected_spend' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION gamma_gamma_clv(bg bgnbd_model, gg gamma_gamma_model, summary clv_customer_summary,
                                months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01)
    RETURNS float8 AS 'MODULE_PATHNAME', 'gamma_gamma_clv_summary' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- unit_days NULL (the default) = the model's unit; no longer STRICT, so that it can be.
CREATE OR REPLACE FUNCTION gamma_gamma_clv(bg bgnbd_model, gg gamma_gamma_model, frequency float8,
                                           recency float8, t float8, monetary_value float8,
                                           months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01,
                                           unit_days float8 DEFAULT NULL)
    RETURNS float8 AS 'MODULE_PATHNAME', 'gamma_gamma_clv'
    LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE;

COMMENT ON FUNCTION bgnbd_p_alive(bgnbd_model, clv_customer_summary) IS 'BG/NBD: probability the customer of a clv_summary row is still active, 0..1 (units checked)';
COMMENT ON FUNCTION bgnbd_expected_purchases(bgnbd_model, float8, clv_customer_summary) IS 'BG/NBD: expected purchases over the next horizon (model units) of the customer of a clv_summary row';
COMMENT ON FUNCTION mbgnbd_p_alive(mbgnbd_model, clv_customer_summary) IS 'MBG/NBD: probability the customer of a clv_summary row is still active, 0..1 (units checked)';
COMMENT ON FUNCTION mbgnbd_expected_purchases(mbgnbd_model, float8, clv_customer_summary) IS 'MBG/NBD: expected purchases over the next horizon (model units) of the customer of a clv_summary row';
COMMENT ON FUNCTION pareto_nbd_p_alive(pareto_nbd_model, clv_customer_summary) IS 'Pareto/NBD: probability the customer of a clv_summary row is still active, 0..1 (units checked)';
COMMENT ON FUNCTION pareto_nbd_expected_purchases(pareto_nbd_model, float8, clv_customer_summary) IS 'Pareto/NBD: expected purchases over the next horizon (model units) of a clv_summary row''s customer';
COMMENT ON FUNCTION gamma_gamma_expected_spend(gamma_gamma_model, clv_customer_summary) IS 'Gamma-Gamma: expected mean spend per purchase of the customer of a clv_summary row';
COMMENT ON FUNCTION gamma_gamma_clv(bgnbd_model, gamma_gamma_model, clv_customer_summary, int, float8) IS 'CLV over months (30 days) of a clv_summary row''s customer: BG/NBD x Gamma-Gamma, discounted; units checked';
COMMENT ON AGGREGATE bgnbd_fit(clv_customer_summary) IS 'BG/NBD fit on clv_summary rows; the model records their unit_days';
COMMENT ON AGGREGATE bgnbd_fit(clv_customer_summary, float8) IS 'BG/NBD fit on clv_summary rows with an L2 penalizer; the model records their unit_days';
COMMENT ON AGGREGATE mbgnbd_fit(clv_customer_summary) IS 'MBG/NBD fit on clv_summary rows; the model records their unit_days';
COMMENT ON AGGREGATE mbgnbd_fit(clv_customer_summary, float8) IS 'MBG/NBD fit on clv_summary rows with an L2 penalizer; the model records their unit_days';
COMMENT ON AGGREGATE pareto_nbd_fit(clv_customer_summary) IS 'Pareto/NBD fit on clv_summary rows; the model records their unit_days';
COMMENT ON AGGREGATE pareto_nbd_fit(clv_customer_summary, float8) IS 'Pareto/NBD fit on clv_summary rows with an L2 penalizer; the model records their unit_days';
COMMENT ON AGGREGATE gamma_gamma_fit(clv_customer_summary) IS 'Gamma-Gamma spend fit on the repeat buyers among clv_summary rows';
COMMENT ON AGGREGATE gamma_gamma_fit(clv_customer_summary, float8) IS 'Gamma-Gamma spend fit on the repeat buyers among clv_summary rows, with an L2 penalizer';

------------------------------------------------------------------------------------------
-- clv_analyze: from a user's own orders table to one flat, BI-ready row per customer
-- (issue 13). The identifiers are quoted with format('%I'), the table is a regclass, the
-- values are parameters: nothing of the input is spliced into SQL as text.
------------------------------------------------------------------------------------------
CREATE FUNCTION clv_analyze(source regclass, customer_column text, time_column text,
                            amount_column text, observation_end timestamptz,
                            unit text DEFAULT 'week', months int DEFAULT 12,
                            monthly_discount float8 DEFAULT 0.01)
RETURNS TABLE (customer_id text, frequency int, recency float8, t float8,
               monetary_value float8, first_purchase timestamptz, last_purchase timestamptz,
               unit_days float8, days_since_last_purchase float8, purchases bigint,
               total_spend float8, p_alive float8, expected_purchases float8, clv float8,
               r int, f int, m int, rfm_score text, rfm_segment text, value_tier text)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $body$
DECLARE
    src text;
    guests bigint;
    fits record;
    bg @extschema@.bgnbd_model;
    gg @extschema@.gamma_gamma_model;
BEGIN
    IF source IS NULL OR customer_column IS NULL OR time_column IS NULL OR amount_column IS NULL
       OR observation_end IS NULL OR unit IS NULL OR months IS NULL OR monthly_discount IS NULL THEN
        RAISE EXCEPTION 'clv_analyze: no argument may be NULL'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'clv_analyze(''orders'', ''customer_id'', ''ordered_at'', ''amount'', ''2024-12-31'')';
    END IF;
    -- one scan-ready subquery over the user's table: every column name quoted
    src := format('(SELECT (%I)::text AS customer_id, (%I)::timestamptz AS ts, (%I)::float8 AS amount FROM %s) o',
                  customer_column, time_column, amount_column, source);
    EXECUTE format('SELECT count(*) FROM %s WHERE customer_id IS NULL', src) INTO guests;
    IF guests > 0 THEN
        RAISE NOTICE 'clv_analyze: % orders without a customer (NULL %) are left out', guests, customer_column
            USING DETAIL = 'Guest orders cannot be attributed to a customer''s history.';
    END IF;
    -- the fits, once, on the summaries (refunds netted by day; see clv_summary)
    EXECUTE format($q$
        WITH s AS (SELECT @extschema@.clv_summary(ts, amount, $1, $2, 'net') AS s
                   FROM %s WHERE customer_id IS NOT NULL GROUP BY customer_id)
        SELECT @extschema@.bgnbd_fit(s) FILTER (WHERE s IS NOT NULL) AS bg,
               @extschema@.gamma_gamma_fit(s) FILTER (WHERE (s).frequency > 0 AND (s).monetary_value > 0) AS gg
        FROM s$q$, src)
        INTO fits USING observation_end, unit;
    bg := fits.bg;
    gg := fits.gg;
    RAISE NOTICE 'clv_analyze: BG/NBD r %, alpha %, a %, b % (per % days; log-likelihood %, converged %); Gamma-Gamma p %, q %, gamma % (log-likelihood %, converged %)',
        round(bg.r::numeric, 4), round(bg.alpha::numeric, 4), round(bg.a::numeric, 4), round(bg.b::numeric, 4),
        bg.unit_days, round(bg.log_likelihood::numeric, 2), bg.converged,
        round(gg.p::numeric, 4), round(gg.q::numeric, 4), round(gg.gamma::numeric, 4),
        round(gg.log_likelihood::numeric, 2), gg.converged;
    RETURN QUERY EXECUTE format($q$
        WITH s AS (SELECT customer_id, @extschema@.clv_summary(ts, amount, $1, $2, 'net') AS s
                   FROM %s WHERE customer_id IS NOT NULL GROUP BY customer_id),
        scored AS (
            SELECT s.customer_id, s.s,
                   @extschema@.bgnbd_p_alive($3, s.s) AS p_alive,
                   @extschema@.bgnbd_expected_purchases($3, $5 * 30.0 / $7, s.s) AS expected_purchases,
                   @extschema@.gamma_gamma_clv($3, $4, s.s, $5, $6) AS clv
            FROM s WHERE s.s IS NOT NULL)
        SELECT customer_id, (s).frequency, (s).recency, (s).t, (s).monetary_value,
               (s).first_purchase, (s).last_purchase, (s).unit_days,
               (s).days_since_last_purchase, (s).purchases, (s).total_spend,
               p_alive, expected_purchases, clv,
               (rfm).r, (rfm).f, (rfm).m, (rfm).score, (rfm).segment,
               @extschema@.value_tier(clv) OVER ()
        FROM (SELECT *, @extschema@.rfm_score((s).days_since_last_purchase, (s).purchases,
                                             (s).total_spend) OVER () AS rfm
              FROM scored) x
        ORDER BY clv DESC, customer_id$q$, src)
        USING observation_end, unit, bg, gg, months, monthly_discount, bg.unit_days;
END
$body$;
COMMENT ON FUNCTION clv_analyze(regclass, text, text, text, timestamptz, text, int, float8) IS
    'One row per customer from an orders table: summary, P(alive), expected purchases, CLV, RFM, value tier';

------------------------------------------------------------------------------------------
-- Names (issue 13). A type called rfm kept users from creating a table rfm: it is
-- clv_rfm now (columns and functions of the type follow the rename; SQL text that spells
-- the old name, such as a cast ::rfm, must be changed). One meaning per parameter name:
-- `horizon` is the prediction window (it was `t` in the expected-purchase and
-- P(n purchases) functions), `t_customer` the customer's age, first purchase to the
-- observation end (it was `t` in gamma_gamma_clv and the fit aggregates). Only the names
-- change: calls by position, views and stored results are unaffected; a call that named
-- the old parameter (t => 52) is an ERROR that names the function. The names are set in
-- the catalog because CREATE OR REPLACE cannot rename a parameter, and DROP would take
-- users' views with it.
------------------------------------------------------------------------------------------
ALTER TYPE rfm RENAME TO clv_rfm;

-- A view that named the old parameter (t => ...) keeps running, but its stored definition
-- shows the old name, which a dump cannot restore: such views are listed with a WARNING.
DO $$
DECLARE
    v pg_catalog.regclass;
BEGIN
    FOR v IN
        SELECT DISTINCT r.ev_class::pg_catalog.regclass
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_rewrite r ON r.oid OPERATOR(pg_catalog.=) d.objid
        JOIN pg_catalog.pg_proc p ON p.oid OPERATOR(pg_catalog.=) d.refobjid
        JOIN pg_catalog.pg_depend e ON e.objid OPERATOR(pg_catalog.=) p.oid
                                   AND e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                                   AND e.deptype OPERATOR(pg_catalog.=) 'e'
        JOIN pg_catalog.pg_extension x ON x.oid OPERATOR(pg_catalog.=) e.refobjid
                                      AND x.extname OPERATOR(pg_catalog.=) 'clv'
        WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_rewrite'::pg_catalog.regclass
          AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
          AND p.proname OPERATOR(pg_catalog.=) ANY ('{bgnbd_expected_purchases, mbgnbd_expected_purchases,
                            pareto_nbd_expected_purchases, bgnbd_prob_n_purchases,
                            pareto_nbd_prob_n_purchases, gamma_gamma_clv}'::pg_catalog.name[])
          AND pg_catalog.pg_get_viewdef(r.ev_class) OPERATOR(pg_catalog.~) '[^a-z_]t\s*=>'
    LOOP
        RAISE WARNING 'view % may call a clv function with the parameter name t of clv 0.1', v
            USING DETAIL = 't is now horizon (expected purchases, P(n purchases)) or t_customer (gamma_gamma_clv). '
                           'The view keeps working, but its definition (and a dump of it) shows the old name.',
                  HINT = 'Recreate the view (CREATE OR REPLACE VIEW) with the new parameter name or with positional arguments.';
    END LOOP;
END
$$;

UPDATE pg_catalog.pg_proc
SET proargnames = pg_catalog.array_replace(proargnames, 't'::pg_catalog.text, 'horizon'::pg_catalog.text)
WHERE oid OPERATOR(pg_catalog.=) ANY (ARRAY['bgnbd_expected_purchases(bgnbd_model, float8, float8, float8, float8)'::pg_catalog.regprocedure,
              'bgnbd_expected_purchases(bgnbd_model, float8)'::pg_catalog.regprocedure,
              'mbgnbd_expected_purchases(mbgnbd_model, float8, float8, float8, float8)'::pg_catalog.regprocedure,
              'mbgnbd_expected_purchases(mbgnbd_model, float8)'::pg_catalog.regprocedure,
              'pareto_nbd_expected_purchases(pareto_nbd_model, float8, float8, float8, float8)'::pg_catalog.regprocedure,
              'pareto_nbd_expected_purchases(pareto_nbd_model, float8)'::pg_catalog.regprocedure,
              'bgnbd_prob_n_purchases(bgnbd_model, float8, float8)'::pg_catalog.regprocedure,
              'pareto_nbd_prob_n_purchases(pareto_nbd_model, float8, float8)'::pg_catalog.regprocedure]);

UPDATE pg_catalog.pg_proc
SET proargnames = pg_catalog.array_replace(proargnames, 't'::pg_catalog.text, 't_customer'::pg_catalog.text)
WHERE oid OPERATOR(pg_catalog.=) ANY (ARRAY['gamma_gamma_clv(bgnbd_model, gamma_gamma_model, float8, float8, float8, float8, int, float8, float8)'::pg_catalog.regprocedure,
              'bgnbd_fit(float8, float8, float8)'::pg_catalog.regprocedure,
              'bgnbd_fit(float8, float8, float8, float8)'::pg_catalog.regprocedure,
              'mbgnbd_fit(float8, float8, float8)'::pg_catalog.regprocedure,
              'mbgnbd_fit(float8, float8, float8, float8)'::pg_catalog.regprocedure,
              'pareto_nbd_fit(float8, float8, float8)'::pg_catalog.regprocedure,
              'pareto_nbd_fit(float8, float8, float8, float8)'::pg_catalog.regprocedure]);

------------------------------------------------------------------------------------------
-- A one-line comment on every function, aggregate and type of the API (\dd, \df+).
------------------------------------------------------------------------------------------
-- One-line comments on the API (issue 13, item 6): every function, aggregate and type
-- except the aggregate support functions. ASCII only (the script runs in any database
-- encoding). Checked by test/sql/api_comments.sql.

-- Customer summaries
COMMENT ON TYPE clv_customer_summary IS 'Result of clv_summary: frequency (repeat purchase days), recency, t, monetary_value, first/last purchase';
COMMENT ON AGGREGATE clv_summary(timestamptz, float8, timestamptz) IS 'Per customer: BTYD summary (frequency, recency, t in days, monetary_value) of transactions up to observation_end';
COMMENT ON AGGREGATE clv_summary(timestamptz, float8, timestamptz, text) IS 'Per customer: BTYD summary of transactions up to observation_end; recency and t in unit (''day'' or ''week'')';

-- Holdout checks
COMMENT ON TYPE clv_holdout_summary IS 'Result of clv_summary_holdout: calibration summary plus holdout_frequency, holdout_monetary_value, holdout_length';
COMMENT ON AGGREGATE clv_summary_holdout(timestamptz, float8, timestamptz, timestamptz) IS 'Per customer: summary up to calibration_end plus holdout purchases up to observation_end, in days';
COMMENT ON AGGREGATE clv_summary_holdout(timestamptz, float8, timestamptz, timestamptz, text) IS 'Per customer: summary up to calibration_end plus holdout purchases up to observation_end, in unit';
COMMENT ON TYPE clv_holdout_metrics IS 'Result of clv_holdout_eval: n, mae, rmse, bias (mean predicted - actual), correlation, predicted/actual totals';
COMMENT ON AGGREGATE clv_holdout_eval(float8, float8) IS 'MAE, RMSE, bias, Pearson correlation and totals of predicted against actual values (clv_holdout_metrics)';
COMMENT ON TYPE clv_frequency_bin IS 'Element of clv_holdout_by_frequency: calibration frequency, customers, mean predicted and actual holdout purchases';
COMMENT ON AGGREGATE clv_holdout_by_frequency(int, float8, float8, int) IS 'Customers, mean predicted and actual holdout purchases per calibration frequency; max_frequency and up pooled';

-- BTYD purchase models: BG/NBD
COMMENT ON TYPE bgnbd_model IS 'BG/NBD model: r, alpha, a, b, log_likelihood, n_customers, iterations, converged, standard errors (NULL if unknown)';
COMMENT ON AGGREGATE bgnbd_fit(float8, float8, float8) IS 'Maximum-likelihood BG/NBD fit on customer summaries (frequency, recency, t_customer); returns bgnbd_model';
COMMENT ON AGGREGATE bgnbd_fit(float8, float8, float8, float8) IS 'Maximum-likelihood BG/NBD fit on (frequency, recency, t_customer) with an L2 penalizer >= 0 on the parameters';
COMMENT ON FUNCTION bgnbd_model(float8, float8, float8, float8) IS 'BG/NBD model from known parameters (r, alpha, a, b); fit statistics NULL';
COMMENT ON FUNCTION bgnbd_expected_purchases(bgnbd_model, float8, float8, float8, float8) IS 'BG/NBD: expected purchases over the next horizon (model time units) of a customer with (frequency, recency, t_customer)';
COMMENT ON FUNCTION bgnbd_expected_purchases(bgnbd_model, float8) IS 'BG/NBD: expected purchases of a newly acquired customer within horizon (model time units), E[X(horizon)]';
COMMENT ON FUNCTION bgnbd_p_alive(bgnbd_model, float8, float8, float8) IS 'BG/NBD: probability the customer is still active given (frequency, recency, t_customer), 0..1';
COMMENT ON FUNCTION bgnbd_prob_n_purchases(bgnbd_model, float8, float8) IS 'BG/NBD: P(X(horizon) = n): a new customer makes exactly n purchases within horizon model time units';

-- BTYD purchase models: MBG/NBD
COMMENT ON TYPE mbgnbd_model IS 'MBG/NBD model: r, alpha, a, b, log_likelihood, n_customers, iterations, converged, standard errors (NULL if unknown)';
COMMENT ON AGGREGATE mbgnbd_fit(float8, float8, float8) IS 'Maximum-likelihood MBG/NBD fit on customer summaries (frequency, recency, t_customer); returns mbgnbd_model';
COMMENT ON AGGREGATE mbgnbd_fit(float8, float8, float8, float8) IS 'Maximum-likelihood MBG/NBD fit on (frequency, recency, t_customer) with an L2 penalizer >= 0 on the parameters';
COMMENT ON FUNCTION mbgnbd_model(float8, float8, float8, float8) IS 'MBG/NBD model from known parameters (r, alpha, a, b); fit statistics NULL';
COMMENT ON FUNCTION mbgnbd_expected_purchases(mbgnbd_model, float8, float8, float8, float8) IS 'MBG/NBD: expected purchases over the next horizon (model time units) of a customer with (frequency, recency, t_customer)';
COMMENT ON FUNCTION mbgnbd_expected_purchases(mbgnbd_model, float8) IS 'MBG/NBD: expected purchases of a newly acquired customer within horizon (model time units), E[X(horizon)]';
COMMENT ON FUNCTION mbgnbd_p_alive(mbgnbd_model, float8, float8, float8) IS 'MBG/NBD: probability the customer is still active given (frequency, recency, t_customer), 0..1';

-- BTYD purchase models: Pareto/NBD
COMMENT ON TYPE pareto_nbd_model IS 'Pareto/NBD model: r, alpha, s, beta, log_likelihood, n_customers, iterations, converged, standard errors';
COMMENT ON AGGREGATE pareto_nbd_fit(float8, float8, float8) IS 'Maximum-likelihood Pareto/NBD fit on customer summaries (frequency, recency, t_customer); returns pareto_nbd_model';
COMMENT ON AGGREGATE pareto_nbd_fit(float8, float8, float8, float8) IS 'Maximum-likelihood Pareto/NBD fit on (frequency, recency, t_customer) with an L2 penalizer >= 0 on the parameters';
COMMENT ON FUNCTION pareto_nbd_model(float8, float8, float8, float8) IS 'Pareto/NBD model from known parameters (r, alpha, s, beta); fit statistics NULL';
COMMENT ON FUNCTION pareto_nbd_expected_purchases(pareto_nbd_model, float8, float8, float8, float8) IS 'Pareto/NBD: expected purchases over the next horizon (model units) of a customer with (frequency, recency, t_customer)';
COMMENT ON FUNCTION pareto_nbd_expected_purchases(pareto_nbd_model, float8) IS 'Pareto/NBD: expected purchases of a newly acquired customer within horizon (model time units), E[X(horizon)]';
COMMENT ON FUNCTION pareto_nbd_p_alive(pareto_nbd_model, float8, float8, float8) IS 'Pareto/NBD: probability the customer is still active given (frequency, recency, t_customer), 0..1';
COMMENT ON FUNCTION pareto_nbd_prob_n_purchases(pareto_nbd_model, float8, float8) IS 'Pareto/NBD: P(X(horizon) = n): a new customer makes exactly n purchases within horizon model time units';

-- BTYD purchase models: BG/BB (discrete time)
COMMENT ON TYPE bgbb_model IS 'BG/BB model: alpha, beta, gamma, delta, log_likelihood, n_customers, iterations, converged, standard errors';
COMMENT ON AGGREGATE bgbb_fit(float8, float8, float8) IS 'Maximum-likelihood BG/BB fit on (frequency, recency, n_periods) in whole opportunities; returns bgbb_model';
COMMENT ON AGGREGATE bgbb_fit(float8, float8, float8, float8) IS 'Maximum-likelihood BG/BB fit on (frequency, recency, n_periods), weight = customers with that pattern';
COMMENT ON AGGREGATE bgbb_fit(float8, float8, float8, float8, float8) IS 'Maximum-likelihood BG/BB fit on weighted (frequency, recency, n_periods) with an L2 penalizer >= 0';
COMMENT ON FUNCTION bgbb_model(float8, float8, float8, float8) IS 'BG/BB model from known parameters (alpha, beta, gamma, delta); fit statistics NULL';
COMMENT ON FUNCTION bgbb_expected_purchases(bgbb_model, float8, float8, float8, float8) IS 'BG/BB: expected transactions in the next n_periods_ahead opportunities given (frequency, recency, n_periods)';
COMMENT ON FUNCTION bgbb_expected_purchases(bgbb_model, float8) IS 'BG/BB: expected transactions of a new customer in n_periods_ahead opportunities';
COMMENT ON FUNCTION bgbb_p_alive(bgbb_model, float8, float8, float8) IS 'BG/BB: probability the customer is alive at opportunity n_periods + 1 given (frequency, recency), 0..1';

-- Gamma-Gamma spend model and CLV
COMMENT ON TYPE gamma_gamma_model IS 'Gamma-Gamma spend model: p, q, gamma, log_likelihood, n_customers, iterations, converged, standard errors';
COMMENT ON AGGREGATE gamma_gamma_fit(float8, float8) IS 'Maximum-likelihood Gamma-Gamma spend fit on (frequency, monetary_value); rows with frequency 0 skipped';
COMMENT ON AGGREGATE gamma_gamma_fit(float8, float8, float8) IS 'Maximum-likelihood Gamma-Gamma spend fit on (frequency, monetary_value) with an L2 penalizer >= 0';
COMMENT ON FUNCTION gamma_gamma_model(float8, float8, float8) IS 'Gamma-Gamma model from known parameters (p, q, gamma); fit statistics NULL';
COMMENT ON FUNCTION gamma_gamma_expected_spend(gamma_gamma_model, float8, float8) IS 'Gamma-Gamma: expected mean spend per purchase of a customer with (frequency, monetary_value), in amount units';
COMMENT ON FUNCTION gamma_gamma_clv(bgnbd_model, gamma_gamma_model, float8, float8, float8, float8, int, float8, float8) IS 'CLV in amount units over months of 30 days, discounted monthly: BG/NBD purchases times Gamma-Gamma spend';

-- Business analytics: historical CLV, A/B tests, regression, concentration, pricing
COMMENT ON TYPE historical_clv_result IS 'Result of historical_clv: total_spend, n_transactions, avg_purchase_value, purchase_frequency, lifespan_days, clv';
COMMENT ON AGGREGATE historical_clv(timestamptz, float8) IS 'Per customer: realised CLV (total spend), transactions, mean value, purchases per day, lifespan in days';
COMMENT ON FUNCTION ab_assign(text, text, int) IS 'Deterministic A/B variant 1..variants of subject in experiment (SipHash-2-4, uniform, no modulo bias)';
COMMENT ON FUNCTION ab_sample_size(float8, float8, float8, float8) IS 'Subjects per variant for a two-proportion test to detect an absolute rate change at alpha and power';
COMMENT ON TYPE ab_proportion_result IS 'Result of ab_proportion_test: n and rate per variant, lifts, z, p_value, 95 % CI of the rate difference';
COMMENT ON TYPE ab_mean_result IS 'Result of ab_mean_test: n and mean per variant, diff, rel_lift, Welch t, df, p_value, 95 % CI of the difference';
COMMENT ON TYPE linreg_model IS 'OLS model: coefficients (intercept first), std_errors, t/p values, r2, adj_r2, n, rank, sigma, df_residual';
COMMENT ON AGGREGATE linreg_fit(float8, float8[]) IS 'OLS fit with intercept of y on the regressors x[1..k]; aliased columns get NULL coefficients';
COMMENT ON FUNCTION linreg_predict(linreg_model, float8[]) IS 'Prediction of a linreg_model for regressors x: intercept + sum of coefficient * x';
COMMENT ON TYPE regression_metrics_result IS 'Result of regression_metrics: n, mae, mse, rmse, r2';
COMMENT ON AGGREGATE regression_metrics(float8, float8) IS 'MAE, MSE, RMSE and R2 (1 - SSE/SST) of predicted against actual values';
COMMENT ON AGGREGATE gini(float8) IS 'Gini coefficient of non-negative amounts: 0 when all equal, (n-1)/n when one holds everything';
COMMENT ON AGGREGATE top_share(float8, float8) IS 'Share of the total held by the ceil(fraction * n) largest amounts, 0..1';
COMMENT ON FUNCTION segment_price(numeric, text, jsonb) IS 'Price of base_price for a segment under jsonb rules (discount, min_price, decimals; "*" for the rest)';

-- Segmentation: RFM and k-means
COMMENT ON FUNCTION rfm_score(float8, float8, float8, int) IS 'Window function: RFM quantile scores 1..bins over the partition, their digits and named segment';
COMMENT ON FUNCTION value_tier(float8, float8, float8) IS 'Window function: Low-Value, Medium-Value or High-Value by the mid-rank quantile of monetary in the partition';
COMMENT ON FUNCTION rfm_segment(int, int, int) IS 'Named RFM segment (Champions, At Risk, ...: 11 segments) of scores r, f, m in 1..5';
COMMENT ON TYPE kmeans_model IS 'k-means model: k, centroids (scaled), centers (input units), scaling, shift, scale, inertia, iterations, converged, n';
COMMENT ON FUNCTION kmeans_segment(float8[], int, int, text) IS 'Window function: k-means cluster id 1..k of each row, clustering the partition (ordered by centroid)';
COMMENT ON AGGREGATE kmeans_fit(float8[], int) IS 'k-means model of the feature arrays with k clusters (seed 42, zscore scaling)';
COMMENT ON AGGREGATE kmeans_fit(float8[], int, int) IS 'k-means model of the feature arrays with k clusters and the given seed (zscore scaling)';
COMMENT ON AGGREGATE kmeans_fit(float8[], int, int, text) IS 'k-means model of the feature arrays with k clusters, seed and scaling (none, zscore, log_zscore)';
COMMENT ON AGGREGATE kmeans_elbow(float8[], int) IS 'Inertia of the k-means fit for each k = 1..k_max, as an array (seed 42, zscore scaling)';
COMMENT ON AGGREGATE kmeans_elbow(float8[], int, int) IS 'Inertia of the k-means fit for each k = 1..k_max, as an array (given seed, zscore scaling)';
COMMENT ON AGGREGATE kmeans_elbow(float8[], int, int, text) IS 'Inertia of the k-means fit for each k = 1..k_max, as an array (given seed and scaling)';
COMMENT ON AGGREGATE kmeans_silhouette(float8[], int) IS 'Mean silhouette (-1..1) of the k-means fit for each k = 1..k_max, NULL for k = 1 (seed 42, zscore)';
COMMENT ON AGGREGATE kmeans_silhouette(float8[], int, int) IS 'Mean silhouette (-1..1) of the k-means fit for each k = 1..k_max, NULL for k = 1 (given seed, zscore)';
COMMENT ON AGGREGATE kmeans_silhouette(float8[], int, int, text) IS 'Mean silhouette (-1..1) of the k-means fit for each k = 1..k_max, NULL for k = 1 (given seed and scaling)';
COMMENT ON FUNCTION kmeans_assign(kmeans_model, float8[]) IS 'Cluster id 1..k of the model''s nearest centroid to features, after the model''s scaling';

-- Charts: SVG 1.1 documents as text
COMMENT ON FUNCTION clv_svg_frequency_recency(bgnbd_model, float8, text, int, float8, text) IS 'SVG heat map of BG/NBD P(alive) or expected purchases by frequency and recency, customers of age t_customer';
COMMENT ON FUNCTION clv_svg_holdout(clv_frequency_bin[], text) IS 'SVG chart of mean predicted and actual holdout purchases by calibration frequency (clv_holdout_by_frequency)';
COMMENT ON FUNCTION clv_svg_bar_chart(text[], float8[], text, text) IS 'SVG bar chart: one bar per label, in the order given';
COMMENT ON FUNCTION clv_svg_bar_chart(text[], float8[], float8[], text, text[]) IS 'SVG bar chart of two series per label, the second on its own right axis';
COMMENT ON AGGREGATE clv_svg_histogram(float8) IS 'SVG histogram of the values in 20 equal-width bins';
COMMENT ON AGGREGATE clv_svg_histogram(float8, int) IS 'SVG histogram of the values in bins (1..200) equal-width bins';
COMMENT ON AGGREGATE clv_svg_histogram(float8, int, text) IS 'SVG histogram of the values in bins (1..200) equal-width bins, with a title';
COMMENT ON AGGREGATE clv_svg_lorenz(float8) IS 'SVG Lorenz curve of non-negative values against equality, Gini coefficient in the legend';
COMMENT ON AGGREGATE clv_svg_lorenz(float8, text) IS 'SVG Lorenz curve of non-negative values against equality, Gini coefficient in the legend, with a title';

-- ======================================================================================
-- AFTER the rename of type rfm to clv_rfm (lead's change; fails before it)
-- ======================================================================================
COMMENT ON TYPE clv_rfm IS 'Result of rfm_score: quantile scores r, f, m (1..bins, higher is better), score digits, named segment';

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
