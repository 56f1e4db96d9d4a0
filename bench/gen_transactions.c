/*
 * gen_transactions - synthetic transaction log from a BG/NBD purchase process with
 * Gamma-Gamma spends, for the benchmarks (not part of the extension).
 *
 * usage: gen_transactions N_CUSTOMERS [SEED]
 * Writes CSV "customer_id,txn_time,amount" to stdout. Customers' first purchases are
 * spread uniformly over two years (2023-01-01 .. 2024-12-31); each then buys as a Poisson
 * process with rate lambda ~ Gamma(r, alpha) per week and drops out after a purchase with
 * probability p ~ Beta(a, b); spend per purchase ~ Gamma(p_s, nu), nu ~ Gamma(q, gamma).
 * The true parameters are printed to stderr so a benchmark can score parameter recovery.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

/* BG/NBD in weeks, Gamma-Gamma in dollars */
#define R		1.0
#define ALPHA	2.0
#define A		1.2
#define B		10.0
#define P_S		6.0
#define Q		4.0
#define GAMMA	15.0
#define WEEKS	(730.0 / 7.0)
#define START	1672531200	/* 2023-01-01 00:00:00 UTC */

static void
emit(long customer, double week, double amount)
{
	time_t		secs = START + (time_t) (week * 7.0 * 86400.0);
	struct tm	tm;
	char		buf[32];

	gmtime_r(&secs, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S+00", &tm);
	printf("%ld,%s,%.2f\n", customer, buf, amount);
}

int
main(int argc, char **argv)
{
	long		n = argc > 1 ? atol(argv[1]) : 1000;
	unsigned long seed = argc > 2 ? strtoul(argv[2], NULL, 10) : 42;
	gsl_rng    *rng = gsl_rng_alloc(gsl_rng_mt19937);
	long		txns = 0;

	gsl_rng_set(rng, seed);
	fprintf(stderr, "truth: r %g alpha %g a %g b %g (weeks); p %g q %g gamma %g\n",
			R, ALPHA, A, B, P_S, Q, GAMMA);
	for (long c = 1; c <= n; c++)
	{
		/* gsl's gamma takes a scale: rate alpha -> scale 1/alpha */
		double		lambda = gsl_ran_gamma(rng, R, 1.0 / ALPHA);
		double		p = gsl_ran_beta(rng, A, B);
		double		nu = gsl_ran_gamma(rng, Q, 1.0 / GAMMA);
		double		t = gsl_rng_uniform(rng) * WEEKS;

		/* The first purchase, then repeat purchases each followed by a possible
		 * drop-out (BG/NBD: nobody drops out before the first repeat purchase). */
		emit(c, t, gsl_ran_gamma(rng, P_S, 1.0 / nu));
		txns++;
		for (;;)
		{
			t += gsl_ran_exponential(rng, 1.0 / lambda);
			if (t >= WEEKS)
				break;
			emit(c, t, gsl_ran_gamma(rng, P_S, 1.0 / nu));
			txns++;
			if (gsl_rng_uniform(rng) < p)
				break;
		}
	}
	fprintf(stderr, "%ld customers, %ld transactions\n", n, txns);
	gsl_rng_free(rng);
	return 0;
}
