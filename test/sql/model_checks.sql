-- Model checks over calendar time (issue 14): the unconditional E[X(t)] and P(X(t) = x)
-- of BG/NBD, MBG/NBD and Pareto/NBD against an independent computation, the tracking and
-- count check aggregates on CDNOW, their charts, and bad input.
-- Reference values: test/reference/model_checks.py (mpmath closed forms at 30 digits,
-- probabilities by numerical integration over the purchase rate or the drop-out time).

CREATE TABLE mc_models AS
SELECT bgnbd_model(0.243, 4.414, 0.793, 2.426) AS bg,
       mbgnbd_model(0.525, 6.183, 0.891, 1.614) AS mbg,
       pareto_nbd_model(0.553, 10.578, 0.606, 11.669) AS pnbd,
       bgbb_model(1.204, 0.750, 0.657, 2.783) AS bb;

-- E[X(t)] of a new customer: worst relative error over the grid below 1e-8.
CREATE TABLE mc_ref_ex (model text, t float8, value float8);
INSERT INTO mc_ref_ex VALUES
('bgnbd', 0.5, 0.027065046325092388),
('bgnbd', 1, 0.053267891171658282),
('bgnbd', 10, 0.43241336223442559),
('bgnbd', 39, 1.1967231933208169),
('bgnbd', 78, 1.8605190579427686),
('bgnbd', 520, 4.9746178618496597),
('mbgnbd', 0.5, 0.026937355002919779),
('mbgnbd', 1, 0.053084795263701843),
('mbgnbd', 10, 0.43346741515657076),
('mbgnbd', 39, 1.1829536655971727),
('mbgnbd', 78, 1.8047575775531418),
('mbgnbd', 520, 4.4144453267990476),
('pareto_nbd', 0.5, 0.025807362692418985),
('pareto_nbd', 1, 0.050979843245991),
('pareto_nbd', 10, 0.42760114283242949),
('pareto_nbd', 39, 1.2130028442810159),
('pareto_nbd', 78, 1.9093981293136855),
('pareto_nbd', 520, 5.423574485212893);
SELECT model, count(*) AS points,
       max(abs(v / value - 1)) < 1e-8 AS agrees_1e8
FROM (SELECT r.*, CASE model WHEN 'bgnbd' THEN bgnbd_expected_purchases(bg, t)
                             WHEN 'mbgnbd' THEN mbgnbd_expected_purchases(mbg, t)
                             ELSE pareto_nbd_expected_purchases(pnbd, t) END AS v
      FROM mc_ref_ex r, mc_models) s
GROUP BY model ORDER BY model;

-- P(X(t) = x) of a new customer (MBG/NBD's and BG/BB's, over t = n_periods
-- opportunities, are new in 0.3).
CREATE TABLE mc_ref_pn (model text, t float8, x int, value float8);
INSERT INTO mc_ref_pn VALUES
('bgnbd', 1, 0, 0.95158879412254711),
('bgnbd', 1, 1, 0.044115066032177442),
('bgnbd', 1, 2, 0.0038080968968084641),
('bgnbd', 1, 5, 7.3495665219014736e-6),
('bgnbd', 1, 7, 1.5655938165938176e-7),
('bgnbd', 10, 0, 0.75008350665751141),
('bgnbd', 10, 1, 0.15686869662325531),
('bgnbd', 10, 2, 0.050857611666367547),
('bgnbd', 10, 5, 0.0050061529218121351),
('bgnbd', 10, 7, 0.001473424509452593),
('bgnbd', 39, 0, 0.57378634848540946),
('bgnbd', 39, 1, 0.19939528083591145),
('bgnbd', 39, 2, 0.085429759539060759),
('bgnbd', 39, 5, 0.017965493866579044),
('bgnbd', 39, 7, 0.0086954288041552611),
('bgnbd', 78, 0, 0.49102772144792733),
('bgnbd', 78, 1, 0.21049426215015859),
('bgnbd', 78, 2, 0.096754294896041719),
('bgnbd', 78, 5, 0.023940236634437679),
('bgnbd', 78, 7, 0.012796797283432996),
('mbgnbd', 1, 0, 0.9512339544916593),
('mbgnbd', 1, 1, 0.044859520780194296),
('mbgnbd', 1, 2, 0.0035371115355363052),
('mbgnbd', 1, 5, 3.6851911406224683e-6),
('mbgnbd', 1, 7, 4.8209351905604293e-8),
('mbgnbd', 10, 0, 0.74448249522872194),
('mbgnbd', 10, 1, 0.15902165262670051),
('mbgnbd', 10, 2, 0.054640851307339411),
('mbgnbd', 10, 5, 0.0047314024384485902),
('mbgnbd', 10, 7, 0.0011930087721550216),
('mbgnbd', 39, 0, 0.58247318949328895),
('mbgnbd', 39, 1, 0.18278307728754052),
('mbgnbd', 39, 2, 0.086894825673490523),
('mbgnbd', 39, 5, 0.019387323553570351),
('mbgnbd', 39, 7, 0.0092406965667428239),
('mbgnbd', 78, 0, 0.51926952354461481),
('mbgnbd', 78, 1, 0.1815500537871134),
('mbgnbd', 78, 2, 0.092806329364389643),
('mbgnbd', 78, 5, 0.025079157695420984),
('mbgnbd', 78, 7, 0.013555267632832839),
('pareto_nbd', 1, 0, 0.95245696829314172),
('pareto_nbd', 1, 1, 0.044359489475746311),
('pareto_nbd', 1, 2, 0.0029497339420189638),
('pareto_nbd', 1, 5, 1.2969754711706994e-6),
('pareto_nbd', 1, 7, 8.3645505685505397e-9),
('pareto_nbd', 10, 0, 0.7399520517542353),
('pareto_nbd', 10, 1, 0.16316173871638086),
('pareto_nbd', 10, 2, 0.057096509977412996),
('pareto_nbd', 10, 5, 0.004158475357035641),
('pareto_nbd', 10, 7, 0.00083292842511604554),
('pareto_nbd', 39, 0, 0.59362503160238383),
('pareto_nbd', 39, 1, 0.16556294727717548),
('pareto_nbd', 39, 2, 0.082487184116316588),
('pareto_nbd', 39, 5, 0.021484828361821043),
('pareto_nbd', 39, 7, 0.010707750733514574),
('pareto_nbd', 78, 0, 0.55267187839990822),
('pareto_nbd', 78, 1, 0.1535408065754536),
('pareto_nbd', 78, 2, 0.079076918226047922),
('pareto_nbd', 78, 5, 0.025250639975049236),
('pareto_nbd', 78, 7, 0.015013078765076467),
('bgbb', 1, 0, 0.50150972364380759),
('bgbb', 1, 1, 0.49849027635619241),
('bgbb', 6, 0, 0.31121774326384936),
('bgbb', 6, 1, 0.17010997840651466),
('bgbb', 6, 3, 0.10026311502480369),
('bgbb', 6, 6, 0.11278764820774683),
('bgbb', 11, 0, 0.29635230585292242),
('bgbb', 11, 1, 0.15103020708139907),
('bgbb', 11, 3, 0.073398629272403173),
('bgbb', 11, 6, 0.045504666447207462);
SELECT model, count(*) AS points,
       max(abs(v / value - 1)) < 1e-8 AS agrees_1e8
FROM (SELECT r.*, CASE model WHEN 'bgnbd' THEN bgnbd_prob_n_purchases(bg, t, x)
                             WHEN 'mbgnbd' THEN mbgnbd_prob_n_purchases(mbg, t, x)
                             WHEN 'bgbb' THEN bgbb_prob_n_purchases(bb, t, x)
                             ELSE pareto_nbd_prob_n_purchases(pnbd, t, x) END AS v
      FROM mc_ref_pn r, mc_models) s
GROUP BY model ORDER BY model;
-- The probabilities sum to 1 over x; at t = 0 there is no repeat purchase.
SELECT (SELECT round(sum(mbgnbd_prob_n_purchases(mbg, 39, x))::numeric, 10)
        FROM generate_series(0, 400) x) AS mbg_total,
       mbgnbd_prob_n_purchases(mbg, 0, 0) AS mbg_t0,
       mbgnbd_prob_n_purchases(mbg, 0, 3) AS mbg_t0_3
FROM mc_models;

-- Tracking on CDNOW: each customer's purchase times, weekly from 1997-01-01 to
-- 1998-06-30 (78 weeks), at the published BG/NBD parameters (in weeks: unit_days 7).
CREATE TABLE mc_purchases AS
SELECT customer_id, array_agg(txn_time) AS purchases, min(txn_time) AS first_purchase
FROM cdnow_txn GROUP BY customer_id;
CREATE TABLE mc_tracking AS
SELECT t.* FROM unnest((SELECT bgnbd_tracking(bg, purchases, '1997-01-01', '1998-06-30', 'week', 7)
                        FROM mc_models, mc_purchases)) t;
-- the expectation against the reference (the sum over customers of E[X(e - d)])
CREATE TABLE mc_ref_tracking (week int, clv_convention float8, lifetimes_convention float8);
INSERT INTO mc_ref_tracking VALUES
(1, 3.2138431308864206, 4.4124180897430913),
(2, 14.890602877176981, 17.268539074296293),
(13, 710.04821278027236, 723.63380065231304),
(39, 2497.5635294873058, 2505.1430138667905),
(52, 3132.1243332763432, 3138.558418923064),
(78, 4166.3727203857434, 4171.4335823032496);
SELECT week, round(cumulative_expected::numeric, 2) AS cumulative_expected,
       abs(cumulative_expected / clv_convention - 1) < 1e-8 AS agrees_1e8,
       round(lifetimes_convention::numeric, 2) AS lifetimes_convention,
       cumulative_actual
FROM mc_tracking JOIN mc_ref_tracking ON week = period ORDER BY week;
-- Periods tile the span; actuals are the repeat purchase days (4,339 over the 78 weeks:
-- 6,919 transactions of 2,357 customers, less first purchases and same-day repeats).
SELECT count(*) AS periods, min(period_start) AS first_day, max(period_end) AS end_day,
       bool_and(period_end - period_start = 7) AS all_weeks,
       sum(actual) AS actual, max(cumulative_actual) AS cumulative_actual,
       round(sum(expected)::numeric, 6) = round(max(cumulative_expected)::numeric, 6) AS sums_agree
FROM mc_tracking;
SELECT count(*) AS repeat_purchase_days
FROM (SELECT DISTINCT customer_id, txn_time::date FROM cdnow_txn) d
JOIN mc_purchases p USING (customer_id) WHERE txn_time::date > first_purchase::date;
-- A few weeks, incremental.
SELECT period, period_start, round(expected::numeric, 2) AS expected, actual
FROM mc_tracking WHERE period IN (1, 2, 12, 39, 40, 78) ORDER BY period;

-- From first purchases alone: the same expectation, actual NULL; months clamp to the
-- month's end (a start on the 31st).
SELECT t.period, t.period_start, t.period_end, round(t.cumulative_expected::numeric, 2) AS cumulative_expected,
       t.actual
FROM unnest((SELECT bgnbd_tracking(bg, first_purchase, '1997-01-31', '1997-06-30', 'month', 7)
             FROM mc_models, mc_purchases)) t;
SELECT round(t.cumulative_expected::numeric, 6) = round(w.cumulative_expected::numeric, 6) AS same
FROM unnest((SELECT bgnbd_tracking(bg, first_purchase, '1997-01-01', '1998-06-30', 'week', 7)
             FROM mc_models, mc_purchases)) t
JOIN mc_tracking w USING (period) WHERE period = 78;
-- Days: 546 periods; MBG/NBD and Pareto/NBD by month.
SELECT count(*) AS days, round(max(cumulative_expected)::numeric, 2) AS cumulative_expected
FROM unnest((SELECT bgnbd_tracking(bg, purchases, '1997-01-01', '1998-06-30', 'day', 7)
             FROM mc_models, mc_purchases)) t;
SELECT m.model, t.period, t.period_start, round(t.expected::numeric, 1) AS expected, t.actual
FROM (SELECT 'MBG/NBD' AS model, mbgnbd_tracking(mbg, purchases, '1997-01-01', '1998-06-30', 'month', 7) AS tr
      FROM mc_models, mc_purchases
      UNION ALL
      SELECT 'Pareto/NBD', pareto_nbd_tracking(pnbd, purchases, '1997-01-01', '1998-06-30', 'month', 7)
      FROM mc_models, mc_purchases) m, unnest(m.tr) t
WHERE t.period IN (1, 9, 18) ORDER BY 1, 2;

-- A model fitted on clv_summary rows carries its unit: no unit_days needed.
CREATE TABLE mc_summary AS
SELECT customer_id, clv_summary(txn_time, amount, '1997-09-30', 'week') AS s
FROM cdnow_txn GROUP BY customer_id;
SELECT round(t.cumulative_expected::numeric, 0) AS cumulative_expected, t.cumulative_actual
FROM unnest((SELECT bgnbd_tracking(m.bg, p.purchases, '1997-01-01', '1997-09-30', 'month')
             FROM (SELECT bgnbd_fit(s) AS bg FROM mc_summary) m, mc_purchases p)) t
WHERE period = 9;

-- Parallel plans give the same result as serial ones.
CREATE TABLE mc_par WITH (parallel_workers = 2) AS
SELECT p.* FROM mc_purchases p, generate_series(1, 4);
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
EXPLAIN (COSTS OFF)
SELECT bgnbd_tracking(bgnbd_model(0.243, 4.414, 0.793, 2.426), purchases, '1997-01-01', '1998-06-30', 'week', 7)
FROM mc_par;
SELECT round(t.cumulative_expected::numeric, 6) = round(4 * w.cumulative_expected::numeric, 6) AS expected_x4,
       t.cumulative_actual = 4 * w.cumulative_actual AS actual_x4
FROM unnest((SELECT bgnbd_tracking(bgnbd_model(0.243, 4.414, 0.793, 2.426), purchases, '1997-01-01',
                                   '1998-06-30', 'week', 7) FROM mc_par)) t
JOIN mc_tracking w USING (period) WHERE period = 78;
-- customers acquired before tracking_start widen the states differently in each worker
CREATE TABLE mc_serial AS
SELECT t.* FROM unnest((SELECT bgnbd_tracking(bgnbd_model(0.243, 4.414, 0.793, 2.426), purchases, '1997-02-15',
                                              '1997-12-31', 'month', 7) FROM mc_purchases)) t;
SELECT bool_and(round(t.cumulative_expected::numeric, 6) = round(4 * s.cumulative_expected::numeric, 6)
                AND t.cumulative_actual = 4 * s.cumulative_actual) AS same_as_serial,
       count(*) AS periods, max(s.cumulative_actual) AS cumulative_actual
FROM unnest((SELECT bgnbd_tracking(bgnbd_model(0.243, 4.414, 0.793, 2.426), purchases, '1997-02-15',
                                   '1997-12-31', 'month', 7) FROM mc_par)) t
JOIN mc_serial s USING (period);
SELECT c.frequency, c.actual, round(c.expected::numeric, 2) AS expected
FROM unnest((SELECT bgnbd_count_check(bgnbd_model(0.243, 4.414, 0.793, 2.426), (s).frequency, (s).t, 3)
             FROM mc_summary, generate_series(1, 4))) c;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- Count check on CDNOW's calibration summaries: customers with 0 .. 6 and 7+ repeat
-- purchases (FHL 2005, fig. 2: BG/NBD expects 1,407.7 with none against 1,411).
SELECT c.frequency, c.or_more, c.actual, round(c.expected::numeric, 2) AS expected
FROM unnest((SELECT bgnbd_count_check(bg, (s).frequency, (s).t, 7) FROM mc_models, mc_summary)) c;
-- the expected customers add up to the customers; the reference for one customer
SELECT m, round(sum(c.expected)::numeric, 6) AS expected, sum(c.actual) AS actual
FROM (SELECT 'bgnbd' AS m, bgnbd_count_check(bg, (s).frequency, (s).t, 7) AS b FROM mc_models, mc_summary
      UNION ALL SELECT 'mbgnbd', mbgnbd_count_check(mbg, (s).frequency, (s).t, 7) FROM mc_models, mc_summary
      UNION ALL SELECT 'pareto_nbd', pareto_nbd_count_check(pnbd, (s).frequency, (s).t, 7) FROM mc_models, mc_summary) q,
     unnest(q.b) c GROUP BY m ORDER BY m;
SELECT c.frequency, abs(c.expected / r.value - 1) < 1e-8 AS agrees_1e8
FROM unnest((SELECT pareto_nbd_count_check(pnbd, 2, 39, 8) FROM mc_models)) c
JOIN mc_ref_pn r ON r.model = 'pareto_nbd' AND r.t = 39 AND r.x = c.frequency ORDER BY 1;

-- BG/BB on the donations data (Fader, Hardie & Shang 2010): donors by donations in
-- their 6 opportunities, at the published parameters.
CREATE TABLE mc_donations (frequency int, recency int, periods int, weights int);
\copy mc_donations FROM 'data/donations.csv' WITH (FORMAT csv, HEADER)
SELECT c.frequency, c.or_more, c.actual, round(c.expected::numeric, 1) AS expected
FROM unnest((SELECT bgbb_count_check(bb, frequency, periods, 6)
             FROM mc_models, mc_donations, generate_series(1, weights))) c;
SELECT bgbb_count_check(bb, 3, 2, 6) FROM mc_models;
SELECT bgbb_count_check(bb, 1, 2.5, 6) FROM mc_models;

-- Charts: SVG 1.1, title, axis titles with units, the calibration line, bars.
CREATE TABLE mc_charts AS
SELECT 'cumulative' AS name, clv_svg_tracking((SELECT bgnbd_tracking(bg, purchases, '1997-01-01', '1998-06-30', 'week', 7)
                                               FROM mc_models, mc_purchases), '1997-09-30') AS svg
UNION ALL
SELECT 'incremental', clv_svg_tracking((SELECT bgnbd_tracking(bg, purchases, '1997-01-01', '1998-06-30', 'week', 7)
                                        FROM mc_models, mc_purchases), '1997-09-30', false, 'Weekly <repeat> & "purchases"')
UNION ALL
SELECT 'first_only', clv_svg_tracking((SELECT bgnbd_tracking(bg, first_purchase, '1997-01-01', '1998-06-30', 'month', 7)
                                       FROM mc_models, mc_purchases), '2000-01-01')
UNION ALL
SELECT 'counts', clv_svg_count_check((SELECT bgnbd_count_check(bg, (s).frequency, (s).t, 7) FROM mc_models, mc_summary));
CREATE FUNCTION mc_count(svg text, path text) RETURNS int
    AS $$ SELECT (xpath('count(' || path || ')', svg::xml,
                        ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']]))[1]::text::numeric::int $$
    LANGUAGE sql IMMUTABLE;
CREATE FUNCTION mc_texts(svg text, path text) RETURNS text
    AS $$ SELECT string_agg(x::text, ' | ') FROM unnest(xpath(path, svg::xml,
                 ARRAY[ARRAY['s', 'http://www.w3.org/2000/svg']])) x $$
    LANGUAGE sql IMMUTABLE;
SELECT name, xml_is_well_formed_document(svg) AS well_formed,
       mc_count(svg, '/s:svg[@version="1.1" and @width and @height and @viewBox]') AS svg_root,
       mc_texts(svg, '/s:svg/s:title/text()') AS title,
       mc_texts(svg, '//s:text[@class="axis-label"]/text()') AS axis_labels,
       mc_texts(svg, '//s:text[@class="legend"]/text()') AS legend,
       mc_count(svg, '//s:path[@class="series"]') AS lines,
       mc_count(svg, '//s:path[@class="reference"]') AS reference_lines,
       mc_count(svg, '//s:rect[@class="bar"]') AS bars
FROM mc_charts ORDER BY name;
-- the calibration line sits after week 39 (x = 39 of 78)
SELECT name, mc_count(svg, '//s:text[@class="tick" and text()="39"]') > 0 OR
             mc_count(svg, '//s:text[@class="tick"]') > 4 AS has_ticks
FROM mc_charts WHERE name = 'cumulative';
SELECT mc_texts(svg, '(//s:rect[@class="bar"])[position() <= 2]/s:title/text()') AS first_bars,
       mc_texts(svg, '//s:text[@class="tick" and contains(text(), "+")]/text()') AS pooled_label
FROM mc_charts WHERE name = 'counts';

-- Bad input.
\set VERBOSITY terse
SELECT bgnbd_tracking(bg, purchases, '1997-01-01', '1998-06-30', 'week') FROM mc_models, mc_purchases;
SELECT bgnbd_tracking(bg, purchases, '1997-01-01', '1998-06-30', 'fortnight', 7) FROM mc_models, mc_purchases;
SELECT bgnbd_tracking(bg, purchases, '1998-07-01', '1998-06-30', 'week', 7) FROM mc_models, mc_purchases;
SELECT bgnbd_tracking(bg, purchases, '1997-01-01', 'infinity', 'week', 7) FROM mc_models, mc_purchases;
SELECT bgnbd_tracking(bg, ARRAY['-infinity'::timestamptz], '1997-01-01', '1998-06-30', 'week', 7) FROM mc_models;
SELECT bgnbd_tracking(bg, ARRAY['1800-01-01'::timestamptz], '1997-01-01', '1998-06-30', 'week', 7) FROM mc_models;
SELECT bgnbd_tracking(bg, purchases, '1997-01-01', '1998-06-30', 'week', -7) FROM mc_models, mc_purchases;
SELECT bgnbd_tracking(m.bg, p.purchases, '1997-01-01', '1998-06-30', 'week', 1)
FROM (SELECT bgnbd_fit(s) AS bg FROM mc_summary) m, mc_purchases p;
SELECT bgnbd_tracking(bg, purchases, '1997-01-01', '1998-06-30', CASE WHEN customer_id < 100 THEN 'week' ELSE 'day' END, 7)
FROM mc_models, mc_purchases;
SELECT bgnbd_count_check(bg, 1, 10, 0) FROM mc_models;
SELECT bgnbd_count_check(bg, 1.5, 10, 7) FROM mc_models;
SELECT bgnbd_count_check(bg, 1, -1, 7) FROM mc_models;
SELECT bgnbd_count_check(bg, 2, 0, 7) FROM mc_models;
SELECT bgnbd_count_check(bg, 1, 'NaN', 7) FROM mc_models;
SELECT mbgnbd_prob_n_purchases(mbg, 1, -1) FROM mc_models;
-- no rows, or only customers without purchases: NULL
SELECT bgnbd_tracking(bg, purchases, '1997-01-01', '1998-06-30', 'week', 7) IS NULL AS no_rows
FROM mc_models, mc_purchases WHERE false;
SELECT bgnbd_count_check(bg, 1, 10, 7) IS NULL AS no_rows FROM mc_models WHERE false;
SELECT (bgnbd_tracking(bg, ARRAY[NULL]::timestamptz[], '1997-01-01', '1997-01-10', 'week', 7))[1] AS empty
FROM mc_models;
-- forged states
SELECT _bgnbd_tracking_final('{1,0.2,4,0.8,2.4,7,2,0,10,0,1,5}');
SELECT _bgnbd_tracking_final('{1,0.2,4,0.8,2.4,7,2,0,0,0,1,-1,0}');
SELECT _bgnbd_tracking_combine('{1,0.2,4,0.8,2.4,7,2,0,0,0,1,1,0}', '{2,0.2,4,0.8,2.4,7,2,0,0,0,1,1,0}');
SELECT _bgnbd_count_final('{1,0.2,4,0.8,2.4,2,1,0.5,1,0.5}');
SELECT _bgnbd_count_final('{1,0.2,4,0.8,2.4,1,1.5,0.5,1,0.5}');
SELECT c.* FROM unnest(_bgnbd_count_final('{1,0.2,4,0.8,2.4,1,1,0.5,1,0.5}')) c;
SELECT clv_svg_tracking(ARRAY[ROW(2, '1997-01-01', '1997-01-08', 1, 1, 1, 1)]::clv_tracking_period[], '1997-01-03');
SELECT clv_svg_count_check(ARRAY[ROW(0, false, 1, 'Infinity')]::clv_count_bin[]);
