-- clv 0.1 -> 0.2. Also the install script of 0.2: CREATE EXTENSION clv runs
-- clv--0.1.sql, then this file.
-- (Branch summary: only this branch's part, from sql/_pending_summary.sql.)

\echo Use "ALTER EXTENSION clv UPDATE TO '0.2'" to load this file. \quit

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
    'per-customer BTYD and RFM summary; refunds: ''error'' (negative amounts are an error) or ''net'' (netted against the same day''s purchases, a day netting to <= 0 is no purchase)';
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
        JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
        WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
          AND d.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass
          AND d.refobjid = f
          AND pg_catalog.pg_get_viewdef(r.ev_class) ~ '(recency_days|frequency|monetary)\s*=>'
    LOOP
        RAISE WARNING 'view % may call rfm_score with the argument names of clv 0.1', v
            USING DETAIL = 'rfm_score''s arguments are now days_since_last_purchase, purchases, total_spend, bins. '
                           'The view keeps working, but its definition (and a dump of it) shows the old names.',
                  HINT = 'Recreate the view (CREATE OR REPLACE VIEW) with the new argument names or with positional arguments.';
    END LOOP;
    UPDATE pg_catalog.pg_proc
    SET proargnames = '{days_since_last_purchase,purchases,total_spend,bins}'
    WHERE oid = f AND proargnames = '{recency_days,frequency,monetary,bins}';
END
$$;
COMMENT ON FUNCTION @extschema@.rfm_score(float8, float8, float8, int) IS
    'RFM quintile scores over the window partition; inputs: clv_summary''s days_since_last_purchase, purchases, total_spend';
