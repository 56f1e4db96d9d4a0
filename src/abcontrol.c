/*
 * abcontrol.c - which of two A/B variant labels is the control when the query does not
 * name it (plain C, no PostgreSQL).
 *
 * Sort order is no rule: with 'old' and 'new' it picks 'new' and flips every sign. The
 * rule is by meaning, and a pair it cannot tell is left to the caller (an ERROR asking
 * for the control), never guessed.
 */
#include <stddef.h>
#include <string.h>

#include "stats.h"

/* Names of a control arm, compared ignoring ASCII case. docs/business.md lists them. */
static const char *const control_names[] = {
	"control", "ctrl", "baseline", "base", "old", "original", "current", "existing",
	"default", "champion", "holdout", "a", NULL
};

static int
is_control_name(const char *s, size_t n)
{
	for (int i = 0; control_names[i] != NULL; i++)
	{
		const char *c = control_names[i];
		size_t		k = 0;

		if (strlen(c) != n)
			continue;
		while (k < n)
		{
			char		ch = s[k];

			if (ch >= 'A' && ch <= 'Z')
				ch += 'a' - 'A';
			if (ch != c[k])
				break;
			k++;
		}
		if (k == n)
			return 1;
	}
	return 0;
}

/* A whole number: optional '-', 1 to 18 digits (no overflow). */
static int
parse_whole(const char *s, size_t n, long long *v)
{
	size_t		i = 0;
	int			neg = 0;
	long long	x = 0;

	if (n > 0 && s[0] == '-')
	{
		neg = 1;
		i = 1;
	}
	if (n == i || n - i > 18)
		return 0;
	for (; i < n; i++)
	{
		if (s[i] < '0' || s[i] > '9')
			return 0;
		x = x * 10 + (s[i] - '0');
	}
	*v = neg ? -x : x;
	return 1;
}

/*
 * The control of labels l0 and l1 (distinct): 0 or 1, or -1 when the labels do not say.
 * Two whole numbers: the one equal to 0, else the one equal to 1 (ab_assign numbers its
 * arms from 1; 0/1 coding has 0 for the control). Otherwise: the only one of the two
 * that is a control name.
 */
int
clv_ab_default_control(const char *l0, size_t n0, const char *l1, size_t n1)
{
	long long	v0,
				v1;
	int			c0,
				c1;

	if (parse_whole(l0, n0, &v0) && parse_whole(l1, n1, &v1))
	{
		for (long long want = 0; want <= 1; want++)
		{
			if ((v0 == want) != (v1 == want))
				return v0 == want ? 0 : 1;
			if (v0 == want)
				return -1;		/* '1' and '01' */
		}
		return -1;
	}
	c0 = is_control_name(l0, n0);
	c1 = is_control_name(l1, n1);
	if (c0 != c1)
		return c0 ? 0 : 1;
	return -1;
}
