-- Simulated customers with covariates, for test/sql/covariates.sql and
-- test/covariates_recovery.sh: deterministic after setseed() (plpgsql, serial).
-- Covariates: z1, z2 binary (P = 0.5, 0.3), z3 standard normal; the same three on both
-- processes. Times in weeks; each customer observed for t ~ U(26, 78) weeks.

-- Gamma(shape, rate) by Marsaglia and Tsang (2000); shape < 1 by the boost U^(1/shape).
CREATE FUNCTION pg_temp.sim_gamma(shape float8, rate float8) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
    d float8; c float8; x float8; v float8; u float8; boost float8 := 1;
BEGIN
    IF shape < 1 THEN
        boost := (1 - random()) ^ (1 / shape);
        shape := shape + 1;
    END IF;
    d := shape - 1.0 / 3;
    c := 1 / sqrt(9 * d);
    LOOP
        LOOP
            x := sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random());
            v := 1 + c * x;
            EXIT WHEN v > 0;
        END LOOP;
        v := v * v * v;
        u := 1 - random();
        IF ln(u) < 0.5 * x * x + d - d * v + d * ln(v) THEN
            RETURN d * v * boost / rate;
        END IF;
    END LOOP;
END $$;

-- n customers of model 'pareto' (par = r, alpha, s, beta) or 'bgnbd' (r, alpha, a, b)
-- with purchase coefficients gp and drop-out coefficients gd (3 each), CLVTools' signs.
CREATE FUNCTION pg_temp.sim_customers(n int, model text, par float8[], gp float8[], gd float8[])
RETURNS TABLE (id int, z1 float8, z2 float8, z3 float8, x float8, tx float8, t float8)
LANGUAGE plpgsql AS $$
DECLARE
    lam float8; mu float8; p float8; life float8; tt float8; ep float8; ed float8;
BEGIN
    FOR i IN 1..n LOOP
        id := i;
        z1 := (random() < 0.5)::int;
        z2 := (random() < 0.3)::int;
        z3 := sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random());
        ep := exp(gp[1] * z1 + gp[2] * z2 + gp[3] * z3);
        ed := exp(gd[1] * z1 + gd[2] * z2 + gd[3] * z3);
        t := 26 + 52 * random();
        lam := pg_temp.sim_gamma(par[1], par[2] / ep);
        x := 0; tx := 0; tt := 0;
        IF model = 'pareto' THEN
            mu := pg_temp.sim_gamma(par[3], par[4] / ed);
            life := least(-ln(1 - random()) / mu, t);
            LOOP
                tt := tt - ln(1 - random()) / lam;
                EXIT WHEN tt > life;
                x := x + 1; tx := tt;
            END LOOP;
        ELSE
            p := pg_temp.sim_gamma(par[3] * ed, 1);
            p := p / (p + pg_temp.sim_gamma(par[4] * ed, 1));
            LOOP
                tt := tt - ln(1 - random()) / lam;
                EXIT WHEN tt > t;
                x := x + 1; tx := tt;
                EXIT WHEN random() < p;
            END LOOP;
        END IF;
        RETURN NEXT;
    END LOOP;
END $$;
