# Shared by scripts/demo.sh, scripts/test.sh and bench/: install what is missing, build,
# install the extension, and run a throwaway PostgreSQL cluster owned by the postgres OS
# user (PostgreSQL refuses to run as root). Source it; it is not a command.

PGVER=${PGVER:-15}
PGBIN=/usr/lib/postgresql/$PGVER/bin
TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf '\n==> %s\n' "$*" >&2; }

# apt-get install the server, its headers and GSL unless they are already there.
clv_deps() {
	local need=()
	[ -x "$PGBIN/postgres" ] || need+=("postgresql-$PGVER")
	[ -x "$PGBIN/pg_config" ] && [ -f "/usr/include/postgresql/$PGVER/server/postgres.h" ] \
		|| need+=("postgresql-server-dev-$PGVER")
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
# calling script exits.
clv_build() {
	exec 9>/tmp/clv-install.lock
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
clv_private_install() {
	local root=$1 src=${2:-$TOP}
	shift 2 || shift $#
	if [ ! -x "$root$PGBIN/postgres" ]; then
		mkdir -p "$root/usr/lib/postgresql" "$root/usr/share/postgresql"
		cp -a "/usr/lib/postgresql/$PGVER" "$root/usr/lib/postgresql/"
		cp -a "/usr/share/postgresql/$PGVER" "$root/usr/share/postgresql/"
	fi
	rm -f "$root/usr/share/postgresql/$PGVER/extension/clv"* "$root/usr/lib/postgresql/$PGVER/lib/clv.so"
	log "building clv from $src into $root"
	make -C "$src" -s PG_CONFIG="$PGBIN/pg_config" "$@"
	make -C "$src" -s PG_CONFIG="$PGBIN/pg_config" DESTDIR="$root" "$@" install >/dev/null
	PGBIN=$root$PGBIN
}

# Start a cluster in a fresh directory; exports PGHOST/PGPORT/PGUSER and stops it on exit.
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
		if runuser -u postgres -- "$PGBIN/pg_ctl" -D "$CLV_PGDIR/data" -l "$CLV_PGDIR/log" -w \
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
