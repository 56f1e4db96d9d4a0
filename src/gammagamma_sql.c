/*
 * gammagamma_sql.c - Gamma-Gamma scoring and CLV (the fit is in fit_sql.c).
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "miscadmin.h"

#include "clv.h"

static const char *const gg_fields[] = {"p", "q", "gamma"};
static const char *const bg_fields[] = {"r", "alpha", "a", "b"};
static const char *const pareto_fields[] = {"r", "alpha", "s", "beta"};
static const char *const bgbb_fields[] = {"alpha", "beta", "gamma", "delta"};

/* A purchase model that CLV can use: its conditional expected purchases over a horizon. */
typedef struct ClvModel
{
	const char *typname;
	const char *label;			/* for messages */
	const char *fitname;
	const char *const *fields;
	bool		discrete;		/* BG/BB: whole opportunities of unit_days days */
	double		(*expected) (const double *par, double t, double x, double tx, double T);
} ClvModel;

static const ClvModel clv_bgnbd = {"bgnbd_model", "BG/NBD", "bgnbd_fit", bg_fields, false, bgnbd_expected};
static const ClvModel clv_mbgnbd = {"mbgnbd_model", "MBG/NBD", "mbgnbd_fit", bg_fields, false, mbgnbd_expected};
static const ClvModel clv_pareto = {"pareto_nbd_model", "Pareto/NBD", "pareto_nbd_fit", pareto_fields, false, pareto_expected};
static const ClvModel clv_bgbb = {"bgbb_model", "BG/BB", "bgbb_fit", bgbb_fields, true, bgbb_expected};

PG_FUNCTION_INFO_V1(gamma_gamma_expected_spend);
PG_FUNCTION_INFO_V1(gamma_gamma_clv);
PG_FUNCTION_INFO_V1(gamma_gamma_clv_summary);
PG_FUNCTION_INFO_V1(gamma_gamma_clv_mbgnbd);
PG_FUNCTION_INFO_V1(gamma_gamma_clv_mbgnbd_summary);
PG_FUNCTION_INFO_V1(gamma_gamma_clv_pareto);
PG_FUNCTION_INFO_V1(gamma_gamma_clv_pareto_summary);
PG_FUNCTION_INFO_V1(gamma_gamma_clv_bgbb);

static double
expected_spend(const char *fname, const double *gg, double x, double m)
{
	clv_check_frequency(fname, x);
	clv_check_finite(fname, "monetary_value", m);
	if (m < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: monetary_value must be >= 0, got %g", fname, m)));
	if (gg[0] * x + gg[1] <= 1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: expected spend is infinite for p * frequency + q <= 1 (p = %g, q = %g, frequency %g)",
						fname, gg[0], gg[1], x),
				 errdetail("With q <= 1 the population mean spend does not exist."),
				 errhint("Refit on more repeat buyers; a q close to or below 1 means very heavy-tailed spend.")));
	return clv_check_result(fname, gg_expected_spend(gg, x, m));
}

/* gamma_gamma_expected_spend(model, frequency, monetary_value) */
Datum
gamma_gamma_expected_spend(PG_FUNCTION_ARGS)
{
	double		gg[3];

	clv_read_model(fcinfo, 0, "gamma_gamma_model", gg_fields, 3, gg);
	if (PG_NARGS() == 2)
	{
		/* (model, summary): no repeat purchase, no mean spend: the model's mean */
		clv_summary_fields c;

		clv_read_summary(fcinfo, 1, "gamma_gamma_expected_spend", &c);
		PG_RETURN_FLOAT8(expected_spend("gamma_gamma_expected_spend", gg, c.frequency,
										isnan(c.monetary_value) ? 0.0 : c.monetary_value));
	}
	PG_RETURN_FLOAT8(expected_spend("gamma_gamma_expected_spend", gg,
									PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2)));
}

/*
 * The unit of a CLV computation: unit_days given (> 0), else the model's; the two must
 * agree when both are known, and one of them must be.
 */
static double
clv_unit(const char *fname, const ClvModel *cm, double given, double model_unit, const char *what)
{
	if (!isnan(given))
	{
		clv_check_finite(fname, "unit_days", given);
		if (given <= 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: unit_days must be positive, got %g", fname, given),
					 errhint("unit_days is the length of the model's time unit in days: 1 for days, 7 for weeks.")));
		if (!isnan(model_unit) && model_unit != given)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: unit_days %g contradicts the model's time unit of %g days", fname, given, model_unit),
					 errdetail("The %s model was fitted on %s in units of %g days.", cm->label, what, model_unit),
					 errhint("Leave unit_days out (NULL): the model's unit is used.")));
		return given;
	}
	if (isnan(model_unit))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the time unit of the %s model is not known", fname, cm->label),
				 cm->discrete ?
				 errdetail("A BG/BB model counts opportunities (n_periods), which have no length in days of their own; a 12-month CLV needs it.") :
				 errdetail("The model was fitted from bare numbers (or built by %s(), or stored before clv 0.2), so it does not record whether recency and t were in days or weeks; a 12-month CLV would be off by a factor of 7 if guessed wrong.", cm->typname),
				 cm->discrete ?
				 errhint("Pass unit_days => the length of one opportunity in days (365 for yearly opportunities).") :
				 errhint("Pass unit_days => 1 (days) or unit_days => 7 (weeks) as the model was fitted, or fit it from clv_summary's result: %s(summary).",
						 cm->fitname)));
	return model_unit;
}

/* The checks of a CLV computation's customer, months and discount. */
static void
clv_check_args(const char *fname, const ClvModel *cm, double x, double tx, double T,
			   int32 months, double d, double unit_days)
{
	if (cm->discrete)
		clv_check_discrete(fname, x, tx, T);
	else
		clv_check_customer(fname, x, tx, T);
	clv_check_finite(fname, "monthly_discount", d);
	if (months < 0 || months > 1200)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: months must be between 0 and 1200, got %d", fname, months)));
	if (d <= -1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: monthly_discount must be greater than -1, got %g", fname, d)));
	for (int i = 1; cm->discrete && i <= months; i++)
		if (i * (30.0 / unit_days) > 1e7)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: %d months ahead are %g opportunities of %g days, more than 10^7",
							fname, i, i * (30.0 / unit_days), unit_days),
					 errhint("unit_days is the length of one opportunity in days.")));
}

/*
 * Sum over months i of the purchases expected in month i (30 days = 30 / unit_days model
 * units) times the expected spend, discounted by (1 + monthly_discount)^i - the
 * definition of lifetimes' customer_lifetime_value. For BG/BB, whose purchases happen at
 * opportunities of unit_days days, the cumulative expectation at 30 i / unit_days
 * opportunities is interpolated linearly between whole opportunities. NaN if an
 * evaluation fails; *bad is then the month.
 */
static double
discounted_value(const ClvModel *cm, const double *bg, double spend, double x, double tx,
				 double T, int32 months, double d, double unit_days, int *bad)
{
	double		month = 30.0 / unit_days,
				prev = 0.0,
				sum = 0.0;

	for (int i = 1; i <= months; i++)
	{
		double		cum,
					h = i * month;

		/* up to 1200 series evaluations: stay cancellable */
		CHECK_FOR_INTERRUPTS();
		if (cm->discrete)
		{
			/*
			 * An opportunity's expected purchases accrue evenly over its unit_days days
			 * (else yearly opportunities would give a 12-month CLV of 0: 360 days < 365).
			 */
			double		n0 = floor(h),
						f = h - n0,
						e0,
						e1;

			e0 = n0 == 0 ? 0.0 : cm->expected(bg, n0, x, tx, T);
			e1 = f == 0 ? e0 : cm->expected(bg, n0 + 1.0, x, tx, T);
			cum = e0 + f * (e1 - e0);
		}
		else
			cum = cm->expected(bg, h, x, tx, T);
		if (!isfinite(cum))
		{
			*bad = i;
			return NAN;
		}
		sum += (cum - prev) * spend / pow(1.0 + d, i);
		prev = cum;
	}
	return sum;
}

/* The CLV of one customer at the fitted parameters, or an ERROR. */
static double
clv_sum(const char *fname, const ClvModel *cm, const double *bg, const double *gg, double x,
		double tx, double T, double m, int32 months, double d, double unit_days)
{
	double		spend,
				clv;
	int			bad = 0;

	clv_check_args(fname, cm, x, tx, T, months, d, unit_days);
	spend = expected_spend(fname, gg, x, m);
	clv = discounted_value(cm, bg, spend, x, tx, T, months, d, unit_days, &bad);
	if (isnan(clv))
		CHECK_FOR_INTERRUPTS();	/* the series gives up for a pending cancel */
	if (isnan(clv))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s: cannot evaluate expected purchases %d months ahead", fname, bad),
				 errdetail("The %s model's parameters and this customer's values are outside the range in which the model can be evaluated in double precision.", cm->label),
				 errhint("Check the model's parameters and the customer's frequency, recency and age for extreme values.")));
	return clv_check_result(fname, clv);
}

/*
 * gamma_gamma_clv(model, gg, frequency, recency, t_customer, monetary_value, months,
 * monthly_discount, unit_days): not STRICT since 0.2, so that unit_days may be NULL (the
 * model's unit); a NULL in any other argument gives NULL, as before. BG/BB has no unit of
 * its own: unit_days is the length of an opportunity and must be given.
 */
static Datum
clv_customer(FunctionCallInfo fcinfo, const ClvModel *cm)
{
	const char *fname = "gamma_gamma_clv";
	double		bg[4],
				gg[3];

	for (int i = 0; i < 8; i++)
		if (PG_ARGISNULL(i))
			PG_RETURN_NULL();
	clv_read_model(fcinfo, 0, cm->typname, cm->fields, 4, bg);
	clv_read_model(fcinfo, 1, "gamma_gamma_model", gg_fields, 3, gg);
	PG_RETURN_FLOAT8(clv_sum(fname, cm, bg, gg, PG_GETARG_FLOAT8(2), PG_GETARG_FLOAT8(3),
							 PG_GETARG_FLOAT8(4), PG_GETARG_FLOAT8(5), PG_GETARG_INT32(6),
							 PG_GETARG_FLOAT8(7),
							 clv_unit(fname, cm, PG_NARGS() > 8 && !PG_ARGISNULL(8) ? PG_GETARG_FLOAT8(8) : NAN,
									  cm->discrete ? NAN : clv_model_unit(fcinfo, 0),
									  cm->discrete ? "opportunities" : "summaries")));
}

/*
 * gamma_gamma_clv(model, gg, summary, months, monthly_discount): the customer's values and
 * unit from the summary; the model's unit, where known, must be the same.
 */
static Datum
clv_customer_summary(FunctionCallInfo fcinfo, const ClvModel *cm)
{
	const char *fname = "gamma_gamma_clv";
	double		bg[4],
				gg[3],
				unit;
	clv_summary_fields c;

	clv_read_model(fcinfo, 0, cm->typname, cm->fields, 4, bg);
	clv_read_model(fcinfo, 1, "gamma_gamma_model", gg_fields, 3, gg);
	clv_read_summary(fcinfo, 2, fname, &c);
	clv_check_units(fname, clv_model_unit(fcinfo, 0), c.unit_days);
	unit = isnan(c.unit_days) ? clv_unit(fname, cm, NAN, clv_model_unit(fcinfo, 0), "summaries") : c.unit_days;
	/* a customer without repeat purchases has no mean spend: the model's mean applies */
	PG_RETURN_FLOAT8(clv_sum(fname, cm, bg, gg, c.frequency, c.recency, c.t,
							 isnan(c.monetary_value) ? 0.0 : c.monetary_value,
							 PG_GETARG_INT32(3), PG_GETARG_FLOAT8(4), unit));
}

Datum
gamma_gamma_clv(PG_FUNCTION_ARGS)
{
	return clv_customer(fcinfo, &clv_bgnbd);
}

Datum
gamma_gamma_clv_summary(PG_FUNCTION_ARGS)
{
	return clv_customer_summary(fcinfo, &clv_bgnbd);
}

Datum
gamma_gamma_clv_mbgnbd(PG_FUNCTION_ARGS)
{
	return clv_customer(fcinfo, &clv_mbgnbd);
}

Datum
gamma_gamma_clv_mbgnbd_summary(PG_FUNCTION_ARGS)
{
	return clv_customer_summary(fcinfo, &clv_mbgnbd);
}

Datum
gamma_gamma_clv_pareto(PG_FUNCTION_ARGS)
{
	return clv_customer(fcinfo, &clv_pareto);
}

Datum
gamma_gamma_clv_pareto_summary(PG_FUNCTION_ARGS)
{
	return clv_customer_summary(fcinfo, &clv_pareto);
}

Datum
gamma_gamma_clv_bgbb(PG_FUNCTION_ARGS)
{
	return clv_customer(fcinfo, &clv_bgbb);
}

/*
 * Prediction intervals (0.4, intervals_sql.c): the quantity at each parameter draw; the
 * estimate is the point prediction at the fit. A draw with p * frequency + q <= 1 has no
 * finite expected spend and counts as a draw that cannot be evaluated.
 */
static double
draw_spend(const double *gg, double x, double m)
{
	return gg[0] * x + gg[1] > 1.0 ? gg_expected_spend(gg, x, m) : NAN;
}

static Datum spend_interval(FunctionCallInfo fcinfo, const char *fname, const double *gg,
							double x, double m, double e, const clv_interval_args *ia);

/* gamma_gamma_expected_spend_interval(model, frequency, monetary_value, level, draws, seed) */
PG_FUNCTION_INFO_V1(gamma_gamma_expected_spend_interval);
Datum
gamma_gamma_expected_spend_interval(PG_FUNCTION_ARGS)
{
	const char *fname = "gamma_gamma_expected_spend_interval";
	double		gg[3],
				x = PG_GETARG_FLOAT8(1),
				m = PG_GETARG_FLOAT8(2),
				e;
	clv_interval_args ia;

	clv_read_model(fcinfo, 0, "gamma_gamma_model", gg_fields, 3, gg);
	e = expected_spend(fname, gg, x, m);
	clv_interval_read_args(fcinfo, 3, fname, &ia);
	return spend_interval(fcinfo, fname, gg, x, m, e, &ia);
}

/*
 * gamma_gamma_expected_spend_interval(model, summary, level, draws, seed): no repeat
 * purchase, no mean spend: the model's mean, as gamma_gamma_expected_spend(model, summary)
 */
PG_FUNCTION_INFO_V1(gamma_gamma_expected_spend_interval_summary);
Datum
gamma_gamma_expected_spend_interval_summary(PG_FUNCTION_ARGS)
{
	const char *fname = "gamma_gamma_expected_spend_interval";
	double		gg[3],
				m,
				e;
	clv_summary_fields c;
	clv_interval_args ia;

	clv_read_model(fcinfo, 0, "gamma_gamma_model", gg_fields, 3, gg);
	clv_read_summary(fcinfo, 1, fname, &c);
	m = isnan(c.monetary_value) ? 0.0 : c.monetary_value;
	e = expected_spend(fname, gg, c.frequency, m);
	clv_interval_read_args(fcinfo, 2, fname, &ia);
	return spend_interval(fcinfo, fname, gg, c.frequency, m, e, &ia);
}

static Datum
spend_interval(FunctionCallInfo fcinfo, const char *fname, const double *gg, double x,
			   double m, double e, const clv_interval_args *ia)
{
	const double *draws;
	double	   *v;

	draws = clv_interval_draws(fcinfo, 0, 0, "gamma_gamma_model", fname, 3, gg, ia);
	v = clv_interval_values(fcinfo, ia->draws);
	for (int i = 0; i < ia->draws; i++)
		v[i] = draw_spend(draws + 3 * i, x, m);
	return clv_interval_result(fcinfo, fname, e, v, ia->draws, ia);
}


/*
 * A purchase model's evaluations per interval of a CLV: draws x months at most this many
 * (1000 draws of a 100-year CLV, or 100,000 draws of a 1-year one).
 */
#define CLV_INTERVAL_MAX_EVALUATIONS 1200000

/*
 * The CLV interval of one customer; the models are arguments 0 and 1, the customer's
 * covariate vectors (of a covariate model) arguments zarg and zarg + 1 (zarg < 0: none).
 */
static Datum
clv_interval_core(FunctionCallInfo fcinfo, const ClvModel *cm, const char *fname, double x,
				  double tx, double T, double m, int32 months, double d, double unit,
				  int zarg, const clv_interval_args *ia)
{
	double		bg[4],
				gg[3],
				e,
			   *v;
	const double *bgd = NULL,
			   *ggd;

	if (zarg < 0)
	{
		clv_interval_no_covariates(fcinfo, 0, cm->typname, fname);
		clv_read_model(fcinfo, 0, cm->typname, cm->fields, 4, bg);
	}
	clv_read_model(fcinfo, 1, "gamma_gamma_model", gg_fields, 3, gg);
	if ((double) ia->draws * months > CLV_INTERVAL_MAX_EVALUATIONS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s: %d draws of %d months are more than %d evaluations", fname,
						ia->draws, months, CLV_INTERVAL_MAX_EVALUATIONS),
				 errdetail("Each draw evaluates the expected purchases once per month."),
				 errhint("Use fewer draws for a long horizon: draws * months at most %d.",
						 CLV_INTERVAL_MAX_EVALUATIONS)));
	if (zarg >= 0)
		bgd = clv_cov_interval_draws(fcinfo, 0, zarg, cm->typname, fname, ia, bg);
	e = clv_sum(fname, cm, bg, gg, x, tx, T, m, months, d, unit);
	if (zarg < 0)
		bgd = clv_interval_draws(fcinfo, 0, 0, cm->typname, fname, 4, bg, ia);
	ggd = clv_interval_draws(fcinfo, 1, 1, "gamma_gamma_model", fname, 3, gg, ia);
	v = clv_interval_values(fcinfo, ia->draws);
	for (int i = 0; i < ia->draws; i++)
	{
		int			bad;
		double		spend = draw_spend(ggd + 3 * i, x, m);

		v[i] = isfinite(spend) && !isnan(bgd[4 * i]) ?
			discounted_value(cm, bgd + 4 * i, spend, x, tx, T, months, d, unit, &bad) : NAN;
	}
	return clv_interval_result(fcinfo, fname, e, v, ia->draws, ia);
}

/*
 * gamma_gamma_clv_interval(model, gg, frequency, recency, t_customer, monetary_value,
 * months, monthly_discount, unit_days, level, draws, seed): as gamma_gamma_clv, with the
 * two models' draws independent (they are fitted to different likelihoods). unit_days may
 * be NULL (the model's unit); a NULL elsewhere gives NULL.
 */
static Datum
clv_interval_customer(FunctionCallInfo fcinfo, const ClvModel *cm, bool covariates)
{
	const char *fname = "gamma_gamma_clv_interval";
	clv_interval_args ia;
	double		unit;
	int			o = covariates ? 2 : 0; /* the covariate vectors are arguments 6 and 7 */

	for (int i = 0; i < 12 + o; i++)
		if (i != 8 + o && PG_ARGISNULL(i))
			PG_RETURN_NULL();
	unit = clv_unit(fname, cm, PG_ARGISNULL(8 + o) ? NAN : PG_GETARG_FLOAT8(8 + o),
					cm->discrete ? NAN : clv_model_unit(fcinfo, 0),
					cm->discrete ? "opportunities" : "summaries");
	clv_interval_read_args(fcinfo, 9 + o, fname, &ia);
	return clv_interval_core(fcinfo, cm, fname, PG_GETARG_FLOAT8(2), PG_GETARG_FLOAT8(3),
							 PG_GETARG_FLOAT8(4), PG_GETARG_FLOAT8(5), PG_GETARG_INT32(6 + o),
							 PG_GETARG_FLOAT8(7 + o), unit, covariates ? 6 : -1, &ia);
}

/*
 * gamma_gamma_clv_interval(model, gg, summary, months, monthly_discount, level, draws,
 * seed): the customer's values and unit from the summary, as gamma_gamma_clv(model, gg,
 * summary, ...)
 */
static Datum
clv_interval_summary(FunctionCallInfo fcinfo, const ClvModel *cm, bool covariates)
{
	int			o = covariates ? 2 : 0; /* the covariate vectors are arguments 3 and 4 */

	const char *fname = "gamma_gamma_clv_interval";
	clv_interval_args ia;
	clv_summary_fields c;
	double		unit;

	clv_read_summary(fcinfo, 2, fname, &c);
	clv_check_units(fname, clv_model_unit(fcinfo, 0), c.unit_days);
	unit = isnan(c.unit_days) ? clv_unit(fname, cm, NAN, clv_model_unit(fcinfo, 0), "summaries") : c.unit_days;
	clv_interval_read_args(fcinfo, 5 + o, fname, &ia);
	return clv_interval_core(fcinfo, cm, fname, c.frequency, c.recency, c.t,
							 isnan(c.monetary_value) ? 0.0 : c.monetary_value,
							 PG_GETARG_INT32(3 + o), PG_GETARG_FLOAT8(4 + o), unit,
							 covariates ? 3 : -1, &ia);
}

#define CLV_INTERVAL_FUNCTION(cname, model) \
PG_FUNCTION_INFO_V1(cname); \
Datum cname(PG_FUNCTION_ARGS) { return clv_interval_customer(fcinfo, &model, false); }

CLV_INTERVAL_FUNCTION(gamma_gamma_clv_interval, clv_bgnbd)
CLV_INTERVAL_FUNCTION(gamma_gamma_clv_interval_mbgnbd, clv_mbgnbd)
CLV_INTERVAL_FUNCTION(gamma_gamma_clv_interval_pareto, clv_pareto)
CLV_INTERVAL_FUNCTION(gamma_gamma_clv_interval_bgbb, clv_bgbb)

#define CLV_INTERVAL_SUMMARY_FUNCTION(cname, model) \
PG_FUNCTION_INFO_V1(cname); \
Datum cname(PG_FUNCTION_ARGS) { return clv_interval_summary(fcinfo, &model, false); }

CLV_INTERVAL_SUMMARY_FUNCTION(gamma_gamma_clv_interval_summary, clv_bgnbd)
CLV_INTERVAL_SUMMARY_FUNCTION(gamma_gamma_clv_interval_mbgnbd_summary, clv_mbgnbd)
CLV_INTERVAL_SUMMARY_FUNCTION(gamma_gamma_clv_interval_pareto_summary, clv_pareto)

/* ... of a customer of a covariate model: the covariate vectors after the customer's data */
#define CLV_INTERVAL_COVARIATE_FUNCTIONS(cname, model) \
PG_FUNCTION_INFO_V1(cname##_cov); \
Datum cname##_cov(PG_FUNCTION_ARGS) { return clv_interval_customer(fcinfo, &model, true); } \
PG_FUNCTION_INFO_V1(cname##_summary_cov); \
Datum cname##_summary_cov(PG_FUNCTION_ARGS) { return clv_interval_summary(fcinfo, &model, true); }

CLV_INTERVAL_COVARIATE_FUNCTIONS(gamma_gamma_clv_interval, clv_bgnbd)
CLV_INTERVAL_COVARIATE_FUNCTIONS(gamma_gamma_clv_interval_mbgnbd, clv_mbgnbd)
CLV_INTERVAL_COVARIATE_FUNCTIONS(gamma_gamma_clv_interval_pareto, clv_pareto)
