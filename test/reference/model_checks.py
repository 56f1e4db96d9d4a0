#!/usr/bin/env python3
"""Reference values for test/sql/model_checks.sql (issue 14: checks over calendar time).

Independent of clv's C code:
  - E[X(t)] of a new customer by the closed forms, evaluated with mpmath at 30 digits
    (BG/NBD: Fader, Hardie & Lee 2005 eq. 9; MBG/NBD: Batislam et al. 2007; Pareto/NBD:
    Schmittlein et al. 1987) -- clv evaluates them by other series;
  - P(X(t) = x) by numerical integration (mpmath.quad) over the purchase rate lambda
    (BG/BB: over the transaction probability p)
    (BG/NBD, MBG/NBD: the drop-out moments E[(1-p)^k] are Beta functions) or over the
    drop-out time (Pareto/NBD), not by the negative binomial / incomplete beta /
    hypergeometric closed forms clv uses;
  - the weekly tracking on CDNOW (data/CDNOW_sample.txt) at the published BG/NBD
    parameters, by the sum over customers of E[X(e - d)] (clv's day convention: the
    cumulative expectation through day e of a customer acquired on day d is E[X(e - d)],
    so (0, T] are the calibration days after the first purchase, as in clv_summary), and
    with lifetimes' convention (expected_cumulative_transactions evaluates E[X(e + 1 - d)]
    at the end of day e) for comparison.

Run: python3 test/reference/model_checks.py  (mpmath and the Debian python3; ~1 minute)
"""
import datetime
import os
import mpmath as mp

mp.mp.dps = 30
BG = (0.243, 4.414, 0.793, 2.426)          # FHL 2005, CDNOW, weeks
MBG = (0.525, 6.183, 0.891, 1.614)
PNBD = (0.553, 10.578, 0.606, 11.669)
BGBB = (1.204, 0.750, 0.657, 2.783)        # Fader, Hardie & Shang 2010, donations


def ex_bgnbd(p, t):
    r, al, a, b = map(mp.mpf, p)
    z = t / (al + t)
    return (a + b - 1) / (a - 1) * (1 - (al / (al + t)) ** r * mp.hyp2f1(r, b, a + b - 1, z))


def ex_mbgnbd(p, t):
    r, al, a, b = map(mp.mpf, p)
    z = t / (al + t)
    return b / (a - 1) * (1 - (al / (al + t)) ** r * mp.hyp2f1(r, b + 1, a + b, z))


def ex_pareto(p, t):
    r, al, s, be = map(mp.mpf, p)
    return r * be / (al * (s - 1)) * (1 - (be / (be + t)) ** (s - 1))


def gamma_pdf(lam, r, al):
    return al ** r * lam ** (r - 1) * mp.exp(-al * lam) / mp.gamma(r)


def pois(x, m):
    return mp.exp(-m) * m ** x / mp.factorial(x)


def pois_tail(x, m):                      # P(N >= x)
    return 1 - sum(pois(j, m) for j in range(x))


def integrate_lambda(f, r, al):
    # the Gamma(r, alpha) density has an integrable singularity at 0 for r < 1
    return mp.quad(lambda lam: gamma_pdf(lam, r, al) * f(lam), [0, r / al, 1, 10, mp.inf])


def pn_bgnbd(p, t, x):
    r, al, a, b = map(mp.mpf, p)
    beta = lambda u, v: mp.beta(u, v) / mp.beta(a, b)
    def f(lam):
        v = beta(a, b + x) * pois(x, lam * t)
        if x > 0:
            v += beta(a + 1, b + x - 1) * pois_tail(x, lam * t)
        return v
    return integrate_lambda(f, r, al)


def pn_mbgnbd(p, t, x):
    r, al, a, b = map(mp.mpf, p)
    beta = lambda u, v: mp.beta(u, v) / mp.beta(a, b)
    return integrate_lambda(lambda lam: beta(a, b + x + 1) * pois(x, lam * t) +
                            beta(a + 1, b + x) * pois_tail(x, lam * t), r, al)


def pn_pareto(p, t, x):
    r, al, s, be = map(mp.mpf, p)
    nb = lambda tau: (mp.gamma(r + x) / (mp.gamma(r) * mp.factorial(x)) *
                      (al / (al + tau)) ** r * (tau / (al + tau)) ** x)
    alive = nb(t) * (be / (be + t)) ** s
    died = mp.quad(lambda tau: nb(tau) * s / be * (be / (be + tau)) ** (s + 1), [0, t / 4, t])
    return alive + died


def pn_bgbb(p, n, x):
    # over p ~ Beta(alpha, beta) numerically; the drop-out moments are Beta functions
    al, be, ga, de = map(mp.mpf, p)
    if x > n:
        return mp.mpf(0)
    bgd = mp.beta(ga, de)
    def f(q):
        v = mp.binomial(n, x) * q ** x * (1 - q) ** (n - x) * mp.beta(ga, de + n) / bgd
        for i in range(x, n):
            v += mp.binomial(i, x) * q ** x * (1 - q) ** (i - x) * mp.beta(ga + 1, de + i) / bgd
        return v * q ** (al - 1) * (1 - q) ** (be - 1) / mp.beta(al, be)
    return mp.quad(f, [0, 0.5, 1])


def grid():
    print("-- E[X(t)]: model, t, value")
    for name, p, f in (("bgnbd", BG, ex_bgnbd), ("mbgnbd", MBG, ex_mbgnbd), ("pareto_nbd", PNBD, ex_pareto)):
        for t in (0.5, 1, 10, 39, 78, 520):
            print(f"('{name}', {t}, {mp.nstr(f(p, mp.mpf(t)), 17)}),")
    print("-- P(X(t) = x): model, t, x, value")
    for name, p, f in (("bgnbd", BG, pn_bgnbd), ("mbgnbd", MBG, pn_mbgnbd), ("pareto_nbd", PNBD, pn_pareto)):
        for t in (1, 10, 39, 78):
            for x in (0, 1, 2, 5, 7):
                print(f"('{name}', {t}, {x}, {mp.nstr(f(p, mp.mpf(t), x), 17)}),")
    for n in (1, 6, 11):
        for x in (0, 1, 3, 6):
            if x <= n:
                print(f"('bgbb', {n}, {x}, {mp.nstr(pn_bgbb(BGBB, n, x), 17)}),")


def tracking():
    here = os.path.dirname(os.path.abspath(__file__))
    first = {}
    for line in open(os.path.join(here, "..", "..", "data", "CDNOW_sample.txt")):
        f = line.split()
        d = datetime.date(int(f[2][:4]), int(f[2][4:6]), int(f[2][6:]))
        c = int(f[1])
        first[c] = min(first.get(c, d), d)
    start = datetime.date(1997, 1, 1)
    cohort = {}
    for d in first.values():
        k = (d - start).days
        cohort[k] = cohort.get(k, 0) + 1
    ex = {}
    def cum(e, shift):                  # through day e - 1 (days since start)
        s = mp.mpf(0)
        for d, n in cohort.items():
            k = e - 1 - d + shift
            if k > 0:
                if k not in ex:
                    ex[k] = ex_bgnbd(BG, mp.mpf(k) / 7)
                s += n * ex[k]
        return s
    print("-- BG/NBD weekly cumulative tracking on CDNOW: week, clv convention, lifetimes' convention")
    for w in (1, 2, 13, 39, 52, 78):
        print(f"({w}, {mp.nstr(cum(7 * w, 0), 17)}, {mp.nstr(cum(7 * w, 1), 17)}),")


if __name__ == "__main__":
    grid()
    tracking()
