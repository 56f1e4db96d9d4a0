#!/usr/bin/env python3
"""Reference values for test/sql/fit_hessian.sql: standard errors of the BG/NBD, MBG/NBD,
Pareto/NBD and Gamma-Gamma fits to the published CDNOW summary (data/
cdnow_customers_summary_with_transactions.csv), independent of clv's C code.

The log-likelihoods are written out from the papers (Fader, Hardie & Lee 2005 eq. 6 for
BG/NBD; Batislam et al. 2007 as in lifetimes for MBG/NBD; Fader & Hardie 2005, "A note on
deriving the Pareto/NBD model", eq. 22-24 for Pareto/NBD, with mp.hyp2f1; Fader & Hardie
2013 for Gamma-Gamma) and evaluated with mpmath at 30 digits; the Hessian in the natural
parameters is taken by central second differences with step 1e-8, at the estimates clv
prints (the MLE to ~1e-12); SE = sqrt(diag(inverse of minus the Hessian)). clv computes
the Hessian analytically (digamma, trigamma) in double precision; for Pareto/NBD the second
derivatives of log 2F1 in its arguments come from differences of its analytic gradient.

Run: python3 test/reference/fit_hessian.py   (mpmath, the Debian python3; ~5 minutes)
"""
import csv
import os
from collections import Counter

import mpmath as mp

mp.mp.dps = 30
here = os.path.dirname(os.path.abspath(__file__))
rows = list(csv.DictReader(open(os.path.join(here, "..", "..", "data",
                                              "cdnow_customers_summary_with_transactions.csv"))))
btyd = Counter((int(r["x"]), mp.mpf(r["t_x"]), mp.mpf(r["T"])) for r in rows)
spend = Counter((int(r["x"]), mp.mpf(r["zbar"])) for r in rows if int(r["x"]) > 0)


def bgnbd(p):
    r, al, a, b = p
    s = mp.mpf(0)
    for (x, tx, T), w in btyd.items():
        A = (mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(al) + mp.loggamma(a + b)
             + mp.loggamma(b + x) - mp.loggamma(b) - mp.loggamma(a + b + x))
        L = mp.exp(-(r + x) * mp.log(al + T))
        if x > 0:
            L += a / (b + x - 1) * mp.exp(-(r + x) * mp.log(al + tx))
        s += w * (A + mp.log(L))
    return s


def mbgnbd(p):
    r, al, a, b = p
    s = mp.mpf(0)
    for (x, tx, T), w in btyd.items():
        A = (mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(al) + mp.loggamma(a + b)
             + mp.loggamma(b + x + 1) - mp.loggamma(b) - mp.loggamma(a + b + x + 1))
        L = mp.exp(-(r + x) * mp.log(al + T)) + a / (b + x) * mp.exp(-(r + x) * mp.log(al + tx))
        s += w * (A + mp.log(L))
    return s


def pareto_nbd(p):
    r, al, s_, be = p
    s = mp.mpf(0)
    memo = {}

    def term(x, t):
        # 2F1(r+s+x, b; r+s+x+1; |al-be| / (max + t)) / (max + t)^(r+s+x)
        if (x, t) not in memo:
            a = r + s_ + x
            if al >= be:
                memo[x, t] = mp.hyp2f1(a, s_ + 1, a + 1, (al - be) / (al + t)) / (al + t) ** a
            else:
                memo[x, t] = mp.hyp2f1(a, r + x, a + 1, (be - al) / (be + t)) / (be + t) ** a
        return memo[x, t]

    for (x, tx, T), w in btyd.items():
        A1 = mp.loggamma(r + x) - mp.loggamma(r) + r * mp.log(al) + s_ * mp.log(be)
        L = 1 / ((al + T) ** (r + x) * (be + T) ** s_) + s_ / (r + s_ + x) * (term(x, tx) - term(x, T))
        s += w * (A1 + mp.log(L))
    return s


def gamma_gamma(p):
    pp, q, g = p
    s = mp.mpf(0)
    for (x, m), w in spend.items():
        s += w * (mp.loggamma(pp * x + q) - mp.loggamma(pp * x) - mp.loggamma(q) + q * mp.log(g)
                  + (pp * x - 1) * mp.log(m) + pp * x * mp.log(x) - (pp * x + q) * mp.log(g + m * x))
    return s


def standard_errors(f, est):
    p = [mp.mpf(v) for v in est]
    n, h = len(p), mp.mpf("1e-8")
    H = mp.matrix(n, n)
    for i in range(n):
        for j in range(i, n):
            def at(di, dj):
                q = list(p)
                q[i] += di
                q[j] += dj
                return f(q)
            H[i, j] = H[j, i] = (at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4 * h * h)
    C = (-H) ** -1
    return [mp.nstr(mp.sqrt(C[i, i]), 10) for i in range(n)]


# clv's estimates (test/expected/fit_hessian.out prints them to 10 digits)
print("bgnbd_fit      ", standard_errors(bgnbd, (0.24259290720446483, 4.413531561205398,
                                                 0.7928861480987835, 2.425753436493675)))
print("mbgnbd_fit     ", standard_errors(mbgnbd, (0.5248379836656192, 6.18299201967224,
                                                  0.8913561553314808, 1.6139993347302999)))
print("pareto_nbd_fit ", standard_errors(pareto_nbd, (0.5532755086895214, 10.577612238681693,
                                                      0.6062135686740419, 11.66791123791882)))
print("gamma_gamma_fit", standard_errors(gamma_gamma, (6.248802489708797, 3.7445884532875104,
                                                       15.447748009464702)))
