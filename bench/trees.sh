#!/usr/bin/env bash
# Tree benchmark: random_forest_fit of 100 trees on 100,000 rows x 10 features (Friedman
# #1: 5 informative features, noise), a single decision tree, and prediction of every row.
#   ./bench/trees.sh              (as root; private install of this checkout, throwaway cluster)
#   ./bench/trees.sh --no-build   (the server in PGHOST/PGPORT, clv installed there)
#   BENCH_ROWS=20000 BENCH_TREES=20 ./bench/trees.sh    (quicker)
# One run of each (the forest fit takes seconds; machines here are shared).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

ROWS=${BENCH_ROWS:-100000}
TREES=${BENCH_TREES:-100}
mode=private
[ "${1:-}" = --no-build ] && mode=0
CLV_PGOPTS="-c maintenance_work_mem=256MB -c max_parallel_workers_per_gather=0 ${CLV_PGOPTS:-}" clv_check_setup "$mode"

db=clv_bench_trees
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql() { command psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }

log "creating $ROWS rows of 10 features"
psql <<SQL
CREATE EXTENSION clv;
SELECT setseed(0.42);
CREATE TABLE bench_rows AS
SELECT i AS id, x, 10 * sin(pi() * x[1] * x[2]) + 20 * (x[3] - 0.5) ^ 2 + 10 * x[4] + 5 * x[5]
                + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) AS y
FROM (SELECT i, ARRAY(SELECT random() FROM generate_series(1, 10) WHERE i > 0) AS x
      FROM generate_series(1, $ROWS) i) s;
VACUUM ANALYZE bench_rows;
SQL

ms() { psql -c '\timing on' -c "$1" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1; }
log "timing (one run each)"
tree=$(ms "CREATE TABLE m_tree AS SELECT decision_tree_fit(y, x, 30, 5) AS m FROM bench_rows")
forest=$(ms "CREATE TABLE m_forest AS SELECT random_forest_fit(y, x, $TREES, 30, 5, 42) AS m FROM bench_rows")
psql -c "ANALYZE m_forest"
pred=$(ms "SELECT sum(random_forest_predict(m, x)) FROM bench_rows, m_forest")
linreg=$(ms "SELECT linreg_fit(y, x) FROM bench_rows")
info=$(psql -Atc "SELECT format('%s trees, %s leaves, max depth %s, %s MB', (m).n_trees, (m).leaves, (m).depth,
                                round(length((m).model) / 1048576.0, 1)) FROM m_forest")
printf '%-58s %9.0f ms\n' "linreg_fit, $ROWS rows x 10 (baseline)" "$linreg" \
	"decision_tree_fit (max_depth 30, min_leaf 5)" "$tree" \
	"random_forest_fit ($TREES trees, max_depth 30, min_leaf 5, 3 of 10 features)" "$forest" \
	"random_forest_predict of $ROWS rows" "$pred"
echo "forest: $info"
psql -X -q -d postgres -c "DROP DATABASE $db" 2>/dev/null || true
