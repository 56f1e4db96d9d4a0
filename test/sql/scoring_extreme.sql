-- Every model a fit returns can be scored: BG/NBD and MBG/NBD predictions at extreme but
-- finite parameters. Reference values from mpmath, 50 digits
-- (test/reference/bgnbd_extreme.py computes them, and checks a whole grid).

-- Two ordinary-looking models of issue 13, whose closed form overflowed once (a - 1) z
-- passed ~709 (true values 0.984357476582571 and 0.440192174522245).
SELECT round(bgnbd_expected_purchases(bgnbd_model(4.19, 12.02, 7000, 58450), 52, 3, 20, 40)::numeric, 10) AS issue_model_1,
       round(bgnbd_expected_purchases(bgnbd_model(0.24, 4.4, 5000, 5000), 39, 2, 30, 38)::numeric, 10) AS issue_model_2;
-- MBG/NBD shares the term (0.984376225998209, 0.440267025990030).
SELECT round(mbgnbd_expected_purchases(mbgnbd_model(4.19, 12.02, 7000, 58450), 52, 3, 20, 40)::numeric, 10) AS mbg_model_1,
       round(mbgnbd_expected_purchases(mbgnbd_model(0.24, 4.4, 5000, 5000), 39, 2, 30, 38)::numeric, 10) AS mbg_model_2;

-- a = 8.5e7, b = 7.1e8, as a fit on regular buyers returned: finite and accurate
-- (BG/NBD 1.47905481317378 and, new customer, 1.49577082505595; MBG/NBD 1.47905481375950
-- and 1.33584564288440; P(alive) 0.841150024120343; P(X(39) = 2) 0.120779505254521, which
-- lost 6e-7 to differences of lgamma). Large a and b mean an almost fixed drop-out
-- probability a / (a + b).
SELECT round(bgnbd_expected_purchases(bgnbd_model(0.5, 10, 8.5e7, 7.1e8), 39, 2, 30, 38)::numeric, 10) AS bg_customer,
       round(bgnbd_expected_purchases(bgnbd_model(0.5, 10, 8.5e7, 7.1e8), 39)::numeric, 10) AS bg_new,
       round(mbgnbd_expected_purchases(mbgnbd_model(0.5, 10, 8.5e7, 7.1e8), 39, 2, 30, 38)::numeric, 10) AS mbg_customer,
       round(mbgnbd_expected_purchases(mbgnbd_model(0.5, 10, 8.5e7, 7.1e8), 39)::numeric, 10) AS mbg_new,
       round(bgnbd_p_alive(bgnbd_model(0.5, 10, 8.5e7, 7.1e8), 2, 30, 38)::numeric, 10) AS bg_p_alive,
       round(bgnbd_prob_n_purchases(bgnbd_model(0.5, 10, 8.5e7, 7.1e8), 39, 2)::numeric, 10) AS bg_p2;

-- b = 1e169, alpha = 1e15 (a libFuzzer finding: the closed form gave -6e148). The drop-out
-- is all but impossible and the rate tiny: E = (r + x) t / (alpha + T) = 3.99999999999984.
SELECT round(bgnbd_expected_purchases(bgnbd_model(1, 1e15, 2, 1e169), 1e15, 3, 20, 40)::numeric, 14) AS bg_b_1e169;

-- The model of a fit that does not converge (regular buyers: no heterogeneity) scores.
SELECT converged,
       bgnbd_expected_purchases(m, 39, 2, 30, 38) > 0 AS scores,
       bgnbd_expected_purchases(m, 39) > 0 AS scores_new
FROM (SELECT bgnbd_fit(x, x * 5, 100) AS m FROM generate_series(1, 20) x) f, LATERAL (SELECT (m).converged) c;

-- Where no evaluation settles, the ERROR blames the horizon only if a shorter one works:
-- here alpha = a = b = 1e-3 and t = 1e4 (t / alpha = 1e7) ...
SELECT bgnbd_expected_purchases(bgnbd_model(50, 1e-3, 1e-3, 1e-3), 1e4);
-- ... and here the parameters (1e-8, far beyond what a fit returns) are to blame.
SELECT bgnbd_expected_purchases(bgnbd_model(50, 1e-8, 1e-8, 1e-8), 1e4);

-- SQL fuzzer: a = 1e308 made the integral's step 0 (a * beta overflowed its width), and
-- the range search never ended (nor polled for a cancel). The width is taken without
-- overflow now; a new customer of such a model buys once, then drops out.
SET statement_timeout = '10s';
SELECT round(bgnbd_expected_purchases(bgnbd_model(37.57, 10, 1e308, 56.40), 1e100)::numeric, 6) AS one_purchase,
       round(bgnbd_expected_purchases(bgnbd_model(37.57, 10, 1e300, 1e300), 39)::numeric, 6) AS geometric;
RESET statement_timeout;

-- P(X(t) = n) of Pareto/NBD sums n + 1 hypergeometric series whose lengths grow with
-- r + s: with r + s = 3e8 (a model the SQL fuzzer built) n = 10,000 took 23 s and
-- n = 100,000 ran past the fuzzer's 300 s limit (about half an hour, extrapolated) only to
-- give up. Now a series that cannot settle ends the sum at once, and the series of one
-- call take at most 10^9 terms in all (a few seconds): an ERROR.
SET statement_timeout = '60s';
SELECT pareto_nbd_prob_n_purchases('(1523633.2,21181460.7,307751901.9,2862507936.1,-8.77,3,234,f,,,,,,,,,0,,,,)'::pareto_nbd_model,
                                   1.35e-11, 100000);
RESET statement_timeout;
-- A probability above 1 by more than rounding is an ERROR, not a number: at alpha = 2.7e11,
-- beta = 4 the hypergeometric values near z = 1 lose their accuracy (the SQL fuzzer got
-- P(X = 0) = 1.00001).
SELECT pareto_nbd_prob_n_purchases('(13.58,266950727981.0594,6,4,,,,,,,,,,,,,,,,,)'::pareto_nbd_model, 609698.35, 0);
SELECT round(pareto_nbd_prob_n_purchases('(0.55,10.58,0.61,11.67,,,,,,,,,,,,,,,,,)'::pareto_nbd_model, 39, 0)::numeric, 6) AS cdnow_like;
