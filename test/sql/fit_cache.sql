-- A fit's final function keeps the last model of the transaction with a copy of its
-- state, and answers a call on a byte-identical state with that model (Citus calls the
-- final function once per output column of SELECT (fit(...)).*: docs/performance.md,
-- "Citus"). The kept model must never stand in for another: any other state, another
-- model kind or another transaction computes afresh.
SET client_min_messages = warning;
-- The raw fit state, as a Citus coordinator holds it before the final function.
CREATE AGGREGATE pg_temp.fit_state(float8, float8, float8) (
    SFUNC = _btyd_fit_trans, STYPE = bytea, COMBINEFUNC = _clv_rowset_combine);
CREATE TEMP TABLE states AS
SELECT pg_temp.fit_state(frequency, recency, t) AS everyone,
       pg_temp.fit_state(frequency, recency, t) FILTER (WHERE id % 2 = 0) AS half
FROM cdnow_summary;
CREATE TEMP TABLE fresh AS
SELECT bgnbd_fit(frequency, recency, t)::text AS bg_all,
       (bgnbd_fit(frequency, recency, t) FILTER (WHERE id % 2 = 0))::text AS bg_half,
       pareto_nbd_fit(frequency, recency, t)::text AS pn_all
FROM cdnow_summary;

BEGIN;
-- the same state twice (the second call is answered from the kept model), then another
-- state, another kind on the same state, and the first again
SELECT _bgnbd_fit_final(everyone)::text = bg_all AS first,
       _bgnbd_fit_final(everyone)::text = bg_all AS same_state_again
FROM states, fresh;
SELECT _bgnbd_fit_final(half)::text = bg_half AS other_state,
       _pareto_nbd_fit_final(half)::text <> bg_half AS other_kind,
       _pareto_nbd_fit_final(everyone)::text = pn_all AS other_kind_all,
       _bgnbd_fit_final(everyone)::text = bg_all AS first_again
FROM states, fresh;
-- one byte changed in the rows: a different state, a different model
SELECT _bgnbd_fit_final(set_byte(everyone, length(everyone) - 9, get_byte(everyone, length(everyone) - 9) # 1))::text <> bg_all
       AS changed_state_refitted
FROM states, fresh;
COMMIT;
-- a new transaction starts with nothing kept
SELECT _bgnbd_fit_final(everyone)::text = bg_all AS next_transaction FROM states, fresh;
-- (fit).* gives the fit's fields, computed once
SELECT round(r::numeric, 4) AS r, round(alpha::numeric, 4) AS alpha, round(a::numeric, 4) AS a,
       round(b::numeric, 4) AS b, converged
FROM (SELECT (bgnbd_fit(frequency, recency, t)).* FROM cdnow_summary) q;
