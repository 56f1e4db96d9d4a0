/*
 * charts.c - chart layouts (frame, axes, legend, marks) on the SVG writer, and the
 * histogram and Lorenz computations. Plain C, no PostgreSQL.
 */
#include "charts.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "svg.h"

static const char *const series_color[CHART_MAX_SERIES] = {"#4e79a7", "#f28e2b"};

#define WIDTH 760
#define FONT "font-family=\"DejaVu Sans, Arial, Helvetica, sans-serif\" font-size=\"12\""

/* Plot area in pixels and the data ranges it shows. */
typedef struct frame
{
	double		l,
				r,
				t,
				b;
	double		x0,
				x1,
				y0,
				y1;
} frame;

static double
fx(const frame *f, double x)
{
	return f->l + (x - f->x0) / (f->x1 - f->x0) * (f->r - f->l);
}

static double
fy(const frame *f, double y)
{
	return f->b - (y - f->y0) / (f->y1 - f->y0) * (f->b - f->t);
}

/* lo..hi widened to whole steps; a zero span becomes one unit around the value. */
static double
nice_range(double lo, double hi, int target, double *a, double *b)
{
	double		step;

	if (!(hi > lo))
	{
		if (lo == 0)
			hi = 1;
		else
		{
			double		m = fabs(lo) * 0.5;

			lo -= m;
			hi += m;
		}
	}
	step = svg_nice_step(hi - lo, target);
	*a = floor(lo / step + 1e-9) * step;
	*b = ceil(hi / step - 1e-9) * step;
	if (!(*b > *a))
		*b = *a + step;
	return step;
}

/* Number of characters (UTF-8 code points) of s, at most cap. */
static int
text_chars(const char *s, int cap)
{
	int			n = 0;

	for (const unsigned char *p = (const unsigned char *) s; *p && n < cap; p++)
		if ((*p & 0xC0) != 0x80)
			n++;
	return n;
}

static void
open_svg(svg_buf *b, int width, int height, const char *title)
{
	svg_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
			   "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" " FONT ">\n",
			   width, height, width, height);
	svg_append(b, "<title>");
	svg_escape(b, title, CHART_TITLE_CHARS);
	svg_append(b, "</title>\n");
	svg_printf(b, "<rect class=\"background\" x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n",
			   width, height);
	svg_text(b, width / 2.0, 26, "middle", "class=\"title\" font-size=\"16\" font-weight=\"bold\"",
			 title, CHART_TITLE_CHARS);
}

static char *
close_svg(svg_buf *b)
{
	svg_append(b, "</svg>\n");
	return svg_finish(b);
}

/* Legend entries in one centred row under the title. kind: 0 swatch, 1 line, 2 dashed. */
static void
legend(svg_buf *b, double cx, double y, int n, const char *const *names,
	   const char *const *colors, const int *kinds)
{
	double		w[CHART_MAX_SERIES + 1],
				total = 0,
				x;

	for (int i = 0; i < n; i++)
	{
		w[i] = 28 + 7.0 * text_chars(names[i], CHART_LABEL_CHARS * 2) + 18;
		total += w[i];
	}
	x = cx - total / 2;
	svg_append(b, "<g class=\"legend\">\n");
	for (int i = 0; i < n; i++)
	{
		if (kinds[i] == 0)
			svg_printf(b, "<rect class=\"swatch\" x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"12\" fill=\"%s\"/>\n",
					   x, y - 10, colors[i]);
		else
			svg_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"2.5\"%s/>\n",
					   x, y - 4, x + 22, y - 4, colors[i],
					   kinds[i] == 2 ? " stroke-dasharray=\"6 4\"" : "");
		svg_text(b, x + 28, y, "start", "class=\"legend\"", names[i], CHART_LABEL_CHARS * 2);
		x += w[i];
	}
	svg_append(b, "</g>\n");
}

static void
tick_label(char *out, size_t size, double v, double step, int percent)
{
	if (percent)
		snprintf(out, size, "%.0f%%", fabs(v) < 1e-9 ? 0.0 : v * 100);
	else
		svg_format_tick(out, size, v, step);
}

/*
 * Width in pixels of the widest tick label of a vertical axis over y0..y1 (digits of
 * the 12 px font are about 7.6 px wide; a little more keeps clear of the axis title).
 */
#define TICK_CHAR_PX 7.7

static double
y_tick_width(double y0, double y1, double step, int percent)
{
	char		num[64];
	size_t		w = 0;

	for (int i = 0; i <= 100; i++)
	{
		double		v = y0 + i * step;

		if (v > y1 + step * 1e-6)
			break;
		tick_label(num, sizeof(num), v, step, percent);
		if (strlen(num) > w)
			w = strlen(num);
	}
	return w * TICK_CHAR_PX;
}

/*
 * Margins that leave room for the tick labels and, beyond them, the rotated axis
 * title (12 px high): at least the usual 80 px.
 */
static double
left_margin(double tickw)
{
	return fmax(80, tickw + 36);
}

static double
right_margin(double tickw)
{
	return fmax(80, tickw + 36);
}

/*
 * A vertical axis with grid lines at its ticks: on the left of the frame (side 0) or
 * on the right (side 1, no grid). y0..y1 of the frame are the axis range. The axis
 * title keeps 6 px clear of the widest tick label.
 */
static void
y_axis(svg_buf *b, const frame *f, double step, int side, const char *label,
	   const char *color, int percent)
{
	double		x = side ? f->r : f->l,
				tickw = y_tick_width(f->y0, f->y1, step, percent);
	char		num[64];

	svg_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
			   x, f->t, x, f->b);
	for (int i = 0; i <= 100; i++)
	{
		double		v = f->y0 + i * step,
					y;

		if (v > f->y1 + step * 1e-6)
			break;
		y = fy(f, v);
		if (!side && i > 0)
			svg_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n",
					   f->l, y, f->r, y);
		svg_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
				   x, y, side ? x + 5 : x - 5, y);
		tick_label(num, sizeof(num), v, step, percent);
		svg_text(b, side ? x + 8 : x - 8, y + 4, side ? "start" : "end",
				 "class=\"tick\"", num, 32);
	}
	if (label)
	{
		char		attrs[160];
		/* glyphs reach 12 px on the title's top side, 3 px below its baseline */
		double		lx = side ? fmax(f->r + 58, f->r + 8 + tickw + 9)
		: fmin(f->l - 52, f->l - 8 - tickw - 9),
					ly = (f->t + f->b) / 2;

		snprintf(attrs, sizeof(attrs), "class=\"axis-label\" fill=\"%s\" transform=\"rotate(%d %.1f %.1f)\"",
				 color, side ? 90 : -90, lx, ly);
		svg_text(b, lx, ly, "middle", attrs, label, CHART_LABEL_CHARS * 2);
	}
}

/* A numeric horizontal axis with ticks from first (a multiple of step) up to x1. */
static void
x_axis(svg_buf *b, const frame *f, double first, double step, const char *label, int percent)
{
	char		num[64];

	svg_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
			   f->l, f->b, f->r, f->b);
	for (int i = 0; i <= 100; i++)
	{
		double		v = first + i * step,
					x;

		if (v > f->x1 + step * 1e-6)
			break;
		if (v < f->x0 - step * 1e-6)
			continue;
		x = fx(f, v);
		svg_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
				   x, f->b, x, f->b + 5);
		tick_label(num, sizeof(num), v, step, percent);
		svg_text(b, x, f->b + 19, "middle", "class=\"tick\"", num, 32);
	}
	if (label)
		svg_text(b, (f->l + f->r) / 2, f->b + 42, "middle", "class=\"axis-label\"", label,
				 CHART_LABEL_CHARS * 3);
}

static void
plot_min_max(const double *v, int n, double *lo, double *hi)
{
	for (int i = 0; i < n; i++)
	{
		if (v[i] < *lo)
			*lo = v[i];
		if (v[i] > *hi)
			*hi = v[i];
	}
}

char *
chart_lines(const chart_lines_spec *s)
{
	svg_buf		b;
	frame		f;
	double		xstep,
				ystep,
				lo = INFINITY,
				hi = -INFINITY;
	int			height = 440;
	const char *names[CHART_MAX_SERIES + 1];
	const char *colors[CHART_MAX_SERIES + 1];
	int			kinds[CHART_MAX_SERIES + 1],
				nleg = 0;

	svg_init(&b);
	f.l = 80;
	f.r = WIDTH - 30;
	f.t = 70;
	f.b = height - 60;
	if (s->unit_square)
	{
		f.x0 = f.y0 = 0;
		f.x1 = f.y1 = 1;
		xstep = ystep = 0.2;
	}
	else
	{
		xstep = nice_range(s->x[0], s->x[s->n - 1], 8, &f.x0, &f.x1);
		if (s->x_integer && xstep < 1)
		{
			xstep = 1;
			f.x0 = floor(f.x0);
			f.x1 = ceil(f.x1);
		}
		lo = 0;					/* counts and means: keep 0 in view */
		for (int k = 0; k < s->nseries; k++)
			plot_min_max(s->y[k], s->n, &lo, &hi);
		ystep = nice_range(lo, hi, 6, &f.y0, &f.y1);
	}
	f.l = left_margin(y_tick_width(f.y0, f.y1, ystep, s->unit_square));

	open_svg(&b, WIDTH, height, s->title);
	for (int k = 0; k < s->nseries; k++, nleg++)
	{
		names[nleg] = s->names[k];
		colors[nleg] = series_color[k];
		kinds[nleg] = 1;
	}
	if (s->diagonal)
	{
		names[nleg] = s->diagonal;
		colors[nleg] = "#888888";
		kinds[nleg++] = 2;
	}
	if (s->vline && nleg < CHART_MAX_SERIES + 1)
	{
		names[nleg] = s->vline;
		colors[nleg] = "#888888";
		kinds[nleg++] = 2;
	}
	if (nleg > 1)
		legend(&b, WIDTH / 2.0, 50, nleg, names, colors, kinds);
	y_axis(&b, &f, ystep, 0, s->ylabel, "#333333", s->unit_square);
	x_axis(&b, &f, f.x0, xstep, s->xlabel, s->unit_square);

	if (s->diagonal)
		svg_printf(&b, "<path class=\"reference\" d=\"M%.1f %.1fL%.1f %.1f\" fill=\"none\" "
				   "stroke=\"#888888\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n",
				   fx(&f, 0), fy(&f, 0), fx(&f, 1), fy(&f, 1));
	if (s->vline && s->vline_x >= f.x0 && s->vline_x <= f.x1)
		svg_printf(&b, "<path class=\"reference\" d=\"M%.1f %.1fL%.1f %.1f\" fill=\"none\" "
				   "stroke=\"#888888\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n",
				   fx(&f, s->vline_x), f.t, fx(&f, s->vline_x), f.b);
	for (int k = 0; k < s->nseries; k++)
	{
		svg_printf(&b, "<path class=\"series\" fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" d=\"",
				   series_color[k]);
		for (int i = 0; i < s->n; i++)
			svg_printf(&b, "%s%.1f %.1f", i ? "L" : "M", fx(&f, s->x[i]), fy(&f, s->y[k][i]));
		svg_append(&b, "\"/>\n");
		if (s->markers)
			for (int i = 0; i < s->n; i++)
				svg_printf(&b, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\"/>\n",
						   fx(&f, s->x[i]), fy(&f, s->y[k][i]), series_color[k]);
	}
	return close_svg(&b);
}

char *
chart_bars(const chart_bars_spec *s)
{
	svg_buf		b;
	frame		f[CHART_MAX_SERIES];
	double		step[CHART_MAX_SERIES],
				band,
				barw,
				l,
				r;
	int			height = 440,
				maxchars = 0,
				rotate;
	int			kinds[CHART_MAX_SERIES] = {0, 0};

	svg_init(&b);
	for (int i = 0; i < s->n; i++)
	{
		int			c = text_chars(s->labels[i], CHART_LABEL_CHARS + 1);

		if (c > maxchars)
			maxchars = c;
	}
	for (int k = 0; k < s->nseries; k++)
	{
		double		lo = 0,
					hi = 0;

		if (s->shared_axis)		/* one range over every series */
			for (int j = 0; j < s->nseries; j++)
				plot_min_max(s->y[j], s->n, &lo, &hi);
		else
			plot_min_max(s->y[k], s->n, &lo, &hi);
		step[k] = nice_range(lo, hi, 6, &f[k].y0, &f[k].y1);
	}
	l = left_margin(y_tick_width(f[0].y0, f[0].y1, step[0], 0));
	r = WIDTH - (s->nseries > 1 && !s->shared_axis ?
				 right_margin(y_tick_width(f[1].y0, f[1].y1, step[1], 0)) : 30);
	band = (r - l) / s->n;
	rotate = maxchars * 7.0 > band - 4;
	if (rotate)
		height += 60 + (s->xlabel ? 24 : 0);
	for (int k = 0; k < s->nseries; k++)
	{
		f[k].l = l;
		f[k].r = r;
		f[k].t = 70;
		f[k].b = height - (rotate ? 120 + (s->xlabel ? 24 : 0) : 60);
		f[k].x0 = 0;
		f[k].x1 = s->n;
	}
	barw = band * 0.8 / s->nseries;

	open_svg(&b, WIDTH, height, s->title);
	if (s->nseries > 1)
		legend(&b, WIDTH / 2.0, 50, s->nseries, s->names, series_color, kinds);
	if (s->shared_axis)
		y_axis(&b, &f[0], step[0], 0, s->ylabel, "#333333", 0);
	else
		y_axis(&b, &f[0], step[0], 0, s->names[0], s->nseries > 1 ? series_color[0] : "#333333", 0);
	if (s->nseries > 1 && !s->shared_axis)
		y_axis(&b, &f[1], step[1], 1, s->names[1], series_color[1], 0);
	if (s->xlabel)
		svg_text(&b, (f[0].l + f[0].r) / 2, height - 18, "middle", "class=\"axis-label\"",
				 s->xlabel, CHART_LABEL_CHARS * 3);
	svg_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
			   f[0].l, f[0].b, f[0].r, f[0].b);
	for (int i = 0; i < s->n; i++)
	{
		double		cx = fx(&f[0], i + 0.5);

		for (int k = 0; k < s->nseries; k++)
		{
			double		v = s->y[k][i],
						y0 = fy(&f[k], 0),
						y1 = fy(&f[k], v),
						x = cx - band * 0.4 + k * barw;

			svg_printf(&b, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\">",
					   x, fmin(y0, y1), barw, fabs(y1 - y0), series_color[k]);
			svg_append(&b, "<title>");
			svg_escape(&b, s->labels[i], CHART_LABEL_CHARS * 4);
			svg_append(&b, ": ");
			svg_escape(&b, s->names[k], CHART_LABEL_CHARS * 2);
			svg_printf(&b, " %.6g</title></rect>\n", v);
		}
		if (rotate)
		{
			char		attrs[96];

			snprintf(attrs, sizeof(attrs), "class=\"tick\" transform=\"rotate(-40 %.1f %.1f)\"",
					 cx, f[0].b + 14);
			svg_text(&b, cx, f[0].b + 14, "end", attrs, s->labels[i], CHART_LABEL_CHARS);
		}
		else
			svg_text(&b, cx, f[0].b + 19, "middle", "class=\"tick\"", s->labels[i], CHART_LABEL_CHARS);
	}
	return close_svg(&b);
}

/*
 * Ticks of a log10 x axis (f->x0..x1 are log10 values): powers of ten (every second
 * or more over many decades), with 2 and 5 times them over at most four decades,
 * or plain steps when the range holds fewer than two of those.
 */
#define MAX_LOG_TICKS 120
#define LOG_TICK_ROOM 128		/* the last decade may add 2 more */

/*
 * Ticks between the log10 values l0 and l1 as above into arrays of LOG_TICK_ROOM;
 * returns their number.
 */
static int
log_ticks(double l0, double l1, double *ticks, double *steps)
{
	static const double mults125[] = {1, 2, 5};
	int			nt = 0,
				k0 = (int) floor(l0 + 1e-9),
				k1 = (int) ceil(l1 - 1e-9),
				decades = (int) floor(l1 + 1e-9) - (int) ceil(l0 - 1e-9) + 1,
				every = decades > 8 ? (decades + 7) / 8 : 1,
				nm = decades > 4 ? 1 : 3;

	for (int k = k0; k <= k1 && nt < MAX_LOG_TICKS; k++)
	{
		if (((k % every) + every) % every != 0)
			continue;
		for (int m = 0; m < nm; m++)
		{
			double		v = mults125[m] * pow(10.0, k),
						lv = log10(v);

			if (lv < l0 - 1e-9 || lv > l1 + 1e-9)
				continue;
			ticks[nt] = v;
			steps[nt++] = pow(10.0, k);
		}
	}
	if (nt < 2)
	{
		double		lo = pow(10.0, l0),
					hi = pow(10.0, l1),
					step = svg_nice_step(hi - lo, 5);

		nt = 0;
		for (double v = ceil(lo / step - 1e-9) * step; v <= hi * (1 + 1e-9) && nt < MAX_LOG_TICKS; v += step)
		{
			ticks[nt] = v;
			steps[nt++] = step;
		}
	}
	return nt;
}

static void
x_axis_log(svg_buf *b, const frame *f, const char *label)
{
	double		ticks[LOG_TICK_ROOM],
				steps[LOG_TICK_ROOM];
	int			nt = log_ticks(f->x0, f->x1, ticks, steps);
	char		num[64];

	svg_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
			   f->l, f->b, f->r, f->b);
	for (int i = 0; i < nt; i++)
	{
		double		x = fx(f, log10(ticks[i]));

		svg_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
				   x, f->b, x, f->b + 5);
		svg_format_tick(num, sizeof(num), ticks[i], steps[i]);
		svg_text(b, x, f->b + 19, "middle", "class=\"tick\"", num, 32);
	}
	if (label)
		svg_text(b, (f->l + f->r) / 2, f->b + 42, "middle", "class=\"axis-label\"", label,
				 CHART_LABEL_CHARS * 3);
}

/* Left edge of bin i in data units. */
static double
hist_edge(const chart_hist_spec *s, int i)
{
	return s->edges ? s->edges[i] : s->lo + i * s->width;
}

char *
chart_histogram(const chart_hist_spec *s)
{
	svg_buf		b;
	frame		f;
	double		xstep = 0,
				ystep,
				hi = 0,
				first = 0;
	int			height = 440;

	svg_init(&b);
	f.r = WIDTH - 30;
	f.t = 50;
	f.b = height - 60;
	f.x0 = hist_edge(s, 0);
	f.x1 = hist_edge(s, s->bins);
	if (s->log_x)
	{
		f.x0 = log10(f.x0);
		f.x1 = log10(f.x1);
	}
	else
	{
		xstep = svg_nice_step(f.x1 - f.x0, 8);
		first = ceil(f.x0 / xstep - 1e-9) * xstep;
	}
	for (int i = 0; i < s->bins; i++)
	{
		double		h = s->counts[i];

		if (s->density)
			h /= hist_edge(s, i + 1) - hist_edge(s, i);
		if (h > hi)
			hi = h;
	}
	ystep = nice_range(0, hi, 6, &f.y0, &f.y1);
	f.l = left_margin(y_tick_width(f.y0, f.y1, ystep, 0));

	open_svg(&b, WIDTH, height, s->title);
	y_axis(&b, &f, ystep, 0, s->ylabel, "#333333", 0);
	if (s->log_x)
		x_axis_log(&b, &f, s->xlabel);
	else
		x_axis(&b, &f, first, xstep, s->xlabel, 0);
	for (int i = 0; i < s->bins; i++)
	{
		double		a = hist_edge(s, i),
					e = hist_edge(s, i + 1),
					x0 = fx(&f, s->log_x ? log10(a) : a),
					x1 = fx(&f, s->log_x ? log10(e) : e),
					y = fy(&f, s->density ? s->counts[i] / (e - a) : s->counts[i]);

		svg_printf(&b, "<rect class=\"bar\" x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
				   "fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"0.5\"><title>%.6g to %.6g: %.6g</title></rect>\n",
				   x0, y, x1 - x0, f.b - y, series_color[0], a, e, s->counts[i]);
	}
	return close_svg(&b);
}

/* Viridis at five stops, linearly interpolated; t in [0, 1]. */
static void
scale_color(double t, char *out, size_t size)
{
	static const double stops[5][3] = {
		{68, 1, 84}, {59, 82, 139}, {33, 145, 140}, {94, 201, 98}, {253, 231, 37}
	};
	double		u;
	int			k;

	if (!(t > 0))
		t = 0;
	if (t > 1)
		t = 1;
	u = t * 4;
	k = (int) floor(u);
	if (k > 3)
		k = 3;
	u -= k;
	snprintf(out, size, "#%02x%02x%02x",
			 (int) lround(stops[k][0] + u * (stops[k + 1][0] - stops[k][0])),
			 (int) lround(stops[k][1] + u * (stops[k + 1][1] - stops[k][1])),
			 (int) lround(stops[k][2] + u * (stops[k + 1][2] - stops[k][2])));
}

#define SCALE_STEPS 50

char *
chart_heatmap(const chart_heat_spec *s)
{
	svg_buf		b;
	frame		f,
				zf;
	double		xstep,
				ystep,
				zstep,
				zspan = s->zmax - s->zmin,
				first,
				cw,
				ch,
				ztickw = 0;
	int			height = 500;
	char		color[8];

	svg_init(&b);
	f.l = 80;
	f.r = WIDTH - 130;
	f.t = 50;
	f.b = height - 60;
	f.x0 = s->x0 - s->dx / 2;
	f.x1 = s->x0 + (s->nx - 0.5) * s->dx;
	f.y0 = s->y0 - s->dy / 2;
	f.y1 = s->y0 + (s->ny - 0.5) * s->dy;
	xstep = svg_nice_step(f.x1 - f.x0, 8);
	ystep = svg_nice_step(f.y1 - f.y0, 8);
	if (s->y_integer && ystep < 1)
		ystep = 1;
	cw = fx(&f, f.x0 + s->dx) - fx(&f, f.x0);
	ch = fy(&f, f.y0) - fy(&f, f.y0 + s->dy);

	open_svg(&b, WIDTH, height, s->title);
	for (int j = 0; j < s->ny; j++)
		for (int i = 0; i < s->nx; i++)
		{
			double		x = s->x0 + i * s->dx,
						y = s->y0 + j * s->dy,
						z = s->z[(long) j * s->nx + i];

			scale_color(zspan > 0 ? (z - s->zmin) / zspan : 0.5, color, sizeof(color));
			/* cells overlap by a hair so no seams show between them */
			svg_printf(&b, "<rect class=\"cell\" shape-rendering=\"crispEdges\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"><title>",
					   fx(&f, x - s->dx / 2), fy(&f, y + s->dy / 2), cw + 0.3, ch + 0.3, color);
			svg_escape(&b, s->ylabel, CHART_LABEL_CHARS * 2);
			svg_printf(&b, " %.4g, ", y);
			svg_escape(&b, s->xlabel, CHART_LABEL_CHARS * 2);
			svg_printf(&b, " %.4g: %.4g</title></rect>\n", x, z);
		}
	/* axes drawn over the cells' edges */
	first = ceil(f.y0 / ystep - 1e-9) * ystep;
	svg_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
			   f.l, f.t, f.l, f.b);
	for (int i = 0; i <= 100; i++)
	{
		double		v = first + i * ystep,
					y;
		char		num[64];

		if (v > f.y1 + 1e-9)
			break;
		y = fy(&f, v);
		svg_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
				   f.l - 5, y, f.l, y);
		svg_format_tick(num, sizeof(num), v, ystep);
		svg_text(&b, f.l - 8, y + 4, "end", "class=\"tick\"", num, 32);
	}
	{
		char		attrs[160];
		double		lx = f.l - 48,
					ly = (f.t + f.b) / 2;

		snprintf(attrs, sizeof(attrs), "class=\"axis-label\" transform=\"rotate(-90 %.1f %.1f)\"", lx, ly);
		svg_text(&b, lx, ly, "middle", attrs, s->ylabel, CHART_LABEL_CHARS * 2);
	}
	x_axis(&b, &f, ceil(f.x0 / xstep - 1e-9) * xstep, xstep, s->xlabel, 0);

	/* colour scale: a column of steps with its own axis */
	zf.l = f.r + 24;
	zf.r = f.r + 40;
	zf.t = f.t;
	zf.b = f.b;
	zf.x0 = 0;
	zf.x1 = 1;
	zstep = nice_range(s->zmin, s->zmax, 5, &zf.y0, &zf.y1);
	zf.y0 = s->zmin;
	zf.y1 = zspan > 0 ? s->zmax : s->zmin + 1;
	svg_append(&b, "<g class=\"legend\">\n");
	for (int k = 0; k < SCALE_STEPS; k++)
	{
		double		h = (zf.b - zf.t) / SCALE_STEPS;

		scale_color((k + 0.5) / SCALE_STEPS, color, sizeof(color));
		svg_printf(&b, "<rect class=\"scale\" x=\"%.1f\" y=\"%.2f\" width=\"%.1f\" height=\"%.2f\" fill=\"%s\"/>\n",
				   zf.l, zf.b - (k + 1) * h, zf.r - zf.l, h + 0.3, color);
	}
	svg_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333333\"/>\n",
			   zf.l, zf.t, zf.r - zf.l, zf.b - zf.t);
	for (int i = 0; i <= 100; i++)
	{
		double		v = ceil(zf.y0 / zstep - 1e-9) * zstep + i * zstep,
					y;
		char		num[64];

		if (v > zf.y1 + zstep * 1e-6)
			break;
		y = fy(&zf, v);
		svg_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
				   zf.r, y, zf.r + 4, y);
		svg_format_tick(num, sizeof(num), v, zstep);
		svg_text(&b, zf.r + 7, y + 4, "start", "class=\"tick\"", num, 32);
		ztickw = fmax(ztickw, strlen(num) * TICK_CHAR_PX);
	}
	{
		char		attrs[160];
		double		lx = fmax(zf.r + 62, zf.r + 7 + ztickw + 9),
					ly = (zf.t + zf.b) / 2;

		snprintf(attrs, sizeof(attrs), "class=\"axis-label\" transform=\"rotate(90 %.1f %.1f)\"", lx, ly);
		svg_text(&b, lx, ly, "middle", attrs, s->zlabel, CHART_LABEL_CHARS * 2);
	}
	svg_append(&b, "</g>\n");
	return close_svg(&b);
}

double
chart_lorenz(const double *v, long n, int stride, int wofs,
			 double *px, double *py, int maxpts, int *npts)
{
	double		wsum = 0,
				vsum = 0,
				cw = 0,
				cv = 0,
				area = 0,
				every;
	int			k = 0;

	for (long i = 0; i < n; i++)
	{
		wsum += v[i * stride + wofs];
		vsum += v[i * stride] * v[i * stride + wofs];
	}
	every = n > maxpts - 2 ? (double) n / (maxpts - 2) : 1;
	px[k] = 0;
	py[k++] = 0;
	for (long i = 0; i < n; i++)
	{
		double		w = v[i * stride + wofs],
					xv = v[i * stride] * w,
					prev = cv / vsum;

		cw += w;
		cv += xv;
		/* trapezoid of this step: a group of equal values is a straight segment */
		area += (w / wsum) * (prev + cv / vsum) / 2;
		if (i == n - 1 || floor((i + 1) / every) > floor(i / every))
		{
			px[k] = cw / wsum;
			py[k++] = cv / vsum;
		}
	}
	if (k > maxpts)				/* cannot happen; keep the bound visible */
		k = maxpts;
	px[k - 1] = 1;
	py[k - 1] = 1;
	*npts = k;
	return 1 - 2 * area;
}

void
chart_bin(const double *v, long n, int stride, int wofs, int bins,
		  double *counts, double *lo, double *width)
{
	double		mn = INFINITY,
				mx = -INFINITY;

	for (long i = 0; i < n; i++)
	{
		mn = fmin(mn, v[i * stride]);
		mx = fmax(mx, v[i * stride]);
	}
	if (!(mx > mn))
	{
		mn -= 0.5;
		mx += 0.5;
	}
	*lo = mn;
	*width = (mx - mn) / bins;
	for (int j = 0; j < bins; j++)
		counts[j] = 0;
	for (long i = 0; i < n; i++)
	{
		long		j = (long) floor((v[i * stride] - mn) / *width);

		if (j < 0)
			j = 0;
		if (j >= bins)
			j = bins - 1;
		counts[j] += v[i * stride + wofs];
	}
}

void
chart_bin_log(const double *v, long n, int stride, int wofs, int bins,
			  double *counts, double *edges)
{
	double		mn = INFINITY,
				mx = -INFINITY,
				lw;

	for (long i = 0; i < n; i++)
	{
		mn = fmin(mn, log10(v[i * stride]));
		mx = fmax(mx, log10(v[i * stride]));
	}
	if (!(mx > mn))
	{
		mn -= 0.5;
		mx += 0.5;
	}
	lw = (mx - mn) / bins;
	for (int j = 0; j <= bins; j++)
		edges[j] = pow(10.0, j == bins ? mx : mn + j * lw);
	for (int j = 0; j < bins; j++)
		counts[j] = 0;
	for (long i = 0; i < n; i++)
	{
		long		j = (long) floor((log10(v[i * stride]) - mn) / lw);

		if (j < 0)
			j = 0;
		if (j >= bins)
			j = bins - 1;
		counts[j] += v[i * stride + wofs];
	}
}

int
chart_bin_quantile(const double *v, long n, int stride, int wofs, int bins,
				   double *counts, double *edges)
{
	double		wsum = 0,
				cw = 0,
				last = 0;
	int			nb = 0,
				cur = -1;

	if (n < 2)
		return 0;
	for (long i = 0; i < n; i++)
		wsum += v[i * stride + wofs];
	for (long i = 0; i < n; i++)
	{
		double		w = v[i * stride + wofs],
					x = v[i * stride];
		int			j = (int) floor((cw + w / 2) / wsum * bins);

		if (j >= bins)
			j = bins - 1;
		if (j != cur)
		{
			/* a new bin: its left edge halfway from the previous bin's last value */
			edges[nb] = nb == 0 ? x : (last + x) / 2;
			counts[nb++] = 0;
			cur = j;
		}
		counts[nb - 1] += w;
		cw += w;
		last = x;
	}
	edges[nb] = last;
	return nb;
}

/*
 * The segmentation charts: dendrogram, scatter plot by cluster, cluster profiles.
 */

/* Tableau 10, whose first two are the series colours: one per cluster, then again. */
#define N_CLUSTER_COLORS 10
static const char *const cluster_color[N_CLUSTER_COLORS] = {
	"#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
	"#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"
};

#define ABOVE_CUT_COLOR "#555555"

void
chart_format_count(char *out, size_t size, double v)
{
	char		digits[48];
	int			n,
				o = 0;

	snprintf(digits, sizeof(digits), "%.0f", fabs(v));
	n = (int) strlen(digits);
	if (v < 0 && o < (int) size - 1)
		out[o++] = '-';
	for (int i = 0; i < n && o < (int) size - 1; i++)
	{
		if (i > 0 && (n - i) % 3 == 0 && o < (int) size - 2)
			out[o++] = ',';
		out[o++] = digits[i];
	}
	out[o] = '\0';
}

/* Legend entries one under the other, from (x, y): a swatch and a name each. */
static void
legend_column(svg_buf *b, double x, double y, int n, const char *const *names,
			  const char *const *colors)
{
	svg_append(b, "<g class=\"legend\">\n");
	for (int i = 0; i < n; i++)
	{
		double		yy = y + i * 18;

		svg_printf(b, "<rect class=\"swatch\" x=\"%.1f\" y=\"%.1f\" width=\"14\" height=\"10\" fill=\"%s\"/>\n",
				   x, yy - 9, colors[i]);
		svg_text(b, x + 20, yy, "start", "class=\"legend\"", names[i], CHART_LABEL_CHARS);
	}
	svg_append(b, "</g>\n");
}

/* A remark under the title (a sample, a truncation). */
static void
note(svg_buf *b, double y, const char *s)
{
	svg_text(b, WIDTH / 2.0, y, "middle", "class=\"note\" fill=\"#555555\"", s, CHART_TITLE_CHARS);
}

chart_linkage_error
chart_linkage_check(const double *z, long n, unsigned char *used, double *size,
					long *row, int *col)
{
	memset(used, 0, 2 * n - 1);
	for (long i = 0; i < n - 1; i++)
	{
		const double *r = z + i * 4;
		double		want = 0;

		*row = i;
		for (int c = 0; c < 4; c++)
		{
			*col = c;
			if (!isfinite(r[c]))
				return LINKAGE_NOT_FINITE;
		}
		for (int c = 0; c < 2; c++)
		{
			long		id;

			*col = c;
			if (r[c] != floor(r[c]))
				return LINKAGE_NOT_INDEX;
			/* an observation, or a cluster formed by an earlier row */
			if (r[c] < 0 || r[c] >= (double) (n + i))
				return LINKAGE_INDEX_RANGE;
			id = (long) r[c];
			if (c == 1 && r[0] == r[1])
				return LINKAGE_SAME;
			if (used[id])
				return LINKAGE_REUSED;
			used[id] = 1;
			want += id < n ? 1 : size[id - n];
		}
		*col = 2;
		if (r[2] < 0 || r[2] > CHART_MAX_ABS)
			return LINKAGE_HEIGHT;
		*col = 3;
		if (r[3] != want)
			return LINKAGE_SIZE;
		size[i] = want;
	}
	/* n - 1 rows of two distinct earlier nodes each: every node but the root used once */
	return LINKAGE_OK;
}

typedef struct dendro_walk
{
	const chart_dendro_spec *s;
	svg_buf    *b;
	frame	   *f;
	long		first_leaf_merge;	/* nodes below 2n - p are leaves */
	long		first_cut_merge;	/* nodes from 2n - k up are above the cut */
	int			nleaves;
	int			nclusters;
	double		font;
	double		cluster_size[CHART_MAX_CLUSTERS];
} dendro_walk;

static double
node_size(const chart_dendro_spec *s, long id)
{
	return id < s->n ? 1 : s->z[(id - s->n) * 4 + 3];
}

static const char *
node_color(const dendro_walk *w, int cluster)
{
	if (w->s->k <= 1)
		return series_color[0];
	return cluster < 0 ? ABOVE_CUT_COLOR : cluster_color[cluster % N_CLUSTER_COLORS];
}

/*
 * Draws the subtree of node id (scipy's order: idx1 left of idx2) and returns its x
 * (data units: leaf i at i + 0.5) and height. cluster: the coloured cluster id is in,
 * -1 above the cut.
 */
static void
dendro_node(dendro_walk *w, long id, int cluster, double *x, double *h)
{
	const chart_dendro_spec *s = w->s;
	long		n = s->n;

	if (cluster < 0 && id < w->first_cut_merge)
	{
		/* the root of one of the k clusters, numbered left to right */
		cluster = w->nclusters++;
		w->cluster_size[cluster] = node_size(s, id);
	}
	if (id < w->first_leaf_merge)
	{
		char		label[64];
		const char *text = label;
		char		attrs[160];
		double		cx = w->nleaves + 0.5,
					px = fx(w->f, cx);

		if (id >= n)
			snprintf(label, sizeof(label), "(%.0f)", node_size(s, id));
		else if (s->labels)
			text = s->labels[id];
		else
			snprintf(label, sizeof(label), "%ld", id);
		snprintf(attrs, sizeof(attrs), "class=\"tick\" font-size=\"%.1f\" transform=\"rotate(-90 %.1f %.1f)\"",
				 w->font, px + w->font * 0.35, w->f->b + 8);
		svg_text(w->b, px + w->font * 0.35, w->f->b + 8, "end", attrs, text, CHART_LABEL_CHARS);
		w->nleaves++;
		*x = cx;
		*h = 0;
		return;
	}
	else
	{
		const double *r = s->z + (id - n) * 4;
		double		xa,
					ha,
					xb,
					hb;

		dendro_node(w, (long) r[0], cluster, &xa, &ha);
		dendro_node(w, (long) r[1], cluster, &xb, &hb);
		svg_printf(w->b, "<path class=\"link\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" "
				   "d=\"M%.1f %.1fL%.1f %.1fL%.1f %.1fL%.1f %.1f\"><title>",
				   node_color(w, cluster), fx(w->f, xa), fy(w->f, ha), fx(w->f, xa), fy(w->f, r[2]),
				   fx(w->f, xb), fy(w->f, r[2]), fx(w->f, xb), fy(w->f, hb));
		svg_printf(w->b, "cluster %ld = %.0f + %.0f: height %.6g, %.0f observations</title></path>\n",
				   id, r[0], r[1], r[2], r[3]);
		*x = (xa + xb) / 2;
		*h = r[2];
	}
}

char *
chart_dendrogram(const chart_dendro_spec *s)
{
	svg_buf		b;
	frame		f;
	dendro_walk w;
	long		n = s->n;
	int			m = s->p < n ? s->p : (int) n,
				maxchars = 1,
				height;
	double		hi = 0,
				ystep,
				band,
				x,
				h;
	char		text[160];

	svg_init(&b);
	for (long i = n - m; i < n - 1; i++)
		hi = fmax(hi, s->z[i * 4 + 2]);
	memset(&w, 0, sizeof(w));
	w.s = s;
	w.b = &b;
	w.f = &f;
	w.first_leaf_merge = 2 * n - m;
	w.first_cut_merge = 2 * n - s->k;
	/* the widest leaf label (rotated, so it sets the bottom margin) */
	if (s->labels)
		for (long i = 0; i < n; i++)
		{
			int			c = text_chars(s->labels[i], CHART_LABEL_CHARS + 1);

			if (c > maxchars)
				maxchars = c;
		}
	snprintf(text, sizeof(text), "(%ld)", n);
	maxchars = (int) fmax(maxchars, strlen(text));
	f.t = m < n ? 70 : 50;
	f.b = f.t + 300;
	f.x0 = 0;
	f.x1 = m;
	ystep = nice_range(0, hi, 6, &f.y0, &f.y1);
	f.l = left_margin(y_tick_width(f.y0, f.y1, ystep, 0));
	f.r = WIDTH - (s->k > 1 ? 170 : 30);
	band = (f.r - f.l) / m;
	w.font = fmax(5, fmin(12, band - 2));
	height = (int) ceil(fmax(f.b + 14 + maxchars * w.font * 0.62 + 32, f.t + 20 + 18 * s->k));

	open_svg(&b, WIDTH, height, s->title);
	if (m < n)
	{
		char		nn[48];

		chart_format_count(nn, sizeof(nn), (double) n);
		if (m == 2)
			snprintf(text, sizeof(text), "the last merge of %s observations: (n) is a cluster of n", nn);
		else
			snprintf(text, sizeof(text), "the last %d merges of %s observations: (n) is a cluster of n",
					 m - 1, nn);
		note(&b, 48, text);
	}
	y_axis(&b, &f, ystep, 0, "merge height", "#333333", 0);
	svg_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
			   f.l, f.b, f.r, f.b);
	dendro_node(&w, 2 * n - 2, -1, &x, &h);
	svg_text(&b, (f.l + f.r) / 2, height - 12, "middle", "class=\"axis-label\"",
			 s->labels ? "observations (label), (n) = a cluster of n"
			 : "observations (index), (n) = a cluster of n", CHART_LABEL_CHARS * 3);
	if (s->k > 1)
	{
		const char *names[CHART_MAX_CLUSTERS];
		const char *colors[CHART_MAX_CLUSTERS];
		char		buf[CHART_MAX_CLUSTERS][64];

		for (int c = 0; c < w.nclusters && c < CHART_MAX_CLUSTERS; c++)
		{
			char		nn[48];

			chart_format_count(nn, sizeof(nn), w.cluster_size[c]);
			snprintf(buf[c], sizeof(buf[c]), "cluster %d (%s)", c + 1, nn);
			names[c] = buf[c];
			colors[c] = cluster_color[c % N_CLUSTER_COLORS];
		}
		legend_column(&b, f.r + 24, f.t + 10, w.nclusters, names, colors);
	}
	return close_svg(&b);
}

uint64_t
chart_point_hash(double x, double y, int group)
{
	uint64_t	h,
				bx,
				by;

	/* -0 and 0 are one point */
	if (x == 0)
		x = 0;
	if (y == 0)
		y = 0;
	memcpy(&bx, &x, sizeof(bx));
	memcpy(&by, &y, sizeof(by));
	h = bx;
	for (int round = 0; round < 3; round++)
	{
		/* splitmix64's finaliser over (x, y, group) */
		h ^= round == 1 ? by : round == 2 ? (uint64_t) (uint32_t) group : 0;
		h += 0x9e3779b97f4a7c15ULL;
		h = (h ^ (h >> 30)) * 0xbf58476d1ce4e5b9ULL;
		h = (h ^ (h >> 27)) * 0x94d049bb133111ebULL;
		h ^= h >> 31;
	}
	return h;
}

/* A log10 vertical axis on the left, as y_axis. */
static void
y_axis_log(svg_buf *b, const frame *f, const char *label)
{
	double		ticks[LOG_TICK_ROOM],
				steps[LOG_TICK_ROOM],
				tickw = 0;
	int			nt = log_ticks(f->y0, f->y1, ticks, steps);
	char		num[64];

	svg_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
			   f->l, f->t, f->l, f->b);
	for (int i = 0; i < nt; i++)
	{
		double		y = fy(f, log10(ticks[i]));

		svg_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e3e3e3\"/>\n",
				   f->l, y, f->r, y);
		svg_printf(b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
				   f->l, y, f->l - 5, y);
		svg_format_tick(num, sizeof(num), ticks[i], steps[i]);
		svg_text(b, f->l - 8, y + 4, "end", "class=\"tick\"", num, 32);
		tickw = fmax(tickw, strlen(num) * TICK_CHAR_PX);
	}
	if (label)
	{
		char		attrs[160];
		double		lx = fmin(f->l - 52, f->l - 8 - tickw - 9),
					ly = (f->t + f->b) / 2;

		snprintf(attrs, sizeof(attrs), "class=\"axis-label\" transform=\"rotate(-90 %.1f %.1f)\"", lx, ly);
		svg_text(b, lx, ly, "middle", attrs, label, CHART_LABEL_CHARS * 2);
	}
}

/* Widest tick label of a log axis over the log10 values l0..l1, in pixels. */
static double
log_tick_width(double l0, double l1)
{
	double		ticks[LOG_TICK_ROOM],
				steps[LOG_TICK_ROOM],
				w = 0;
	int			nt = log_ticks(l0, l1, ticks, steps);
	char		num[64];

	for (int i = 0; i < nt; i++)
	{
		svg_format_tick(num, sizeof(num), ticks[i], steps[i]);
		w = fmax(w, strlen(num) * TICK_CHAR_PX);
	}
	return w;
}

/* A log10 range around lo..hi (both > 0), 3 % of its span either side. */
static void
log_range(double lo, double hi, double *a, double *b)
{
	double		l0 = log10(lo),
				l1 = log10(hi),
				pad;

	if (!(l1 > l0))
	{
		l0 -= 0.5;
		l1 += 0.5;
	}
	pad = (l1 - l0) * 0.03;
	*a = l0 - pad;
	*b = l1 + pad;
}

char *
chart_scatter(const chart_scatter_spec *s)
{
	svg_buf		b;
	frame		f;
	double		xstep = 0,
				ystep = 0;
	int			height = 460;
	const char *colors[CHART_MAX_CLUSTERS];
	const char *names[CHART_MAX_CLUSTERS];
	char		buf[CHART_MAX_CLUSTERS][96];

	svg_init(&b);
	f.t = s->rows > s->npts ? 70 : 50;
	f.b = height - 60;
	f.r = WIDTH - 190;
	if (s->log_x)
		log_range(s->xmin, s->xmax, &f.x0, &f.x1);
	else
		xstep = nice_range(s->xmin, s->xmax, 7, &f.x0, &f.x1);
	if (s->log_y)
	{
		log_range(s->ymin, s->ymax, &f.y0, &f.y1);
		f.l = left_margin(log_tick_width(f.y0, f.y1));
	}
	else
	{
		ystep = nice_range(s->ymin, s->ymax, 6, &f.y0, &f.y1);
		f.l = left_margin(y_tick_width(f.y0, f.y1, ystep, 0));
	}

	open_svg(&b, WIDTH, height, s->title);
	if (s->rows > s->npts)
	{
		char		a[48],
					t[48],
					text[160];

		chart_format_count(a, sizeof(a), s->npts);
		chart_format_count(t, sizeof(t), s->rows);
		snprintf(text, sizeof(text), "%s of %s rows drawn: a fixed sample (by a hash of each point)", a, t);
		note(&b, 48, text);
	}
	if (s->log_y)
		y_axis_log(&b, &f, s->ylabel);
	else
		y_axis(&b, &f, ystep, 0, s->ylabel, "#333333", 0);
	if (s->log_x)
		x_axis_log(&b, &f, s->xlabel);
	else
		x_axis(&b, &f, f.x0, xstep, s->xlabel, 0);
	for (int i = 0; i < s->npts; i++)
	{
		int			g = s->group[i];

		svg_printf(&b, "<circle class=\"point\" cx=\"%.1f\" cy=\"%.1f\" r=\"2.5\" fill=\"%s\" fill-opacity=\"0.75\"><title>",
				   fx(&f, s->log_x ? log10(s->x[i]) : s->x[i]),
				   fy(&f, s->log_y ? log10(s->y[i]) : s->y[i]),
				   cluster_color[g % N_CLUSTER_COLORS]);
		svg_escape(&b, s->group_names[g], CHART_LABEL_CHARS);
		svg_printf(&b, ": %.6g, %.6g</title></circle>\n", s->x[i], s->y[i]);
	}
	for (int g = 0; g < s->ngroups; g++)
	{
		char		nn[48],
					name[CHART_LABEL_CHARS * 4 + 1];
		int			len = 0;

		/* the name cut as the legend cuts it, then the count */
		for (const unsigned char *p = (const unsigned char *) s->group_names[g]; *p && len < (int) sizeof(name) - 1; p++)
			name[len++] = *p;
		name[len] = '\0';
		chart_format_count(nn, sizeof(nn), s->group_rows[g]);
		snprintf(buf[g], sizeof(buf[g]), "%s (%s)", name, nn);
		names[g] = buf[g];
		colors[g] = cluster_color[g % N_CLUSTER_COLORS];
	}
	legend_column(&b, f.r + 24, f.t + 10, s->ngroups, names, colors);
	return close_svg(&b);
}

/* Diverging colours, t in [-1, 1]: blue below 0, white at 0, red above. */
static void
diverging_color(double t, char *out, size_t size)
{
	static const double mid[3] = {247, 247, 247},
				lo[3] = {0x4e, 0x79, 0xa7},
				hi[3] = {0xe1, 0x57, 0x59};
	const double *end;
	double		u;

	if (!(t >= -1))
		t = -1;
	if (t > 1)
		t = 1;
	end = t < 0 ? lo : hi;
	u = fabs(t);
	snprintf(out, size, "#%02x%02x%02x",
			 (int) lround(mid[0] + u * (end[0] - mid[0])),
			 (int) lround(mid[1] + u * (end[1] - mid[1])),
			 (int) lround(mid[2] + u * (end[2] - mid[2])));
}

/* A value with two decimals, no "-0.00". */
static void
format_value(char *out, size_t size, double v)
{
	if (fabs(v) < 0.005)
		v = 0;
	snprintf(out, size, "%.2f", v);
}

char *
chart_profile(const chart_profile_spec *s)
{
	svg_buf		b;
	frame		f,
				zf;
	double		zlim = 0,
				zstep,
				cw,
				ch,
				font,
				ztickw = 0;
	int			rowchars = 1,
				colchars = 1,
				rotate,
				height;
	char		color[8],
				num[64];

	svg_init(&b);
	for (int i = 0; i < s->nrows * s->ncols; i++)
		zlim = fmax(zlim, fabs(s->z[i]));
	/* symmetric around 0, a multiple of 0.5 */
	zlim = fmax(0.5, ceil(zlim * 2 - 1e-9) / 2);
	for (int i = 0; i < s->nrows; i++)
		rowchars = (int) fmax(rowchars, text_chars(s->row_labels[i], CHART_LABEL_CHARS + 1));
	for (int j = 0; j < s->ncols; j++)
		colchars = (int) fmax(colchars, text_chars(s->col_labels[j], CHART_LABEL_CHARS + 1));
	f.l = 16 + rowchars * 7.0;
	f.r = WIDTH - 120;
	f.t = 50;
	ch = fmax(14, fmin(40, 320.0 / s->nrows));
	f.b = f.t + ch * s->nrows;
	cw = (f.r - f.l) / s->ncols;
	rotate = colchars * 7.0 > cw - 4;
	if (rotate && f.l < colchars * 7.0 * 0.77 + 8)
	{
		/* labels rotated by 40 degrees reach left of their column */
		f.l = colchars * 7.0 * 0.77 + 8;
		cw = (f.r - f.l) / s->ncols;
	}
	height = (int) ceil(fmax(f.b + (rotate ? 20 + colchars * 7.0 * 0.77 : 30), f.t + 140));
	f.x0 = 0;
	f.x1 = s->ncols;
	f.y0 = 0;
	f.y1 = s->nrows;
	font = fmax(5, fmin(12, fmin(cw / 3.6, ch * 0.6)));

	open_svg(&b, WIDTH, height, s->title);
	for (int i = 0; i < s->nrows; i++)
	{
		double		y = f.t + i * ch;

		for (int j = 0; j < s->ncols; j++)
		{
			double		z = s->z[i * s->ncols + j],
						x = f.l + j * cw;
			char		attrs[96];

			diverging_color(z / zlim, color, sizeof(color));
			svg_printf(&b, "<rect class=\"cell\" shape-rendering=\"crispEdges\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\" stroke=\"#ffffff\" stroke-width=\"0.5\"><title>",
					   x, y, cw, ch, color);
			svg_escape(&b, s->row_labels[i], CHART_LABEL_CHARS * 2);
			svg_append(&b, ", ");
			svg_escape(&b, s->col_labels[j], CHART_LABEL_CHARS * 2);
			format_value(num, sizeof(num), z);
			svg_printf(&b, ": %s (mean %.6g)</title></rect>\n", num, s->mean[i * s->ncols + j]);
			snprintf(attrs, sizeof(attrs), "class=\"value\" font-size=\"%.1f\" fill=\"%s\"",
					 font, fabs(z / zlim) > 0.6 ? "#ffffff" : "#222222");
			svg_text(&b, x + cw / 2, y + ch / 2 + font * 0.35, "middle", attrs, num, 16);
		}
		svg_text(&b, f.l - 8, y + ch / 2 + 4, "end", "class=\"tick\"", s->row_labels[i], CHART_LABEL_CHARS);
	}
	for (int j = 0; j < s->ncols; j++)
	{
		double		cx = f.l + (j + 0.5) * cw;

		if (rotate)
		{
			char		attrs[96];

			snprintf(attrs, sizeof(attrs), "class=\"tick\" transform=\"rotate(-40 %.1f %.1f)\"",
					 cx, f.b + 14);
			svg_text(&b, cx, f.b + 14, "end", attrs, s->col_labels[j], CHART_LABEL_CHARS);
		}
		else
			svg_text(&b, cx, f.b + 19, "middle", "class=\"tick\"", s->col_labels[j], CHART_LABEL_CHARS);
	}

	/* colour scale: a column of steps from -zlim to zlim with its own axis */
	zf.l = f.r + 24;
	zf.r = f.r + 40;
	zf.t = f.t;
	zf.b = fmax(f.b, f.t + 120);
	zf.x0 = 0;
	zf.x1 = 1;
	zf.y0 = -zlim;
	zf.y1 = zlim;
	zstep = svg_nice_step(2 * zlim, 4);
	svg_append(&b, "<g class=\"legend\">\n");
	for (int k = 0; k < SCALE_STEPS; k++)
	{
		double		h = (zf.b - zf.t) / SCALE_STEPS;

		diverging_color(-1 + 2 * (k + 0.5) / SCALE_STEPS, color, sizeof(color));
		svg_printf(&b, "<rect class=\"scale\" x=\"%.1f\" y=\"%.2f\" width=\"%.1f\" height=\"%.2f\" fill=\"%s\"/>\n",
				   zf.l, zf.b - (k + 1) * h, zf.r - zf.l, h + 0.3, color);
	}
	svg_printf(&b, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#333333\"/>\n",
			   zf.l, zf.t, zf.r - zf.l, zf.b - zf.t);
	for (int i = 0; i <= 100; i++)
	{
		double		v = ceil(-zlim / zstep - 1e-9) * zstep + i * zstep,
					y;

		if (v > zlim + zstep * 1e-6)
			break;
		y = fy(&zf, v);
		svg_printf(&b, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#333333\"/>\n",
				   zf.r, y, zf.r + 4, y);
		svg_format_tick(num, sizeof(num), v, zstep);
		svg_text(&b, zf.r + 7, y + 4, "start", "class=\"tick\"", num, 32);
		ztickw = fmax(ztickw, strlen(num) * TICK_CHAR_PX);
	}
	{
		char		attrs[160];
		double		lx = fmax(zf.r + 50, zf.r + 7 + ztickw + 9),
					ly = (zf.t + zf.b) / 2;

		snprintf(attrs, sizeof(attrs), "class=\"axis-label\" transform=\"rotate(90 %.1f %.1f)\"", lx, ly);
		svg_text(&b, lx, ly, "middle", attrs, s->zlabel, CHART_LABEL_CHARS * 2);
	}
	svg_append(&b, "</g>\n");
	return close_svg(&b);
}

/* hi + lo of s + e, |lo| <= ulp(hi) / 2 */
static chart_dd
dd_norm(double s, double e)
{
	chart_dd	r;

	r.hi = s + e;
	r.lo = e - (r.hi - s);
	return r;
}

/* s + e = a + b exactly (Knuth's two-sum) */
static double
two_sum(double a, double b, double *e)
{
	double		s = a + b,
				bp = s - a;

	*e = (a - (s - bp)) + (b - bp);
	return s;
}

void
chart_dd_add(chart_dd *a, double x)
{
	double		e,
				s = two_sum(a->hi, x, &e);

	*a = dd_norm(s, e + a->lo);
}

void
chart_dd_add_square(chart_dd *a, double x)
{
	double		p = x * x;

	chart_dd_add(a, p);
	chart_dd_add(a, fma(x, x, -p));
}

void
chart_dd_add_dd(chart_dd *a, chart_dd b)
{
	double		e,
				s = two_sum(a->hi, b.hi, &e);

	*a = dd_norm(s, e + a->lo + b.lo);
}

static chart_dd
dd_div(chart_dd a, double d)
{
	double		q1 = a.hi / d,
				p = q1 * d,
				pe = fma(q1, d, -p),
				r = ((a.hi - p) - pe) + a.lo;

	return dd_norm(q1, r / d);
}

static chart_dd
dd_mul(chart_dd a, chart_dd b)
{
	double		p = a.hi * b.hi,
				e = fma(a.hi, b.hi, -p);

	return dd_norm(p, e + a.hi * b.lo + a.lo * b.hi);
}

double
chart_profile_z(chart_dd sum_c, double n_c, chart_dd sum, chart_dd sumsq, double n,
				double *mean_c)
{
	chart_dd	mean = dd_div(sum, n),
				mc = dd_div(sum_c, n_c),
				var = dd_div(sumsq, n),
				m2 = dd_mul(mean, mean),
				diff;

	m2.hi = -m2.hi;
	m2.lo = -m2.lo;
	chart_dd_add_dd(&var, m2);
	*mean_c = mc.hi + mc.lo;
	/* constant (up to rounding of the sums): no spread to measure against */
	if (!(var.hi > 0) || var.hi <= 1e-24 * mean.hi * mean.hi)
		return 0;
	diff = mean;
	diff.hi = -diff.hi;
	diff.lo = -diff.lo;
	chart_dd_add_dd(&diff, mc);
	return (diff.hi + diff.lo) / sqrt(var.hi + var.lo);
}
