-- Aggregates over a partitioned transactions table give the same results with
-- partitionwise aggregation on and off (partial aggregates per partition, then combined).

CREATE TABLE txn_part (customer_id int, txn_time timestamptz, amount float8)
    PARTITION BY HASH (customer_id);
CREATE TABLE txn_part_0 PARTITION OF txn_part FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE txn_part_1 PARTITION OF txn_part FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE txn_part_2 PARTITION OF txn_part FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO txn_part SELECT customer_id, txn_time, amount FROM cdnow_txn;
ANALYZE txn_part;

-- Per-customer summaries: GROUP BY the partition key is aggregated per partition.
SET enable_partitionwise_aggregate = on;
EXPLAIN (COSTS OFF)
SELECT customer_id, clv_summary(txn_time, amount, '1997-09-30', 'week') FROM txn_part GROUP BY customer_id;
CREATE TEMP TABLE pw_on AS
SELECT customer_id, (clv_summary(txn_time, amount, '1997-09-30', 'week')).* FROM txn_part GROUP BY customer_id;
SET enable_partitionwise_aggregate = off;
CREATE TEMP TABLE pw_off AS
SELECT customer_id, (clv_summary(txn_time, amount, '1997-09-30', 'week')).* FROM txn_part GROUP BY customer_id;
SELECT count(*) AS customers,
       count(*) FILTER (WHERE (a.*) IS NOT DISTINCT FROM (b.*)) AS identical
FROM pw_on a JOIN pw_off b USING (customer_id);

-- Whole-table aggregates: partial aggregation per partition, combined at the top.
SET enable_partitionwise_aggregate = on;
EXPLAIN (COSTS OFF)
SELECT clv_summary(txn_time, amount, '1998-06-30') FROM txn_part;
SELECT (s).frequency, round((s).monetary_value::numeric, 6) AS monetary_value
FROM (SELECT clv_summary(txn_time, amount, '1998-06-30') AS s FROM txn_part) q;
SET enable_partitionwise_aggregate = off;
SELECT (s).frequency, round((s).monetary_value::numeric, 6) AS monetary_value
FROM (SELECT clv_summary(txn_time, amount, '1998-06-30') AS s FROM txn_part) q;

-- Fits over a partitioned customer table.
CREATE TABLE summary_part (id int, frequency int, recency float8, t float8, zbar float8)
    PARTITION BY RANGE (id);
CREATE TABLE summary_part_lo PARTITION OF summary_part FOR VALUES FROM (MINVALUE) TO (1200);
CREATE TABLE summary_part_hi PARTITION OF summary_part FOR VALUES FROM (1200) TO (MAXVALUE);
INSERT INTO summary_part SELECT * FROM cdnow_summary;
ANALYZE summary_part;
SET enable_partitionwise_aggregate = on;
EXPLAIN (COSTS OFF) SELECT bgnbd_fit(frequency, recency, t) FROM summary_part;
CREATE TEMP TABLE fits_on AS
SELECT bgnbd_fit(frequency, recency, t) AS bg, gamma_gamma_fit(frequency, zbar) AS gg,
       pareto_nbd_fit(frequency, recency, t) AS pnbd,
       clv_holdout_eval(frequency, recency) AS ev
FROM summary_part;
SET enable_partitionwise_aggregate = off;
CREATE TEMP TABLE fits_off AS
SELECT bgnbd_fit(frequency, recency, t) AS bg, gamma_gamma_fit(frequency, zbar) AS gg,
       pareto_nbd_fit(frequency, recency, t) AS pnbd,
       clv_holdout_eval(frequency, recency) AS ev
FROM summary_part;
SELECT round((a.bg).r::numeric, 6) = round((b.bg).r::numeric, 6)
       AND round((a.bg).b::numeric, 6) = round((b.bg).b::numeric, 6) AS bgnbd_same,
       round((a.gg).gamma::numeric, 6) = round((b.gg).gamma::numeric, 6) AS gamma_gamma_same,
       round((a.pnbd).beta::numeric, 4) = round((b.pnbd).beta::numeric, 4) AS pareto_same,
       round((a.ev).rmse::numeric, 8) = round((b.ev).rmse::numeric, 8) AS eval_same,
       round((a.bg).r::numeric, 3) AS r
FROM fits_on a, fits_off b;
RESET enable_partitionwise_aggregate;
