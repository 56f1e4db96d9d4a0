-- clv 0.2 -> 0.3. Also part of the install script of 0.3: CREATE EXTENSION clv runs
-- clv--0.1.sql, clv--0.1--0.2.sql, then this file. As in the scripts before it, every
-- name of the catalog is qualified (pg_catalog.*), and so is every operator the script
-- evaluates (OPERATOR(pg_catalog.=)) (test/sql/install_hijack.sql).
-- New support functions of aggregates are created with a leading underscore; the last
-- block below revokes EXECUTE on them from PUBLIC.

\echo Use "ALTER EXTENSION clv UPDATE TO '0.3'" to load this file. \quit

-- (feature sections go here, before the support functions below)

-- ==== track (issue 17): tracked summaries, kept current by triggers ====
-- clv_track(source, ...) keeps a table of the end-independent summary fields of every
-- customer of a transaction table; statement triggers with transition tables recompute
-- the customers a statement touches with clv_summary itself (so the floats are those of
-- a fresh GROUP BY); clv_tracked_summary derives recency, t and days_since_last_purchase
-- at read time. docs/tracking.md.

-- The catalog: one row per tracked table. pg_dump keeps its rows (config table).
CREATE TABLE @extschema@.clv_tracking (
    tracked regclass PRIMARY KEY,
    source regclass NOT NULL,
    customer_column text NOT NULL,
    time_column text NOT NULL,
    amount_column text NOT NULL,
    customer_type regtype NOT NULL,
    time_type regtype NOT NULL,
    amount_type regtype NOT NULL,
    unit text NOT NULL,
    refunds text NOT NULL,
    time_zone text NOT NULL,
    created_index regclass,
    created_at timestamptz NOT NULL DEFAULT pg_catalog.now()
);
SELECT pg_catalog.pg_extension_config_dump('@extschema@.clv_tracking', '');
GRANT SELECT ON @extschema@.clv_tracking TO PUBLIC;
COMMENT ON TABLE @extschema@.clv_tracking IS
'clv_track: one row per tracked summary table (its source, columns, unit, refunds policy and the time zone its days are counted in); written by clv_track and clv_untrack only';

-- The catalog is written through these two (SECURITY DEFINER: PUBLIC may only read it);
-- each checks that the caller owns the tables it registers or forgets.
CREATE FUNCTION @extschema@._clv_tracking_add(r @extschema@.clv_tracking) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT pg_catalog.pg_has_role(SESSION_USER, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) r.tracked), 'USAGE')
       OR NOT pg_catalog.pg_has_role(SESSION_USER, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) r.source), 'USAGE') THEN
        RAISE EXCEPTION 'clv_track: only the owner of % and % may register them', r.source, r.tracked
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    INSERT INTO @extschema@.clv_tracking SELECT r.*;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_tracking_add(@extschema@.clv_tracking) IS
'Internal (clv_track): registers a tracked table in clv_tracking';

CREATE FUNCTION @extschema@._clv_tracking_forget(tracked oid) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    owner oid := (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) tracked);
BEGIN
    -- a table that is gone (dropped together with its source) may be forgotten by anyone
    IF owner IS NOT NULL AND NOT pg_catalog.pg_has_role(SESSION_USER, owner, 'USAGE') THEN
        RAISE EXCEPTION 'clv_untrack: only the owner of % may untrack it', tracked::pg_catalog.regclass
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    DELETE FROM @extschema@.clv_tracking k WHERE k.tracked::pg_catalog.oid OPERATOR(pg_catalog.=) _clv_tracking_forget.tracked;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_tracking_forget(oid) IS
'Internal (clv_untrack, event trigger): removes a tracked table from clv_tracking';

-- The end of time as clv_summary's observation_end: every purchase day is up to it, so
-- the summary fields that do not depend on the end are exact.
CREATE FUNCTION @extschema@._clv_track_end() RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT '294276-12-31 23:59:59.999999+00'::pg_catalog.timestamptz $$;
COMMENT ON FUNCTION @extschema@._clv_track_end() IS
'Internal (clv_track): the observation_end of the stored summaries (the last finite timestamptz)';

-- Why a tracking cannot be used (NULL: it can): its tables or columns are gone or changed.
CREATE FUNCTION @extschema@._clv_tracking_problem(k @extschema@.clv_tracking) RETURNS text
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    col text;
    typ oid;
    i int;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) k.source) THEN
        RETURN pg_catalog.format('its source table (OID %s) no longer exists', k.source::oid);
    END IF;
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) k.tracked) THEN
        RETURN pg_catalog.format('the tracked table (OID %s) no longer exists', k.tracked::oid);
    END IF;
    FOR i IN 1 .. 3 LOOP
        col := (ARRAY[k.customer_column, k.time_column, k.amount_column])[i];
        typ := (ARRAY[k.customer_type, k.time_type, k.amount_type])[i];
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                       WHERE a.attrelid OPERATOR(pg_catalog.=) k.source AND a.attname OPERATOR(pg_catalog.=) col
                         AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped) THEN
            RETURN pg_catalog.format('column "%s" of %s no longer exists (dropped or renamed)', col, k.source);
        END IF;
        IF NOT EXISTS (SELECT FROM pg_catalog.pg_attribute a
                       WHERE a.attrelid OPERATOR(pg_catalog.=) k.source AND a.attname OPERATOR(pg_catalog.=) col
                         AND NOT a.attisdropped AND a.atttypid OPERATOR(pg_catalog.=) typ) THEN
            RETURN pg_catalog.format('column "%s" of %s is no longer of type %s', col, k.source, typ::regtype);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_tracking_problem(@extschema@.clv_tracking) IS
'Internal (clv_track): why a tracking can no longer be maintained, NULL if it can';

-- The trigger of every tracked source (statement level, with transition tables).
CREATE FUNCTION @extschema@._clv_track_trigger() RETURNS trigger
LANGUAGE plpgsql VOLATILE SET TimeZone = 'UTC' AS $$
DECLARE
    k @extschema@.clv_tracking;
    changed text;
    problem text;
    c text;
    key bigint;
    nkeys bigint;
    held bigint;
    tkey int;
BEGIN
    FOR k IN SELECT * FROM @extschema@.clv_tracking t WHERE t.source OPERATOR(pg_catalog.=) TG_RELID::pg_catalog.regclass
             ORDER BY t.tracked::oid LOOP
        problem := @extschema@._clv_tracking_problem(k);
        IF problem IS NOT NULL THEN
            RAISE EXCEPTION 'clv_track: % cannot be maintained: %', k.tracked, problem
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      HINT = 'SELECT clv_untrack(...) then clv_track(...) again.';
        END IF;
        -- days are counted in the tracking's zone whatever the writer's TimeZone
        PERFORM pg_catalog.set_config('TimeZone', k.time_zone, true);
        IF TG_OP OPERATOR(pg_catalog.=) 'TRUNCATE' THEN
            EXECUTE pg_catalog.format('TRUNCATE %s', k.tracked);
            CONTINUE;
        END IF;
        c := pg_catalog.format('%I', k.customer_column);
        held := COALESCE(NULLIF(pg_catalog.current_setting('clv_track.locks', true), ''), '0')::bigint;
        tkey := (k.tracked::oid::bigint OPERATOR(pg_catalog.&) 2147483647)::int;
        IF TG_OP OPERATOR(pg_catalog.=) 'INSERT' THEN
            changed := pg_catalog.format('SELECT %s AS c FROM new_rows', c);
        ELSIF TG_OP OPERATOR(pg_catalog.=) 'DELETE' THEN
            changed := pg_catalog.format('SELECT %s AS c FROM old_rows', c);
        ELSE
            -- an UPDATE changing none of the three columns changes no summary
            changed := pg_catalog.format(
                '(SELECT %1$s AS c, %1$s::pg_catalog.text AS ct, %2$I AS tt, %3$I AS a FROM old_rows '
                ' EXCEPT ALL SELECT %1$s, %1$s::pg_catalog.text, %2$I, %3$I FROM new_rows) '
                'UNION ALL '
                '(SELECT %1$s, %1$s::pg_catalog.text, %2$I, %3$I FROM new_rows '
                ' EXCEPT ALL SELECT %1$s, %1$s::pg_catalog.text, %2$I, %3$I FROM old_rows)',
                c, k.time_column, k.amount_column);
        END IF;
        -- Locks: a shared lock on the tracking, then one per customer (sorted). A statement
        -- touching many customers (or a transaction that already holds many) takes the
        -- tracking's lock exclusively instead: the lock table is small.
        EXECUTE pg_catalog.format('SELECT pg_catalog.count(*) FROM (SELECT DISTINCT c FROM (%s) x) y', changed) INTO nkeys;
        IF nkeys OPERATOR(pg_catalog.=) 0 THEN
            CONTINUE;
        END IF;
        IF nkeys OPERATOR(pg_catalog.+) held OPERATOR(pg_catalog.>) 64 THEN
            PERFORM pg_catalog.pg_advisory_xact_lock(tkey, 0);
        ELSE
            PERFORM pg_catalog.pg_advisory_xact_lock_shared(tkey, 0);
            FOR key IN EXECUTE pg_catalog.format(
                'SELECT DISTINCT (%s::pg_catalog.int8 OPERATOR(pg_catalog.<<) 32) OPERATOR(pg_catalog.|) '
                '(pg_catalog.hashtext(c::pg_catalog.text)::pg_catalog.int8 OPERATOR(pg_catalog.&) 4294967295) AS key '
                'FROM (%s) x ORDER BY key', tkey, changed) LOOP
                PERFORM pg_catalog.pg_advisory_xact_lock(key);
            END LOOP;
            PERFORM pg_catalog.set_config('clv_track.locks', (held OPERATOR(pg_catalog.+) nkeys)::text, true);
        END IF;
        -- Recompute with a fresh snapshot (this statement's, taken after the locks): every
        -- changed customer gets a row, kept with transactions = 0 once it has none left.
        EXECUTE pg_catalog.format($q$
            INSERT INTO %1$s AS d (customer_id, frequency, monetary_value, first_purchase, last_purchase,
                                   purchases, total_spend, transactions, last_transaction, updated_at)
            SELECT ch.id, (r.s).frequency, (r.s).monetary_value, (r.s).first_purchase, (r.s).last_purchase,
                   (r.s).purchases, (r.s).total_spend, COALESCE(r.n, 0), r.lt, pg_catalog.now()
            FROM (SELECT DISTINCT c::pg_catalog.text AS id FROM (%2$s) x WHERE c IS NOT NULL) ch
            LEFT JOIN (SELECT %3$I::pg_catalog.text AS id,
                              @extschema@.clv_summary(%4$I, %5$I, @extschema@._clv_track_end(), %6$L, %7$L) AS s,
                              pg_catalog.count(*) AS n,
                              pg_catalog.max(%4$I) FILTER (WHERE %5$I IS NOT NULL) AS lt
                       FROM %8$s
                       WHERE %3$I IN (SELECT c FROM (%2$s) x)
                       GROUP BY 1) r ON r.id OPERATOR(pg_catalog.=) ch.id
            ON CONFLICT (customer_id) DO UPDATE SET
                frequency = EXCLUDED.frequency, monetary_value = EXCLUDED.monetary_value,
                first_purchase = EXCLUDED.first_purchase, last_purchase = EXCLUDED.last_purchase,
                purchases = EXCLUDED.purchases, total_spend = EXCLUDED.total_spend,
                transactions = EXCLUDED.transactions, last_transaction = EXCLUDED.last_transaction,
                updated_at = EXCLUDED.updated_at
            $q$, k.tracked, changed, k.customer_column, k.time_column, k.amount_column, k.unit, k.refunds, k.source);
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_track_trigger() IS
'Internal (clv_track): the statement trigger that keeps the tracked summaries of a source current';

CREATE FUNCTION @extschema@.clv_track(source regclass, customer_column text, time_column text,
                                      amount_column text, unit text DEFAULT 'day',
                                      refunds text DEFAULT 'error', time_zone text DEFAULT NULL)
RETURNS regclass
LANGUAGE plpgsql VOLATILE SET TimeZone = 'UTC' AS $$
DECLARE
    k @extschema@.clv_tracking;
    nsp text;
    rel text;
    kind "char";
    i int;
    col text;
    typ oid;
    idx text;
    first_tracking boolean;
BEGIN
    IF source IS NULL OR customer_column IS NULL OR time_column IS NULL OR amount_column IS NULL
       OR unit IS NULL OR refunds IS NULL THEN
        RAISE EXCEPTION 'clv_track: source, customer_column, time_column, amount_column, unit and refunds must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF pg_catalog.lower(unit) NOT IN ('day', 'days', 'week', 'weeks') THEN
        RAISE EXCEPTION 'clv_track: unknown unit "%"', unit
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use ''day'' or ''week''.';
    END IF;
    IF pg_catalog.lower(refunds) NOT IN ('error', 'net') THEN
        RAISE EXCEPTION 'clv_track: unknown refunds policy "%"', refunds
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Use ''error'' (negative amounts are an error) or ''net'' (net them against the same day''s purchases).';
    END IF;
    SELECT n.nspname, c.relname, c.relkind INTO nsp, rel, kind
    FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace
    WHERE c.oid OPERATOR(pg_catalog.=) source;
    IF kind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION 'clv_track: % is not a table', source
            USING ERRCODE = 'wrong_object_type',
                  HINT = 'Track the table that receives the transactions (a partitioned table: its root).';
    END IF;
    -- the zone the days are counted in, fixed now (the session's TimeZone unless given)
    k.time_zone := COALESCE(time_zone, pg_catalog.current_setting('TimeZone', false));
    BEGIN
        PERFORM pg_catalog.set_config('TimeZone', k.time_zone, true);
    EXCEPTION WHEN invalid_parameter_value THEN
        RAISE EXCEPTION 'clv_track: unknown time zone "%"', k.time_zone
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Use a name of pg_timezone_names, such as ''Europe/Berlin''.';
    END;
    -- no writer may slip in between the first computation and the triggers
    EXECUTE pg_catalog.format('LOCK TABLE %s IN SHARE ROW EXCLUSIVE MODE', source);
    FOR i IN 1 .. 3 LOOP
        col := (ARRAY[customer_column, time_column, amount_column])[i];
        SELECT a.atttypid INTO typ FROM pg_catalog.pg_attribute a
        WHERE a.attrelid OPERATOR(pg_catalog.=) source AND a.attname OPERATOR(pg_catalog.=) col
          AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'clv_track: % has no column "%"', source, col
                USING ERRCODE = 'undefined_column', HINT = 'Name the customer, time and amount columns of the table.';
        END IF;
        IF i OPERATOR(pg_catalog.=) 2 AND typ NOT IN ('pg_catalog.timestamptz'::regtype, 'pg_catalog.timestamp'::regtype, 'pg_catalog.date'::regtype) THEN
            RAISE EXCEPTION 'clv_track: time column "%" is of type %', col, typ::regtype
                USING ERRCODE = 'datatype_mismatch', HINT = 'The time column must be timestamptz, timestamp or date.';
        END IF;
        IF i OPERATOR(pg_catalog.=) 3 AND typ NOT IN ('pg_catalog.float8'::regtype, 'pg_catalog.float4'::regtype, 'pg_catalog.numeric'::regtype,
                                'pg_catalog.int2'::regtype, 'pg_catalog.int4'::regtype, 'pg_catalog.int8'::regtype) THEN
            RAISE EXCEPTION 'clv_track: amount column "%" is of type %', col, typ::regtype
                USING ERRCODE = 'datatype_mismatch', HINT = 'The amount column must be a number (float8, numeric, integer).';
        END IF;
        IF i OPERATOR(pg_catalog.=) 1 THEN k.customer_type := typ;
        ELSIF i OPERATOR(pg_catalog.=) 2 THEN k.time_type := typ;
        ELSE k.amount_type := typ;
        END IF;
    END LOOP;
    k.source := source;
    k.customer_column := customer_column;
    k.time_column := time_column;
    k.amount_column := amount_column;
    k.unit := CASE WHEN pg_catalog.lower(unit) IN ('week', 'weeks') THEN 'week' ELSE 'day' END;
    k.refunds := pg_catalog.lower(refunds);
    k.created_at := pg_catalog.now();
    -- the tracked table: <source>_clv_summary next to the source
    EXECUTE pg_catalog.format($q$
        CREATE TABLE %I.%I (
            customer_id text PRIMARY KEY,
            frequency int,
            monetary_value float8,
            first_purchase timestamptz,
            last_purchase timestamptz,
            purchases bigint,
            total_spend float8,
            transactions bigint NOT NULL,
            last_transaction timestamptz,
            updated_at timestamptz NOT NULL)$q$,
        nsp, pg_catalog.left(rel, 51) OPERATOR(pg_catalog.||) '_clv_summary');
    k.tracked := pg_catalog.format('%I.%I', nsp, pg_catalog.left(rel, 51) OPERATOR(pg_catalog.||) '_clv_summary')::regclass;
    EXECUTE pg_catalog.format('COMMENT ON TABLE %s IS %L', k.tracked,
        pg_catalog.format('clv_track: summaries of %s by %s (kept current by triggers; read with clv_tracked_summary)', source, customer_column));
    -- the triggers recompute customers by the customer column: it needs an index
    IF NOT EXISTS (SELECT FROM pg_catalog.pg_index x
                   JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) x.indrelid
                        AND a.attnum OPERATOR(pg_catalog.=) x.indkey[0]
                   WHERE x.indrelid OPERATOR(pg_catalog.=) source AND a.attname OPERATOR(pg_catalog.=) customer_column
                     AND x.indpred IS NULL) THEN
        idx := pg_catalog.left(rel, 40) OPERATOR(pg_catalog.||) '_' OPERATOR(pg_catalog.||) pg_catalog.left(customer_column, 10) OPERATOR(pg_catalog.||) '_clv_idx';
        EXECUTE pg_catalog.format('CREATE INDEX %I ON %s (%I)', idx, source, customer_column);
        k.created_index := pg_catalog.format('%I.%I', nsp, idx)::regclass;
    END IF;
    first_tracking := NOT EXISTS (SELECT FROM @extschema@.clv_tracking t WHERE t.source OPERATOR(pg_catalog.=) clv_track.source);
    PERFORM @extschema@._clv_tracking_add(k);
    -- every customer now
    EXECUTE pg_catalog.format($q$
        INSERT INTO %1$s (customer_id, frequency, monetary_value, first_purchase, last_purchase,
                          purchases, total_spend, transactions, last_transaction, updated_at)
        SELECT id, (s).frequency, (s).monetary_value, (s).first_purchase, (s).last_purchase,
               (s).purchases, (s).total_spend, n, lt, pg_catalog.now()
        FROM (SELECT %2$I::pg_catalog.text AS id,
                     @extschema@.clv_summary(%3$I, %4$I, @extschema@._clv_track_end(), %5$L, %6$L) AS s,
                     pg_catalog.count(*) AS n,
                     pg_catalog.max(%3$I) FILTER (WHERE %4$I IS NOT NULL) AS lt
              FROM %7$s WHERE %2$I IS NOT NULL GROUP BY 1) r$q$,
        k.tracked, customer_column, time_column, amount_column, k.unit, k.refunds, source);
    IF first_tracking THEN
        EXECUTE pg_catalog.format('CREATE TRIGGER clv_track_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows '
                                  'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._clv_track_trigger()', source);
        EXECUTE pg_catalog.format('CREATE TRIGGER clv_track_update AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows '
                                  'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._clv_track_trigger()', source);
        EXECUTE pg_catalog.format('CREATE TRIGGER clv_track_delete AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows '
                                  'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._clv_track_trigger()', source);
        EXECUTE pg_catalog.format('CREATE TRIGGER clv_track_truncate AFTER TRUNCATE ON %s '
                                  'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._clv_track_trigger()', source);
    END IF;
    RETURN k.tracked;
END
$$;
COMMENT ON FUNCTION @extschema@.clv_track(regclass, text, text, text, text, text, text) IS
'Tracks a transaction table: creates <source>_clv_summary (one row per customer, the summary fields that do not depend on the observation end) and the triggers that keep it current; returns the tracked table. Read it with clv_tracked_summary';

CREATE FUNCTION @extschema@.clv_untrack(tracked regclass) RETURNS void
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    k @extschema@.clv_tracking;
BEGIN
    SELECT * INTO k FROM @extschema@.clv_tracking t WHERE t.tracked OPERATOR(pg_catalog.=) clv_untrack.tracked;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'clv_untrack: % is not a tracked summary table', tracked
            USING ERRCODE = 'invalid_parameter_value', HINT = 'SELECT tracked FROM clv_tracking lists them.';
    END IF;
    PERFORM @extschema@._clv_tracking_forget(k.tracked::oid);
    IF EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) k.source)
       AND NOT EXISTS (SELECT FROM @extschema@.clv_tracking t WHERE t.source OPERATOR(pg_catalog.=) k.source) THEN
        EXECUTE pg_catalog.format('DROP TRIGGER IF EXISTS clv_track_insert ON %1$s; DROP TRIGGER IF EXISTS clv_track_update ON %1$s; '
                                  'DROP TRIGGER IF EXISTS clv_track_delete ON %1$s; DROP TRIGGER IF EXISTS clv_track_truncate ON %1$s', k.source);
    END IF;
    IF k.created_index IS NOT NULL AND EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) k.created_index) THEN
        EXECUTE pg_catalog.format('DROP INDEX %s', k.created_index);
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) k.tracked) THEN
        EXECUTE pg_catalog.format('DROP TABLE %s', k.tracked);
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@.clv_untrack(regclass) IS
'Stops tracking: drops the tracked summary table, its triggers (when no other tracking uses the source) and the index clv_track created';

CREATE FUNCTION @extschema@.clv_tracked_summary(tracked regclass, observation_end timestamptz)
RETURNS TABLE (customer_id text, summary @extschema@.clv_customer_summary)
LANGUAGE plpgsql STABLE PARALLEL UNSAFE SET TimeZone = 'UTC' AS $$
DECLARE
    k @extschema@.clv_tracking;
    problem text;
    obs_day date;
    unit_days float8;
BEGIN
    SELECT * INTO k FROM @extschema@.clv_tracking t WHERE t.tracked OPERATOR(pg_catalog.=) clv_tracked_summary.tracked;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'clv_tracked_summary: % is not a tracked summary table', tracked
            USING ERRCODE = 'invalid_parameter_value', HINT = 'clv_track(...) creates one; SELECT tracked FROM clv_tracking lists them.';
    END IF;
    problem := @extschema@._clv_tracking_problem(k);
    IF problem IS NOT NULL THEN
        RAISE EXCEPTION 'clv_tracked_summary: % cannot be read: %', k.tracked, problem
            USING ERRCODE = 'object_not_in_prerequisite_state', HINT = 'SELECT clv_untrack(...) then clv_track(...) again.';
    END IF;
    IF observation_end IS NULL OR NOT pg_catalog.isfinite(observation_end) THEN
        RAISE EXCEPTION 'clv_tracked_summary: observation_end must be a finite timestamp'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    PERFORM pg_catalog.set_config('TimeZone', k.time_zone, true);
    obs_day := observation_end::date;
    unit_days := CASE WHEN k.unit OPERATOR(pg_catalog.=) 'week' THEN 7.0 ELSE 1.0 END;
    -- customers whose transactions all lie up to observation_end's day: from the stored
    -- fields; the others (some transaction later): clv_summary over their transactions
    RETURN QUERY EXECUTE pg_catalog.format($q$
        SELECT d.customer_id,
               CASE WHEN d.purchases IS NULL THEN NULL
                    ELSE ROW(d.frequency,
                             ((d.last_purchase::date OPERATOR(pg_catalog.-) d.first_purchase::date)::pg_catalog.float8 OPERATOR(pg_catalog./) $3),
                             (($2 OPERATOR(pg_catalog.-) d.first_purchase::date)::pg_catalog.float8 OPERATOR(pg_catalog./) $3),
                             d.monetary_value, d.first_purchase, d.last_purchase, $3,
                             ($2 OPERATOR(pg_catalog.-) d.last_purchase::date)::pg_catalog.float8,
                             d.purchases, d.total_spend)::@extschema@.clv_customer_summary END
        FROM %1$s d
        WHERE d.transactions OPERATOR(pg_catalog.>) 0
          AND (d.last_transaction IS NULL OR d.last_transaction::date OPERATOR(pg_catalog.<=) $2)
        UNION ALL
        SELECT s.%3$I::pg_catalog.text,
               @extschema@.clv_summary(s.%4$I, s.%5$I, $1, %6$L, %7$L)
        FROM %2$s s
        WHERE s.%3$I IN (SELECT l.customer_id::%8$s FROM %1$s l
                         WHERE l.transactions OPERATOR(pg_catalog.>) 0 AND l.last_transaction::date OPERATOR(pg_catalog.>) $2)
          AND s.%3$I::pg_catalog.text IN (SELECT l.customer_id FROM %1$s l
                         WHERE l.transactions OPERATOR(pg_catalog.>) 0 AND l.last_transaction::date OPERATOR(pg_catalog.>) $2)
        GROUP BY 1$q$,
        k.tracked, k.source, k.customer_column, k.time_column, k.amount_column, k.unit, k.refunds,
        pg_catalog.format_type(k.customer_type, NULL))
    USING observation_end, obs_day, unit_days;
END
$$;
COMMENT ON FUNCTION @extschema@.clv_tracked_summary(regclass, timestamptz) IS
'The summaries of a tracked table at observation_end, equal to SELECT customer, clv_summary(time, amount, observation_end, unit, refunds) FROM source GROUP BY customer in the tracking''s time zone';
-- ==== end track ====

-- ==== registry (issue 17): model registry, current scores, realization, alerts ====
-- Builds on track's tracked summaries (clv_track, clv_tracking, clv_tracked_summary).
-- Each refit is one transaction: a failed one leaves no version, prediction or alert.
-- The tables are configuration (pg_extension_config_dump): pg_dump keeps their rows.
------------------------------------------------------------------------------------------
CREATE SEQUENCE @extschema@.clv_alert_rules_seq;
CREATE SEQUENCE @extschema@.clv_alerts_seq;

CREATE TABLE @extschema@.clv_model_registry (
    name             text NOT NULL,
    version          int NOT NULL CHECK (version > 0),
    kind             text NOT NULL CHECK (kind IN ('bgnbd', 'pareto_nbd', 'mbgnbd')),
    fitted_at        timestamptz NOT NULL DEFAULT pg_catalog.now(),
    tracked          regclass NOT NULL,
    observation_end  timestamptz NOT NULL,
    unit_days        float8 NOT NULL,
    penalizer        float8 NOT NULL,
    horizons         float8[] NOT NULL,
    months           int NOT NULL,
    monthly_discount float8 NOT NULL,
    n_customers      bigint NOT NULL,
    log_likelihood   float8,
    converged        bool,
    bgnbd            @extschema@.bgnbd_model,
    pareto_nbd       @extschema@.pareto_nbd_model,
    mbgnbd           @extschema@.mbgnbd_model,
    gamma_gamma      @extschema@.gamma_gamma_model,
    rfm_cuts         float8[],
    PRIMARY KEY (name, version),
    -- NOT (x IS NULL): a model with a NULL standard error is not "IS NOT NULL"
    CHECK ((kind = 'bgnbd') = NOT (bgnbd IS NULL)
           AND (kind = 'pareto_nbd') = NOT (pareto_nbd IS NULL)
           AND (kind = 'mbgnbd') = NOT (mbgnbd IS NULL))
);

CREATE TABLE @extschema@.clv_predictions (
    name               text NOT NULL,
    version            int NOT NULL,
    customer_id        text NOT NULL,
    horizon            float8 NOT NULL,
    horizon_end        timestamptz NOT NULL,
    p_alive            float8,
    expected_purchases float8,
    expected_spend     float8,
    expected_revenue   float8,
    clv                float8,
    segment            text,
    first_purchase     timestamptz,
    last_purchase      timestamptz,
    PRIMARY KEY (name, version, customer_id, horizon)
);

CREATE TABLE @extschema@.clv_alert_rules (
    rule_id        bigint PRIMARY KEY
                   DEFAULT pg_catalog.nextval('@extschema@.clv_alert_rules_seq'::pg_catalog.regclass),
    name           text NOT NULL,
    p_alive_below  float8 CHECK (p_alive_below > 0 AND p_alive_below <= 1),
    clv_above      float8 NOT NULL DEFAULT 0,
    segments       text[] CHECK (segments <@ ARRAY['Champions', 'Loyal Customers', 'Potential Loyalist',
                                                   'New Customers', 'Promising', 'Need Attention',
                                                   'About To Sleep', 'At Risk', 'Can''t Lose Them',
                                                   'Hibernating', 'Lost']
                                 AND cardinality(segments) > 0),
    enabled        bool NOT NULL DEFAULT true,
    created_at     timestamptz NOT NULL DEFAULT pg_catalog.now(),
    CHECK (num_nonnulls(p_alive_below, segments) = 1)
);

CREATE TABLE @extschema@.clv_alerts (
    alert_id     bigint PRIMARY KEY
                 DEFAULT pg_catalog.nextval('@extschema@.clv_alerts_seq'::pg_catalog.regclass),
    rule_id      bigint NOT NULL,
    name         text NOT NULL,
    version      int NOT NULL,
    customer_id  text NOT NULL,
    rule         text NOT NULL,
    p_alive      float8,
    clv          float8,
    segment      text,
    source       text NOT NULL CHECK (source IN ('refit', 'order')),
    observed_at  timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT pg_catalog.now()
);
CREATE INDEX clv_alerts_customer ON @extschema@.clv_alerts (name, customer_id);

-- Customers who currently meet a rule: an alert is raised when one enters it.
CREATE TABLE @extschema@._clv_alert_state (
    rule_id      bigint NOT NULL,
    customer_id  text NOT NULL,
    since        timestamptz NOT NULL,
    PRIMARY KEY (rule_id, customer_id)
);

SELECT pg_catalog.pg_extension_config_dump('@extschema@.clv_model_registry', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.clv_predictions', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.clv_alert_rules', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.clv_alerts', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@._clv_alert_state', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.clv_alert_rules_seq', '');
SELECT pg_catalog.pg_extension_config_dump('@extschema@.clv_alerts_seq', '');

COMMENT ON TABLE @extschema@.clv_model_registry IS
    'Fitted models by name and version: kind, data window, unit, the model composites and fit diagnostics (clv_refit)';
COMMENT ON TABLE @extschema@.clv_predictions IS
    'Each refit''s predictions per customer and horizon: P(alive), expected purchases and revenue, CLV, RFM segment';
COMMENT ON TABLE @extschema@.clv_alert_rules IS
    'Alert thresholds per model name: P(alive) below p_alive_below with CLV above clv_above, or entry into an RFM segment';
COMMENT ON TABLE @extschema@.clv_alerts IS
    'One row per customer crossing into an alert rule (after a refit or a new order); also sent by NOTIFY on channel clv_alerts';
COMMENT ON TABLE @extschema@._clv_alert_state IS
    'internal: the customers that currently meet each alert rule';
COMMENT ON SEQUENCE @extschema@.clv_alert_rules_seq IS 'rule_id of clv_alert_rules';
COMMENT ON SEQUENCE @extschema@.clv_alerts_seq IS 'alert_id of clv_alerts';

-- One tracked row as clv_summary's composite at observation_end: calendar days in the
-- tracking's time zone, as clv_summary counts them.
CREATE FUNCTION @extschema@._clv_row_summary(frequency int, monetary_value float8,
                                             first_purchase timestamptz, last_purchase timestamptz,
                                             purchases bigint, total_spend float8,
                                             observation_end timestamptz, unit_days float8,
                                             time_zone text)
RETURNS @extschema@.clv_customer_summary
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT ROW(frequency,
               ((last_purchase AT TIME ZONE time_zone)::date - (first_purchase AT TIME ZONE time_zone)::date) / unit_days,
               ((observation_end AT TIME ZONE time_zone)::date - (first_purchase AT TIME ZONE time_zone)::date) / unit_days,
               monetary_value, first_purchase, last_purchase, unit_days,
               ((observation_end AT TIME ZONE time_zone)::date - (last_purchase AT TIME ZONE time_zone)::date)::float8,
               purchases, total_spend)::@extschema@.clv_customer_summary
$$;
COMMENT ON FUNCTION @extschema@._clv_row_summary(int, float8, timestamptz, timestamptz, bigint, float8, timestamptz, float8, text) IS
    'internal: a tracked row as clv_customer_summary at observation_end';

-- RFM segment of one customer against a refit's cut points (rfm_cuts: for R the largest
-- days_since_last_purchase scoring 2..5, for F and M the smallest purchases / total_spend
-- scoring 2..5): the scores rfm_score gave at the refit, extended to new values.
CREATE FUNCTION @extschema@._clv_rfm_segment(rfm_cuts float8[], summary @extschema@.clv_customer_summary)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN rfm_cuts IS NULL OR summary IS NULL THEN NULL ELSE
        @extschema@.rfm_segment(
            1 + coalesce((summary.days_since_last_purchase <= rfm_cuts[1])::int, 0) + coalesce((summary.days_since_last_purchase <= rfm_cuts[2])::int, 0)
              + coalesce((summary.days_since_last_purchase <= rfm_cuts[3])::int, 0) + coalesce((summary.days_since_last_purchase <= rfm_cuts[4])::int, 0),
            1 + coalesce((summary.purchases >= rfm_cuts[5])::int, 0) + coalesce((summary.purchases >= rfm_cuts[6])::int, 0)
              + coalesce((summary.purchases >= rfm_cuts[7])::int, 0) + coalesce((summary.purchases >= rfm_cuts[8])::int, 0),
            1 + coalesce((summary.total_spend >= rfm_cuts[9])::int, 0) + coalesce((summary.total_spend >= rfm_cuts[10])::int, 0)
              + coalesce((summary.total_spend >= rfm_cuts[11])::int, 0) + coalesce((summary.total_spend >= rfm_cuts[12])::int, 0)) END
$$;
COMMENT ON FUNCTION @extschema@._clv_rfm_segment(float8[], @extschema@.clv_customer_summary) IS
    'internal: RFM segment of a summary against the cut points of a refit';

-- P(alive), expected purchases over horizon, expected spend and CLV of one customer
-- under one registered version. CLV: as gamma_gamma_clv (months of 30 days, discounted
-- monthly) with the version's purchase model; NULL without a spend model.
CREATE FUNCTION @extschema@._clv_score_summary(m @extschema@.clv_model_registry,
                                               summary @extschema@.clv_customer_summary,
                                               horizon float8,
                                               OUT p_alive float8, OUT expected_purchases float8,
                                               OUT expected_spend float8, OUT clv float8)
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    prev float8 := 0;
    cum float8;
BEGIN
    IF m.kind = 'bgnbd' THEN
        p_alive := @extschema@.bgnbd_p_alive(m.bgnbd, summary);
        expected_purchases := @extschema@.bgnbd_expected_purchases(m.bgnbd, horizon, summary);
    ELSIF m.kind = 'pareto_nbd' THEN
        p_alive := @extschema@.pareto_nbd_p_alive(m.pareto_nbd, summary);
        expected_purchases := @extschema@.pareto_nbd_expected_purchases(m.pareto_nbd, horizon, summary);
    ELSE
        p_alive := @extschema@.mbgnbd_p_alive(m.mbgnbd, summary);
        expected_purchases := @extschema@.mbgnbd_expected_purchases(m.mbgnbd, horizon, summary);
    END IF;
    IF m.gamma_gamma IS NULL THEN
        RETURN;
    END IF;
    expected_spend := @extschema@.gamma_gamma_expected_spend(m.gamma_gamma, summary);
    IF m.kind = 'bgnbd' THEN
        clv := @extschema@.gamma_gamma_clv(m.bgnbd, m.gamma_gamma, summary, m.months, m.monthly_discount);
        RETURN;
    END IF;
    clv := 0;
    FOR i IN 1 .. m.months LOOP
        cum := CASE m.kind
                   WHEN 'pareto_nbd' THEN @extschema@.pareto_nbd_expected_purchases(m.pareto_nbd, i * 30.0 / m.unit_days, summary)
                   ELSE @extschema@.mbgnbd_expected_purchases(m.mbgnbd, i * 30.0 / m.unit_days, summary) END;
        clv := clv + (cum - prev) * expected_spend / power(1 + m.monthly_discount, i);
        prev := cum;
    END LOOP;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_score_summary(@extschema@.clv_model_registry, @extschema@.clv_customer_summary, float8) IS
    'internal: P(alive), expected purchases, expected spend and CLV of a summary under a registered version';

-- The tracking of a tracked table, or a clear error when it is gone or not tracked.
CREATE FUNCTION @extschema@._clv_tracking_of(tracked regclass, caller text, model text)
RETURNS void
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) tracked) THEN
        RAISE EXCEPTION '%: the tracked table of model "%" no longer exists', caller, model
            USING ERRCODE = 'undefined_table',
                  DETAIL = format('The table (OID %s) was dropped after the model was fitted on it.', tracked::oid),
                  HINT = 'Track the orders again with clv_track(...) and pass its result as tracked => to clv_refit.';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM @extschema@.clv_tracking t WHERE t.tracked OPERATOR(pg_catalog.=) $1) THEN
        RAISE EXCEPTION '%: table % is not a tracked summary', caller, tracked
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  DETAIL = 'clv_tracking has no row for it: it was not created by clv_track, or its tracking was removed.',
                  HINT = 'Pass the table clv_track(source, customer_column, time_column, amount_column) returned.';
    END IF;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_tracking_of(regclass, text, text) IS
    'internal: an error naming what is wrong unless tracked is a tracked table';

-- The version of a model: the latest unless one is given.
CREATE FUNCTION @extschema@._clv_model_version(name text, version int, caller text)
RETURNS @extschema@.clv_model_registry
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m @extschema@.clv_model_registry;
BEGIN
    SELECT * INTO m FROM @extschema@.clv_model_registry r
    WHERE r.name OPERATOR(pg_catalog.=) $1 AND ($2 IS NULL OR r.version OPERATOR(pg_catalog.=) $2)
    ORDER BY r.version DESC LIMIT 1;
    IF NOT FOUND THEN
        IF version IS NOT NULL AND EXISTS (SELECT 1 FROM @extschema@.clv_model_registry r
                                           WHERE r.name OPERATOR(pg_catalog.=) $1) THEN
            RAISE EXCEPTION '%: model "%" has no version %', caller, name, version
                USING ERRCODE = 'no_data_found',
                      DETAIL = format('Its versions are %s.',
                                      (SELECT string_agg(r.version::text, ', ' ORDER BY r.version)
                                       FROM @extschema@.clv_model_registry r WHERE r.name OPERATOR(pg_catalog.=) $1)),
                      HINT = 'Leave version out (NULL) for the latest.';
        END IF;
        RAISE EXCEPTION '%: no model named "%" in clv_model_registry', caller, name
            USING ERRCODE = 'no_data_found',
                  HINT = 'Fit it first: SELECT clv_refit(name, tracked => clv_track(...)).';
    END IF;
    RETURN m;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_model_version(text, int, text) IS
    'internal: a registered version (the latest when version is NULL), or an error';

-- Alert crossings of one model version for a set of scored customers: enters the state of
-- every rule a customer now meets and did not (an alert row + NOTIFY clv_alerts), leaves
-- it for those who no longer meet it. complete: the set is every customer (a refit), so
-- customers missing from it leave every state.
CREATE FUNCTION @extschema@._clv_alerts_apply(m @extschema@.clv_model_registry, event_source text,
                                              cust_ids text[], cust_p_alive float8[], cust_clv float8[],
                                              cust_segment text[], cust_observed_at timestamptz[],
                                              complete bool)
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    a record;
    n bigint := 0;
BEGIN
    -- leaving: no longer meets the rule (or, after a refit, no longer a customer)
    DELETE FROM @extschema@._clv_alert_state st
    USING @extschema@.clv_alert_rules r
    WHERE st.rule_id OPERATOR(pg_catalog.=) r.rule_id AND r.name OPERATOR(pg_catalog.=) m.name
      AND (EXISTS (SELECT 1 FROM (SELECT * FROM unnest(cust_ids, cust_p_alive, cust_clv, cust_segment, cust_observed_at) AS u(customer_id, p_alive, clv, segment, observed_at)) i
                   WHERE i.customer_id OPERATOR(pg_catalog.=) st.customer_id
                     AND NOT coalesce(CASE WHEN r.segments IS NOT NULL THEN i.segment OPERATOR(pg_catalog.=) ANY (r.segments)
                                           ELSE i.p_alive OPERATOR(pg_catalog.<) r.p_alive_below
                                                AND i.clv OPERATOR(pg_catalog.>) r.clv_above END, false))
           OR (complete AND NOT EXISTS (SELECT 1 FROM (SELECT * FROM unnest(cust_ids, cust_p_alive, cust_clv, cust_segment, cust_observed_at) AS u(customer_id, p_alive, clv, segment, observed_at)) i
                                        WHERE i.customer_id OPERATOR(pg_catalog.=) st.customer_id)));

    -- entering: meets an enabled rule and was not in its state
    FOR a IN
        WITH entered AS (
            INSERT INTO @extschema@._clv_alert_state
            SELECT r.rule_id, i.customer_id, i.observed_at
            FROM @extschema@.clv_alert_rules r, (SELECT * FROM unnest(cust_ids, cust_p_alive, cust_clv, cust_segment, cust_observed_at) AS u(customer_id, p_alive, clv, segment, observed_at)) i
            WHERE r.name OPERATOR(pg_catalog.=) m.name AND r.enabled
              AND coalesce(CASE WHEN r.segments IS NOT NULL THEN i.segment OPERATOR(pg_catalog.=) ANY (r.segments)
                                ELSE i.p_alive OPERATOR(pg_catalog.<) r.p_alive_below
                                     AND i.clv OPERATOR(pg_catalog.>) r.clv_above END, false)
            ON CONFLICT DO NOTHING
            RETURNING rule_id, customer_id)
        INSERT INTO @extschema@.clv_alerts (rule_id, name, version, customer_id, rule, p_alive, clv,
                                            segment, source, observed_at)
        SELECT e.rule_id, m.name, m.version, e.customer_id,
               CASE WHEN r.segments IS NOT NULL THEN 'segment' ELSE 'p_alive' END,
               i.p_alive, i.clv, i.segment, event_source, i.observed_at
        FROM entered e
        JOIN @extschema@.clv_alert_rules r ON r.rule_id OPERATOR(pg_catalog.=) e.rule_id
        JOIN (SELECT * FROM unnest(cust_ids, cust_p_alive, cust_clv, cust_segment, cust_observed_at) AS u(customer_id, p_alive, clv, segment, observed_at)) i ON i.customer_id OPERATOR(pg_catalog.=) e.customer_id
        ORDER BY e.customer_id, e.rule_id
        RETURNING *
    LOOP
        PERFORM pg_catalog.pg_notify('clv_alerts', pg_catalog.json_build_object(
            'alert_id', a.alert_id, 'rule_id', a.rule_id, 'model', a.name, 'version', a.version,
            'customer_id', a.customer_id, 'rule', a.rule,
            'p_alive', pg_catalog.round(a.p_alive::numeric, 4), 'clv', pg_catalog.round(a.clv::numeric, 2),
            'segment', a.segment, 'source', a.source, 'observed_at', a.observed_at)::text);
        n := n + 1;
    END LOOP;
    RETURN n;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_alerts_apply(@extschema@.clv_model_registry, text, text[], float8[], float8[], text[], timestamptz[], bool) IS
    'internal: records and notifies the alert crossings of scored customers';

-- After an order changed tracked rows: each changed customer is scored under the latest
-- version of every model on this table that has an enabled rule, as of their latest
-- purchase or the version's observation_end, whichever is later.
CREATE FUNCTION @extschema@._clv_alerts_trigger()
RETURNS trigger
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m @extschema@.clv_model_registry;
    k record;
    c record;
BEGIN
    FOR m IN
        SELECT DISTINCT ON (r.name) r.* FROM @extschema@.clv_model_registry r
        WHERE r.tracked OPERATOR(pg_catalog.=) TG_RELID::pg_catalog.regclass
          AND EXISTS (SELECT 1 FROM @extschema@.clv_alert_rules a
                      WHERE a.name OPERATOR(pg_catalog.=) r.name AND a.enabled)
        ORDER BY r.name, r.version DESC
    LOOP
        SELECT * INTO k FROM @extschema@.clv_tracking t WHERE t.tracked OPERATOR(pg_catalog.=) m.tracked;
        SELECT array_agg(customer_id) AS ids, array_agg((sc).p_alive) AS p, array_agg((sc).clv) AS v,
               array_agg(@extschema@._clv_rfm_segment(m.rfm_cuts, s)) AS seg, array_agg(asof) AS at
        INTO c
        FROM (SELECT n.customer_id, s, asof,
                     @extschema@._clv_score_summary(m, s, m.horizons[1]) AS sc
              FROM (SELECT n.customer_id, asof,
                           @extschema@._clv_row_summary(n.frequency, n.monetary_value, n.first_purchase,
                                                        n.last_purchase, n.purchases, n.total_spend,
                                                        asof, m.unit_days, k.time_zone) AS s
                    FROM _clv_changed n,
                         LATERAL (SELECT greatest(m.observation_end, n.last_purchase) AS asof) t
                    WHERE n.customer_id IS NOT NULL AND n.last_purchase IS NOT NULL) n) x;
        IF c.ids IS NOT NULL THEN
            PERFORM @extschema@._clv_alerts_apply(m, 'order', c.ids, c.p, c.v, c.seg, c.at, false);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION @extschema@._clv_alerts_trigger() IS
    'internal: statement trigger on a tracked table, checks the alert rules of the changed customers';

CREATE FUNCTION @extschema@.clv_refit(name text, tracked regclass DEFAULT NULL, kind text DEFAULT NULL,
                                      observation_end timestamptz DEFAULT pg_catalog.now(),
                                      horizons float8[] DEFAULT NULL, penalizer float8 DEFAULT 0,
                                      months int DEFAULT 12, monthly_discount float8 DEFAULT 0.01)
RETURNS int
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $body$
DECLARE
    prev @extschema@.clv_model_registry;
    m @extschema@.clv_model_registry;
    k record;
    fits record;
    alerts record;
BEGIN
    IF name IS NULL OR name OPERATOR(pg_catalog.=) '' OR observation_end IS NULL OR penalizer IS NULL
       OR months IS NULL OR monthly_discount IS NULL THEN
        RAISE EXCEPTION 'clv_refit: name, observation_end, penalizer, months and monthly_discount may not be NULL or empty'
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'SELECT clv_refit(''shop'', tracked => clv_track(''orders'', ''customer_id'', ''ordered_at'', ''amount''))';
    END IF;
    IF kind IS NOT NULL AND kind OPERATOR(pg_catalog.<>) ALL (ARRAY['bgnbd', 'pareto_nbd', 'mbgnbd']) THEN
        RAISE EXCEPTION 'clv_refit: unknown model kind "%"', kind
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'kind is ''bgnbd'', ''pareto_nbd'' or ''mbgnbd'' (with a Gamma-Gamma spend model alongside).';
    END IF;
    -- one refit of a name at a time: versions are consecutive
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('clv_refit'), pg_catalog.hashtext(name));
    SELECT * INTO prev FROM @extschema@.clv_model_registry r
    WHERE r.name OPERATOR(pg_catalog.=) clv_refit.name ORDER BY r.version DESC LIMIT 1;
    IF FOUND AND kind IS NOT NULL AND kind OPERATOR(pg_catalog.<>) prev.kind THEN
        RAISE EXCEPTION 'clv_refit: model "%" is a % model, not %', name, prev.kind, kind
            USING ERRCODE = 'wrong_object_type',
                  DETAIL = format('Its versions 1 .. %s are %s fits; a version of another kind would not be comparable.',
                                  prev.version, prev.kind),
                  HINT = format('Leave kind out to refit it as %s, or register the %s fit under a new name.', prev.kind, kind);
    END IF;
    IF tracked IS NULL AND prev IS NULL THEN
        RAISE EXCEPTION 'clv_refit: model "%" has no version yet, so tracked is needed', name
            USING ERRCODE = 'null_value_not_allowed',
                  HINT = 'Pass the table clv_track(...) returned: clv_refit(name, tracked => ...).';
    END IF;
    m.name := name;
    m.version := coalesce(prev.version, 0) + 1;
    m.kind := coalesce(kind, prev.kind, 'bgnbd');
    m.tracked := coalesce(tracked, prev.tracked);
    PERFORM @extschema@._clv_tracking_of(m.tracked, 'clv_refit', m.name);
    SELECT * INTO k FROM @extschema@.clv_tracking t WHERE t.tracked OPERATOR(pg_catalog.=) m.tracked;
    m.fitted_at := pg_catalog.now();
    m.observation_end := observation_end;
    m.unit_days := CASE WHEN pg_catalog.lower(k.unit) IN ('week', 'weeks') THEN 7 ELSE 1 END;
    m.penalizer := penalizer;
    m.horizons := coalesce(horizons, ARRAY[30 / m.unit_days, 90 / m.unit_days, 365 / m.unit_days]);
    IF cardinality(m.horizons) IS NULL OR cardinality(m.horizons) OPERATOR(pg_catalog.<) 1
       OR EXISTS (SELECT 1 FROM unnest(m.horizons) h WHERE NOT (h OPERATOR(pg_catalog.>) 0 AND h OPERATOR(pg_catalog.<) 'Infinity')) THEN
        RAISE EXCEPTION 'clv_refit: horizons must be positive and finite, got %', horizons
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'horizons are in the model''s unit (days or weeks, as the tracked table), e.g. ARRAY[30, 90, 365] for days.';
    END IF;
    m.months := months;
    m.monthly_discount := monthly_discount;

    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE purchases IS NOT NULL AND first_purchase <= $1)', m.tracked)
        INTO fits USING observation_end;
    IF NOT fits.exists THEN
        RAISE EXCEPTION 'clv_refit: no customer of % has a purchase up to %', m.tracked, observation_end
            USING ERRCODE = 'no_data_found',
                  DETAIL = 'A model cannot be fitted without data; no version was stored.',
                  HINT = 'Load orders into the tracked source table, or pass a later observation_end.';
    END IF;
    -- the fits, on the tracked summaries at observation_end
    EXECUTE format($q$
        SELECT count(*) AS n, @extschema@.%I(s.summary, $2) AS model,
               @extschema@.gamma_gamma_fit(s.summary, $2)
                   FILTER (WHERE (s.summary).frequency > 0 AND (s.summary).monetary_value > 0) AS gg
        FROM @extschema@.clv_tracked_summary($1, $3) s WHERE s.summary IS NOT NULL$q$, m.kind || '_fit')
        INTO fits USING m.tracked, penalizer, observation_end;
    -- one assignment per kind: a cached plan keeps the type of fits.model it first saw
    IF m.kind = 'bgnbd' THEN
        m.bgnbd := fits.model;
        m.log_likelihood := (m.bgnbd).log_likelihood;
        m.converged := (m.bgnbd).converged;
    ELSIF m.kind = 'pareto_nbd' THEN
        m.pareto_nbd := fits.model;
        m.log_likelihood := (m.pareto_nbd).log_likelihood;
        m.converged := (m.pareto_nbd).converged;
    ELSE
        m.mbgnbd := fits.model;
        m.log_likelihood := (m.mbgnbd).log_likelihood;
        m.converged := (m.mbgnbd).converged;
    END IF;
    m.gamma_gamma := fits.gg;
    m.n_customers := fits.n;
    INSERT INTO @extschema@.clv_model_registry SELECT m.*;

    -- predictions per customer and horizon, and the RFM cut points of this population
    WITH s AS MATERIALIZED (
        SELECT t.customer_id, t.summary, @extschema@._clv_score_summary(m, t.summary, h.h) AS sc, h.h, h.i
        FROM @extschema@.clv_tracked_summary(m.tracked, observation_end) t,
             unnest(m.horizons) WITH ORDINALITY h(h, i)
        WHERE t.summary IS NOT NULL),
    r AS MATERIALIZED (
        SELECT s.customer_id, s.summary,
               @extschema@.rfm_score((s.summary).days_since_last_purchase, (s.summary).purchases,
                                     (s.summary).total_spend) OVER () AS rfm
        FROM s WHERE s.i OPERATOR(pg_catalog.=) 1),
    ins AS (
        INSERT INTO @extschema@.clv_predictions
        SELECT m.name, m.version, s.customer_id, s.h,
               observation_end + interval '1 day' * pg_catalog.round((s.h * m.unit_days)::numeric, 6)::float8,
               (s.sc).p_alive, (s.sc).expected_purchases, (s.sc).expected_spend,
               (s.sc).expected_purchases * (s.sc).expected_spend, (s.sc).clv,
               (r.rfm).segment, (s.summary).first_purchase, (s.summary).last_purchase
        FROM s JOIN r USING (customer_id))
    UPDATE @extschema@.clv_model_registry g
    SET rfm_cuts = (SELECT ARRAY[max((summary).days_since_last_purchase) FILTER (WHERE (rfm).r >= 2),
                                 max((summary).days_since_last_purchase) FILTER (WHERE (rfm).r >= 3),
                                 max((summary).days_since_last_purchase) FILTER (WHERE (rfm).r >= 4),
                                 max((summary).days_since_last_purchase) FILTER (WHERE (rfm).r >= 5),
                                 min((summary).purchases) FILTER (WHERE (rfm).f >= 2),
                                 min((summary).purchases) FILTER (WHERE (rfm).f >= 3),
                                 min((summary).purchases) FILTER (WHERE (rfm).f >= 4),
                                 min((summary).purchases) FILTER (WHERE (rfm).f >= 5),
                                 min((summary).total_spend) FILTER (WHERE (rfm).m >= 2),
                                 min((summary).total_spend) FILTER (WHERE (rfm).m >= 3),
                                 min((summary).total_spend) FILTER (WHERE (rfm).m >= 4),
                                 min((summary).total_spend) FILTER (WHERE (rfm).m >= 5)]::float8[]
                    FROM r)
    WHERE g.name OPERATOR(pg_catalog.=) m.name AND g.version OPERATOR(pg_catalog.=) m.version
    RETURNING g.* INTO m;

    -- new orders re-check the alert rules: a statement trigger per event on the tracked table
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t
                   WHERE t.tgrelid OPERATOR(pg_catalog.=) m.tracked AND t.tgname OPERATOR(pg_catalog.=) 'clv_alerts_insert') THEN
        EXECUTE format('CREATE TRIGGER clv_alerts_insert AFTER INSERT ON %s REFERENCING NEW TABLE AS _clv_changed '
                       'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._clv_alerts_trigger()', m.tracked);
        EXECUTE format('CREATE TRIGGER clv_alerts_update AFTER UPDATE ON %s REFERENCING NEW TABLE AS _clv_changed '
                       'FOR EACH STATEMENT EXECUTE FUNCTION @extschema@._clv_alerts_trigger()', m.tracked);
    END IF;

    -- the alert rules, on the refit's scores at observation_end (first horizon's rows)
    SELECT array_agg(p.customer_id ORDER BY p.customer_id) AS ids, array_agg(p.p_alive ORDER BY p.customer_id) AS p,
           array_agg(p.clv ORDER BY p.customer_id) AS v, array_agg(p.segment ORDER BY p.customer_id) AS seg,
           array_agg(observation_end ORDER BY p.customer_id) AS at
    INTO alerts
    FROM @extschema@.clv_predictions p
    WHERE p.name OPERATOR(pg_catalog.=) m.name AND p.version OPERATOR(pg_catalog.=) m.version
      AND p.horizon OPERATOR(pg_catalog.=) m.horizons[1];
    IF EXISTS (SELECT 1 FROM @extschema@.clv_alert_rules a WHERE a.name OPERATOR(pg_catalog.=) m.name) THEN
        PERFORM @extschema@._clv_alerts_apply(m, 'refit', alerts.ids, alerts.p, alerts.v, alerts.seg, alerts.at, true);
    END IF;
    RETURN m.version;
END
$body$;
COMMENT ON FUNCTION @extschema@.clv_refit(text, regclass, text, timestamptz, float8[], float8, int, float8) IS
    'Refits a named model on tracked summaries at observation_end: stores a new version, its predictions, its alerts';

CREATE FUNCTION @extschema@.clv_score(name text, customer_id text, horizon float8 DEFAULT NULL,
                                      version int DEFAULT NULL,
                                      observation_end timestamptz DEFAULT pg_catalog.now())
RETURNS TABLE (model_version int, p_alive float8, expected_purchases float8, expected_spend float8,
               clv float8, segment text, summary @extschema@.clv_customer_summary)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $body$
DECLARE
    m @extschema@.clv_model_registry;
    k record;
    row record;
    s @extschema@.clv_customer_summary;
    sc record;
BEGIN
    IF name IS NULL OR customer_id IS NULL OR observation_end IS NULL THEN
        RAISE EXCEPTION 'clv_score: name, customer_id and observation_end may not be NULL'
            USING ERRCODE = 'null_value_not_allowed', HINT = 'SELECT * FROM clv_score(''shop'', ''42'')';
    END IF;
    IF horizon IS NOT NULL AND NOT (horizon OPERATOR(pg_catalog.>=) 0 AND horizon OPERATOR(pg_catalog.<) 'Infinity') THEN
        RAISE EXCEPTION 'clv_score: horizon must be finite and >= 0, got %', horizon
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'horizon is in the model''s unit (unit_days of clv_model_registry); NULL takes the first of its horizons.';
    END IF;
    m := @extschema@._clv_model_version(name, version, 'clv_score');
    PERFORM @extschema@._clv_tracking_of(m.tracked, 'clv_score', m.name);
    SELECT * INTO k FROM @extschema@.clv_tracking t WHERE t.tracked OPERATOR(pg_catalog.=) m.tracked;
    EXECUTE format('SELECT frequency, monetary_value, first_purchase, last_purchase, purchases, total_spend '
                   'FROM %s WHERE customer_id OPERATOR(pg_catalog.=) $1', m.tracked)
        INTO row USING customer_id;
    IF NOT FOUND OR row.purchases IS NULL THEN
        RETURN;     -- not a customer (yet), or every purchase refunded: no row
    END IF;
    IF row.last_purchase OPERATOR(pg_catalog.>) observation_end THEN
        RAISE EXCEPTION 'clv_score: customer % has purchases after observation_end %', customer_id, observation_end
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('The last purchase is at %s.', row.last_purchase),
                  HINT = 'Leave observation_end out (now()) or pass a time after the customer''s last purchase.';
    END IF;
    s := @extschema@._clv_row_summary(row.frequency, row.monetary_value, row.first_purchase, row.last_purchase,
                                      row.purchases, row.total_spend, observation_end, m.unit_days, k.time_zone);
    sc := @extschema@._clv_score_summary(m, s, coalesce(horizon, m.horizons[1]));
    RETURN QUERY SELECT m.version, sc.p_alive, sc.expected_purchases, sc.expected_spend, sc.clv,
                        @extschema@._clv_rfm_segment(m.rfm_cuts, s), s;
END
$body$;
COMMENT ON FUNCTION @extschema@.clv_score(text, text, float8, int, timestamptz) IS
    'A customer''s P(alive), expected purchases, CLV and RFM segment now: tracked row, latest (or given) version';

-- Realization: the stored predictions of every version whose horizon has passed (the
-- tracked table has a purchase at or after its end) against what the customer did in
-- (observation_end, horizon_end], from the tracked source table.
CREATE FUNCTION @extschema@._clv_realization_rows(name text, version int)
RETURNS TABLE (customer_id text, horizon float8, horizon_end timestamptz, segment text, cohort text,
               p_alive float8, predicted_purchases float8, actual_purchases bigint,
               predicted_revenue float8, actual_revenue float8)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $body$
DECLARE
    m @extschema@.clv_model_registry;
    k record;
    data_end timestamptz;
BEGIN
    SELECT * INTO m FROM @extschema@.clv_model_registry r
    WHERE r.name OPERATOR(pg_catalog.=) $1 AND r.version OPERATOR(pg_catalog.=) $2;
    IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) m.tracked) THEN
        RETURN;
    END IF;
    SELECT * INTO k FROM @extschema@.clv_tracking t WHERE t.tracked OPERATOR(pg_catalog.=) m.tracked;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    EXECUTE format('SELECT max(last_purchase) FROM %s', m.tracked) INTO data_end;
    RETURN QUERY EXECUTE format($q$
        WITH p AS (
            SELECT * FROM @extschema@.clv_predictions p
            WHERE p.name = $1 AND p.version = $2 AND p.horizon_end <= $3),
        o AS (
            SELECT (%1$I)::text AS customer_id, (%2$I)::timestamptz AS ts, (%3$I)::float8 AS amount
            FROM %4$s
            WHERE (%2$I)::timestamptz > $4 AND (%2$I)::timestamptz <= (SELECT max(horizon_end) FROM p)),
        a AS (
            SELECT p.customer_id, p.horizon,
                   count(DISTINCT (o.ts AT TIME ZONE $5)::date) FILTER (WHERE o.amount > 0) AS purchases,
                   coalesce(sum(o.amount), 0) AS revenue
            FROM p LEFT JOIN o ON o.customer_id = p.customer_id AND o.ts <= p.horizon_end
            GROUP BY p.customer_id, p.horizon)
        SELECT p.customer_id, p.horizon, p.horizon_end, p.segment,
               to_char(p.first_purchase AT TIME ZONE $5, 'YYYY-MM'),
               p.p_alive, p.expected_purchases, a.purchases, p.expected_revenue, a.revenue
        FROM p JOIN a USING (customer_id, horizon)$q$,
        k.customer_column, k.time_column, k.amount_column, k.source)
        USING m.name, m.version, data_end, m.observation_end, k.time_zone;
END
$body$;
COMMENT ON FUNCTION @extschema@._clv_realization_rows(text, int) IS
    'internal: predicted against actual purchases and revenue per customer of one version, horizons passed';

CREATE VIEW @extschema@.clv_realization AS
SELECT r.name, r.version, r.observation_end, x.*
FROM @extschema@.clv_model_registry r,
     LATERAL @extschema@._clv_realization_rows(r.name, r.version) x;
COMMENT ON VIEW @extschema@.clv_realization IS
    'Per customer, version and passed horizon: predicted vs actual purchases (purchase days) and revenue after observation_end';

CREATE VIEW @extschema@.clv_realization_by_segment AS
SELECT name, version, horizon, segment, count(*) AS customers,
       sum(predicted_purchases) AS predicted_purchases, sum(actual_purchases) AS actual_purchases,
       sum(predicted_revenue) AS predicted_revenue, sum(actual_revenue) AS actual_revenue
FROM @extschema@.clv_realization
GROUP BY name, version, horizon, segment;
COMMENT ON VIEW @extschema@.clv_realization_by_segment IS
    'clv_realization summed per RFM segment at the refit';

CREATE VIEW @extschema@.clv_realization_by_cohort AS
SELECT name, version, horizon, cohort, count(*) AS customers,
       sum(predicted_purchases) AS predicted_purchases, sum(actual_purchases) AS actual_purchases,
       sum(predicted_revenue) AS predicted_revenue, sum(actual_revenue) AS actual_revenue
FROM @extschema@.clv_realization
GROUP BY name, version, horizon, cohort;
COMMENT ON VIEW @extschema@.clv_realization_by_cohort IS
    'clv_realization summed per cohort (month of the first purchase)';
-- ==== end registry ====


------------------------------------------------------------------------------------------
-- Last, for every aggregate this script and the ones before it created: its support
-- functions get a leading underscore (so that \df lists the API alone; their C symbols
-- are unchanged) and are not for PUBLIC.
--
-- Support functions are not for PUBLIC. A role that may execute a transition, combine,
-- final, serial or deserial function can wrap it in an aggregate of its own with a forged
-- INITCOND; the functions check every state they did not build, and this takes the
-- surface away. The aggregates keep working for every role: PostgreSQL checks EXECUTE on
-- their support functions against the aggregate's owner, not the caller.
------------------------------------------------------------------------------------------
DO $$
DECLARE
    f pg_catalog.regprocedure;
    n pg_catalog.name;
BEGIN
    FOR f IN
        SELECT DISTINCT s.fn::pg_catalog.regprocedure
        FROM pg_catalog.pg_depend d
        JOIN pg_catalog.pg_extension e ON e.oid OPERATOR(pg_catalog.=) d.refobjid
        JOIN pg_catalog.pg_aggregate a ON a.aggfnoid::pg_catalog.oid OPERATOR(pg_catalog.=) d.objid
        CROSS JOIN LATERAL (VALUES (a.aggtransfn), (a.aggfinalfn), (a.aggcombinefn),
                                   (a.aggserialfn), (a.aggdeserialfn), (a.aggmtransfn),
                                   (a.aggminvtransfn), (a.aggmfinalfn)) s(fn)
        WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
          AND d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_extension'::pg_catalog.regclass
          AND d.deptype OPERATOR(pg_catalog.=) 'e' AND e.extname OPERATOR(pg_catalog.=) 'clv'
          AND s.fn::pg_catalog.oid OPERATOR(pg_catalog.<>) 0::pg_catalog.oid
    LOOP
        EXECUTE pg_catalog.format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
        n := (SELECT proname FROM pg_catalog.pg_proc WHERE oid OPERATOR(pg_catalog.=) f);
        IF pg_catalog.left(n::pg_catalog.text, 1) OPERATOR(pg_catalog.<>) '_' THEN
            EXECUTE pg_catalog.format('ALTER FUNCTION %s RENAME TO %I', f, '_' OPERATOR(pg_catalog.||) n::pg_catalog.text);
        END IF;
    END LOOP;
END
$$;
