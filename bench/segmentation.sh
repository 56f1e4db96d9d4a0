#!/usr/bin/env bash
# Segmentation benchmark: rfm_score and kmeans_segment on 1,000,000 customers, each
# against a baseline measured in the same run on the same table.
#   ./bench/segmentation.sh            (as root; builds, installs, throwaway cluster)
#   BENCH_ROWS=200000 BENCH_RUNS=1 ./bench/segmentation.sh   (quicker)
# Each query runs BENCH_RUNS times (default 3); the best time is reported.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

ROWS=${BENCH_ROWS:-1000000}
RUNS=${BENCH_RUNS:-3}

clv_deps
clv_build
CLV_PGOPTS="-c work_mem=256MB -c maintenance_work_mem=1GB -c max_parallel_workers_per_gather=0 ${CLV_PGOPTS:-}" clv_cluster_start

psql() { command psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }

log "creating $ROWS customers"
psql <<SQL
CREATE EXTENSION clv;
SELECT setseed(0.42);
-- Skewed RFM-like data: recency uniform over a year, geometric frequency, log-normal spend.
CREATE TABLE bench_customers AS
SELECT i AS id, floor(random() * 365)::float8 AS recency_days,
       (1 + floor(-ln(1 - random()) * 2))::float8 AS frequency,
       round(exp(3 + random() * 2 + random())::numeric, 2)::float8 AS monetary
FROM generate_series(1, $ROWS) i;
CREATE TABLE bench_features AS
SELECT id, ARRAY[recency_days, frequency, monetary] AS x FROM bench_customers;
VACUUM ANALYZE bench_customers;
VACUUM ANALYZE bench_features;
SQL

# best wall time in ms of a query over RUNS runs
best() {
	local q=$1 b=
	for _ in $(seq "$RUNS"); do
		local t
		t=$(psql -c '\timing on' -c "$q" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
		if [ -z "$b" ] || awk "BEGIN{exit !($t < $b)}"; then b=$t; fi
	done
	echo "$b"
}

report() {	# name, query ms, baseline name, baseline ms
	awk -v n="$1" -v t="$2" -v bn="$3" -v b="$4" \
		'BEGIN{printf "%-44s %9.0f ms   %-36s %9.0f ms   ratio %.2f\n", n, t, bn, b, t / b}'
}

log "timing (best of $RUNS)"
ntile=$(best "SELECT sum(a + b + c) FROM (SELECT ntile(5) OVER (ORDER BY recency_days DESC) a,
                  ntile(5) OVER (ORDER BY frequency) b, ntile(5) OVER (ORDER BY monetary) c
              FROM bench_customers) s")
rfm=$(best "SELECT sum((s).r + (s).f + (s).m) FROM (SELECT rfm_score(recency_days, frequency, monetary) OVER () s
              FROM bench_customers) q")
tier=$(best "SELECT count(*) FILTER (WHERE t = 'High-Value') FROM (SELECT value_tier(monetary) OVER () t
              FROM bench_customers) q")
ntile1=$(best "SELECT sum(a) FROM (SELECT ntile(5) OVER (ORDER BY monetary) a FROM bench_customers) s")
scan=$(best "SELECT sum(c) FROM (SELECT count(*) OVER () c, x FROM bench_features) s")
km=$(best "SELECT sum(c) FROM (SELECT kmeans_segment(x, 5) OVER () c FROM bench_features) s")
kmlog=$(best "SELECT sum(c) FROM (SELECT kmeans_segment(x, 5, 42, 'log_zscore') OVER () c FROM bench_features) s")
fit=$(best "SELECT (kmeans_fit(x, 5)).inertia FROM bench_features")

echo
echo "rows: $ROWS, 2 cores, work_mem 256MB, maintenance_work_mem 1GB (k-means), serial plans"
report "rfm_score(r, f, m) OVER ()" "$rfm" "3 x ntile(5) OVER (ORDER BY ...)" "$ntile"
report "value_tier(m) OVER ()" "$tier" "ntile(5) OVER (ORDER BY m)" "$ntile1"
report "kmeans_segment(x, 5) OVER () [zscore]" "$km" "count(*) OVER () (read rows)" "$scan"
report "kmeans_segment(x, 5, 42, 'log_zscore')" "$kmlog" "count(*) OVER () (read rows)" "$scan"
report "kmeans_fit(x, 5) (aggregate)" "$fit" "count(*) OVER () (read rows)" "$scan"
awk -v t="$km" 'BEGIN{printf "kmeans_segment 1M x 3, k = 5: %.2f s (target < 3 s): %s\n", t / 1000, (t < 3000 ? "ok" : "TOO SLOW")}'
awk -v t="$rfm" -v b="$ntile" 'BEGIN{printf "rfm_score / 3 x ntile: %.2f (target <= 2): %s\n", t / b, (t <= 2 * b ? "ok" : "TOO SLOW")}'
