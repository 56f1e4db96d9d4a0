-- clv 0.1 -> 0.2. Also the install script of 0.2: CREATE EXTENSION clv runs
-- clv--0.1.sql, then this file.

\echo Use "ALTER EXTENSION clv UPDATE TO '0.2'" to load this file. \quit

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
    'two-proportion z test of two variants; the control is the label named like a control (control, old, baseline, A, ...) or 0, else 1, of whole-number labels, else ERROR: pass it as a third argument';
COMMENT ON AGGREGATE ab_proportion_test(text, bool, text) IS
    'two-proportion z test of two variants; control: the label of the control variant';
COMMENT ON AGGREGATE ab_proportion_test(int, bool) IS
    'two-proportion z test of two int variants (ab_assign output); the control is 0, else 1, else ERROR';
COMMENT ON AGGREGATE ab_proportion_test(int, bool, int) IS
    'two-proportion z test of two int variants (ab_assign output); control: the control variant';
COMMENT ON AGGREGATE ab_mean_test(text, float8) IS
    'Welch t test of two variants; the control is the label named like a control (control, old, baseline, A, ...) or 0, else 1, of whole-number labels, else ERROR: pass it as a third argument';
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
