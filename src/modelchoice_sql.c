/*
 * modelchoice_sql.c - comparing fitted models: the likelihood-ratio test of nested fits
 * (the aic and bic fields are filled by the fits, clv_model_datum).
 */
#include "postgres.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

#include "clv.h"

PG_FUNCTION_INFO_V1(clv_lrtest_models);
PG_FUNCTION_INFO_V1(clv_lrtest_loglik);

typedef struct FitSummary
{
	double		loglik;			/* NaN: none (a model built from parameters) */
	double		n;				/* n_customers; NaN if NULL */
	double		penalizer;		/* NaN: not recorded (stored before 0.3) */
	bool		converged;
	int			k;				/* estimated parameters */
} FitSummary;

/*
 * The fit statistics of a model argument, by field name. Its estimated parameters are
 * the fields before log_likelihood plus the elements of any float8[] field named
 * *_coefficients (covariate effects), so fits with and without covariates compare.
 */
static void
read_fit(FunctionCallInfo fcinfo, int argno, FitSummary *f)
{
	HeapTupleHeader th = PG_GETARG_HEAPTUPLEHEADER(argno);
	TupleDesc	td = lookup_rowtype_tupdesc(HeapTupleHeaderGetTypeId(th),
											HeapTupleHeaderGetTypMod(th));
	HeapTupleData tuple;
	int			natts = td->natts;
	Datum	   *values = palloc(sizeof(Datum) * natts);
	bool	   *nulls = palloc(sizeof(bool) * natts);
	int			ll = -1;

	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	heap_deform_tuple(&tuple, td, values, nulls);

	f->loglik = f->n = f->penalizer = NAN;
	f->converged = false;
	f->k = 0;
	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute a = TupleDescAttr(td, i);
		const char *name = NameStr(a->attname);
		size_t		len = strlen(name);

		if (a->attisdropped)
			continue;
		if (strcmp(name, "log_likelihood") == 0 && a->atttypid == FLOAT8OID)
		{
			ll = i;
			if (!nulls[i])
				f->loglik = DatumGetFloat8(values[i]);
		}
		else if (strcmp(name, "n_customers") == 0 && a->atttypid == INT8OID && !nulls[i])
			f->n = (double) DatumGetInt64(values[i]);
		else if (strcmp(name, "converged") == 0 && a->atttypid == BOOLOID && !nulls[i])
			f->converged = DatumGetBool(values[i]);
		else if (strcmp(name, "penalizer") == 0 && a->atttypid == FLOAT8OID && !nulls[i])
			f->penalizer = DatumGetFloat8(values[i]);
		else if (len > 13 && strcmp(name + len - 13, "_coefficients") == 0 &&
				 a->atttypid == FLOAT8ARRAYOID && !nulls[i])
		{
			ArrayType  *arr = DatumGetArrayTypeP(values[i]);

			f->k += ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
		}
	}
	ReleaseTupleDesc(td);
	if (ll < 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("clv_lrtest: argument %d is not a fitted model (it has no log_likelihood field)", argno + 1)));
	f->k += ll;
}

static Datum
lrtest_result(FunctionCallInfo fcinfo, double ll_r, double ll_f, int df)
{
	TupleDesc	td;
	Datum		values[3];
	bool		nulls[3] = {0};
	double		stat,
				p;

	if (!isfinite(ll_r) || !isfinite(ll_f))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clv_lrtest: the log-likelihoods must be finite numbers, got %g and %g", ll_r, ll_f)));
	if (df <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clv_lrtest: n_restrictions must be positive, got %d", df),
				 errhint("n_restrictions is how many more parameters the full model estimates than the restricted one (the df of the test).")));
	/* the full model nests the restricted one: it cannot fit worse, beyond rounding */
	if (ll_f < ll_r - 1e-6 * fmax(1.0, fabs(ll_r)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clv_lrtest: the full model's log-likelihood %g is below the restricted model's %g", ll_f, ll_r),
				 errdetail("A model that nests another fits the same data at least as well; this pair is not nested, was fitted to different data, or a fit did not reach its maximum."),
				 errhint("Pass the restricted (smaller) model first and the full model second, both fitted to the same customers.")));
	stat = fmax(0.0, 2.0 * (ll_f - ll_r));
	p = gsl_cdf_chisq_Q(stat, (double) df);
	if (!(p >= 0.0 && p <= 1.0))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("clv_lrtest: cannot evaluate the chi-square tail at %g with %d df", stat, df)));
	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("function returning record called in context that cannot accept type record")));
	td = BlessTupleDesc(td);
	values[0] = Float8GetDatum(stat);
	values[1] = Int32GetDatum(df);
	values[2] = Float8GetDatum(p);
	return HeapTupleGetDatum(heap_form_tuple(td, values, nulls));
}

/*
 * clv_lrtest(restricted, full) for two models of one kind: 2 (LL_full - LL_restricted)
 * against chi-square with df = the difference of their estimated parameters. Only
 * unpenalised maximum-likelihood fits to the same customers qualify: a penalised fit
 * does not maximise the likelihood, so its statistic has no chi-square distribution.
 */
Datum
clv_lrtest_models(PG_FUNCTION_ARGS)
{
	FitSummary	r,
				f;
	const char *typ = format_type_be(get_fn_expr_argtype(fcinfo->flinfo, 0));

	read_fit(fcinfo, 0, &r);
	read_fit(fcinfo, 1, &f);
	for (int i = 0; i < 2; i++)
	{
		FitSummary *m = i ? &f : &r;
		const char *which = i ? "full" : "restricted";

		if (isnan(m->loglik) || isnan(m->n))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("clv_lrtest: the %s model has no log-likelihood", which),
					 errdetail("A model built from parameters (%s(...)) records no fit.", typ),
					 errhint("Pass two models returned by the fit aggregate.")));
		if (!m->converged)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("clv_lrtest: the %s fit did not converge", which),
					 errdetail("The test compares maximised likelihoods; a fit that stopped early has not reached its maximum."),
					 errhint("Refit with more customers or a longer observation period.")));
		if (isnan(m->penalizer))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("clv_lrtest: the %s model does not record whether its fit was penalised", which),
					 errdetail("Models stored before clv 0.3 have no penalizer field."),
					 errhint("Refit the model with clv 0.3 or later.")));
		if (m->penalizer > 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("clv_lrtest: the %s fit is penalised (penalizer %g)", which, m->penalizer),
					 errdetail("A penalised fit does not maximise the likelihood, so twice the log-likelihood difference has no chi-square distribution; penalised against unpenalised fits of one model are not nested either (they estimate the same parameters)."),
					 errhint("Compare penalised fits by their aic or bic, or by a holdout (clv_holdout_eval), and test unpenalised fits.")));
	}
	if (r.n != f.n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clv_lrtest: the models were fitted to different data (%.0f and %.0f customers)", r.n, f.n),
				 errdetail("Likelihoods of different data do not compare."),
				 errhint("Fit both models to the same customers.")));
	if (f.k <= r.k)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clv_lrtest: the full model estimates %d parameters, the restricted one %d: they are not nested",
						f.k, r.k),
				 errdetail("The test needs a full model with more parameters than the restricted one it contains; two fits of %s with the same parameters (e.g. with and without a penalizer) are not nested.", typ),
				 errhint("Compare such fits by their aic and bic fields.")));
	PG_RETURN_DATUM(lrtest_result(fcinfo, r.loglik, f.loglik, f.k - r.k));
}

/* clv_lrtest(restricted_log_likelihood, full_log_likelihood, df): for any pair of nested fits */
Datum
clv_lrtest_loglik(PG_FUNCTION_ARGS)
{
	PG_RETURN_DATUM(lrtest_result(fcinfo, PG_GETARG_FLOAT8(0), PG_GETARG_FLOAT8(1),
								  PG_GETARG_INT32(2)));
}
