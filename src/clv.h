/*
 * clv.h - shared SQL glue: aggregate state of weighted distinct rows, model I/O, errors.
 */
#ifndef CLV_H
#define CLV_H

#include "postgres.h"
#include "fmgr.h"
#include "datatype/timestamp.h"

#include "pg_compat.h"

#include "models.h"

/*
 * Aggregate state of the fits: distinct rows of CLV_ROW_WIDTH - 1 keys and a weight.
 * Rows are appended; when the buffer fills, the new rows are sorted and merged into the
 * sorted, distinct prefix, so memory and the optimiser's work grow with distinct rows,
 * not with customers, and no row is sorted twice.
 */
typedef struct RowSet
{
	int64		n;				/* rows in use */
	int64		nsorted;		/* rows [0, nsorted) are sorted and distinct */
	int64		cap;			/* rows allocated */
	double		penalizer;		/* per-group fit option; NaN until a row sets it */
	double		unit_days;		/* days per time unit of the rows (from a summary
								 * composite); NaN: not known (bare numbers) */
	double	   *v;				/* n * CLV_ROW_WIDTH doubles */
	char		kind;			/* what the rows are (ROWSET_*), 0 for other uses */
} RowSet;

/* Row kinds of the fit aggregates' states, checked when a state is read back. */
#define ROWSET_BTYD 'B'			/* (x, t_x, T): BG/NBD, MBG/NBD, Pareto/NBD */
#define ROWSET_SPEND 'G'		/* (x, mean spend, log mean spend): Gamma-Gamma */
#define ROWSET_DISCRETE 'D'		/* (x, t_x, n): BG/BB */

extern RowSet *rowset_create(MemoryContext cxt);
extern void rowset_add(RowSet *rs, double c0, double c1, double c2, double w);
extern void rowset_set_penalizer(RowSet *rs, double penalizer, const char *fname);
extern void rowset_set_unit(RowSet *rs, double unit_days, const char *fname);
extern void rowset_compact(RowSet *rs);
extern void rowset_merge(RowSet *dst, const RowSet *src);
/* Serial form for SERIALFUNCs: the penalizer, then the rows (see rowset.c). */
#define ROWSET_SERIAL_FIXED sizeof(double)
#define ROWSET_SERIAL_ROW (sizeof(double) * CLV_ROW_WIDTH)
extern int64 rowset_serial_rows(RowSet *rs);
extern void rowset_serialize_into(const RowSet *rs, char *dst);
extern RowSet *rowset_deserialize(const char *src, Size len, char kind);
extern void rowset_to_rows(RowSet *rs, clv_rows *rows);

/*
 * The fit aggregates' state is a bytea (so that Citus releases without support for
 * `internal` states push the partial aggregation down), held while aggregating as an
 * expanded object: rows are added in place and flattened only when the state leaves
 * the process. rowset_trans_state: argument 0 of a transition function as a RowSet to
 * add to; *result is the Datum to return. rowset_read_state: a state argument to read
 * (a flat bytea from a user or another node is validated row by row); NULL for NULL.
 */
extern RowSet *rowset_trans_state(FunctionCallInfo fcinfo, char kind, const char *fname,
								  Datum *result);
extern RowSet *rowset_read_state(FunctionCallInfo fcinfo, int argno, char kind,
								 const char *fname);

/*
 * Serialised aggregate states (SERIALFUNCs and the fits' flat bytea): every length goes
 * through here. clv_state_size: fixed bytes (varlena header included) plus nitems items
 * of itemsize bytes, or an ERROR (with the count of items, the bytes and hint, NULL for
 * the general one) past 1 GB, the largest varlena, or the lower clv.max_state_bytes.
 * clv_state_alloc: a bytea of VARHDRSZ + fixed + nitems * itemsize bytes, length set.
 */
extern int	clv_max_state_bytes;
extern int	clv_fit_threads;
extern int	clv_threads(void);
extern Size clv_state_size(const char *fname, Size fixed, int64 nitems, Size itemsize,
						   const char *items, const char *hint);
extern bytea *clv_state_alloc(const char *fname, Size fixed, int64 nitems, Size itemsize,
							  const char *items, const char *hint);

/* CHECK_FOR_INTERRUPTS as a function, for the plain-C math's polling callbacks. */
extern void clv_check_interrupts(void);

/* Aggregate memory context, or an ERROR naming the function. */
extern MemoryContext clv_agg_context(FunctionCallInfo fcinfo, const char *fname);
extern MemoryContext clv_states_context(MemoryContext aggcxt);
extern void clv_check_rw_state(Datum d, const char *fname);

/* Optimiser options with interrupt polling; raises the pending cancel after a fit. */
extern void clv_optim_defaults(clv_optim_options *opts);
extern void clv_fit_finish(const char *fname, const clv_fit *fit);

/* Composite model arguments and results. */
extern void clv_read_model(FunctionCallInfo fcinfo, int argno, const char *typname,
						   const char *const *fields, int nfields, double *out);
extern Datum clv_model_datum(FunctionCallInfo fcinfo, const double *par, int npar,
							 const clv_fit *fit, double n_customers, double unit_days,
							 double penalizer);

/*
 * The time unit that travels with the data: a model's unit_days (NaN when it has none:
 * fitted from bare numbers, built by a constructor, or stored before 0.2), and a check
 * that two known units agree.
 */
extern double clv_model_unit(FunctionCallInfo fcinfo, int argno);
extern void clv_check_units(const char *fname, double model_unit, double data_unit);

/* A clv_customer_summary argument; monetary_value NaN when NULL (no repeat purchase). */
typedef struct clv_summary_fields
{
	double		frequency;
	double		recency;
	double		t;
	double		monetary_value;
	double		unit_days;		/* NaN if the summary has none */
} clv_summary_fields;

extern void clv_read_summary(FunctionCallInfo fcinfo, int argno, const char *fname,
							 clv_summary_fields *s);

/* The final step of every fit aggregate: identification checks, fit, model composite. */
extern Datum clv_fit_final(FunctionCallInfo fcinfo, const clv_model_desc *m);

/* The calendar day (DateADT) of a timestamptz in the session's TimeZone. */
extern int32 clv_local_day(TimestampTz ts);

/* Validation of one customer's (frequency, recency, T) triple. */
extern void clv_check_customer(const char *fname, double x, double tx, double T);
extern void clv_check_finite(const char *fname, const char *argname, double v);
extern void clv_check_frequency(const char *fname, double x);
/* Discrete-time (BG/BB) pattern: x <= t_x <= n, whole numbers. */
extern void clv_check_discrete(const char *fname, double x, double tx, double n);
extern double clv_check_result(const char *fname, double v);

/*
 * Prediction intervals (intervals_sql.c). clv_fn_extra: a pointer kept across calls
 * beside the model cache in fn_extra. clv_model_covariance: the k x k covariance field
 * of model argument argno, or an ERROR (none, wrong size, non-finite).
 */
extern void **clv_fn_extra(FunctionCallInfo fcinfo);
extern void clv_model_covariance(FunctionCallInfo fcinfo, int argno, const char *typname,
								 const char *fname, int k, double *cov);

extern void clv_interval_no_covariates(FunctionCallInfo fcinfo, int argno, const char *typname,
									   const char *fname);

typedef struct clv_interval_args
{
	double		level;
	int32		draws;
	int32		seed;
} clv_interval_args;

/* level, draws, seed from arguments argno.. argno + 2, validated */
extern void clv_interval_read_args(FunctionCallInfo fcinfo, int argno, const char *fname,
								   clv_interval_args *ia);

/*
 * The draws (ia->draws x k, natural scale) of model argument argno with parameters par,
 * cached per (slot, model, draws, seed): slot 0 the purchase model, 1 the spend model.
 */
extern const double *clv_interval_draws(FunctionCallInfo fcinfo, int slot, int argno,
										const char *typname, const char *fname, int k,
										const double *par, const clv_interval_args *ia);

/* The same, the first nlog parameters drawn on the log scale, the others on their own. */
extern const double *clv_interval_draws_mixed(FunctionCallInfo fcinfo, int slot, int argno,
											  const char *typname, const char *fname, int k,
											  int nlog, const double *par,
											  const clv_interval_args *ia);

/* Scratch space for n values, kept across calls (two separate buffers). */
extern double *clv_interval_values(FunctionCallInfo fcinfo, int n);
extern double *clv_interval_scratch(FunctionCallInfo fcinfo, int n);

/*
 * A covariate model's draws for one customer (covariates_sql.c): model argument argno,
 * the customer's purchase and drop-out covariate vectors at arguments zarg and zarg + 1,
 * checked as clv_customer_model checks them. par[4] gets the customer's parameters at the
 * fit; the result is ia->draws x 4 customer parameters, each from one joint draw of the
 * full parameter vector (r, alpha, s|a, beta|b on the log scale, the coefficients on
 * theirs); a draw whose customer parameters overflow has NaN as its first value.
 */
extern const double *clv_cov_interval_draws(FunctionCallInfo fcinfo, int argno, int zarg,
											const char *typname, const char *fname,
											const clv_interval_args *ia, double *par);

/*
 * The clv_interval composite: estimate, the quantiles of the n values (non-finite ones:
 * draws at which the quantity could not be evaluated; more than 1 % is an ERROR), level.
 */
extern Datum clv_interval_result(FunctionCallInfo fcinfo, const char *fname, double estimate,
								 double *values, int n, const clv_interval_args *ia);

#endif
