-- Demo step 3: RFM segments and value tiers as of 1997-09-30 (the end of the calibration
-- period). Inputs per customer: days since the last purchase, purchase days, total spend.
-- rfm_score gives quintile scores 1..5 (higher is better), rfm_segment names the
-- segment, value_tier splits spend into the bottom 20 %, middle 60 % and top 20 %.
-- Title: RFM segments and value tiers (rfm_score, rfm_segment, value_tier)
DROP TABLE IF EXISTS customer_segments CASCADE;
CREATE TABLE customer_segments AS
WITH rfm AS (
    SELECT customer_id,
           ('1997-09-30'::date - max(txn_time)::date)::float8 AS recency_days,
           count(DISTINCT txn_time::date)::float8 AS frequency,
           sum(amount) AS monetary
    FROM transactions WHERE txn_time < '1997-10-01' GROUP BY customer_id
), scored AS (
    SELECT rfm.*, rfm_score(recency_days, frequency, monetary) OVER () AS s,
           value_tier(monetary) OVER () AS value_tier
    FROM rfm
)
SELECT customer_id, recency_days::int AS recency_days, frequency::int AS frequency,
       round(monetary::numeric, 2) AS monetary, (s).r, (s).f, (s).m, (s).score AS rfm_score,
       rfm_segment((s).r, (s).f, (s).m) AS rfm_segment, value_tier,
       NULL::int AS cluster
FROM scored;
ALTER TABLE customer_segments ADD PRIMARY KEY (customer_id);
SELECT count(*) AS n, count(DISTINCT rfm_segment) AS s FROM customer_segments \gset
\echo '    scored' :n 'customers (rfm_score, rfm_segment, value_tier):' :s 'RFM segments'
\echo
SELECT rfm_segment, count(*) AS customers,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS pct,
       round(avg(recency_days)) AS avg_recency_days, round(avg(frequency), 1) AS avg_purchase_days,
       round(avg(monetary), 2) AS avg_spend,
       round(100 * sum(monetary) / sum(sum(monetary)) OVER (), 1) AS pct_of_spend
FROM customer_segments GROUP BY rfm_segment ORDER BY avg(r + (f + m) / 2.0) DESC, rfm_segment;

SELECT value_tier, count(*) AS customers, min(monetary) AS min_spend, max(monetary) AS max_spend,
       round(avg(monetary), 2) AS avg_spend,
       round(100 * sum(monetary) / sum(sum(monetary)) OVER (), 1) AS pct_of_spend
FROM customer_segments GROUP BY value_tier ORDER BY min(monetary) DESC;
