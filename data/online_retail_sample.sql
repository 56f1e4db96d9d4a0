-- online_retail: a deterministic, Online-Retail-shaped sample (the columns of the UCI
-- "Online Retail" data set: InvoiceNo, StockCode, Description, Quantity, UnitPrice,
-- InvoiceDate, CustomerID), for tests, examples and demos. Plain SQL, no extension needed:
--   psql -f data/online_retail_sample.sql     (or \i from psql)
-- 40 products with skewed popularity, 300 customers with skewed activity, 2,000 invoices
-- from 2010-12-01 to 2011-12-08; like the real data, about 4 % of invoices are
-- cancellations ('C' prefix, negative quantities) and about 3 % have no CustomerID.
-- Pseudo-random numbers come from md5 of a label, so every run and platform gives the
-- same rows. (Re)creates the table online_retail in the current schema.

DROP TABLE IF EXISTS online_retail;
CREATE TABLE online_retail (
    invoice_no    text          NOT NULL,
    stock_code    text          NOT NULL,
    description   text          NOT NULL,
    quantity      int           NOT NULL,
    unit_price    numeric(10,2) NOT NULL,
    invoice_date  timestamp     NOT NULL,
    customer_id   int
);

INSERT INTO online_retail
WITH products AS (
    SELECT p,
           (21000 + p * 137)::text || CASE WHEN p % 6 = 0 THEN 'B' ELSE '' END AS stock_code,
           (ARRAY['WHITE', 'RED', 'BLUE', 'VINTAGE', 'PINK', 'GREEN', 'JUMBO', 'SET OF 3'])[1 + p % 8]
           || ' ' ||
           (ARRAY['HANGING HEART T-LIGHT HOLDER', 'LUNCH BAG', 'CAKE CASES', 'PAPER CHAIN KIT',
                  'DOORMAT'])[1 + p / 8] AS description,
           round((0.29 + 12 * (('x' || substr(md5('price' || p), 1, 8))::bit(32)::bigint
                               / 4294967296.0) ^ 2)::numeric, 2) AS unit_price
    FROM generate_series(0, 39) p
), invoices AS (
    SELECT i, 536365 + i AS no,
           ('x' || substr(md5('cust' || i), 1, 8))::bit(32)::bigint / 4294967296.0 AS u_cust,
           ('x' || substr(md5('day' || i), 1, 8))::bit(32)::bigint / 4294967296.0 AS u_day,
           ('x' || substr(md5('min' || i), 1, 8))::bit(32)::bigint / 4294967296.0 AS u_min,
           ('x' || substr(md5('cancel' || i), 1, 8))::bit(32)::bigint / 4294967296.0 AS u_cancel,
           ('x' || substr(md5('anon' || i), 1, 8))::bit(32)::bigint / 4294967296.0 AS u_anon,
           ('x' || substr(md5('lines' || i), 1, 8))::bit(32)::bigint / 4294967296.0 AS u_lines
    FROM generate_series(0, 1999) i
), lines AS (
    SELECT v.*, l,
           floor(40 * (('x' || substr(md5('prod' || i || '-' || l), 1, 8))::bit(32)::bigint
                       / 4294967296.0) ^ 2.5)::int AS p,
           (ARRAY[1, 2, 3, 4, 6, 6, 12, 12, 12, 24, 24, 48, 96])[1 + floor(13 *
               ('x' || substr(md5('qty' || i || '-' || l), 1, 8))::bit(32)::bigint
               / 4294967296.0)::int] AS qty
    FROM invoices v, generate_series(1, 1 + floor(8 * u_lines)::int) l
)
SELECT CASE WHEN u_cancel < 0.04 THEN 'C' ELSE '' END || no,
       pr.stock_code, pr.description,
       CASE WHEN u_cancel < 0.04 THEN -qty ELSE qty END,
       pr.unit_price,
       timestamp '2010-12-01 08:00' + floor(373 * u_day) * interval '1 day'
           + floor(600 * u_min) * interval '1 minute',
       CASE WHEN u_anon < 0.03 THEN NULL ELSE 12346 + floor(300 * u_cust ^ 2)::int END
FROM lines JOIN products pr USING (p)
ORDER BY i, l;
