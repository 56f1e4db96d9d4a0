/*
 * svg.c - SVG writer: growable buffer, XML escaping, tick steps (plain C).
 */
#include "svg.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
svg_init(svg_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->failed = 0;
}

void
svg_free(svg_buf *b)
{
	free(b->data);
	svg_init(b);
}

char *
svg_finish(svg_buf *b)
{
	char	   *out;

	if (b->failed || b->data == NULL)
	{
		svg_free(b);
		return NULL;
	}
	out = b->data;
	svg_init(b);
	return out;
}

/* Room for need more bytes and the terminating NUL. */
static int
svg_reserve(svg_buf *b, size_t need)
{
	size_t		cap;
	char	   *d;

	if (b->failed)
		return 0;
	if (b->len + need + 1 <= b->cap)
		return 1;
	cap = b->cap ? b->cap : 4096;
	while (cap < b->len + need + 1)
	{
		if (cap > ((size_t) 1 << 30))
		{
			b->failed = 1;
			return 0;
		}
		cap *= 2;
	}
	d = realloc(b->data, cap);
	if (d == NULL)
	{
		b->failed = 1;
		return 0;
	}
	b->data = d;
	b->cap = cap;
	return 1;
}

static void
svg_put(svg_buf *b, const char *s, size_t n)
{
	if (!svg_reserve(b, n))
		return;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
svg_append(svg_buf *b, const char *s)
{
	svg_put(b, s, strlen(s));
}

void
svg_printf(svg_buf *b, const char *fmt,...)
{
	va_list		ap;
	int			n;
	char		small[256];

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
	{
		b->failed = 1;
		return;
	}
	if ((size_t) n < sizeof(small))
	{
		svg_put(b, small, n);
		return;
	}
	if (!svg_reserve(b, n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, n + 1, fmt, ap);
	va_end(ap);
	b->len += n;
}

/*
 * Length of the valid UTF-8 sequence at s (1..4), or 0 if s does not start one
 * (overlong forms and surrogates are invalid).
 */
static int
utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF)
	{
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0))
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4)
	{
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		if ((c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

#define REPLACEMENT "\xEF\xBF\xBD"	/* U+FFFD */
#define ELLIPSIS "\xE2\x80\xA6"		/* U+2026 */

void
svg_escape(svg_buf *b, const char *s, size_t maxchars)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		chars = 0;

	while (*p)
	{
		int			n;

		if (chars == maxchars)
		{
			svg_append(b, ELLIPSIS);
			return;
		}
		chars++;
		switch (*p)
		{
			case '&':
				svg_append(b, "&amp;");
				p++;
				continue;
			case '<':
				svg_append(b, "&lt;");
				p++;
				continue;
			case '>':
				svg_append(b, "&gt;");
				p++;
				continue;
			case '"':
				svg_append(b, "&quot;");
				p++;
				continue;
			case '\'':
				svg_append(b, "&apos;");
				p++;
				continue;
			case '\t':
			case '\n':
				svg_put(b, (const char *) p, 1);
				p++;
				continue;
			default:
				break;
		}
		if (*p < 0x20)
		{
			svg_append(b, REPLACEMENT);
			p++;
			continue;
		}
		n = utf8_len(p);
		if (n == 0)
		{
			svg_append(b, REPLACEMENT);
			p++;
			continue;
		}
		/* U+FFFE and U+FFFF are not XML characters */
		if (n == 3 && p[0] == 0xEF && p[1] == 0xBF && p[2] >= 0xBE)
			svg_append(b, REPLACEMENT);
		else
			svg_put(b, (const char *) p, n);
		p += n;
	}
}

void
svg_text(svg_buf *b, double x, double y, const char *anchor, const char *attrs,
		 const char *s, size_t maxchars)
{
	svg_printf(b, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"%s%s>", x, y, anchor,
			   attrs && *attrs ? " " : "", attrs ? attrs : "");
	svg_escape(b, s, maxchars);
	svg_append(b, "</text>\n");
}

double
svg_nice_step(double span, int target)
{
	double		raw,
				mag,
				f;

	if (!(span > 0) || !isfinite(span) || target < 1)
		return 1.0;
	raw = span / target;
	mag = pow(10.0, floor(log10(raw)));
	f = raw / mag;
	if (f < 1.5)
		return mag;
	if (f < 3.5)
		return 2 * mag;
	if (f < 7.5)
		return 5 * mag;
	return 10 * mag;
}

void
svg_format_tick(char *out, size_t size, double v, double step)
{
	int			decimals = 0;

	if (fabs(v) < step * 1e-9)
		v = 0.0;				/* no "-0" */
	if (step < 1e-4 || fabs(v) >= 1e15)
	{
		snprintf(out, size, "%.4g", v);
		return;
	}
	if (step < 1)
		decimals = (int) ceil(-log10(step) - 1e-9);
	/* steps of 2.5 etc. do not occur: 1, 2 and 5 need no more */
	snprintf(out, size, "%.*f", decimals, v);
}
