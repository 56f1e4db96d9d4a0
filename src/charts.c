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
static void
x_axis_log(svg_buf *b, const frame *f, const char *label)
{
	static const double mults125[] = {1, 2, 5};
	double		ticks[128],
				steps[128];
	int			nt = 0,
				k0 = (int) floor(f->x0 + 1e-9),
				k1 = (int) ceil(f->x1 - 1e-9),
				decades = (int) floor(f->x1 + 1e-9) - (int) ceil(f->x0 - 1e-9) + 1,
				every = decades > 8 ? (decades + 7) / 8 : 1,
				nm = decades > 4 ? 1 : 3;
	char		num[64];

	for (int k = k0; k <= k1 && nt < 120; k++)
	{
		if (((k % every) + every) % every != 0)
			continue;
		for (int m = 0; m < nm; m++)
		{
			double		v = mults125[m] * pow(10.0, k),
						lv = log10(v);

			if (lv < f->x0 - 1e-9 || lv > f->x1 + 1e-9)
				continue;
			ticks[nt] = v;
			steps[nt++] = pow(10.0, k);
		}
	}
	if (nt < 2)
	{
		double		lo = pow(10.0, f->x0),
					hi = pow(10.0, f->x1),
					step = svg_nice_step(hi - lo, 5);

		nt = 0;
		for (double v = ceil(lo / step - 1e-9) * step; v <= hi * (1 + 1e-9) && nt < 120; v += step)
		{
			ticks[nt] = v;
			steps[nt++] = step;
		}
	}
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
