-- clv_split(key, test_fraction, seed DEFAULT 42): a deterministic train/test split.

-- "Train on 80 %, evaluate on 20 %" is one WHERE clause. The counts are those of a
-- binomial(2357, 0.2) draw: 471 expected, standard deviation 19.
SELECT clv_split(id::text, 0.2) AS part, count(*) FROM cdnow_summary GROUP BY 1 ORDER BY 1;
SELECT abs(count(*) FILTER (WHERE clv_split(i::text, 0.2) = 'test') - 20000) < 400 AS near_20_percent,
       abs(count(*) FILTER (WHERE clv_split(i::text, 0.5, 7) = 'test') - 50000) < 500 AS near_half
FROM generate_series(1, 100000) i;
-- the same key and seed, the same part, in any query; another seed, another split
SELECT clv_split('customer 1', 0.5) AS a, clv_split('customer 1', 0.5) AS b,
       clv_split('customer 2', 0.5) AS c, clv_split('customer 2', 0.5, 43) AS c_seed_43;
SELECT count(*) FILTER (WHERE clv_split(i::text, 0.5, 1) <> clv_split(i::text, 0.5, 2)) BETWEEN 400 AND 600
       AS seeds_independent
FROM generate_series(1, 1000) i;
-- independent of ab_assign's groups of the same keys
SELECT count(*) FILTER (WHERE (clv_split(i::text, 0.5) = 'test') = (ab_assign(i::text, '42', 2) = 1))
       BETWEEN 400 AND 600 AS independent_of_ab_assign
FROM generate_series(1, 1000) i;
-- nested: the 10 % test set lies inside the 20 % one
SELECT count(*) AS in_10, count(*) FILTER (WHERE clv_split(i::text, 0.2) = 'test') AS also_in_20
FROM generate_series(1, 10000) i WHERE clv_split(i::text, 0.1) = 'test';
-- the ends: 0 puts every key in train, 1 every key in test; '' is a key like any other
SELECT count(*) FILTER (WHERE clv_split(i::text, 0) = 'test') AS test_at_0,
       count(*) FILTER (WHERE clv_split(i::text, 1) = 'train') AS train_at_1
FROM generate_series(1, 10000) i;
SELECT clv_split('', 0.5) IN ('train', 'test') AS empty_key;
-- STRICT: NULL in, NULL out
SELECT clv_split(NULL, 0.2) IS NULL AS null_key, clv_split('a', NULL) IS NULL AS null_fraction,
       clv_split('a', 0.2, NULL) IS NULL AS null_seed;
-- errors
SELECT clv_split('a', -0.1);
SELECT clv_split('a', 1.5);
SELECT clv_split('a', 'NaN');
SELECT clv_split('a', '-Infinity');
