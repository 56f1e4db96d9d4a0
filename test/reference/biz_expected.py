#!/usr/bin/env python3
"""Independent computation (mpmath, 30 digits) of the worked examples written into
test/sql/abtest.sql and test/sql/linreg.sql. Run: python3 test/reference/biz_expected.py"""
from mpmath import mp, mpf, sqrt, erfc, ncdf, matrix, lu_solve, inverse, betainc, findroot

mp.dps = 30


def norm_q(p):  # upper-tail normal quantile
    return findroot(lambda z: 1 - ncdf(z) - p, 2)


def t_sf2(t, df):  # two-sided p of Student t: I_{df/(df+t^2)}(df/2, 1/2)
    return betainc(df / 2, mpf(1) / 2, 0, df / (df + t * t), regularized=True)


print("== prop.test(c(250, 200), c(1000, 1000), correct = FALSE), treatment B - control A")
nA, xA, nB, xB = mpf(1000), mpf(200), mpf(1000), mpf(250)
pA, pB = xA / nA, xB / nB
# Pearson chi-square of the 2x2 table, as R's prop.test computes it
tab = [[xA, nA - xA], [xB, nB - xB]]
rows = [sum(r) for r in tab]
cols = [tab[0][j] + tab[1][j] for j in range(2)]
N = sum(rows)
chi2 = sum((tab[i][j] - rows[i] * cols[j] / N) ** 2 / (rows[i] * cols[j] / N)
           for i in range(2) for j in range(2))
z = sqrt(chi2)
print("X-squared", chi2, "z", z, "p", erfc(z / sqrt(2)))
se = sqrt(pA * (1 - pA) / nA + pB * (1 - pB) / nB)
q = norm_q(mpf("0.025"))
print("diff", pB - pA, "CI", pB - pA - q * se, pB - pA + q * se)

print("== the same with 12/80 vs 30/90 (small samples)")
nA, xA, nB, xB = mpf(80), mpf(12), mpf(90), mpf(30)
pA, pB = xA / nA, xB / nB
p = (xA + xB) / (nA + nB)
z = (pB - pA) / sqrt(p * (1 - p) * (1 / nA + 1 / nB))
se = sqrt(pA * (1 - pA) / nA + pB * (1 - pB) / nB)
print("z", z, "p", erfc(abs(z) / sqrt(2)), "CI", pB - pA - q * se, pB - pA + q * se)

print("== t.test(extra ~ group, data = sleep) (Welch), group 2 - group 1")
g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]
g1 = [mpf(str(v)) for v in g1]
g2 = [mpf(str(v)) for v in g2]
def mv(g):
    m = sum(g) / len(g)
    return m, sum((v - m) ** 2 for v in g) / (len(g) - 1)
m1, v1 = mv(g1)
m2, v2 = mv(g2)
se = sqrt(v1 / 10 + v2 / 10)
t = (m2 - m1) / se
df = (v1 / 10 + v2 / 10) ** 2 / ((v1 / 10) ** 2 / 9 + (v2 / 10) ** 2 / 9)
tq = findroot(lambda x: t_sf2(x, df) - mpf("0.05"), 2)
print("t", t, "df", df, "p", t_sf2(t, df), "CI", m2 - m1 - tq * se, m2 - m1 + tq * se)

print("== power.prop.test(p1 = .50, p2 = .75, power = .90): n = 76.7")
for p1, mde, alpha, power in [(mpf("0.5"), mpf("0.25"), mpf("0.05"), mpf("0.9")),
                              (mpf("0.1"), mpf("0.02"), mpf("0.05"), mpf("0.8")),
                              (mpf("0.05"), mpf("-0.01"), mpf("0.01"), mpf("0.95"))]:
    p2 = p1 + mde
    pb = (p1 + p2) / 2
    za, zb = norm_q(alpha / 2), norm_q(1 - power)
    n = (za * sqrt(2 * pb * (1 - pb)) + zb * sqrt(p1 * (1 - p1) + p2 * (1 - p2))) ** 2 / mde ** 2
    print(p1, mde, alpha, power, "n", n)


def ols(X, y):
    n, k = len(X), len(X[0])
    A = matrix([[1] + list(r) for r in X])
    Y = matrix(y)
    XtX = A.T * A
    b = lu_solve(XtX, A.T * Y)
    res = Y - A * b
    sse = sum(r ** 2 for r in res)
    ybar = sum(y) / n
    sst = sum((v - ybar) ** 2 for v in y)
    df = n - k - 1
    s2 = sse / df
    inv = inverse(XtX)
    out = []
    for j in range(k + 1):
        se = sqrt(s2 * inv[j, j])
        out.append((b[j], se, b[j] / se, t_sf2(b[j] / se, df)))
    r2 = 1 - sse / sst
    return out, r2, 1 - (1 - r2) * (n - 1) / df, sqrt(s2)


print("== lm(dist ~ speed, data = cars)")
speed = [4, 4, 7, 7, 8, 9, 10, 10, 10, 11, 11, 12, 12, 12, 12, 13, 13, 13, 13, 14, 14, 14, 14,
         15, 15, 15, 16, 16, 17, 17, 17, 18, 18, 18, 18, 19, 19, 19, 20, 20, 20, 20, 20, 22, 23,
         24, 24, 24, 24, 25]
dist = [2, 10, 4, 22, 16, 10, 18, 26, 34, 17, 28, 14, 20, 24, 28, 26, 34, 34, 46, 26, 36, 60,
        80, 20, 26, 54, 32, 40, 32, 40, 50, 42, 56, 76, 84, 36, 46, 68, 32, 48, 52, 56, 64, 66,
        54, 70, 92, 93, 120, 85]
coefs, r2, adj, s = ols([[mpf(v)] for v in speed], [mpf(v) for v in dist])
for c in coefs:
    print("coef %s se %s t %s p %s" % tuple(mp.nstr(v, 12) for v in c))
print("r2", r2, "adj", adj, "sigma", s)

print("== three regressors, i = 1..40 (see linreg.sql), with a 1e6 offset on x1")
X, y = [], []
for i in range(1, 41):
    x1, x2, x3 = mpf(10 ** 6 + i), mpf((i * 7) % 11), mpf((i * i) % 13)
    y.append(3 + 2 * (x1 - 10 ** 6) - x2 + mpf("0.5") * x3 + mpf((i * 13) % 17 - 8) / 4)
    X.append([x1, x2, x3])
coefs, r2, adj, s = ols(X, y)
for c in coefs:
    print("coef %s se %s t %s p %s" % tuple(mp.nstr(v, 12) for v in c))
print("r2", r2, "adj", adj, "sigma", s)
