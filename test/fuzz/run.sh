#!/usr/bin/env bash
# SQL-level fuzzer of every function and aggregate of clv (see test/fuzz/fuzz.sql and
# docs/reliability.md).
#
#   test/fuzz/run.sh [--calls N] [--seed S] [--chunk N] [--slow-ms MS] [--max-lost N] [--private | --no-build]
#
# Builds and installs clv (under the install lock of scripts/lib.sh), starts a throwaway
# cluster, and runs N generated calls (default 100000) in chunks of --chunk calls (one
# transaction each). --private installs into a private copy of PostgreSQL instead
# (clv_private_install: no lock held, nobody else's build tested). With --no-build it
# uses the server in PGHOST/PGPORT as it is (the caller installed clv) and CLV_FUZZ_LOG
# names its log file.
#
# About 5 % of the calls wrap a support function (transition, combine or final) of an
# aggregate with a non-internal state in a user-defined aggregate with a forged state
# (fuzz.make_uda_call), as a role allowed to execute it could.
#
# Fails (exit 1) on: a backend crash (the server log shows "terminated by signal", or a
# sentinel connection held open for the whole run is gone: crash recovery ends every
# backend, while pg_postmaster_start_time() stays the same), an ERROR of SQLSTATE class XX or 58, a NaN/Infinity in a result,
# a result outside its documented range, a call that gives a different answer the second
# time, or a call slower than --slow-ms. A crashed or timed-out chunk is replayed with
# every query logged, and the last one logged is reported as the reproducer. After
# --max-lost such chunks (default 3) the run stops early, so a badly broken build fails
# in minutes instead of running every chunk into its timeout.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

calls=100000 seed=1 chunk=2000 build=1 slow_ms=5000 max_lost=3 chunk_timeout=${CLV_FUZZ_CHUNK_TIMEOUT:-300}
while [ $# -gt 0 ]; do
	case $1 in
		--calls) calls=$2; shift 2 ;;
		--seed) seed=$2; shift 2 ;;
		--chunk) chunk=$2; shift 2 ;;
		--slow-ms) slow_ms=$2; shift 2 ;;
		--max-lost) max_lost=$2; shift 2 ;;
		--no-build) build=0; shift ;;
		--private) build=private; shift ;;
		*) echo "usage: $0 [--calls N] [--seed S] [--chunk N] [--slow-ms MS] [--max-lost N] [--private | --no-build]" >&2; exit 2 ;;
	esac
done

if [ "$build" != 0 ]; then
	CLV_PGOPTS="${CLV_PGOPTS:-} -c max_worker_processes=8 -c max_parallel_workers=4" clv_check_setup "$build"
	server_log=$CLV_PGDIR/log
else
	server_log=${CLV_FUZZ_LOG:?--no-build needs CLV_FUZZ_LOG (the server log)}
fi
cd "$TOP"

db=clv_fuzz
P() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
P -c "CREATE EXTENSION clv"
P -f test/fuzz/fuzz.sql
P -c "\\copy fuzz.raw_cust FROM 'data/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER)" \
  -c "\\copy fuzz.raw_txn FROM 'data/CDNOW_sample.txt'" \
  -c "\\copy fuzz.raw_disc FROM 'data/donations.csv' WITH (FORMAT csv, HEADER)"
log "fuzz set-up: $(P -Atc 'SET client_min_messages = error' -c 'SELECT fuzz.init()')"

# The sentinel: a connection that must survive the run (only a crash ends it).
sentinel_alive() { [ "$(P -Atc "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'clv_fuzz_sentinel' AND state = 'active'")" = 1 ]; }
start_sentinel() {
	psql -X -q -d "$db" -c "SET application_name = clv_fuzz_sentinel" -c "SELECT pg_sleep(864000)" >/dev/null 2>&1 &
	sentinel_job=$!
	trap 'kill "$sentinel_job" 2>/dev/null || true; clv_cluster_stop' EXIT
	for _ in $(seq 1 100); do
		sentinel_alive && return 0
		sleep 0.1
	done
	echo "the sentinel connection did not start" >&2
	exit 2
}
start_sentinel
# Only what this run wrote to the log counts (with --no-build the log may be older).
log_start=$(wc -c <"$server_log")
signals_in_log() { tail -c +$((log_start + 1)) "$server_log" | grep -ac "terminated by signal" || true; }
crashes=0 timeouts=0 hangs=0 done_calls=0 lost_calls=0
t_start=$(date +%s)
settings="SET application_name = clv_fuzz; SET client_min_messages = error; SET log_min_messages = error; SET statement_timeout = '${chunk_timeout}s';"

wait_ready() {
	for _ in $(seq 1 120); do
		psql -X -q -d "$db" -Atc 'SELECT 1' >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	echo "the server did not come back" >&2
	exit 3
}

# Runs one chunk; sets $out and $why: ok, error (of the fuzzer itself), crash, timeout
# (statement_timeout stopped it) or hang (statement_timeout did not: the backend is
# killed, which restarts the server).
run_chunk() {
	local s=$1 n=$2 trace=$3 extra=${4:-} t0 rc=0
	t0=$(signals_in_log)
	out=$(timeout $((chunk_timeout + 30)) psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c "$settings $extra" \
		-c "SELECT fuzz.run_chunk($s, $n, $trace, $slow_ms)" 2>&1) || rc=$?
	why=ok
	[ "$rc" = 0 ] && return 0
	if [ "$rc" = 124 ]; then
		why=hang
		psql -X -q -d postgres -Atc "SELECT pid FROM pg_stat_activity WHERE application_name = 'clv_fuzz'" |
			while read -r pid; do kill -9 "$pid" 2>/dev/null || true; done
		sleep 1
	fi
	wait_ready
	if [ "$why" = hang ]; then
		:
	elif [ "$(signals_in_log)" != "$t0" ] || ! sentinel_alive; then
		why=crash
	elif echo "$out" | grep -q "statement timeout"; then
		why=timeout
	else
		why=error
	fi
}

# Replays a chunk with every query logged; prints the last query before the failure.
replay() {
	local s=$1 n=$2 before
	before=$(wc -c <"$server_log")
	run_chunk "$s" "$n" true "SET log_min_messages = log;"
	tail -c +"$((before + 1))" "$server_log" | grep -a "fuzz seed $s call" | tail -1 | sed 's/^.*LOG: *//' | cut -c1-4000
}

i=0
while [ "$done_calls" -lt "$calls" ]; do
	n=$((calls - done_calls < chunk ? calls - done_calls : chunk))
	s=$((seed * 1000003 + i))
	run_chunk "$s" "$n" false
	case $why in
		ok) ;;
		error)
			echo "the fuzzer itself failed (a bug in test/fuzz/fuzz.sql): $out" >&2
			exit 2 ;;
		*)
			case $why in
				crash) crashes=$((crashes + 1)); echo "chunk $s crashed the server: $out" >&2 ;;
				timeout) timeouts=$((timeouts + 1)); echo "chunk $s exceeded statement_timeout (${chunk_timeout}s)" >&2 ;;
				hang) hangs=$((hangs + 1)); echo "chunk $s ignored statement_timeout (${chunk_timeout}s): killed" >&2 ;;
			esac
			echo "replaying chunk $s to find the call" >&2
			q=$(replay "$s" "$n")
			echo "last query before the failure: $q" >&2
			P -c "INSERT INTO fuzz.failure VALUES ($s, NULL, '$why', NULL, NULL, NULL, \$fz\$$q\$fz\$)" || true
			lost_calls=$((lost_calls + n))
			sentinel_alive || start_sentinel
			if [ $((crashes + timeouts + hangs)) -ge "$max_lost" ]; then
				echo "stopping: $max_lost chunks crashed or timed out" >&2
				done_calls=$((done_calls + n))
				break
			fi ;;
	esac
	done_calls=$((done_calls + n))
	i=$((i + 1))
	if [ $((i % 10)) = 0 ]; then
		echo "  $done_calls calls, $(( $(date +%s) - t_start )) s" >&2
	fi
done
elapsed=$(( $(date +%s) - t_start ))

sentinel_alive || [ $((crashes + hangs)) -gt 0 ] ||
	{ echo "the sentinel connection is gone: the server went through crash recovery" >&2; crashes=1; }
P -Atc "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'clv_fuzz_sentinel'" >/dev/null
wait "$sentinel_job" 2>/dev/null || true
signals=$(signals_in_log)

log "fuzz results (seed $seed)"
P -c "SELECT fname AS function, count(*) AS calls,
             count(*) FILTER (WHERE sqlstate = '00000') AS returned,
             count(*) FILTER (WHERE sqlstate <> '00000') AS errors,
             round(avg(ms)::numeric, 2) AS avg_ms, round(max(ms)::numeric) AS max_ms
      FROM fuzz.calls GROUP BY fname ORDER BY fname" \
  -c "SELECT sqlstate, count(*) AS calls FROM fuzz.calls GROUP BY 1 ORDER BY 2 DESC" \
  -c "SELECT mode, count(*) AS calls, count(*) FILTER (WHERE sqlstate = '00000') AS returned
      FROM fuzz.calls GROUP BY 1 ORDER BY 1"
nslow=$(P -Atc "SELECT count(*) FROM fuzz.slow")
if [ "$nslow" != 0 ]; then
	log "calls slower than ${slow_ms} ms (not failures: long fits poll for interrupts; see cancel.sh)"
	P -c "SELECT fname, round(ms) AS ms, sqlstate, left(query, 400) AS query FROM fuzz.slow ORDER BY ms DESC LIMIT 5"
fi
nfail=$(P -Atc "SELECT count(*) FROM fuzz.failure")
ncalls=$(P -Atc "SELECT count(*) FROM fuzz.calls")
internal=$(P -Atc "SELECT count(*) FROM fuzz.calls WHERE sqlstate ~ '^(XX|58)'")
if [ "$nfail" != 0 ]; then
	log "failures"
	P -c "SELECT kind, fname, sqlstate, count(*) FROM fuzz.failure GROUP BY 1, 2, 3 ORDER BY 4 DESC" \
	  -c "SELECT DISTINCT ON (kind, fname) kind, fname, sqlstate, left(message, 300) AS message,
                 left(query, 1500) AS reproducer
          FROM fuzz.failure ORDER BY kind, fname, length(query)" -x
fi
echo "calls: $ncalls (+$lost_calls in crashed/timed-out chunks) in ${elapsed}s;" \
	"crashes: $crashes; 'terminated by signal' in the log: $signals; timeouts: $timeouts;" \
	"uninterruptible: $hangs; slow (> ${slow_ms} ms): $nslow;" \
	"internal errors: $internal; failures: $nfail"
[ "$crashes" = 0 ] && [ "$signals" = 0 ] && [ "$timeouts" = 0 ] && [ "$hangs" = 0 ] && [ "$nfail" = 0 ]
