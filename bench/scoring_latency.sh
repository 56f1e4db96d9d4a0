#!/usr/bin/env bash
# Per-customer scoring latency of clv_score (docs/operations.md): one customer's P(alive),
# expected purchases, CLV and RFM segment from the tracked summary and the latest model
# version, as a web request or CRM lookup would ask for it. pgbench -f runs the call for a
# random customer, one client, prepared statements; the baseline is a primary-key lookup of
# the same tracked row.
#   ./bench/scoring_latency.sh [--private]   (as root; builds, installs, throwaway cluster)
#   BENCH_COPIES=100 BENCH_SECONDS=10 ./bench/scoring_latency.sh   (235,700 customers)
# --private installs into this checkout's private copy of PostgreSQL (scripts/lib.sh);
# --no-build uses the running cluster of PGHOST/PGPORT (database clv_bench_scoring, made anew).
# It prints both latencies and their ratio; a loaded machine makes both slower, so it
# fails only on an error (a failed call), not on a slow one.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

COPIES=${BENCH_COPIES:-20}
SECONDS_=${BENCH_SECONDS:-5}
mode=1
[ "${1:-}" = --private ] && mode=private
[ "${1:-}" = --no-build ] && mode=0
clv_tools pgbench
clv_check_setup "$mode"

DB=clv_bench_scoring
command psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" -c "CREATE DATABASE $DB"
psql() { command psql -X -q -v ON_ERROR_STOP=1 -d $DB "$@"; }

log "tracking $COPIES copies of the CDNOW sample ($COPIES x 2,357 customers) and fitting version 1"
cd "$TOP"
PGOPTIONS="-c client_min_messages=error" psql <<SQL
CREATE EXTENSION clv;
CREATE TABLE cdnow_raw (line text);
\copy cdnow_raw FROM 'data/CDNOW_sample.txt'
CREATE TABLE bench_orders (customer_id text, ordered_at timestamptz, amount numeric);
SELECT clv_track('bench_orders', 'customer_id', 'ordered_at', 'amount', 'week');
-- customer k * 10000 + i: copy k of CDNOW customer i
INSERT INTO bench_orders
SELECT (k * 10000 + f[2]::int)::text, to_date(f[3], 'YYYYMMDD')::timestamptz, f[5]::numeric
FROM (SELECT regexp_split_to_array(btrim(line), '\s+') AS f FROM cdnow_raw) s,
     generate_series(0, $COPIES - 1) k
WHERE to_date(f[3], 'YYYYMMDD') <= '1997-09-30';
INSERT INTO clv_alert_rules (name, p_alive_below, clv_above) VALUES ('bench', 0.2, 100);
SELECT clv_refit('bench', 'bench_orders_clv_summary', observation_end => '1997-09-30');
VACUUM ANALYZE;
SQL

cat >/tmp/clv-bench-score.$$.sql <<SQL
\set c random(0, $COPIES - 1) * 10000 + random(1, 2357)
SELECT * FROM clv_score('bench', :c::text, observation_end => '1997-10-31');
SQL
cat >/tmp/clv-bench-lookup.$$.sql <<SQL
\set c random(0, $COPIES - 1) * 10000 + random(1, 2357)
SELECT * FROM bench_orders_clv_summary WHERE customer_id = :c::text;
SQL
trap 'rm -f /tmp/clv-bench-score.$$.sql /tmp/clv-bench-lookup.$$.sql; command psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB"; clv_cluster_stop' EXIT

latency() {
	local out
	# pgbench exits non-zero when a call fails: that is the error this script reports
	out=$(command pgbench -n -c 1 -T "$SECONDS_" -M prepared -f "$1" $DB 2>&1) || { echo "$out" >&2; return 1; }
	echo "$out" | sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p'
}
score=$(latency /tmp/clv-bench-score.$$.sql)
lookup=$(latency /tmp/clv-bench-lookup.$$.sql)
[ -n "$score" ] && [ -n "$lookup" ] || { echo "pgbench printed no latency" >&2; exit 1; }
log "results ($((COPIES * 2357)) customers, $SECONDS_ s each, 1 client, prepared statements)"
printf '%-50s %8s ms\n' "clv_score(name, customer_id), latest version" "$score" \
	"baseline: primary-key lookup of the tracked row" "$lookup"
awk -v s="$score" -v b="$lookup" 'BEGIN { printf "%-50s %8.1f\n", "ratio clv_score / baseline", s / b }'
