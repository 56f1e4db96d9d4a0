#!/usr/bin/env bash
# CLVTools' example with covariates (the apparel retailer: 600 customers, Gender and
# Channel on both processes, weekly, calibration to 2006-12-31): clv's Pareto/NBD fit,
# CLVTools' published estimates beside it, and the log-likelihood at clv's estimates
# recomputed independently (test/covariates_loglik.py, numeric integration).
#
#   test/apparel_check.sh            (PGHOST/PGPORT: a server with clv installed)
#
# The data are CLVTools' (GPL-3) and stay out of this repository: the script reads them
# from $CLV_APPAREL_DIR (default ../shared/data/apparel from the top directory) and is
# skipped (exit 0) when they are not there. Exit 1 if a check fails.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${CLV_APPAREL_DIR:-$top/../shared/data/apparel}
if [ ! -f "$dir/apparel_transactions.csv" ] || [ ! -f "$dir/apparel_static_cov.csv" ]; then
	echo "apparel_check: skipped (no $dir/apparel_transactions.csv; set CLV_APPAREL_DIR)"
	exit 0
fi
db=clv_apparel_check
psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
trap 'psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $db"' EXIT
P() { psql -X -q -v ON_ERROR_STOP=1 -d "$db" "$@"; }
P -c "CREATE EXTENSION clv"
P <<SQL
CREATE TABLE tx (customer_id int, date date, price float8);
CREATE TABLE cov (customer_id int, gender float8, channel float8);
\copy tx FROM '$dir/apparel_transactions.csv' CSV HEADER
\copy cov FROM '$dir/apparel_static_cov.csv' CSV HEADER
-- CLVTools' summary: purchase days, weeks from the first purchase, calibration end 2006-12-31
CREATE TABLE cbs AS
SELECT customer_id, (count(DISTINCT date) - 1)::float8 AS x,
       (max(date) - min(date)) / 7.0::float8 AS tx, ('2006-12-31'::date - min(date)) / 7.0::float8 AS t
FROM tx WHERE date <= '2006-12-31' GROUP BY customer_id;
CREATE TABLE fit AS
SELECT pareto_nbd_fit(x, tx, t, ARRAY[gender, channel], ARRAY[gender, channel]) AS m
FROM cbs JOIN cov USING (customer_id);
SQL
echo "clv's Pareto/NBD fit with covariates (trans/purchase: Gender, Channel; life/dropout: Gender, Channel):"
P -c "SELECT round((m).r::numeric, 4) AS r, round((m).alpha::numeric, 4) AS alpha, round((m).s::numeric, 4) AS s,
             round((m).beta::numeric, 4) AS beta, round((m).log_likelihood::numeric, 4) AS log_likelihood, (m).converged
      FROM fit"
P -c "SELECT p.name, round(p.est::numeric, 4) AS estimate, round(p.se::numeric, 4) AS se
      FROM fit, LATERAL (VALUES ('trans.Gender', (m).purchase_coefficients[1], (m).purchase_coefficients_se[1]),
                                ('trans.Channel', (m).purchase_coefficients[2], (m).purchase_coefficients_se[2]),
                                ('life.Gender', (m).dropout_coefficients[1], (m).dropout_coefficients_se[1]),
                                ('life.Channel', (m).dropout_coefficients[2], (m).dropout_coefficients_se[2])) p(name, est, se)"
rs=$(P -At -F' ' -c "SELECT (m).r, (m).s FROM fit")
ll=$(P -At -c "SELECT (m).log_likelihood FROM fit")
ind=$(P -At -F, -c "SELECT x, tx, t, (c).alpha, (c).beta
                    FROM cbs JOIN cov USING (customer_id), fit,
                         clv_customer_model(m, ARRAY[gender, channel], ARRAY[gender, channel]) c" |
      /usr/bin/python3 "$top/test/covariates_loglik.py" $rs)
echo "log-likelihood at clv's estimates: clv $ll, numeric integration of the model $ind"
python3 -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(a - b) < 1e-6 * abs(b) else 1)" "$ll" "$ind" ||
	{ echo "apparel_check: FAILED: the log-likelihoods differ"; exit 1; }
# CLVTools 0.11.2's vignette (inst/doc/CLVTools.pdf, "summary(est.pnbd.static)") prints
# for this fit: estimate, standard error; LL, AIC, BIC. Every clv estimate must lie within
# 1 % of CLVTools' standard error of CLVTools' estimate (the optimisers stop at different
# points of a flat optimum), every standard error within 1 %, LL, AIC and BIC within 1e-3.
echo "against CLVTools' published fit (estimate, its standard error):"
P -v ON_ERROR_STOP=1 <<'SQL' || { echo "apparel_check: FAILED: clv's fit differs from CLVTools' published one"; exit 1; }
CREATE TEMP TABLE cmp AS
SELECT p.name, p.published, p.published_se, c.est, c.se
FROM (VALUES ('r', 1.8387, 0.3457), ('alpha', 92.9435, 16.9749), ('s', 0.5913, 0.2603),
             ('beta', 49.5050, 36.1445), ('life.Gender', -0.6428, 0.2956),
             ('life.Channel', 0.7902, 0.3058), ('trans.Gender', 0.2860, 0.1041),
             ('trans.Channel', 0.6239, 0.1049), ('LL', -5821.0627, NULL),
             ('AIC', 11658.1254, NULL), ('BIC', 11693.3008, NULL)) p(name, published, published_se)
JOIN (SELECT v.* FROM fit, LATERAL (VALUES
        ('r', (m).r, (m).r_se), ('alpha', (m).alpha, (m).alpha_se), ('s', (m).s, (m).s_se),
        ('beta', (m).beta, (m).beta_se),
        ('life.Gender', (m).dropout_coefficients[1], (m).dropout_coefficients_se[1]),
        ('life.Channel', (m).dropout_coefficients[2], (m).dropout_coefficients_se[2]),
        ('trans.Gender', (m).purchase_coefficients[1], (m).purchase_coefficients_se[1]),
        ('trans.Channel', (m).purchase_coefficients[2], (m).purchase_coefficients_se[2]),
        ('LL', (m).log_likelihood, NULL), ('AIC', (m).aic, NULL), ('BIC', (m).bic, NULL)) v(name, est, se)) c
USING (name);
SELECT name, published AS clvtools, round(est::numeric, 4) AS clv, published_se AS clvtools_se,
       round(se::numeric, 4) AS clv_se,
       CASE WHEN published_se IS NULL THEN abs(est - published) < 1e-3
            ELSE abs(est - published) < 0.01 * published_se AND abs(se - published_se) < 0.01 * published_se END AS ok
FROM cmp ORDER BY name;
DO $$ BEGIN
    IF EXISTS (SELECT 1 FROM cmp WHERE NOT CASE WHEN published_se IS NULL THEN abs(est - published) < 1e-3
               ELSE abs(est - published) < 0.01 * published_se AND abs(se - published_se) < 0.01 * published_se END) THEN
        RAISE EXCEPTION 'a value differs from CLVTools'' published fit (above)';
    END IF;
END $$;
SQL
echo "apparel_check: ok"
