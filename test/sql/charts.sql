-- SVG charts on CDNOW: structure checked with the server's XML parser and XPath, values
-- against independent SQL, escaping of hostile text, and bad input.

CREATE TABLE ch_summary AS
SELECT customer_id, (clv_summary(txn_time, amount, '1997-09-30', 'week')).*
FROM cdnow_txn GROUP BY customer_id;
CREATE TABLE ch_models AS
SELECT (SELECT bgnbd_fit(frequency, recency, t) FROM ch_summary) AS bg,
       (SELECT gamma_gamma_fit(frequency, monetary_value) FROM ch_summary) AS gg;
CREATE TABLE ch_clv AS
SELECT s.*, gamma_gamma_clv(bg, gg, frequency, recency, t, monetary_value, unit_days => 7) AS clv
FROM ch_summary s, ch_models;
CREATE TABLE ch_holdout AS
SELECT customer_id, (clv_summary_holdout(txn_time, amount, '1997-09-30', '1998-06-30', 'week')).*
FROM cdnow_txn GROUP BY customer_id;
CREATE TABLE ch_bins AS
SELECT clv_holdout_by_frequency(frequency, bgnbd_expected_purchases(bg, holdout_length, frequency, recency, t),
                                holdout_frequency, 7) AS bins
FROM ch_holdout, ch_models;

-- XPath over SVG needs its namespace.
CREATE FUNCTION svg_count(svg text, path text) RETURNS int
    AS $$ SELECT (xpath('count(' || path || ')', svg::xml,
                        ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']]))[1]::text::numeric::int $$
    LANGUAGE sql IMMUTABLE;
CREATE FUNCTION svg_texts(svg text, path text) RETURNS SETOF text
    AS $$ SELECT unnest(xpath(path, svg::xml, ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']]))::text $$
    LANGUAGE sql IMMUTABLE;

CREATE TABLE charts (name text PRIMARY KEY, svg text);
INSERT INTO charts
SELECT 'p_alive', clv_svg_frequency_recency(bg, 38.86) FROM ch_models
UNION ALL
SELECT 'expected', clv_svg_frequency_recency(bg, 38.86, 'expected_purchases', 10, 39, 'Next 39 weeks')
FROM ch_models
UNION ALL
SELECT 'holdout', clv_svg_holdout(bins) FROM ch_bins
UNION ALL
SELECT 'bars', clv_svg_bar_chart(array_agg(f::text ORDER BY f), array_agg(n ORDER BY f),
                                 'Customers by repeat purchases', 'customers')
FROM (SELECT least(frequency, 7) AS f, count(*)::float8 AS n FROM ch_summary GROUP BY 1) s
UNION ALL
SELECT 'bars2', clv_svg_bar_chart(array_agg(f::text ORDER BY f), array_agg(n ORDER BY f),
                                  array_agg(v ORDER BY f), 'Customers and value',
                                  ARRAY['customers', 'total CLV'])
FROM (SELECT least(frequency, 7) AS f, count(*)::float8 AS n, sum(clv) AS v FROM ch_clv GROUP BY 1) s
UNION ALL
SELECT 'histogram', clv_svg_histogram(clv, 25, '12-month CLV') FROM ch_clv
UNION ALL
SELECT 'lorenz', clv_svg_lorenz(clv, 'Concentration of CLV') FROM ch_clv;

-- Every chart is a well-formed SVG document with a title, dimensions and a viewBox.
SELECT name, xml_is_well_formed_document(svg) AS well_formed,
       svg_count(svg, '/s:svg[@version="1.1" and @width and @height and @viewBox]') AS svg_root,
       (SELECT t FROM svg_texts(svg, '/s:svg/s:title/text()') t) AS title,
       svg_count(svg, '//s:text[@class="title"]') AS title_texts,
       svg_count(svg, '//s:text[@class="tick"]') > 4 AS has_ticks,
       svg_count(svg, '//s:text[@class="axis-label"]') AS axis_labels,
       svg_count(svg, '//s:text[@class="legend"]') AS legend_entries
FROM charts ORDER BY name;

-- Frequency/recency matrix: 21 x 39 cells (frequency 0..20, recency 0..38.86 in 39 steps),
-- 50 steps of colour scale; the top-right cell is P(alive) of (20, 38.86, 38.86).
SELECT svg_count(svg, '//s:rect[@class="cell"]') AS cells,
       svg_count(svg, '//s:rect[@class="scale"]') AS scale_steps,
       (SELECT t FROM svg_texts(svg, '//s:text[@class="axis-label"]/text()') t
        ORDER BY t LIMIT 1) AS scale_label
FROM charts WHERE name = 'p_alive';
SELECT (SELECT t FROM svg_texts(svg, '//s:rect[@class="cell"][last()]/s:title/text()') t) AS last_cell,
       round(bgnbd_p_alive(bg, 20, 38.86, 38.86)::numeric, 4) AS p_alive
FROM charts, ch_models WHERE name = 'p_alive';
SELECT svg_count(svg, '//s:rect[@class="cell"]') AS cells,
       (SELECT t FROM svg_texts(svg, '//s:rect[@class="cell"][last()]/s:title/text()') t) AS last_cell,
       round(bgnbd_expected_purchases(bg, 39, 10, 38.86, 38.86)::numeric, 3) AS expected
FROM charts, ch_models WHERE name = 'expected';

-- Calibration vs holdout: two series with a point per bin (frequency 0..7), a legend.
SELECT svg_count(svg, '//s:path[@class="series"]') AS series,
       svg_count(svg, '//s:circle[@class="point"]') AS points,
       array_length(bins, 1) AS bins
FROM charts, ch_bins WHERE name = 'holdout';

-- Bars: one rect per label and series; their tooltips carry the values.
SELECT name, svg_count(svg, '//s:rect[@class="bar"]') AS bars,
       svg_count(svg, '//s:rect[@class="swatch"]') AS swatches,
       (SELECT t FROM svg_texts(svg, '//s:rect[@class="bar"][1]/s:title/text()') t) AS first_bar
FROM charts WHERE name LIKE 'bars%' ORDER BY name;

-- Histogram: 25 bars whose counts add up to the 2357 customers.
SELECT svg_count(svg, '//s:rect[@class="bar"]') AS bars,
       (SELECT sum(split_part(t, ': ', 2)::numeric) FROM svg_texts(svg, '//s:rect[@class="bar"]/s:title/text()') t)
           AS customers
FROM charts WHERE name = 'histogram';

-- Skewed values: scale 'log' bins log10(value) in equal steps between the smallest and
-- the largest value (ticks at 1, 2, 5 times powers of ten over up to four decades);
-- 'quantile' makes bins of (nearly) equal counts, bars of count per unit of x, so that
-- their areas are the counts. Axis titles carry units. Each bar's tooltip has its
-- range and count: the counts add up to the customers, the ranges tile min..max.
CREATE TABLE ch_hist AS
SELECT 'log' AS scale, clv_svg_histogram(clv, 20, 'CLV', 'log', '12-month CLV ($)', 'customers') AS svg
FROM ch_clv WHERE clv >= 1
UNION ALL
SELECT 'quantile', clv_svg_histogram(clv, 10, 'CLV', 'quantile', '12-month CLV ($)', 'customers') FROM ch_clv
UNION ALL
SELECT 'linear', clv_svg_histogram(clv, 10, 'CLV', 'linear') FROM ch_clv;
CREATE FUNCTION ch_bar_ranges(svg text) RETURNS TABLE (i bigint, lo float8, hi float8, n numeric)
    AS $$ SELECT i, split_part(split_part(t, ': ', 1), ' to ', 1)::float8,
                 split_part(split_part(t, ': ', 1), ' to ', 2)::float8, split_part(t, ': ', 2)::numeric
          FROM svg_texts(svg, '//s:rect[@class="bar"]/s:title/text()') WITH ORDINALITY u(t, i) $$
    LANGUAGE sql;
SELECT scale, svg_count(svg, '//s:rect[@class="bar"]') AS bars,
       (SELECT sum(n) FROM ch_bar_ranges(svg)) AS customers,
       (SELECT min(n) || ' .. ' || max(n) FROM ch_bar_ranges(svg)) AS per_bar,
       (SELECT bool_and(abs(b.lo - a.hi) <= 1e-5 * b.lo) FROM ch_bar_ranges(svg) a JOIN ch_bar_ranges(svg) b ON b.i = a.i + 1)
           AS adjacent,
       (SELECT string_agg(t, ' | ') FROM svg_texts(svg, '//s:text[@class="axis-label"]/text()') t) AS axis_titles
FROM ch_hist ORDER BY scale;
-- log: the bins' edges are equal steps of log10 from min to max; x ticks at 1-2-5 steps
SELECT (SELECT round(lo::numeric, 2) FROM ch_bar_ranges(svg) WHERE i = 1) AS first_edge,
       (SELECT round(min(clv)::numeric, 2) FROM ch_clv WHERE clv >= 1) AS min_clv,
       (SELECT round(hi::numeric, 2) FROM ch_bar_ranges(svg) WHERE i = 20) AS last_edge,
       (SELECT round(max(clv)::numeric, 2) FROM ch_clv) AS max_clv,
       (SELECT round(stddev(log(hi) - log(lo))::numeric, 6) FROM ch_bar_ranges(svg)) AS log_width_sd,
       (SELECT string_agg(t, ' ') FROM svg_texts(svg, '//s:text[@class="tick" and @text-anchor="middle"]/text()') t)
           AS x_ticks
FROM ch_hist WHERE scale = 'log';
-- quantile: bar heights are count / width, the same pixels per (customer per $) for
-- every bar (bars over 20 px: heights are printed to 0.1 px)
SELECT count(*) AS tall_bars, round((max(h / (n / (hi - lo))) / min(h / (n / (hi - lo))))::numeric, 2) AS spread
FROM ch_hist, ch_bar_ranges(svg),
     LATERAL (SELECT (xpath('//s:rect[@class="bar"][' || i || ']/@height', svg::xml,
                            ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']]))[1]::text::float8 AS h) x
WHERE scale = 'quantile' AND h > 20;
-- The four-argument linear form draws the chart of the three-argument form.
SELECT svg = (SELECT clv_svg_histogram(clv, 10, 'CLV') FROM ch_clv) AS linear_is_default
FROM ch_hist WHERE scale = 'linear';
-- Ties are never split between quantile bins (the five 1s stay in one bar); a single
-- value gets the linear bins around it, and on a log scale half a decade either side.
SELECT (SELECT string_agg(n::text, ' ') FROM ch_bar_ranges(clv_svg_histogram(v, 4, 't', 'quantile')))
           AS tied_counts,
       (SELECT svg_count(clv_svg_histogram(v, 4, 't', 'quantile'), '//s:rect[@class="bar"]')
        FROM (VALUES (3.0), (3.0)) w(v)) AS single_value_bins,
       (SELECT string_agg(round(lo::numeric, 3) || ' to ' || round(hi::numeric, 3), ' ')
        FROM (SELECT clv_svg_histogram(v, 4, 't', 'log') AS svg FROM (VALUES (10.0), (10.0)) w(v)) h,
             ch_bar_ranges(h.svg) WHERE n > 0) AS single_value_log
FROM (VALUES (1.0), (1.0), (1.0), (1.0), (1.0), (2.0), (3.0), (4.0)) v(v);

-- Axis titles keep clear of the tick labels, however wide: the rotated title's glyphs
-- (12 px high, 3 px below the baseline) end 6 px before the widest tick label, whose
-- digits are about 7.6 px wide (left axis: labels end at their x; right: start there).
CREATE FUNCTION ch_tick_extent(svg text, anchor text) RETURNS TABLE (lo float8, hi float8)
    AS $$ SELECT min(x::float8 - CASE anchor WHEN 'end' THEN 7.6 * length(t) ELSE 0 END),
                 max(x::float8 + CASE anchor WHEN 'start' THEN 7.6 * length(t) ELSE 0 END)
          FROM ROWS FROM (svg_texts(svg, '//s:text[@class="tick" and @text-anchor="' || anchor || '"]/@x'),
                          svg_texts(svg, '//s:text[@class="tick" and @text-anchor="' || anchor || '"]/text()')) u(x, t) $$
    LANGUAGE sql;
SELECT min(t.v) AS widest_tick,
       (SELECT lo FROM ch_tick_extent(svg, 'end')) - (min(a.x) + 3) >= 6 AS left_clear,
       min(a.x) - 12 >= 0 AS left_inside,
       max(a.x) - 3 - (SELECT hi FROM ch_tick_extent(svg, 'start')) >= 6 AS right_clear,
       max(a.x) + 12 <= 760 AS right_inside
FROM (SELECT clv_svg_bar_chart(ARRAY['a', 'b'], ARRAY[2.5e9, 1], ARRAY[1, 2e9], 't',
                               ARRAY['revenue ($)', 'units']) AS svg) c,
     LATERAL (SELECT x::float8 FROM svg_texts(svg, '//s:text[@class="axis-label"]/@x') x) a(x),
     LATERAL (SELECT max(length(t)) FROM svg_texts(svg, '//s:text[@class="tick"]/text()') t) t(v)
GROUP BY svg;

-- Lorenz curve: the curve, the diagonal, and the Gini coefficient in the legend, equal to
-- the textbook formula G = 2 sum(i x_(i)) / (n sum x) - (n + 1) / n.
SELECT svg_count(svg, '//s:path[@class="series"]') AS curve,
       svg_count(svg, '//s:path[@class="reference"]') AS diagonal,
       (SELECT t FROM svg_texts(svg, '//s:text[@class="legend"]/text()') t ORDER BY t LIMIT 1) AS legend
FROM charts WHERE name = 'lorenz';
SELECT round((2 * sum(i * clv) / (count(*) * sum(clv)) - (count(*) + 1.0) / count(*))::numeric, 3) AS gini
FROM (SELECT clv, row_number() OVER (ORDER BY clv) AS i FROM ch_clv) s;

-- Hostile text is escaped everywhere: titles, labels, series names.
CREATE TABLE hostile AS SELECT E'<script>&"''\x01' AS s;
SELECT name, xml_is_well_formed_document(svg) AS well_formed,
       position('<script>' IN svg) = 0 AS no_raw_tag,
       position('&lt;script&gt;&amp;&quot;&apos;' IN svg) > 0 AS escaped,
       svg_count(svg, '//s:script') AS scripts
FROM (SELECT 'matrix' AS name, clv_svg_frequency_recency(bg, 10, 'p_alive', 3, 1, s) AS svg FROM ch_models, hostile
      UNION ALL SELECT 'holdout', clv_svg_holdout(bins, s) FROM ch_bins, hostile
      UNION ALL SELECT 'bars', clv_svg_bar_chart(ARRAY[s, 'b'], ARRAY[1, 2], s, s) FROM hostile
      UNION ALL SELECT 'bars2', clv_svg_bar_chart(ARRAY[s], ARRAY[1], ARRAY[2], s, ARRAY[s, s]) FROM hostile
      UNION ALL SELECT 'histogram', clv_svg_histogram(v, 3, s) FROM hostile, (VALUES (1.0), (2.0)) v(v) GROUP BY s
      UNION ALL SELECT 'lorenz', clv_svg_lorenz(v, s) FROM hostile, (VALUES (1.0), (2.0)) v(v) GROUP BY s) c
ORDER BY name;
-- Long labels are cut with an ellipsis; the control character became U+FFFD.
SELECT (SELECT t FROM svg_texts(clv_svg_bar_chart(ARRAY[repeat('x', 40)], ARRAY[1]), '//s:text[@class="tick"]/text()') t
        WHERE t LIKE 'x%') AS cut_label,
       position(U&'\FFFD' IN clv_svg_bar_chart(ARRAY['a'], ARRAY[1], E'a\x01b')) > 0 AS replaced;

-- Edge cases that are valid: one bar, negative values, one value, one bin.
SELECT xml_is_well_formed_document(clv_svg_bar_chart(ARRAY['only'], ARRAY[0])) AS one_zero_bar,
       svg_count(clv_svg_bar_chart(ARRAY['loss', 'gain'], ARRAY[-5, 3]), '//s:rect[@class="bar"]') AS negative_bars,
       (SELECT svg_count(clv_svg_histogram(v), '//s:rect[@class="bar"]') FROM (VALUES (7.0), (7.0)) v(v)) AS same_value_bins,
       (SELECT svg_count(clv_svg_histogram(v, 1), '//s:rect[@class="bar"]') FROM (VALUES (1.0), (9.0)) v(v)) AS one_bin,
       (SELECT xml_is_well_formed_document(clv_svg_lorenz(v)) FROM (VALUES (0.0), (5.0)) v(v)) AS lorenz_with_zero;
-- Aggregates over no rows, or only NULL values, give NULL; NULL arguments of the functions give NULL.
SELECT (SELECT clv_svg_histogram(v) FROM (VALUES (NULL::float8)) v(v)) IS NULL AS histogram_nulls,
       (SELECT clv_svg_lorenz(clv) FROM ch_clv WHERE false) IS NULL AS lorenz_no_rows,
       clv_svg_bar_chart(NULL, ARRAY[1]) IS NULL AS strict_bars,
       clv_svg_frequency_recency(NULL, 10) IS NULL AS strict_matrix;

-- The aggregates are parallel safe: a parallel plan gives the serial chart.
CREATE TABLE ch_big AS SELECT ((i * 7919) % 10007) / 10.0 AS v FROM generate_series(1, 100000) i;
ANALYZE ch_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT clv_svg_lorenz(v) FROM ch_big;
CREATE TEMP TABLE par AS SELECT clv_svg_histogram(v, 10, 't') AS h, clv_svg_lorenz(v) AS l,
       clv_svg_histogram(v, 10, 't', 'quantile', 'x ($)', 'y') AS q,
       clv_svg_histogram(v, 10, 't', 'log') FILTER (WHERE v > 0) AS lg FROM ch_big;
RESET parallel_leader_participation;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ser AS SELECT clv_svg_histogram(v, 10, 't') AS h, clv_svg_lorenz(v) AS l,
       clv_svg_histogram(v, 10, 't', 'quantile', 'x ($)', 'y') AS q,
       clv_svg_histogram(v, 10, 't', 'log') FILTER (WHERE v > 0) AS lg FROM ch_big;
SELECT p.h = s.h AS histogram_equal, p.l = s.l AS lorenz_equal, p.q = s.q AS quantile_equal,
       p.lg = s.lg AS log_equal, position('x ($)' IN p.q) > 0 AS xlabel_kept
FROM par p, ser s;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- Bad input: clear errors naming the value.
SELECT clv_svg_bar_chart(ARRAY[]::text[], ARRAY[]::float8[]);
SELECT clv_svg_bar_chart(ARRAY['a', NULL], ARRAY[1, 2]);
SELECT clv_svg_bar_chart(ARRAY['a', 'b'], ARRAY[1, NULL]);
SELECT clv_svg_bar_chart(ARRAY['a', 'b'], ARRAY[1]);
SELECT clv_svg_bar_chart(ARRAY['a', 'b'], ARRAY[1, 'NaN'::float8]);
SELECT clv_svg_bar_chart(ARRAY['a'], ARRAY['Infinity'::float8]);
SELECT clv_svg_bar_chart(ARRAY['a'], ARRAY[1e300]);
SELECT clv_svg_bar_chart(ARRAY[['a', 'b']], ARRAY[1, 2]);
SELECT clv_svg_bar_chart(array_agg(i::text), array_agg(i::float8)) FROM generate_series(1, 201) i;
SELECT clv_svg_bar_chart(ARRAY['a'], ARRAY[1], ARRAY[1, 2], 't', ARRAY['x', 'y']);
SELECT clv_svg_bar_chart(ARRAY['a'], ARRAY[1], ARRAY[2], 't', ARRAY['x']);
SELECT clv_svg_holdout(ARRAY[]::clv_frequency_bin[]);
SELECT clv_svg_holdout(ARRAY[NULL]::clv_frequency_bin[]);
SELECT clv_svg_holdout(ARRAY[(1, 10, 0.5, 0.6), (1, 5, 0.4, 0.2)]::clv_frequency_bin[]);
SELECT clv_svg_holdout(ARRAY[(-1, 10, 0.5, 0.6)]::clv_frequency_bin[]);
SELECT clv_svg_holdout(ARRAY[(0, 10, 'NaN', 0.6)]::clv_frequency_bin[]);
SELECT clv_svg_holdout(ARRAY[(0, 10, NULL, 0.6)]::clv_frequency_bin[]);
SELECT clv_svg_frequency_recency(bg, 38.86, 'clv') FROM ch_models;
SELECT clv_svg_frequency_recency(bg, 0) FROM ch_models;
SELECT clv_svg_frequency_recency(bg, 'NaN') FROM ch_models;
SELECT clv_svg_frequency_recency(bg, 38.86, 'p_alive', 0) FROM ch_models;
SELECT clv_svg_frequency_recency(bg, 38.86, 'p_alive', 101) FROM ch_models;
SELECT clv_svg_frequency_recency(bg, 38.86, 'expected_purchases', 20, -1) FROM ch_models;
SELECT clv_svg_frequency_recency(bg, 38.86, 'expected_purchases', 20, 'Infinity') FROM ch_models;
SELECT clv_svg_frequency_recency(bgnbd_model(0.24, 4.4, 0.79, -2.4), 38.86);
SELECT clv_svg_histogram(v) FROM (VALUES (1.0), ('NaN')) v(v);
SELECT clv_svg_histogram(v) FROM (VALUES (1.0), ('-Infinity')) v(v);
SELECT clv_svg_histogram(v, 0) FROM (VALUES (1.0)) v(v);
SELECT clv_svg_histogram(v, 201) FROM (VALUES (1.0)) v(v);
SELECT clv_svg_histogram(v, NULL) FROM (VALUES (1.0)) v(v);
SELECT clv_svg_histogram(v, 10, t) FROM (VALUES (1.0, 'a'), (2.0, 'b')) v(v, t);
SELECT clv_svg_histogram(v, 10, 't', 'sqrt') FROM (VALUES (1.0)) v(v);
SELECT clv_svg_histogram(v, 10, 't', NULL) FROM (VALUES (1.0)) v(v);
SELECT clv_svg_histogram(v, 10, 't', 'log') FROM (VALUES (1.0), (0.0)) v(v);
SELECT clv_svg_histogram(v, 10, 't', s) FROM (VALUES (1.0, 'log'), (2.0, 'linear')) v(v, s);
SELECT clv_svg_histogram(v, 10, 't', 'linear', 'x', NULL) FROM (VALUES (1.0)) v(v);
SELECT clv_svg_lorenz(v) FROM (VALUES (1.0), (-2.0)) v(v);
SELECT clv_svg_lorenz(v) FROM (VALUES (0.0), (0.0)) v(v);
SELECT clv_svg_lorenz(v, NULL) FROM (VALUES (1.0)) v(v);
