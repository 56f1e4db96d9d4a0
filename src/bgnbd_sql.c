/*
 * bgnbd_sql.c - SQL interface of the BG/NBD model: fit aggregate and predictions.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"

#include "clv.h"

static const char *const bgnbd_fields[] = {"r", "alpha", "a", "b"};

#define READ_BGNBD(argno, par) \
	clv_read_model(fcinfo, (argno), "bgnbd_model", bgnbd_fields, 4, (par))

PG_FUNCTION_INFO_V1(bgnbd_fit_trans);
PG_FUNCTION_INFO_V1(bgnbd_fit_final);
PG_FUNCTION_INFO_V1(bgnbd_expected_purchases);
PG_FUNCTION_INFO_V1(bgnbd_expected_purchases_new);
PG_FUNCTION_INFO_V1(bgnbd_p_alive);

/* bgnbd_fit(frequency, recency, t): rows with a NULL are skipped */
Datum
bgnbd_fit_trans(PG_FUNCTION_ARGS)
{
	MemoryContext cxt = clv_agg_context(fcinfo, "bgnbd_fit");
	RowSet	   *rs = PG_ARGISNULL(0) ? NULL : (RowSet *) PG_GETARG_POINTER(0);
	double		x,
				tx,
				T;

	if (rs == NULL)
		rs = rowset_create(cxt);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_POINTER(rs);
	x = PG_GETARG_FLOAT8(1);
	tx = PG_GETARG_FLOAT8(2);
	T = PG_GETARG_FLOAT8(3);
	clv_check_customer("bgnbd_fit", x, tx, T);
	rowset_add(rs, x, tx, T, 1.0);
	PG_RETURN_POINTER(rs);
}

Datum
bgnbd_fit_final(PG_FUNCTION_ARGS)
{
	RowSet	   *rs = PG_ARGISNULL(0) ? NULL : (RowSet *) PG_GETARG_POINTER(0);
	clv_rows	rows;
	clv_optim_options opts;
	clv_fit		fit;
	bool		repeat = false;

	if (rs == NULL || rs->n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bgnbd_fit: no customers to fit"),
				 errhint("Every row was NULL or the group is empty.")));
	rowset_to_rows(rs, &rows);
	for (long i = 0; i < rows.n && !repeat; i++)
		repeat = rows.v[i * CLV_ROW_WIDTH] > 0;
	if (!repeat)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bgnbd_fit: no customer has a repeat purchase"),
				 errdetail("With every frequency 0 the purchase and drop-out rates cannot be told apart."),
				 errhint("Use a longer observation period or more customers.")));
	if (rows.n < 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bgnbd_fit: %ld distinct (frequency, recency, t) rows, at least 3 are needed",
						rows.n),
				 errhint("The four parameters cannot be identified from so few distinct customers.")));

	clv_optim_defaults(&opts);
	bgnbd_fit_rows(&rows, &opts, &fit);
	clv_fit_finish("bgnbd_fit", &fit);
	PG_RETURN_DATUM(clv_model_datum(fcinfo, fit.par, 4, &fit, rows.wsum));
}

static double
checked_expected(const double *par, double t, double x, double tx, double T)
{
	double		e;

	clv_check_finite("bgnbd_expected_purchases", "t", t);
	if (t < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bgnbd_expected_purchases: horizon t must be >= 0, got %g", t)));
	e = bgnbd_expected(par, t, x, tx, T);

	/*
	 * The series cancels two terms of order 1 when r or t is tiny: -5e-15 for r = 1e-308
	 * (libFuzzer). An expectation of a count is >= 0; rounding below 0 is reported as 0,
	 * anything more negative would be a bug and is an ERROR below.
	 */
	if (e < 0 && e >= -1e-12)
		e = 0.0;
	if (!isfinite(e) || e < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("bgnbd_expected_purchases: cannot evaluate the expectation for horizon %g", t),
				 errdetail("The hypergeometric series did not converge."),
				 errhint("Use a horizon of the order of the observation period.")));
	return e;
}

/* bgnbd_expected_purchases(model, t, frequency, recency, t_customer) */
Datum
bgnbd_expected_purchases(PG_FUNCTION_ARGS)
{
	double		par[4];
	double		x = PG_GETARG_FLOAT8(2),
				tx = PG_GETARG_FLOAT8(3),
				T = PG_GETARG_FLOAT8(4);

	READ_BGNBD(0, par);
	clv_check_customer("bgnbd_expected_purchases", x, tx, T);
	PG_RETURN_FLOAT8(checked_expected(par, PG_GETARG_FLOAT8(1), x, tx, T));
}

/* bgnbd_expected_purchases(model, t): a new customer, E[X(t)] */
Datum
bgnbd_expected_purchases_new(PG_FUNCTION_ARGS)
{
	double		par[4];

	READ_BGNBD(0, par);
	PG_RETURN_FLOAT8(checked_expected(par, PG_GETARG_FLOAT8(1), 0, 0, 0));
}

/* bgnbd_p_alive(model, frequency, recency, t_customer) */
Datum
bgnbd_p_alive(PG_FUNCTION_ARGS)
{
	double		par[4];
	double		x = PG_GETARG_FLOAT8(1),
				tx = PG_GETARG_FLOAT8(2),
				T = PG_GETARG_FLOAT8(3);

	READ_BGNBD(0, par);
	clv_check_customer("bgnbd_p_alive", x, tx, T);
	PG_RETURN_FLOAT8(clv_check_result("bgnbd_p_alive", bgnbd_prob_alive(par, x, tx, T)));
}
