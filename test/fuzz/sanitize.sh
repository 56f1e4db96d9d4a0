#!/usr/bin/env bash
# The regression suite and a SQL fuzz run against clv built with -fsanitize=undefined
# (UBSan: integer overflow, invalid shifts, out-of-bounds array indexes, float to int
# conversions out of range, misaligned or null pointers, ...), or with --asan built with
# -fsanitize=address,undefined (AddressSanitizer as well: out-of-bounds accesses to
# malloc'ed memory, GSL's included, to the stack and to globals; use after free).
#
#   test/fuzz/sanitize.sh [--asan] [--calls N]
#
# Builds a copy of the sources (the checkout's objects are untouched) into a private copy
# of PostgreSQL (clv_private_install: no install lock, the system clv.so untouched).
# Only clv.so is instrumented; the stock postgres is not, so the runtimes are preloaded
# into the postmaster (LD_PRELOAD, inherited by every backend): with --asan libasan, then
# always test/fuzz/sanitizer_preload.c, which initialises ASan before any constructor
# (without it the stock postgres deadlocks at start-up in bindtextdomain()) and keeps
# UBSAN_OPTIONS for backends (whose environment block holds their process title by the
# time UBSan reads it); see that file.
# An error aborts the backend (-fno-sanitize-recover, abort_on_error), so it also shows
# as a crash. ASan reports go to log_path files, UBSan's to the server log; all are
# counted at the end, and the run fails if one is in clv (every UBSan report is: nothing
# else is instrumented).
# Limits of --asan: palloc'ed chunks are carved out of larger malloc'ed blocks that ASan
# does not subdivide (PostgreSQL 15 has no ASan hooks in its memory contexts), so an
# overrun inside a block is not seen (test/fuzz/valgrind.sh looks there); leaks are not
# checked (a backend exits without freeing its memory contexts).
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

calls=5000 mode=ubsan
while [ $# -gt 0 ]; do
	case $1 in
		--calls) calls=$2; shift 2 ;;
		--asan) mode=asan; shift ;;
		*) echo "usage: $0 [--asan] [--calls N]" >&2; exit 2 ;;
	esac
done
t0=$(date +%s)
clv_deps
src=$(mktemp -d "/tmp/clv-$mode-src.XXXXXX")
reports=$(mktemp -d "/tmp/clv-$mode-reports.XXXXXX")
chmod 777 "$reports"
cp -a "$TOP/Makefile" "$TOP/clv.control" "$TOP/src" "$TOP/sql" "$TOP/test" "$TOP/data" "$src/"
rm -f "$src"/src/*.o "$src"/*.so
san=undefined
[ "$mode" = ubsan ] || san=address,undefined
root=/tmp/clv-private-$mode.$(id -u)
clv_private_install "$root" "$src" COPT="-fsanitize=$san -fno-sanitize-recover=all -fno-omit-frame-pointer"
so=$root/usr/lib/postgresql/$PGVER/lib/clv.so
[ "$(nm -D "$so" | grep -c __ubsan_handle)" -gt 0 ] || { echo "clv.so is not instrumented (UBSan)" >&2; exit 1; }

preload=() runtime=()
if [ "$mode" = asan ]; then
	[ "$(nm -D "$so" | grep -c __asan_report)" -gt 0 ] || { echo "clv.so is not instrumented (ASan)" >&2; exit 1; }
	runtime=("$(ldd "$so" | awk '$1 ~ /^libasan/ { print $3 }')")
	[ -f "${runtime[0]}" ] || { echo "clv.so links no ASan runtime" >&2; exit 1; }
	preload=("${runtime[0]}")
	export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=1:log_path=$reports/asan"
fi
gcc -shared -fPIC -O2 -Wl,-z,initfirst -o "$root/sanitizer_preload.so" "$TOP/test/fuzz/sanitizer_preload.c" "${runtime[@]}"
preload+=("$root/sanitizer_preload.so")
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:abort_on_error=1"
CLV_PGENV="LD_PRELOAD=$(IFS=:; echo "${preload[*]}")"
clv_cluster_start
grep -q "/sanitizer_preload.so" "/proc/$(head -1 "$CLV_PGDIR/data/postmaster.pid")/maps" ||
	{ echo "the postmaster did not load $root/sanitizer_preload.so" >&2; exit 1; }
cleanup() { clv_cluster_stop || true; rm -rf "$src"; }
trap cleanup EXIT

log "regression suite against the sanitized build"
cd "$src"
rc=0
make -s PG_CONFIG=/usr/lib/postgresql/$PGVER/bin/pg_config installcheck || rc=$?
[ "$rc" = 0 ] || cat test/regression.diffs 2>/dev/null | head -100

log "SQL fuzz against the sanitized build ($calls calls)"
CLV_FUZZ_LOG=$CLV_PGDIR/log "$TOP/test/fuzz/run.sh" --no-build --calls "$calls" --chunk 1000 || rc=$?

# ASan: one log file per process, at most one report each (halt_on_error); it is clv's if
# a frame is in clv.so or clv's src/. UBSan: "runtime error:" lines in the server log.
cp "$CLV_PGDIR/log" "$reports/server.log"
asan=0 asan_clv=0
for f in "$reports"/asan*; do
	[ -f "$f" ] || continue
	n=$(grep -c 'ERROR: AddressSanitizer' "$f" || true)
	asan=$((asan + n))
	if [ "$n" != 0 ] && grep -Eq 'clv\.so|(^|[ /])src/[a-z_0-9]+\.[ch]:' "$f"; then
		asan_clv=$((asan_clv + n))
		head -60 "$f"
	fi
done
# An ASan report in the server log (log_path not in effect) cannot be attributed: counted.
n=$(grep -c 'ERROR: AddressSanitizer' "$reports/server.log" || true)
asan=$((asan + n)) asan_clv=$((asan_clv + n))
[ "$n" = 0 ] || grep -A40 'ERROR: AddressSanitizer' "$reports/server.log" | head -80
ubsan=$(grep -c 'runtime error:' "$reports/server.log" || true)
[ "$ubsan" = 0 ] || grep -A30 'runtime error:' "$reports/server.log" | head -80
[ $((asan_clv + ubsan)) = 0 ] || rc=1
[ "$mode" = ubsan ] || echo "AddressSanitizer reports: $asan_clv in clv, $((asan - asan_clv)) elsewhere"
echo "UndefinedBehaviorSanitizer reports: $ubsan"
echo "sanitize.sh ($mode): $(( $(date +%s) - t0 )) s; reports and server log in $reports"
exit "$rc"
