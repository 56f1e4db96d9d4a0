#!/usr/bin/env bash
# The benchmark suite (not part of the tests): synthetic BG/NBD transaction logs of
# 100k and 1M customers, every measurement printed with a baseline from the same run.
# usage: bench/run.sh [N_CUSTOMERS ...]     (default: 100000 1000000)
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(100000 1000000)

clv_deps
clv_build
gen=$(mktemp /tmp/clv-gen.XXXXXX)
gcc -O2 -o "$gen" "$TOP/bench/gen_transactions.c" $(gsl-config --cflags --libs)
CLV_PGOPTS="-c shared_buffers=2GB -c max_worker_processes=8 -c max_parallel_workers=4 -c jit=off" \
	clv_cluster_start
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}')"
for n in "${sizes[@]}"; do
	log "generating and loading $n customers"
	psql -qX -d postgres -c "DROP TABLE IF EXISTS txn, summary, models" -c "CREATE EXTENSION IF NOT EXISTS clv" \
		-c "CREATE TABLE txn (customer_id int, txn_time timestamptz, amount float8)"
	start=$(date +%s.%N)
	"$gen" "$n" 42 2>/tmp/clv-gen.log | psql -qX -d postgres -c "\copy txn FROM STDIN WITH (FORMAT csv)"
	psql -qX -d postgres -c "VACUUM ANALYZE txn"
	printf '%s (loaded in %.0f s)\n' "$(tail -1 /tmp/clv-gen.log)" "$(echo "$(date +%s.%N) - $start" | bc)"
	reps=3; fitreps=3
	[ "$n" -ge 1000000 ] && reps=2
	psql -X -d postgres -v reps=$reps -v fitreps=$fitreps -f "$TOP/bench/bench.sql"
done
rm -f "$gen"
