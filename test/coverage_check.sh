#!/usr/bin/env bash
# A small version of the coverage study of the prediction intervals (docs/intervals.md,
# bench/coverage_study.sh): 20 simulated BG/NBD data sets of 2,357 customers, seed 1.
# Deterministic (numpy's generator and clv's draws are seeded), about 10 s. Fails if the
# 90 % interval of the population's expected purchases covers the truth in fewer than 75 %
# of the data sets (the full study, 200 data sets, asks 85-95 %).
#   test/coverage_check.sh [--private | --no-build]
set -euo pipefail
DATASETS=${DATASETS:-20} CUSTOMERS=${CUSTOMERS:-2357} MODELS=${MODELS:-bgnbd} SEED=${SEED:-1} \
	MIN=${MIN:-0.75} MAX=${MAX:-1} exec "$(dirname "$0")/../bench/coverage_study.sh" "$@"
