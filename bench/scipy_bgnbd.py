#!/usr/bin/python3
"""The reference BG/NBD fit for bench/run.sh: what lifetimes' BetaGeoFitter does, in numpy
and scipy.optimize.minimize, timed on the same customer summaries clv fits.

usage: scipy_bgnbd.py SUMMARY.csv [REPS]    (CSV lines: frequency,recency,t)
Prints one line: "scipy_bgnbd <best seconds of REPS> r alpha a b iterations".

As lifetimes 0.11: one row per customer (weights 1), time rescaled so that max(t) = 10,
start at log-parameters 0.1, BFGS (scipy's default without bounds) on the mean negative
log-likelihood with its analytic gradient (lifetimes takes it from autograd), tol 1e-7;
alpha scaled back at the end. Reading the file is not timed.
"""
import sys
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, gammaln


def nll(log_params, x, tx, T, w):
    r, alpha, a, b = np.exp(log_params)
    pos = x > 0
    A1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
    A2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
    lT = np.log(alpha + T)
    ltx = np.log(alpha + tx)
    A3 = -(r + x) * lT
    A4 = np.where(pos, np.log(a) - np.log(b + np.maximum(x, 1) - 1) - (r + x) * ltx, -np.inf)
    m = np.maximum(A3, A4)
    e3 = np.exp(A3 - m)
    e4 = np.exp(A4 - m)
    s = e3 + e4
    ll = A1 + A2 + np.log(s) + m
    w3 = e3 / s
    w4 = e4 / s
    # d ll / d (r, alpha, a, b), then the chain rule to log-parameters
    dr = digamma(r + x) - digamma(r) + np.log(alpha) - w3 * lT - w4 * ltx
    dal = r / alpha - w3 * (r + x) / (alpha + T) - w4 * (r + x) / (alpha + tx)
    da = digamma(a + b) - digamma(a + b + x) + w4 / a
    db = digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x) \
        - w4 / (b + np.maximum(x, 1) - 1)
    ws = w.sum()
    g = -np.array([(w * dr).sum() * r, (w * dal).sum() * alpha,
                   (w * da).sum() * a, (w * db).sum() * b]) / ws
    return -(w * ll).sum() / ws, g


def fit(x, tx, T):
    scale = 10.0 / T.max()
    w = np.ones_like(x)
    res = minimize(nll, 0.1 * np.ones(4), args=(x, tx * scale, T * scale, w),
                   jac=True, method=None, tol=1e-7)
    r, alpha, a, b = np.exp(res.x)
    return (r, alpha / scale, a, b), res.nit


def main():
    data = np.loadtxt(sys.argv[1], delimiter=",", ndmin=2)
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    x, tx, T = data[:, 0].copy(), data[:, 1].copy(), data[:, 2].copy()
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        par, nit = fit(x, tx, T)
        best = min(best, time.perf_counter() - t0)
    print("scipy_bgnbd %.3f %.4f %.4f %.4f %.4f %d" % ((best,) + par + (nit,)))


if __name__ == "__main__":
    main()
