/*
 * pricing_sql.c - segment_price(base_price, segment, rules): a price per customer segment
 * from a rule table kept in data (jsonb), validated on every call.
 *
 * rules = {"<segment>": {"discount": 0.10, "min_price": 5, "decimals": 2}, "*": {...}}
 * Every key of a rule is optional; "*" is the rule of segments not listed.
 */
#include "postgres.h"

#include <math.h>

#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/numeric.h"

#include "pg_compat.h"

PG_FUNCTION_INFO_V1(segment_price);

#define PRICE_DEFAULT_DECIMALS 2
#define PRICE_MAX_DECIMALS 10

typedef struct PriceRule
{
	bool		found;
	Numeric		discount;		/* NULL: none */
	Numeric		min_price;		/* NULL: none */
	int			decimals;
} PriceRule;

static double
num_to_double(Numeric n)
{
	return DatumGetFloat8(DirectFunctionCall1(numeric_float8, NumericGetDatum(n)));
}

static Numeric
rule_number(const char *seg, const char *key, JsonbIteratorToken tok, JsonbValue *v)
{
	if (tok != WJB_VALUE || v->type != jbvNumeric)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("segment_price: rule \"%s\": \"%s\" must be a number", seg, key),
				 errhint("Example: {\"High-Value\": {\"discount\": 0.10}}.")));
	return v->val.numeric;
}

/* Reads one rule object (the iterator is just inside it); stores it when wanted. */
static void
read_rule(JsonbIterator **it, const char *seg, bool wanted, PriceRule *rule)
{
	JsonbValue	v;
	JsonbIteratorToken tok;
	PriceRule	r = {true, NULL, NULL, PRICE_DEFAULT_DECIMALS};

	while ((tok = JsonbIteratorNext(it, &v, false)) == WJB_KEY)
	{
		char	   *key = pnstrdup(v.val.string.val, v.val.string.len);
		Numeric		n;
		double		d;

		tok = JsonbIteratorNext(it, &v, false);
		n = rule_number(seg, key, tok, &v);
		d = num_to_double(n);
		if (strcmp(key, "discount") == 0)
		{
			if (!(d >= 0 && d <= 1))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("segment_price: rule \"%s\": discount %s is not between 0 and 1",
								seg, DatumGetCString(DirectFunctionCall1(numeric_out, NumericGetDatum(n)))),
						 errhint("The discount is a fraction: 0.10 is 10 %% off.")));
			r.discount = n;
		}
		else if (strcmp(key, "min_price") == 0)
		{
			if (!(d >= 0))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("segment_price: rule \"%s\": min_price %g is negative", seg, d)));
			r.min_price = n;
		}
		else if (strcmp(key, "decimals") == 0)
		{
			if (!(d >= 0 && d <= PRICE_MAX_DECIMALS && d == floor(d)))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("segment_price: rule \"%s\": decimals %g is not a whole number from 0 to %d",
								seg, d, PRICE_MAX_DECIMALS)));
			r.decimals = (int) d;
		}
		else
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("segment_price: rule \"%s\" has an unknown key \"%s\"", seg, key),
					 errhint("A rule may have \"discount\", \"min_price\" and \"decimals\".")));
		pfree(key);
	}
	Assert(tok == WJB_END_OBJECT);
	if (wanted)
		*rule = r;
}

/*
 * Validates the whole document and returns the rule of segment (or of "*").
 */
static void
find_rule(Jsonb *rules, const char *segment, int seglen, PriceRule *rule, PriceRule *fallback)
{
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	if (!JB_ROOT_IS_OBJECT(rules) || JB_ROOT_IS_SCALAR(rules))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("segment_price: rules must be a JSON object keyed by segment"),
				 errhint("Example: {\"High-Value\": {\"discount\": 0.10}}.")));
	it = JsonbIteratorInit(&rules->root);
	tok = JsonbIteratorNext(&it, &v, false);
	Assert(tok == WJB_BEGIN_OBJECT);
	while ((tok = JsonbIteratorNext(&it, &v, false)) == WJB_KEY)
	{
		char	   *seg = pnstrdup(v.val.string.val, v.val.string.len);
		bool		match = v.val.string.len == seglen &&
			memcmp(v.val.string.val, segment, seglen) == 0;
		bool		star = strcmp(seg, "*") == 0;

		tok = JsonbIteratorNext(&it, &v, false);
		if (tok != WJB_BEGIN_OBJECT)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("segment_price: the rule of segment \"%s\" must be a JSON object", seg),
					 errhint("Example: {\"%s\": {\"discount\": 0.10}}.", seg)));
		read_rule(&it, seg, match || star, match ? rule : fallback);
		pfree(seg);
	}
}

/* segment_price(base_price, segment, rules) */
Datum
segment_price(PG_FUNCTION_ARGS)
{
	Numeric		base = PG_GETARG_NUMERIC(0);
	text	   *segment = PG_GETARG_TEXT_PP(1);
	Jsonb	   *rules = PG_GETARG_JSONB_P(2);
	PriceRule	rule = {false, NULL, NULL, PRICE_DEFAULT_DECIMALS};
	PriceRule	fallback = {false, NULL, NULL, PRICE_DEFAULT_DECIMALS};
	Datum		price = NumericGetDatum(base);
	Datum		zero = DirectFunctionCall1(int4_numeric, Int32GetDatum(0));

	if (numeric_is_nan(base) || numeric_is_inf(base) ||
		DatumGetBool(DirectFunctionCall2(numeric_lt, price, zero)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("segment_price: base_price %s is not a finite number >= 0",
						DatumGetCString(DirectFunctionCall1(numeric_out, price)))));
	find_rule(rules, VARDATA_ANY(segment), VARSIZE_ANY_EXHDR(segment), &rule, &fallback);
	if (!rule.found)
		rule = fallback;		/* not found either: no change but rounding */

	if (rule.discount != NULL)
	{
		Datum		one = DirectFunctionCall1(int4_numeric, Int32GetDatum(1));
		Datum		factor = DirectFunctionCall2(numeric_sub, one, NumericGetDatum(rule.discount));

		price = DirectFunctionCall2(numeric_mul, price, factor);
	}
	if (rule.min_price != NULL)
	{
		/* a floor never raises a price above its base price */
		Datum		floor_ = DirectFunctionCall2(numeric_smaller, NumericGetDatum(rule.min_price),
												 NumericGetDatum(base));

		price = DirectFunctionCall2(numeric_larger, price, floor_);
	}
	price = DirectFunctionCall2(numeric_round, price, Int32GetDatum(rule.decimals));
	PG_RETURN_DATUM(price);
}
