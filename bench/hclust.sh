#!/usr/bin/env bash
# Hierarchical clustering benchmark: hclust_fit / hclust_segment with Ward linkage on
# 20,000 rows x 3 features (the acceptance target: under 10 s), single linkage on the
# same rows, and average linkage (distance matrix) on 5,000 rows.
#   ./bench/hclust.sh              (as root; builds, installs, throwaway cluster)
#   ./bench/hclust.sh --private    (installs into a private copy of PostgreSQL)
#   ./bench/hclust.sh --no-build   (the server in PGHOST/PGPORT, clv installed there)
#   BENCH_ROWS=50000 ./bench/hclust.sh   (other sizes)
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

ROWS=${BENCH_ROWS:-20000}
mode=1
case ${1:-} in
	--private) mode=private ;;
	--no-build) mode=0 ;;
	'') ;;
	*) echo "usage: $0 [--private | --no-build]" >&2; exit 2 ;;
esac
CLV_PGOPTS="-c max_parallel_workers_per_gather=0 ${CLV_PGOPTS:-}" clv_check_setup "$mode"

db=clv_bench_hclust
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
P() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
log "creating $ROWS rows of 3 features"
P <<SQL
CREATE EXTENSION clv;
SELECT setseed(0.42) \gset
-- Eight blobs with noise, and a skewed third feature.
CREATE TABLE hb AS
SELECT i AS id, ARRAY[(i % 8) + random(), ((i / 8) % 5) + random() * 2, exp(random() * 3)] AS f
FROM generate_series(1, $ROWS) i;
VACUUM ANALYZE hb;
SQL

# wall time in seconds of one query
timed() {
	local t
	t=$(P -c '\timing on' -c "$2" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
	awk -v n="$1" -v t="$t" 'BEGIN{printf "%-58s %7.2f s\n", n, t / 1000}'
}

log "timings (one run each)"
timed "hclust_fit ward, $ROWS x 3" "SELECT (hclust_fit(f ORDER BY id)).n FROM hb"
timed "hclust_segment(f, 5) ward, $ROWS x 3" \
	"SELECT count(DISTINCT s) FROM (SELECT hclust_segment(f, 5) OVER () s FROM hb) x"
timed "hclust_fit single, $ROWS x 3" "SELECT (hclust_fit(f, 'single' ORDER BY id)).n FROM hb"
timed "hclust_fit average, 5000 x 3 (maintenance_work_mem 256MB)" \
	"SET maintenance_work_mem = '256MB'; SELECT (hclust_fit(f, 'average' ORDER BY id)).n FROM hb WHERE id <= 5000"
