#!/usr/bin/env bash
# libFuzzer + AddressSanitizer + UBSan on the plain-C math (test/fuzz/math_fuzz.c over
# src/bgnbd.c, gammagamma.c, pareto.c, specfun.c, kmeans.c, hclust.c, optim.c, fit.c, tree.c,
# and the segmentation charts of charts.c and svg.c). Needs clang and libclang-rt (installed
# with apt-get when missing). Touches no PostgreSQL installation and takes no lock.
#
#   test/fuzz/libfuzz.sh [--time SECONDS] [--runs N] [libFuzzer flags...]
#
# The corpus and any crash reproducer go to $CLV_FUZZ_OUT (default /tmp/clv-libfuzz);
# a crash is replayed with: $CLV_FUZZ_OUT/math_fuzz $CLV_FUZZ_OUT/crash-*
# Once fixed, copy the reproducer into test/fuzz/regressions: every run replays those first.
set -euo pipefail
TOP=$(cd "$(dirname "$0")/../.." && pwd)
out=${CLV_FUZZ_OUT:-/tmp/clv-libfuzz}
secs=60 extra=()
while [ $# -gt 0 ]; do
	case $1 in
		--time) secs=$2; shift 2 ;;
		--runs) extra+=("-runs=$2"); shift 2 ;;
		*) extra+=("$1"); shift ;;
	esac
done
CC=$(command -v clang || command -v clang-14 || true)
if [ -z "$CC" ] || ! echo 'int LLVMFuzzerTestOneInput(const char*d,long n){return 0;}' |
	"$CC" -x c -fsanitize=fuzzer - -o /dev/null 2>/dev/null; then
	[ "$(id -u)" = 0 ] || { echo "needs clang with libFuzzer (apt-get install clang libclang-rt-dev)" >&2; exit 1; }
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
	CC=$(command -v clang)
fi
command -v gsl-config >/dev/null || { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgsl-dev >/dev/null; }
mkdir -p "$out/corpus"
# -fno-sanitize-recover: undefined behaviour stops the run like a crash does.
"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -Wall -Wmissing-prototypes -I"$TOP/src" $(gsl-config --cflags) \
	"$TOP/test/fuzz/math_fuzz.c" "$TOP/src/bgnbd.c" "$TOP/src/gammagamma.c" "$TOP/src/optim.c" \
	"$TOP/src/fit.c" "$TOP/src/pareto.c" "$TOP/src/specfun.c" "$TOP/src/kmeans.c" "$TOP/src/hclust.c" "$TOP/src/tree.c" \
	"$TOP/src/charts.c" "$TOP/src/svg.c" \
	$(gsl-config --libs) -lm -o "$out/math_fuzz"
cd "$out"
# Inputs that once crashed or hung the harness (test/fuzz/regressions) are replayed
# first, each once, under the same time limit.
echo "libFuzzer: replaying $(ls "$TOP/test/fuzz/regressions" | wc -l) past findings" >&2
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	./math_fuzz -timeout=10 "$TOP"/test/fuzz/regressions/* > "$out/replay.log" 2>&1 ||
	{ tail -40 "$out/replay.log"; exit 1; }
echo "libFuzzer: ${secs}s on $(nproc) cores, corpus $out/corpus" >&2
set +e
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	./math_fuzz -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=512 \
	-print_final_stats=1 "${extra[@]}" corpus 2>&1 | tee "$out/run.log" | grep -vE '^#[0-9]+.*(NEW|REDUCE|pulse)' 
rc=${PIPESTATUS[0]}
set -e
grep -E 'stat::number_of_executed_units|Done [0-9]+ runs' "$out/run.log" | tail -2 >&2 || true
exit "$rc"
