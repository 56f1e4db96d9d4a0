#!/usr/bin/env bash
# report.html on the CDNOW sample (run as root on Debian 12): installs what is missing,
# builds and installs clv, starts a throwaway cluster, runs demo/report.sql, checks every
# chart with an XML parser, renders the page in headless Chromium and checks the
# screenshot is not blank. Writes OUTDIR/report.html and OUTDIR/report.png
# (OUTDIR: the first argument, default out/).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

OUTDIR=$(mkdir -p "${1:-$TOP/out}" && cd "${1:-$TOP/out}" && pwd)
CHARTS=6	# charts report.sql draws

clv_deps
if ! command -v chromium >/dev/null; then
	[ "$(id -u)" = 0 ] || { echo "chromium is missing: run as root to install it" >&2; exit 1; }
	log "installing chromium"
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
clv_build
clv_cluster_start
cd "$TOP"
log "running demo/report.sql"
# the cluster's server writes nothing here: psql (\o) writes the page as this user
psql -X -q -d postgres -v out="$OUTDIR/report.html" -f demo/report.sql

log "checking the charts with an XML parser"
python3 demo/check_report.py "$OUTDIR/report.html" "$CHARTS"

log "rendering with headless chromium"
profile=$(mktemp -d)
rm -f "$OUTDIR/report.png"
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--user-data-dir="$profile" --hide-scrollbars --screenshot="$OUTDIR/report.png" \
	--window-size=1200,6400 "file://$OUTDIR/report.html" >/dev/null 2>&1 || true
rm -rf "$profile"
[ -s "$OUTDIR/report.png" ] || { echo "chromium wrote no screenshot" >&2; exit 1; }

log "checking the screenshot"
python3 demo/check_report.py "$OUTDIR/report.html" "$CHARTS" "$OUTDIR/report.png"
log "done: $OUTDIR/report.html ($(wc -c <"$OUTDIR/report.html") bytes), screenshot $OUTDIR/report.png"
