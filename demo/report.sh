#!/usr/bin/env bash
# report.html on the CDNOW sample, checked (run as root on Debian 12): the whole demo
# (scripts/demo.sh: install, build, throwaway cluster, demo/NN_*.sql, demo/report.sql), then
# every chart is parsed with an XML parser, the page is rendered in headless Chromium
# (installed if missing) and the screenshot is checked not to be blank.
# Writes OUTDIR/report.html, OUTDIR/report.png and the demo's CSV files
# (OUTDIR: the first argument, default out/).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

OUTDIR=${1:-$TOP/out}
CHARTS=21	# charts report.sql draws

"$TOP/scripts/demo.sh" "$OUTDIR"
OUTDIR=$(cd "$OUTDIR" && pwd)
clv_report_check "$OUTDIR" "$CHARTS"
log "done: $OUTDIR/report.html ($(wc -c <"$OUTDIR/report.html") bytes), screenshot $OUTDIR/report.png"
