#!/usr/bin/env bash
# Cancellation latency: how long after pg_cancel_backend() a long clv call stops.
#
#   test/fuzz/cancel.sh [--rows N] [--wide-rows N] [--only REGEX] [--strace] [--reuse]
#                       [--private | --no-build]
#
# Session A runs a long query; session B waits, sends pg_cancel_backend() and polls
# pg_stat_activity every millisecond until A is no longer active: the latency is measured
# inside the server. Each query is cancelled at several moments (while rows are added,
# and inside the fit). Queries of functions that do not exist (k-means, other models) are
# skipped. Prints one line per cancel and the maximum; fails if any exceeds --limit-ms.
#
# The latency so measured ends when A is idle again, after PostgreSQL has cleaned up
# the aborted query (freed its memory, deleted its temporary files: tens of ms for
# gigabytes). --strace (root) also traces A from just before the cancel and reports when
# the ERROR left it, which is how fast the function itself reacted; the limit then
# applies to that figure. --reuse keeps the tables of an earlier run (same --rows).
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

rows=1000000 wide_rows= only= build=1 limit_ms=100 trace=0 reuse=0
while [ $# -gt 0 ]; do
	case $1 in
		--rows) rows=$2; shift 2 ;;
		--wide-rows) wide_rows=$2; shift 2 ;;
		--only) only=$2; shift 2 ;;
		--strace) trace=1; shift ;;
		--reuse) reuse=1; shift ;;
		--limit-ms) limit_ms=$2; shift 2 ;;
		--no-build) build=0; shift ;;
		--private) build=private; shift ;;
		*) echo "usage: $0 [--rows N] [--wide-rows N] [--only REGEX] [--strace] [--reuse] [--limit-ms MS] [--private | --no-build]" >&2; exit 2 ;;
	esac
done
# 50 features a row: 848 bytes a row in k-means, so a tenth of the rows by default
wide_rows=${wide_rows:-$((rows / 10))}
clv_check_setup "$build"
db=clv_cancel
P() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
if [ "$reuse" = 0 ] || [ "$(psql -X -Atc "SELECT count(*) FROM pg_database WHERE datname = '$db'" postgres)" != 1 ]; then
	psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
	P -c "CREATE EXTENSION clv" -c "SET client_min_messages = warning" \
	  -c "CREATE TABLE bg AS SELECT (g % 20)::float8 AS x,
	             CASE WHEN g % 20 = 0 THEN 0 ELSE (g % 39)::float8 END AS tx,
	             40 + g * 1e-6 AS t, 10 + g * 1e-5 AS m, ARRAY[(g % 1000)::float8, (g::bigint * 7919 % 997)::float8] AS f
	      FROM generate_series(1, $rows) g" \
	  -c "CREATE TABLE txn AS SELECT '1997-01-01'::timestamptz + g * interval '1 minute' AS ts, (g % 50)::float8 AS amount
	      FROM generate_series(1, 2 * $rows) g" \
	  -c "CREATE TABLE wide AS SELECT ARRAY(SELECT ((g::bigint * 2654435761 + j * 40503) % 1000003)::float8
	             FROM generate_series(1, 50) j) AS x
	      FROM generate_series(1, $wide_rows) g" \
	  -c "VACUUM ANALYZE bg" -c "VACUUM ANALYZE txn" -c "VACUUM ANALYZE wide"
fi

# name | guard (a function that must exist) | query
queries=(
	"bgnbd_fit|bgnbd_fit(float8,float8,float8)|SELECT bgnbd_fit(x, tx, t) FROM bg"
	"gamma_gamma_fit|gamma_gamma_fit(float8,float8)|SELECT gamma_gamma_fit(x + 1, m) FROM bg"
	"gamma_gamma_clv (1200 months)|gamma_gamma_clv(bgnbd_model,gamma_gamma_model,float8,float8,float8,float8,int,float8,float8)|SELECT gamma_gamma_clv(ROW(0.243, 4.414, 5, 2.426, NULL, NULL, NULL, NULL)::bgnbd_model, ROW(6.25, 3.74, 15.44, NULL, NULL, NULL, NULL)::gamma_gamma_model, 2, 30.43, 38.86, 20, months => 1200, unit_days => 0.01) FROM generate_series(1, 100)"
	"clv_summary (one group)|clv_summary(timestamptz,float8,timestamptz,text)|SELECT clv_summary(ts, amount, '2100-01-01', 'day') FROM txn"
	"pareto_nbd_fit|pareto_nbd_fit(float8,float8,float8)|SELECT pareto_nbd_fit(x, tx, t) FROM bg"
	"mbgnbd_fit|mbgnbd_fit(float8,float8,float8)|SELECT mbgnbd_fit(x, tx, t) FROM bg"
	"kmeans_fit|kmeans_fit(float8[],int)|SELECT kmeans_fit(f, 8) FROM bg"
	"kmeans_silhouette|kmeans_silhouette(float8[],int)|SELECT kmeans_silhouette(f, 8) FROM bg"
	"kmeans_elbow|kmeans_elbow(float8[],int)|SELECT kmeans_elbow(f, 10) FROM bg"
	"kmeans_fit (k = 200)|kmeans_fit(float8[],int)|SELECT kmeans_fit(f, 200) FROM bg"
	"kmeans_segment|kmeans_segment(float8[],int,int,text)|SELECT max(c) FROM (SELECT kmeans_segment(f, 8) OVER () c FROM bg) s"
	"kmeans_fit (50 features, $wide_rows rows)|kmeans_fit(float8[],int)|SELECT kmeans_fit(x, 8) FROM wide"
	"gini|gini(float8)|SELECT gini(m) FROM bg"
	"top_share|top_share(float8,float8)|SELECT top_share(m, 0.1) FROM bg"
	"gini (2x rows)|gini(float8)|SELECT gini(amount) FROM txn"
	"rfm_score|rfm_score(float8,float8,float8,int)|SELECT max((r).score) FROM (SELECT rfm_score(t, x, m) OVER () r FROM bg) s"
	"value_tier|value_tier(float8,float8,float8)|SELECT max(v) FROM (SELECT value_tier(m) OVER () v FROM bg) s"
	"linreg_fit|linreg_fit(float8,float8[])|SELECT linreg_fit(m, f) FROM bg"
	"decision_tree_fit|decision_tree_fit(float8,float8[],int,int)|SELECT decision_tree_fit(m, f, 30, 1) FROM bg"
	"random_forest_fit|random_forest_fit(float8,float8[],int,int,int,int)|SELECT random_forest_fit(m, f, 100, 30, 1, 42) FROM bg"
	"clv_svg_histogram|clv_svg_histogram(float8)|SELECT length(clv_svg_histogram(m)) FROM bg"
	"clv_svg_lorenz|clv_svg_lorenz(float8)|SELECT length(clv_svg_lorenz(m)) FROM bg"
)
delays=(${CLV_CANCEL_DELAYS:-0.5 2 5})

worst=0
results=()
for entry in "${queries[@]}"; do
	IFS='|' read -r name guard query <<<"$entry"
	if [ -n "$only" ] && ! [[ $name =~ $only ]]; then
		continue
	fi
	if [ "$(P -Atc "SELECT to_regprocedure('$guard') IS NOT NULL")" != t ]; then
		echo "skipped (not in this build): $name" >&2
		continue
	fi
	for d in "${delays[@]}"; do
		P -c "SET application_name = 'clv_cancel_target'; SET max_parallel_workers_per_gather = 0;
		      SET client_min_messages = error; SET maintenance_work_mem = '16GB'; $query" >/dev/null 2>&1 &
		a=$!
		st=
		if [ "$trace" = 1 ]; then
			sleep "$(awk -v d="$d" 'BEGIN { print (d > 0.3) ? d - 0.3 : 0 }')"
			pid=$(P -Atc "SELECT pid FROM pg_stat_activity
			              WHERE application_name = 'clv_cancel_target' AND state = 'active'")
			if [ -n "$pid" ]; then
				st=$(mktemp)
				strace -tt -p "$pid" -e trace=sendto -o "$st" 2>/dev/null &
				s=$!
			fi
			sleep 0.3
		else
			sleep "$d"
		fi
		ms=$(P -Atc "SET client_min_messages = warning" -c "
			DO \$\$
			DECLARE
				target int;
				t0 timestamptz;
			BEGIN
				SELECT pid INTO target FROM pg_stat_activity
				WHERE application_name = 'clv_cancel_target' AND state = 'active';
				IF target IS NULL THEN
					RAISE WARNING 'finished before the cancel';
					RETURN;
				END IF;
				t0 := clock_timestamp();
				PERFORM pg_cancel_backend(target);
				LOOP
					PERFORM pg_stat_clear_snapshot();
					EXIT WHEN NOT EXISTS (SELECT 1 FROM pg_stat_activity
					                      WHERE pid = target AND state = 'active');
					PERFORM pg_sleep(0.001);
				END LOOP;
				RAISE WARNING 'latency %', round((extract(epoch FROM clock_timestamp() - t0) * 1000)::numeric, 1);
			END \$\$" 2>&1 | sed -n 's/.*WARNING: *//p')
		wait "$a" || true
		err=
		if [ -n "$st" ]; then
			sleep 0.2
			kill "$s" 2>/dev/null || true
			wait "$s" 2>/dev/null || true
			# SIGINT to the first packet sent after it (the ERROR)
			err=$(awk '/SIGINT/ { split($1, t, ":"); s = t[3] + 60 * t[2]; next }
			           s && /sendto/ { split($1, t, ":"); printf "%.1f", (t[3] + 60 * t[2] - s) * 1000; exit }' "$st")
			rm -f "$st"
		fi
		echo "$name, cancelled after ${d}s: $ms ms${err:+ (ERROR sent after $err ms)}" | sed 's/: latency / /'
		results+=("$name|$d|$ms|$err")
		case $ms in
			latency*)
				v=${ms#latency }
				[ -z "$err" ] || v=$err
				worst=$(echo "$v $worst" | awk '{print ($1 > $2) ? $1 : $2}') ;;
		esac
	done
done
echo "maximum cancel latency: $worst ms (limit $limit_ms ms)"
awk -v w="$worst" -v l="$limit_ms" 'BEGIN { exit !(w <= l) }'
