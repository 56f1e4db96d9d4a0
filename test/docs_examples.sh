#!/usr/bin/env bash
# Runs every ```sql example of README.md and docs/*.md as written (issue 13).
#
#   test/docs_examples.sh [--private | --no-build] [--verbose] [FILE.md ...]
#
# Each file runs in a fresh database made from a template loaded with
# test/docs_fixture.sql (the extension and the demo data in the tables the examples use;
# for README.md, whose quick start creates the extension, only the orders table),
# its blocks in document order in one psql session (so a block sees what the blocks
# before it created), from a scratch directory (charts written with \o land there; data/
# is reachable as data/). Blocks are extracted by test/docs_extract.awk.
#
# A block fails when psql reports an ERROR for one of its statements, unless the example
# shows that error on purpose: a comment starting with ERROR on the line where the
# statement ends or on the line right after it (`-- ERROR:  ...`); such a statement must
# fail. A block whose last statement has no `;` fails too. Anything that cannot run (a
# signature, a shell command, a fragment with `...`) must not be tagged sql.
#
# Prints one line per failing block (file:line of the statement, the error) and a total;
# exit 1 if any block failed, 2 if the fixture could not be loaded. By default builds and
# installs clv (under the install lock of scripts/lib.sh) and starts a throwaway cluster;
# --private installs into this checkout's private copy of PostgreSQL instead; --no-build
# uses the server in PGHOST/PGPORT as it is (scripts/test.sh runs it so). --verbose
# prints every block's output.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

build=1 verbose=0 files=()
while [ $# -gt 0 ]; do
	case $1 in
		--no-build) build=0; shift ;;
		--private) build=private; shift ;;
		--verbose | -v) verbose=1; shift ;;
		-*) echo "usage: $0 [--private | --no-build] [--verbose] [FILE.md ...]" >&2; exit 2 ;;
		*) files+=("$1"); shift ;;
	esac
done
clv_check_setup "$build"
cd "$TOP"
[ ${#files[@]} -gt 0 ] || files=(README.md docs/*.md)

start=$EPOCHREALTIME
work=$(mktemp -d /tmp/clv-docs.XXXXXX)
# the scratch directory is written by psql run as root or as postgres
chmod 0777 "$work"
ln -s "$TOP/data" "$work/data"
trap 'rm -rf "$work"; clv_cluster_stop' EXIT
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning -c statement_timeout=120s"
psql=(psql -X -q -P pager=off)
db=clv_docs
# Two templates: README.md's quick start begins with a shop's own orders table and no
# extension (it creates both its tables and the extension); the manual uses them all.
for full in true false; do
	template=clv_docs_fixture_$full
	"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS $template" \
		-c "CREATE DATABASE $template" >/dev/null
	if ! "${psql[@]}" -v ON_ERROR_STOP=1 -v full=$full -d "$template" -f test/docs_fixture.sql >"$work/fixture.log" 2>&1; then
		cat "$work/fixture.log" >&2
		echo "docs_examples: the fixture (test/docs_fixture.sql, full=$full) did not load" >&2
		exit 2
	fi
done

total=0 failed=0
for f in "${files[@]}"; do
	awk -v script="$work/blocks.sql" -v map="$work/blocks.map" -f test/docs_extract.awk "$f" \
		</dev/null >/dev/null
	: >>"$work/blocks.sql"
	: >>"$work/blocks.map"
	n=$(grep -c '^block ' "$work/blocks.map" || true)
	[ "$n" -gt 0 ] || { rm -f "$work/blocks.sql" "$work/blocks.map"; continue; }
	t0=$EPOCHREALTIME
	case $f in README.md | ./README.md | "$TOP/README.md") template=clv_docs_fixture_false ;; *) template=clv_docs_fixture_true ;; esac
	"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db TEMPLATE $template" >/dev/null
	(cd "$work" && "${psql[@]}" -d "$db" -f blocks.sql >out.txt 2>err.txt) || true
	[ "$verbose" = 0 ] || cat "$work/out.txt" "$work/err.txt"
	# psql prefixes each message read from a file with psql:FILE:LINE: (the line where the
	# statement ended); map that back to the Markdown file, then judge each block.
	bad=$(awk -v doc="$f" '
		FNR == NR {
			if ($1 == "block") { nb++; bdoc[nb] = $2; bscr[nb] = $3; blen[nb] = $4 }
			else if ($1 == "expect") expect[$2] = 1
			else if ($1 == "open") open_[$2] = 1
			next
		}
		match($0, /^psql:blocks\.sql:[0-9]+: /) {
			head = substr($0, 1, RLENGTH); msg = substr($0, RLENGTH + 1)
			sub(/^psql:blocks\.sql:/, "", head); sl = head + 0
			if (msg !~ /^(ERROR|FATAL|PANIC|error):/ && msg !~ /^invalid command/) next
			for (b = 1; b <= nb; b++)
				if (sl >= bscr[b] && sl < bscr[b] + blen[b]) break
			if (b > nb) { b = nb; dl = bdoc[nb] + blen[nb] } else dl = bdoc[b] + sl - bscr[b]
			if (dl in expect) { got[dl] = 1; next }
			if (!(b in first)) first[b] = dl ": " msg
			else more[b]++
			next
		}
		END {
			for (l in expect) if (!(l in got)) { l += 0
				for (b = 1; b <= nb; b++) if (l >= bdoc[b] && l < bdoc[b] + blen[b]) break
				if (!(b in first)) first[b] = l ": expected an ERROR (the example says so), got none"
				else more[b]++
			}
			for (l in open_) { l += 0
				for (b = 1; b <= nb; b++) if (l >= bdoc[b] && l < bdoc[b] + blen[b]) break
				if (!(b in first)) first[b] = l ": the block ends inside a statement (no ;)"
				else more[b]++
			}
			for (b = 1; b <= nb; b++) if (b in first)
				print doc ":" first[b] (more[b] ? " (and " more[b] " more)" : "")
		}' "$work/blocks.map" "$work/err.txt")
	nbad=0
	if [ -n "$bad" ]; then
		echo "$bad"
		nbad=$(printf '%s\n' "$bad" | wc -l)
	fi
	printf '%-24s %3d blocks, %d failed (%s s)\n' "$f" "$n" "$nbad" "$(clv_seconds_since "$t0")"
	total=$((total + n)) failed=$((failed + nbad))
	rm -f "$work/blocks.sql" "$work/blocks.map"
done
"${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS $db" -c "DROP DATABASE IF EXISTS clv_docs_fixture_true" \
	-c "DROP DATABASE IF EXISTS clv_docs_fixture_false" >/dev/null
echo "doc examples: $total blocks in ${#files[@]} files, $failed failed ($(clv_seconds_since "$start") s)"
[ "$failed" = 0 ]
