#!/usr/bin/env python3
"""Reference values of the prediction surface (test/sql/prediction_surface.sql), computed
independently of clv's C code with mpmath at 40 digits: the expectations over the
latent purchase rate / drop-out probability / lifetime are integrated numerically
(mpmath.quad) from the models' definitions, not taken from the closed forms or series
the extension uses.

    python3 test/reference/prediction_surface_mpmath.py > /tmp/ref.sql

prints the INSERT of the reference table that test/sql/prediction_surface.sql holds
(pasted there between the markers, so that the test needs no Python at run time).
"""
import mpmath as mp

mp.mp.dps = 40
Q = mp.quad


def lit(v):
    return repr(float(v))


# ---------------------------------------------------------------------------------------
# BG/NBD and MBG/NBD. Given alive at T with x purchases the posterior is
# lambda ~ Gamma(k = r + x, A = alpha + T), p ~ Beta(a, beta_alive) independently;
# P(alive at T) = alive / (alive + dead) with the two parts of the likelihood.
# ---------------------------------------------------------------------------------------
def bg_parts(par, x, tx, T, modified):
    r, al, a, b = map(mp.mpf, par)
    c = mp.gamma(r + x) / mp.gamma(r) * al ** r
    if modified:
        ba = b + x + 1
        alive = c * (al + T) ** -(r + x) * mp.beta(a, ba) / mp.beta(a, b)
        dead = c * (al + tx) ** -(r + x) * mp.beta(a + 1, b + x) / mp.beta(a, b)
    else:
        ba = b + x
        alive = c * (al + T) ** -(r + x) * mp.beta(a, ba) / mp.beta(a, b)
        dead = c * (al + tx) ** -(r + x) * mp.beta(a + 1, b + x - 1) / mp.beta(a, b) if x > 0 else mp.mpf(0)
    return r + x, al + T, a, ba, alive / (alive + dead), dead / (alive + dead)


def beta_expect(a, ba, f):
    """E[f(p)], p ~ Beta(a, ba), by quadrature of the density."""
    lb = mp.log(mp.beta(a, ba))
    return Q(lambda p: f(p) * mp.exp((a - 1) * mp.log(p) + (ba - 1) * mp.log1p(-p) - lb), [0, 0.5, 1])


def bg_alive_at(par, h, x, tx, T, modified=False):
    k, A, a, ba, pa, _ = bg_parts(par, x, tx, T, modified)
    # P(alive at T + h | lambda, p) = exp(-lambda p h); averaged over lambda: (1 + p h / A)^-k
    return pa * beta_expect(a, ba, lambda p: (1 + p * h / A) ** -k)


def bg_cond_prob_n(par, h, n, x, tx, T, modified=False):
    k, A, a, ba, pa, pd = bg_parts(par, x, tx, T, modified)
    s = mp.mpf(h) / (A + h)
    # M ~ NegBin(k, s): the purchases of an immortal customer in the window
    nb = mp.exp(mp.loggamma(k + n) - mp.loggamma(k) - mp.loggamma(n + 1)) * (1 - s) ** k * s ** n
    if n == 0:
        return pd + pa * nb
    tail = mp.betainc(n, k, 0, s, regularized=True)  # P(M >= n)
    # N = n: survive the first n - 1 drop-outs, then M = n, or M > n and drop out after n
    return pa * beta_expect(a, ba, lambda p: (1 - p) ** n * nb + p * (1 - p) ** (n - 1) * tail)


def bg_dert(par, delta, x, tx, T, modified=False):
    k, A, a, ba, pa, _ = bg_parts(par, x, tx, T, modified)
    # the purchase rate at T + t given alive at T, averaged over lambda, is
    # k / A (1 + p t / A)^-(k+1); over p ~ Beta(a, ba) that is k / A 2F1(k + 1, a; a + ba; -t / A);
    # discounted by exp(-delta t) and integrated over t
    return pa * Q(lambda t: mp.exp(-delta * t) * k / A * mp.hyp2f1(k + 1, a, a + ba, -t / A),
                  [0, 1 / delta, 10 / delta, mp.inf])


def bg_between(par, t1, t2, x, tx, T, modified=False):
    k, A, a, ba, pa, _ = bg_parts(par, x, tx, T, modified)
    return pa * beta_expect(a, ba, lambda p: ((1 + p * t1 / A) ** -k - (1 + p * t2 / A) ** -k) / p)


# ---------------------------------------------------------------------------------------
# Pareto/NBD: alive at T, lambda ~ Gamma(r + x, alpha + T), mu ~ Gamma(s, beta + T); the
# likelihood's drop-out part integrated over the death time.
# ---------------------------------------------------------------------------------------
def pnbd_alive(par, x, tx, T):
    r, al, s, be = map(mp.mpf, par)
    c = mp.gamma(r + x) / mp.gamma(r) * al ** r
    alive = c * (al + T) ** -(r + x) * (be / (be + T)) ** s
    # death at tau in (t_x, T]: density s be^s / (be + tau)^(s+1), purchases lambda^x e^-lambda tau
    dead = Q(lambda tau: c * (al + tau) ** -(r + x) * s * be ** s / (be + tau) ** (s + 1), [tx, T]) if T > tx else 0
    return alive / (alive + dead), dead / (alive + dead)


def pnbd_alive_at(par, h, x, tx, T):
    pa, _ = pnbd_alive(par, x, tx, T)
    B = mp.mpf(par[3]) + T
    return pa * (B / (B + h)) ** par[2]


def pnbd_cond_prob_n(par, h, n, x, tx, T):
    r, al, s, be = map(mp.mpf, par)
    pa, pd = pnbd_alive(par, x, tx, T)
    k, A, B = r + x, al + T, be + T

    def nb(tau):
        return mp.exp(mp.loggamma(k + n) - mp.loggamma(k) - mp.loggamma(n + 1)) * (A / (A + tau)) ** k * (tau / (A + tau)) ** n

    # alive through the window, or dead at tau inside it with n purchases before tau
    v = (B / (B + h)) ** s * nb(h) + Q(lambda tau: s * B ** s / (B + tau) ** (s + 1) * nb(tau), [0, h])
    return pa * v + (pd if n == 0 else 0)


def pnbd_between(par, t1, t2, x, tx, T):
    r, al, s, be = map(mp.mpf, par)
    pa, _ = pnbd_alive(par, x, tx, T)
    B = be + T
    return pa * (r + x) / (al + T) * Q(lambda u: (B / (B + u)) ** s, [t1, t2])


def pnbd_dert(par, delta, x, tx, T):
    r, al, s, be = map(mp.mpf, par)
    pa, _ = pnbd_alive(par, x, tx, T)
    B = be + T
    # the purchase rate at T + t is lambda P(alive at T + t); discounted by exp(-delta t)
    return pa * (r + x) / (al + T) * Q(lambda t: mp.exp(-delta * t) * (B / (B + t)) ** s, [0, 1, 10, 100, mp.inf])


# ---------------------------------------------------------------------------------------
# BG/BB by enumerating the drop-out opportunity and the purchases (integrals of
# p^i (1-p)^j and theta^k (1-theta)^l against the Beta densities are Beta functions).
# ---------------------------------------------------------------------------------------
def bb_setup(par, x, tx, n):
    al, be, ga, de = map(mp.mpf, par)
    Bab, Bgd = mp.beta(al, be), mp.beta(ga, de)
    alive_n = mp.beta(al + x, be + n - x) / Bab * mp.beta(ga, de + n) / Bgd
    L = alive_n + sum(mp.beta(al + x, be + tx - x + i) / Bab * mp.beta(ga + 1, de + tx + i) / Bgd
                      for i in range(int(n - tx)))
    return al, be, ga, de, Bab, Bgd, alive_n, L


def bb_alive_at(par, h, x, tx, n):
    al, be, ga, de, Bab, Bgd, alive_n, L = bb_setup(par, x, tx, n)
    return mp.beta(al + x, be + n - x) / Bab * mp.beta(ga, de + n + h) / Bgd / L


def bb_cond_prob_n(par, ns, k, x, tx, n):
    al, be, ga, de, Bab, Bgd, alive_n, L = bb_setup(par, x, tx, n)
    v = mp.mpf(0)
    # alive for J more opportunities, then dropped out (J < ns) or alive throughout (J = ns)
    for J in range(k, ns + 1):
        death = mp.beta(ga + 1, de + n + J) if J < ns else mp.beta(ga, de + n + ns)
        v += mp.binomial(J, k) * mp.beta(al + x + k, be + n - x + J - k) / Bab * death / Bgd
    v /= L
    if k == 0:
        v += 1 - alive_n / L
    return v


def bb_between(par, n1, n2, x, tx, n):
    al, be, ga, de, Bab, Bgd, alive_n, L = bb_setup(par, x, tx, n)
    # a purchase at opportunity n + j: alive then (1 - theta)^(n + j), buys with probability p
    return sum(mp.beta(al + x + 1, be + n - x) / Bab * mp.beta(ga, de + n + j) / Bgd
               for j in range(n1 + 1, n2 + 1)) / L


# ---------------------------------------------------------------------------------------
# CLV: sum over months of 30 days of the purchases expected in month i times the
# Gamma-Gamma expected spend, discounted by (1 + d)^i.
# ---------------------------------------------------------------------------------------
def gg_spend(gg, x, m):
    p, q, g = map(mp.mpf, gg)
    return p * (g + x * m) / (p * x + q - 1)


def clv(between, months, d, unit, spend, discrete=False):
    month = mp.mpf(30) / unit
    total = mp.mpf(0)
    if discrete:
        # cumulative expectation at fractional opportunities: linear between whole ones
        def cum(h):
            n0 = int(mp.floor(h))
            e0 = between(0, n0) if n0 > 0 else mp.mpf(0)
            f = h - n0
            return e0 if f == 0 else e0 + f * (between(0, n0 + 1) - e0)
        prev = mp.mpf(0)
        for i in range(1, months + 1):
            c = cum(i * month)
            total += (c - prev) * spend / (1 + mp.mpf(d)) ** i
            prev = c
        return total
    for i in range(1, months + 1):
        total += between((i - 1) * month, i * month) * spend / (1 + mp.mpf(d)) ** i
    return total


def num(v):
    return repr(float(v))


def main():
    rows = []

    def add(expr, v):
        rows.append("    ($$%s$$, %s)" % (expr, num(v)))

    bg_pars = [(0.243, 4.414, 0.793, 2.426), (1.5, 20.0, 0.3, 5.0), (0.08, 0.7, 4.0, 1.2)]
    customers = [(0, 0, 38.86), (2, 30.43, 38.86), (7, 35.0, 39.0), (30, 50.0, 52.0), (0, 0, 0)]
    for modified, pre, typ in ((False, 'bgnbd', 'bgnbd_model'), (True, 'mbgnbd', 'mbgnbd_model')):
        for par in bg_pars:
            m = "%s(%s)" % (typ, ", ".join(map(repr, par)))
            for (x, tx, T) in customers:
                c = "%r, %r, %r" % (x, tx, T)
                for h in (1.0, 10.0, 52.0):
                    add("%s_p_alive_at(%s, %r, %s)" % (pre, m, h, c), bg_alive_at(par, h, x, tx, T, modified))
                    add("%s_prob_no_purchase(%s, %r, %s)" % (pre, m, h, c), bg_cond_prob_n(par, h, 0, x, tx, T, modified))
                for n in (1, 3):
                    add("%s_prob_n_purchases(%s, 10.0, %d, %s)" % (pre, m, n, c), bg_cond_prob_n(par, 10.0, n, x, tx, T, modified))
                for (t1, t2) in ((0.0, 10.0), (10.0, 52.0), (26.0, 27.0)):
                    add("%s_expected_purchases_between(%s, %r, %r, %s)" % (pre, m, t1, t2, c), bg_between(par, t1, t2, x, tx, T, modified))
            if par != bg_pars[2]:
                for (x, tx, T) in customers[1:4]:
                    for d in (0.01, 0.2):
                        add("%s_dert(%s, %r, %r, %r, %r)" % (pre, m, d, x, tx, T), bg_dert(par, d, x, tx, T, modified))
            if modified:
                for n in (0, 2):
                    add("mbgnbd_prob_n_purchases(%s, 10.0, %d)" % (m, n), bg_cond_prob_n(par, 10.0, n, 0, 0, 0, True))

    p_pars = [(0.55, 10.58, 0.61, 11.67), (2.0, 15.0, 1.0, 30.0), (0.3, 3.0, 2.5, 4.0)]
    for par in p_pars:
        m = "pareto_nbd_model(%s)" % ", ".join(map(repr, par))
        for (x, tx, T) in customers:
            c = "%r, %r, %r" % (x, tx, T)
            for h in (1.0, 10.0, 52.0):
                add("pareto_nbd_p_alive_at(%s, %r, %s)" % (m, h, c), pnbd_alive_at(par, h, x, tx, T))
                add("pareto_nbd_prob_no_purchase(%s, %r, %s)" % (m, h, c), pnbd_cond_prob_n(par, h, 0, x, tx, T))
            for n in (1, 3):
                add("pareto_nbd_prob_n_purchases(%s, 10.0, %d, %s)" % (m, n, c), pnbd_cond_prob_n(par, 10.0, n, x, tx, T))
            for (t1, t2) in ((0.0, 10.0), (10.0, 52.0), (26.0, 27.0)):
                add("pareto_nbd_expected_purchases_between(%s, %r, %r, %s)" % (m, t1, t2, c), pnbd_between(par, t1, t2, x, tx, T))
            for d in (0.001, 0.01, 0.2):
                add("pareto_nbd_dert(%s, %r, %s)" % (m, d, c), pnbd_dert(par, d, x, tx, T))

    bb_pars = [(1.204, 0.750, 0.657, 2.783), (0.5, 2.0, 3.0, 1.5)]
    bb_customers = [(0, 0, 6), (3, 5, 6), (6, 6, 6), (1, 1, 6), (0, 0, 0)]
    for par in bb_pars:
        m = "bgbb_model(%s)" % ", ".join(map(repr, par))
        for (x, tx, n) in bb_customers:
            c = "%r, %r, %r" % (x, tx, n)
            for h in (1, 5):
                add("bgbb_p_alive_at(%s, %r, %s)" % (m, h, c), bb_alive_at(par, h, x, tx, n))
                add("bgbb_prob_no_purchase(%s, %r, %s)" % (m, h, c), bb_cond_prob_n(par, h, 0, x, tx, n))
            for k in (1, 3):
                add("bgbb_prob_n_purchases(%s, 5, %d, %s)" % (m, k, c), bb_cond_prob_n(par, 5, k, x, tx, n))
            for (n1, n2) in ((0, 5), (2, 10)):
                add("bgbb_expected_purchases_between(%s, %r, %r, %s)" % (m, n1, n2, c), bb_between(par, n1, n2, x, tx, n))

    # CLV, every purchase model x Gamma-Gamma (CDNOW-like parameters, weekly)
    gg = (6.25, 3.74, 15.44)
    ggm = "gamma_gamma_model(%s)" % ", ".join(map(repr, gg))
    for (x, tx, T, mv) in ((2, 30.43, 38.86, 22.35), (0, 0, 38.86, 0.0), (7, 35.0, 39.0, 41.0)):
        sp = gg_spend(gg, x, mv)
        for months, d in ((12, 0.01), (36, 0.0)):
            par = bg_pars[0]
            add("gamma_gamma_clv(bgnbd_model(%s), %s, %r, %r, %r, %r, %d, %r, 7)" % (", ".join(map(repr, par)), ggm, x, tx, T, mv, months, d),
                clv(lambda a, b: bg_between(par, a, b, x, tx, T), months, d, 7, sp))
            add("gamma_gamma_clv(mbgnbd_model(%s), %s, %r, %r, %r, %r, %d, %r, 7)" % (", ".join(map(repr, par)), ggm, x, tx, T, mv, months, d),
                clv(lambda a, b: bg_between(par, a, b, x, tx, T, True), months, d, 7, sp))
            ppar = p_pars[0]
            add("gamma_gamma_clv(pareto_nbd_model(%s), %s, %r, %r, %r, %r, %d, %r, 7)" % (", ".join(map(repr, ppar)), ggm, x, tx, T, mv, months, d),
                clv(lambda a, b: pnbd_between(ppar, a, b, x, tx, T), months, d, 7, sp))
    bpar = bb_pars[0]
    for (x, tx, n, mv) in ((3, 5, 6, 20.0), (0, 0, 6, 0.0)):
        sp = gg_spend(gg, x, mv)
        for months, d, unit in ((12, 0.01, 365.0), (24, 0.01, 91.0)):
            add("gamma_gamma_clv(bgbb_model(%s), %s, %r, %r, %r, %r, %d, %r, %r)" % (", ".join(map(repr, bpar)), ggm, x, tx, n, mv, months, d, unit),
                clv(lambda a, b: bb_between(bpar, a, b, x, tx, n), months, d, unit, sp, discrete=True))

    print("INSERT INTO surface_ref (call, expected) VALUES")
    print(",\n".join(rows) + ";")


if __name__ == "__main__":
    main()
