#!/usr/bin/env python3
"""Accuracy of the BG/NBD and MBG/NBD predictions over a grid of parameters up to 1e8,
against mpmath (50 digits): the expected purchases of an alive customer as
E[(1 - (1 + p w)^-k) / p] over the drop-out probability p ~ Beta(a, b + x), summed in 50
digits (positive terms) and checked against FHL's closed form with mpmath's hyp2f1 where
that converges (hyp2f1 gives up at large a + b); P(alive) from its closed form.

Needs a database with clv installed. Run (about 25 min of CPU at 30 digits, twice that at 50):
    /usr/bin/python3 test/reference/bgnbd_extreme.py [psql connection options...]
e.g. /usr/bin/python3 test/reference/bgnbd_extreme.py -h /tmp -p 55432 -U postgres -d db
Prints the worst relative error per function and the worst cases; exit 1 above 1e-8."""
import subprocess
import sys
from mpmath import mp, mpf, exp, log1p, hyp2f1

mp.dps = 50
TOL = 1e-8

RS = [0.01, 0.24, 1, 4.19, 50]
ALPHAS = [0.1, 5, 1000, 7000]
AB = [1e-3, 0.5, 4.4, 12, 5000, 1e5, 1e8]
CUSTOMERS = [(0, 0, 40), (3, 20, 40), (2, 30, 38), (50, 38, 39)]
HORIZONS = [1, 1, 10]           # times T: 1 day, T, 10 T (first is absolute)


def alive_expectation(k, a, be, w):
    """E[(1 - (1 + p w)^-k) / p], p ~ Beta(a, be), summed exactly in 50 digits:
    sum_(n>=1) P(N = n) H_n, N ~ NegBin(k, w / (1 + w)), H_n = sum_(j<n) (be)_j / (a+be)_j.
    Positive terms, so 50 digits leave ~45 after any number of terms; the identity with
    FHL's closed form is checked against hyp2f1 below."""
    k, a, be, w = map(mpf, (k, a, be, w))
    s = w / (1 + w)
    term, rho, H, tot = mpf(1), mpf(1), mpf(0), mpf(0)
    n = 0
    while True:
        n += 1
        term *= (k + n - 1) / n * s
        H += rho
        rho *= (be + n - 1) / (a + be + n - 1)
        tot += term * H
        q = (k + n) / (n + 1) * s if k >= 1 else s
        if q < 1 and term * H * (q / (1 - q) + q / (n * (1 - q) ** 2)) < tot * mpf('1e-40'):
            break
    return exp(-k * log1p(w)) * tot


def fhl_closed_form(k, a, be, w):
    """FHL's (a+be-1)/(a-1) [1 - (1-z)^k 2F1(k, be; a+be-1; z)]; None if hyp2f1 gives up."""
    k, a, be, w = map(mpf, (k, a, be, w))
    z = w / (1 + w)
    c = a + be - 1
    try:
        h = hyp2f1(k, be, c, z, maxterms=20000)
    except Exception:
        return None
    return c / (a - 1) * (1 - (1 - z) ** k * h)


def p_alive(r, alpha, a, b1, x, tx, T):
    r, alpha, a, b1, x, tx, T = map(mpf, (r, alpha, a, b1, x, tx, T))
    return 1 / (1 + a / b1 * ((alpha + T) / (alpha + tx)) ** (r + x))


def main():
    rows = []
    abpairs = [(a, b) for a in AB for b in AB] + [(8.5e7, 7.1e8)]
    for r in RS:
        for alpha in ALPHAS:
            for a, b in abpairs:
                for x, tx, T in CUSTOMERS:
                    for i, hm in enumerate(HORIZONS):
                        t = 1 if i == 0 else hm * T
                        rows.append((r, alpha, a, b, t, x, tx, T))
    # the two models of issue 13 and a new customer (T = 0) far out
    rows += [(4.19, 12.02, 7000, 58450, 52, 3, 20, 40), (0.24, 4.4, 5000, 5000, 39, 2, 30, 38),
             (0.24, 0.1, 0.5, 5000, 40, 0, 0, 0), (50, 0.1, 1e8, 1e8, 40, 0, 0, 0)]

    sql = ["SET extra_float_digits = 3;",
           """CREATE FUNCTION pg_temp.try(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE v float8; BEGIN EXECUTE q INTO v; RETURN v::text;
EXCEPTION WHEN others THEN RETURN 'ERROR ' || SQLERRM; END $$;""",
           "CREATE TEMP TABLE g(id int, r float8, alpha float8, a float8, b float8, "
           "t float8, x float8, tx float8, tt float8);",
           "COPY g FROM STDIN;"]
    sql += ["\t".join(str(v) for v in (i,) + row) for i, row in enumerate(rows)]
    sql += ["\\.",
            """SELECT id,
 pg_temp.try(format('SELECT bgnbd_expected_purchases(bgnbd_model(%s,%s,%s,%s),%s,%s,%s,%s)', r, alpha, a, b, t, x, tx, tt)),
 pg_temp.try(format('SELECT mbgnbd_expected_purchases(mbgnbd_model(%s,%s,%s,%s),%s,%s,%s,%s)', r, alpha, a, b, t, x, tx, tt)),
 pg_temp.try(format('SELECT bgnbd_p_alive(bgnbd_model(%s,%s,%s,%s),%s,%s,%s)', r, alpha, a, b, x, tx, tt)),
 pg_temp.try(format('SELECT mbgnbd_p_alive(mbgnbd_model(%s,%s,%s,%s),%s,%s,%s)', r, alpha, a, b, x, tx, tt))
FROM g ORDER BY id;"""]
    out = subprocess.run(["psql", "-X", "-At", "-F", "|", "-v", "ON_ERROR_STOP=1"] + sys.argv[1:],
                         input="\n".join(sql) + "\n", capture_output=True, text=True, check=True).stdout
    got = [line.split("|") for line in out.splitlines() if line.count("|") == 4]
    assert len(got) == len(rows), (len(got), len(rows))

    worst = {}
    fails = []
    underflow = 0
    closed_checked = 0
    closed_worst = 0
    for (idx, *vals), (r, alpha, a, b, t, x, tx, T) in zip(got, rows):
        w = mpf(t) / (mpf(alpha) + T)
        bg_alive = p_alive(r, alpha, a, b + x - 1, x, tx, T) if x > 0 else mpf(1)
        mbg_alive = p_alive(r, alpha, a, b + x, x, tx, T)
        e_bg = alive_expectation(r + x, a, b + x, w)
        if a != 1 and a + b < 1e4 and int(idx) % 5 == 0:
            cf = fhl_closed_form(r + x, a, b + x, w)
            if cf is not None:
                closed_checked += 1
                closed_worst = max(closed_worst, abs(cf - e_bg) / e_bg)
        refs = [e_bg * bg_alive, alive_expectation(r + x, a, b + x + 1, w) * mbg_alive,
                bg_alive, mbg_alive]
        for name, v, ref in zip(("bgnbd_expected", "mbgnbd_expected", "bgnbd_p_alive",
                                 "mbgnbd_p_alive"), vals, refs):
            if ref < mpf('1e-300'):
                underflow += 1
                if v.startswith("ERROR") or float(v) > 1e-290:
                    fails.append((name, (r, alpha, a, b, t, x, tx, T), v, ref))
                continue
            if v.startswith("ERROR"):
                err = float("inf")
            else:
                err = float(abs(mpf(v) - ref) / ref)
            if err > worst.get(name, (0,))[0]:
                worst[name] = (err, (r, alpha, a, b, t, x, tx, T), v, mp.nstr(ref, 17))
            if err > TOL:
                fails.append((name, (r, alpha, a, b, t, x, tx, T), v, mp.nstr(ref, 17)))
    print(f"{len(rows)} (model, customer, horizon) cases; quadrature vs hyp2f1 closed form on "
          f"{closed_checked} of them: worst {float(closed_worst):.1e}")
    print(f"true values below 1e-300 (clv must return < 1e-290): {underflow}")
    for name, (err, case, v, ref) in sorted(worst.items()):
        print(f"{name:16s} worst relative error {err:.2e} at (r, alpha, a, b, t, x, tx, T) = {case}: "
              f"clv {v}, mpmath {ref}")
    for f in fails[:30]:
        print("FAIL", f)
    print(f"{len(fails)} failures above {TOL}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
