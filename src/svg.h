/*
 * svg.h - a small SVG 1.1 writer on a growable char buffer (plain C, no PostgreSQL).
 *
 * Every function appends to the buffer; an allocation failure sets `failed` and makes
 * the later calls no-ops, so callers check once, at svg_finish. Text is XML-escaped
 * (& < > " ' and characters XML 1.0 does not allow), never interpreted. Numbers are
 * printed with '.' as the decimal point (callers run in the "C" numeric locale, as a
 * PostgreSQL backend does).
 */
#ifndef CLV_SVG_H
#define CLV_SVG_H

#include <stddef.h>

typedef struct svg_buf
{
	char	   *data;			/* NUL-terminated while not failed */
	size_t		len;
	size_t		cap;
	int			failed;
} svg_buf;

extern void svg_init(svg_buf *b);
/* The text (malloc'ed, the caller frees it), or NULL if an allocation failed. */
extern char *svg_finish(svg_buf *b);
extern void svg_free(svg_buf *b);

extern void svg_append(svg_buf *b, const char *s);
extern void svg_printf(svg_buf *b, const char *fmt,...) __attribute__((format(printf, 2, 3)));

/*
 * Appends s XML-escaped; at most maxchars characters (UTF-8 code points), longer text
 * is cut and ends with an ellipsis. Control characters other than tab and newline,
 * and U+FFFE/U+FFFF, become U+FFFD; a byte that is not valid UTF-8 becomes U+FFFD.
 */
extern void svg_escape(svg_buf *b, const char *s, size_t maxchars);

/* <text x y text-anchor [extra attributes]>escaped s</text> */
extern void svg_text(svg_buf *b, double x, double y, const char *anchor, const char *attrs,
					 const char *s, size_t maxchars);

/* A "nice" tick step (1, 2 or 5 times a power of ten) for about target ticks over span. */
extern double svg_nice_step(double span, int target);

/* A tick value as text, with as many decimals as the step needs. */
extern void svg_format_tick(char *out, size_t size, double v, double step);

#endif
