#!/usr/bin/env bash
# clv on a real Citus cluster: a coordinator and two workers on loopback ports, an orders
# table distributed by customer (the CDNOW sample) and a distributed summary table. Every
# aggregate of test/citus/cases.txt runs on the distributed table and on a single-node copy
# of it; for each the script prints how Citus plans it (partial aggregates on the workers,
# or the rows gathered to the coordinator: "unsupported aggregate function" when
# citus.coordinator_aggregation_strategy is 'disabled') and whether the result equals the
# single-node one. Exit 1 if a result differs beyond 1e-10 relative or a backend crashed.
# Runs only where a citus extension is installed for the PostgreSQL it uses (PG_CONFIG);
# otherwise it says so and exits 0. It never builds Citus (docs/performance.md, "Citus").
#   test/citus/run.sh [--no-build]     (CLV_CITUS_PORT: first of three ports, default 56131;
#                                       CLV_CITUS_EXPLAIN=label: print that case's plan)
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"
build=1
[ "${1:-}" = --no-build ] && build=0
if [ ! -f "$("$PGBIN/pg_config" --sharedir)/extension/citus.control" ]; then
	echo "test/citus: skipped, no citus extension is installed for $("$PGBIN/pg_config" --version)"
	exit 0
fi
[ $build = 1 ] && { clv_deps; clv_build; }
base=${CLV_CITUS_PORT:-56131}
clv_citus_start "$base"
dir=$CLV_CITUS_DIR
P=(psql -X -q -h /tmp -p "$base" -U postgres -v ON_ERROR_STOP=1)
"${P[@]}" -At -c "SELECT 'test/citus: ' || citus_version() || ', clv ' || extversion FROM pg_extension WHERE extname = 'clv'"
cd "$TOP"
"${P[@]}" <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE TABLE orders (customer_id int, txn_time timestamptz, amount float8);
CREATE TABLE cdnow_raw (line text);
\copy cdnow_raw FROM 'data/CDNOW_sample.txt'
INSERT INTO orders
SELECT f[2]::int, to_date(f[3], 'YYYYMMDD')::timestamptz, f[5]::float8
FROM (SELECT regexp_split_to_array(btrim(line), '\s+') AS f FROM cdnow_raw) s;
CREATE TABLE orders_local AS SELECT * FROM orders;
SELECT create_distributed_table('orders', 'customer_id', shard_count => 4);
-- the summary table: written by a GROUP BY that Citus pushes down whole
CREATE TABLE summ (customer_id int, s clv_customer_summary, grp text, x1 float8, x2 float8);
SELECT create_distributed_table('summ', 'customer_id', colocate_with => 'orders');
INSERT INTO summ
SELECT customer_id, clv_summary(txn_time, amount, '1997-09-30', 'week'),
       CASE WHEN ab_assign(customer_id::text, 'exp1') = 1 THEN 'A' ELSE 'B' END, NULL, NULL
FROM orders WHERE txn_time <= '1997-09-30' GROUP BY customer_id;
UPDATE summ SET x1 = (s).frequency, x2 = (s).recency;
CREATE TABLE summ_local AS SELECT * FROM summ ORDER BY customer_id;
SQL
fail=0
printf '%-38s %-30s %-16s %s\n' aggregate "Citus plan" "vs single node" "time dist / local"
while IFS='|' read -r label tbl q; do
	case $label in '#'*|'') continue ;; esac
	qd=${q//\{T\}/$tbl}
	ql=${q//\{T\}/${tbl}_local}
	plan=$("${P[@]}" -c "SET citus.coordinator_aggregation_strategy = 'disabled'" \
		-c "EXPLAIN (VERBOSE, COSTS OFF) $qd" 2>&1 || true)
	if grep -q 'unsupported aggregate' <<<"$plan"; then kind="rows gathered to coordinator"
	elif grep -q 'ERROR' <<<"$plan"; then kind="error: $(grep -m1 ERROR <<<"$plan" | cut -c1-60)"
	elif grep -q 'worker_partial_agg' <<<"$plan"; then kind="partial aggregates on workers"
	elif grep -q 'Task Count' <<<"$plan"; then kind="pushed down whole"
	else kind="not distributed"; fi
	# CLV_CITUS_EXPLAIN=label: print that case's plan (docs/performance.md quotes them)
	[ "${CLV_CITUS_EXPLAIN:-}" = "$label" ] && sed 's/^/    /' <<<"$plan"
	t0=$EPOCHREALTIME
	"${P[@]}" -At -c "$qd" >"$dir/d.out" 2>&1 || true
	t1=$EPOCHREALTIME
	"${P[@]}" -At -c "$ql" >"$dir/l.out" 2>&1 || true
	t2=$EPOCHREALTIME
	sed -i "s/orders_local/orders/g; s/summ_local/summ/g" "$dir/l.out"
	verdict=$(clv_same_output "$dir/d.out" "$dir/l.out") || fail=1
	printf '%-38s %-30s %-16s %.2f s / %.2f s\n' "$label" "$kind" "$verdict" \
		"$(bc <<<"$t1 - $t0")" "$(bc <<<"$t2 - $t1")"
done <test/citus/cases.txt
exit $fail
