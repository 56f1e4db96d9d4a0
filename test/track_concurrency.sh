#!/usr/bin/env bash
# Concurrent writers on a tracked table (issue 17, docs/tracking.md): pgbench runs 8
# clients for a few seconds that insert orders, refunds, bulk INSERT ... SELECTs, delete
# and update rows (customer id, time, amount) of 30 overlapping customers, some in
# REPEATABLE READ transactions, some in multi-statement transactions, with different
# TimeZone settings. Then the tracked table must equal a fresh clv_summary GROUP BY
# exactly (every float8 bit), through clv_tracked_summary and field by field.
#
#   test/track_concurrency.sh [--seconds S] [--private | --no-build]
#
# By default builds and installs clv (under the install lock of scripts/lib.sh) and starts
# a throwaway cluster; --private uses this checkout's private copy of PostgreSQL;
# --no-build uses the server in PGHOST/PGPORT as it is (scripts/test.sh runs it so).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

build=1 seconds=20
while [ $# -gt 0 ]; do
	case $1 in
		--seconds) seconds=$2; shift 2 ;;
		--no-build) build=0; shift ;;
		--private) build=private; shift ;;
		*) echo "usage: $0 [--seconds S] [--private | --no-build]" >&2; exit 2 ;;
	esac
done
clv_check_setup "$build"
cd "$TOP"
work=$(mktemp -d /tmp/clv-track.XXXXXX)
chmod 755 "$work"
trap 'rm -rf "$work"; clv_cluster_stop' EXIT
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
db=clv_track_conc
psql=(psql -X -q -v ON_ERROR_STOP=1 -P pager=off -d "$db")
pgbench=$PGBIN/pgbench
[ -x "$pgbench" ] || pgbench=$(command -v pgbench)

psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
"${psql[@]}" <<'SQL'
CREATE EXTENSION clv;
SET TimeZone = 'Europe/Berlin';
CREATE TABLE orders (id bigserial PRIMARY KEY, customer int, ts timestamptz, amount float8, note text);
INSERT INTO orders (customer, ts, amount)
SELECT 1 + i % 30, '2024-01-01'::timestamptz + (i * 7919 % 1440) * interval '1 hour', (i * 37 % 100) + 0.01 * (i % 7)
FROM generate_series(1, 600) i;
-- refunds are netted by day; the days are Berlin's whatever the writers' TimeZone
SELECT clv_track('orders', 'customer', 'ts', 'amount', 'day', 'net');
SQL

# Customers 1..30 overlap between clients; times within 60 days; amounts with cents.
cat >"$work/insert.sql" <<'SQL'
\set c random(1, 30)
\set h random(0, 1439)
\set a random(0, 9999)
INSERT INTO orders (customer, ts, amount) VALUES (:c, '2024-01-01'::timestamptz + :h * interval '1 hour', :a / 100.0);
SQL
cat >"$work/refund.sql" <<'SQL'
\set c random(1, 30)
\set h random(0, 1439)
\set a random(1, 5000)
SET TimeZone = 'America/New_York';
INSERT INTO orders (customer, ts, amount) VALUES (:c, '2024-01-01'::timestamptz + :h * interval '1 hour', -:a / 100.0);
RESET TimeZone;
SQL
cat >"$work/bulk.sql" <<'SQL'
\set c random(1, 30)
\set h random(0, 1439)
INSERT INTO orders (customer, ts, amount)
SELECT 1 + (:c + i) % 30, '2024-01-01'::timestamptz + ((:h + i * 13) % 1440) * interval '1 hour', (i * 7 % 50) + 0.25
FROM generate_series(1, 10) i;
SQL
cat >"$work/bulk_wide.sql" <<'SQL'
\set h random(0, 1439)
INSERT INTO orders (customer, ts, amount)
SELECT 1 + i % 100, '2024-01-01'::timestamptz + ((:h + i) % 1440) * interval '1 hour', i % 13 + 0.5
FROM generate_series(1, 100) i;
SQL
cat >"$work/delete.sql" <<'SQL'
\set c random(1, 30)
DELETE FROM orders WHERE id = (SELECT id FROM orders WHERE customer = :c ORDER BY id DESC LIMIT 1 OFFSET 3);
SQL
cat >"$work/move.sql" <<'SQL'
\set c random(1, 30)
\set d random(1, 30)
UPDATE orders SET customer = :d WHERE id = (SELECT id FROM orders WHERE customer = :c ORDER BY id LIMIT 1 OFFSET 2);
SQL
cat >"$work/retime.sql" <<'SQL'
\set c random(1, 30)
\set h random(-48, 48)
SET TimeZone = 'Asia/Tokyo';
UPDATE orders SET ts = ts + :h * interval '1 hour', amount = amount + 1 WHERE id IN (SELECT id FROM orders WHERE customer = :c ORDER BY id DESC LIMIT 2);
RESET TimeZone;
SQL
cat >"$work/note.sql" <<'SQL'
\set c random(1, 30)
UPDATE orders SET note = 'seen' WHERE customer = :c;
SQL
cat >"$work/rr.sql" <<'SQL'
\set c random(1, 30)
\set h random(0, 1439)
BEGIN ISOLATION LEVEL REPEATABLE READ;
INSERT INTO orders (customer, ts, amount) VALUES (:c, '2024-01-01'::timestamptz + :h * interval '1 hour', 12.5);
DELETE FROM orders WHERE id = (SELECT id FROM orders WHERE customer = :c ORDER BY id LIMIT 1);
COMMIT;
SQL
cat >"$work/multi.sql" <<'SQL'
\set c random(1, 30)
\set d random(1, 30)
BEGIN;
INSERT INTO orders (customer, ts, amount) VALUES (:c, '2024-02-01', 3);
INSERT INTO orders (customer, ts, amount) VALUES (:d, '2024-02-02', 4);
COMMIT;
SQL

log "pgbench: 8 clients for ${seconds} s on a tracked table"
# --max-tries: serialization failures (REPEATABLE READ) and deadlocks (multi-statement
# transactions locking customers in different orders) are retried, as an application would.
"$pgbench" -n -c 8 -j 4 -T "$seconds" --max-tries=20 -d "$db" \
	-f "$work/insert.sql@30" -f "$work/refund.sql@8" -f "$work/bulk.sql@8" -f "$work/bulk_wide.sql@1" \
	-f "$work/delete.sql@10" -f "$work/move.sql@8" -f "$work/retime.sql@8" -f "$work/note.sql@4" \
	-f "$work/rr.sql@6" -f "$work/multi.sql@6" 2>&1 | tee "$work/pgbench.out" |
	grep -E '^(number of (transactions|failed|transactions retried)|latency average|tps)' || true
grep -q '^number of transactions actually processed' "$work/pgbench.out" || { cat "$work/pgbench.out"; exit 1; }

log "checking the tracked table against a fresh clv_summary GROUP BY"
"${psql[@]}" -At >"$work/check.out" <<'SQL'
SET TimeZone = 'Europe/Berlin';
SET extra_float_digits = 3;
-- the reader at three observation ends (the last one inside the data: later purchases are
-- ignored, as clv_summary does) against the aggregate itself; IS DISTINCT FROM compares
-- every field, float8 exactly
WITH ends(e) AS (VALUES ('2024-03-15'::timestamptz), ('2025-01-01'), ('2024-02-01 12:00')),
fresh AS (SELECT e, customer::text AS customer_id, clv_summary(ts, amount, e, 'day', 'net') AS s
          FROM orders, ends WHERE customer IS NOT NULL GROUP BY e, customer),
tracked AS (SELECT e, r.customer_id, r.summary AS s FROM ends, clv_tracked_summary('orders_clv_summary', e) r)
SELECT 'reader mismatches: ' || count(*)
FROM fresh f FULL JOIN tracked t USING (e, customer_id)
WHERE f.s::text IS DISTINCT FROM t.s::text OR f.customer_id IS NULL OR t.customer_id IS NULL;
-- the stored fields and counts
SELECT 'table mismatches: ' || count(*)
FROM (SELECT customer::text AS customer_id, clv_summary(ts, amount, '2099-01-01', 'day', 'net') AS s,
             count(*) AS n FROM orders WHERE customer IS NOT NULL GROUP BY customer) f
FULL JOIN (SELECT * FROM orders_clv_summary WHERE transactions > 0) t USING (customer_id)
WHERE t.customer_id IS NULL OR f.customer_id IS NULL
   OR row((f.s).frequency, (f.s).monetary_value, (f.s).first_purchase, (f.s).last_purchase, (f.s).purchases, (f.s).total_spend, f.n)::text
      IS DISTINCT FROM row(t.frequency, t.monetary_value, t.first_purchase, t.last_purchase, t.purchases, t.total_spend, t.transactions)::text;
SELECT 'customers: ' || count(*) || ', orders: ' || (SELECT count(*) FROM orders) || ', refunds: ' || (SELECT count(*) FROM orders WHERE amount < 0)
FROM orders_clv_summary WHERE transactions > 0;
SQL
cat "$work/check.out"
grep -qx 'reader mismatches: 0' "$work/check.out" && grep -qx 'table mismatches: 0' "$work/check.out" \
	|| { echo "FAILED: the tracked summaries differ from a fresh clv_summary" >&2; exit 1; }
psql -X -q -d postgres -c "DROP DATABASE $db"
log "tracked summaries equal a fresh clv_summary after concurrent writes"
