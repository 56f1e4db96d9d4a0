/*
 * specfun.h - special functions the models need, in log space (plain C).
 */
#ifndef CLV_SPECFUN_H
#define CLV_SPECFUN_H

/*
 * log 2F1(a, b; c; z) for a, b, c > 0 and 0 <= z < 1 (every series term positive).
 * Uses Euler's transformation when c - a - b < 0 so the terms decay from the start.
 * NaN if the series does not settle.
 */
extern double clv_log_hyp2f1(double a, double b, double c, double z);

/*
 * log 2F1(a, b; a + 1; z) for a, b > 0 and 0 <= z < 1 by a continued fraction that stays
 * short near z = 1 (the Pareto/NBD likelihood's case). NaN if it does not settle.
 */
extern double clv_log_hyp2f1_a1(double a, double b, double z);

/*
 * The same with its partial derivatives g[0..2] = d/da, d/db, d/dz (if g is not NULL),
 * carried through the series or the continued fraction term by term. The value does not
 * depend on whether g is asked for.
 */
extern double clv_log_hyp2f1_a1_grad(double a, double b, double z, double *g);

/* log(exp(x) - exp(y)) for x >= y; -Inf when equal. */
extern double clv_log_diff_exp(double x, double y);

/* log(exp(x) + exp(y)) */
extern double clv_log_add_exp(double x, double y);

/*
 * z e^z E_s(z) = z^s e^z Gamma(1 - s, z) = z^s U(s, s, z) for s > 0, z > 0: in (0, 1],
 * -> 1 as z -> oo. clv_one_minus_zexpint: 1 minus it, without cancellation for large z.
 * NaN if they cannot be evaluated.
 */
extern double clv_zexpint(double s, double z);
extern double clv_one_minus_zexpint(double s, double z);

/* log B(a, b) */
extern double clv_lbeta(double a, double b);

#endif
