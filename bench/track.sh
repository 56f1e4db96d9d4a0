#!/usr/bin/env bash
# Insert overhead of tracking (clv_track, docs/tracking.md): the same loads into a plain
# table, a plain table with the index on the customer column that clv_track creates, and
# a tracked table; the ratios are printed.
#   bench/track.sh [--private | --no-build]
#   BENCH_ROWS=1000000 BENCH_CUSTOMERS=100000 BENCH_SINGLE=3000 BENCH_RUNS=1 bench/track.sh
# Loads: a COPY of BENCH_ROWS rows into an empty table, a second COPY of as many rows
# (later dates, the same customers) into the loaded table, and BENCH_SINGLE single-row
# INSERTs (pgbench, one client, random customers, synchronous_commit off) into the loaded
# table. The best of BENCH_RUNS runs is reported.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

build=1
case ${1:-} in
	--no-build) build=0 ;;
	--private) build=private ;;
	"") ;;
	*) echo "usage: $0 [--private | --no-build]" >&2; exit 2 ;;
esac
ROWS=${BENCH_ROWS:-1000000}
CUSTOMERS=${BENCH_CUSTOMERS:-100000}
SINGLE=${BENCH_SINGLE:-3000}
RUNS=${BENCH_RUNS:-1}
CLV_PGOPTS="-c shared_buffers=512MB -c max_wal_size=4GB -c jit=off ${CLV_PGOPTS:-}" clv_check_setup "$build"
db=clv_track_bench
work=$(mktemp -d /tmp/clv-track-bench.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"; psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" 2>/dev/null || true; clv_cluster_stop' EXIT
psql() { command psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
pgbench=$PGBIN/pgbench
[ -x "$pgbench" ] || pgbench=$(command -v pgbench)
command psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -c "CREATE EXTENSION clv"
echo "machine: $(nproc) cores, PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}'); $ROWS rows of $CUSTOMERS customers per COPY"

log "writing two CSV files of $ROWS rows"
for part in 1 2; do
	psql -c "\\copy (SELECT 1 + (i * 7919) % $CUSTOMERS, '2024-01-01'::timestamptz + ($part - 1) * interval '365 days' + ((i * 104729) % (364 * 24)) * interval '1 hour', ((i * 31) % 10000) / 100.0 FROM generate_series(1::bigint, $ROWS) i) TO '$work/part$part.csv' WITH (FORMAT csv)"
done

secs() { local t0=$EPOCHREALTIME; "$@" >/dev/null; awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }'; }
best() { printf '%s\n' "$@" | sort -g | head -1; }
setup() {	# $1: plain | index | tracked
	psql -c "DROP TABLE IF EXISTS o_clv_summary, o" -c "CREATE TABLE o (customer int, ts timestamptz, amount float8)"
	case $1 in
		index) psql -c "CREATE INDEX ON o (customer)" ;;
		tracked) psql -c "SELECT clv_track('o', 'customer', 'ts', 'amount')" ;;
	esac
}
cat >"$work/single.sql" <<EOF2
\\set c random(1, $CUSTOMERS)
\\set h random(0, 8735)
INSERT INTO o (customer, ts, amount) VALUES (:c, '2025-01-01'::timestamptz + :h * interval '1 hour', 9.99);
EOF2

declare -A first second single
for kind in plain index tracked; do
	f=() s=() p=()
	for _ in $(seq 1 "$RUNS"); do
		setup "$kind"
		f+=("$(secs psql -c "\\copy o FROM '$work/part1.csv' WITH (FORMAT csv)")")
		psql -c "VACUUM ANALYZE o"
		s+=("$(secs psql -c "\\copy o FROM '$work/part2.csv' WITH (FORMAT csv)")")
		psql -c "VACUUM ANALYZE o"
		# synchronous_commit off: the commit's WAL flush (noisy on shared disks) would hide
		# the trigger's own cost
		p+=("$(PGOPTIONS="${PGOPTIONS:-} -c synchronous_commit=off" "$pgbench" -n -c 1 -t "$SINGLE" -f "$work/single.sql" "$db" 2>&1 |
			awk '/^latency average/ {print $4}')")
	done
	first[$kind]=$(best "${f[@]}") second[$kind]=$(best "${s[@]}") single[$kind]=$(best "${p[@]}")
	log "$kind: COPY into empty ${first[$kind]} s, COPY into loaded ${second[$kind]} s, single INSERT ${single[$kind]} ms"
done
if [ "$(psql -Atc "SELECT count(*) FROM o_clv_summary")" -ne "$CUSTOMERS" ]; then
	echo "the tracked table does not hold $CUSTOMERS customers" >&2; exit 1
fi
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
printf '\n%-36s %10s %10s %10s %14s %14s\n' load plain "+index" tracked "tracked/plain" "tracked/+index"
printf '%-36s %9ss %9ss %9ss %13sx %13sx\n' "COPY $ROWS rows into an empty table" "${first[plain]}" "${first[index]}" "${first[tracked]}" \
	"$(ratio "${first[tracked]}" "${first[plain]}")" "$(ratio "${first[tracked]}" "${first[index]}")"
printf '%-36s %9ss %9ss %9ss %13sx %13sx\n' "COPY $ROWS rows into the loaded one" "${second[plain]}" "${second[index]}" "${second[tracked]}" \
	"$(ratio "${second[tracked]}" "${second[plain]}")" "$(ratio "${second[tracked]}" "${second[index]}")"
printf '%-36s %8sms %8sms %8sms %13sx %13sx\n' "single-row INSERT (mean latency)" "${single[plain]}" "${single[index]}" "${single[tracked]}" \
	"$(ratio "${single[tracked]}" "${single[plain]}")" "$(ratio "${single[tracked]}" "${single[index]}")"
