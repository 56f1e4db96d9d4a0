-- Demo step 90 (last): the deliverables as CSV (header row, comma-separated), written by the psql
-- client (\copy), not by the server, into psql's working directory: scripts/demo.sh runs
-- this file from the output directory. Numbers are rounded for reading; ids are exact.
-- Title: Writing the deliverables (CSV files and report.html)
\copy (SELECT customer_id, recency_days, frequency, monetary, r, f, m, rfm_score, rfm_segment, value_tier, cluster FROM customer_segments ORDER BY customer_id) TO 'customer_segments.csv' WITH (FORMAT csv, HEADER)
\copy (SELECT customer_id, frequency, round(recency::numeric, 2) AS recency_weeks, round(t::numeric, 2) AS t_weeks, round(monetary_value::numeric, 2) AS monetary_value, round(p_alive::numeric, 4) AS p_alive, round(purchases_next_52_weeks::numeric, 4) AS purchases_next_52_weeks, round(expected_spend::numeric, 2) AS expected_spend, round(clv_12m::numeric, 2) AS clv_12m FROM customer_clv ORDER BY clv_12m DESC, customer_id) TO 'customer_clv.csv' WITH (FORMAT csv, HEADER)
\copy (SELECT customer_id, experiment, variant, converted, holdout_spend FROM ab_test_groups ORDER BY customer_id) TO 'ab_test_groups.csv' WITH (FORMAT csv, HEADER)
\copy (SELECT rfm_segment, customers, stock_code, description, list_price, price, discount_pct FROM dynamic_pricing ORDER BY rfm_segment, stock_code) TO 'dynamic_pricing.csv' WITH (FORMAT csv, HEADER)
\copy (SELECT revenue_rank, quantity_rank, stock_code, description, list_price, quantity, revenue, revenue_share_pct, cumulative_revenue_pct, quantity_share_pct FROM top_products ORDER BY revenue_rank) TO 'top_products.csv' WITH (FORMAT csv, HEADER)
