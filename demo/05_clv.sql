-- Demo step 5: BG/NBD + Gamma-Gamma customer lifetime value: each customer's probability
-- of being alive, expected purchases in the next 52 weeks, expected mean spend and the
-- 12-month CLV with a 1 % monthly discount, from the models fitted in step 2.
-- Title: Customer lifetime value: BG/NBD + Gamma-Gamma, 12 months
DROP TABLE IF EXISTS customer_clv CASCADE;
CREATE TABLE customer_clv AS
SELECT s.customer_id, s.frequency, s.recency, s.t, s.monetary_value,
       bgnbd_p_alive(m.bg, s.frequency, s.recency, s.t) AS p_alive,
       bgnbd_expected_purchases(m.bg, 52, s.frequency, s.recency, s.t) AS purchases_next_52_weeks,
       gamma_gamma_expected_spend(m.gg, s.frequency, s.monetary_value) AS expected_spend,
       gamma_gamma_clv(m.bg, m.gg, s.frequency, s.recency, s.t, s.monetary_value,
                       months => 12, monthly_discount => 0.01, unit_days => 7) AS clv_12m
FROM customer_summary s, models m;
ALTER TABLE customer_clv ADD PRIMARY KEY (customer_id);
SELECT count(*) AS n FROM customer_clv \gset
\echo '    scored' :n 'customers (bgnbd_p_alive, bgnbd_expected_purchases, gamma_gamma_clv)'
\echo
SELECT count(*) AS customers, round(sum(clv_12m)::numeric) AS total_clv_12m,
       round(avg(clv_12m)::numeric, 2) AS mean_clv,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY clv_12m))::numeric, 2) AS median_clv,
       round((100 * top_share(clv_12m, 0.10))::numeric, 1) AS top10pct_share,
       round(gini(clv_12m)::numeric, 3) AS gini,
       round(sum(purchases_next_52_weeks)::numeric) AS purchases_next_52_weeks
FROM customer_clv;

\echo '    top 10 customers by predicted 12-month CLV'
SELECT c.customer_id, c.frequency AS repeat_days, round(c.recency::numeric, 1) AS recency_wk,
       round(c.t::numeric, 1) AS age_wk, round(c.monetary_value::numeric, 2) AS avg_spend,
       round(c.p_alive::numeric, 3) AS p_alive, round(c.purchases_next_52_weeks::numeric, 2) AS purch_52wk,
       round(c.clv_12m::numeric, 2) AS clv_12m, s.rfm_segment, s.cluster
FROM customer_clv c JOIN customer_segments s USING (customer_id)
ORDER BY c.clv_12m DESC, c.customer_id LIMIT 10;
