#!/usr/bin/env bash
# Checks the one-command demo (run as root on Debian 12, after ./scripts/test.sh in CI):
# runs ./scripts/demo.sh into a temporary directory, then checks that every deliverable
# exists with the expected header and a plausible number of rows, that the run stayed well
# under a minute, and report.html with demo/check_report.py (charts parsed as SVG, page
# rendered in headless Chromium, screenshot checked; python3 and chromium are installed
# with apt-get if missing). Keeps the files in the directory given as the first argument,
# or removes the temporary one.
set -euo pipefail
. "$(dirname "$0")/../scripts/lib.sh"

if [ $# -gt 0 ]; then outdir=$1; keep=1; else outdir=$(mktemp -d /tmp/clv-demo.XXXXXX); keep=0; fi
log "running ./scripts/demo.sh $outdir"
log_file=$(mktemp)
"$TOP/scripts/demo.sh" "$outdir" | tee "$log_file"
outdir=$(cd "$outdir" && pwd)

fail() { echo "demo_check: FAIL: $*" >&2; exit 1; }

# file | header | min rows | max rows
checks=(
	"customer_segments.csv|customer_id,recency_days,frequency,monetary,r,f,m,rfm_score,rfm_segment,value_tier,cluster|2357|2357"
	"customer_clv.csv|customer_id,frequency,recency_weeks,t_weeks,monetary_value,p_alive,purchases_next_52_weeks,expected_spend,clv_12m|2357|2357"
	"ab_test_groups.csv|customer_id,experiment,variant,converted,holdout_spend|2357|2357"
	"dynamic_pricing.csv|rfm_segment,customers,stock_code,description,list_price,price,discount_pct|40|440"
	"top_products.csv|revenue_rank,quantity_rank,stock_code,description,list_price,quantity,revenue,revenue_share_pct,cumulative_revenue_pct,quantity_share_pct|10|40"
)
clv_tools python3
log "checking the CSV files in $outdir"
for c in "${checks[@]}"; do
	IFS='|' read -r file header min max <<<"$c"
	[ -s "$outdir/$file" ] || fail "$file is missing or empty"
	got=$(head -n 1 "$outdir/$file")
	[ "$got" = "$header" ] || fail "$file: header '$got', expected '$header'"
	rows=$(($(wc -l <"$outdir/$file") - 1))
	[ "$rows" -ge "$min" ] && [ "$rows" -le "$max" ] || fail "$file: $rows rows, expected $min..$max"
	# every row has as many fields as the header
	bad=$(python3 -c 'import csv,sys; r=list(csv.reader(open(sys.argv[1]))); print(sum(len(x) != len(r[0]) for x in r))' "$outdir/$file")
	[ "$bad" = 0 ] || fail "$file: $bad rows with a wrong number of fields"
	echo "$file: header ok, $rows rows"
done
# a few values that must hold on the CDNOW sample whatever the numeric details
awk -F, 'NR > 1 && ($6 < 0 || $6 > 1 || $9 < 0) { bad++ } END { exit bad > 0 }' "$outdir/customer_clv.csv" \
	|| fail "customer_clv.csv: p_alive outside 0..1 or a negative CLV"
[ "$(cut -d, -f3 "$outdir/ab_test_groups.csv" | sort -u | tr '\n' ' ')" = "A B variant " ] \
	|| fail "ab_test_groups.csv: variants are not exactly A and B"
grep -q 'the assignment is random' "$log_file" || fail "the demo does not say the A/B assignment is random"
# every step file demo/NN_*.sql ran (features add steps: count them)
nsteps=$(ls "$TOP"/demo/[0-9][0-9]_*.sql | wc -l)
for i in $(seq 1 "$nsteps"); do
	grep -q "^=== \[$i/$nsteps\]" "$log_file" || fail "the demo printed no step $i/$nsteps"
done
grep -q 'Random forest (200 trees' "$log_file" || fail "the demo printed no regression CLV comparison"
secs=$(sed -n 's/^=== done: analysis in \([0-9.]*\) s.*/\1/p' "$log_file")
[ -n "$secs" ] || fail "the demo printed no run time"
awk -v s="$secs" 'BEGIN { exit !(s < 30) }' || fail "the analysis took $secs s (expected well under a minute)"
echo "analysis: $secs s"
rm -f "$log_file"

[ -s "$outdir/report.html" ] || fail "report.html is missing"
clv_report_check "$outdir" 21
[ "$keep" = 1 ] || rm -rf "$outdir"
log "demo check passed"
