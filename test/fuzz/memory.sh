#!/usr/bin/env bash
# Backend memory over many groups and rows: the peak private RSS (VmHWM less RssShmem and
# RssFile) of one backend after
# aggregating 10k, 100k and 1M groups (sorted GroupAggregate: each group's state must be
# freed when the group ends) and scoring 10k .. 1M rows. Fails if the peak grows by more
# than --limit-mb between the 100k and the 1M run of the same query.
#
#   test/fuzz/memory.sh [--private | --no-build] [--limit-mb MB]
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib.sh"

build=1 limit_mb=8
while [ $# -gt 0 ]; do
	case $1 in
		--no-build) build=0; shift ;;
		--private) build=private; shift ;;
		--limit-mb) limit_mb=$2; shift 2 ;;
		*) echo "usage: $0 [--private | --no-build] [--limit-mb MB]" >&2; exit 2 ;;
	esac
done
clv_check_setup "$build"
db=clv_memory
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
psql -X -q -v ON_ERROR_STOP=1 -d "$db" <<'EOF' | tee /tmp/clv-memory.$$
SET client_min_messages = warning;
CREATE EXTENSION clv;
-- two transactions per customer, 1M customers, stored in customer order
CREATE TABLE txn AS
SELECT c AS customer_id, '1997-01-01'::timestamptz + ((c::bigint * 7919 + d * 31) % 200) * interval '1 day' AS ts,
       ((c + d) % 50 + 1)::float8 AS amount
FROM generate_series(1, 1000000) c, generate_series(0, 1) d ORDER BY c;
CREATE INDEX ON txn (customer_id);
VACUUM ANALYZE txn;
CREATE TABLE cust AS SELECT c AS id, (c % 7)::float8 AS x,
       CASE WHEN c % 7 = 0 THEN 0 ELSE (c % 30)::float8 END AS tx, 39::float8 AS t,
       (c % 40 + 1)::float8 AS m
FROM generate_series(1, 1000000) c;
CREATE TABLE models AS
SELECT ROW(0.243, 4.414, 0.793, 2.426, NULL, NULL, NULL, NULL)::bgnbd_model AS bg,
       ROW(6.25, 3.74, 15.44, NULL, NULL, NULL, NULL)::gamma_gamma_model AS gg;

-- Peak private memory: the peak RSS less the shared buffers and files the backend has
-- mapped so far (they only grow, and reading a bigger table touches more of them).
CREATE FUNCTION peak_kb() RETURNS bigint LANGUAGE sql AS
$$ SELECT substring(s FROM 'VmHWM:\s+(\d+)')::bigint - substring(s FROM 'RssShmem:\s+(\d+)')::bigint
          - substring(s FROM 'RssFile:\s+(\d+)')::bigint
   FROM pg_read_file('/proc/' || pg_backend_pid() || '/status') s $$;
CREATE TABLE result (query text, n int, peak_mb numeric);
SET enable_hashagg = off;
SET max_parallel_workers_per_gather = 0;
DO $$
DECLARE
    q text;
    n int;
BEGIN
    FOREACH q IN ARRAY ARRAY[
        'SELECT count(s) FROM (SELECT clv_summary(ts, amount, ''1997-09-30'', ''week'') AS s FROM txn WHERE customer_id <= %s GROUP BY customer_id) g',
        'SELECT count(f) FROM (SELECT bgnbd_fit(x, tx, t) AS f FROM cust WHERE id <= %s GROUP BY (id - 1) / 500) g',
        'SELECT sum(bgnbd_p_alive(bg, x, tx, t) + bgnbd_expected_purchases(bg, 39, x, tx, t)) FROM cust, models WHERE id <= %s',
        'SELECT sum(gamma_gamma_clv(bg, gg, x, tx, t, m)) FROM cust, models WHERE id <= %s']
    LOOP
        FOREACH n IN ARRAY ARRAY[10000, 100000, 1000000] LOOP
            EXECUTE format(q, n);
            INSERT INTO result VALUES (split_part(q, ' FROM', 2), n, round(peak_kb() / 1024.0, 1));
        END LOOP;
    END LOOP;
END $$;
SELECT n, peak_mb, left(query, 70) AS query FROM result;
SELECT max(b.peak_mb - a.peak_mb) AS growth_mb_100k_to_1m
FROM result a JOIN result b USING (query) WHERE a.n = 100000 AND b.n = 1000000;
EOF
growth=$(tail -3 /tmp/clv-memory.$$ | awk 'NF == 1 && $1 ~ /^[0-9.]+$/ { print $1 }')
rm -f /tmp/clv-memory.$$
echo "backend peak RSS growth from 100k to 1M groups/rows: ${growth} MB (limit ${limit_mb} MB)"
awk -v g="$growth" -v l="$limit_mb" 'BEGIN { exit !(g <= l) }'
