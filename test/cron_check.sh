#!/usr/bin/env bash
# The pg_cron recipe of docs/operations.md, run by pg_cron itself: a throwaway cluster
# with shared_preload_libraries = 'pg_cron' (Debian package postgresql-15-cron, 1.4.2),
# cron.database_name = postgres and cron.use_background_workers = on (the socket-only
# cluster has no TCP for pg_cron's own connections: "connection failed" otherwise). It
# schedules the monthly refit and the nightly BI refresh every minute instead ('* * * * *':
# 1.4.2 has no seconds syntax), waits for a run (at most about 75 s) and checks that
# cron.job_run_details shows both succeeded and that the refit stored version 2.
#   test/cron_check.sh [--private | --no-build]
# Skips (exit 0, with a message) when pg_cron is not installed.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

build=1
case ${1:-} in
	--private) build=private ;;
	--no-build) build=0 ;;
esac
if [ ! -f "$("$PGBIN/pg_config" --pkglibdir)/pg_cron.so" ]; then
	echo "cron_check: SKIPPED: pg_cron is not installed (Debian: apt-get install postgresql-$PGVER-cron)"
	exit 0
fi
[ "$build" = 0 ] && { echo "cron_check: needs its own cluster (pg_cron is preloaded); use --private or no option" >&2; exit 2; }
CLV_PGOPTS="${CLV_PGOPTS:-} -c shared_preload_libraries=pg_cron -c cron.database_name=postgres -c cron.use_background_workers=on -c max_worker_processes=16" \
	clv_check_setup "$build"
cd "$TOP"
psql() { command psql -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }

log "tracking the CDNOW sample, version 1 of model cdnow, the BI view; scheduling the recipe"
PGOPTIONS="-c client_min_messages=warning" psql <<'SQL'
CREATE EXTENSION clv;
CREATE EXTENSION pg_cron;
CREATE TABLE cdnow_raw (line text);
\copy cdnow_raw FROM 'data/CDNOW_sample.txt'
CREATE TABLE orders (customer_id text, ordered_at timestamptz, amount numeric);
SELECT clv_track('orders', 'customer_id', 'ordered_at', 'amount', 'week');
INSERT INTO orders
SELECT f[2], to_date(f[3], 'YYYYMMDD')::timestamptz, f[5]::numeric
FROM (SELECT regexp_split_to_array(btrim(line), '\s+') AS f FROM cdnow_raw) s;
SELECT clv_refit('cdnow', 'orders_clv_summary', observation_end => '1998-06-30');
-- a BI view in the manner of docs/bi.md: every customer's latest stored prediction
CREATE MATERIALIZED VIEW customer_clv AS
SELECT customer_id, p_alive, clv FROM clv_predictions
WHERE name = 'cdnow' AND version = (SELECT max(version) FROM clv_model_registry WHERE name = 'cdnow')
  AND horizon = (SELECT horizons[1] FROM clv_model_registry WHERE name = 'cdnow' ORDER BY version DESC LIMIT 1);
CREATE UNIQUE INDEX ON customer_clv (customer_id);
-- the recipe (docs/operations.md), every minute instead of monthly and nightly
SELECT cron.schedule('clv-monthly-refit', '* * * * *', $$SELECT clv_refit('cdnow')$$) > 0 AS scheduled;
SELECT cron.schedule('clv-nightly-bi', '* * * * *', $$REFRESH MATERIALIZED VIEW CONCURRENTLY customer_clv$$) > 0 AS scheduled;
SQL

log "waiting for pg_cron to run both jobs (at most 80 s)"
ok=0
for _ in $(seq 80); do
	n=$(psql -At -c "SELECT count(DISTINCT jobid) FROM cron.job_run_details WHERE status = 'succeeded'")
	failed=$(psql -At -c "SELECT count(*) FROM cron.job_run_details WHERE status = 'failed'")
	if [ "$failed" != 0 ]; then
		psql -c "SELECT jobid, status, return_message FROM cron.job_run_details"
		echo "cron_check: FAILED: a job failed" >&2
		exit 1
	fi
	if [ "$n" = 2 ]; then ok=1; break; fi
	sleep 1
done
psql -c "SELECT j.jobname, d.status, d.return_message FROM cron.job_run_details d JOIN cron.job j USING (jobid) ORDER BY j.jobname, d.runid"
psql -c "SELECT cron.unschedule(jobid) FROM cron.job" >/dev/null
[ "$ok" = 1 ] || { echo "cron_check: FAILED: the jobs did not succeed within 80 s" >&2; exit 1; }
v=$(psql -At -c "SELECT max(version) FROM clv_model_registry WHERE name = 'cdnow'")
[ "$v" -ge 2 ] || { echo "cron_check: FAILED: the scheduled refit stored no new version" >&2; exit 1; }
echo "cron_check: ok (refit by pg_cron stored version $v; the BI view was refreshed)"
