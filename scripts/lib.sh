# Shared by scripts/demo.sh, scripts/test.sh and bench/: install what is missing, build,
# install the extension, and run a throwaway PostgreSQL cluster owned by the postgres OS
# user (PostgreSQL refuses to run as root). Source it; it is not a command.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# PG_CONFIG=/path/to/pg_config: build, install into and test against that installation
# (any version clv supports, e.g. one built from source into its own prefix) instead of
# Debian's postgresql-$PGVER; nothing is installed with apt-get for the server then.
if [ -n "${PG_CONFIG:-}" ]; then
	CLV_PG_CONFIG=$(command -v "$PG_CONFIG") || { echo "PG_CONFIG=$PG_CONFIG: not found" >&2; return 1; }
	PGBIN=$("$CLV_PG_CONFIG" --bindir)
	PGVER=$("$CLV_PG_CONFIG" --version | sed -E 's/^PostgreSQL ([0-9]+).*/\1/')
	[ -x "$PGBIN/pg_config" ] && [ -x "$PGBIN/postgres" ] && [ -x "$PGBIN/initdb" ] \
		|| { echo "PG_CONFIG=$PG_CONFIG: no pg_config, postgres and initdb in its bindir $PGBIN" >&2; return 1; }
	# psql of that version for the scripts that call psql (pg_regress finds its own)
	PATH=$PGBIN:$PATH
else
	CLV_PG_CONFIG=
	PGVER=${PGVER:-15}
	PGBIN=/usr/lib/postgresql/$PGVER/bin
fi

log() { printf '\n==> %s\n' "$*" >&2; }

# apt-get install the server, its headers and GSL unless they are already there.
clv_deps() {
	local need=()
	if [ -n "$CLV_PG_CONFIG" ]; then
		[ -f "$("$CLV_PG_CONFIG" --includedir-server)/postgres.h" ] \
			|| { echo "PG_CONFIG=$PG_CONFIG: its server headers are not installed" >&2; return 1; }
	else
		[ -x "$PGBIN/postgres" ] || need+=("postgresql-$PGVER")
		[ -x "$PGBIN/pg_config" ] && [ -f "/usr/include/postgresql/$PGVER/server/postgres.h" ] \
			|| need+=("postgresql-server-dev-$PGVER")
	fi
	command -v gsl-config >/dev/null || need+=(libgsl-dev)
	command -v make >/dev/null || need+=(make)
	command -v gcc >/dev/null || need+=(gcc)
	if [ ${#need[@]} -gt 0 ]; then
		[ "$(id -u)" = 0 ] || { echo "missing packages (${need[*]}): run as root to install them" >&2; return 1; }
		log "installing ${need[*]}"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
	fi
}

# Installing puts clv.so into the one PostgreSQL on the machine: several checkouts (git
# worktrees) testing at once would overwrite each other's build. The lock is held until the
# calling script exits; another installation (PG_CONFIG) has a lock of its own.
clv_build() {
	local lock=/tmp/clv-install.lock
	[ -z "$CLV_PG_CONFIG" ] || lock=/tmp/clv-install.$(echo "$PGBIN" | md5sum | cut -c1-8).lock
	exec 9>"$lock"
	if ! flock -n 9; then
		log "waiting for another checkout's install/test run to finish"
		flock 9
	fi
	log "building and installing clv"
	make -C "$TOP" -s PG_CONFIG="$PGBIN/pg_config"
	make -C "$TOP" -s PG_CONFIG="$PGBIN/pg_config" install >/dev/null
}

# A private copy of the PostgreSQL installation with clv built from directory $2 (default:
# this checkout) installed into it; extra arguments go to make (e.g. COPT=-fsanitize=...).
# PostgreSQL is relocatable (it finds lib/ and share/ relative to its binaries), so a long
# run (fuzzing, valgrind, sanitizers) against it neither holds the install lock nor is
# disturbed by another checkout's install. Sets PGBIN to the copy's binaries.
#
# The copy holds the parent of the bindir (Debian: /usr/lib/postgresql/15 with bin/ and
# lib/; a source build: its whole prefix) and the sharedir if it lies elsewhere.
clv_private_install() {
	local root=$1 src=${2:-$TOP} base share lib
	shift 2 || shift $#
	base=$(dirname "$PGBIN")
	share=$("$PGBIN/pg_config" --sharedir)
	lib=$("$PGBIN/pg_config" --pkglibdir)
	if [ ! -x "$root$PGBIN/postgres" ]; then
		mkdir -p "$root$(dirname "$base")" "$root$(dirname "$share")"
		cp -a "$base" "$root$(dirname "$base")/"
		[ -d "$root$share" ] || cp -a "$share" "$root$(dirname "$share")/"
	fi
	rm -f "$root$share/extension/clv"* "$root$lib/clv.so"
	log "building clv from $src into $root"
	make -C "$src" -s PG_CONFIG="$PGBIN/pg_config" "$@"
	make -C "$src" -s PG_CONFIG="$PGBIN/pg_config" DESTDIR="$root" "$@" install >/dev/null
	PGBIN=$root$PGBIN
}

# This checkout's private copy of PostgreSQL (see clv_private_install).
clv_private_root() { echo "/tmp/clv-private.$(id -u).$(echo "$TOP" | md5sum | cut -c1-8)"; }

# The set-up shared by the checking scripts (test/fuzz/*.sh), by their --private and
# --no-build options: MODE 1 builds and installs under the lock, "private" installs into
# the checkout's private copy of PostgreSQL; both then start a throwaway cluster (with
# $CLV_PGOPTS). MODE 0 does nothing: the caller's cluster (PGHOST/PGPORT) is used.
clv_check_setup() {
	case $1 in
		0) return 0 ;;
		private) clv_deps; clv_private_install "$(clv_private_root)" ;;
		*) clv_deps; clv_build ;;
	esac
	clv_cluster_start
}

# Start a cluster in a fresh directory; exports PGHOST/PGPORT/PGUSER and stops it on exit.
# CLV_PGOPTS: extra server options; CLV_PGENV: VAR=value words for the server's environment
# (e.g. LD_PRELOAD), set for pg_ctl and the postmaster only.
clv_cluster_start() {
	CLV_PGDIR=$(mktemp -d /tmp/clv-pg.XXXXXX)
	chown postgres "$CLV_PGDIR"
	local port=${CLV_PGPORT:-} tries=0
	runuser -u postgres -- "$PGBIN/initdb" -D "$CLV_PGDIR/data" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
	trap clv_cluster_stop EXIT
	# Unix socket only (no TCP port to collide on); another checkout may take the same
	# free port at the same moment, so try the next one if the start fails.
	while :; do
		if [ -z "${CLV_PGPORT:-}" ]; then
			port=${port:-55432}
			while [ -e "/tmp/.s.PGSQL.$port" ] || [ -e "/tmp/.s.PGSQL.$port.lock" ]; do port=$((port + 1)); done
		fi
		log "starting a throwaway cluster on port $port ($CLV_PGDIR)"
		# shellcheck disable=SC2086
		if runuser -u postgres -- env ${CLV_PGENV:-} "$PGBIN/pg_ctl" -D "$CLV_PGDIR/data" -l "$CLV_PGDIR/log" -w \
			-o "-k /tmp -p $port -c listen_addresses='' -c max_parallel_workers_per_gather=2 ${CLV_PGOPTS:-}" \
			start >/dev/null 9>&-; then
			break
		fi
		tries=$((tries + 1))
		if [ -n "${CLV_PGPORT:-}" ] || [ "$tries" -ge 5 ]; then
			cat "$CLV_PGDIR/log" >&2
			return 1
		fi
		port=$((port + 1))
	done
	export PGHOST=/tmp PGPORT=$port PGUSER=postgres
}

clv_cluster_stop() {
	[ -n "${CLV_PGDIR:-}" ] || return 0
	runuser -u postgres -- "$PGBIN/pg_ctl" -D "$CLV_PGDIR/data" -m fast -w stop >/dev/null 2>&1
	if grep -q "terminated by signal" "$CLV_PGDIR/log"; then
		echo "the server log shows a backend crash:" >&2
		grep -B2 -A5 "terminated by signal" "$CLV_PGDIR/log" >&2
		rm -rf "$CLV_PGDIR"
		exit 3
	fi
	rm -rf "$CLV_PGDIR"
	CLV_PGDIR=
}

# A Citus cluster on loopback: a coordinator and two workers on ports BASE, BASE+1, BASE+2
# (each with citus and clv created), in a fresh directory removed at exit. Sets
# CLV_CITUS_DIR and CLV_CITUS_PORTS; CLV_PGOPTS: extra server options. On exit, exit 3 if a
# server log shows a crashed backend. Used by test/citus/run.sh and bench/citus.sh.
clv_citus_start() {
	local base=$1 p
	CLV_CITUS_PORTS=("$base" $((base + 1)) $((base + 2)))
	CLV_CITUS_DIR=$(mktemp -d /tmp/clv-citus.XXXXXX)
	chown postgres "$CLV_CITUS_DIR"
	trap clv_citus_stop EXIT
	for p in "${CLV_CITUS_PORTS[@]}"; do
		runuser -u postgres -- "$PGBIN/initdb" -D "$CLV_CITUS_DIR/$p" -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
		runuser -u postgres -- "$PGBIN/pg_ctl" -D "$CLV_CITUS_DIR/$p" -l "$CLV_CITUS_DIR/$p.log" -w -o \
			"-k /tmp -p $p -c listen_addresses=127.0.0.1 -c shared_preload_libraries=citus -c max_parallel_workers_per_gather=0 ${CLV_PGOPTS:-}" \
			start >/dev/null
		psql -X -q -h /tmp -p "$p" -U postgres -v ON_ERROR_STOP=1 \
			-c "SET client_min_messages = warning" -c "CREATE EXTENSION citus" -c "CREATE EXTENSION clv"
	done
	psql -X -q -h /tmp -p "$base" -U postgres -v ON_ERROR_STOP=1 \
		-c "SELECT citus_set_coordinator_host('127.0.0.1', $base)" \
		-c "SELECT citus_add_node('127.0.0.1', ${CLV_CITUS_PORTS[1]})" \
		-c "SELECT citus_add_node('127.0.0.1', ${CLV_CITUS_PORTS[2]})" >/dev/null
}

clv_citus_stop() {
	local p
	[ -n "${CLV_CITUS_DIR:-}" ] || return 0
	for p in "${CLV_CITUS_PORTS[@]}"; do
		runuser -u postgres -- "$PGBIN/pg_ctl" -D "$CLV_CITUS_DIR/$p" -m fast -w stop >/dev/null 2>&1 || true
	done
	if grep -l "terminated by signal" "$CLV_CITUS_DIR"/*.log 2>/dev/null; then
		echo "a backend crashed (logs above)" >&2
		rm -rf "$CLV_CITUS_DIR"
		exit 3
	fi
	rm -rf "$CLV_CITUS_DIR"
	CLV_CITUS_DIR=
}

# Compare two query outputs: "identical", or "equal to <worst>" when every number agrees to
# 1e-10 relative and the text around them is the same (float sums in another order differ
# in the last bits); otherwise print DIFFERENT and return 1.
clv_same_output() {
	python3 - "$1" "$2" <<'PY2'
import re, sys
a, b = open(sys.argv[1]).read(), open(sys.argv[2]).read()
if a == b: print("identical"); sys.exit(0)
num = r'-?\d+(?:\.\d+)?(?:e[-+]?\d+)?'
na, nb = re.findall(num, a), re.findall(num, b)
if re.sub(num, '#', a) != re.sub(num, '#', b) or len(na) != len(nb): print("DIFFERENT"); sys.exit(1)
worst = max((abs(float(x) - float(y)) / max(abs(float(x)), abs(float(y)), 1e-300) for x, y in zip(na, nb)), default=0)
print("equal to %.0e" % worst if worst <= 1e-10 else "DIFFERENT (%.1e)" % worst); sys.exit(worst > 1e-10)
PY2
}

# The demo's analysis against the running cluster: demo/NN_*.sql in name order (each in its
# own psql session, step headings and timings in between), the CSV deliverables and
# report.html into OUTDIR (created; owned by postgres when run as root, so that both root
# and the postgres OS user can write it). Files are written by the psql client.
clv_demo_run() {
	local outdir=$1 psql=(psql -X -q -v ON_ERROR_STOP=1 -P footer=off -d postgres)
	mkdir -p "$outdir"
	outdir=$(cd "$outdir" && pwd)
	if [ "$(id -u)" = 0 ]; then chown postgres: "$outdir" && chmod 0775 "$outdir"; fi
	# Steps: demo/NN_*.sql in name order, 90_export.sql last; each file's line
	# "-- Title: ..." names it (to add a step, add a file numbered before 90).
	local files=("$TOP"/demo/[0-9][0-9]_*.sql) n i t0 start=$EPOCHREALTIME title
	n=${#files[@]}
	export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
	for i in "${!files[@]}"; do
		title=$(sed -n 's/^-- Title: *//p' "${files[$i]}" | head -1)
		printf '\n=== [%d/%d] %s\n' $((i + 1)) "$n" "${title:-${files[$i]##*/}}"
		t0=$EPOCHREALTIME
		if [ "${files[$i]##*/}" = 90_export.sql ]; then
			(cd "$outdir" && "${psql[@]}" -f "${files[$i]}")
			"${psql[@]}" -v out="$outdir/report.html" -f "$TOP/demo/report.sql"
			local f
			for f in customer_segments customer_clv ab_test_groups dynamic_pricing top_products; do
				printf '    %-22s %6d rows\n' "$f.csv" $(($(wc -l <"$outdir/$f.csv") - 1))
			done
			printf '    %-22s %6d KB (open it in a browser)\n' report.html $(($(wc -c <"$outdir/report.html") / 1024))
			if [ "$(id -u)" = 0 ]; then chown postgres: "$outdir"/*.csv "$outdir/report.html"; fi
		else
			(cd "$TOP" && "${psql[@]}" -f "${files[$i]}")
		fi
		printf '    (%s s)\n' "$(clv_seconds_since "$t0")"
	done
	printf '\n=== done: analysis in %s s; deliverables in %s\n' "$(clv_seconds_since "$start")" "$outdir"
}

# Seconds since an $EPOCHREALTIME, one decimal.
clv_seconds_since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# apt-get install the named commands (each the name of its Debian package) unless present.
clv_tools() {
	local need=() c
	for c in "$@"; do command -v "$c" >/dev/null || need+=("$c"); done
	[ ${#need[@]} -gt 0 ] || return 0
	[ "$(id -u)" = 0 ] || { echo "missing ${need[*]}: run as root to install them" >&2; return 1; }
	log "installing ${need[*]}"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
}

# Checks OUTDIR/report.html: every chart parses as SVG 1.1 (at least CHARTS of them), then
# headless Chromium renders OUTDIR/report.png and the screenshot must show the charts
# (demo/check_report.py). Installs python3 and chromium with apt-get if missing (root).
clv_report_check() {
	local outdir=$1 charts=$2 profile
	clv_tools python3 chromium
	log "checking the charts of $outdir/report.html with an XML parser"
	python3 "$TOP/demo/check_report.py" "$outdir/report.html" "$charts"
	log "rendering with headless chromium"
	profile=$(mktemp -d)
	rm -f "$outdir/report.png"
	timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" --hide-scrollbars --screenshot="$outdir/report.png" \
		--window-size=1200,24000 "file://$outdir/report.html" >/dev/null 2>&1 || true
	rm -rf "$profile"
	[ -s "$outdir/report.png" ] || { echo "chromium wrote no screenshot" >&2; return 1; }
	if [ "$(id -u)" = 0 ]; then chown postgres: "$outdir/report.png"; fi
	log "checking the screenshot"
	python3 "$TOP/demo/check_report.py" "$outdir/report.html" "$charts" "$outdir/report.png"
}
