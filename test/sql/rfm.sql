-- RFM scores, value tiers and named segments (window functions over the partition).

-- Ten distinct values: mid-rank quintiles are exactly ntile(5) (recency reversed).
SELECT x, (rfm_score(x, x, x) OVER ()).*, ntile(5) OVER (ORDER BY x DESC) AS ntile_r,
       ntile(5) OVER (ORDER BY x) AS ntile_fm
FROM generate_series(1, 10) x ORDER BY x;

-- Ties never split: equal values share one score whatever the row order, and the result
-- does not depend on the window's ORDER BY or on the order rows arrive in.
CREATE TABLE tied (id int, rd float8, fr float8, mo float8);
INSERT INTO tied VALUES (1, 5, 1, 10), (2, 5, 1, 10), (3, 5, 1, 20), (4, 40, 2, 20),
    (5, 40, 1, 30), (6, 90, 3, 30), (7, 5, 1, 30), (8, 200, 1, 99);
SELECT id, rd, fr, mo, (rfm_score(rd, fr, mo) OVER ()).* FROM tied ORDER BY id;
SELECT count(*) AS rows_differing
FROM (SELECT id, rfm_score(rd, fr, mo) OVER () AS a,
             rfm_score(rd, fr, mo) OVER (ORDER BY id DESC) AS b,
             rfm_score(rd, fr, mo) OVER (ORDER BY mo, id ROWS BETWEEN CURRENT ROW AND CURRENT ROW) AS c
      FROM (SELECT * FROM tied ORDER BY random()) s) t
WHERE a IS DISTINCT FROM b OR a IS DISTINCT FROM c;

-- Fewer distinct values than bins: a constant column scores the middle bin 3; two
-- equal-sized groups get 2 and 4.
SELECT x, (rfm_score(1, x % 2, 7) OVER ()).* FROM generate_series(1, 4) x ORDER BY x;

-- A single customer scores the middle of every scale.
SELECT (rfm_score(12, 3, 99.5) OVER ()).*;

-- NULL inputs: the row's result is NULL and it is left out of every ranking.
SELECT id, rfm_score(rd, fr, mo) OVER () AS rfm
FROM (VALUES (1, 10::float8, 1::float8, 5::float8), (2, NULL, 2, 6), (3, 20, NULL, 7),
             (4, 30, 3, NULL), (5, 40, 4, 8)) v(id, rd, fr, mo) ORDER BY id;
SELECT rfm_score(NULL, NULL, NULL) OVER () IS NULL AS all_null;

-- An empty partition yields no rows; partitions are scored separately.
SELECT rfm_score(rd, fr, mo) OVER () FROM tied WHERE false;
SELECT id % 2 AS part, id, (rfm_score(rd, fr, mo) OVER (PARTITION BY id % 2)).score
FROM tied ORDER BY part, id;

-- Other bin counts: no segment name unless bins = 5.
SELECT x, (rfm_score(x, x, x, 3) OVER ()).* FROM generate_series(1, 6) x ORDER BY x;
SELECT x, (rfm_score(x, x, x, bins => 2) OVER ()).score FROM generate_series(1, 4) x ORDER BY x;

-- Bad input.
SELECT rfm_score(x, x, x, 1) OVER () FROM generate_series(1, 3) x;
SELECT rfm_score(x, x, x, 10) OVER () FROM generate_series(1, 3) x;
SELECT rfm_score(x, x, x, NULL) OVER () FROM generate_series(1, 3) x;
SELECT rfm_score(x, x, x, 3 + (x > 1)::int) OVER () FROM generate_series(1, 3) x;
SELECT rfm_score(x, 'NaN', x) OVER () FROM generate_series(1, 3) x;
SELECT rfm_score(x, x, '-Infinity') OVER () FROM generate_series(1, 3) x;

-- The segment map: R (rows) by FM = round-half-up((F + M) / 2) (columns).
SELECT r, string_agg(rfm_segment(r, fm, fm), ' | ' ORDER BY fm) AS fm_1_to_5
FROM generate_series(5, 1, -1) r, generate_series(1, 5) fm GROUP BY r ORDER BY r DESC;
SELECT rfm_segment(5, 4, 3) AS fm_3_5_rounds_up, rfm_segment(3, 1, 2) AS fm_1_5_rounds_up,
       rfm_segment(1, 5, 2) AS fm_3_5, rfm_segment(2, 1, 1) AS hibernating;
SELECT count(DISTINCT rfm_segment(r, f, m)) AS segments
FROM generate_series(1, 5) r, generate_series(1, 5) f, generate_series(1, 5) m;
SELECT rfm_segment(0, 3, 3);
SELECT rfm_segment(3, 3, 6);
SELECT rfm_segment(NULL, 3, 3) IS NULL AS strict;

-- Value tiers: bottom 20 %, middle 60 %, top 20 % by mid-rank; ties share a tier.
SELECT x, value_tier(x) OVER () FROM generate_series(1, 10) x ORDER BY x;
SELECT v, value_tier(v) OVER () FROM unnest(ARRAY[1, 1, 1, 1, 2, 3, 3, 9, 9, NULL]::float8[]) v
ORDER BY v;
SELECT value_tier(42) OVER () AS single;
SELECT x, value_tier(x, low_cut => 0.5, high_cut => 0.9) OVER () FROM generate_series(1, 10) x ORDER BY x;
SELECT value_tier(x, 0.5, 0.4) OVER () FROM generate_series(1, 3) x;
SELECT value_tier(x, -0.1, 0.8) OVER () FROM generate_series(1, 3) x;
SELECT value_tier(x, 0.2, 'NaN') OVER () FROM generate_series(1, 3) x;
SELECT value_tier('Infinity'::float8) OVER ();

-- CDNOW, 2,357 customers at the end of the calibration period (1997-09-30).
CREATE TABLE cdnow_rfm AS
SELECT customer_id,
       ('1997-09-30'::date - max(txn_time)::date)::float8 AS recency_days,
       count(DISTINCT txn_time)::float8 AS frequency,
       sum(amount) AS monetary
FROM cdnow_txn WHERE txn_time < '1997-10-01' GROUP BY customer_id;
CREATE TABLE cdnow_scored AS
SELECT customer_id, recency_days, frequency, monetary,
       (rfm_score(recency_days, frequency, monetary) OVER ()).*,
       value_tier(monetary) OVER () AS tier
FROM cdnow_rfm;

-- Every score equals the mid-rank rule written with built-in window functions.
SELECT count(*) AS customers,
       count(*) FILTER (WHERE r <> floor(5 * (2 * rb + rc) / (2.0 * n)) + 1
                           OR f <> floor(5 * (2 * fb + fc) / (2.0 * n)) + 1
                           OR m <> floor(5 * (2 * mb + mc) / (2.0 * n)) + 1) AS mismatches,
       count(*) FILTER (WHERE segment <> rfm_segment(r, f, m)) AS segment_mismatches
FROM (SELECT s.*, count(*) OVER () AS n,
             rank() OVER (ORDER BY recency_days DESC) - 1 AS rb,
             count(*) OVER (PARTITION BY recency_days) AS rc,
             rank() OVER (ORDER BY frequency) - 1 AS fb,
             count(*) OVER (PARTITION BY frequency) AS fc,
             rank() OVER (ORDER BY monetary) - 1 AS mb,
             count(*) OVER (PARTITION BY monetary) AS mc
      FROM cdnow_scored s) t;

-- Frequency has few distinct values (60 % bought on one day only): they all share F = 2.
SELECT f, count(*), min(frequency) AS min_freq, max(frequency) AS max_freq
FROM cdnow_scored GROUP BY f ORDER BY f;
SELECT r, count(*), min(recency_days) AS min_days, max(recency_days) AS max_days
FROM cdnow_scored GROUP BY r ORDER BY r;
SELECT segment, count(*) FROM cdnow_scored GROUP BY segment ORDER BY count(*) DESC, segment;
SELECT tier, count(*), round(min(monetary)::numeric, 2) AS min_monetary,
       round(max(monetary)::numeric, 2) AS max_monetary
FROM cdnow_scored GROUP BY tier ORDER BY min(monetary);
SELECT customer_id, recency_days, frequency, round(monetary::numeric, 2) AS monetary,
       score, segment, tier
FROM cdnow_scored WHERE customer_id IN (1, 2, 3, 1000) ORDER BY customer_id;
