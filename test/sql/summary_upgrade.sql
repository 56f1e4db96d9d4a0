-- A database still on 0.1's summary types works with the 0.2 library (it fills the result
-- by field name), and ALTER EXTENSION clv UPDATE adds the new fields in place: stored
-- summaries read them as NULL, views keep working, rfm_score's inputs get their new names.
SELECT current_database() AS regression_db \gset
CREATE DATABASE clv_summary_upgrade;
\c clv_summary_upgrade
CREATE EXTENSION clv VERSION '0.1';
CREATE TABLE txn (customer text, txn_time timestamptz, amount float8);
INSERT INTO txn VALUES
  ('a', '2024-01-01 09:00', 10), ('a', '2024-01-01 17:00', 5), ('a', '2024-01-08 12:00', 20),
  ('b', '2024-01-20 10:00', 7);

-- 0.1's types with the new library: the six fields of 0.1, nothing else.
SELECT customer, (clv_summary(txn_time, amount, '2024-01-31', 'week')).*
FROM txn GROUP BY customer ORDER BY customer;
SELECT (clv_summary_holdout(txn_time, amount, '2024-01-05', '2024-01-31')).*
FROM txn WHERE customer = 'a';

-- Objects a user built on 0.1: a stored summary, views over the summary and rfm_score
-- (one with positional, one with named arguments).
CREATE TABLE stored AS
SELECT customer, clv_summary(txn_time, amount, '2024-01-31') AS s FROM txn GROUP BY customer;
CREATE VIEW summary_v AS
SELECT customer, clv_summary(txn_time, amount, '2024-01-31') AS s FROM txn GROUP BY customer;
CREATE VIEW rfm_positional AS
SELECT customer, (rfm_score(d, f, m) OVER ()).score
FROM (SELECT customer, ('2024-01-31'::date - max(txn_time)::date)::float8 AS d,
             count(*)::float8 AS f, sum(amount) AS m FROM txn GROUP BY customer) q;
CREATE VIEW rfm_named AS
SELECT customer, (rfm_score(recency_days => d, frequency => f, monetary => m) OVER ()).score
FROM (SELECT customer, ('2024-01-31'::date - max(txn_time)::date)::float8 AS d,
             count(*)::float8 AS f, sum(amount) AS m FROM txn GROUP BY customer) q;

ALTER EXTENSION clv UPDATE TO '0.2';

-- The stored summary gained the fields, NULL; a fresh one has them filled.
SELECT customer, (s).frequency, (s).unit_days, (s).purchases FROM stored ORDER BY customer;
SELECT customer, (s).frequency, (s).unit_days, (s).days_since_last_purchase, (s).purchases,
       (s).total_spend
FROM summary_v ORDER BY customer;
SELECT (clv_summary_holdout(txn_time, amount, '2024-01-05', '2024-01-31', 'week')).*
FROM txn WHERE customer = 'a';
-- Both rfm_score views still run; the renamed inputs take named calls.
SELECT p.customer, p.score, n.score AS named_score
FROM rfm_positional p JOIN rfm_named n USING (customer) ORDER BY customer;
-- rfm_named's stored definition still names the 0.1 inputs (hence the WARNING above).
SELECT pg_get_viewdef('rfm_named') ~ 'recency_days =>' AS shows_old_names;
SELECT pg_get_function_arguments('rfm_score(float8, float8, float8, int)'::regprocedure);
SELECT (rfm_score(days_since_last_purchase => 3, purchases => 1, total_spend => 2) OVER ()).score;

\c :regression_db
DROP DATABASE clv_summary_upgrade;
