#!/usr/bin/python3
"""Independent check of the Pareto/NBD log-likelihood with covariates (test/apparel_check.sh).

Reads rows "x,t_x,T,alpha_i,beta_i" (one per customer) on stdin and r, s on the command
line; prints the total log-likelihood computed from the model's definition, not from the
Gaussian hypergeometric function clv uses: with lambda ~ Gamma(r, alpha_i) and
mu ~ Gamma(s, beta_i) (rates),
    L = g(T) (beta/(beta+T))^s + int_{t_x}^{T} g(tau) s beta^s (beta+tau)^-(s+1) dtau,
    g(c) = Gamma(r+x)/Gamma(r) alpha^r / (alpha+c)^(r+x)
(alive at T with x purchases, or dropped out at tau in (t_x, T]), integrated numerically.
"""
import sys
from math import exp, lgamma, log

from scipy.integrate import quad

r, s = float(sys.argv[1]), float(sys.argv[2])
total = 0.0
for line in sys.stdin:
    if not line.strip():
        continue
    x, tx, T, a, b = (float(v) for v in line.split(","))
    lg = lgamma(r + x) - lgamma(r) + r * log(a)
    # scaled by exp(-k) to keep the integrand in range
    k = lg - (r + x) * log(a + T)

    def g(c):
        return exp(lg - (r + x) * log(a + c) - k)

    alive = g(T) * (b / (b + T)) ** s
    dead, _ = quad(lambda tau: g(tau) * s * b ** s * (b + tau) ** -(s + 1), tx, T,
                   epsabs=0, epsrel=1e-12, limit=200)
    total += log(alive + dead) + k
print(f"{total:.6f}")
