#!/usr/bin/env bash
# Coverage study of the prediction intervals (docs/intervals.md): simulates data sets from
# BG/NBD and Pareto/NBD at known parameters (bench/coverage_sim.py), fits each in clv,
# and counts how often the 90 % intervals cover the truth:
#   - a new customer's expected purchases in (0, 39 weeks] (the population's), and
#   - five customers' conditional expected purchases in the next 39 weeks and four
#     customers' P(alive), against their values at the true parameters.
#   ./bench/coverage_study.sh              (as root; builds, installs, throwaway cluster)
#   ./bench/coverage_study.sh --private    (installs into a private copy of PostgreSQL)
#   ./bench/coverage_study.sh --no-build   (the server in PGHOST/PGPORT, clv installed there)
#   DATASETS=200 CUSTOMERS=2357 MODELS="bgnbd pareto" SEED=1 ./bench/coverage_study.sh
# Exits 1 if a coverage of the population's expected purchases is outside [MIN, MAX]
# (default 0.85, 0.95): the check of test/coverage_check.sh runs a small version.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

DATASETS=${DATASETS:-200}
CUSTOMERS=${CUSTOMERS:-2357}
MODELS=${MODELS:-bgnbd pareto}
SEED=${SEED:-1}
MIN=${MIN:-0.85}
MAX=${MAX:-0.95}
PY=${PYTHON:-/usr/bin/python3}
mode=1
case ${1:-} in
	--private) mode=private ;;
	--no-build) mode=0 ;;
	'') ;;
	*) echo "usage: $0 [--private | --no-build]" >&2; exit 2 ;;
esac
"$PY" -c 'import numpy' 2>/dev/null || clv_tools python3-numpy
CLV_PGOPTS="-c max_parallel_workers_per_gather=0 ${CLV_PGOPTS:-}" clv_check_setup "$mode"

db=clv_coverage_study
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
P() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
P -c "CREATE EXTENSION clv"
# An interval or NULL when the function raises an ERROR (a fit whose parameters are so
# poorly determined that more than 1 % of the draws cannot be evaluated): counted apart.
P <<'SQL'
CREATE FUNCTION try_interval(fn text, m anyelement, x float8 DEFAULT NULL, tx float8 DEFAULT NULL,
                             tt float8 DEFAULT NULL, what text DEFAULT 'expected_purchases')
    RETURNS clv_interval LANGUAGE plpgsql AS $$
DECLARE r clv_interval;
BEGIN
    IF x IS NULL THEN
        EXECUTE format('SELECT (%s_expected_purchases_new_interval($1, 39, 0.9)).*', fn) INTO r USING m;
    ELSIF what = 'p_alive' THEN
        EXECUTE format('SELECT (%s_p_alive_interval($1, $2, $3, $4, 0.9)).*', fn)
            INTO r USING m, x, tx, tt;
    ELSE
        EXECUTE format('SELECT (%s_expected_purchases_interval($1, 39, $2, $3, $4, 0.9)).*', fn)
            INTO r USING m, x, tx, tt;
    END IF;
    RETURN r;
EXCEPTION WHEN numeric_value_out_of_range OR invalid_parameter_value THEN
    RETURN NULL;
END $$;
SQL
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; clv_cluster_stop' EXIT
chmod 755 "$tmp"
status=0
for model in $MODELS; do
	case $model in
		# CDNOW's estimates (Fader, Hardie & Lee 2005; Fader & Hardie's Pareto/NBD note)
		bgnbd) par="0.243 4.414 0.793 2.426" fit=bgnbd_fit mk=bgnbd_model fn=bgnbd ;;
		pareto) par="0.553 10.578 0.606 11.669" fit=pareto_nbd_fit mk=pareto_nbd_model fn=pareto_nbd ;;
		*) echo "unknown model $model (bgnbd, pareto)" >&2; exit 2 ;;
	esac
	log "$model: $DATASETS data sets of $CUSTOMERS customers (seed $SEED, parameters $par)"
	# shellcheck disable=SC2086
	"$PY" "$TOP/bench/coverage_sim.py" "$model" "$DATASETS" "$CUSTOMERS" "$SEED" $par >"$tmp/sim.csv"
	P <<SQL
DROP TABLE IF EXISTS sim, fits, pop, cust, alive;
CREATE TABLE sim (dataset int, id int, frequency float8, recency float8, t_customer float8);
\copy sim FROM '$tmp/sim.csv' WITH (FORMAT csv)
CREATE TABLE fits AS
SELECT dataset, $fit(frequency, recency, t_customer) AS m FROM sim GROUP BY dataset;
\pset footer off
SELECT '$model' AS model, count(*) AS datasets, $CUSTOMERS AS customers,
       count(*) FILTER (WHERE (m).converged AND (m).covariance IS NOT NULL) AS with_covariance
FROM fits;
-- the population's expected purchases of a new customer over 39 weeks
CREATE TABLE pop AS
SELECT i.*, ${fn}_expected_purchases($mk(${par// /, }), 39) AS truth
FROM fits, LATERAL try_interval('$fn', m) i
WHERE (m).converged AND (m).covariance IS NOT NULL;
-- five customers (frequency, recency, t_customer), 39 weeks ahead
CREATE TABLE cust AS
SELECT c.*, i.*, ${fn}_expected_purchases($mk(${par// /, }), 39, c.x, c.tx, c.tt) AS truth
FROM fits,
     (VALUES (0, 0, 39), (1, 5, 39), (2, 30.43, 38.86), (5, 35, 39), (10, 38, 39)) c(x, tx, tt),
     LATERAL try_interval('$fn', m, c.x, c.tx, c.tt) i
WHERE (m).converged AND (m).covariance IS NOT NULL;
-- their P(alive) (the four with repeat purchases: without, BG/NBD's is 1 at any parameters)
CREATE TABLE alive AS
SELECT c.*, i.*, ${fn}_p_alive($mk(${par// /, }), c.x, c.tx, c.tt) AS truth
FROM fits,
     (VALUES (1, 5, 39), (2, 30.43, 38.86), (5, 35, 39), (10, 38, 39)) c(x, tx, tt),
     LATERAL try_interval('$fn', m, c.x, c.tx, c.tt, 'p_alive') i
WHERE (m).converged AND (m).covariance IS NOT NULL;
SELECT 'population E[X(39)]' AS quantity, count(lower) AS intervals, count(*) - count(lower) AS errors,
       round(avg((lower <= truth AND truth <= upper)::int), 3) AS coverage,
       round(avg((truth < lower)::int), 3) AS truth_below, round(avg((truth > upper)::int), 3) AS truth_above,
       round(avg(truth)::numeric, 4) AS truth, round(avg(upper - lower)::numeric, 4) AS mean_width
FROM pop
UNION ALL
SELECT format('customer (%s, %s, %s)', x, tx, tt), count(lower), count(*) - count(lower),
       round(avg((lower <= truth AND truth <= upper)::int), 3),
       round(avg((truth < lower)::int), 3), round(avg((truth > upper)::int), 3),
       round(avg(truth)::numeric, 4), round(avg(upper - lower)::numeric, 4)
FROM cust GROUP BY x, tx, tt
UNION ALL
SELECT 'all five customers', count(lower), count(*) - count(lower), round(avg((lower <= truth AND truth <= upper)::int), 3),
       round(avg((truth < lower)::int), 3), round(avg((truth > upper)::int), 3), NULL, NULL
FROM cust
UNION ALL
SELECT 'P(alive), four customers', count(lower), count(*) - count(lower), round(avg((lower <= truth AND truth <= upper)::int), 3),
       round(avg((truth < lower)::int), 3), round(avg((truth > upper)::int), 3),
       round(avg(truth)::numeric, 4), round(avg(upper - lower)::numeric, 4)
FROM alive;
SQL
	# an ERROR counts as a miss here
	cov=$(P -Atc "SELECT avg(coalesce(lower <= truth AND truth <= upper, false)::int) FROM pop" 2>/dev/null || echo 0)
	if ! awk -v c="$cov" -v lo="$MIN" -v hi="$MAX" 'BEGIN { exit !(c >= lo && c <= hi) }'; then
		echo "FAIL: $model population coverage $cov outside [$MIN, $MAX]" >&2
		status=1
	fi
done
exit $status
