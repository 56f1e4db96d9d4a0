#!/usr/bin/env python3
"""Simulated customer summaries for bench/coverage_study.sh: CSV rows
(dataset, id, frequency, recency, t_customer) of `datasets` data sets of `customers`
customers each, from BG/NBD or Pareto/NBD at known parameters. Deterministic from seed."""
import sys

import numpy as np


def bgnbd(rng, n, r, alpha, a, b, T):
    lam = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    # dies right after its J-th repeat purchase, J ~ Geometric(p) on 1, 2, ...
    J = rng.geometric(p)
    x = np.zeros(n, dtype=np.int64)
    tx = np.zeros(n)
    t = np.zeros(n)
    active = np.ones(n, dtype=bool)
    while active.any():
        idx = np.nonzero(active)[0]
        t[idx] += rng.exponential(1.0, idx.size) / lam[idx]
        ok = t[idx] <= T[idx]
        buy = idx[ok]
        x[buy] += 1
        tx[buy] = t[buy]
        active[idx[~ok]] = False
        active[buy[x[buy] >= J[buy]]] = False
    return x, tx


def pareto(rng, n, r, alpha, s, beta, T):
    lam = rng.gamma(r, 1.0 / alpha, n)
    mu = rng.gamma(s, 1.0 / beta, n)
    end = np.minimum(rng.exponential(1.0, n) / mu, T)
    x = rng.poisson(lam * end)
    u = rng.random(n)
    tx = np.where(x > 0, end * u ** (1.0 / np.maximum(x, 1)), 0.0)
    return x, tx


def main():
    model, datasets, customers, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    par = [float(v) for v in sys.argv[5:9]]
    out = sys.stdout
    for d in range(datasets):
        rng = np.random.default_rng([seed, d])
        # ages as in CDNOW's calibration period: first purchases over 12 weeks, 39 weeks observed
        T = np.round(rng.uniform(27.0, 39.0, customers), 2)
        x, tx = (bgnbd if model == 'bgnbd' else pareto)(rng, customers, *par, T)
        tx = np.minimum(np.round(tx, 2), T)
        for i in range(customers):
            out.write(f"{d},{i},{x[i]},{tx[i]:.2f},{T[i]:.2f}\n")


main()
