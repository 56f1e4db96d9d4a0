-- Gamma-Gamma spend model and CLV (Fader, Hardie & Lee 2005, "RFM and CLV").

-- Acceptance: the 946 CDNOW repeat buyers, mean repeat spend from the transaction log:
-- p = 6.25, q = 3.74, gamma = 15.44.
CREATE TABLE cdnow_cal AS
SELECT customer_id, (clv_summary(txn_time, amount, '1997-09-30', 'week')).*
FROM cdnow_txn GROUP BY customer_id;
-- Models are values: store them in a table, one column of type gamma_gamma_model.
CREATE TABLE cdnow_gg AS
SELECT gamma_gamma_fit(frequency, monetary_value) AS g FROM cdnow_cal;
SELECT round((g).p::numeric, 2) AS p, round((g).q::numeric, 2) AS q, round((g).gamma::numeric, 2) AS gamma,
       round((g).log_likelihood::numeric, 1) AS log_likelihood, (g).n_customers, (g).converged
FROM cdnow_gg;

-- The published summary file rounds zbar to cents; its optimum is gamma = 15.45, the
-- value lifetimes' documentation prints for the same file.
SELECT round(p::numeric, 2) AS p, round(q::numeric, 2) AS q, round(gamma::numeric, 2) AS gamma,
       n_customers
FROM (SELECT (gamma_gamma_fit(frequency, zbar)).* FROM cdnow_summary) f;

-- Expected spend shrinks a customer's own mean towards the population mean
-- p * gamma / (q - 1); a customer without repeat purchases gets the population mean.
SELECT round(gamma_gamma_expected_spend(g, 0, 0)::numeric, 4) AS new_customer,
       round(((g).p * (g).gamma / ((g).q - 1))::numeric, 4) AS population_mean,
       round(gamma_gamma_expected_spend(g, 2, 22.35)::numeric, 4) AS customer_1,
       round(gamma_gamma_expected_spend(g, 40, 22.35)::numeric, 4) AS frequent_buyer
FROM cdnow_gg;

-- CLV: 12 months of expected purchases x expected spend, 1 % monthly discount. The
-- CDNOW model is in weeks, so unit_days = 7. Checked against the definition summed
-- by hand in SQL.
CREATE TABLE cdnow_bg AS
SELECT bgnbd_fit(frequency, recency, t) AS b FROM cdnow_cal;
SELECT round(gamma_gamma_clv(b, g, 2, 30.43, 38.86, 22.35, 12, 0.01, 7)::numeric, 4) AS clv_customer_1,
       round((SELECT sum((bgnbd_expected_purchases(b, i * 30 / 7.0, 2, 30.43, 38.86)
                          - bgnbd_expected_purchases(b, (i - 1) * 30 / 7.0, 2, 30.43, 38.86))
                         * gamma_gamma_expected_spend(g, 2, 22.35) / 1.01 ^ i)
              FROM generate_series(1, 12) i)::numeric, 4) AS by_hand
FROM cdnow_bg, cdnow_gg;
-- Defaults: 12 months, 1 % discount; named arguments; zero months is worth 0.
SELECT round(gamma_gamma_clv(b, g, 2, 30.43, 38.86, 22.35, unit_days => 7)::numeric, 4) AS clv_defaults,
       gamma_gamma_clv(b, g, 2, 30.43, 38.86, 22.35, months => 0, unit_days => 7) AS zero_months
FROM cdnow_bg, cdnow_gg;

-- Top customers by 12-month CLV.
SELECT customer_id, frequency, round(monetary_value::numeric, 2) AS monetary_value,
       round(gamma_gamma_clv(b, g, frequency, recency, t, monetary_value, 12, 0.01, 7)::numeric, 2) AS clv
FROM cdnow_cal, cdnow_bg, cdnow_gg
ORDER BY clv DESC, customer_id LIMIT 5;

-- A customer first seen on the last day (t = 0) is scored like a new customer.
SELECT round(gamma_gamma_clv(b, g, 0, 0, 0, 0, 12, 0.01, 7)::numeric, 4) AS clv_new
FROM cdnow_bg, cdnow_gg;

-- frequency 0 rows are skipped and not counted; NULL rows too.
SELECT n_customers FROM (SELECT (gamma_gamma_fit(frequency, monetary_value)).*
                         FROM (SELECT frequency, monetary_value FROM cdnow_cal
                               UNION ALL SELECT 0, 0 UNION ALL SELECT NULL, 5) s) f;

-- Errors: a repeat buyer with zero or negative mean spend cannot enter the likelihood.
SELECT gamma_gamma_fit(x, m) FROM (VALUES (2::float8, 0::float8)) v(x, m);
SELECT gamma_gamma_fit(x, m) FROM (VALUES (2::float8, -3::float8)) v(x, m);
SELECT gamma_gamma_fit(x, m) FROM (VALUES (2::float8, 'NaN'::float8)) v(x, m);
SELECT gamma_gamma_fit(x, m) FROM (VALUES (-2::float8, 5::float8)) v(x, m);
-- The documented way around free orders: fit on positive spend.
SELECT n_customers FROM (SELECT (gamma_gamma_fit(frequency, monetary_value)).*
                         FROM (SELECT frequency, monetary_value FROM cdnow_cal
                               UNION ALL SELECT 3, 0) s
                         WHERE monetary_value > 0) f;
-- No repeat buyers, too few distinct ones.
SELECT gamma_gamma_fit(0, 10) FROM generate_series(1, 5);
SELECT gamma_gamma_fit(x, m) FROM (VALUES (1, 10), (2, 20), (1, 10)) v(x, m);
-- Scoring errors.
SELECT gamma_gamma_expected_spend(gamma_gamma_model(2, 0.5, 10), 0, 0);
SELECT gamma_gamma_expected_spend(g, 1, -1) FROM cdnow_gg;
SELECT gamma_gamma_clv(b, g, 2, 30, 38, 22, -1, 0.01, 7) FROM cdnow_bg, cdnow_gg;
SELECT gamma_gamma_clv(b, g, 2, 30, 38, 22, 12, -1, 7) FROM cdnow_bg, cdnow_gg;
SELECT gamma_gamma_clv(b, g, 2, 30, 38, 22, 12, 0.01, 0) FROM cdnow_bg, cdnow_gg;

-- Parallel plan gives the serial fit.
CREATE TABLE many_gg AS SELECT c.* FROM cdnow_cal c, generate_series(1, 20);
ANALYZE many_gg;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT gamma_gamma_fit(frequency, monetary_value) FROM many_gg;
SELECT round(p::numeric, 2) AS p, round(q::numeric, 2) AS q, round(gamma::numeric, 2) AS gamma, n_customers
FROM (SELECT (gamma_gamma_fit(frequency, monetary_value)).* FROM many_gg) f;
SET max_parallel_workers_per_gather = 0;
SELECT round(p::numeric, 2) AS p, round(q::numeric, 2) AS q, round(gamma::numeric, 2) AS gamma, n_customers
FROM (SELECT (gamma_gamma_fit(frequency, monetary_value)).* FROM many_gg) f;
RESET ALL;
