-- Products and pricing: top-N recipes, gini, top_share, segment_price.
-- Data: data/online_retail_sample.sql (deterministic Online-Retail-shaped sample).
SET client_min_messages = warning;
\set ECHO none
\i data/online_retail_sample.sql
\set ECHO all
RESET client_min_messages;
SELECT count(*) AS lines, count(DISTINCT invoice_no) AS invoices,
       count(DISTINCT customer_id) AS customers, count(DISTINCT stock_code) AS products,
       count(*) FILTER (WHERE invoice_no LIKE 'C%') AS cancelled_lines,
       count(*) FILTER (WHERE customer_id IS NULL) AS anonymous_lines,
       sum(quantity * unit_price) AS net_revenue
FROM online_retail;

-- Recipe: top 5 products by revenue, their share of sales and the cumulative share
-- (sales = lines of non-cancelled invoices; numeric, so exact).
SELECT stock_code, description, sum(quantity) AS quantity, sum(quantity * unit_price) AS revenue,
       round(100 * sum(quantity * unit_price) / sum(sum(quantity * unit_price)) OVER (), 2) AS share_pct,
       round(100 * sum(sum(quantity * unit_price)) OVER (ORDER BY sum(quantity * unit_price) DESC, stock_code)
             / sum(sum(quantity * unit_price)) OVER (), 2) AS cumulative_pct
FROM online_retail WHERE invoice_no NOT LIKE 'C%'
GROUP BY stock_code, description ORDER BY revenue DESC, stock_code LIMIT 5;

-- Recipe: top 5 products by quantity, with their rank by revenue.
SELECT stock_code, quantity, rank_by_quantity, rank_by_revenue
FROM (SELECT stock_code, sum(quantity) AS quantity,
             rank() OVER (ORDER BY sum(quantity) DESC) AS rank_by_quantity,
             rank() OVER (ORDER BY sum(quantity * unit_price) DESC) AS rank_by_revenue
      FROM online_retail WHERE invoice_no NOT LIKE 'C%' GROUP BY stock_code) s
ORDER BY rank_by_quantity, stock_code LIMIT 5;

-- gini on hand-checkable data: (1, 2, 3, 10): sum_i (2i - n - 1) x_(i) / (n sum x)
-- = (-3 - 2 + 3 + 30) / 64 = 0.4375; top 50 % (2 of 4) hold 13 / 16 = 0.8125.
SELECT gini(x), top_share(x, 0.5) AS top_half, top_share(x, 0.25) AS top_quarter,
       top_share(x, 0.01) AS at_least_one, top_share(x, 1) AS everyone
FROM (VALUES (1.0::float8), (2), (3), (10), (NULL)) v(x);

-- Customer revenue concentration: gini and top_share against independent SQL
-- computations in numeric (mean absolute difference form; sorted cumulative sum).
CREATE TABLE cust_rev AS
SELECT customer_id, sum(quantity * unit_price) AS revenue
FROM online_retail WHERE customer_id IS NOT NULL AND invoice_no NOT LIKE 'C%'
GROUP BY customer_id;
SELECT round(gini(revenue::float8)::numeric, 10) AS gini,
       round(((SELECT sum(abs(a.revenue - b.revenue)) FROM cust_rev a, cust_rev b)
              / (2 * count(*) * sum(revenue)))::numeric, 10) AS gini_pairs,
       round(top_share(revenue::float8, 0.1)::numeric, 10) AS top10,
       round((SELECT sum(revenue) FILTER (WHERE rn <= ceil(0.1 * n)) / sum(revenue)
              FROM (SELECT revenue, row_number() OVER (ORDER BY revenue DESC) rn, count(*) OVER () n
                    FROM cust_rev) s)::numeric, 10) AS top10_window
FROM cust_rev;
SELECT round(gini(revenue::float8)::numeric, 4) AS product_gini
FROM (SELECT stock_code, sum(quantity * unit_price) AS revenue FROM online_retail
      WHERE invoice_no NOT LIKE 'C%' GROUP BY 1) p;

-- "The top 10 % of customers hold X % of predicted CLV" in one query (CDNOW, published
-- BG/NBD and Gamma-Gamma parameters, 12-month CLV).
SELECT round(100 * top_share(clv, 0.10)::numeric, 2) AS top10_pct_of_clv,
       round(gini(clv)::numeric, 4) AS clv_gini
FROM (SELECT gamma_gamma_clv(bgnbd_model(0.243, 4.414, 0.793, 2.426),
                             gamma_gamma_model(6.25, 3.74, 15.44),
                             frequency, recency, t, zbar, unit_days => 7) AS clv
      FROM cdnow_summary) c;

-- Edge cases: one value 0; equal values 0; one holder of everything (n - 1) / n;
-- all zero or no values: NULL.
SELECT gini(x) AS single FROM (VALUES (5.0::float8)) v(x);
SELECT gini(x) AS equal FROM (VALUES (2.0::float8), (2), (2)) v(x);
SELECT gini(x) AS one_holds_all, top_share(x, 0.25) AS top_quarter
FROM (VALUES (0.0::float8), (0), (0), (8)) v(x);
SELECT gini(x) IS NULL AS all_zero_null, top_share(x, 0.5) IS NULL AS share_null
FROM (VALUES (0.0::float8), (0)) v(x);
SELECT gini(x) IS NULL AS empty_null FROM (VALUES (1.0::float8)) v(x) WHERE false;
-- Errors: negative or non-finite amounts, fraction outside (0, 1] or varying.
SELECT gini(x) FROM (VALUES (1.0::float8), (-2)) v(x);
SELECT gini(x) FROM (VALUES ('NaN'::float8)) v(x);
SELECT top_share(x, 0) FROM (VALUES (1.0::float8)) v(x);
SELECT top_share(x, 1.5) FROM (VALUES (1.0::float8)) v(x);
SELECT top_share(x, NULL) FROM (VALUES (1.0::float8)) v(x);
SELECT top_share(x, f) FROM (VALUES (1.0::float8, 0.1::float8), (2, 0.2)) v(x, f);

-- Parallel plans: the same values (summed in sorted order, so exactly equal).
CREATE TABLE rev_many AS SELECT (quantity * unit_price)::float8 AS amount FROM online_retail, generate_series(1, 20);
ANALYZE rev_many;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT gini(amount), top_share(amount, 0.1) FROM rev_many WHERE amount >= 0;
SELECT gini(amount) AS g, top_share(amount, 0.1) AS s FROM rev_many WHERE amount >= 0 \gset par_
SET max_parallel_workers_per_gather = 0;
SELECT gini(amount) = :par_g AS gini_equal, top_share(amount, 0.1) = :par_s AS share_equal,
       round(gini(amount)::numeric, 6) AS gini
FROM rev_many WHERE amount >= 0;
RESET ALL;

-- segment_price: the default rules give 10 % off to 'High-Value', others pay the base.
SELECT segment_price(19.99, 'High-Value') AS high_value, segment_price(19.99, 'Regular') AS regular,
       segment_price(19.99, 'high-value') AS case_sensitive, segment_price(NULL, 'High-Value') IS NULL AS strict;

-- Rules live in data: one rules document per price list, applied by a join.
CREATE TABLE price_lists (name text PRIMARY KEY, rules jsonb NOT NULL);
INSERT INTO price_lists VALUES
  ('default', '{"High-Value": {"discount": 0.10}}'),
  ('winter', '{"High-Value": {"discount": 0.15, "min_price": 2.00},
               "At-Risk": {"discount": 0.20, "decimals": 1},
               "*": {"discount": 0.05}}');
SELECT l.name, s.segment, s.base, segment_price(s.base, s.segment, l.rules) AS price
FROM price_lists l,
     (VALUES ('High-Value', 19.99), ('High-Value', 2.10), ('High-Value', 1.50),
             ('At-Risk', 19.99), ('New', 19.99)) s(segment, base)
ORDER BY l.name, s.segment, s.base;

-- Per customer: CDNOW customers priced by a spend-based segment.
SELECT segment, count(*) AS customers, min(price) AS min_price, max(price) AS max_price
FROM (SELECT CASE WHEN zbar >= 50 THEN 'High-Value' ELSE 'Regular' END AS segment,
             segment_price(25.00, CASE WHEN zbar >= 50 THEN 'High-Value' ELSE 'Regular' END) AS price
      FROM cdnow_summary) c GROUP BY segment ORDER BY segment;

-- An empty rule table changes nothing but rounding; malformed rules are errors even when
-- the segment priced is not the one that is wrong.
SELECT segment_price(19.999, 'x', '{}') AS rounded;
SELECT segment_price(10, 'x', '[{"discount": 0.1}]');
SELECT segment_price(10, 'x', '"High-Value"');
SELECT segment_price(10, 'x', '{"High-Value": 0.1}');
SELECT segment_price(10, 'x', '{"High-Value": {"discount": "10%"}}');
SELECT segment_price(10, 'x', '{"High-Value": {"discount": 1.5}}');
SELECT segment_price(10, 'x', '{"High-Value": {"discount": -0.1}}');
SELECT segment_price(10, 'x', '{"High-Value": {"discont": 0.1}}');
SELECT segment_price(10, 'x', '{"High-Value": {"min_price": -1}}');
SELECT segment_price(10, 'x', '{"High-Value": {"decimals": 1.5}}');
SELECT segment_price(10, 'x', '{"High-Value": {"discount": null}}');
SELECT segment_price(-1, 'High-Value');
SELECT segment_price('NaN', 'High-Value');
