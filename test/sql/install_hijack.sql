-- Install safety (PostgreSQL manual, "Security Considerations for Extension Scripts"):
-- a non-superuser who may create objects in a schema plants operators and functions
-- that an extension script could pick up, each of which records its call and tries to
-- make its owner a superuser. Then a superuser runs CREATE EXTENSION and ALTER EXTENSION
-- UPDATE, (1) into a schema only it can write, with the attacker's schema on its
-- search_path, (2) into the schema the attacker can write, and (3) a fresh CREATE
-- EXTENSION clv there in another database. Nothing of the attacker's may run.
\set regdb :DBNAME
SET client_min_messages = warning;
CREATE ROLE regress_clv_hijacker;
CREATE DATABASE clv_hijack;
\c clv_hijack
SET client_min_messages = warning;
-- PostgreSQL 15 no longer lets PUBLIC create in public; older clusters and many set-ups do.
GRANT CREATE ON SCHEMA public TO regress_clv_hijacker;
-- Orders for clv_analyze, made before the plants (this file's own queries would hit them).
CREATE TABLE orders (customer text, ordered_at timestamptz, amount float8);
INSERT INTO orders SELECT 'c' || i % 40, '2024-01-01'::timestamptz + (i * 37 % 300) * interval '1 day', 10 + i % 7
FROM generate_series(1, 400) i;

SET ROLE regress_clv_hijacker;
CREATE TABLE public.hijack_log (what text, called_by text);
GRANT INSERT ON public.hijack_log TO PUBLIC;
-- Every planted object calls this: it logs, warns and tries the escalation a real
-- attacker would (it succeeds when a superuser is the caller).
CREATE FUNCTION public.hijacked(what text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
    INSERT INTO public.hijack_log VALUES (what, current_user);
    RAISE WARNING 'hijacked: % called by %', what, current_user;
    BEGIN
        EXECUTE 'ALTER ROLE regress_clv_hijacker SUPERUSER';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
END
$f$;
-- Operators the scripts' expressions use (IN and ANY are =), over the types they
-- compare, for each pair pg_catalog has no exact operator for: an exact match in any
-- schema on the path beats pg_catalog's operator reached by a cast. Each computes
-- pg_catalog's answer after the call is recorded, so that the install goes on.
DO $plant$
DECLARE
    op text; l text; r text; n int := 0;
    types text[] := ARRAY['oid', 'regclass', 'regproc', 'regprocedure', 'regtype', 'name',
                          'text', 'text[]', 'name[]', '"char"', 'integer', 'bigint', 'boolean'];
BEGIN
    FOREACH op IN ARRAY ARRAY['=', '<>', '~', '||'] LOOP
        FOREACH l IN ARRAY types LOOP
            FOREACH r IN ARRAY types LOOP
                CONTINUE WHEN EXISTS (
                    SELECT FROM pg_catalog.pg_operator o
                    WHERE o.oprname OPERATOR(pg_catalog.=) op
                      AND o.oprnamespace OPERATOR(pg_catalog.=) 'pg_catalog'::pg_catalog.regnamespace::pg_catalog.oid
                      AND o.oprleft OPERATOR(pg_catalog.=) l::pg_catalog.regtype::pg_catalog.oid
                      AND o.oprright OPERATOR(pg_catalog.=) r::pg_catalog.regtype::pg_catalog.oid);
                n := n OPERATOR(pg_catalog.+) 1;
                EXECUTE pg_catalog.format($f$
                    CREATE FUNCTION public.hj_op_%s(a %s, b %s) RETURNS %s LANGUAGE plpgsql AS $b$
                    DECLARE res %4$s;
                    BEGIN
                        PERFORM public.hijacked(%L);
                        EXECUTE 'SELECT $1::text OPERATOR(pg_catalog.%s) $2::text' INTO res USING a, b;
                        RETURN res;
                    END $b$$f$, n, l, r, CASE op WHEN '||' THEN 'text' ELSE 'boolean' END,
                    pg_catalog.format('operator %s(%s, %s)', op, l, r), op);
                EXECUTE pg_catalog.format('CREATE OPERATOR public.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = public.hj_op_%s)',
                                          op, l, r, n);
            END LOOP;
        END LOOP;
    END LOOP;
END
$plant$;
-- Functions named like pg_catalog's, with argument types that match the scripts' calls
-- (or an unqualified call) better than pg_catalog's polymorphic or variadic versions.
CREATE FUNCTION public.format(text, text) RETURNS text LANGUAGE plpgsql AS
    $$BEGIN PERFORM public.hijacked('format(text, text)'); RETURN pg_catalog.format($1, $2); END$$;
CREATE FUNCTION public.format(text, regprocedure) RETURNS text LANGUAGE plpgsql AS
    $$BEGIN PERFORM public.hijacked('format(text, regprocedure)'); RETURN pg_catalog.format($1, $2); END$$;
CREATE FUNCTION public.format(text, regprocedure, text) RETURNS text LANGUAGE plpgsql AS
    $$BEGIN PERFORM public.hijacked('format(text, regprocedure, text)'); RETURN pg_catalog.format($1, $2, $3); END$$;
CREATE FUNCTION public.format(text, text, text, text, regclass) RETURNS text LANGUAGE plpgsql AS
    $$BEGIN PERFORM public.hijacked('format(text, text, text, text, regclass)'); RETURN pg_catalog.format($1, $2, $3, $4, $5); END$$;
CREATE FUNCTION public.left(name, integer) RETURNS text LANGUAGE plpgsql AS
    $$BEGIN PERFORM public.hijacked('left(name, integer)'); RETURN pg_catalog.left($1::text, $2); END$$;
CREATE FUNCTION public.lower(name) RETURNS text LANGUAGE plpgsql AS
    $$BEGIN PERFORM public.hijacked('lower(name)'); RETURN pg_catalog.lower($1::text); END$$;
CREATE FUNCTION public.array_replace(text[], text, text) RETURNS text[] LANGUAGE plpgsql AS
    $$BEGIN PERFORM public.hijacked('array_replace(text[], text, text)'); RETURN pg_catalog.array_replace($1, $2, $3); END$$;
CREATE FUNCTION public.pg_get_viewdef(regclass) RETURNS text LANGUAGE plpgsql AS
    $$BEGIN PERFORM public.hijacked('pg_get_viewdef(regclass)'); RETURN pg_catalog.pg_get_viewdef($1); END$$;
CREATE FUNCTION public.round(float8, integer) RETURNS numeric LANGUAGE plpgsql AS
    $$BEGIN PERFORM public.hijacked('round(float8, integer)'); RETURN pg_catalog.round($1::numeric, $2); END$$;
CREATE FUNCTION public.exp(integer) RETURNS float8 LANGUAGE plpgsql AS
    $$BEGIN PERFORM public.hijacked('exp(integer)'); RETURN pg_catalog.exp($1::float8); END$$;
CREATE FUNCTION public.ln(integer) RETURNS float8 LANGUAGE plpgsql AS
    $$BEGIN PERFORM public.hijacked('ln(integer)'); RETURN pg_catalog.ln($1::float8); END$$;
CREATE FUNCTION public.hj_count_sfunc(bigint, text) RETURNS bigint LANGUAGE plpgsql AS
    $$BEGIN PERFORM public.hijacked('count(text)'); RETURN $1 OPERATOR(pg_catalog.+) 1; END$$;
CREATE AGGREGATE public.count(text) (SFUNC = public.hj_count_sfunc, STYPE = bigint, INITCOND = '0');
RESET ROLE;
SELECT count(*) > 200 AS operators_planted FROM pg_operator WHERE oprnamespace = 'public'::regnamespace;

-- A copy of the planted database for case (3).
\c :regdb
SET client_min_messages = warning;
CREATE DATABASE clv_hijack_fresh TEMPLATE clv_hijack;
\c clv_hijack
SET client_min_messages = warning;

-- (1) The extension's own schema, writable by its owner only; the attacker's public is
-- on the superuser's search_path (the scripts run with search_path = clv_ext, pg_temp).
CREATE SCHEMA clv_ext;
SET search_path = public, clv_ext;
CREATE EXTENSION clv VERSION '0.1' SCHEMA clv_ext;
ALTER EXTENSION clv UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'clv';
-- clv_analyze runs SQL at call time, with its search_path pinned to pg_catalog.
SET client_min_messages = error;
SELECT count(*) AS customers FROM clv_analyze('orders', 'customer', 'ordered_at', 'amount', '2024-12-31');
SET client_min_messages = warning;
SELECT count(*) AS attacker_calls FROM hijack_log;
SELECT rolsuper AS attacker_is_superuser FROM pg_roles WHERE rolname = 'regress_clv_hijacker';

-- (2) The extension in public, where the attacker can create objects (against the advice
-- of docs/install.md). The install and the update only call what they name by schema or
-- by exact signature, so nothing planted runs; objects planted under clv's own names
-- make the script fail instead (a denial of service, no escalation).
DROP EXTENSION clv CASCADE;
RESET search_path;
CREATE EXTENSION clv VERSION '0.1' SCHEMA public;
SELECT count(*) AS attacker_calls FROM hijack_log;
SET ROLE regress_clv_hijacker;
CREATE TYPE public.clv_rfm AS (x int);
RESET ROLE;
-- (without CONTEXT, which PostgreSQL 18 on adds: the script's name and line)
\set SHOW_CONTEXT never
ALTER EXTENSION clv UPDATE;
\set SHOW_CONTEXT errors
DROP TYPE public.clv_rfm;
ALTER EXTENSION clv UPDATE;
SELECT extversion FROM pg_extension WHERE extname = 'clv';
SET client_min_messages = error;
SELECT count(*) AS customers FROM clv_analyze('orders', 'customer', 'ordered_at', 'amount', '2024-12-31');
SET client_min_messages = warning;
SELECT count(*) AS attacker_calls FROM hijack_log;
SELECT rolsuper AS attacker_is_superuser FROM pg_roles WHERE rolname = 'regress_clv_hijacker';

-- (3) A fresh install of the current version (0.1's script, then each upgrade script) into the
-- attacker-writable public of another database.
\c clv_hijack_fresh
SET client_min_messages = warning;
CREATE EXTENSION clv;
SELECT extversion, extnamespace::regnamespace FROM pg_extension WHERE extname = 'clv';
SELECT count(*) AS attacker_calls FROM hijack_log;
SELECT rolsuper AS attacker_is_superuser FROM pg_roles WHERE rolname = 'regress_clv_hijacker';

\c :regdb
DROP DATABASE clv_hijack;
DROP DATABASE clv_hijack_fresh;
DROP ROLE regress_clv_hijacker;
