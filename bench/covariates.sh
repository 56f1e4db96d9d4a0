#!/usr/bin/env bash
# Covariate fits benchmark (docs/covariates.md): Pareto/NBD and BG/NBD on 1,000,000
# simulated customers (test/covariates_sim.sql) with 3 covariates on both processes
# (two binary, one continuous: every customer is a distinct row), and the plain fit of
# the same customers in the same run, with the ratio.
#   ./bench/covariates.sh              (as root; builds, installs, throwaway cluster)
#   ./bench/covariates.sh --private    (installs into a private copy of PostgreSQL)
#   ./bench/covariates.sh --no-build   (the server in PGHOST/PGPORT, clv installed there)
#   BENCH_ROWS=200000 ./bench/covariates.sh   (other sizes)
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

ROWS=${BENCH_ROWS:-1000000}
mode=1
case ${1:-} in
	--private) mode=private ;;
	--no-build) mode=0 ;;
	'') ;;
	*) echo "usage: $0 [--private | --no-build]" >&2; exit 2 ;;
esac
CLV_PGOPTS="-c max_parallel_workers_per_gather=0 ${CLV_PGOPTS:-}" clv_check_setup "$mode"

db=clv_bench_covariates
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
P() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
cd "$TOP"
log "simulating $ROWS customers"
P <<SQL
CREATE EXTENSION clv;
\i test/covariates_sim.sql
SELECT setseed(0.42) \gset
CREATE TABLE simp AS
SELECT * FROM pg_temp.sim_customers($ROWS, 'pareto', '{0.8,6,0.7,10}', '{0.5,-0.4,0.3}', '{0.6,-0.5,0.3}');
VACUUM ANALYZE simp;
SQL

# wall time in seconds of one query
timed() {
	P -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1 |
		awk '{printf "%.2f", $1 / 1000}'
}
for m in pareto_nbd bgnbd; do
	plain=$(timed "SELECT (${m}_fit(x, tx, t)).converged FROM simp")
	cov=$(timed "SELECT (${m}_fit(x, tx, t, ARRAY[z1, z2, z3], ARRAY[z1, z2, z3])).converged FROM simp")
	awk -v m="$m" -v n="$ROWS" -v p="$plain" -v c="$cov" \
		'BEGIN{printf "%-11s %d customers: plain %6.2f s, 3+3 covariates %6.2f s, ratio %.1f\n", m, n, p, c, c / p}'
done
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db"
