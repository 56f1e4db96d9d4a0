-- Demo step 7: products and dynamic pricing. CDNOW has no products, so this step loads the
-- Online-Retail-shaped sample (data/online_retail_sample.sql: invoice lines with
-- stock_code, description, quantity, unit_price), ranks the products by quantity and by
-- revenue with their share of sales (cancellations, 'C' invoices, left out) and measures
-- the concentration of revenue (gini, top_share). Then a price list per RFM segment of
-- step 3: segment_price applies a rule table kept in data (jsonb) to every product.
-- Title: Top products and dynamic pricing (Online-Retail-shaped sample; gini, segment_price)
\ir ../data/online_retail_sample.sql
SELECT count(*) AS n, count(DISTINCT invoice_no) AS i, count(DISTINCT stock_code) AS p,
       count(DISTINCT customer_id) AS c FROM online_retail \gset
\echo '    loaded' :n 'invoice lines:' :i 'invoices,' :p 'products,' :c 'customers (online_retail)'

DROP TABLE IF EXISTS top_products, price_rules, dynamic_pricing CASCADE;  -- and the view pricing_summary
CREATE TABLE top_products AS
WITH sales AS (
    SELECT stock_code, description, sum(quantity) AS quantity,
           sum(quantity * unit_price) AS revenue,
           mode() WITHIN GROUP (ORDER BY unit_price) AS list_price
    FROM online_retail WHERE invoice_no NOT LIKE 'C%'
    GROUP BY stock_code, description
)
SELECT rank() OVER (ORDER BY revenue DESC, stock_code)::int AS revenue_rank,
       rank() OVER (ORDER BY quantity DESC, stock_code)::int AS quantity_rank,
       stock_code, description, list_price, quantity, revenue,
       round(100 * quantity / sum(quantity) OVER (), 2) AS quantity_share_pct,
       round(100 * revenue / sum(revenue) OVER (), 2) AS revenue_share_pct,
       round(100 * sum(revenue) OVER (ORDER BY revenue DESC, stock_code) / sum(revenue) OVER (), 2)
           AS cumulative_revenue_pct
FROM sales;
\echo
\echo '    top 5 products by quantity'
SELECT quantity_rank AS rank, stock_code, description, quantity, quantity_share_pct AS "share_%"
FROM top_products ORDER BY quantity_rank LIMIT 5;
\echo '    top 5 products by revenue'
SELECT revenue_rank AS rank, stock_code, description, revenue, revenue_share_pct AS "share_%",
       cumulative_revenue_pct AS "cumulative_%"
FROM top_products ORDER BY revenue_rank LIMIT 5;
SELECT round(gini(revenue::float8)::numeric, 3) AS products_revenue_gini,
       round((100 * top_share(revenue::float8, 0.10))::numeric, 1) AS top10pct_products_share,
       (SELECT round(gini(r)::numeric, 3)
        FROM (SELECT sum(quantity * unit_price)::float8 AS r FROM online_retail
              WHERE invoice_no NOT LIKE 'C%' AND customer_id IS NOT NULL GROUP BY customer_id) c)
           AS customers_revenue_gini
FROM top_products;

-- The price rules: a discount (fraction) per RFM segment, never below a floor price;
-- segments not listed pay the list price.
CREATE TABLE price_rules (name text PRIMARY KEY, rules jsonb NOT NULL);
INSERT INTO price_rules VALUES ('demo', $${
    "Champions":          {"discount": 0.05},
    "Loyal Customers":    {"discount": 0.05},
    "Potential Loyalist": {"discount": 0.08},
    "New Customers":      {"discount": 0.10},
    "Need Attention":     {"discount": 0.10, "min_price": 0.50},
    "At Risk":            {"discount": 0.15, "min_price": 0.50},
    "Can't Lose Them":    {"discount": 0.20, "min_price": 0.50},
    "Hibernating":        {"discount": 0.15, "min_price": 0.50}
}$$);
CREATE TABLE dynamic_pricing AS
SELECT s.rfm_segment, s.customers, p.stock_code, p.description, p.list_price,
       segment_price(p.list_price, s.rfm_segment, r.rules) AS price,
       round(100 * (1 - segment_price(p.list_price, s.rfm_segment, r.rules) / p.list_price), 1) AS discount_pct
FROM (SELECT rfm_segment, count(*) AS customers FROM customer_segments GROUP BY 1) s,
     top_products p, price_rules r
WHERE r.name = 'demo';
SELECT count(*) AS n, count(DISTINCT rfm_segment) AS s, count(DISTINCT stock_code) AS p FROM dynamic_pricing \gset
\echo '    priced' :p 'products for' :s 'RFM segments (segment_price):' :n 'prices'
CREATE VIEW pricing_summary AS
SELECT d.rfm_segment, d.customers, 100 * coalesce((r.rules -> d.rfm_segment ->> 'discount')::numeric, 0) AS "discount %",
       (r.rules -> d.rfm_segment ->> 'min_price')::numeric AS min_price,
       max(d.list_price) FILTER (WHERE t.revenue_rank = 1) AS top_product_list_price,
       max(d.price) FILTER (WHERE t.revenue_rank = 1) AS top_product_price,
       round(avg(d.discount_pct), 1) AS "avg discount %"
FROM dynamic_pricing d JOIN top_products t USING (stock_code), price_rules r
WHERE r.name = 'demo'
GROUP BY d.rfm_segment, d.customers, r.rules;
SELECT * FROM pricing_summary ORDER BY "avg discount %", rfm_segment;
