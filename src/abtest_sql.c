/*
 * abtest_sql.c - SQL interface of A/B testing: hash assignment, two-variant
 * proportion and mean tests (aggregates), sample size.
 *
 * The test aggregates keep, per variant label, the count, the conversions and the
 * running mean and centred sum of squares (Welford), which merge across parallel
 * workers. int variants (ab_assign's output) are kept as their decimal text. The
 * control is the label the query names, else one the labels themselves make clear
 * (clv_ab_default_control), else an ERROR.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "lib/stringinfo.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#include "biz.h"
#include "clv.h"
#include "stats.h"

PG_FUNCTION_INFO_V1(ab_assign);
PG_FUNCTION_INFO_V1(ab_sample_size);
PG_FUNCTION_INFO_V1(ab_test_prop_trans);
PG_FUNCTION_INFO_V1(ab_test_mean_trans);
PG_FUNCTION_INFO_V1(ab_test_prop_trans_ctl);
PG_FUNCTION_INFO_V1(ab_test_mean_trans_ctl);
PG_FUNCTION_INFO_V1(ab_test_prop_trans_int);
PG_FUNCTION_INFO_V1(ab_test_mean_trans_int);
PG_FUNCTION_INFO_V1(ab_test_prop_trans_int_ctl);
PG_FUNCTION_INFO_V1(ab_test_mean_trans_int_ctl);
PG_FUNCTION_INFO_V1(ab_test_combine);
PG_FUNCTION_INFO_V1(ab_test_serialize);
PG_FUNCTION_INFO_V1(ab_test_deserialize);
PG_FUNCTION_INFO_V1(ab_proportion_test_final);
PG_FUNCTION_INFO_V1(ab_mean_test_final);

#define AB_CONF 0.95

/*
 * ab_assign(subject, experiment, variants): 1..variants from SipHash-2-4 of
 * experiment || 0x00 || subject (text cannot contain 0x00, so the split is unambiguous).
 */
Datum
ab_assign(PG_FUNCTION_ARGS)
{
	text	   *subject = PG_GETARG_TEXT_PP(0);
	text	   *experiment = PG_GETARG_TEXT_PP(1);
	int32		variants = PG_GETARG_INT32(2);
	size_t		ls = VARSIZE_ANY_EXHDR(subject),
				le = VARSIZE_ANY_EXHDR(experiment);
	char	   *buf;
	int			v;

	if (variants < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ab_assign: variants must be at least 1, got %d", variants)));
	buf = palloc(le + 1 + ls);
	memcpy(buf, VARDATA_ANY(experiment), le);
	buf[le] = '\0';
	memcpy(buf + le + 1, VARDATA_ANY(subject), ls);
	v = clv_hash_variant(buf, le + 1 + ls, variants);
	pfree(buf);
	PG_RETURN_INT32(v);
}

static void
check_open_unit(const char *what, double v)
{
	if (!(v > 0 && v < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ab_sample_size: %s must be strictly between 0 and 1, got %g", what, v)));
}

/* ab_sample_size(baseline_rate, minimum_detectable_effect, alpha, power) -> per variant */
Datum
ab_sample_size(PG_FUNCTION_ARGS)
{
	double		p1 = PG_GETARG_FLOAT8(0),
				mde = PG_GETARG_FLOAT8(1),
				alpha = PG_GETARG_FLOAT8(2),
				power = PG_GETARG_FLOAT8(3);
	double		n;

	check_open_unit("baseline_rate", p1);
	check_open_unit("alpha", alpha);
	check_open_unit("power", power);
	if (!isfinite(mde) || mde == 0 || !(p1 + mde > 0 && p1 + mde < 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ab_sample_size: minimum_detectable_effect %g is not a possible change of the rate %g",
						mde, p1),
				 errdetail("The effect is absolute: baseline_rate + minimum_detectable_effect must be strictly between 0 and 1 and differ from baseline_rate."),
				 errhint("For a 10 %% relative lift of a 5 %% rate pass 0.005.")));
	if (clv_sample_size(p1, mde, alpha, power, &n) != CLV_STAT_OK || !isfinite(n) || n > 1e15)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("ab_sample_size: no finite sample size for baseline_rate %g, effect %g, alpha %g, power %g",
						p1, mde, alpha, power)));
	/* ceil of a value that is a whole number up to rounding stays that number */
	PG_RETURN_INT64((int64) ceil(n * (1.0 - 1e-12)));
}

/* Aggregate state: at most two variants. */
typedef struct AbArm
{
	double		n;				/* subjects */
	double		x;				/* conversions (proportion test) */
	double		mean;			/* running mean (mean test) */
	double		m2;				/* centred sum of squares (mean test) */
	int32		len;
	char	   *label;			/* len bytes, not terminated */
} AbArm;

/* flags */
#define AB_INT_LABELS	0x1		/* variants are int (labels are their decimal text) */
#define AB_HAS_CONTROL	0x2		/* the query names the control: control/clen */

typedef struct AbState
{
	int			narms;
	int32		flags;
	int32		clen;
	char	   *control;		/* clen bytes, not terminated */
	AbArm		arm[2];
} AbState;

static int
label_cmp(const char *a, int32 la, const char *b, int32 lb)
{
	int			c = memcmp(a, b, Min(la, lb));

	if (c != 0)
		return c;
	return (la > lb) - (la < lb);
}

static void
too_many(const char *fname, const AbState *st, const char *label, int32 len)
{
	bool		is_int = (st->flags & AB_INT_LABELS) != 0;
	const char *q = is_int ? "" : "\"";

	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("%s: more than two variants: %s%.*s%s, %s%.*s%s and %s%.*s%s", fname,
					q, st->arm[0].len, st->arm[0].label, q,
					q, st->arm[1].len, st->arm[1].label, q, q, len, label, q),
			 errdetail("A test compares one treatment with the control."),
			 errhint("Compare two variants at a time, one query per treatment, e.g. WHERE variant IN (%s).",
					 is_int ? "1, 2" : "'A', 'B'")));
}

/* The arm of a label, created in cxt if new. */
static AbArm *
arm_for(const char *fname, MemoryContext cxt, AbState *st, const char *label, int32 len)
{
	AbArm	   *a;

	for (int i = 0; i < st->narms; i++)
		if (label_cmp(st->arm[i].label, st->arm[i].len, label, len) == 0)
			return &st->arm[i];
	if (st->narms == 2)
		too_many(fname, st, label, len);
	a = &st->arm[st->narms++];
	a->n = a->x = a->mean = a->m2 = 0;
	a->len = len;
	a->label = MemoryContextAlloc(cxt, Max(len, 1));
	memcpy(a->label, label, len);
	return a;
}

/* Remembers the control label of the first row; every other row must give the same. */
static void
set_control(const char *fname, MemoryContext cxt, AbState *st, const char *label, int32 len)
{
	if (!(st->flags & AB_HAS_CONTROL))
	{
		st->control = MemoryContextAlloc(cxt, Max(len, 1));
		memcpy(st->control, label, len);
		st->clen = len;
		st->flags |= AB_HAS_CONTROL;
	}
	else if (label_cmp(st->control, st->clen, label, len) != 0)
	{
		const char *q = (st->flags & AB_INT_LABELS) ? "" : "\"";

		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: the control must be the same for every row of a group, got %s%.*s%s and %s%.*s%s",
						fname, q, st->clen, st->control, q, q, len, label, q),
				 errhint("Pass the control label as a constant.")));
	}
}

/*
 * The state and the row's variant label of a transition call: arguments (state,
 * variant, outcome[, control]); is_int: variant and control are int. Returns NULL label
 * when the row is skipped (NULL variant or outcome). A NULL control is an ERROR.
 */
static AbState *
trans_begin(FunctionCallInfo fcinfo, const char *fname, bool is_int, bool with_control,
			MemoryContext *cxtp, const char **label, int32 *len, char *numbuf)
{
	MemoryContext cxt = clv_agg_context(fcinfo, fname);
	AbState    *st;

	if (PG_ARGISNULL(0))
	{
		st = MemoryContextAllocZero(cxt, sizeof(AbState));
		st->flags = is_int ? AB_INT_LABELS : 0;
	}
	else
		st = (AbState *) PG_GETARG_POINTER(0);
	if (with_control)
	{
		if (PG_ARGISNULL(3))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s: the control must not be NULL", fname),
					 errhint("Pass the label of the control variant, e.g. %s(variant, %s, %s).",
							 fname, strcmp(fname, "ab_mean_test") == 0 ? "value" : "converted",
							 is_int ? "1" : "'A'")));
		if (is_int)
		{
			int			n = pg_ltoa(PG_GETARG_INT32(3), numbuf);

			set_control(fname, cxt, st, numbuf, n);
		}
		else
		{
			text	   *c = PG_GETARG_TEXT_PP(3);

			set_control(fname, cxt, st, VARDATA_ANY(c), VARSIZE_ANY_EXHDR(c));
		}
	}
	*cxtp = cxt;
	*label = NULL;
	*len = 0;
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		return st;
	if (is_int)
	{
		*len = pg_ltoa(PG_GETARG_INT32(1), numbuf);
		*label = numbuf;
	}
	else
	{
		text	   *v = PG_GETARG_TEXT_PP(1);

		*label = VARDATA_ANY(v);
		*len = VARSIZE_ANY_EXHDR(v);
	}
	return st;
}

/* ab_proportion_test(variant, converted[, control]): rows with a NULL are skipped */
static Datum
prop_trans(FunctionCallInfo fcinfo, bool is_int, bool with_control)
{
	MemoryContext cxt;
	char		numbuf[12];
	const char *label;
	int32		len;
	AbState    *st = trans_begin(fcinfo, "ab_proportion_test", is_int, with_control,
								 &cxt, &label, &len, numbuf);
	AbArm	   *a;

	if (label == NULL)
		PG_RETURN_POINTER(st);
	a = arm_for("ab_proportion_test", cxt, st, label, len);
	a->n += 1;
	if (PG_GETARG_BOOL(2))
		a->x += 1;
	PG_RETURN_POINTER(st);
}

/* ab_mean_test(variant, value[, control]): rows with a NULL are skipped */
static Datum
mean_trans(FunctionCallInfo fcinfo, bool is_int, bool with_control)
{
	MemoryContext cxt;
	char		numbuf[12];
	const char *label;
	int32		len;
	AbState    *st = trans_begin(fcinfo, "ab_mean_test", is_int, with_control,
								 &cxt, &label, &len, numbuf);
	AbArm	   *a;
	double		y,
				d;

	if (label == NULL)
		PG_RETURN_POINTER(st);
	y = PG_GETARG_FLOAT8(2);
	clv_check_finite("ab_mean_test", "value", y);
	a = arm_for("ab_mean_test", cxt, st, label, len);
	a->n += 1;
	d = y - a->mean;
	a->mean += d / a->n;
	a->m2 += d * (y - a->mean);
	PG_RETURN_POINTER(st);
}

Datum
ab_test_prop_trans(PG_FUNCTION_ARGS)
{
	return prop_trans(fcinfo, false, false);
}

Datum
ab_test_prop_trans_ctl(PG_FUNCTION_ARGS)
{
	return prop_trans(fcinfo, false, true);
}

Datum
ab_test_prop_trans_int(PG_FUNCTION_ARGS)
{
	return prop_trans(fcinfo, true, false);
}

Datum
ab_test_prop_trans_int_ctl(PG_FUNCTION_ARGS)
{
	return prop_trans(fcinfo, true, true);
}

Datum
ab_test_mean_trans(PG_FUNCTION_ARGS)
{
	return mean_trans(fcinfo, false, false);
}

Datum
ab_test_mean_trans_ctl(PG_FUNCTION_ARGS)
{
	return mean_trans(fcinfo, false, true);
}

Datum
ab_test_mean_trans_int(PG_FUNCTION_ARGS)
{
	return mean_trans(fcinfo, true, false);
}

Datum
ab_test_mean_trans_int_ctl(PG_FUNCTION_ARGS)
{
	return mean_trans(fcinfo, true, true);
}

static void
arm_merge(AbArm *dst, const AbArm *src)
{
	double		n = dst->n + src->n,
				d = src->mean - dst->mean;

	if (src->n == 0)
		return;
	dst->m2 += src->m2 + d * d * dst->n * src->n / n;
	dst->mean += d * src->n / n;
	dst->x += src->x;
	dst->n = n;
}

Datum
ab_test_combine(PG_FUNCTION_ARGS)
{
	const char *fname = "ab_proportion_test/ab_mean_test";
	MemoryContext cxt = clv_agg_context(fcinfo, "ab_test_combine");
	AbState    *a = PG_ARGISNULL(0) ? NULL : (AbState *) PG_GETARG_POINTER(0);
	AbState    *b = PG_ARGISNULL(1) ? NULL : (AbState *) PG_GETARG_POINTER(1);

	if (b == NULL)
	{
		if (a == NULL)
			PG_RETURN_NULL();
		PG_RETURN_POINTER(a);
	}
	if (a == NULL)
	{
		a = MemoryContextAllocZero(cxt, sizeof(AbState));
		a->flags = b->flags & AB_INT_LABELS;
	}
	if ((a->flags & AB_INT_LABELS) != (b->flags & AB_INT_LABELS))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: cannot combine a state of int variants with one of text variants",
						fname)));
	if (b->flags & AB_HAS_CONTROL)
		set_control(fname, cxt, a, b->control, b->clen);
	for (int i = 0; i < b->narms; i++)
		arm_merge(arm_for(fname, cxt, a, b->arm[i].label, b->arm[i].len), &b->arm[i]);
	PG_RETURN_POINTER(a);
}

Datum
ab_test_serialize(PG_FUNCTION_ARGS)
{
	AbState    *st = (AbState *) PG_GETARG_POINTER(0);
	StringInfoData buf;

	(void) clv_agg_context(fcinfo, "ab_test_serialize");
	pq_begintypsend(&buf);
	pq_sendint32(&buf, st->narms);
	pq_sendint32(&buf, st->flags);
	pq_sendint32(&buf, st->clen);
	pq_sendbytes(&buf, st->control, st->clen);
	for (int i = 0; i < st->narms; i++)
	{
		pq_sendfloat8(&buf, st->arm[i].n);
		pq_sendfloat8(&buf, st->arm[i].x);
		pq_sendfloat8(&buf, st->arm[i].mean);
		pq_sendfloat8(&buf, st->arm[i].m2);
		pq_sendint32(&buf, st->arm[i].len);
		pq_sendbytes(&buf, st->arm[i].label, st->arm[i].len);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static void
bad_state(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid ab test aggregate state")));
}

/* len bytes of buf, checked against what is left, into a palloc'd copy */
static char *
get_label(StringInfo buf, int32 *len)
{
	char	   *s;

	*len = pq_getmsgint(buf, 4);
	if (*len < 0 || *len > buf->len - buf->cursor)
		bad_state();
	s = palloc(Max(*len, 1));
	pq_copymsgbytes(buf, s, *len);
	return s;
}

Datum
ab_test_deserialize(PG_FUNCTION_ARGS)
{
	bytea	   *b = PG_GETARG_BYTEA_PP(0);
	StringInfoData buf;
	AbState    *st = palloc0(sizeof(AbState));

	(void) clv_agg_context(fcinfo, "ab_test_deserialize");
	buf.data = VARDATA_ANY(b);
	buf.len = VARSIZE_ANY_EXHDR(b);
	buf.maxlen = buf.len;
	buf.cursor = 0;
	st->narms = pq_getmsgint(&buf, 4);
	st->flags = pq_getmsgint(&buf, 4);
	if (st->narms < 0 || st->narms > 2 || (st->flags & ~(AB_INT_LABELS | AB_HAS_CONTROL)) != 0)
		bad_state();
	st->control = get_label(&buf, &st->clen);
	if (!(st->flags & AB_HAS_CONTROL) && st->clen != 0)
		bad_state();
	for (int i = 0; i < st->narms; i++)
	{
		AbArm	   *a = &st->arm[i];

		a->n = pq_getmsgfloat8(&buf);
		a->x = pq_getmsgfloat8(&buf);
		a->mean = pq_getmsgfloat8(&buf);
		a->m2 = pq_getmsgfloat8(&buf);
		a->label = get_label(&buf, &a->len);
	}
	if (st->narms == 2 &&
		label_cmp(st->arm[0].label, st->arm[0].len, st->arm[1].label, st->arm[1].len) == 0)
		bad_state();
	pq_getmsgend(&buf);
	PG_RETURN_POINTER(st);
}

/* The two arms in a stable order for messages: by number for int labels, else bytes. */
static void
arms_in_order(const AbState *st, const AbArm **first, const AbArm **second)
{
	const AbArm *a = &st->arm[0],
			   *b = &st->arm[1];
	bool		swap;

	if (st->flags & AB_INT_LABELS)
		swap = strtol(pnstrdup(a->label, a->len), NULL, 10) >
			strtol(pnstrdup(b->label, b->len), NULL, 10);
	else
		swap = label_cmp(a->label, a->len, b->label, b->len) > 0;
	*first = swap ? b : a;
	*second = swap ? a : b;
}

/*
 * Both variants present; returns (control, treatment). The control is the one the query
 * names, else the one clv_ab_default_control finds, else an ERROR: never sort order.
 */
static void
two_arms(const char *fname, AbState *st, AbArm **ctl, AbArm **trt)
{
	const char *outcome = strcmp(fname, "ab_mean_test") == 0 ? "value" : "converted";
	const char *q;				/* quotes around text labels, none around numbers */
	const AbArm *a1,
			   *a2;
	int			c = -1;

	if (st == NULL || st->narms == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: no subjects", fname),
				 errhint("Every row was NULL or the group is empty.")));
	q = (st->flags & AB_INT_LABELS) ? "" : "\"";
	if (st->flags & AB_HAS_CONTROL)
	{
		for (int i = 0; i < st->narms; i++)
			if (label_cmp(st->arm[i].label, st->arm[i].len, st->control, st->clen) == 0)
				c = i;
		if (c < 0 && st->narms == 1)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: the control %s%.*s%s has no subjects", fname,
							q, st->clen, st->control, q),
					 errdetail("The only variant with subjects is %s%.*s%s.",
							   q, st->arm[0].len, st->arm[0].label, q),
					 errhint("Check the control argument and the filter of the query.")));
		if (c < 0)
		{
			arms_in_order(st, &a1, &a2);
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: the control %s%.*s%s is not one of the variants", fname,
							q, st->clen, st->control, q),
					 errdetail("The variants are %s%.*s%s and %s%.*s%s.",
							   q, a1->len, a1->label, q, q, a2->len, a2->label, q),
					 errhint("Pass one of the two%s.",
							 (st->flags & AB_INT_LABELS) ? "" : ", exactly as in the variant column (case matters)")));
		}
	}
	if (st->narms == 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: only one variant, %s%.*s%s, has subjects", fname,
						q, st->arm[0].len, st->arm[0].label, q),
				 errdetail("A test compares exactly two variants; the other one has zero subjects."),
				 errhint("Check the assignment and the filter of the query.")));
	if (c < 0)
		c = clv_ab_default_control(st->arm[0].label, st->arm[0].len,
								   st->arm[1].label, st->arm[1].len);
	if (c < 0)
	{
		arms_in_order(st, &a1, &a2);
		if (st->flags & AB_INT_LABELS)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s: which of the variants %.*s and %.*s is the control?", fname,
							a1->len, a1->label, a2->len, a2->label),
					 errdetail("Without a control argument, the control of int variants is 0, else 1 (the first arm of ab_assign)."),
					 errhint("Name the control arm: %s(variant, %s, control_arm).", fname, outcome)));
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s: which of the variants \"%.*s\" and \"%.*s\" is the control?", fname,
						a1->len, a1->label, a2->len, a2->label),
				 errdetail("Without a control argument, the control is the one variant named control, ctrl, baseline, base, old, original, current, existing, default, champion, holdout or A (in any case), or, when both labels are whole numbers, 0, else 1."),
				 errhint("Name the control: %s(variant, %s, 'control label').", fname, outcome)));
	}
	*ctl = &st->arm[c];
	*trt = &st->arm[1 - c];
}

static Datum
result_datum(FunctionCallInfo fcinfo, const AbArm *c, const AbArm *t,
			 const double *f, int nf)
{
	Datum		lead[4];

	lead[0] = PointerGetDatum(cstring_to_text_with_len(c->label, c->len));
	lead[1] = PointerGetDatum(cstring_to_text_with_len(t->label, t->len));
	lead[2] = Int64GetDatum((int64) c->n);
	lead[3] = Int64GetDatum((int64) t->n);
	return biz_result(fcinfo, lead, 4, f, nf);
}

Datum
ab_proportion_test_final(PG_FUNCTION_ARGS)
{
	AbState    *st = PG_ARGISNULL(0) ? NULL : (AbState *) PG_GETARG_POINTER(0);
	AbArm	   *c,
			   *t;
	clv_prop_result r;
	double		f[9];

	two_arms("ab_proportion_test", st, &c, &t);
	if (clv_prop_test(c->n, c->x, t->n, t->x, AB_CONF, &r) == CLV_STAT_GSL)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("ab_proportion_test: cannot evaluate the normal distribution")));
	f[0] = r.rate_c;
	f[1] = r.rate_t;
	f[2] = r.diff;
	f[3] = r.rate_c > 0 ? r.diff / r.rate_c : NAN;
	f[4] = r.z;
	f[5] = r.p_value;
	f[6] = r.ci_low;
	f[7] = r.ci_high;
	PG_RETURN_DATUM(result_datum(fcinfo, c, t, f, 8));
}

Datum
ab_mean_test_final(PG_FUNCTION_ARGS)
{
	AbState    *st = PG_ARGISNULL(0) ? NULL : (AbState *) PG_GETARG_POINTER(0);
	AbArm	   *c,
			   *t;
	clv_welch_result r;
	double		f[9];
	int			rc;

	two_arms("ab_mean_test", st, &c, &t);
	for (int i = 0; i < 2; i++)
	{
		AbArm	   *a = i == 0 ? c : t;

		if (a->n < 2)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("ab_mean_test: variant \"%.*s\" has %.0f subject, at least 2 are needed",
							a->len, a->label, a->n),
					 errdetail("Welch's test estimates the variance of each variant.")));
	}
	rc = clv_welch_test(c->n, c->mean, c->m2 / (c->n - 1), t->n, t->mean, t->m2 / (t->n - 1),
						AB_CONF, &r);
	if (rc == CLV_STAT_NOVAR)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ab_mean_test: every value is the same within each variant (%g and %g)",
						c->mean, t->mean),
				 errdetail("With no variance the t statistic is undefined.")));
	if (rc != CLV_STAT_OK)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("ab_mean_test: cannot evaluate the t distribution with %g degrees of freedom",
						r.df)));
	f[0] = c->mean;
	f[1] = t->mean;
	f[2] = r.diff;
	f[3] = c->mean != 0 ? r.diff / fabs(c->mean) : NAN;
	f[4] = r.t;
	f[5] = r.df;
	f[6] = r.p_value;
	f[7] = r.ci_low;
	f[8] = r.ci_high;
	PG_RETURN_DATUM(result_datum(fcinfo, c, t, f, 9));
}
