-- Standard errors from the analytic Hessian. BG/NBD, MBG/NBD, Pareto/NBD and Gamma-Gamma
-- compute the Hessian of the log-likelihood (digamma and trigamma terms) in the same pass
-- as its value and gradient. A fit over many distinct rows finishes with exact Newton steps
-- on all of them (one pass each) and takes its standard errors from the last step's Hessian.
--
-- Reference: test/reference/fit_hessian.py, an independent mpmath computation (30 digits;
-- the log-likelihoods written out from the papers, the natural-scale Hessian by second
-- differences) at the estimates printed here. Central differences of the gradient, used
-- before, agreed to about 7 digits; the analytic Hessian agrees to 10.
CREATE TEMP TABLE hfit AS
SELECT bgnbd_fit(frequency, recency, t) AS bg, mbgnbd_fit(frequency, recency, t) AS mbg,
       gamma_gamma_fit(frequency, zbar) AS gg, pareto_nbd_fit(frequency, recency, t) AS pn
FROM cdnow_summary;
SELECT round((bg).r::numeric, 8) AS r, round((bg).alpha::numeric, 7) AS alpha,
       round((bg).a::numeric, 8) AS a, round((bg).b::numeric, 7) AS b, (bg).converged
FROM hfit;
SELECT model, parameter, round(se::numeric, 8) AS se, reference,
       abs(se / reference - 1) < 1e-9 AS matches_mpmath
FROM hfit, LATERAL (VALUES
    ('bgnbd_fit', 'r', (bg).r_se, 0.01255731958), ('bgnbd_fit', 'alpha', (bg).alpha_se, 0.3782214155),
    ('bgnbd_fit', 'a', (bg).a_se, 0.1857191431), ('bgnbd_fit', 'b', (bg).b_se, 0.7053457551),
    ('mbgnbd_fit', 'r', (mbg).r_se, 0.08326406461), ('mbgnbd_fit', 'alpha', (mbg).alpha_se, 0.6955979328),
    ('mbgnbd_fit', 'a', (mbg).a_se, 0.1547853114), ('mbgnbd_fit', 'b', (mbg).b_se, 0.5374723605),
    ('gamma_gamma_fit', 'p', (gg).p_se, 1.189687037), ('gamma_gamma_fit', 'q', (gg).q_se, 0.2901656151),
    ('gamma_gamma_fit', 'gamma', (gg).gamma_se, 4.159993878),
    ('pareto_nbd_fit', 'r', (pn).r_se, 0.04762875443), ('pareto_nbd_fit', 'alpha', (pn).alpha_se, 0.8427239235),
    ('pareto_nbd_fit', 's', (pn).s_se, 0.1872795695), ('pareto_nbd_fit', 'beta', (pn).beta_se, 6.211029321)
    ) v(model, parameter, se, reference);

-- Pareto/NBD's estimates, for the reference. Its Hessian takes the second derivatives of
-- log 2F1(a, b; a + 1; z) in a and b by central differences of the analytic gradient
-- (step 1e-5 relative), those in z from the closed form of d/dz log 2F1; the rest is the
-- chain rule. Central differences of the whole gradient agreed to about 7 digits here too.
SELECT round((pn).r::numeric, 8) AS r, round((pn).alpha::numeric, 7) AS alpha,
       round((pn).s::numeric, 8) AS s, round((pn).beta::numeric, 7) AS beta, (pn).converged
FROM hfit;

-- The path of large fits: 80 copies of CDNOW, each shifted by a few seconds so that its
-- 81,280 rows are distinct (recency 0 stays 0): BFGS on a sample, then exact Newton on
-- all rows, summed in chunks of 65,536 rows on two threads. The estimates barely move,
-- and each standard error is CDNOW's divided by sqrt(80), up to the shift's effect.
SET clv.fit_threads = 2;
CREATE TEMP TABLE hfit80 AS
SELECT bgnbd_fit(frequency, recency, t) AS bg, mbgnbd_fit(frequency, recency, t) AS mbg,
       pareto_nbd_fit(frequency, recency, t) AS pn, count(DISTINCT (frequency, recency, t)) AS distinct_rows
FROM (SELECT frequency, recency + sign(frequency) * k * 1e-5 AS recency, t + k * 1e-5 AS t
      FROM cdnow_summary, generate_series(0, 79) k) s;
RESET clv.fit_threads;
SELECT distinct_rows, (h80.bg).converged AS bg_converged, (h80.mbg).converged AS mbg_converged,
       (h80.bg).iterations < 60 AS bg_few_iterations,
       abs((h80.bg).r / (h.bg).r - 1) < 1e-4 AS bg_same_r,
       abs((h80.bg).r_se * sqrt(80) / (h.bg).r_se - 1) < 1e-4 AS bg_r_se_scales,
       abs((h80.bg).b_se * sqrt(80) / (h.bg).b_se - 1) < 1e-4 AS bg_b_se_scales,
       abs((h80.mbg).a_se * sqrt(80) / (h.mbg).a_se - 1) < 1e-4 AS mbg_a_se_scales,
       abs((h80.bg).log_likelihood / (h.bg).log_likelihood / 80 - 1) < 1e-5 AS bg_loglik_scales
FROM hfit80 h80, hfit h;
-- Pareto/NBD's beta moves most with the shift (its standard error by 8e-4; so did the
-- central differences').
SELECT (h80.pn).converged AS pn_converged, (h80.pn).iterations < 60 AS pn_few_iterations,
       abs((h80.pn).r / (h.pn).r - 1) < 1e-4 AS pn_same_r,
       abs((h80.pn).r_se * sqrt(80) / (h.pn).r_se - 1) < 1e-3 AS pn_r_se_scales,
       abs((h80.pn).beta_se * sqrt(80) / (h.pn).beta_se - 1) < 2e-3 AS pn_beta_se_scales
FROM hfit80 h80, hfit h;
