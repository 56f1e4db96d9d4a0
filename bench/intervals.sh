#!/usr/bin/env bash
# Cost of the prediction intervals (docs/intervals.md) per customer: each interval
# function (1000 draws, the default) against its point prediction on the same customers
# in the same run (CDNOW's 2,357 summaries repeated), serial plans.
#   ./bench/intervals.sh              (as root; builds, installs, throwaway cluster)
#   ./bench/intervals.sh --private    (installs into a private copy of PostgreSQL)
#   ./bench/intervals.sh --no-build   (the server in PGHOST/PGPORT, clv installed there)
#   BENCH_ROWS=50000 BENCH_DRAWS=1000 ./bench/intervals.sh   (CLV runs on a tenth of the rows)
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

ROWS=${BENCH_ROWS:-10000}
DRAWS=${BENCH_DRAWS:-1000}
mode=1
case ${1:-} in
	--private) mode=private ;;
	--no-build) mode=0 ;;
	'') ;;
	*) echo "usage: $0 [--private | --no-build]" >&2; exit 2 ;;
esac
CLV_PGOPTS="-c max_parallel_workers_per_gather=0 ${CLV_PGOPTS:-}" clv_check_setup "$mode"

db=clv_bench_intervals
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
P() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
cd "$TOP"
log "$ROWS customers (CLV: $((ROWS / 10))), $DRAWS draws"
P <<SQL
SET max_parallel_workers_per_gather = 0;
CREATE EXTENSION clv;
CREATE TABLE cdnow (id int, frequency float8, recency float8, t float8, zbar float8);
\copy cdnow FROM 'data/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER)
CREATE TABLE cust AS
SELECT row_number() OVER () AS id, c.frequency, c.recency, c.t, coalesce(c.zbar, 0) AS m
FROM generate_series(1, ($ROWS + 2356) / 2357) k, cdnow c LIMIT $ROWS;
CREATE TABLE clv_cust AS SELECT * FROM cust WHERE id % 10 = 0;
CREATE TABLE mods AS
SELECT bgnbd_fit(frequency, recency, t) AS bg, mbgnbd_fit(frequency, recency, t) AS mbg,
       pareto_nbd_fit(frequency, recency, t) AS pnbd,
       gamma_gamma_fit(frequency, zbar) AS gg FROM cdnow;
VACUUM ANALYZE cust;
VACUUM ANALYZE clv_cust;
SQL

# wall time in ms of one query (the best of two for the fast point predictions)
ms() {
	P -c '\timing on' -c "SET max_parallel_workers_per_gather = 0" -c "$1" -c "$1" \
		| sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -2 | sort -n | head -1
}
row() {
	local name=$1 n=$2 point=$3 interval=$4 tp ti
	tp=$(ms "$point")
	ti=$(P -c '\timing on' -c "SET max_parallel_workers_per_gather = 0" -c "$interval" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -1)
	awk -v name="$name" -v n="$n" -v tp="$tp" -v ti="$ti" \
		'BEGIN { printf "%-44s %8d %12.2f %12.1f %8.0f\n", name, n, tp * 1000 / n, ti * 1000 / n, ti / tp }'
}
printf '%-44s %8s %12s %12s %8s\n' function customers "point µs" "interval µs" ratio
row bgnbd_expected_purchases_interval "$ROWS" \
	"SELECT sum(bgnbd_expected_purchases(bg, 39, frequency, recency, t)) FROM cust, mods" \
	"SELECT sum((bgnbd_expected_purchases_interval(bg, 39, frequency, recency, t, draws => $DRAWS)).upper) FROM cust, mods"
row bgnbd_p_alive_interval "$ROWS" \
	"SELECT sum(bgnbd_p_alive(bg, frequency, recency, t)) FROM cust, mods" \
	"SELECT sum((bgnbd_p_alive_interval(bg, frequency, recency, t, draws => $DRAWS)).upper) FROM cust, mods"
row mbgnbd_expected_purchases_interval "$ROWS" \
	"SELECT sum(mbgnbd_expected_purchases(mbg, 39, frequency, recency, t)) FROM cust, mods" \
	"SELECT sum((mbgnbd_expected_purchases_interval(mbg, 39, frequency, recency, t, draws => $DRAWS)).upper) FROM cust, mods"
row pareto_nbd_expected_purchases_interval "$ROWS" \
	"SELECT sum(pareto_nbd_expected_purchases(pnbd, 39, frequency, recency, t)) FROM cust, mods" \
	"SELECT sum((pareto_nbd_expected_purchases_interval(pnbd, 39, frequency, recency, t, draws => $DRAWS)).upper) FROM cust, mods"
row pareto_nbd_p_alive_interval "$ROWS" \
	"SELECT sum(pareto_nbd_p_alive(pnbd, frequency, recency, t)) FROM cust, mods" \
	"SELECT sum((pareto_nbd_p_alive_interval(pnbd, frequency, recency, t, draws => $DRAWS)).upper) FROM cust, mods"
row gamma_gamma_expected_spend_interval "$ROWS" \
	"SELECT sum(gamma_gamma_expected_spend(gg, frequency, m)) FROM cust, mods" \
	"SELECT sum((gamma_gamma_expected_spend_interval(gg, frequency, m, draws => $DRAWS)).upper) FROM cust, mods"
row "gamma_gamma_clv_interval (BG/NBD, 12 months)" "$((ROWS / 10))" \
	"SELECT sum(gamma_gamma_clv(bg, gg, frequency, recency, t, m, unit_days => 7)) FROM clv_cust, mods" \
	"SELECT sum((gamma_gamma_clv_interval(bg, gg, frequency, recency, t, m, unit_days => 7, draws => $DRAWS)).upper) FROM clv_cust, mods"
