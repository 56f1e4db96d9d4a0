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

PG_FUNCTION_INFO_V1(gamma_gamma_expected_spend);
PG_FUNCTION_INFO_V1(gamma_gamma_clv);

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
	PG_RETURN_FLOAT8(expected_spend("gamma_gamma_expected_spend", gg,
									PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2)));
}

/*
 * gamma_gamma_clv(bg, gg, frequency, recency, t, monetary_value, months,
 * monthly_discount, unit_days): sum over months i of the purchases expected in month i
 * (30 days = 30 / unit_days model units) times the expected spend, discounted by
 * (1 + monthly_discount)^i - the definition of lifetimes' customer_lifetime_value.
 */
Datum
gamma_gamma_clv(PG_FUNCTION_ARGS)
{
	const char *fname = "gamma_gamma_clv";
	double		bg[4],
				gg[3];
	double		x = PG_GETARG_FLOAT8(2),
				tx = PG_GETARG_FLOAT8(3),
				T = PG_GETARG_FLOAT8(4),
				m = PG_GETARG_FLOAT8(5);
	int32		months = PG_GETARG_INT32(6);
	double		d = PG_GETARG_FLOAT8(7),
				unit_days = PG_GETARG_FLOAT8(8);
	double		spend,
				month,
				prev = 0.0,
				clv = 0.0;

	clv_read_model(fcinfo, 0, "bgnbd_model", bg_fields, 4, bg);
	clv_read_model(fcinfo, 1, "gamma_gamma_model", gg_fields, 3, gg);
	clv_check_customer(fname, x, tx, T);
	clv_check_finite(fname, "monthly_discount", d);
	clv_check_finite(fname, "unit_days", unit_days);
	if (months < 0 || months > 1200)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: months must be between 0 and 1200, got %d", fname, months)));
	if (d <= -1.0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: monthly_discount must be greater than -1, got %g", fname, d)));
	if (unit_days <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: unit_days must be positive, got %g", fname, unit_days),
				 errhint("unit_days is the length of the model's time unit in days: 1 for days, 7 for weeks.")));

	spend = expected_spend(fname, gg, x, m);
	month = 30.0 / unit_days;
	for (int i = 1; i <= months; i++)
	{
		double		cum;

		/* up to 1200 series evaluations: stay cancellable */
		CHECK_FOR_INTERRUPTS();
		cum = bgnbd_expected(bg, i * month, x, tx, T);
		if (!isfinite(cum))
			CHECK_FOR_INTERRUPTS();	/* the series gives up for a pending cancel */
		if (!isfinite(cum))
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("%s: cannot evaluate expected purchases %d months ahead", fname, i)));
		clv += (cum - prev) * spend / pow(1.0 + d, i);
		prev = cum;
	}
	PG_RETURN_FLOAT8(clv_check_result(fname, clv));
}
