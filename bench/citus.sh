#!/usr/bin/env bash
# clv on Citus at scale (issue 18): a coordinator and two workers on loopback ports, the
# synthetic transactions of N customers (bench/gen_transactions.c) in a table distributed
# by customer_id (32 shards) and in a plain copy on the coordinator. Each query runs on the
# plain copy (single node), on the distributed tables with the shards spread over 2
# workers, then with every shard on worker 1 (citus_drain_node moves worker 2's shards
# there, block_writes), and is compared with the single node (1e-10 relative). Prints
# one table: seconds (best of 2 at 1M, 1 run at 10M), the coordinator backend's peak
# memory (VmHWM less shared buffers), the agreement; and the load average before and after.
# Not a test; runs only where a citus extension is installed for $PG_CONFIG (it never
# builds Citus: docs/performance.md, "Citus"), otherwise it says so and exits 0.
#   bench/citus.sh [--size 1M|10M|N] [--no-build]   (CLV_CITUS_PORT: first of 3 ports,
#                                                    default 56131; CLV_BENCH_REPS)
# 1M customers (9.8M transactions): about 6 minutes on 2 cores; 10M (98M transactions):
# about 25 minutes and 20 GB of disk (two copies of 5 GB, the moved shards, the summaries).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"
build=1
n=1000000
while [ $# -gt 0 ]; do
	case $1 in
		--no-build) build=0 ;;
		--size)
			shift
			case $1 in 1M) n=1000000 ;; 10M) n=10000000 ;; *) n=$1 ;; esac ;;
		*) echo "usage: bench/citus.sh [--size 1M|10M|N] [--no-build]" >&2; exit 2 ;;
	esac
	shift
done
if [ ! -f "$("$PGBIN/pg_config" --sharedir)/extension/citus.control" ]; then
	echo "bench/citus: skipped, no citus extension is installed for $("$PGBIN/pg_config" --version)"
	exit 0
fi
[ $build = 1 ] && { clv_deps; clv_build; }
reps=${CLV_BENCH_REPS:-2}
[ "$n" -ge 10000000 ] && reps=${CLV_BENCH_REPS:-1}
base=${CLV_CITUS_PORT:-56131}
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
CLV_PGOPTS="-c shared_buffers=512MB -c max_wal_size=8GB -c checkpoint_timeout=30min -c jit=off" \
	clv_citus_start "$base"
dir=$CLV_CITUS_DIR
w2=$((base + 2))
P=(psql -X -q -h /tmp -p "$base" -U postgres -v ON_ERROR_STOP=1)
echo "$(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}')," \
	"$("${P[@]}" -At -c "SELECT 'Citus ' || split_part(citus_version(), ' ', 2) || ', clv ' || extversion FROM pg_extension WHERE extname = 'clv'")"

gen=$dir/gen
# shellcheck disable=SC2046
gcc -O2 -o "$gen" "$TOP/bench/gen_transactions.c" $(gsl-config --cflags --libs)
"${P[@]}" <<'SQL' >/dev/null
SET client_min_messages = warning;
CREATE TABLE txn_local (customer_id int, txn_time timestamptz, amount float8);
CREATE TABLE summ_local (customer_id int, s clv_customer_summary);
CREATE TABLE txn (customer_id int, txn_time timestamptz, amount float8);
SELECT create_distributed_table('txn', 'customer_id', shard_count => 32);
CREATE TABLE summ (customer_id int, s clv_customer_summary);
SELECT create_distributed_table('summ', 'customer_id', colocate_with => 'txn');
SQL
# One pass of the generator feeds both copies: the plain one through a fifo, the
# distributed one through the coordinator (which routes each row to its shard).
t0=$EPOCHREALTIME
mkfifo "$dir/fifo"
"${P[@]}" -c "\copy txn_local FROM '$dir/fifo' WITH (FORMAT csv)" &
loader=$!
"$gen" "$n" 42 2>"$dir/gen.log" | tee "$dir/fifo" | "${P[@]}" -c "\copy txn FROM STDIN WITH (FORMAT csv)"
wait $loader
echo "$(tail -1 "$dir/gen.log"): loaded into both copies in $(clv_seconds_since "$t0") s"
"${P[@]}" -c "VACUUM ANALYZE txn_local" -c "VACUUM ANALYZE txn"
echo "transactions: $("${P[@]}" -At -c "SELECT pg_size_pretty(pg_total_relation_size('txn_local')) || ' a copy'"), disk free $(df -h --output=avail /tmp | tail -1 | tr -d ' ')"

# label | query ({T}: transactions, {S}: summaries) | optional query whose output is
# compared instead of the timed query's (the summary table's content)
cases=$(cat <<'EOF'
clv_summary GROUP BY into the summary table|TRUNCATE {S}; INSERT INTO {S} SELECT customer_id, clv_summary(txn_time, amount, '2024-12-31', 'week') FROM {T} GROUP BY customer_id|SELECT count(*), sum(hashtext(customer_id || ' ' || s::text)::bigint), sum((s).frequency), round(sum((s).monetary_value)::numeric, 2) FROM {S}
bgnbd_fit|SELECT bgnbd_fit(s) FROM {S}|
pareto_nbd_fit|SELECT pareto_nbd_fit(s) FROM {S}|
gamma_gamma_fit (repeat buyers)|SELECT gamma_gamma_fit(s) FROM {S} WHERE (s).frequency > 0|
kmeans_fit, 3 features, k 4|SET maintenance_work_mem = '2GB'; SELECT kmeans_fit(ARRAY[(s).frequency, (s).recency, (s).monetary_value], 4, 42) FROM {S}|
ab_mean_test (customer_id % 2)|SELECT ab_mean_test(CASE customer_id % 2 WHEN 0 THEN 'A' ELSE 'B' END, (s).monetary_value, 'A') FROM {S}|
gini over all transactions|SELECT gini(amount) FROM {T}|
linreg_fit, 2 features|SELECT linreg_fit((s).monetary_value, ARRAY[(s).frequency, (s).recency]) FROM {S} WHERE (s).frequency > 0|
EOF
)

# Run a query REPS times, each in a fresh session; print "best-seconds peak-MB" and leave
# its output in OUT. Peak: the coordinator backend's VmHWM less the shared buffers it has
# mapped (RssShmem at the end), its largest over the runs.
timed() {
	local q=$1 out=$2 i t h best='' peak=0
	for ((i = 0; i < reps; i++)); do
		t='' h=''
		{ read -r t; read -r h; } < <("${P[@]}" -At 2>"$out.err" <<-EOF
			SELECT pg_backend_pid() AS pid, extract(epoch FROM clock_timestamp()) AS t0 \gset
			\setenv BPID :pid
			\o $out
			$q;
			\o
			SELECT round((extract(epoch FROM clock_timestamp()) - :t0)::numeric, 2);
			\! awk '/VmHWM/ {h = \$2} /RssShmem/ {s = \$2} END {print int((h - s) / 1024)}' /proc/\$BPID/status
		EOF
		) || true
		if [ -z "$h" ]; then
			sed 's/^/    /' "$out.err" >&2
			echo "error -"
			return
		fi
		if [ -z "$best" ] || [ "$(bc <<<"$t < $best")" = 1 ]; then best=$t; fi
		[ "$h" -gt "$peak" ] && peak=$h
	done
	echo "$best $peak"
}

declare -A T R
labels=()
run_config() {
	local cfg=$1 tt=$2 st=$3 label q check out res
	while IFS='|' read -r label q check; do
		[ "$cfg" = single ] && labels+=("$label")
		q=${q//\{T\}/$tt}; q=${q//\{S\}/$st}
		check=${check//\{T\}/$tt}; check=${check//\{S\}/$st}
		out=$dir/$cfg.$(md5sum <<<"$label" | cut -c1-8)
		res=$(timed "$q" "$out")
		[ -n "$check" ] && "${P[@]}" -At -c "$check" >"$out"
		T[$label,$cfg]=$res
		if [ "${res%% *}" = error ]; then R[$label,$cfg]=error
		elif [ "$cfg" = single ]; then R[$label,$cfg]=-
		else R[$label,$cfg]=$(clv_same_output "$out" "$dir/single.$(md5sum <<<"$label" | cut -c1-8)") || true; fi
		printf '  %-40s %-14s %s s, %s MB  %s\n' "$label" "$cfg" ${res} "${R[$label,$cfg]}" >&2
	done <<<"$cases"
}

echo "single node (the plain copy on the coordinator)" >&2
run_config single txn_local summ_local
echo "Citus, 2 workers (16 shards each)" >&2
run_config w2 txn summ
t0=$EPOCHREALTIME
"${P[@]}" -c "SET client_min_messages = warning" \
	-c "SELECT citus_drain_node('127.0.0.1', $w2, shard_transfer_mode => 'block_writes')" \
	-c "CALL citus_cleanup_orphaned_resources()" >/dev/null
echo "citus_drain_node moved worker 2's shards to worker 1 in $(clv_seconds_since "$t0") s;" \
	"placements per worker: $("${P[@]}" -At -c "SELECT string_agg(nodeport || ': ' || c, ', ') FROM (SELECT nodeport, count(*) c FROM citus_shards GROUP BY 1 ORDER BY 1) x")" >&2
echo "Citus, 1 worker (all 32 shards)" >&2
run_config w1 txn summ

echo
echo "$n customers, $(tail -1 "$dir/gen.log" | awk '{print $3}') transactions; seconds (best of $reps), coordinator backend peak memory (VmHWM less shared buffers)"
printf '| %s | %s | %s | %s | %s |\n' query "single node" "Citus, 1 worker" "Citus, 2 workers" "1 / 2 workers vs single node"
printf '| --- | --- | --- | --- | --- |\n'
fmt() { awk '{printf "%s s (%s MB)", $1, $2}' <<<"$1"; }
for l in "${labels[@]}"; do
	printf '| %s | %s | %s | %s | %s / %s |\n' "$l" "$(fmt "${T[$l,single]}")" "$(fmt "${T[$l,w1]}")" \
		"$(fmt "${T[$l,w2]}")" "${R[$l,w1]}" "${R[$l,w2]}"
done
echo "single-node results (the fits should have converged):"
for l in "${labels[@]}"; do
	case $l in *fit*) printf '  %s: %s\n' "$l" "$(cut -c1-300 "$dir/single.$(md5sum <<<"$l" | cut -c1-8)")" ;; esac
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
