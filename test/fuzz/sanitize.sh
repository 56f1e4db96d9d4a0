#!/usr/bin/env bash
# The regression suite and a SQL fuzz run against clv built with -fsanitize=undefined
# (UBSan: integer overflow, invalid shifts, out-of-bounds array indexes, float to int
# conversions out of range, misaligned or null pointers, ...).
#
#   test/fuzz/sanitize.sh [--calls N]
#
# Builds a copy of the sources (the checkout's objects are untouched) into a private copy
# of PostgreSQL (clv_private_install: no install lock, the system clv.so untouched).
# An error aborts the backend (-fno-sanitize-recover), so it also shows as a crash; the
# reports are in the log_path files counted at the end.
#
# AddressSanitizer: a sanitized module needs libasan loaded first (LD_PRELOAD) into a
# server that is not; on Debian 12 the stock postgres then deadlocks at start-up inside
# bindtextdomain() (glibc's _nl_state_lock, with gcc's and clang's runtimes alike), so
# ASan runs on the math instead (test/fuzz/libfuzz.sh, ASan + UBSan), and memory errors
# in the server are looked for with valgrind (test/fuzz/valgrind.sh).
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

calls=5000
while [ $# -gt 0 ]; do
	case $1 in
		--calls) calls=$2; shift 2 ;;
		*) echo "usage: $0 [--calls N]" >&2; exit 2 ;;
	esac
done
clv_deps
src=$(mktemp -d /tmp/clv-ubsan-src.XXXXXX)
reports=$(mktemp -d /tmp/clv-ubsan-reports.XXXXXX)
chmod 777 "$reports"
cp -a "$TOP/Makefile" "$TOP/clv.control" "$TOP/src" "$TOP/sql" "$TOP/test" "$TOP/data" "$src/"
rm -f "$src"/src/*.o "$src"/*.so
san="-fsanitize=undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
clv_private_install "/tmp/clv-private-ubsan.$(id -u)" "$src" COPT="$san"
[ "$(nm -D "/tmp/clv-private-ubsan.$(id -u)/usr/lib/postgresql/$PGVER/lib/clv.so" | grep -c __ubsan_handle)" -gt 0 ] ||
	{ echo "clv.so is not instrumented" >&2; exit 1; }

export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan"
clv_cluster_start
cleanup() { clv_cluster_stop || true; rm -rf "$src"; }
trap cleanup EXIT

log "regression suite against the sanitized build"
cd "$src"
rc=0
make -s PG_CONFIG=/usr/lib/postgresql/$PGVER/bin/pg_config installcheck || rc=$?
[ "$rc" = 0 ] || cat test/regression.diffs 2>/dev/null | head -100

log "SQL fuzz against the sanitized build ($calls calls)"
CLV_FUZZ_LOG=$CLV_PGDIR/log "$TOP/test/fuzz/run.sh" --no-build --calls "$calls" --chunk 1000 || rc=$?

ubsan=$(cat "$reports"/ubsan* 2>/dev/null | grep -c 'runtime error:' || true)
if [ "$ubsan" != 0 ]; then
	cat "$reports"/* | head -80
	rc=1
fi
echo "UndefinedBehaviorSanitizer errors: $ubsan (reports in $reports)"
exit "$rc"
