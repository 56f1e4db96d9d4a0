#!/usr/bin/env bash
# The benchmark suite (not part of the tests): synthetic BG/NBD transaction logs of
# 100k and 1M customers, every measurement printed with a baseline from the same run.
# usage: bench/run.sh [N_CUSTOMERS ...]     (default: 100000 1000000)
#        bench/run.sh --ratios [--size 1M|10M|N] [--reps N]
# --ratios: the ratios of issue 18 in one run (bench/ratios.sql): BG/NBD against the scipy
# reference (bench/scipy_bgnbd.py), Gamma-Gamma and Pareto/NBD times, 2 parallel workers
# against serial for the fits and clv_summary, with plain sum() (and, for the GROUP BY,
# min/max/count/sum by customer) as the platform's ceiling, and each fit's peak backend
# memory. 1M customers (9.8M transactions) take about 5 minutes; --size 10M (10M
# customers, 98M transactions, 6 GB of disk) about 25.
# Run it on a quiet machine: the load average is printed with it.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

ratios=0
reps=3
sizes=()
while [ $# -gt 0 ]; do
	case $1 in
		--ratios) ratios=1 ;;
		--size)
			shift
			case $1 in
				1M) sizes+=(1000000) ;;
				10M) sizes+=(10000000) ;;
				*) sizes+=("$1") ;;
			esac
			ratios=1 ;;
		--reps) shift; reps=$1 ;;
		*) sizes+=("$1") ;;
	esac
	shift
done
if [ ${#sizes[@]} -eq 0 ]; then
	if [ $ratios = 1 ]; then sizes=(1000000); else sizes=(100000 1000000); fi
fi

clv_deps
clv_build
gen=$(mktemp /tmp/clv-gen.XXXXXX)
gcc -O2 -o "$gen" "$TOP/bench/gen_transactions.c" $(gsl-config --cflags --libs)
CLV_PGOPTS="-c shared_buffers=2GB -c max_worker_processes=8 -c max_parallel_workers=4 -c jit=off" \
	clv_cluster_start
echo "machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(uname -sr), PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}')"
# Peak memory of each fit's backend (VmHWM: resident set at its largest, a fresh session
# per query; a scan of a table larger than shared_buffers / 4 uses a small ring of
# buffers, so this is mostly the backend's own memory).
peak_memory() {
	local q
	for q in "bgnbd_fit(frequency, recency, t)" "gamma_gamma_fit(frequency, monetary_value)" \
		"pareto_nbd_fit(frequency, recency, t)"; do
		psql -XAqt -d postgres <<-EOF
			SET max_parallel_workers_per_gather = 0;
			SELECT pg_backend_pid() AS pid \\gset
			\\setenv BPID :pid
			SELECT 'serial ' || '$q' || ': ' || round(extract(epoch FROM clock_timestamp() - now())::numeric, 2) ||
			       ' s, converged ' || (f.m).converged
			FROM (SELECT $q AS m FROM summary) f;
			\\! awk '/VmHWM/ {printf "  peak backend memory (VmHWM) %.0f MB\\n", \$2 / 1024}' /proc/\$BPID/status
		EOF
	done
	echo "summary table: $(psql -XAt -d postgres -c "SELECT pg_size_pretty(pg_total_relation_size('summary'))"), transactions: $(psql -XAt -d postgres -c "SELECT pg_size_pretty(pg_total_relation_size('txn'))")"
}

for n in "${sizes[@]}"; do
	log "generating and loading $n customers"
	psql -qX -d postgres -c "DROP TABLE IF EXISTS txn, summary, models" -c "CREATE EXTENSION IF NOT EXISTS clv" \
		-c "CREATE TABLE txn (customer_id int, txn_time timestamptz, amount float8)"
	start=$(date +%s.%N)
	"$gen" "$n" 42 2>/tmp/clv-gen.log | psql -qX -d postgres -c "\copy txn FROM STDIN WITH (FORMAT csv)"
	psql -qX -d postgres -c "VACUUM ANALYZE txn"
	printf '%s (loaded in %.0f s)\n' "$(tail -1 /tmp/clv-gen.log)" "$(echo "$(date +%s.%N) - $start" | bc)"
	if [ $ratios = 1 ]; then
		r=$reps
		[ "$n" -ge 10000000 ] && r=1
		CLV_BENCH_DIR=$TOP/bench CLV_SCIPY_REPS=$r psql -X -d postgres -v reps="$r" \
			-v summary_csv="/tmp/clv-bench-summary.$$.csv" \
			-f "$TOP/bench/ratios.sql"
		peak_memory
		continue
	fi
	# One run per fit: best_of repeats a query within one transaction, where the fits'
	# final function answers a repeated state from its cache (bench/ratios.sql avoids that).
	reps=3; fitreps=1
	[ "$n" -ge 1000000 ] && reps=2
	psql -X -d postgres -v reps=$reps -v fitreps=$fitreps -f "$TOP/bench/bench.sql"
done
rm -f "$gen"
