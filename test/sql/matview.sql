-- The materialized-view recipe of docs/bi.md: fitted models stored with their fit date,
-- customer_clv as a materialized view with a unique index, refreshed concurrently after new
-- transactions; new customers scored by an IMMUTABLE call; composites expanded to columns.
-- (docs/bi.md uses now() as the observation end; the test fixes it at 1997-09-30.)

CREATE TABLE mv_txn AS SELECT * FROM cdnow_txn WHERE txn_time <= '1997-09-30';

-- 1. The models, with their fit date and the period they were fitted on.
CREATE TABLE clv_models (
    model_id         int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    fitted_at        timestamptz NOT NULL DEFAULT now(),
    observation_end  timestamptz NOT NULL,
    unit_days        float8 NOT NULL,
    bg               bgnbd_model NOT NULL,
    gg               gamma_gamma_model NOT NULL
);
INSERT INTO clv_models (observation_end, unit_days, bg, gg)
SELECT '1997-09-30', 7, bgnbd_fit(frequency, recency, t), gamma_gamma_fit(frequency, monetary_value)
FROM (SELECT (clv_summary(txn_time, amount, '1997-09-30', 'week')).* FROM mv_txn GROUP BY customer_id) s;
CREATE VIEW clv_current_model AS
SELECT * FROM clv_models ORDER BY fitted_at DESC, model_id DESC LIMIT 1;

-- 2. customer_clv: one row per customer, scored with the current model.
CREATE MATERIALIZED VIEW customer_clv AS
SELECT c.customer_id, (c.s).frequency, (c.s).recency, (c.s).t, (c.s).monetary_value,
       bgnbd_p_alive(m.bg, (c.s).frequency, (c.s).recency, (c.s).t) AS p_alive,
       gamma_gamma_clv(m.bg, m.gg, (c.s).frequency, (c.s).recency, (c.s).t, (c.s).monetary_value,
                       months => 12, unit_days => m.unit_days) AS clv_12m,
       m.model_id
FROM (SELECT customer_id, clv_summary(txn_time, amount, '1997-09-30', 'week') AS s
      FROM mv_txn GROUP BY customer_id) c
CROSS JOIN clv_current_model m;
CREATE UNIQUE INDEX customer_clv_customer ON customer_clv (customer_id);

SELECT count(*) AS customers, round(sum(clv_12m)::numeric, 2) AS total_clv FROM customer_clv;
SELECT customer_id, frequency, round(recency::numeric, 2) AS recency, round(p_alive::numeric, 4) AS p_alive,
       round(clv_12m::numeric, 2) AS clv_12m, model_id
FROM customer_clv WHERE customer_id = 1;

-- 3. New transactions: customer 1 buys again on 1997-09-20, a new customer 90001 buys
--    three times in September.
INSERT INTO mv_txn VALUES (1, '1997-09-20', 2, 31.50),
                          (90001, '1997-09-02', 1, 12.00), (90001, '1997-09-09', 1, 18.00),
                          (90001, '1997-09-23', 3, 45.00);
-- Not visible until the refresh.
SELECT count(*) AS customers_before_refresh FROM customer_clv;
REFRESH MATERIALIZED VIEW CONCURRENTLY customer_clv;
SELECT count(*) AS customers, round(sum(clv_12m)::numeric, 2) AS total_clv FROM customer_clv;
SELECT customer_id, frequency, round(recency::numeric, 2) AS recency, round(t::numeric, 2) AS t,
       round(monetary_value::numeric, 2) AS monetary_value, round(p_alive::numeric, 4) AS p_alive,
       round(clv_12m::numeric, 2) AS clv_12m, model_id
FROM customer_clv WHERE customer_id IN (1, 90001) ORDER BY customer_id;

-- 4. Scoring without a refresh: an IMMUTABLE call with the stored model gives the same
--    number as the view, for any customer's (frequency, recency, t, monetary_value).
SELECT DISTINCT p.provolatile AS volatility FROM pg_proc p WHERE p.proname = 'gamma_gamma_clv';
SELECT round(gamma_gamma_clv(m.bg, m.gg, 2, 3, 4, 31.5, unit_days => m.unit_days)::numeric, 2) AS clv_direct,
       (SELECT round(clv_12m::numeric, 2) FROM customer_clv WHERE customer_id = 90001) AS clv_in_view
FROM clv_current_model m;

-- 5. A refit is a new row of clv_models; the next refresh scores everyone with it.
INSERT INTO clv_models (observation_end, unit_days, bg, gg)
SELECT '1997-09-30', 7, bgnbd_fit(frequency, recency, t), gamma_gamma_fit(frequency, monetary_value)
FROM (SELECT (clv_summary(txn_time, amount, '1997-09-30', 'week')).* FROM mv_txn GROUP BY customer_id) s;
REFRESH MATERIALIZED VIEW CONCURRENTLY customer_clv;
SELECT model_id, count(*) AS customers FROM customer_clv GROUP BY model_id;
SELECT model_id, round((bg).r::numeric, 4) AS r, round((bg).alpha::numeric, 4) AS alpha,
       round((bg).a::numeric, 4) AS a, round((bg).b::numeric, 4) AS b, (bg).n_customers,
       fitted_at IS NOT NULL AS has_fit_date
FROM clv_models ORDER BY model_id;

-- CONCURRENTLY needs the unique index.
CREATE MATERIALIZED VIEW clv_no_index AS SELECT customer_id, clv_12m FROM customer_clv;
REFRESH MATERIALIZED VIEW CONCURRENTLY clv_no_index;

-- 6. Composites to columns, as a BI tool wants them.
CREATE VIEW clv_model_parameters AS
SELECT m.model_id, m.fitted_at, b.r, b.alpha, b.a, b.b, b.log_likelihood, b.converged,
       b.r_se, b.alpha_se, b.a_se, b.b_se, g.p, g.q, g.gamma, g.p_se, g.q_se, g.gamma_se
FROM clv_models m, LATERAL (SELECT (m.bg).*) b, LATERAL (SELECT (m.gg).*) g;
SELECT model_id, round(r::numeric, 4) AS r, round(r_se::numeric, 4) AS r_se,
       round(p::numeric, 3) AS p, round(q::numeric, 3) AS q, round(gamma::numeric, 3) AS gamma, converged
FROM clv_model_parameters ORDER BY model_id;
