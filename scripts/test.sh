#!/usr/bin/env bash
# The whole regression suite on a fresh Debian 12 machine (run as root): installs what is
# missing, builds, installs clv, runs `make installcheck` against a throwaway cluster, then
# every SQL example of README.md and docs/ against the same cluster (test/docs_examples.sh),
# then pg_dump / pg_restore of databases storing clv values (test/dump_restore.sh), then
# test/citus/run.sh where a citus extension is installed (skipped otherwise), then
# concurrent writers on a tracked table (test/track_concurrency.sh, about 25 s), then the
# covariate fits' recovery and apparel checks (test/covariates_recovery.sh, about 40 s;
# test/apparel_check.sh, skipped without CLVTools' data).
# PG_CONFIG=/path/to/pg_config ./scripts/test.sh does the same with that installation
# (docs/install.md); CLV_PGPORT=port picks the cluster's port.
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
# pg_regress up to 15: "test name ... ok" / "... FAILED"; from 16 on TAP: "ok 1 - name",
# "not ok 2 - name"
passed=$(grep -cE '^(test| ) .* \.\.\. ok|^ok [0-9]+ ' "$out" || true)
failed=$(grep -cE '\.\.\. FAILED|^not ok [0-9]+ ' "$out" || true)
rm -f "$out"
echo "${passed:-0} passed, ${failed:-0} failed"
log "running the examples of README.md and docs/"
docs_ok=1
"$TOP/test/docs_examples.sh" --no-build || docs_ok=0
log "dump and restore of databases that store clv values"
dump_ok=1
"$TOP/test/dump_restore.sh" --no-build || dump_ok=0
log "concurrent writers on a tracked table (test/track_concurrency.sh)"
track_ok=1
"$TOP/test/track_concurrency.sh" --no-build || track_ok=0
log "covariates: recovery of known coefficients, CLVTools' apparel example (test/covariates_recovery.sh, test/apparel_check.sh)"
covar_ok=1
"$TOP/test/covariates_recovery.sh" || covar_ok=0
"$TOP/test/apparel_check.sh" || covar_ok=0
log "clv on a Citus cluster (where a citus extension is installed)"
citus_ok=1
"$TOP/test/citus/run.sh" --no-build || citus_ok=0
[ "$ok" = 1 ] && [ "$docs_ok" = 1 ] && [ "$dump_ok" = 1 ] && [ "$track_ok" = 1 ] && [ "$covar_ok" = 1 ] && [ "$citus_ok" = 1 ]
