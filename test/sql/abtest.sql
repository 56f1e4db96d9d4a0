-- A/B tests: hash assignment, proportion and mean tests, sample size.
-- Expected values: test/reference/biz_expected.py (mpmath), R's documented outputs.

-- ab_assign is deterministic, in 1..variants, and 1 for a single variant.
SELECT ab_assign('alice', 'checkout-2024') AS a1, ab_assign('alice', 'checkout-2024') AS a2,
       ab_assign('alice', 'checkout-2024', 1) AS one_variant,
       ab_assign('alice', 'checkout-2024', 1000000) BETWEEN 1 AND 1000000 AS in_range,
       ab_assign(NULL, 'checkout-2024') IS NULL AS strict;
-- experiment || 0x00 || subject: moving characters between the two changes the hash input
SELECT count(DISTINCT (ab_assign(s, e, 1000000))) AS distinct_of_3
FROM (VALUES ('ab', 'c'), ('b', 'ca'), ('', 'cab')) v(s, e);

-- Balance on 100k subjects: counts per variant and the chi-square goodness-of-fit
-- statistic against equal shares (5 % critical values: 3.84 for 1 df, 5.99 for 2 df).
CREATE TABLE subjects AS SELECT 'user-' || i AS subject FROM generate_series(1, 100000) i;
SELECT variants, counts, chi2 < crit AS balanced
FROM (SELECT 2 AS variants, 3.84 AS crit UNION ALL SELECT 3, 5.99) p,
LATERAL (SELECT string_agg(c::text, ' ' ORDER BY v) AS counts,
                round(sum((c - 100000.0 / p.variants) ^ 2 / (100000.0 / p.variants))::numeric, 2) AS chi2
         FROM (SELECT ab_assign(subject, 'exp-1', p.variants) v, count(*) c
               FROM subjects GROUP BY 1) g) s
ORDER BY variants;

-- Independence of two experiments: the 2 x 2 and 3 x 3 tables of the assignments of
-- the same subjects pass Pearson's chi-square test (5 % critical: 3.84 for 1 df,
-- 9.49 for 4 df); the same experiment twice is of course fully dependent.
CREATE FUNCTION indep_chi2(e1 text, e2 text, k int) RETURNS numeric LANGUAGE sql AS $$
  WITH t AS (SELECT ab_assign(subject, e1, k) a, ab_assign(subject, e2, k) b, count(*) n
             FROM subjects GROUP BY 1, 2),
       ra AS (SELECT a, sum(n) na FROM t GROUP BY a),
       rb AS (SELECT b, sum(n) nb FROM t GROUP BY b),
       cells AS (SELECT ra.a, rb.b, na * nb / 100000.0 AS expected FROM ra, rb)
  SELECT round(sum((coalesce(t.n, 0) - expected) ^ 2 / expected)::numeric, 2)
  FROM cells LEFT JOIN t USING (a, b) $$;
SELECT indep_chi2('exp-1', 'exp-2', 2) < 3.84 AS independent_2x2,
       indep_chi2('exp-1', 'exp-2', 3) < 9.49 AS independent_3x3,
       indep_chi2('exp-1', 'exp-1', 2) AS same_experiment;

SELECT ab_assign('alice', 'x', 0);

-- Proportion test. R: prop.test(c(250, 200), c(1000, 1000), correct = FALSE) gives
-- X-squared = 7.168459 (= z^2), p-value = 0.007419649, 95 % CI of the difference
-- 0.01346362 .. 0.08653638. Without a control argument, 'A' is the control (a control name).
CREATE TABLE conv AS
SELECT 'A' AS variant, i <= 200 AS converted FROM generate_series(1, 1000) i
UNION ALL SELECT 'B', i <= 250 FROM generate_series(1, 1000) i;
SELECT control, treatment, n_control, n_treatment, rate_control, rate_treatment,
       round(abs_lift::numeric, 6) AS abs_lift, round(rel_lift::numeric, 6) AS rel_lift,
       round(z::numeric, 6) AS z, round((z * z)::numeric, 6) AS x_squared,
       round(p_value::numeric, 9) AS p_value,
       round(ci_low::numeric, 8) AS ci_low, round(ci_high::numeric, 8) AS ci_high
FROM (SELECT (ab_proportion_test(variant, converted)).* FROM conv) r;

-- Small samples, the control named 'control' (it sorts before 'treat'; sort order plays no part):
-- 12/80 vs 30/90: z 2.766321, p 0.005669277, CI 0.05840372 .. 0.30826295.
SELECT control, treatment, round(z::numeric, 6) AS z, round(p_value::numeric, 9) AS p_value,
       round(ci_low::numeric, 8) AS ci_low, round(ci_high::numeric, 8) AS ci_high
FROM (SELECT (ab_proportion_test(variant, converted)).*
      FROM (SELECT 'treat' AS variant, i <= 30 AS converted FROM generate_series(1, 90) i
            UNION ALL SELECT 'control', i <= 12 FROM generate_series(1, 80) i) s) r;

-- NULL rows are skipped; no conversions at all: z and p undefined (NULL), CI [0, 0],
-- rel_lift NULL (no control conversions).
SELECT n_control, n_treatment, z IS NULL AS z_null, p_value IS NULL AS p_null,
       ci_low, ci_high, rel_lift IS NULL AS rel_null
FROM (SELECT (ab_proportion_test(v, c)).*
      FROM (VALUES ('a', false), ('a', false), ('b', false), (NULL, true), ('b', NULL)) x(v, c)) r;

-- Errors: one variant, more than two, no subjects.
SELECT ab_proportion_test(variant, converted) FROM conv WHERE variant = 'A';
SELECT ab_proportion_test(v, c) FROM (VALUES ('A', true), ('B', false), ('C', true)) x(v, c);
SELECT ab_proportion_test(variant, converted) FROM conv WHERE false;

-- Welch's t-test. R: t.test(extra ~ group, data = sleep) gives t = -1.8608,
-- df = 17.776, p-value = 0.07939, 95 % CI -3.3654832 .. 0.2054832 for group 1 - group 2;
-- here the difference is treatment ('2') - control ('1': of two whole numbers, 1 unless
-- one is 0), so the signs flip.
CREATE TABLE sleep (grp text, extra float8);
INSERT INTO sleep VALUES ('1', 0.7), ('1', -1.6), ('1', -0.2), ('1', -1.2), ('1', -0.1),
  ('1', 3.4), ('1', 3.7), ('1', 0.8), ('1', 0.0), ('1', 2.0), ('2', 1.9), ('2', 0.8),
  ('2', 1.1), ('2', 0.1), ('2', -0.1), ('2', 4.4), ('2', 5.5), ('2', 1.6), ('2', 4.6), ('2', 3.4);
SELECT control, treatment, n_control, n_treatment, round(mean_control::numeric, 4) AS mean_c,
       round(mean_treatment::numeric, 4) AS mean_t, round(diff::numeric, 4) AS diff,
       round(rel_lift::numeric, 4) AS rel_lift, round(t::numeric, 6) AS t,
       round(df::numeric, 6) AS df, round(p_value::numeric, 8) AS p_value,
       round(ci_low::numeric, 7) AS ci_low, round(ci_high::numeric, 7) AS ci_high
FROM (SELECT (ab_mean_test(grp, extra)).* FROM sleep) r;

-- NULL values are skipped (same result); errors: fewer than 2 subjects, no variance,
-- non-finite value, one variant.
SELECT round(t::numeric, 6) AS t
FROM (SELECT (ab_mean_test(grp, extra)).*
      FROM (SELECT * FROM sleep UNION ALL SELECT '1', NULL UNION ALL SELECT NULL, 5) s) r;
SELECT ab_mean_test(v, x) FROM (VALUES ('a', 1.0), ('a', 2.0), ('b', 3.0)) s(v, x);
SELECT ab_mean_test(v, x) FROM (VALUES ('a', 1.0), ('a', 1.0), ('b', 3.0), ('b', 3.0)) s(v, x);
SELECT ab_mean_test(v, x) FROM (VALUES ('a', 1.0), ('a', 'NaN'), ('b', 3.0)) s(v, x);
SELECT ab_mean_test(grp, extra) FROM sleep WHERE grp = '1';

-- The control (issue 13). 0.1 took the byte-wise smaller label: with 'old' and 'new'
-- the control was 'new' and every sign flipped. Now 'old' is the control (a control name):
-- rate 0.20 -> 0.25, lift +0.05, z and CI as with 'A'/'B' above.
CREATE TABLE conv_old_new AS
SELECT CASE variant WHEN 'A' THEN 'old' ELSE 'new' END AS variant, converted FROM conv;
SELECT control, treatment, rate_control, rate_treatment,
       round(abs_lift::numeric, 6) AS abs_lift, round(z::numeric, 6) AS z,
       round(ci_low::numeric, 8) AS ci_low, round(ci_high::numeric, 8) AS ci_high
FROM (SELECT (ab_proportion_test(variant, converted)).* FROM conv_old_new) r;
-- The control named: the same; naming 'new' makes it the control and flips the signs.
SELECT control, treatment, round(abs_lift::numeric, 6) AS abs_lift, round(z::numeric, 6) AS z
FROM (SELECT (ab_proportion_test(variant, converted, 'old')).* FROM conv_old_new) r
UNION ALL
SELECT control, treatment, round(abs_lift::numeric, 6), round(z::numeric, 6)
FROM (SELECT (ab_proportion_test(variant, converted, 'new')).* FROM conv_old_new) r;
-- Named control '2' in the sleep data gives R's own orientation (group 1 - group 2):
-- t -1.860813, CI -3.3654832 .. 0.2054832.
SELECT control, treatment, round(diff::numeric, 4) AS diff, round(t::numeric, 6) AS t,
       round(df::numeric, 6) AS df, round(p_value::numeric, 8) AS p_value,
       round(ci_low::numeric, 7) AS ci_low, round(ci_high::numeric, 7) AS ci_high
FROM (SELECT (ab_mean_test(grp, extra, '2')).* FROM sleep) r;

-- Without a control argument: the one label named control, ctrl, baseline, base, old,
-- original, current, existing, default, champion, holdout or A (any case); of two whole
-- numbers 0, else 1. Row order does not matter.
SELECT l1, l2, (SELECT (ab_proportion_test(v, c)).control
                FROM (VALUES (l1, true), (l2, false), (l1, false), (l2, true)) x(v, c)) AS control
FROM (VALUES ('new', 'old'), ('treatment', 'Control'), ('B', 'A'), ('b', 'a'),
             ('variant', 'baseline'), ('email', 'holdout'), ('challenger', 'CHAMPION'),
             ('2', '1'), ('1', '0'), ('10', '1'), ('-1', '0')) p(l1, l2);
-- Pairs that do not say which is the control are an ERROR, never a guess: neither a
-- control name, both control names, whole numbers without 0 or 1.
SELECT ab_proportion_test(v, c) FROM (VALUES ('new_ui', true), ('old_ui', false)) x(v, c);
SELECT ab_proportion_test(v, c) FROM (VALUES ('A', true), ('control', false)) x(v, c);
SELECT ab_mean_test(v, y) FROM (VALUES ('2', 1.0), ('3', 2.0), ('2', 3.0), ('3', 5.0)) x(v, y);
-- A named control must be one of the variants, case included, the same on every row,
-- not NULL, and have subjects.
SELECT ab_proportion_test(variant, converted, 'Old') FROM conv_old_new;
SELECT ab_proportion_test(variant, converted, 'A') FROM conv_old_new;
SELECT ab_proportion_test(variant, converted, NULL) FROM conv_old_new;
SELECT ab_proportion_test(v, c, v) FROM (VALUES ('old', true), ('new', false)) x(v, c);
SELECT ab_proportion_test(variant, converted, 'old') FROM conv_old_new WHERE variant = 'new';
SELECT ab_mean_test(v, y, 'old') FROM (VALUES ('old', 1.0), ('new', 2.0), ('x', 3.0)) x(v, y);

-- ab_assign's int output feeds the tests without a cast: arm 1 is the control (0 would
-- be, in 0/1 coding); a named arm is the control.
CREATE TABLE exp_int AS
SELECT ab_assign(subject, 'exp-int') AS arm,
       ab_assign(subject, 'conv-int', 100) <= 10 + 5 * ab_assign(subject, 'exp-int') AS converted
FROM subjects WHERE subject < 'user-2';
SELECT control, treatment, n_control, n_treatment, round(abs_lift::numeric, 6) AS abs_lift,
       round(z::numeric, 6) AS z
FROM (SELECT (ab_proportion_test(arm, converted)).* FROM exp_int) r
UNION ALL
SELECT control, treatment, n_control, n_treatment, round(abs_lift::numeric, 6),
       round(z::numeric, 6)
FROM (SELECT (ab_proportion_test(arm::text, converted)).* FROM exp_int) r
UNION ALL
SELECT control, treatment, n_control, n_treatment, round(abs_lift::numeric, 6),
       round(z::numeric, 6)
FROM (SELECT (ab_proportion_test(arm, converted, 2)).* FROM exp_int) r
UNION ALL
SELECT control, treatment, n_control, n_treatment, round(abs_lift::numeric, 6),
       round(z::numeric, 6)
FROM (SELECT (ab_proportion_test(arm - 1, converted)).* FROM exp_int) r;
SELECT control, treatment, round(t::numeric, 6) AS t
FROM (SELECT (ab_mean_test(grp::int, extra)).* FROM sleep) r
UNION ALL
SELECT control, treatment, round(t::numeric, 6)
FROM (SELECT (ab_mean_test(grp::int, extra, 2)).* FROM sleep) r;
SELECT ab_proportion_test(arm + 1, converted) FROM exp_int;
SELECT ab_proportion_test(arm, converted, 3) FROM exp_int;
SELECT ab_mean_test(arm, converted::int, NULL) FROM exp_int;
SELECT ab_proportion_test(ab_assign(subject, 'x', 3), true) FROM subjects;

-- The support functions of the new forms are not for PUBLIC.
SELECT p.oid::regprocedure AS support_function,
       has_function_privilege('public', p.oid, 'EXECUTE') AS public_execute
FROM pg_proc p WHERE p.proname IN ('_ab_test_prop_trans_b', '_ab_test_mean_trans_b')
  AND (p.pronargs = 4 OR p.proargtypes[1] = 'int'::regtype)
ORDER BY 1::text;

-- Sample size per variant. R: power.prop.test(p1 = .50, p2 = .75, power = .90) gives
-- n = 76.7 (-> 77); mpmath: 0.10 -> 0.12 at 80 % power 3840.85 (-> 3841); a decrease
-- 0.05 -> 0.04 at alpha 1 %, power 95 %: 15307.80 (-> 15308).
SELECT ab_sample_size(0.5, 0.25, 0.05, 0.9) AS r_example, ab_sample_size(0.1, 0.02) AS defaults,
       ab_sample_size(0.05, -0.01, alpha => 0.01, power => 0.95) AS decrease;
SELECT ab_sample_size(0, 0.1);
SELECT ab_sample_size(0.5, 0);
SELECT ab_sample_size(0.95, 0.1);
SELECT ab_sample_size(0.5, 0.1, alpha => 1.5);
SELECT ab_sample_size(0.5, 0.1, power => 'NaN');

-- Parallel plans give the serial results.
CREATE TABLE exp_big AS
SELECT subject, ab_assign(subject, 'exp-3') AS arm,
       ab_assign(subject, 'conv', 100) <= 10 + 2 * ab_assign(subject, 'exp-3') AS converted,
       (ab_assign(subject, 'rev', 1000) / 10.0 + ab_assign(subject, 'exp-3')) AS revenue
FROM subjects;
ANALYZE exp_big;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT ab_proportion_test(arm::text, converted) FROM exp_big;
EXPLAIN (COSTS OFF) SELECT ab_mean_test(arm::text, revenue) FROM exp_big;
EXPLAIN (COSTS OFF) SELECT ab_proportion_test(arm, converted, 2) FROM exp_big;
SELECT (p).n_control, (p).n_treatment, round((p).z::numeric, 9) AS z,
       round((m).t::numeric, 9) AS t, round((m).df::numeric, 6) AS df
FROM (SELECT ab_proportion_test(arm::text, converted) AS p, ab_mean_test(arm::text, revenue) AS m
      FROM exp_big) r;
-- int variants and named controls, both ways round
SELECT (p).control, (p).n_control, round((p).z::numeric, 9) AS z,
       (m).control AS m_control, round((m).t::numeric, 9) AS t
FROM (SELECT ab_proportion_test(arm, converted) AS p, ab_mean_test(arm, revenue) AS m
      FROM exp_big) r
UNION ALL
SELECT (p).control, (p).n_control, round((p).z::numeric, 9), (m).control, round((m).t::numeric, 9)
FROM (SELECT ab_proportion_test(arm, converted, 2) AS p,
             ab_mean_test(arm::text, revenue, '2') AS m FROM exp_big) r;
SET max_parallel_workers_per_gather = 0;
SELECT (p).n_control, (p).n_treatment, round((p).z::numeric, 9) AS z,
       round((m).t::numeric, 9) AS t, round((m).df::numeric, 6) AS df
FROM (SELECT ab_proportion_test(arm::text, converted) AS p, ab_mean_test(arm::text, revenue) AS m
      FROM exp_big) r;
-- int variants and named controls, both ways round
SELECT (p).control, (p).n_control, round((p).z::numeric, 9) AS z,
       (m).control AS m_control, round((m).t::numeric, 9) AS t
FROM (SELECT ab_proportion_test(arm, converted) AS p, ab_mean_test(arm, revenue) AS m
      FROM exp_big) r
UNION ALL
SELECT (p).control, (p).n_control, round((p).z::numeric, 9), (m).control, round((m).t::numeric, 9)
FROM (SELECT ab_proportion_test(arm, converted, 2) AS p,
             ab_mean_test(arm::text, revenue, '2') AS m FROM exp_big) r;
RESET ALL;
