#!/usr/bin/env bash
# The regression suite (and optionally a short SQL fuzz run) with every server process
# under valgrind memcheck.
#
#   test/fuzz/valgrind.sh [--calls N]
#
# clv is installed into a private copy of PostgreSQL (clv_private_install: no install
# lock held during the slow run). The postmaster runs under valgrind --trace-children=yes
# with one log per process. Debian's server is not built with USE_VALGRIND, so palloc'ed
# chunks are not tracked individually; what memcheck sees is uninitialised values used
# in conditions, system calls with undefined bytes, malloc'ed memory (GSL) and invalid
# reads and writes outside palloc blocks. Errors whose stack has a frame in clv.so are
# the ones counted against clv; others (the server's own, e.g. padding bytes written to
# WAL or the stats socket) are listed as a total.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

calls=0
while [ $# -gt 0 ]; do
	case $1 in
		--calls) calls=$2; shift 2 ;;
		*) echo "usage: $0 [--calls N]" >&2; exit 2 ;;
	esac
done
command -v valgrind >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null; }
clv_deps
clv_private_install "$(clv_private_root)"

dir=$(mktemp -d /tmp/clv-valgrind.XXXXXX)
chown postgres "$dir"
mkdir "$dir/vg" && chown postgres "$dir/vg"
runuser -u postgres -- "$PGBIN/initdb" -D "$dir/data" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
port=56400
while [ -e "/tmp/.s.PGSQL.$port" ] || [ -e "/tmp/.s.PGSQL.$port.lock" ]; do port=$((port + 1)); done
log "postmaster under valgrind on port $port ($dir)"
runuser -u postgres -- valgrind --quiet --trace-children=yes --track-origins=yes \
	--num-callers=40 --error-limit=no --read-var-info=no \
	--suppressions="$TOP/test/fuzz/valgrind.supp" --log-file="$dir/vg/%p.log" \
	"$PGBIN/postgres" -D "$dir/data" -k /tmp -p "$port" -c listen_addresses='' \
	-c max_parallel_workers_per_gather=0 -c autovacuum=off >"$dir/log" 2>&1 9>&- &
stop() {
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$dir/data" -m fast -t 300 -w stop >/dev/null 2>&1 || true
}
trap 'stop; rm -rf "$dir/data"' EXIT
export PGHOST=/tmp PGPORT=$port PGUSER=postgres
for _ in $(seq 1 240); do
	psql -X -q -d postgres -Atc 'SELECT 1' >/dev/null 2>&1 && break
	sleep 0.5
done

cd "$TOP"
rc=0
t0=$(date +%s)
log "regression suite under valgrind"
make -s PG_CONFIG=/usr/lib/postgresql/$PGVER/bin/pg_config installcheck || rc=$?
[ "$rc" = 0 ] || head -100 test/regression.diffs 2>/dev/null || true
if [ "$calls" -gt 0 ]; then
	log "SQL fuzz under valgrind ($calls calls)"
	CLV_FUZZ_LOG=$dir/log test/fuzz/run.sh --no-build --calls "$calls" --chunk 500 || rc=$?
fi
stop
elapsed=$(( $(date +%s) - t0 ))

# Each error block starts with "==pid== <description>" after a blank "==pid== " line.
awk '
	/^==[0-9]+== (Invalid |Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination|Argument .* of function)/ { if (blk) flush(); blk = $0 "\n"; next }
	blk && /^==[0-9]+== +(at|by) / { blk = blk $0 "\n"; next }
	blk && /^==[0-9]+== *$/ { next }
	blk { flush() }
	function flush() { total++; if (blk ~ /clv\.so/) { clv++; printf "%s\n", blk > "/dev/stderr" } blk = "" }
	END { if (blk) flush(); printf "%d %d\n", total + 0, clv + 0 }
' "$dir"/vg/*.log >"$dir/counts" 2>"$dir/clv-errors.txt"
read -r total clv <"$dir/counts"
procs=$(ls "$dir"/vg/*.log | wc -l)
if [ "$clv" != 0 ]; then
	head -150 "$dir/clv-errors.txt"
	rc=1
fi
echo "valgrind: $procs processes, ${elapsed}s; errors with a clv.so frame: $clv; other errors (server): $total - $clv; logs in $dir/vg"
exit "$rc"
