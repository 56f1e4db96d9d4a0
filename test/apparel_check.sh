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
echo "apparel_check: ok"
