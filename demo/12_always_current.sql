-- Demo step 12: always current (docs/operations.md). The CDNOW orders arrive in a table
-- kept summarised by clv_track; model 'cdnow' is fitted at 1997-09-30 (version 1), a
-- month of orders arrives (October 1997), the model is refitted a month later (version 2).
-- Version 1's one-month predictions then meet what the customers did; alert rules flag
-- valuable customers slipping away, after the refit and as orders arrive.
-- Title: Always current: tracked summaries, model registry, realization and alerts
DROP TABLE IF EXISTS live_orders CASCADE;
DELETE FROM clv_alerts WHERE name = 'cdnow';
DELETE FROM _clv_alert_state WHERE rule_id IN (SELECT rule_id FROM clv_alert_rules WHERE name = 'cdnow');
DELETE FROM clv_alert_rules WHERE name = 'cdnow';
DELETE FROM clv_predictions WHERE name = 'cdnow';
DELETE FROM clv_model_registry WHERE name = 'cdnow';

CREATE TABLE live_orders (customer_id text, ordered_at timestamptz, amount float8);
SELECT clv_track('live_orders', 'customer_id', 'ordered_at', 'amount', 'week') AS tracked \gset
INSERT INTO live_orders
SELECT customer_id::text, txn_time, amount FROM transactions WHERE txn_time <= '1997-09-30';
INSERT INTO clv_alert_rules (name, p_alive_below, clv_above) VALUES ('cdnow', 0.2, 10);
INSERT INTO clv_alert_rules (name, segments) VALUES ('cdnow', '{At Risk,Can''t Lose Them}');
SELECT clv_refit('cdnow', :'tracked', observation_end => '1997-09-30') AS v1 \gset
\echo '    tracked' :tracked '; model cdnow version' :v1 'fitted at 1997-09-30'
SELECT version, kind, n_customers, round(log_likelihood::numeric, 1) AS log_likelihood, converged,
       round((bgnbd).r::numeric, 3) AS r, round((bgnbd).alpha::numeric, 3) AS alpha
FROM clv_model_registry WHERE name = 'cdnow';

-- one customer's current score: tracked row + latest version
SELECT model_version, round(p_alive::numeric, 3) AS p_alive,
       round(expected_purchases::numeric, 3) AS purchases_next_month, round(clv::numeric, 2) AS clv_12m, segment
FROM clv_score('cdnow', '1', observation_end => '1997-09-30');

-- a month later: October's orders arrive (the tracked rows follow each statement), refit
INSERT INTO live_orders
SELECT customer_id::text, txn_time, amount FROM transactions
WHERE txn_time > '1997-09-30' AND txn_time <= '1997-10-31';
SELECT clv_refit('cdnow', observation_end => '1997-10-31') AS v2 \gset
\echo '    October 1997 loaded; model cdnow version' :v2 'fitted at 1997-10-31'

-- realization of version 1's one-month predictions, by RFM segment at the refit
SELECT segment, customers, round(predicted_purchases::numeric, 1) AS predicted_purchases,
       actual_purchases, round(predicted_revenue::numeric, 0) AS predicted_revenue,
       round(actual_revenue::numeric, 0) AS actual_revenue
FROM clv_realization_by_segment WHERE name = 'cdnow' AND version = 1 ORDER BY predicted_revenue DESC;
SELECT version, rule, source, count(*) AS alerts FROM clv_alerts WHERE name = 'cdnow'
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
