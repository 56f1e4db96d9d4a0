#!/usr/bin/env bash
# The whole regression suite on a fresh Debian 12 machine (run as root): installs what is
# missing, builds, installs clv, runs `make installcheck` against a throwaway cluster, then
# every SQL example of README.md and docs/ against the same cluster (test/docs_examples.sh),
# then pg_dump / pg_restore of databases storing clv values (test/dump_restore.sh).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

clv_deps
clv_build
clv_cluster_start
log "running the regression tests"
cd "$TOP"
rm -rf test/results test/regression.diffs test/regression.out
out=$(mktemp)
if make -s PG_CONFIG="$PGBIN/pg_config" installcheck 2>&1 | tee "$out"; [ "${PIPESTATUS[0]}" = 0 ]; then
	ok=1
else
	ok=0
	[ -f test/regression.diffs ] && cat test/regression.diffs
fi
passed=$(grep -cE '^(test| ) .* \.\.\. ok' "$out" || true)
failed=$(grep -cE '\.\.\. FAILED' "$out" || true)
rm -f "$out"
echo "${passed:-0} passed, ${failed:-0} failed"
log "running the examples of README.md and docs/"
docs_ok=1
"$TOP/test/docs_examples.sh" --no-build || docs_ok=0
log "dump and restore of databases that store clv values"
dump_ok=1
"$TOP/test/dump_restore.sh" --no-build || dump_ok=0
[ "$ok" = 1 ] && [ "$docs_ok" = 1 ] && [ "$dump_ok" = 1 ]
