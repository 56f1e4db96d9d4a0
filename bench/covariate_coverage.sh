#!/usr/bin/env bash
# Coverage of the intervals of covariate models (docs/intervals.md, "Customers of
# covariate models"): DATASETS data sets of CUSTOMERS Pareto/NBD customers simulated by
# test/covariates_sim.sql (seeded; z1 binary, z3 standard normal, on both processes, true
# coefficients 0.5, 0.3 and 0.6, 0.3), each fitted with both covariates on both processes;
# then how often the 90 % intervals cover the value at the true parameters of
#   - a new customer's expected purchases in 39 weeks at z1 = 1, z3 = 1,
#   - the customer (3, 40, 60)'s expected purchases in 39 weeks at z1 = 0, z3 = -1,
#   - the customer (2, 20, 60)'s P(alive) at z1 = 1, z3 = 0.
#   ./bench/covariate_coverage.sh [--private | --no-build]     DATASETS=100 CUSTOMERS=1000
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

DATASETS=${DATASETS:-100}
CUSTOMERS=${CUSTOMERS:-1000}
mode=1
case ${1:-} in
	--private) mode=private ;;
	--no-build) mode=0 ;;
	'') ;;
	*) echo "usage: $0 [--private | --no-build]" >&2; exit 2 ;;
esac
CLV_PGOPTS="-c max_parallel_workers_per_gather=0 ${CLV_PGOPTS:-}" clv_check_setup "$mode"

db=clv_covariate_coverage
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
cd "$TOP"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -P footer=off <<SQL
CREATE EXTENSION clv;
\i test/covariates_sim.sql
-- the true parameters (weeks), as in test/sql/covariates.sql but z2 without effect
CREATE TEMP TABLE truth AS SELECT '{0.8,6,0.7,10}'::float8[] AS par, '{0.5,0,0.3}'::float8[] AS gp,
                                  '{0.6,0,0.3}'::float8[] AS gd;
-- the plain model of a customer with covariates z1, z3 at the true parameters
CREATE FUNCTION pg_temp.true_model(z1 float8, z3 float8) RETURNS pareto_nbd_model LANGUAGE sql AS \$\$
    SELECT pareto_nbd_model(par[1], par[2] * exp(-(gp[1] * z1 + gp[3] * z3)), par[3],
                            par[4] * exp(-(gd[1] * z1 + gd[3] * z3))) FROM truth \$\$;
CREATE TEMP TABLE fits (dataset int, m pareto_nbd_model);
DO \$\$
BEGIN
    FOR d IN 1..$DATASETS LOOP
        PERFORM setseed(d / 1000.0);
        INSERT INTO fits
        SELECT d, pareto_nbd_fit(x, tx, t, ARRAY[z1, z3], ARRAY[z1, z3])
        FROM pg_temp.sim_customers($CUSTOMERS, 'pareto', (SELECT par FROM truth), (SELECT gp FROM truth),
                                   (SELECT gd FROM truth));
    END LOOP;
END \$\$;
SELECT count(*) AS datasets, $CUSTOMERS AS customers,
       count(*) FILTER (WHERE (m).converged AND (m).covariance IS NOT NULL) AS with_covariance
FROM fits;
CREATE TEMP TABLE res AS
SELECT 'new customer E[X(39)], z = (1, 1)' AS quantity, i.*,
       pareto_nbd_expected_purchases(pg_temp.true_model(1, 1), 39) AS truth
FROM fits, LATERAL pareto_nbd_expected_purchases_new_interval(m, 39, '{1,1}'::float8[], '{1,1}'::float8[]) i
WHERE (m).covariance IS NOT NULL
UNION ALL
SELECT 'customer (3, 40, 60) E[X(39)], z = (0, -1)', i.*,
       pareto_nbd_expected_purchases(pg_temp.true_model(0, -1), 39, 3, 40, 60)
FROM fits, LATERAL pareto_nbd_expected_purchases_interval(m, 39, 3, 40, 60, '{0,-1}'::float8[], '{0,-1}'::float8[]) i
WHERE (m).covariance IS NOT NULL
UNION ALL
SELECT 'customer (2, 20, 60) P(alive), z = (1, 0)', i.*,
       pareto_nbd_p_alive(pg_temp.true_model(1, 0), 2, 20, 60)
FROM fits, LATERAL pareto_nbd_p_alive_interval(m, 2, 20, 60, '{1,0}'::float8[], '{1,0}'::float8[]) i
WHERE (m).covariance IS NOT NULL;
SELECT quantity, count(*) AS intervals,
       round(avg((lower <= truth AND truth <= upper)::int), 3) AS coverage,
       round(avg((truth < lower)::int), 3) AS truth_below, round(avg((truth > upper)::int), 3) AS truth_above,
       round(avg(truth)::numeric, 4) AS truth, round(avg(upper - lower)::numeric, 4) AS mean_width
FROM res GROUP BY quantity ORDER BY quantity;
SQL
psql -X -q -d postgres -c "DROP DATABASE $db"
