-- clv_analyze: the quick start on a shop's own orders table. One call from the table to
-- one flat row per customer (plain types only, for BI tools): the summary, P(alive),
-- expected purchases and CLV over `months`, RFM scores and segment, value tier.
-- Guests (NULL customer) are left out with a NOTICE; refunds are netted by day; free
-- orders stay purchases; column names are quoted, never spliced.
CREATE SCHEMA "shop data";
CREATE TABLE "shop data"."Orders; --" ("Customer ID" text, "ordered at" timestamp,
                                     "amount ""EUR""" numeric(10, 2));
INSERT INTO "shop data"."Orders; --"
SELECT lpad(customer_id::text, 5, '0'), txn_time::timestamp, amount::numeric(10, 2) FROM cdnow_txn;
-- guests, a refund netted against its day's purchase, a free order
INSERT INTO "shop data"."Orders; --" VALUES
    (NULL, '1997-03-01', 10), (NULL, '1997-04-01', 20),
    ('00004', '1997-01-01 18:00', -10.00),
    ('99999', '1997-02-01', 0), ('99999', '1997-03-01', 0), ('99999', '1997-06-01', 12.50);

CREATE TABLE analysis AS
SELECT * FROM clv_analyze('"shop data"."Orders; --"', 'Customer ID', 'ordered at', 'amount "EUR"',
                          '1997-09-30');
SELECT count(*) AS customers, round(sum(clv)::numeric, 2) AS clv_12m_total,
       count(*) FILTER (WHERE value_tier = 'High-Value') AS high_value
FROM analysis;
SELECT customer_id, frequency, round(p_alive::numeric, 3) AS p_alive,
       round(expected_purchases::numeric, 2) AS purchases_12m, round(clv::numeric, 2) AS clv,
       rfm_score, rfm_segment, value_tier
FROM analysis ORDER BY clv DESC LIMIT 3;
-- the refund (customer 4 bought for 13.97 on 1997-01-01 and got 10.00 back that day: one
-- purchase day worth 3.97) and the free orders (purchase days worth 0)
SELECT customer_id, frequency, purchases, round(total_spend::numeric, 2) AS total_spend,
       round(monetary_value::numeric, 2) AS monetary_value, days_since_last_purchase, unit_days
FROM analysis WHERE customer_id IN ('00004', '99999') ORDER BY 1;
-- every column is a plain type
SELECT string_agg(DISTINCT format_type(atttypid, NULL), ', ' ORDER BY format_type(atttypid, NULL)) AS column_types
FROM pg_attribute WHERE attrelid = 'analysis'::regclass AND attnum > 0;

-- In days, over 6 months without discount; the result does not depend on search_path.
SET search_path = pg_catalog;
SELECT count(*) AS customers, round(avg(expected_purchases)::numeric, 4) AS mean_purchases_6m,
       min(unit_days) AS unit_days
FROM public.clv_analyze('"shop data"."Orders; --"', 'Customer ID', 'ordered at', 'amount "EUR"',
                        '1997-09-30', 'day', 6, 0);
RESET search_path;

-- Mistakes get clear errors.
\set SHOW_CONTEXT never
SELECT * FROM clv_analyze('"shop data"."Orders; --"', 'customer_id', 'ordered at', 'amount "EUR"', '1997-09-30');
SELECT * FROM clv_analyze('"shop data"."Orders; --"', 'Customer ID', 'ordered at', 'amount "EUR"', '1997-09-30', 'month');
SELECT * FROM clv_analyze('no_such_table', 'a', 'b', 'c', '1997-09-30');
SELECT * FROM clv_analyze('"shop data"."Orders; --"', 'Customer ID', 'ordered at', 'amount "EUR"', NULL);
-- Only free repeat orders: no spend model, so no CLV: an ERROR (gamma_gamma_fit's), not a
-- column of NULLs.
CREATE TABLE free_orders AS SELECT * FROM (VALUES ('a', '1997-01-01'::timestamptz, 0), ('a', '1997-02-01', 0),
    ('b', '1997-01-05', 0), ('b', '1997-03-01', 0), ('c', '1997-01-09', 5), ('d', '1997-02-01', 0)) v(c, t, a);
SELECT * FROM clv_analyze('free_orders', 'c', 't', 'a', '1997-09-30');
DROP TABLE free_orders;
DROP TABLE analysis;
DROP SCHEMA "shop data" CASCADE;
