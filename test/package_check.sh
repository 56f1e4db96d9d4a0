#!/usr/bin/env bash
# Builds the Debian package postgresql-PGVERSION-clv from debian/ with pg_buildext
# (dpkg-buildpackage -b) and checks it (issue 16).
#
#   test/package_check.sh [--install] [--keep DIR]
#
# The versions agree (test/version_check.sh); the build runs in a copy of the checkout
# (the tracked and new files) under /tmp, so the checkout stays clean, and must be free of
# compiler warnings; the .deb must hold clv.so, clv.control and every sql/clv--*.sql.
# Then CREATE EXTENSION clv from the package's files: with --install (CI, a fresh machine),
# `apt-get install ./postgresql-15-clv_*.deb` into the system PostgreSQL (clv files a
# `make install` left there are removed first, so that only the package's are used), and
# the whole regression suite runs against it; without, the .deb is unpacked into a private
# copy of the PostgreSQL tree (the system one, which other checkouts test against, is not
# touched) and a short smoke test runs. --keep DIR copies the .deb files to DIR.
# Installs debhelper and postgresql-server-dev-all with apt-get if missing (root).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

install=0 keep=
while [ $# -gt 0 ]; do
	case $1 in
		--install) install=1; shift ;;
		--keep) keep=$2; shift 2 ;;
		*) echo "usage: $0 [--install] [--keep DIR]" >&2; exit 2 ;;
	esac
done
start=$EPOCHREALTIME
cd "$TOP"
test/version_check.sh
clv_deps
need=()
command -v dh >/dev/null || need+=(debhelper)
command -v dh_make_pgxs >/dev/null || need+=(postgresql-server-dev-all)
command -v dpkg-buildpackage >/dev/null || need+=(dpkg-dev)
if [ ${#need[@]} -gt 0 ]; then
	[ "$(id -u)" = 0 ] || { echo "missing ${need[*]}: run as root to install them" >&2; exit 1; }
	log "installing ${need[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

work=$(mktemp -d /tmp/clv-deb.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/clv"
git ls-files -co --exclude-standard -z | xargs -0 cp --parents -t "$work/clv"
log "building the package (dpkg-buildpackage -us -uc -b in $work/clv)"
t0=$EPOCHREALTIME
if ! (cd "$work/clv" && dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1; then
	tail -40 "$work/build.log"
	echo "package_check: the package did not build" >&2
	exit 1
fi
if grep -E 'warning:|error:' "$work/build.log" | grep -v '^dpkg-' ; then
	echo "package_check: the package build has compiler warnings (above)" >&2
	exit 1
fi
build_s=$(clv_seconds_since "$t0")
debs=("$work"/postgresql-*-clv_*.deb)
[ -e "${debs[0]}" ] || { echo "package_check: no postgresql-*-clv .deb was built" >&2; exit 1; }
deb=$work/postgresql-$PGVER-clv_$(sed -n '1s/^clv (\([^)]*\)).*/\1/p' debian/changelog)_$(dpkg --print-architecture).deb
[ -f "$deb" ] || { echo "package_check: $deb missing (built: ${debs[*]##*/})" >&2; exit 1; }
[ -z "$keep" ] || { mkdir -p "$keep"; cp "$work"/*.deb "$keep"/; }
printf '    built %s in %s s\n' "$(for d in "${debs[@]}"; do printf '%s (%d KB)' "${d##*/}" $(($(stat -c %s "$d") / 1024)); done)" "$build_s"

# The package's contents: the library and every script of the SQL API.
contents=$(dpkg -c "$deb" | awk '{ print $NF }')
for f in "lib/postgresql/$PGVER/lib/clv.so" "share/postgresql/$PGVER/extension/clv.control" \
	$(cd sql && for s in clv--*.sql; do echo "share/postgresql/$PGVER/extension/$s"; done); do
	grep -q "^\./usr/$f\$" <<<"$contents" || { echo "package_check: $f not in ${deb##*/}" >&2; exit 1; }
done
echo "    ${deb##*/}: clv.so, clv.control and $(ls sql/clv--*.sql | wc -l) SQL scripts; depends on $(dpkg-deb -f "$deb" Depends)"

if [ $install = 1 ]; then
	[ "$(id -u)" = 0 ] || { echo "--install needs root" >&2; exit 1; }
	log "apt-get install ${deb##*/}"
	# What `make install` put into the system PostgreSQL is no package's: remove it, so
	# that CREATE EXTENSION can only use the package's files.
	for f in "/usr/lib/postgresql/$PGVER/lib/clv.so" "/usr/share/postgresql/$PGVER/extension/clv"*; do
		if [ -e "$f" ] && ! dpkg -S "$f" >/dev/null 2>&1; then rm -f "$f"; fi
	done
	rm -rf "/usr/lib/postgresql/$PGVER/lib/bitcode/clv" "/usr/lib/postgresql/$PGVER/lib/bitcode/clv.index.bc"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" >/dev/null
	dpkg -s "postgresql-$PGVER-clv" | grep -q '^Status: install ok installed' \
		|| { echo "package_check: postgresql-$PGVER-clv is not installed" >&2; exit 1; }
	dpkg -S "/usr/lib/postgresql/$PGVER/lib/clv.so" | grep -q "postgresql-$PGVER-clv" \
		|| { echo "package_check: clv.so does not belong to the package" >&2; exit 1; }
else
	log "unpacking ${deb##*/} into a private copy of PostgreSQL $PGVER"
	root=$work/root
	mkdir -p "$root/usr/lib/postgresql" "$root/usr/share/postgresql"
	cp -a "/usr/lib/postgresql/$PGVER" "$root/usr/lib/postgresql/"
	cp -a "/usr/share/postgresql/$PGVER" "$root/usr/share/postgresql/"
	rm -rf "$root/usr/share/postgresql/$PGVER/extension/clv"* "$root/usr/lib/postgresql/$PGVER/lib/clv.so" \
		"$root/usr/lib/postgresql/$PGVER/lib/bitcode/clv" "$root/usr/lib/postgresql/$PGVER/lib/bitcode/clv.index.bc"
	dpkg -x "$deb" "$root"
	PGBIN=$root$PGBIN
	chmod 0755 "$work"
fi

clv_cluster_start
# (clv_cluster_start set its own trap; the cluster may run from $work: stop it first)
trap 'clv_cluster_stop; rm -rf "$work"' EXIT
psql=(psql -X -q -At -v ON_ERROR_STOP=1)
log "CREATE EXTENSION clv from the package"
got=$("${psql[@]}" -d postgres <<-'EOF'
	SET client_min_messages = warning;
	CREATE EXTENSION clv;
	SELECT extversion FROM pg_extension WHERE extname = 'clv';
	SELECT round(bgnbd_p_alive(bgnbd_model(0.243, 4.414, 0.793, 2.426), 2, 30.43, 38.86)::numeric, 4);
	CREATE TEMP TABLE c (id int, f int, r float8, t float8, z float8);
	\copy c FROM 'data/cdnow_customers_summary_with_transactions.csv' WITH (FORMAT csv, HEADER)
	SELECT round((m).r::numeric, 4) FROM (SELECT bgnbd_fit(f, r, t) AS m FROM c) s;
	CREATE DATABASE clv_pkg_update;
	\c clv_pkg_update
	SET client_min_messages = warning;
	CREATE EXTENSION clv VERSION '0.1';
	ALTER EXTENSION clv UPDATE;
	SELECT extversion FROM pg_extension WHERE extname = 'clv';
	\c postgres
	DROP DATABASE clv_pkg_update;
	DROP EXTENSION clv;
	EOF
)
v=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" clv.control)
want=$(printf '%s\n' "$v" 0.7266 0.2426 "$v")
if [ "$got" != "$want" ]; then
	printf 'package_check: expected\n%s\ngot\n%s\n' "$want" "$got" >&2
	exit 1
fi
echo "    CREATE EXTENSION clv ($v), a score, a BG/NBD fit, and 0.1 updated to $v: as expected"

if [ $install = 1 ]; then
	log "the regression suite against the installed package"
	rm -rf test/results test/regression.diffs test/regression.out
	if ! make -s PG_CONFIG="$PGBIN/pg_config" installcheck >"$work/installcheck.log" 2>&1; then
		cat "$work/installcheck.log"
		[ -f test/regression.diffs ] && cat test/regression.diffs
		echo "package_check: the regression suite failed against the package" >&2
		exit 1
	fi
	echo "    $(grep -E 'tests passed|All [0-9]+ tests' "$work/installcheck.log" | tr -s ' ' | sed 's/^ //')"
fi
echo "package_check: ok ($(clv_seconds_since "$start") s)"
