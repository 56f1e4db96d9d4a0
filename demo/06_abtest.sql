-- Demo step 6: an A/B test, end to end. ab_assign splits the customers into two variants
-- of an experiment by a hash of the customer id; the outcome is what each customer did in
-- the 39 holdout weeks (bought again: yes/no; holdout spend). No treatment was ever
-- applied, so this is an A/A test: the assignment is random and no effect is expected.
-- Title: A/B test example (ab_assign, ab_proportion_test, ab_mean_test)
DROP TABLE IF EXISTS ab_test_groups CASCADE;
CREATE TABLE ab_test_groups AS
SELECT customer_id, 'demo-1997-10' AS experiment,
       CASE ab_assign(customer_id::text, 'demo-1997-10') WHEN 1 THEN 'A' ELSE 'B' END AS variant,
       holdout_frequency > 0 AS converted,
       round((holdout_frequency * holdout_monetary_value)::numeric, 2) AS holdout_spend
FROM holdout_summary;
ALTER TABLE ab_test_groups ADD PRIMARY KEY (customer_id);
SELECT count(*) FILTER (WHERE variant = 'A') AS a, count(*) FILTER (WHERE variant = 'B') AS b
FROM ab_test_groups \gset
\echo '    assigned' :a 'customers to A (control) and' :b 'to B (treatment) with ab_assign'
\echo '    NOTE: the assignment is random (a hash of the customer id) and nobody was treated:'
\echo '    this is an A/A test, so no effect is expected; p < 0.05 would happen 1 time in 20.'
\echo '    outcome: "converted" = bought again in the 39 holdout weeks; value = holdout spend'
\echo
DROP TABLE IF EXISTS ab_results CASCADE;
CREATE TABLE ab_results AS
SELECT 'bought again (ab_proportion_test)' AS metric, (p).n_control, (p).n_treatment,
       round((p).rate_control::numeric, 4) AS control, round((p).rate_treatment::numeric, 4) AS treatment,
       round((p).abs_lift::numeric, 4) AS difference,
       round((p).ci_low::numeric, 4) || ' .. ' || round((p).ci_high::numeric, 4) AS "95% CI",
       round((p).p_value::numeric, 3) AS p_value
FROM (SELECT ab_proportion_test(variant, converted, 'A') AS p FROM ab_test_groups) t
UNION ALL
SELECT 'holdout spend (ab_mean_test)', (w).n_control, (w).n_treatment,
       round((w).mean_control::numeric, 2), round((w).mean_treatment::numeric, 2),
       round((w).diff::numeric, 2),
       round((w).ci_low::numeric, 2) || ' .. ' || round((w).ci_high::numeric, 2),
       round((w).p_value::numeric, 3)
FROM (SELECT ab_mean_test(variant, holdout_spend::float8, 'A') AS w FROM ab_test_groups) t;
SELECT * FROM ab_results;
SELECT CASE WHEN min(p_value) >= 0.05
            THEN 'no significant difference between A and B (p >= 0.05 on both), as expected'
            ELSE 'p < 0.05: a false positive, since nobody was treated (it happens 1 time in 20)' END AS verdict
FROM ab_results \gset
\echo '    result:' :verdict
SELECT round(avg(converted::int), 3) AS r FROM ab_test_groups \gset
SELECT ab_sample_size(:r, 0.05) AS n \gset
\echo '    a real test would need' :n 'customers per variant to detect a 5-point lift over the'
\echo '    repurchase rate of' :r 'with 80 % power at alpha 0.05 (ab_sample_size)'
