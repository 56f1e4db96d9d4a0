/*
 * btyd_sql.c - scoring functions of the purchase models: conditional and
 * unconditional expected purchases, P(alive), P(X(t) = n).
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "miscadmin.h"

#include "clv.h"
#include "intervals.h"

typedef struct ScoreModel
{
	const char *prefix;			/* SQL function prefix, for messages */
	const char *typname;
	const char *const *fields;
	bool		discrete;		/* BG/BB: opportunities instead of time */
	double		(*expected) (const double *par, double t, double x, double tx, double T);
	double		(*p_alive) (const double *par, double x, double tx, double T);
	double		(*prob_n) (const double *par, double t, double n);
	/* the prediction surface (0.3) */
	double		(*alive_at) (const double *par, double t, double x, double tx, double T);
	double		(*between) (const double *par, double t1, double t2, double x, double tx, double T);
	double		(*cond_prob_n) (const double *par, double t, double n, double x, double tx, double T);
} ScoreModel;

static const char *const bgnbd_fields[] = {"r", "alpha", "a", "b"};
static const char *const pareto_fields[] = {"r", "alpha", "s", "beta"};
static const char *const bgbb_fields[] = {"alpha", "beta", "gamma", "delta"};

static const ScoreModel bgnbd = {"bgnbd", "bgnbd_model", bgnbd_fields, false,
	bgnbd_expected, bgnbd_prob_alive, bgnbd_prob_n,
bgnbd_prob_alive_at, bgnbd_expected_between, bgnbd_cond_prob_n};
static const ScoreModel mbgnbd = {"mbgnbd", "mbgnbd_model", bgnbd_fields, false,
	mbgnbd_expected, mbgnbd_prob_alive, NULL,
mbgnbd_prob_alive_at, mbgnbd_expected_between, mbgnbd_cond_prob_n};
static const ScoreModel pareto = {"pareto_nbd", "pareto_nbd_model", pareto_fields, false,
	pareto_expected, pareto_prob_alive, pareto_prob_n,
pareto_prob_alive_at, pareto_expected_between, pareto_cond_prob_n};
static const ScoreModel bgbb = {"bgbb", "bgbb_model", bgbb_fields, true,
	bgbb_expected, bgbb_prob_alive, NULL,
bgbb_prob_alive_at, bgbb_expected_between, bgbb_cond_prob_n};

static void
check_customer(const ScoreModel *sm, const char *fname, double x, double tx, double T)
{
	if (sm->discrete)
		clv_check_discrete(fname, x, tx, T);
	else
		clv_check_customer(fname, x, tx, T);
}

/*
 * An expectation over a horizon: NaN when no evaluation settles. The hint blames the
 * horizon only if the same customer scores at a horizon of its own age (or 1).
 */
static double
checked_expectation(const ScoreModel *sm, const char *fname, double v, const double *par,
					double t, double x, double tx, double T)
{
	if (isnan(v))
		CHECK_FOR_INTERRUPTS();
	if (isnan(v))
	{
		double		t_short = T > 0 ? T : 1.0;
		bool		horizon = t > t_short && isfinite(sm->expected(par, t_short, x, tx, T));

		CHECK_FOR_INTERRUPTS();
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: cannot evaluate the expectation for horizon %g", fname, t),
				 errdetail("%s", horizon ?
						   "The evaluation needs too many terms at this horizon; it settles at a shorter one." :
						   "The model's parameters and this customer's values are outside the range in which the model can be evaluated in double precision."),
				 horizon ?
				 errhint("Use a shorter horizon (of the order of the customer's age).") :
				 errhint("Check the model's parameters and the customer's frequency, recency and age for extreme values.")));
	}
	return clv_check_result(fname, v);
}

static void
check_horizon(const ScoreModel *sm, const char *fname, double t)
{
	clv_check_finite(fname, sm->discrete ? "n_periods ahead" : "horizon", t);
	if (t < 0 || (sm->discrete && t != floor(t)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: horizon must be %s >= 0, got %g", fname,
						sm->discrete ? "a whole number" : "a number", t)));
}

/*
 * A customer's (frequency, recency, t_customer) from a summary composite argument; its
 * unit, where known, must be the model's.
 */
static void
summary_customer(FunctionCallInfo fcinfo, int argno, const char *fname,
				 double *x, double *tx, double *T)
{
	clv_summary_fields c;

	clv_read_summary(fcinfo, argno, fname, &c);
	clv_check_units(fname, clv_model_unit(fcinfo, 0), c.unit_days);
	*x = c.frequency;
	*tx = c.recency;
	*T = c.t;
}

/*
 * The series cancels two terms of order 1 when r or t is tiny: -5e-15 for r = 1e-308
 * (libFuzzer). An expected count is >= 0: rounding below 0 is reported as 0, anything
 * more negative is NaN (an ERROR).
 */
static double
clamp_count(double e)
{
	if (e < 0 && e >= -1e-12)
		e = 0.0;
	if (e < 0)
		e = NAN;
	return e;
}

/*
 * (model, horizon, frequency, recency, t_customer), (model, horizon, summary) or, with
 * conditional false, (model, horizon)
 */
static Datum
score_expected(FunctionCallInfo fcinfo, const ScoreModel *sm, bool conditional)
{
	char		fname[64];
	double		par[4],
				t = PG_GETARG_FLOAT8(1),
				x = 0,
				tx = 0,
				T = 0,
				e;

	snprintf(fname, sizeof(fname), "%s_expected_purchases", sm->prefix);
	clv_read_model(fcinfo, 0, sm->typname, sm->fields, 4, par);
	check_horizon(sm, fname, t);
	if (conditional && PG_NARGS() == 3)
		summary_customer(fcinfo, 2, fname, &x, &tx, &T);
	else if (conditional)
	{
		x = PG_GETARG_FLOAT8(2);
		tx = PG_GETARG_FLOAT8(3);
		T = PG_GETARG_FLOAT8(4);
	}
	if (conditional)
		check_customer(sm, fname, x, tx, T);
	e = clamp_count(sm->expected(par, t, x, tx, T));
	PG_RETURN_FLOAT8(checked_expectation(sm, fname, e, par, t, x, tx, T));
}

/* (model, frequency, recency, t_customer) or (model, summary) */
static Datum
score_p_alive(FunctionCallInfo fcinfo, const ScoreModel *sm)
{
	char		fname[64];
	double		par[4],
				x,
				tx,
				T;

	snprintf(fname, sizeof(fname), "%s_p_alive", sm->prefix);
	clv_read_model(fcinfo, 0, sm->typname, sm->fields, 4, par);
	if (PG_NARGS() == 2)
		summary_customer(fcinfo, 1, fname, &x, &tx, &T);
	else
	{
		x = PG_GETARG_FLOAT8(1);
		tx = PG_GETARG_FLOAT8(2);
		T = PG_GETARG_FLOAT8(3);
	}
	check_customer(sm, fname, x, tx, T);
	PG_RETURN_FLOAT8(clv_check_result(fname, sm->p_alive(par, x, tx, T)));
}

#define CLV_MAX_N_PURCHASES 100000

/* P(X(t) = n) for a new customer */
static Datum
score_prob_n(FunctionCallInfo fcinfo, const ScoreModel *sm)
{
	char		fname[64];
	double		par[4],
				t = PG_GETARG_FLOAT8(1),
				n = PG_GETARG_FLOAT8(2);

	snprintf(fname, sizeof(fname), "%s_prob_n_purchases", sm->prefix);
	clv_read_model(fcinfo, 0, sm->typname, sm->fields, 4, par);
	check_horizon(sm, fname, t);
	clv_check_finite(fname, "n", n);
	if (n < 0 || n != floor(n) || n > CLV_MAX_N_PURCHASES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: n must be a whole number between 0 and %d, got %g",
						fname, CLV_MAX_N_PURCHASES, n)));
	PG_RETURN_FLOAT8(clv_check_result(fname, sm->prob_n(par, t, n)));
}

#define SCORE_FUNCTIONS(m) \
PG_FUNCTION_INFO_V1(m##_expected_purchases); \
Datum m##_expected_purchases(PG_FUNCTION_ARGS) { return score_expected(fcinfo, &m, true); } \
PG_FUNCTION_INFO_V1(m##_expected_purchases_new); \
Datum m##_expected_purchases_new(PG_FUNCTION_ARGS) { return score_expected(fcinfo, &m, false); } \
PG_FUNCTION_INFO_V1(m##_p_alive); \
Datum m##_p_alive(PG_FUNCTION_ARGS) { return score_p_alive(fcinfo, &m); }

SCORE_FUNCTIONS(bgnbd)
SCORE_FUNCTIONS(mbgnbd)
SCORE_FUNCTIONS(pareto)
SCORE_FUNCTIONS(bgbb)

PG_FUNCTION_INFO_V1(bgnbd_prob_n_purchases);
Datum
bgnbd_prob_n_purchases(PG_FUNCTION_ARGS)
{
	return score_prob_n(fcinfo, &bgnbd);
}

PG_FUNCTION_INFO_V1(pareto_prob_n_purchases);
Datum
pareto_prob_n_purchases(PG_FUNCTION_ARGS)
{
	return score_prob_n(fcinfo, &pareto);
}

/*
 * The prediction surface (0.3). The customer's arguments start at argument c0: three
 * numbers (frequency, recency, t_customer), a summary composite, or none (a new
 * customer: x = t_x = T = 0).
 */
static void
surface_customer(FunctionCallInfo fcinfo, const ScoreModel *sm, const char *fname, int c0,
				 double *x, double *tx, double *T)
{
	*x = *tx = *T = 0.0;
	if (PG_NARGS() == c0 + 1)
		summary_customer(fcinfo, c0, fname, x, tx, T);
	else if (PG_NARGS() >= c0 + 3)
	{
		*x = PG_GETARG_FLOAT8(c0);
		*tx = PG_GETARG_FLOAT8(c0 + 1);
		*T = PG_GETARG_FLOAT8(c0 + 2);
	}
	check_customer(sm, fname, *x, *tx, *T);
}

/* A probability: rounding just outside [0, 1] is clamped, anything else is NaN. */
static double
clamp_probability(double p)
{
	if (p > 1.0 && p <= 1.0 + 1e-12)
		p = 1.0;
	if (p < 0.0 && p >= -1e-12)
		p = 0.0;
	if (!(p >= 0.0 && p <= 1.0))
		p = NAN;
	return p;
}

/* A probability: rounding just outside [0, 1] is clamped, anything else is an ERROR. */
static double
checked_probability(const char *fname, double p)
{
	p = clamp_probability(p);
	if (isnan(p))
		CHECK_FOR_INTERRUPTS();
	if (isnan(p))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: cannot evaluate the probability", fname),
				 errdetail("The model's parameters and this customer's values are outside the range in which the model can be evaluated in double precision."),
				 errhint("Check the model's parameters, the horizon and the customer's frequency, recency and age for extreme values.")));
	return p;
}

/* BG/BB sums over each opportunity ahead in P(n purchases): at most this many. */
#define CLV_MAX_OPPORTUNITIES_AHEAD 1000000

/* (model, horizon, customer...): P(alive at t_customer + horizon) */
static Datum
surface_alive_at(FunctionCallInfo fcinfo, const ScoreModel *sm)
{
	char		fname[64];
	double		par[4],
				t = PG_GETARG_FLOAT8(1),
				x,
				tx,
				T;

	snprintf(fname, sizeof(fname), "%s_p_alive_at", sm->prefix);
	clv_read_model(fcinfo, 0, sm->typname, sm->fields, 4, par);
	check_horizon(sm, fname, t);
	surface_customer(fcinfo, sm, fname, 2, &x, &tx, &T);
	PG_RETURN_FLOAT8(checked_probability(fname, sm->alive_at(par, t, x, tx, T)));
}

static double
surface_prob_n(FunctionCallInfo fcinfo, const ScoreModel *sm, const char *fname, double t,
			   double n, int c0)
{
	double		par[4],
				x,
				tx,
				T;

	clv_read_model(fcinfo, 0, sm->typname, sm->fields, 4, par);
	check_horizon(sm, fname, t);
	if (sm->discrete && t > CLV_MAX_OPPORTUNITIES_AHEAD)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: at most %d opportunities ahead, got %g", fname, CLV_MAX_OPPORTUNITIES_AHEAD, t),
				 errdetail("The probability sums over every opportunity ahead.")));
	clv_check_finite(fname, "n", n);
	if (n < 0 || n != floor(n) || n > CLV_MAX_N_PURCHASES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: n must be a whole number between 0 and %d, got %g",
						fname, CLV_MAX_N_PURCHASES, n)));
	surface_customer(fcinfo, sm, fname, c0, &x, &tx, &T);
	return checked_probability(fname, sm->cond_prob_n(par, t, n, x, tx, T));
}

/* (model, horizon, customer...): P(no purchase in (t_customer, t_customer + horizon]) */
static Datum
surface_no_purchase(FunctionCallInfo fcinfo, const ScoreModel *sm)
{
	char		fname[64];

	snprintf(fname, sizeof(fname), "%s_prob_no_purchase", sm->prefix);
	PG_RETURN_FLOAT8(surface_prob_n(fcinfo, sm, fname, PG_GETARG_FLOAT8(1), 0.0, 2));
}

/* (model, horizon, n, customer...): P(n purchases in the next horizon | history) */
static Datum
surface_cond_prob_n(FunctionCallInfo fcinfo, const ScoreModel *sm)
{
	char		fname[64];

	snprintf(fname, sizeof(fname), "%s_prob_n_purchases", sm->prefix);
	PG_RETURN_FLOAT8(surface_prob_n(fcinfo, sm, fname, PG_GETARG_FLOAT8(1),
									PG_GETARG_FLOAT8(2), 3));
}

/* (model, horizon_start, horizon_end, customer...): E[purchases in (T + start, T + end]] */
static Datum
surface_between(FunctionCallInfo fcinfo, const ScoreModel *sm)
{
	char		fname[64];
	double		par[4],
				t1 = PG_GETARG_FLOAT8(1),
				t2 = PG_GETARG_FLOAT8(2),
				x,
				tx,
				T,
				e;

	snprintf(fname, sizeof(fname), "%s_expected_purchases_between", sm->prefix);
	clv_read_model(fcinfo, 0, sm->typname, sm->fields, 4, par);
	check_horizon(sm, fname, t1);
	check_horizon(sm, fname, t2);
	if (t2 < t1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: horizon_end %g is before horizon_start %g", fname, t2, t1),
				 errhint("The window is (t_customer + horizon_start, t_customer + horizon_end].")));
	surface_customer(fcinfo, sm, fname, 3, &x, &tx, &T);
	e = sm->between(par, t1, t2, x, tx, T);
	if (e < 0 && e >= -1e-12)
		e = 0.0;
	if (e < 0)
		e = NAN;
	if (isnan(e))
		CHECK_FOR_INTERRUPTS();
	if (isnan(e))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: cannot evaluate the expectation for the window (%g, %g]", fname, t1, t2),
				 errdetail("The model's parameters and this customer's values are outside the range in which the model can be evaluated in double precision."),
				 errhint("Use a shorter window, or check the model's parameters and the customer's values for extreme values.")));
	PG_RETURN_FLOAT8(clv_check_result(fname, e));
}

#define SURFACE_FUNCTIONS(m) \
PG_FUNCTION_INFO_V1(m##_p_alive_at); \
Datum m##_p_alive_at(PG_FUNCTION_ARGS) { return surface_alive_at(fcinfo, &m); } \
PG_FUNCTION_INFO_V1(m##_prob_no_purchase); \
Datum m##_prob_no_purchase(PG_FUNCTION_ARGS) { return surface_no_purchase(fcinfo, &m); } \
PG_FUNCTION_INFO_V1(m##_cond_prob_n_purchases); \
Datum m##_cond_prob_n_purchases(PG_FUNCTION_ARGS) { return surface_cond_prob_n(fcinfo, &m); } \
PG_FUNCTION_INFO_V1(m##_expected_purchases_between); \
Datum m##_expected_purchases_between(PG_FUNCTION_ARGS) { return surface_between(fcinfo, &m); }

SURFACE_FUNCTIONS(bgnbd)
SURFACE_FUNCTIONS(mbgnbd)
SURFACE_FUNCTIONS(pareto)
SURFACE_FUNCTIONS(bgbb)

/*
 * <model>_dert(model, discount_rate, customer...): discounted expected residual
 * transactions, discount_rate continuously compounded per model time unit.
 */
static Datum
surface_dert(FunctionCallInfo fcinfo, const ScoreModel *sm,
			 double (*dert) (const double *par, double delta, double x, double tx, double T))
{
	char		fname[64];
	double		par[4],
				d = PG_GETARG_FLOAT8(1),
				x,
				tx,
				T,
				v;

	snprintf(fname, sizeof(fname), "%s_dert", sm->prefix);
	clv_read_model(fcinfo, 0, sm->typname, sm->fields, 4, par);
	clv_check_finite(fname, "discount_rate", d);
	if (!(d > 0))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: discount_rate must be positive, got %g", fname, d),
				 errdetail("Undiscounted residual transactions over an unlimited lifetime can be infinite."),
				 errhint("discount_rate is continuously compounded per model time unit: ln(1.15) / 52 for 15 %% a year on weekly data.")));
	surface_customer(fcinfo, sm, fname, 2, &x, &tx, &T);
	v = dert(par, d, x, tx, T);
	if (isnan(v))
		CHECK_FOR_INTERRUPTS();
	if (isnan(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: cannot evaluate DERT at discount_rate %g", fname, d),
				 errdetail("The model's parameters, the discount rate and this customer's values are outside the range in which the model can be evaluated in double precision."),
				 errhint("Check the model's parameters and the discount rate for extreme values.")));
	PG_RETURN_FLOAT8(clv_check_result(fname, v));
}

PG_FUNCTION_INFO_V1(pareto_dert_sql);
Datum
pareto_dert_sql(PG_FUNCTION_ARGS)
{
	return surface_dert(fcinfo, &pareto, pareto_dert);
}

PG_FUNCTION_INFO_V1(bgnbd_dert_sql);
Datum
bgnbd_dert_sql(PG_FUNCTION_ARGS)
{
	return surface_dert(fcinfo, &bgnbd, bgnbd_dert);
}

PG_FUNCTION_INFO_V1(mbgnbd_dert_sql);
Datum
mbgnbd_dert_sql(PG_FUNCTION_ARGS)
{
	return surface_dert(fcinfo, &mbgnbd, mbgnbd_dert);
}

/*
 * Prediction intervals (0.4): the quantity at each parameter draw of the model's sampling
 * distribution (intervals_sql.c); the estimate is the point prediction at the fit.
 *
 * <m>_expected_purchases_interval(model, horizon, frequency, recency, t_customer, level,
 * draws, seed), the same with a summary instead of the three numbers (customer
 * INTERVAL_SUMMARY), or <m>_expected_purchases_new_interval(model, horizon, level, draws,
 * seed): a new customer's expected purchases in (0, horizon] (INTERVAL_NEW).
 */
typedef enum IntervalCustomer
{
	INTERVAL_NEW,
	INTERVAL_NUMBERS,
	INTERVAL_SUMMARY
} IntervalCustomer;

static Datum
interval_expected(FunctionCallInfo fcinfo, const ScoreModel *sm, IntervalCustomer customer,
				  bool covariates)
{
	bool		conditional = customer != INTERVAL_NEW;
	char		fname[80];
	double		par[4],
				t = PG_GETARG_FLOAT8(1),
				x = 0,
				tx = 0,
				T = 0,
				e,
			   *v;
	const double *draws = NULL;
	clv_interval_args ia;
	int			zarg = customer == INTERVAL_NUMBERS ? 5 : customer == INTERVAL_SUMMARY ? 3 : 2;

	snprintf(fname, sizeof(fname), "%s_expected_purchases%s_interval", sm->prefix,
			 conditional ? "" : "_new");
	if (!covariates)
	{
		clv_interval_no_covariates(fcinfo, 0, sm->typname, fname);
		clv_read_model(fcinfo, 0, sm->typname, sm->fields, 4, par);
	}
	check_horizon(sm, fname, t);
	if (customer == INTERVAL_SUMMARY)
		summary_customer(fcinfo, 2, fname, &x, &tx, &T);
	else if (customer == INTERVAL_NUMBERS)
	{
		x = PG_GETARG_FLOAT8(2);
		tx = PG_GETARG_FLOAT8(3);
		T = PG_GETARG_FLOAT8(4);
	}
	if (conditional)
		check_customer(sm, fname, x, tx, T);
	clv_interval_read_args(fcinfo, zarg + (covariates ? 2 : 0), fname, &ia);
	if (covariates)
		draws = clv_cov_interval_draws(fcinfo, 0, zarg, sm->typname, fname, &ia, par);
	e = checked_expectation(sm, fname, clamp_count(sm->expected(par, t, x, tx, T)),
							par, t, x, tx, T);
	if (!covariates)
		draws = clv_interval_draws(fcinfo, 0, 0, sm->typname, fname, 4, par, &ia);
	v = clv_interval_values(fcinfo, ia.draws);
	for (int i = 0; i < ia.draws; i++)
	{
		const double *di = draws + 4 * i;

		CHECK_FOR_INTERRUPTS();
		v[i] = isnan(di[0]) ? NAN : clamp_count(sm->expected(di, t, x, tx, T));
	}
	return clv_interval_result(fcinfo, fname, e, v, ia.draws, &ia);
}

/*
 * <m>_p_alive_interval(model, frequency, recency, t_customer, level, draws, seed) or
 * (model, summary, level, draws, seed)
 */
static Datum
interval_p_alive(FunctionCallInfo fcinfo, const ScoreModel *sm, IntervalCustomer customer,
				 bool covariates)
{
	char		fname[80];
	double		par[4],
				x,
				tx,
				T,
				p,
			   *v;
	const double *draws = NULL;
	clv_interval_args ia;
	int			zarg = customer == INTERVAL_SUMMARY ? 2 : 4;

	snprintf(fname, sizeof(fname), "%s_p_alive_interval", sm->prefix);
	if (!covariates)
	{
		clv_interval_no_covariates(fcinfo, 0, sm->typname, fname);
		clv_read_model(fcinfo, 0, sm->typname, sm->fields, 4, par);
	}
	if (customer == INTERVAL_SUMMARY)
		summary_customer(fcinfo, 1, fname, &x, &tx, &T);
	else
	{
		x = PG_GETARG_FLOAT8(1);
		tx = PG_GETARG_FLOAT8(2);
		T = PG_GETARG_FLOAT8(3);
	}
	check_customer(sm, fname, x, tx, T);
	clv_interval_read_args(fcinfo, zarg + (covariates ? 2 : 0), fname, &ia);
	if (covariates)
		draws = clv_cov_interval_draws(fcinfo, 0, zarg, sm->typname, fname, &ia, par);
	p = checked_probability(fname, sm->p_alive(par, x, tx, T));
	if (!covariates)
		draws = clv_interval_draws(fcinfo, 0, 0, sm->typname, fname, 4, par, &ia);
	v = clv_interval_values(fcinfo, ia.draws);
	for (int i = 0; i < ia.draws; i++)
	{
		const double *di = draws + 4 * i;

		CHECK_FOR_INTERRUPTS();
		v[i] = isnan(di[0]) ? NAN : clamp_probability(sm->p_alive(di, x, tx, T));
	}
	return clv_interval_result(fcinfo, fname, p, v, ia.draws, &ia);
}

#define INTERVAL_FUNCTIONS(m) \
PG_FUNCTION_INFO_V1(m##_expected_purchases_interval); \
Datum m##_expected_purchases_interval(PG_FUNCTION_ARGS) { return interval_expected(fcinfo, &m, INTERVAL_NUMBERS, false); } \
PG_FUNCTION_INFO_V1(m##_expected_purchases_new_interval); \
Datum m##_expected_purchases_new_interval(PG_FUNCTION_ARGS) { return interval_expected(fcinfo, &m, INTERVAL_NEW, false); } \
PG_FUNCTION_INFO_V1(m##_p_alive_interval); \
Datum m##_p_alive_interval(PG_FUNCTION_ARGS) { return interval_p_alive(fcinfo, &m, INTERVAL_NUMBERS, false); }

/* BG/BB has no summary forms (its summaries count opportunities) */
#define INTERVAL_SUMMARY_FUNCTIONS(m) \
PG_FUNCTION_INFO_V1(m##_expected_purchases_interval_summary); \
Datum m##_expected_purchases_interval_summary(PG_FUNCTION_ARGS) { return interval_expected(fcinfo, &m, INTERVAL_SUMMARY, false); } \
PG_FUNCTION_INFO_V1(m##_p_alive_interval_summary); \
Datum m##_p_alive_interval_summary(PG_FUNCTION_ARGS) { return interval_p_alive(fcinfo, &m, INTERVAL_SUMMARY, false); }

/*
 * The same for a customer of a covariate model (BG/NBD, MBG/NBD, Pareto/NBD): the
 * customer's purchase_covariates and dropout_covariates right after the customer's data
 * (after horizon for a new customer), as in the point predictions' overloads.
 */
#define INTERVAL_COVARIATE_FUNCTIONS(m) \
PG_FUNCTION_INFO_V1(m##_expected_purchases_interval_cov); \
Datum m##_expected_purchases_interval_cov(PG_FUNCTION_ARGS) { return interval_expected(fcinfo, &m, INTERVAL_NUMBERS, true); } \
PG_FUNCTION_INFO_V1(m##_expected_purchases_new_interval_cov); \
Datum m##_expected_purchases_new_interval_cov(PG_FUNCTION_ARGS) { return interval_expected(fcinfo, &m, INTERVAL_NEW, true); } \
PG_FUNCTION_INFO_V1(m##_p_alive_interval_cov); \
Datum m##_p_alive_interval_cov(PG_FUNCTION_ARGS) { return interval_p_alive(fcinfo, &m, INTERVAL_NUMBERS, true); } \
PG_FUNCTION_INFO_V1(m##_expected_purchases_interval_summary_cov); \
Datum m##_expected_purchases_interval_summary_cov(PG_FUNCTION_ARGS) { return interval_expected(fcinfo, &m, INTERVAL_SUMMARY, true); } \
PG_FUNCTION_INFO_V1(m##_p_alive_interval_summary_cov); \
Datum m##_p_alive_interval_summary_cov(PG_FUNCTION_ARGS) { return interval_p_alive(fcinfo, &m, INTERVAL_SUMMARY, true); }

INTERVAL_FUNCTIONS(bgnbd)
INTERVAL_FUNCTIONS(mbgnbd)
INTERVAL_FUNCTIONS(pareto)
INTERVAL_FUNCTIONS(bgbb)
INTERVAL_SUMMARY_FUNCTIONS(bgnbd)
INTERVAL_SUMMARY_FUNCTIONS(mbgnbd)
INTERVAL_SUMMARY_FUNCTIONS(pareto)
INTERVAL_COVARIATE_FUNCTIONS(bgnbd)
INTERVAL_COVARIATE_FUNCTIONS(mbgnbd)
INTERVAL_COVARIATE_FUNCTIONS(pareto)
