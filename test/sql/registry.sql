-- Model registry, current scores, realization vs prediction and alerts (issue 17) on a
-- tracked copy of the CDNOW sample: orders up to 1997-09-30 first, October 1997 later.
\set SHOW_CONTEXT never
CREATE TABLE reg_orders (customer_id text, ordered_at timestamptz, amount numeric);
INSERT INTO reg_orders
SELECT customer_id::text, txn_time, amount FROM cdnow_txn WHERE txn_time < '1997-10-01';
SELECT clv_track('reg_orders', 'customer_id', 'ordered_at', 'amount', 'week') AS tracked;

-- Alert rules of the model named 'cdnow': P(alive) below 0.2 for a CLV above 10, and
-- entry into At Risk or Can't Lose Them.
INSERT INTO clv_alert_rules (name, p_alive_below, clv_above) VALUES ('cdnow', 0.2, 10);
INSERT INTO clv_alert_rules (name, segments) VALUES ('cdnow', '{At Risk,Can''t Lose Them}');
-- a segment that does not exist, and a rule of both kinds
\set VERBOSITY terse
INSERT INTO clv_alert_rules (name, segments) VALUES ('cdnow', '{At risk}');
INSERT INTO clv_alert_rules (name, p_alive_below, segments) VALUES ('cdnow', 0.5, '{Lost}');
\set VERBOSITY default

-- Version 1: BG/NBD + Gamma-Gamma on the summaries at 1997-09-30.
SELECT clv_refit('cdnow', 'reg_orders_clv_summary', observation_end => '1997-09-30') AS version;
SELECT name, version, kind, tracked, observation_end, unit_days, n_customers,
       round(log_likelihood::numeric, 2) AS log_likelihood, converged,
       round((bgnbd).r::numeric, 4) AS r, round((bgnbd).alpha::numeric, 4) AS alpha,
       round((gamma_gamma).p::numeric, 4) AS gg_p,
       (SELECT array_agg(round(h::numeric, 3)) FROM unnest(horizons) h) AS horizons, rfm_cuts
FROM clv_model_registry ORDER BY name, version;
-- its predictions: one row per customer and horizon
SELECT round(horizon::numeric, 3) AS horizon, horizon_end, count(*) AS customers,
       round(sum(expected_purchases)::numeric, 1) AS expected_purchases,
       round(sum(expected_revenue)::numeric, 0) AS expected_revenue
FROM clv_predictions WHERE name = 'cdnow' AND version = 1 GROUP BY 1, 2 ORDER BY 1;
-- the refit's crossings: every customer who meets a rule at the first check
SELECT rule, source, count(*) FROM clv_alerts GROUP BY 1, 2 ORDER BY 1, 2;

-- Current score of one customer: the tracked row and the latest version, in well under
-- a millisecond (bench/scoring_latency.sh). At the refit's observation_end it equals the
-- stored prediction for every customer.
SELECT model_version, round(p_alive::numeric, 4) AS p_alive,
       round(expected_purchases::numeric, 4) AS expected_purchases,
       round(clv::numeric, 2) AS clv, segment, (summary).frequency, round((summary).t::numeric, 3) AS t
FROM clv_score('cdnow', '1', observation_end => '1997-09-30');
SELECT count(*) AS customers,
       count(*) FILTER (WHERE abs(s.p_alive - p.p_alive) > 1e-12 OR abs(s.clv - p.clv) > 1e-9
                        OR abs(s.expected_purchases - p.expected_purchases) > 1e-12
                        OR s.segment IS DISTINCT FROM p.segment) AS differing
FROM clv_predictions p, LATERAL clv_score('cdnow', p.customer_id, p.horizon, observation_end => '1997-09-30') s
WHERE p.name = 'cdnow' AND p.version = 1;
-- not a customer: no row
SELECT count(*) FROM clv_score('cdnow', 'nobody');

-- A new order: the tracked row changes, and its statement trigger checks the rules. A
-- backfilled customer with a valuable but long-past history enters Can't Lose Them;
-- a second session LISTENs on clv_alerts (its PID masked).
\setenv CLV_DB :DBNAME
\! psql -X -q -d "$CLV_DB" -c "LISTEN clv_alerts" -c "INSERT INTO reg_orders SELECT 'backfill', d, 80 FROM generate_series(timestamptz '1997-01-02', '1997-02-01', '7 days') d" 2>&1 | sed -E 's/PID [0-9]+/PID N/'
SELECT rule, source, customer_id, round(p_alive::numeric, 4) AS p_alive, round(clv::numeric, 2) AS clv,
       segment, observed_at
FROM clv_alerts WHERE source = 'order' ORDER BY alert_id;
-- the customer buys again: back to active, the state clears (no alert); a later
-- crossing would alert again
INSERT INTO reg_orders VALUES ('backfill', '1997-09-30 12:00', 50);
SELECT count(*) AS order_alerts FROM clv_alerts WHERE source = 'order';
SELECT count(*) AS backfill_in_state FROM _clv_alert_state WHERE customer_id = 'backfill';

-- October 1997 arrives; version 2 a month later.
INSERT INTO reg_orders
SELECT customer_id::text, txn_time, amount FROM cdnow_txn
WHERE txn_time >= '1997-10-01' AND txn_time < '1997-11-01';
SELECT clv_refit('cdnow', observation_end => '1997-10-31') AS version;
SELECT name, version, observation_end, n_customers, round(log_likelihood::numeric, 2) AS log_likelihood
FROM clv_model_registry ORDER BY version;
SELECT rule, source, count(*) FROM clv_alerts WHERE version = 2 GROUP BY 1, 2 ORDER BY 1, 2;
-- latest version unless one is given
SELECT model_version, round(p_alive::numeric, 4) AS p_alive, round(clv::numeric, 2) AS clv
FROM clv_score('cdnow', '1', observation_end => '1997-10-31');
SELECT model_version, round(p_alive::numeric, 4) AS p_alive, round(clv::numeric, 2) AS clv
FROM clv_score('cdnow', '1', version => 1, observation_end => '1997-10-31');

-- Realization: version 1's one-month horizon (4.286 weeks, to 1997-10-30) has passed;
-- its longer horizons and version 2's have not.
SELECT name, version, round(horizon::numeric, 3) AS horizon, count(*) AS customers
FROM clv_realization GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
SELECT customer_id, segment, cohort, round(predicted_purchases::numeric, 3) AS predicted,
       actual_purchases, round(predicted_revenue::numeric, 2) AS predicted_revenue,
       round(actual_revenue::numeric, 2) AS actual_revenue
FROM clv_realization WHERE actual_purchases > 0 ORDER BY actual_revenue DESC, customer_id LIMIT 5;
SELECT segment, customers, round(predicted_purchases::numeric, 1) AS predicted,
       actual_purchases AS actual, round(predicted_revenue::numeric, 0) AS predicted_revenue,
       round(actual_revenue::numeric, 0) AS actual_revenue
FROM clv_realization_by_segment WHERE name = 'cdnow' AND version = 1 ORDER BY segment;
SELECT cohort, customers, round(predicted_purchases::numeric, 1) AS predicted,
       actual_purchases AS actual, round(actual_revenue::numeric, 0) AS actual_revenue
FROM clv_realization_by_cohort WHERE name = 'cdnow' AND version = 1 ORDER BY cohort;

-- Other kinds: Pareto/NBD under its own name (CLV summed month by month).
SELECT clv_refit('cdnow_pnbd', 'reg_orders_clv_summary', 'pareto_nbd', '1997-10-31') AS version;
SELECT kind, converged, bgnbd IS NULL AS no_bgnbd, round((pareto_nbd).s::numeric, 4) AS s
FROM clv_model_registry WHERE name = 'cdnow_pnbd';
SELECT model_version, round(p_alive::numeric, 4) AS p_alive, round(clv::numeric, 2) AS clv
FROM clv_score('cdnow_pnbd', '1', observation_end => '1997-10-31');

-- Errors: each names the problem and what to do; nothing is written.
SELECT count(*) AS versions_before FROM clv_model_registry;
SELECT clv_refit('cdnow', kind => 'pareto_nbd');                -- wrong kind for the name
SELECT clv_refit('cdnow', kind => 'bgbb');                      -- unknown kind
SELECT clv_refit('fresh');                                      -- no tracked table yet
SELECT clv_refit('cdnow', 'reg_orders');                        -- not a tracked table
SELECT clv_refit('cdnow', horizons => '{0}');
SELECT clv_refit('cdnow', monthly_discount => 'NaN');
-- a forged registry row given to the scoring helper (the SQL fuzzer's find)
SELECT _clv_score_summary(jsonb_populate_record(m, '{"kind": "pareto_nbd", "monthly_discount": "NaN"}'), NULL, 1)
FROM clv_model_registry m WHERE name = 'cdnow' AND version = 1;
SELECT clv_refit(NULL);
CREATE TABLE reg_empty (customer_id text, ordered_at timestamptz, amount numeric);
SELECT clv_track('reg_empty', 'customer_id', 'ordered_at', 'amount') IS NOT NULL AS tracked;
SELECT clv_refit('empty', 'reg_empty_clv_summary', observation_end => '1997-10-31');  -- no data
-- a dropped tracked table
CREATE TABLE reg_gone (customer_id text, ordered_at timestamptz, amount numeric);
INSERT INTO reg_gone SELECT * FROM reg_orders;
SELECT clv_track('reg_gone', 'customer_id', 'ordered_at', 'amount', 'week') IS NOT NULL AS tracked;
SELECT clv_refit('gone', 'reg_gone_clv_summary', observation_end => '1997-10-31') AS version;
-- (the tracked table alone cannot be dropped: clv_track's event trigger; both together can)
DROP TABLE reg_gone, reg_gone_clv_summary;
\set VERBOSITY terse
-- (DETAIL: the table's OID; HINT: track the orders again with clv_track)
SELECT clv_refit('gone', observation_end => '1997-11-30');
SELECT * FROM clv_score('gone', '1');
\set VERBOSITY default
SELECT count(*) AS versions_after FROM clv_model_registry;
-- scoring errors
SELECT * FROM clv_score('nothing', '1');
SELECT * FROM clv_score('cdnow', '1', version => 7);
SELECT * FROM clv_score('cdnow', '1', horizon => -1);
SELECT * FROM clv_score('cdnow', '1', observation_end => '1997-06-30');
SELECT * FROM clv_score('cdnow', NULL);
SELECT * FROM clv_score('cdnow', '1', observation_end => 'infinity');   -- (the SQL fuzzer's find)

-- Grants: a role that may write orders (with the rights clv_track asks of writers:
-- SELECT on the source, SELECT, INSERT, UPDATE on the tracked table) inserts orders while
-- alert rules are active. It has no right on the registry: the alert trigger runs as the
-- extension owner (SECURITY DEFINER, search_path pinned, no dynamic SQL).
CREATE ROLE reg_writer;
GRANT SELECT, INSERT ON reg_orders TO reg_writer;
GRANT SELECT, INSERT, UPDATE ON reg_orders_clv_summary TO reg_writer;
SET ROLE reg_writer;
INSERT INTO reg_orders SELECT 'writer', d, 80 FROM generate_series(timestamptz '1997-01-02', '1997-02-01', '7 days') d;
-- it can neither write alerts nor read the registry
INSERT INTO clv_alerts (rule_id, name, version, customer_id, rule, source, observed_at)
VALUES (1, 'cdnow', 2, 'forged', 'segment', 'order', now());
SELECT count(*) FROM clv_model_registry;
RESET ROLE;
SELECT name, version, rule, source, customer_id, segment, observed_at FROM clv_alerts WHERE customer_id = 'writer';
-- clv_score reads the tracked row by its primary key (_clv_tracked_row), with the caller's
-- rights: a role that may read the registry scores once it may read the tracked table
-- too, and row level security is not bypassed.
CREATE ROLE reg_reader;
GRANT SELECT ON clv_model_registry TO reg_reader;
SET ROLE reg_reader;
SELECT * FROM clv_score('cdnow', '1');
RESET ROLE;
GRANT SELECT ON reg_orders_clv_summary TO reg_reader;
SET ROLE reg_reader;
SELECT model_version, segment FROM clv_score('cdnow_pnbd', 'writer', observation_end => '1997-11-30');
RESET ROLE;
ALTER TABLE reg_orders_clv_summary ENABLE ROW LEVEL SECURITY;
SET ROLE reg_reader;
SELECT * FROM clv_score('cdnow', '1');
RESET ROLE;
ALTER TABLE reg_orders_clv_summary DISABLE ROW LEVEL SECURITY;
-- the lookup checks what it is given
SELECT * FROM _clv_tracked_row('reg_orders_clv_summary', '1');
SELECT * FROM _clv_tracked_row('reg_orders_clv_summary', '1') AS t(frequency text);
SELECT * FROM _clv_tracked_row('reg_orders_clv_summary', '1') AS t(nothing int);
SELECT * FROM _clv_tracked_row('reg_orders', '1') AS t(frequency int);
SELECT * FROM _clv_tracked_row(0, '1') AS t(frequency int);
SELECT frequency, purchases FROM _clv_tracked_row('reg_orders_clv_summary', '1') AS t(frequency int, purchases bigint);
SELECT frequency IS NULL AS no_row FROM _clv_tracked_row('reg_orders_clv_summary', 'nobody') AS t(frequency int);

-- Clean up (the tests after this one list clv_tracking).
SELECT clv_untrack('reg_orders_clv_summary'), clv_untrack('reg_empty_clv_summary');
DROP TABLE reg_orders, reg_empty;
DELETE FROM clv_alerts; DELETE FROM _clv_alert_state; DELETE FROM clv_alert_rules;
DELETE FROM clv_predictions; DELETE FROM clv_model_registry;
DROP ROLE reg_writer;
REVOKE ALL ON clv_model_registry FROM reg_reader;
DROP ROLE reg_reader;
