#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine (run as root): installs what is missing,
# builds and installs clv, starts a throwaway cluster (removed at exit) and runs the whole
# analysis of the CDNOW sample, demo/NN_*.sql (01_data.sql .. 90_export.sql) and
# demo/report.sql: summary and holdout check, RFM segments and value tiers, k-means,
# BG/NBD + Gamma-Gamma CLV, an A/B test example, top products and segment pricing.
# Writes the CSV deliverables and report.html into OUTDIR:
#   ./scripts/demo.sh [OUTDIR]        (or CLV_DEMO_OUT=OUTDIR; default ./out)
# PG_CONFIG=/path/to/pg_config runs it on that installation instead of Debian's 15.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
outdir=${1:-${CLV_DEMO_OUT:-$TOP/out}}

clv_deps
clv_build
clv_cluster_start
clv_demo_run "$outdir"
