#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine (run as root): installs what is missing,
# builds and installs clv, starts a throwaway cluster, runs demo/cdnow.sql on the CDNOW
# sample and prints the top customers by predicted CLV. The cluster is removed at exit.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

clv_deps
clv_build
clv_cluster_start
log "running demo/cdnow.sql"
cd "$TOP"
psql -X -q -d postgres -f demo/cdnow.sql
