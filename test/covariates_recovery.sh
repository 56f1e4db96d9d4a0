#!/usr/bin/env bash
# Recovery of known coefficients (docs/covariates.md): 50,000 customers simulated with
# test/covariates_sim.sql (fixed seed; two binary covariates and a continuous one on both
# processes), fitted by pareto_nbd_fit and bgnbd_fit; every coefficient must lie within 2
# standard errors of the truth. Too slow for pg_regress (about a minute on a shared
# machine): scripts/test.sh runs it.
#
#   test/covariates_recovery.sh      (PGHOST/PGPORT: a server with clv installed)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
db=clv_covariates_recovery
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db"' EXIT
cd "$top"
out=$(psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'SQL'
CREATE EXTENSION clv;
\i test/covariates_sim.sql
SELECT setseed(0.42) \gset
CREATE TEMP TABLE simp AS
SELECT * FROM pg_temp.sim_customers(50000, 'pareto', '{0.8,6,0.7,10}', '{0.5,-0.4,0.3}', '{0.6,-0.5,0.3}');
SELECT setseed(0.7) \gset
CREATE TEMP TABLE simb AS
SELECT * FROM pg_temp.sim_customers(50000, 'bgnbd', '{0.8,6,0.7,3}', '{0.5,-0.4,0.3}', '{0.6,-0.5,0.3}');
CREATE TEMP TABLE fits AS
SELECT 'Pareto/NBD' AS model, (m).converged, (m).purchase_coefficients AS gp, (m).purchase_coefficients_se AS gp_se,
       (m).dropout_coefficients AS gd, (m).dropout_coefficients_se AS gd_se,
       ARRAY[(m).r, (m).alpha, (m).s, (m).beta] AS par, ARRAY[(m).r_se, (m).alpha_se, (m).s_se, (m).beta_se] AS par_se
FROM (SELECT pareto_nbd_fit(x, tx, t, ARRAY[z1, z2, z3], ARRAY[z1, z2, z3]) AS m FROM simp) f
UNION ALL
SELECT 'BG/NBD', (m).converged, (m).purchase_coefficients, (m).purchase_coefficients_se,
       (m).dropout_coefficients, (m).dropout_coefficients_se,
       ARRAY[(m).r, (m).alpha, (m).a, (m).b], ARRAY[(m).r_se, (m).alpha_se, (m).a_se, (m).b_se]
FROM (SELECT bgnbd_fit(x, tx, t, ARRAY[z1, z2, z3], ARRAY[z1, z2, z3]) AS m FROM simb) f;
\pset footer off
SELECT model, converged, name, truth, round(est::numeric, 4) AS estimate, round(se::numeric, 4) AS se,
       round(((est - truth) / se)::numeric, 2) AS z, abs(est - truth) < 2 * se AS within_2_se
FROM fits, LATERAL (
    SELECT (ARRAY['r', 'alpha', CASE WHEN model = 'BG/NBD' THEN 'a' ELSE 's' END,
                  CASE WHEN model = 'BG/NBD' THEN 'b' ELSE 'beta' END])[i],
           (CASE WHEN model = 'BG/NBD' THEN '{0.8,6,0.7,3}' ELSE '{0.8,6,0.7,10}' END)::float8[] AS tp, par[i], par_se[i]
    FROM generate_series(1, 4) i
    UNION ALL SELECT 'purchase ' || i, '{0.5,-0.4,0.3}', gp[i], gp_se[i] FROM generate_series(1, 3) i
    UNION ALL SELECT 'dropout ' || i, '{0.6,-0.5,0.3}', gd[i], gd_se[i] FROM generate_series(1, 3) i) c(name, tp, est, se),
    LATERAL (SELECT CASE WHEN name LIKE '%pur%' OR name LIKE '%drop%' THEN tp[right(name, 1)::int]
                         ELSE tp[array_position(ARRAY['r', 'alpha', 'x', 'y'], name)] END) tr(truth0),
    LATERAL (SELECT coalesce(truth0, tp[CASE WHEN name IN ('a', 's') THEN 3 ELSE 4 END])) t2(truth)
ORDER BY model DESC, name <> 'r', name <> 'alpha', name !~ '^(a|s)$', name !~ '^(b|beta)$', name;
SQL
)
echo "$out"
if echo "$out" | grep -q "| f *$"; then
	echo "covariates_recovery: FAILED: a parameter is not within 2 standard errors (or a fit did not converge)"
	exit 1
fi
echo "covariates_recovery: ok"
