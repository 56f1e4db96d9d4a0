/*
 * metrics.h - streaming accuracy measures of predictions against actuals (plain C).
 */
#ifndef CLV_METRICS_H
#define CLV_METRICS_H

/* State: n, mean_p, mean_a, Cpp, Caa, Cpa, sum |p - a|, sum (p - a)^2 */
#define CLV_MOMENTS_LEN 8

extern void clv_moments_add(double *st, double p, double a);
extern void clv_moments_combine(double *st, const double *other);

#endif
