#!/usr/bin/env bash
# pg_dump / pg_restore of databases that store clv values round-trip exactly (issue 16).
#
#   test/dump_restore.sh [--private | --no-build]
#
# Five source databases: "fresh" installs the current version into schema clv; "updated"
# installs 0.1 into public, stores fits, runs ALTER EXTENSION clv UPDATE and stores more
# (a database of 0.1 days brought up to date); "v01" stays on 0.1, "v02" on 0.2 and "v03" on 0.3 (each
# restored into a database where its version is created first: see below). Each stores
# fitted models (BG/NBD with unit_days, MBG/NBD, Pareto/NBD, BG/BB, Gamma-Gamma, k-means, OLS), clv_summary and
# clv_summary_holdout composites, rfm_score results, a generated column, an expression
# index, a view and a materialized view scoring with the stored models. Each is dumped
# with pg_dump -Fc and restored into a new database twice (pg_restore, and pg_restore -j 2);
# then every table and materialized view must have the same rows, float8 digits exact
# (extra_float_digits = 3), the extension the same version and members, and a plain dump
# of the copy must equal a plain dump of the source.
#
# By default builds and installs clv (under the install lock of scripts/lib.sh) and starts
# a throwaway cluster; --private uses this checkout's private copy of PostgreSQL;
# --no-build uses the server in PGHOST/PGPORT as it is (scripts/test.sh runs it so).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

build=1
case ${1:-} in
	--no-build) build=0 ;;
	--private) build=private ;;
	"") ;;
	*) echo "usage: $0 [--private | --no-build]" >&2; exit 2 ;;
esac
clv_check_setup "$build"
cd "$TOP"
start=$EPOCHREALTIME
work=$(mktemp -d /tmp/clv-dump.XXXXXX)
trap 'rm -rf "$work"; clv_cluster_stop' EXIT
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
psql=(psql -X -q -v ON_ERROR_STOP=1 -P pager=off)
sources=(clv_dump_fresh clv_dump_updated clv_dump_v01 clv_dump_v02 clv_dump_v03)
dbs=()
for src in "${sources[@]}"; do dbs+=("$src" "${src}_r" "${src}_j"); done
for db in "${dbs[@]}"; do "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db"; done

# The data every source stores: $1 is the schema clv is in.
store() {
	cat <<EOF
CREATE TABLE txn AS
SELECT f[2]::int AS customer_id, to_date(f[3], 'YYYYMMDD')::timestamptz AS txn_time, f[5]::float8 AS amount
FROM (SELECT regexp_split_to_array(btrim(line), '\s+') AS f FROM raw) s;
CREATE TABLE cust (id int PRIMARY KEY, frequency int, recency float8, t float8, zbar float8,
                   p_alive_published float8 GENERATED ALWAYS AS
                       ($1.bgnbd_p_alive($1.bgnbd_model(0.243, 4.414, 0.793, 2.426), frequency, recency, t)) STORED);
INSERT INTO cust (id, frequency, recency, t, zbar) SELECT * FROM cust_csv;
CREATE TABLE summaries AS
SELECT customer_id, $1.clv_summary(txn_time, amount, '1998-06-30', 'week') AS s,
       $1.clv_summary_holdout(txn_time, amount, '1997-09-30', '1998-06-30', 'week') AS h
FROM txn GROUP BY customer_id;
CREATE TABLE fits AS
SELECT $1.bgnbd_fit(frequency, recency, t) AS bg, $1.mbgnbd_fit(frequency, recency, t) AS mbg,
       $1.pareto_nbd_fit(frequency, recency, t) AS pnbd,
       $1.gamma_gamma_fit(frequency, zbar) FILTER (WHERE frequency > 0) AS gg,
       $1.kmeans_fit(ARRAY[frequency, recency, zbar]::float8[], 4) AS km,
       $1.linreg_fit(zbar, ARRAY[frequency, recency]::float8[]) FILTER (WHERE frequency > 0) AS ols
FROM cust;
CREATE TABLE bgbb AS
SELECT $1.bgbb_fit(f, r, 6, n) AS m
FROM (VALUES (6, 6, 1203), (5, 6, 728), (4, 6, 512), (3, 6, 357), (2, 6, 234), (1, 6, 129),
             (5, 5, 335), (4, 5, 284), (3, 5, 225), (2, 5, 173), (1, 5, 119), (4, 4, 240),
             (3, 4, 181), (2, 4, 155), (1, 4, 78), (3, 3, 322), (2, 3, 255), (1, 3, 129),
             (2, 2, 613), (1, 2, 277), (1, 1, 1091), (0, 0, 3464)) v(f, r, n);
CREATE TABLE rfm_scores AS
SELECT customer_id, $1.rfm_score((s).recency, (s).frequency, (s).monetary_value) OVER () AS rfm
FROM summaries;
CREATE INDEX rfm_segment_idx ON rfm_scores ($1.rfm_segment((rfm).r, (rfm).f, (rfm).m));
CREATE VIEW scores_v AS
SELECT c.id, $1.bgnbd_p_alive(f.bg, c.frequency, c.recency, c.t) AS p_alive,
       $1.gamma_gamma_clv(f.bg, f.gg, c.frequency, c.recency, c.t, c.zbar, 12, 0.01, 7) AS clv,
       $1.kmeans_assign(f.km, ARRAY[c.frequency, c.recency, c.zbar]::float8[]) AS cluster
FROM cust c, fits f;
CREATE MATERIALIZED VIEW scores AS SELECT * FROM scores_v;
EOF
}
# The 0.2 forms: the summary composite with its unit (summaries stored under 0.1 read
# unit_days NULL, so the updated database makes them anew), refunds netted.
store_02() {
	cat <<EOF
CREATE TABLE summaries_02 AS
SELECT customer_id, $1.clv_summary(txn_time, amount, '1998-06-30', 'week', 'net') AS s
FROM txn GROUP BY customer_id;
CREATE TABLE fits_02 AS
SELECT $1.bgnbd_fit(s) AS bg, $1.gamma_gamma_fit(s) FILTER (WHERE (s).frequency > 0) AS gg
FROM summaries_02;
CREATE MATERIALIZED VIEW clv_02 AS
SELECT s.customer_id, $1.bgnbd_p_alive(f.bg, s.s) AS p_alive,
       $1.bgnbd_expected_purchases(f.bg, horizon => 52, summary => s.s) AS purchases_52,
       $1.gamma_gamma_clv(f.bg, f.gg, s.s) AS clv
FROM summaries_02 s, fits_02 f;
EOF
}
# The 0.3 forms (not in the database that stays on 0.2): a tracked table (docs/tracking.md:
# its rows, its catalog row and its triggers), and the model registry (docs/operations.md:
# a registered version with its predictions, an alert rule and its alerts, all in
# configuration tables whose rows pg_dump keeps, and the alert trigger clv_refit puts on
# the tracked table).
store_03() {
	cat <<EOF
CREATE TABLE tracked_txn AS SELECT * FROM txn;
SELECT $1.clv_track('tracked_txn', 'customer_id', 'txn_time', 'amount', 'week', 'net', 'UTC');
INSERT INTO $1.clv_alert_rules (name, p_alive_below, clv_above) VALUES ('dump', 0.3, 0);
INSERT INTO $1.clv_alert_rules (name, segments) VALUES ('dump', '{At Risk}');
SELECT $1.clv_refit('dump', 'tracked_txn_clv_summary', observation_end => '1998-06-30', horizons => '{4, 52}');
EOF
}
load() {
	"${psql[@]}" -d "$1" -c "CREATE TEMP TABLE raw (line text)" -c "\\copy raw FROM 'data/CDNOW_sample.txt'" \
		-c "CREATE TEMP TABLE cust_csv (id int, frequency int, recency float8, t float8, zbar float8)" \
		-c "\\copy cust_csv FROM 'data/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER)" \
		-f <(store "$2")
}

log "dump/restore: building the source databases"
for src in "${sources[@]}"; do "${psql[@]}" -d postgres -c "CREATE DATABASE $src"; done
"${psql[@]}" -d clv_dump_fresh -c "CREATE SCHEMA clv" -c "CREATE EXTENSION clv SCHEMA clv"
load clv_dump_fresh clv
"${psql[@]}" -d clv_dump_fresh -f <(store_02 clv) -f <(store_03 clv)
"${psql[@]}" -d clv_dump_updated -c "CREATE EXTENSION clv VERSION '0.1'"
load clv_dump_updated public
"${psql[@]}" -d clv_dump_updated -c "ALTER EXTENSION clv UPDATE" -f <(store_02 public) -f <(store_03 public)
"${psql[@]}" -d clv_dump_v01 -c "CREATE EXTENSION clv VERSION '0.1'"
load clv_dump_v01 public
"${psql[@]}" -d clv_dump_v02 -c "CREATE EXTENSION clv VERSION '0.2'"
load clv_dump_v02 public
"${psql[@]}" -d clv_dump_v02 -f <(store_02 public)
"${psql[@]}" -d clv_dump_v03 -c "CREATE EXTENSION clv VERSION '0.3'"
load clv_dump_v03 public
"${psql[@]}" -d clv_dump_v03 -f <(store_02 public) -f <(store_03 public)

# One line per table and materialized view: name, rows, md5 of the rows' text in order.
fingerprint() {
	# the trackings of clv_tracking (an extension configuration table: its rows are dumped)
	"${psql[@]}" -At -d "$1" -f - <<'SQL'
SELECT format('SELECT ''tracking '' || tracked || '' '' || source || '' '' || unit || '' '' || refunds || '' '' || time_zone FROM %I.clv_tracking ORDER BY 1', n.nspname)
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'clv' AND to_regclass(format('%I.clv_tracking', n.nspname)) IS NOT NULL \gexec
-- the registry's tables (configuration tables), and the alert triggers on tracked tables
SELECT format('SELECT %L || '' '' || count(*) || '' '' || md5(coalesce(string_agg(t::text, E''\n'' ORDER BY t::text), '''')) FROM %I.%I t',
              'registry ' || r, n.nspname, r)
FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace,
     unnest('{clv_model_registry,clv_predictions,clv_alert_rules,clv_alerts,_clv_alert_state}'::text[]) r
WHERE e.extname = 'clv' AND to_regclass(format('%I.clv_model_registry', n.nspname)) IS NOT NULL \gexec
SELECT 'trigger ' || tgrelid::regclass || ' ' || tgname FROM pg_trigger WHERE tgname LIKE 'clv_alerts_%' ORDER BY 1;
SQL
	"${psql[@]}" -At -d "$1" -c "SET extra_float_digits = 3" -c "
		SELECT e.extversion || ' ' || e.extnamespace::regnamespace::text || ' ' ||
		       (SELECT count(*) FROM pg_depend d WHERE d.refobjid = e.oid AND d.deptype = 'e')
		FROM pg_extension e WHERE e.extname = 'clv'" -c "
		SELECT c.relname FROM pg_class c
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'm') ORDER BY 1" |
	while read -r rel; do
		case $rel in
			0.*) echo "extension $rel" ;;
			*) "${psql[@]}" -At -d "$1" -c "SET extra_float_digits = 3" -c "
				SELECT '$rel ' || count(*) || ' ' || md5(coalesce(string_agg(t::text, E'\n' ORDER BY t::text), ''))
				FROM public.$rel t" ;;
		esac
	done
}

# A plain dump without its \restrict key (random per run).
plain() { "$PGBIN/pg_dump" -Fp -d "$1" | grep -v '^\\\(un\)\?restrict ' >"$work/$1.sql"; }

fail=0
for src in "${sources[@]}"; do
	t0=$EPOCHREALTIME
	"$PGBIN/pg_dump" -Fc -d "$src" -f "$work/$src.dump"
	fingerprint "$src" >"$work/$src.fp"
	plain "$src"
	for mode in r j; do
		dst=${src}_$mode
		"${psql[@]}" -d postgres -c "CREATE DATABASE $dst"
		# A dump names no extension version: restored as is, it gets the default version,
		# whose types a database still on 0.1, 0.2 or 0.3 does not fit (docs/install.md). Create
		# the extension at the source's version first; pg_restore then keeps it.
		case $src in
			clv_dump_v01) "${psql[@]}" -d "$dst" -c "CREATE EXTENSION clv VERSION '0.1'" ;;
			clv_dump_v02) "${psql[@]}" -d "$dst" -c "CREATE EXTENSION clv VERSION '0.2'" ;;
			clv_dump_v03) "${psql[@]}" -d "$dst" -c "CREATE EXTENSION clv VERSION '0.3'" ;;
		esac
		opts=(--exit-on-error)
		[ $mode = j ] && opts=(-j 2)
		if ! "$PGBIN/pg_restore" "${opts[@]}" -d "$dst" "$work/$src.dump" 2>"$work/$dst.err" || [ -s "$work/$dst.err" ]; then
			echo "FAIL: pg_restore ${opts[*]} of $src:"; cat "$work/$dst.err"; fail=1; continue
		fi
		fingerprint "$dst" >"$work/$dst.fp"
		if ! diff -u "$work/$src.fp" "$work/$dst.fp"; then
			echo "FAIL: $dst differs from $src (above)"; fail=1
		fi
		plain "$dst"
		# the restored triggers keep the restored tracked table current
		if [ "$src" != clv_dump_v01 ] && [ "$src" != clv_dump_v02 ] && [ $mode = r ]; then
			"${psql[@]}" -d "$dst" -c "INSERT INTO tracked_txn VALUES (1, '1998-07-01 10:00+00', 12.5), (424242, '1998-07-02', 3)"
			bad=$("${psql[@]}" -At -d "$dst" -c "SET TimeZone = 'UTC'" -c "SET search_path = public, clv" -c "
				SELECT count(*) FROM (SELECT customer_id::text, clv_summary(txn_time, amount, '1998-12-31', 'week', 'net') AS s
				                      FROM tracked_txn GROUP BY customer_id) f
				FULL JOIN clv_tracked_summary('tracked_txn_clv_summary', '1998-12-31') t USING (customer_id)
				WHERE f.s::text IS DISTINCT FROM t.summary::text")
			[ "$bad" = 0 ] || { echo "FAIL: $dst: the restored tracking differs from clv_summary for $bad customers"; fail=1; }
		fi
		if ! diff -q "$work/$src.sql" "$work/$dst.sql" >/dev/null; then
			diff -u "$work/$src.sql" "$work/$dst.sql" | head -40 || true
			echo "FAIL: the plain dump of $dst differs from that of $src"; fail=1
		fi
	done
	printf '    %-17s clv %s, %d tables and materialized views, %d rows; restored twice in %s s\n' "$src" \
		"$(awk '/^extension/ { print $2 " in schema " $3 " (" $4 " objects)" }' "$work/$src.fp")" \
		"$(grep -vc '^extension' "$work/$src.fp")" "$(awk '!/^extension/ { n += $2 } END { print n }' "$work/$src.fp")" \
		"$(clv_seconds_since "$t0")"
done
for db in "${dbs[@]}"; do "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db"; done
if [ $fail = 0 ]; then
	echo "dump/restore: every table and materialized view round-trips exactly ($(clv_seconds_since "$start") s)"
fi
exit $fail
