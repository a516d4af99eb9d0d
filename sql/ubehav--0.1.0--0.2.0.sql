-- ubehav 0.1.0 -> 0.2.0. CREATE EXTENSION ubehav installs 0.1.0 (frozen) and then this script;
-- ALTER EXTENSION ubehav UPDATE runs this script alone. Stored models keep scoring identically.
\echo Use "ALTER EXTENSION ubehav UPDATE TO '0.2.0'" to load this file. \quit

-- ==== security (issue 20) ====
-- Three rules, each in one place (README, "Privileges" and "NULL arguments"):
-- 1. Ownership is enforced by the server: row-level security on the catalog tables, from the
--    owner recorded in ubehav_model_owners when a name is first trained. Plain SQL and the
--    functions see the same rules.
-- 2. No code of another role runs with the caller's rights: every SQL and PL/pgSQL function runs
--    with search_path pinned to pg_catalog, pg_temp (extension objects are named with their
--    schema). The three that run a query the caller passes (ubehav_cross_validate,
--    ubehav_refresh_scores, ubehav_html_report) pass the caller's search_path to a pinned body,
--    which uses it only for the statements around that query, written fully qualified.
--    A stored training query is retrained with its owner's rights (src/train_retrain.c).
-- 3. NULL arguments: a function that computes a value is STRICT; a function that acts refuses a
--    NULL argument with 22004 naming it, except an argument declared DEFAULT NULL.

-- The NULL-argument error of the SQL and PL/pgSQL functions, from the C code that words it for all.
CREATE FUNCTION ubehav_require_args(function text, names text[], is_null boolean[]) RETURNS void
AS 'MODULE_PATHNAME', 'ubehav_require_args'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ubehav_require_args(text, text[], boolean[]) IS
'ERROR 22004 ''argument "x" of function must not be NULL'' for the first name whose flag is true: the NULL rule of the SQL and PL/pgSQL functions';

-- ---- owners ----
CREATE TABLE ubehav_model_owners (
    name    text        PRIMARY KEY CHECK (length(name) BETWEEN 1 AND 200),
    owner   name        NOT NULL DEFAULT current_user,
    since   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE ubehav_model_owners IS
'the role that owns each model name: members of that role (and superusers) may add, deploy, update and drop its versions';
SELECT pg_catalog.pg_extension_config_dump('ubehav_model_owners', '');
-- a model of 0.1.0 belongs to the role of its first version, as 0.1.0's functions already required
INSERT INTO ubehav_model_owners (name, owner, since)
SELECT DISTINCT ON (m.name) m.name, m.trained_by, m.trained_at
FROM ubehav_models m ORDER BY m.name, m.version;
-- a version cannot outlive its owner row, so a dropped name cannot be claimed with versions left
ALTER TABLE ubehav_models ADD CONSTRAINT ubehav_models_owner_fkey
    FOREIGN KEY (name) REFERENCES ubehav_model_owners (name);
REVOKE ALL ON ubehav_model_owners FROM PUBLIC;
GRANT SELECT ON ubehav_model_owners TO PUBLIC;

-- the search_path a version's training query was written for, replayed by ubehav_retrain
-- (NULL for versions trained by 0.1.0: replayed with PostgreSQL's default "$user", public)
ALTER TABLE ubehav_models ADD COLUMN training_search_path text;

-- True when the calling role may change model: a member of its owning role, or a superuser.
CREATE FUNCTION ubehav_owns(model text) RETURNS boolean
LANGUAGE sql STABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT EXISTS (SELECT 1 FROM @extschema@.ubehav_model_owners o JOIN pg_catalog.pg_roles r ON r.rolname = o.owner
                   WHERE o.name = $1 AND pg_catalog.pg_has_role(r.oid, 'MEMBER'))
$$;
COMMENT ON FUNCTION ubehav_owns(text) IS
'whether the calling role may change a model: it is a member of the model''s owning role (or a superuser); the row-level security of the catalog uses it';

-- A training query names tables and filters: its owners read it here, other roles are not granted
-- the column (README, Privileges). The view runs with its owner's rights; ubehav_owns checks the caller.
CREATE VIEW ubehav_training_queries WITH (security_barrier = true) AS
SELECT m.name, m.version, m.deployed, m.target, m.training_query, m.training_search_path, m.trained_by, m.trained_at
FROM ubehav_models m
WHERE @extschema@.ubehav_owns(m.name);
COMMENT ON VIEW ubehav_training_queries IS
'the training query and search_path of every version of the models the calling role owns (is a member of the owner of)';
REVOKE ALL ON ubehav_training_queries FROM PUBLIC;
GRANT SELECT ON ubehav_training_queries TO PUBLIC;

-- ---- row-level security: everyone granted SELECT reads every row; only owners change theirs ----
ALTER TABLE ubehav_model_owners ENABLE ROW LEVEL SECURITY;
CREATE POLICY ubehav_read ON ubehav_model_owners FOR SELECT USING (true);
CREATE POLICY ubehav_claim ON ubehav_model_owners FOR INSERT WITH CHECK (owner = current_user);
CREATE POLICY ubehav_release ON ubehav_model_owners FOR DELETE USING (@extschema@.ubehav_owns(name));

ALTER TABLE ubehav_models ENABLE ROW LEVEL SECURITY;
CREATE POLICY ubehav_read ON ubehav_models FOR SELECT USING (true);
CREATE POLICY ubehav_add ON ubehav_models FOR INSERT
    WITH CHECK (trained_by = current_user AND @extschema@.ubehav_owns(name));
CREATE POLICY ubehav_change ON ubehav_models FOR UPDATE
    USING (@extschema@.ubehav_owns(name)) WITH CHECK (@extschema@.ubehav_owns(name));
CREATE POLICY ubehav_remove ON ubehav_models FOR DELETE USING (@extschema@.ubehav_owns(name));

ALTER TABLE ubehav_model_groups ENABLE ROW LEVEL SECURITY;
CREATE POLICY ubehav_read ON ubehav_model_groups FOR SELECT USING (true);
CREATE POLICY ubehav_add ON ubehav_model_groups FOR INSERT WITH CHECK (@extschema@.ubehav_owns(name));
CREATE POLICY ubehav_change ON ubehav_model_groups FOR UPDATE
    USING (@extschema@.ubehav_owns(name)) WITH CHECK (@extschema@.ubehav_owns(name));
CREATE POLICY ubehav_remove ON ubehav_model_groups FOR DELETE USING (@extschema@.ubehav_owns(name));

ALTER TABLE ubehav_deployments ENABLE ROW LEVEL SECURITY;
CREATE POLICY ubehav_read ON ubehav_deployments FOR SELECT USING (true);
CREATE POLICY ubehav_add ON ubehav_deployments FOR INSERT
    WITH CHECK (deployed_by = current_user AND @extschema@.ubehav_owns(name));
CREATE POLICY ubehav_remove ON ubehav_deployments FOR DELETE USING (@extschema@.ubehav_owns(name));

-- a trial belongs to the role that ran the tuning; its model may not exist yet
ALTER TABLE ubehav_trials ENABLE ROW LEVEL SECURITY;
CREATE POLICY ubehav_read ON ubehav_trials FOR SELECT USING (true);
CREATE POLICY ubehav_add ON ubehav_trials FOR INSERT WITH CHECK (tuned_by = current_user);
-- (through pg_roles: a trial of a dropped role is then nobody's to change, instead of an error)
CREATE POLICY ubehav_change ON ubehav_trials FOR UPDATE
    USING (EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = tuned_by AND pg_catalog.pg_has_role(r.oid, 'MEMBER')))
    WITH CHECK (tuned_by = current_user);
CREATE POLICY ubehav_remove ON ubehav_trials FOR DELETE
    USING (EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = tuned_by AND pg_catalog.pg_has_role(r.oid, 'MEMBER')));

ALTER TABLE ubehav_scores ENABLE ROW LEVEL SECURITY;
CREATE POLICY ubehav_read ON ubehav_scores FOR SELECT USING (true);
CREATE POLICY ubehav_add ON ubehav_scores FOR INSERT WITH CHECK (@extschema@.ubehav_owns(model));
CREATE POLICY ubehav_change ON ubehav_scores FOR UPDATE
    USING (@extschema@.ubehav_owns(model)) WITH CHECK (@extschema@.ubehav_owns(model));
CREATE POLICY ubehav_remove ON ubehav_scores FOR DELETE USING (@extschema@.ubehav_owns(model));

-- ---- NULL arguments: value functions STRICT, actions checked in C (src/fn_args.c) ----
-- The float8[] metric states start from INITCOND, so a strict transition skips NULL rows exactly
-- as the C code did; a NULL state can then only come from a caller of the function itself.
ALTER FUNCTION ubehav_log_loss_accum(float8[], float8, boolean) STRICT;
ALTER FUNCTION ubehav_log_loss_accum_int(float8[], float8, integer) STRICT;
ALTER FUNCTION ubehav_errors_accum(float8[], float8, float8) STRICT;
ALTER FUNCTION ubehav_confusion_accum(float8[], float8, boolean, float8) STRICT;
ALTER FUNCTION ubehav_confusion_accum_int(float8[], float8, integer, float8) STRICT;
-- these act (run a query, store a version): NULL is an error naming the argument, not a silent NULL
ALTER FUNCTION ubehav_evaluate(text, text) CALLED ON NULL INPUT;
ALTER FUNCTION ubehav_roc_curve(text, text) CALLED ON NULL INPUT;
ALTER FUNCTION ubehav_pr_curve(text, text) CALLED ON NULL INPUT;
ALTER FUNCTION ubehav_feature_importance(text, text, integer, bigint) CALLED ON NULL INPUT;
ALTER FUNCTION ubehav_import(text, jsonb) CALLED ON NULL INPUT;

-- ---- pinned search_path on the SQL and PL/pgSQL functions whose bodies stay as in 0.1.0 ----
ALTER FUNCTION ubehav_behaviour_features(regclass, timestamptz, text, text, text, text, text, text, text)
    SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION ubehav_behaviour_labels(regclass, timestamptz, text, text, text, text)
    SET search_path = pg_catalog, pg_temp;
ALTER FUNCTION ubehav_units_per_day(regclass, date, date, text, text, text, text, text)
    SET search_path = pg_catalog, pg_temp;

-- ---- functions rewritten: NULL checks, ownership from ubehav_model_owners, pinned path ----
CREATE OR REPLACE FUNCTION ubehav_training_log(model text, version integer DEFAULT NULL)
RETURNS TABLE (epoch integer, loss float8, val_loss float8, val_metric text, val_value float8,
               learning_rate float8, milliseconds float8)
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.ubehav_require_args('ubehav_training_log', ARRAY['model'], ARRAY[model IS NULL]);
    IF NOT EXISTS (SELECT 1 FROM @extschema@.ubehav_models m WHERE m.name = model) THEN
        RAISE EXCEPTION 'model "%" does not exist', model USING ERRCODE = 'undefined_object',
            HINT = 'List the models with SELECT DISTINCT name FROM ubehav_models.';
    END IF;
    RETURN QUERY
    SELECT (e->>'epoch')::int, (e->>'loss')::float8, (e->>'val_loss')::float8,
           k.key, k.value::text::float8, (e->>'learning_rate')::float8, (e->>'ms')::float8
    FROM @extschema@.ubehav_models m
         CROSS JOIN LATERAL jsonb_array_elements(m.training_log) e
         LEFT JOIN LATERAL (SELECT j.key, j.value FROM jsonb_each(e) j
                            WHERE j.key LIKE 'val\_%' AND j.key <> 'val_loss' LIMIT 1) k ON true
    WHERE m.name = ubehav_training_log.model
      AND CASE WHEN ubehav_training_log.version IS NULL THEN m.deployed ELSE m.version = ubehav_training_log.version END
    ORDER BY 1;
END $$;

CREATE OR REPLACE FUNCTION ubehav_check_owner(model text) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    owner name;
BEGIN
    PERFORM @extschema@.ubehav_require_args('ubehav_check_owner', ARRAY['model'], ARRAY[model IS NULL]);
    -- the same lock as a training of this name, so versions and deployments never interleave
    PERFORM pg_advisory_xact_lock(hashtextextended(model, 7572));
    SELECT o.owner INTO owner FROM @extschema@.ubehav_model_owners o WHERE o.name = model;
    IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM @extschema@.ubehav_models m WHERE m.name = model) THEN
        RAISE EXCEPTION 'model "%" does not exist', model USING ERRCODE = 'undefined_object',
            HINT = 'List the models with SELECT DISTINCT name FROM ubehav_models.';
    END IF;
    IF NOT @extschema@.ubehav_owns(model) THEN
        RAISE EXCEPTION 'model "%" belongs to role "%"', model, owner USING ERRCODE = 'insufficient_privilege',
            HINT = 'Only members of the owning role, or a superuser, may deploy, roll back or drop it.';
    END IF;
END $$;
COMMENT ON FUNCTION ubehav_check_owner(text) IS
'ERROR unless the calling role may change model (a member of its owning role, or a superuser); takes the model''s lock';

CREATE OR REPLACE FUNCTION ubehav_deploy(model text, version integer) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.ubehav_require_args('ubehav_deploy', ARRAY['version'], ARRAY[version IS NULL]);
    PERFORM @extschema@.ubehav_require_args('ubehav_deploy', ARRAY['model'], ARRAY[model IS NULL]);
    PERFORM @extschema@.ubehav_check_owner(model);
    IF NOT EXISTS (SELECT 1 FROM @extschema@.ubehav_models m WHERE m.name = model AND m.version = ubehav_deploy.version) THEN
        RAISE EXCEPTION 'model "%" has no version %', model, version USING ERRCODE = 'undefined_object',
            HINT = 'List its versions with SELECT version FROM ubehav_models WHERE name = ...';
    END IF;
    -- two statements: the partial unique index allows one deployed row per model at every moment
    UPDATE @extschema@.ubehav_models m SET deployed = false WHERE m.name = model AND m.deployed AND m.version <> ubehav_deploy.version;
    UPDATE @extschema@.ubehav_models m SET deployed = true WHERE m.name = model AND m.version = ubehav_deploy.version AND NOT m.deployed;
    INSERT INTO @extschema@.ubehav_deployments (name, version) VALUES (model, ubehav_deploy.version);
END $$;

CREATE OR REPLACE FUNCTION ubehav_rollback(model text) RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    current integer;
    previous integer;
BEGIN
    PERFORM @extschema@.ubehav_require_args('ubehav_rollback', ARRAY['model'], ARRAY[model IS NULL]);
    PERFORM @extschema@.ubehav_check_owner(model);
    SELECT m.version INTO current FROM @extschema@.ubehav_models m WHERE m.name = model AND m.deployed;
    SELECT d.version INTO previous
    FROM @extschema@.ubehav_deployments d JOIN @extschema@.ubehav_models m ON m.name = d.name AND m.version = d.version
    WHERE d.name = model AND d.version IS DISTINCT FROM current
    ORDER BY d.id DESC LIMIT 1;
    IF previous IS NULL THEN
        RAISE EXCEPTION 'model "%" has no earlier deployed version to roll back to', model
            USING ERRCODE = 'object_not_in_prerequisite_state',
            HINT = 'Deploy a version by number with ubehav_deploy.';
    END IF;
    PERFORM @extschema@.ubehav_deploy(model, previous);
    RETURN previous;
END $$;

CREATE OR REPLACE FUNCTION ubehav_drop_model(model text, version integer DEFAULT NULL) RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    dropped integer;
BEGIN
    PERFORM @extschema@.ubehav_require_args('ubehav_drop_model', ARRAY['model'], ARRAY[model IS NULL]);
    PERFORM @extschema@.ubehav_check_owner(model);
    IF version IS NULL THEN
        DELETE FROM @extschema@.ubehav_models m WHERE m.name = model;
        GET DIAGNOSTICS dropped = ROW_COUNT;
        DELETE FROM @extschema@.ubehav_deployments d WHERE d.name = model;
        -- the name is free again once no version is left
        DELETE FROM @extschema@.ubehav_model_owners o WHERE o.name = model;
        RETURN dropped;
    END IF;
    IF EXISTS (SELECT 1 FROM @extschema@.ubehav_models m WHERE m.name = model AND m.version = ubehav_drop_model.version AND m.deployed) THEN
        RAISE EXCEPTION 'version % of model "%" is deployed', version, model USING ERRCODE = 'object_in_use',
            HINT = 'Deploy another version first, or drop the whole model with ubehav_drop_model(model).';
    END IF;
    DELETE FROM @extschema@.ubehav_models m WHERE m.name = model AND m.version = ubehav_drop_model.version;
    GET DIAGNOSTICS dropped = ROW_COUNT;
    IF dropped = 0 THEN
        RAISE EXCEPTION 'model "%" has no version %', model, version USING ERRCODE = 'undefined_object';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM @extschema@.ubehav_models m WHERE m.name = model) THEN
        DELETE FROM @extschema@.ubehav_deployments d WHERE d.name = model;
        DELETE FROM @extschema@.ubehav_model_owners o WHERE o.name = model;
    END IF;
    RETURN dropped;
END $$;

-- in C now: the stored query runs with its owner's rights and stored search_path (src/train_retrain.c)
CREATE OR REPLACE FUNCTION ubehav_retrain(model text, options jsonb DEFAULT '{}') RETURNS jsonb
AS 'MODULE_PATHNAME', 'ubehav_retrain'
LANGUAGE C VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION ubehav_retrain(text, jsonb) IS
're-run the deployed version''s training query, target and options (overrides merged) as a new version, with the rights of the model''s owner and the search_path of that training; the caller must be a member of the owning role';

CREATE OR REPLACE PROCEDURE ubehav_retrain_job(model text, options jsonb DEFAULT '{}')
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM @extschema@.ubehav_retrain(model, options);
END $$;

CREATE OR REPLACE FUNCTION ubehav_demo_create(schema_name text, n_users integer, days integer DEFAULT 180,
                                              seed bigint DEFAULT 1, start date DEFAULT DATE '2025-09-01')
RETURNS bigint
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    n bigint;
BEGIN
    PERFORM @extschema@.ubehav_require_args('ubehav_demo_create', ARRAY['schema_name', 'n_users', 'days', 'seed', 'start'], ARRAY[schema_name IS NULL, n_users IS NULL, days IS NULL, seed IS NULL, start IS NULL]);
    EXECUTE format('CREATE SCHEMA IF NOT EXISTS %I', schema_name);
    EXECUTE format('CREATE TABLE %I.users AS SELECT * FROM @extschema@.ubehav_demo_users(%s, %s, %s, %L::date)',
                   schema_name, n_users, days, seed, start);
    EXECUTE format('ALTER TABLE %I.users ADD PRIMARY KEY (user_id)', schema_name);
    EXECUTE format('CREATE TABLE %I.events AS SELECT * FROM @extschema@.ubehav_demo_events(%s, %s, %s, %L::date)',
                   schema_name, n_users, days, seed, start);
    GET DIAGNOSTICS n = ROW_COUNT;
    EXECUTE format('ALTER TABLE %I.events ADD PRIMARY KEY (event_id)', schema_name);
    EXECUTE format('CREATE INDEX ON %I.events (user_id, ts)', schema_name);
    EXECUTE format('ANALYZE %I.users, %I.events', schema_name, schema_name);
    RETURN n;
END
$$;

-- ---- the three functions that run a query the caller passes ----
-- Each public function is one fully qualified call that hands the caller's search_path to a pinned
-- body; the body switches to that path only for the statements that contain the caller's query,
-- and those statements name every function, operator and type with its schema.

CREATE FUNCTION ubehav_cross_validate_with_path(query text, target text, options jsonb, folds integer,
                                                query_search_path text)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    fold_rows jsonb;
BEGIN
    PERFORM @extschema@.ubehav_require_args('ubehav_cross_validate_with_path', ARRAY['query', 'target', 'options', 'folds', 'query_search_path'], ARRAY[query IS NULL, target IS NULL, options IS NULL, folds IS NULL, query_search_path IS NULL]);
    PERFORM set_config('search_path', query_search_path, true);
    SELECT pg_catalog.jsonb_agg(f) INTO fold_rows
    FROM @extschema@.ubehav_cv_folds(query, target, options, folds) f;
    PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);
    RETURN (
    WITH f AS (SELECT (x->>'fold')::int AS fold, x->'metrics' AS metrics, (x->>'training_rows')::bigint AS training_rows,
                      (x->>'validation_rows')::bigint AS validation_rows, (x->>'test_rows')::bigint AS test_rows
               FROM jsonb_array_elements(fold_rows) x),
    m AS (SELECT e.key, avg(e.value::text::float8) AS mean, stddev_samp(e.value::text::float8) AS std
          FROM f, jsonb_each(f.metrics) e
          WHERE jsonb_typeof(e.value) = 'number'
            AND e.key NOT IN ('evaluated_rows', 'epochs_run', 'best_epoch')
          GROUP BY e.key)
    SELECT jsonb_build_object(
        'folds', (SELECT jsonb_agg(jsonb_build_object('fold', f.fold, 'training_rows', f.training_rows,
                                                      'validation_rows', f.validation_rows, 'test_rows', f.test_rows,
                                                      'metrics', f.metrics)
                                   ORDER BY f.fold) FROM f),
        'mean', (SELECT jsonb_object_agg(m.key, m.mean ORDER BY m.key) FROM m),
        'std', (SELECT jsonb_object_agg(m.key, m.std ORDER BY m.key) FROM m)));
END $$;
COMMENT ON FUNCTION ubehav_cross_validate_with_path(text, text, jsonb, integer, text) IS
'the body of ubehav_cross_validate, which passes the caller''s search_path for the query (call ubehav_cross_validate)';

CREATE OR REPLACE FUNCTION ubehav_cross_validate(query text, target text, options jsonb DEFAULT '{}', folds integer DEFAULT 5)
RETURNS jsonb
LANGUAGE sql VOLATILE PARALLEL UNSAFE
AS $$
    SELECT @extschema@.ubehav_require_args('ubehav_cross_validate', ARRAY['query', 'target', 'options', 'folds'],
                                           ARRAY[$1 IS NULL, $2 IS NULL, $3 IS NULL, $4 IS NULL]);
    SELECT @extschema@.ubehav_cross_validate_with_path($1, $2, $3, $4, pg_catalog.current_setting('search_path'));
$$;

CREATE FUNCTION ubehav_refresh_scores_with_path(model text, query text, query_search_path text) RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    task text;
    body text;
    probe refcursor;
    key_type text;
    null_column text;
    n bigint;
    key_sql text;
    insert_sql text;
BEGIN
    PERFORM @extschema@.ubehav_require_args('ubehav_refresh_scores_with_path', ARRAY['model', 'query', 'query_search_path'], ARRAY[model IS NULL, query IS NULL, query_search_path IS NULL]);
    SELECT m.task INTO task FROM @extschema@.ubehav_models m WHERE m.name = model AND m.deployed;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'model "%" has no deployed version', model USING ERRCODE = 'undefined_object';
    END IF;
    -- checked here so that a query with no rows fails too, as ubehav_predict would on the first row
    IF task = 'multiclass' THEN
        RAISE EXCEPTION 'ubehav_refresh_scores cannot score model "%", which is a multiclass model', model
            USING ERRCODE = 'wrong_object_type',
                  HINT = 'ubehav_scores holds one score per key: score a multiclass model row by row with ubehav_predict_proba or ubehav_predict_class.';
    END IF;
    IF NOT @extschema@.ubehav_owns(model) THEN
        RAISE EXCEPTION 'model "%" belongs to role "%"', model,
            (SELECT o.owner FROM @extschema@.ubehav_model_owners o WHERE o.name = model)
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Only members of the owning role, or a superuser, may refresh its scores in ubehav_scores.';
    END IF;
    -- spliced as a subquery, where only a SELECT parses; the newline ends a trailing -- comment,
    -- and a trailing semicolon (which a subquery cannot have) is dropped
    body := regexp_replace(query, '[[:space:];]+$', '') || E'\n';
    -- the first column's type, planned but not run: LIMIT 0 reads no row, the outer join returns one
    key_sql := format($q$SELECT pg_catalog.pg_typeof(q.ubehav_key)::pg_catalog.text
        FROM (SELECT 1) one LEFT JOIN (SELECT * FROM (%s) q0 LIMIT 0) AS q(ubehav_key) ON true$q$, body);
    -- ubehav_predict gets the whole row with the query's column names (the key can be a feature
    -- too) and resolves the deployed version once; the version stored is read in the same
    -- statement, so from the same snapshot as the one that scored
    insert_sql := format($q$INSERT INTO @extschema@.ubehav_scores (model, key, version, score)
        SELECT $1, q.ubehav_key,
               (SELECT m.version FROM @extschema@.ubehav_models m WHERE m.name OPERATOR(pg_catalog.=) $1 AND m.deployed),
               @extschema@.ubehav_predict($1, q.ubehav_row)
        FROM (SELECT q0 AS ubehav_row, q0.* FROM (%s) q0) AS q(ubehav_row, ubehav_key)$q$, body);
    PERFORM set_config('search_path', query_search_path, true);
    BEGIN
        -- parsed and planned, not run: a second statement is refused here; a single statement that
        -- is valid alone has balanced parentheses, so it cannot close the subquery it is spliced into
        OPEN probe FOR EXECUTE query;
        CLOSE probe;
        EXECUTE key_sql INTO key_type;
    EXCEPTION WHEN syntax_error OR invalid_cursor_definition THEN
        -- a position in the message would point into the spliced text, so say what the query must be
        RAISE EXCEPTION 'the query must be one SELECT statement: %', SQLERRM USING ERRCODE = 'syntax_error',
            HINT = 'ubehav_refresh_scores reads the query as a subquery, so INSERT/UPDATE/DELETE ... RETURNING and several statements are not accepted.';
    END;
    PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);
    IF key_type NOT IN ('smallint', 'integer', 'bigint') THEN
        RAISE EXCEPTION 'the first column of the query must be an integer key, not %', key_type
            USING ERRCODE = 'datatype_mismatch', HINT = 'Return a key first, for example SELECT user_id, * FROM users.';
    END IF;
    -- keys the query no longer returns are dropped, so the table is exactly the query's latest scores
    DELETE FROM @extschema@.ubehav_scores s WHERE s.model = ubehav_refresh_scores_with_path.model;
    PERFORM set_config('search_path', query_search_path, true);
    BEGIN
        EXECUTE insert_sql USING model;
    EXCEPTION WHEN not_null_violation THEN
        -- one check per call instead of one per row: the NOT NULL constraint on key already looks
        GET STACKED DIAGNOSTICS null_column = COLUMN_NAME;
        PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);
        IF null_column = 'key' THEN
            RAISE EXCEPTION 'the key (first column) of the query is NULL' USING ERRCODE = 'null_value_not_allowed',
                HINT = 'Score rows with a key, for example WHERE user_id IS NOT NULL.';
        END IF;
        RAISE;
    END;
    GET DIAGNOSTICS n = ROW_COUNT;
    PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);
    RETURN n;
END $$;
COMMENT ON FUNCTION ubehav_refresh_scores_with_path(text, text, text) IS
'the body of ubehav_refresh_scores, which passes the caller''s search_path for the query (call ubehav_refresh_scores)';

CREATE OR REPLACE FUNCTION ubehav_refresh_scores(model text, query text) RETURNS bigint
LANGUAGE sql VOLATILE CALLED ON NULL INPUT
AS $$
    SELECT @extschema@.ubehav_require_args('ubehav_refresh_scores', ARRAY['model', 'query'], ARRAY[$1 IS NULL, $2 IS NULL]);
    SELECT @extschema@.ubehav_refresh_scores_with_path($1, $2, pg_catalog.current_setting('search_path'));
$$;
COMMENT ON FUNCTION ubehav_refresh_scores(text, text) IS
'score every row of query with ubehav_predict(model, row) (the deployed version; the first column: an integer key, the others features by name) and replace the model''s rows of ubehav_scores; returns how many; the caller must be a member of the model''s owning role';

-- ---- least privilege: what writes the catalog is for roles an administrator grants it to ----
REVOKE EXECUTE ON FUNCTION ubehav_train(text, text, text, jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ubehav_tune(text, text, text, jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ubehav_retrain(text, jsonb) FROM PUBLIC;
REVOKE EXECUTE ON PROCEDURE ubehav_retrain_job(text, jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ubehav_deploy(text, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ubehav_rollback(text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ubehav_drop_model(text, integer) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ubehav_import(text, jsonb) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ubehav_refresh_scores(text, text) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION ubehav_refresh_scores_with_path(text, text, text) FROM PUBLIC;

-- ---- the documented grants, in one place ----
CREATE FUNCTION ubehav_grant(role regrole, kind text) RETURNS void
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    scoring_columns constant text := 'name, version, task, target, options, preprocessing, feature_names, feature_types, '
        'class_labels, metrics, training_log, weights, trained_by, trained_at, rows_used, rows_skipped, training_ms, deployed, xmin';
    s constant text := '@extschema@';
    r text := role::text;
BEGIN
    PERFORM @extschema@.ubehav_require_args('ubehav_grant', ARRAY['role', 'kind'], ARRAY[role IS NULL, kind IS NULL]);
    IF kind NOT IN ('analyst', 'scorer') THEN
        RAISE EXCEPTION 'kind must be ''analyst'' or ''scorer'', not %', quote_literal(kind) USING ERRCODE = 'invalid_parameter_value',
            HINT = 'An analyst trains and manages its own models; a scorer scores and reads metrics.';
    END IF;
    -- everyone granted anything reads the scoring columns; no one but a model's owners reads its query
    EXECUTE format('GRANT SELECT (%s) ON %s.ubehav_models TO %s', scoring_columns, s, r);
    EXECUTE format('GRANT SELECT ON %1$s.ubehav_model_groups, %1$s.ubehav_model_owners, %1$s.ubehav_model_summary, '
                   '%1$s.ubehav_scores, %1$s.ubehav_deployments, %1$s.ubehav_trials TO %2$s', s, r);
    IF kind = 'analyst' THEN
        -- row-level security limits each of these to the models the role owns
        EXECUTE format('GRANT INSERT, DELETE, UPDATE (deployed) ON %s.ubehav_models TO %s', s, r);
        EXECUTE format('GRANT INSERT, DELETE ON %1$s.ubehav_model_groups, %1$s.ubehav_model_owners, '
                       '%1$s.ubehav_deployments, %1$s.ubehav_scores TO %2$s', s, r);
        EXECUTE format('GRANT INSERT, UPDATE ON %s.ubehav_trials TO %s', s, r);
        EXECUTE format('GRANT SELECT ON %s.ubehav_training_queries TO %s', s, r);
        EXECUTE format('GRANT USAGE ON SEQUENCE %1$s.ubehav_deployments_id_seq, %1$s.ubehav_tuning_run TO %2$s', s, r);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %1$s.ubehav_train(text, text, text, jsonb), %1$s.ubehav_tune(text, text, text, jsonb), '
                       '%1$s.ubehav_retrain(text, jsonb), %1$s.ubehav_deploy(text, integer), %1$s.ubehav_rollback(text), '
                       '%1$s.ubehav_drop_model(text, integer), %1$s.ubehav_import(text, jsonb), '
                       '%1$s.ubehav_refresh_scores(text, text), %1$s.ubehav_refresh_scores_with_path(text, text, text), '
                       '%1$s.ubehav_train_recommender(text, text, jsonb) TO %2$s', s, r);
        EXECUTE format('GRANT EXECUTE ON PROCEDURE %s.ubehav_retrain_job(text, jsonb) TO %s', s, r);
    END IF;
END $$;
COMMENT ON FUNCTION ubehav_grant(regrole, text) IS
'grant a role what an analyst (train, tune, retrain, deploy, roll back, drop, import and refresh scores of its own models) or a scorer (score, read metrics) needs; run by the extension owner or a superuser';
REVOKE EXECUTE ON FUNCTION ubehav_grant(regrole, text) FROM PUBLIC;

-- ==== model quality (issue 14) ====
-- No SQL object changes. The new options (scaling auto, robust_clip and yeo_johnson,
-- integer_categories, ensemble, epochs auto) are read by the C code, and the preprocessing JSON
-- gains optional keys (transform, lambda, codes, code_frequencies): a model stored by 0.1.0 has
-- none of them and scores as before.
-- A version stored by 0.1.0 names every option it had; the two new ones are added with the values
-- that train as 0.1.0 did, so ubehav_retrain of such a version trains it the same way as before.
UPDATE ubehav_models SET options = '{"integer_categories": 0, "ensemble": 1}'::jsonb || options
WHERE NOT (options ? 'ensemble' OR options ? 'integer_categories');

-- ==== recommendation (issue 15) ====
-- A recommender is a catalog row like any other model, with task 'recommender': its weights are
-- the embeddings, the id maps, the seen-items CSR and the popularity counts (src/nn/rec.h).
-- Existing rows keep their tasks; only the list of allowed values grows.
ALTER TABLE @extschema@.ubehav_models DROP CONSTRAINT ubehav_models_task_check;
ALTER TABLE @extschema@.ubehav_models ADD CONSTRAINT ubehav_models_task_check
    CHECK (task IN ('binary', 'multiclass', 'regression', 'recommender'));

CREATE FUNCTION ubehav_train_recommender(model text, query text, options jsonb DEFAULT '{}')
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ubehav_train_recommender'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION ubehav_train_recommender(text, text, jsonb) IS
'train a two-tower recommender (user and item embeddings, item bias; BPR with sampled negatives) on the (user, item[, weight][, time]) rows of query; stores and deploys a new version of model and returns a summary';

-- ROWS 10: the default k; COST 5000: a top-K ranks the whole catalogue (about 25 microseconds per 10,000 items)
CREATE FUNCTION ubehav_recommend(model text, user_id bigint, k integer DEFAULT 10, exclude_seen boolean DEFAULT true)
RETURNS TABLE (item bigint, score float8, rank integer)
AS 'MODULE_PATHNAME', 'ubehav_recommend'
LANGUAGE C STABLE STRICT PARALLEL SAFE ROWS 10 COST 5000;
COMMENT ON FUNCTION ubehav_recommend(text, bigint, integer, boolean) IS
'the k best items for a user, best first, without the items the user had in training unless exclude_seen is false; a user unseen in training gets the most popular items (score: share of training users who had the item)';

CREATE FUNCTION ubehav_recommend_score(model text, user_id bigint, item bigint)
RETURNS float8
AS 'MODULE_PATHNAME', 'ubehav_recommend_score'
LANGUAGE C STABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION ubehav_recommend_score(text, bigint, bigint) IS
'the recommender''s score of a (user, item) pair, the same value ubehav_recommend ranks by; an unseen user scores items by popularity, an unseen item gets the lowest item bias of the model';

CREATE FUNCTION ubehav_evaluate_recommender(model text, query text, k integer DEFAULT 10)
RETURNS jsonb
AS 'MODULE_PATHNAME', 'ubehav_evaluate_recommender'
LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION ubehav_evaluate_recommender(text, text, integer) IS
'leave-last-out evaluation: holds out each user''s latest new item of query, trains a private copy with the deployed version''s options on the rest, ranks every item excluding the user''s own; HR@k, NDCG@k, recall@k and coverage of the model and of item popularity; stores nothing';

-- training and evaluating act: a NULL argument is an error naming it (src/fn_args.c); training
-- writes the catalog, so it is for the roles ubehav_grant makes analysts
ALTER FUNCTION ubehav_train_recommender(text, text, jsonb) CALLED ON NULL INPUT;
ALTER FUNCTION ubehav_evaluate_recommender(text, text, integer) CALLED ON NULL INPUT;
REVOKE EXECUTE ON FUNCTION ubehav_train_recommender(text, text, jsonb) FROM PUBLIC;

-- ==== packaging (issue 18) ====
-- Training progress for operators: another session watches a running ubehav_train, ubehav_tune,
-- ubehav_cross_validate or group_by training. The rows live in shared memory, so ubehav must be
-- in shared_preload_libraries; without it the view has one row whose phase says so.
CREATE FUNCTION ubehav_progress(OUT pid integer, OUT datid oid, OUT userid oid, OUT function text,
                                OUT model text, OUT phase text, OUT epoch integer, OUT epochs integer,
                                OUT rows_done bigint, OUT rows_total bigint, OUT loss float8,
                                OUT val_metric text, OUT val_value float8, OUT trial integer,
                                OUT trials integer, OUT fold integer, OUT folds integer,
                                OUT group_value text, OUT group_number integer, OUT groups integer,
                                OUT started timestamptz, OUT phase_started timestamptz)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'ubehav_progress'
LANGUAGE C VOLATILE STRICT PARALLEL RESTRICTED;
COMMENT ON FUNCTION ubehav_progress() IS
'one row per training running in this server (pid, model, phase, epoch, rows, loss, validation metric, trial, fold, group); another user''s model and figures only to members of that role or pg_read_all_stats; needs ubehav in shared_preload_libraries';

CREATE VIEW ubehav_stat_progress WITH (security_invoker = true) AS
SELECT p.pid, p.datid, d.datname, p.userid, r.rolname AS usename, p.function, p.model, p.phase,
       p.epoch, p.epochs, p.rows_done, p.rows_total, p.loss, p.val_metric, p.val_value,
       p.trial, p.trials, p.fold, p.folds, p.group_value, p.group_number, p.groups, p.started,
       pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) p.started AS elapsed,
       pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) p.phase_started AS phase_elapsed
FROM @extschema@.ubehav_progress() p
LEFT JOIN pg_catalog.pg_database d ON d.oid OPERATOR(pg_catalog.=) p.datid
LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) p.userid;
COMMENT ON VIEW ubehav_stat_progress IS
'trainings running now, in the spirit of pg_stat_progress_*: pid, database, user, function, model, phase (reading, encoding, training, validating, storing), epoch of epochs, rows done of the current pass, loss, validation metric, trial, fold, group, elapsed time';
GRANT SELECT ON ubehav_stat_progress TO PUBLIC;
GRANT EXECUTE ON FUNCTION ubehav_progress() TO PUBLIC;

-- ==== what a person sees (issue 19) ====
-- The HTML report becomes one a person can send: every chart with axes, ticks, numbers, axis
-- titles and a legend; the ROC with its AUC and the chosen threshold; a calibration plot and the
-- confusion matrix on the report's rows; the model's options and data; a page that fills the
-- screen and prints on A4. Still one self-contained page: inline SVG, no scripts, no fonts.

CREATE FUNCTION ubehav_html_escape(s text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$ SELECT replace(replace(replace(replace(s, '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;') $$;
COMMENT ON FUNCTION ubehav_html_escape(text) IS
'text made safe for HTML text and attribute values (&, <, > and " escaped); used by ubehav_html_report';

-- Axes of a chart whose plot area is x 70..470, y 20..260 of a 490 x 320 viewBox: axis lines,
-- light grid lines, ticks at a round step with their numbers, and the two axis titles.
CREATE FUNCTION ubehav_report_axes(xmin float8, xmax float8, ymin float8, ymax float8, xtitle text, ytitle text)
RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    out text := '';
    axis int;
    lo float8;
    hi float8;
    raw float8;
    mag float8;
    step float8;
    v float8;
    pos float8;
    digits int;
    label text;
BEGIN
    FOR axis IN 1..2 LOOP
        lo := CASE axis WHEN 1 THEN xmin ELSE ymin END;
        hi := CASE axis WHEN 1 THEN xmax ELSE ymax END;
        IF NOT (hi > lo) OR lo = '-Infinity' OR hi = 'Infinity' THEN
            hi := lo + 1;
        END IF;
        raw := (hi - lo) / 5;
        mag := power(10, floor(log(raw)));
        step := mag * CASE WHEN raw / mag < 1.5 THEN 1 WHEN raw / mag < 3.5 THEN 2 WHEN raw / mag < 7.5 THEN 5 ELSE 10 END;
        digits := greatest(0, -floor(log(step))::int);
        v := ceil(lo / step - 1e-9) * step;
        WHILE v <= hi + step * 1e-9 LOOP
            IF abs(v) < step * 1e-6 THEN
                v := 0;         -- never "-0.0"
            END IF;
            label := to_char(v, 'FM999999990' || CASE WHEN digits > 0 THEN '.' || repeat('0', digits) ELSE '' END);
            IF axis = 1 THEN
                pos := 70 + 400 * (v - lo) / (hi - lo);
                out := out || format('<line x1="%1$s" y1="20" x2="%1$s" y2="260" stroke="#eee"/><line x1="%1$s" y1="260" x2="%1$s" y2="265" stroke="#333"/><text x="%1$s" y="279" text-anchor="middle" font-size="12" fill="#333">%2$s</text>',
                                     round(pos::numeric, 1), label);
            ELSE
                pos := 260 - 240 * (v - lo) / (hi - lo);
                out := out || format('<line x1="70" y1="%1$s" x2="470" y2="%1$s" stroke="#eee"/><line x1="65" y1="%1$s" x2="70" y2="%1$s" stroke="#333"/><text x="61" y="%2$s" text-anchor="end" font-size="12" fill="#333">%3$s</text>',
                                     round(pos::numeric, 1), round(pos::numeric + 4, 1), label);
            END IF;
            v := v + step;
        END LOOP;
    END LOOP;
    RETURN out || '<line x1="70" y1="260" x2="470" y2="260" stroke="#333"/><line x1="70" y1="20" x2="70" y2="260" stroke="#333"/>'
        || format('<text x="270" y="306" text-anchor="middle" font-size="13" fill="#111">%s</text>', @extschema@.ubehav_html_escape(xtitle))
        || format('<text x="18" y="140" text-anchor="middle" font-size="13" fill="#111" transform="rotate(-90 18 140)">%s</text>', @extschema@.ubehav_html_escape(ytitle));
END $$;
COMMENT ON FUNCTION ubehav_report_axes(float8, float8, float8, float8, text, text) IS
'SVG axes of one ubehav_html_report chart: axis lines, grid, ticks at a round step with their numbers, axis titles (plot area x 70..470, y 20..260 of a 490 x 320 viewBox)';

-- A legend: one coloured swatch and label per entry, in a row from (x, y).
CREATE FUNCTION ubehav_report_legend(x float8, y float8, labels text[], colors text[]) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT '<g class="legend">' || string_agg(
               format('<rect x="%1$s" y="%2$s" width="14" height="10" fill="%3$s"/><text x="%4$s" y="%5$s" font-size="12" fill="#111">%6$s</text>',
                      x + off, y, @extschema@.ubehav_html_escape(c), x + off + 18, y + 9, @extschema@.ubehav_html_escape(l)), '' ORDER BY i) || '</g>'
    FROM (SELECT l, c, i, coalesce(sum(24 + 7 * length(l)) OVER (ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS off
          FROM unnest(labels, colors) WITH ORDINALITY u(l, c, i)) e
$$;
COMMENT ON FUNCTION ubehav_report_legend(float8, float8, text[], text[]) IS
'an SVG legend for ubehav_html_report: a swatch and a label per entry, in one row';

CREATE FUNCTION ubehav_html_report_with_path(model text, query text, query_search_path text) RETURNS text
LANGUAGE plpgsql VOLATILE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    m record;
    learning text;
    roc text;
    dist text;
    calib text;
    max_loss float8;
    epochs integer;
    best_epoch integer;
    fprs float8[];
    tprs float8[];
    stats_sql text;
    st jsonb;
    conf jsonb;
    thr float8;
    peak float8;
    n_rows bigint;
    ece float8;
    pos_label text;
    neg_label text;
    options_rows text;
    features_rows text;
    metric_rows text;
    esc_model text;
    pt_x float8;
    pt_y float8;
BEGIN
    PERFORM @extschema@.ubehav_require_args('ubehav_html_report_with_path', ARRAY['model', 'query', 'query_search_path'], ARRAY[model IS NULL, query IS NULL, query_search_path IS NULL]);
    SELECT * INTO m FROM @extschema@.ubehav_models x WHERE x.name = model AND x.deployed;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'model "%" has no deployed version', model USING ERRCODE = 'undefined_object';
    END IF;
    IF m.task <> 'binary' THEN
        RAISE EXCEPTION 'ubehav_html_report draws binary models, but "%" is a % model', model, m.task
            USING ERRCODE = 'wrong_object_type';
    END IF;
    -- the query is a subquery below: one SELECT, checked the way ubehav_refresh_scores checks it
    BEGIN
        PERFORM set_config('search_path', query_search_path, true);
        DECLARE probe refcursor;
        BEGIN
            OPEN probe FOR EXECUTE query;
            CLOSE probe;
        END;
        PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);
    EXCEPTION WHEN syntax_error OR invalid_cursor_definition THEN
        RAISE EXCEPTION 'the query must be one SELECT statement: %', SQLERRM USING ERRCODE = 'syntax_error',
            HINT = 'ubehav_html_report reads the labelled rows of the query as a subquery.';
    END;
    esc_model := @extschema@.ubehav_html_escape(model);
    neg_label := coalesce(m.class_labels[1], 'negative');
    pos_label := coalesce(m.class_labels[2], 'positive');
    thr := coalesce((m.metrics->>'threshold')::float8, 0.5);

    -- every figure of the report's rows in one pass over them, read under the caller's search_path
    stats_sql := format($q$WITH s AS MATERIALIZED (
                             SELECT @extschema@.ubehav_predict(%1$L, q) AS p, (%2$I)::pg_catalog.text OPERATOR(pg_catalog.=) %3$L AS y
                             FROM (%4$s) q WHERE %2$I IS NOT NULL)
                         SELECT pg_catalog.jsonb_build_object(
                             'n', (SELECT pg_catalog.count(*) FROM s),
                             'auc', (SELECT @extschema@.ubehav_auc(s.p, s.y) FROM s),
                             'pr_auc', (SELECT @extschema@.ubehav_pr_auc(s.p, s.y) FROM s),
                             'log_loss', (SELECT @extschema@.ubehav_log_loss(s.p, s.y) FROM s),
                             'confusion', (SELECT @extschema@.ubehav_confusion(s.p, s.y, %5$s::pg_catalog.float8) FROM s),
                             'bins', (SELECT pg_catalog.jsonb_object_agg(h.bin, pg_catalog.jsonb_build_array(h.neg, h.pos, h.sump))
                                      FROM (SELECT LEAST(pg_catalog.floor(s.p OPERATOR(pg_catalog.*) 10), 9)::pg_catalog.int4 AS bin,
                                                   pg_catalog.count(*) FILTER (WHERE NOT s.y) AS neg,
                                                   pg_catalog.count(*) FILTER (WHERE s.y) AS pos,
                                                   pg_catalog.sum(s.p) AS sump
                                            FROM s GROUP BY 1) h))$q$,
                   model, m.target, pos_label, regexp_replace(query, '[[:space:];]+$', '') || E'\n', thr);
    PERFORM set_config('search_path', query_search_path, true);
    EXECUTE stats_sql INTO st;
    SELECT pg_catalog.array_agg(c.fpr), pg_catalog.array_agg(c.tpr) INTO fprs, tprs
    FROM @extschema@.ubehav_roc_curve(model, query) c;
    PERFORM set_config('search_path', 'pg_catalog, pg_temp', true);
    n_rows := (st->>'n')::bigint;
    conf := st->'confusion';

    -- learning curve: training and validation loss per epoch, the kept (best) epoch marked
    SELECT max(greatest(coalesce(l.loss, 0), coalesce(l.val_loss, 0))), max(l.epoch) INTO max_loss, epochs
    FROM @extschema@.ubehav_training_log(model) l;
    max_loss := coalesce(nullif(max_loss, 0), 1) * 1.05;
    epochs := coalesce(epochs, 1);
    best_epoch := coalesce((m.metrics->>'best_epoch')::int, epochs);
    SELECT @extschema@.ubehav_report_axes(1, greatest(epochs, 2), 0, max_loss, 'epoch', 'loss (cross-entropy)') ||
           coalesce('<polyline class="loss" fill="none" stroke="#1f77b4" stroke-width="2" points="' ||
                    string_agg(format('%s,%s', round((70 + 400.0 * (l.epoch - 1) / (greatest(epochs, 2) - 1))::numeric, 1),
                                      round((260 - 240 * l.loss / max_loss)::numeric, 1)), ' ' ORDER BY l.epoch)
                        FILTER (WHERE l.loss IS NOT NULL) || '"/>', '') ||
           coalesce('<polyline class="val_loss" fill="none" stroke="#ff7f0e" stroke-width="2" points="' ||
                    string_agg(format('%s,%s', round((70 + 400.0 * (l.epoch - 1) / (greatest(epochs, 2) - 1))::numeric, 1),
                                      round((260 - 240 * l.val_loss / max_loss)::numeric, 1)), ' ' ORDER BY l.epoch)
                        FILTER (WHERE l.val_loss IS NOT NULL) || '"/>', '')
    INTO learning FROM @extschema@.ubehav_training_log(model) l;
    learning := learning ||
        format('<line x1="%1$s" y1="20" x2="%1$s" y2="260" stroke="#555" stroke-dasharray="4 3"/><text x="%2$s" y="80" font-size="12" fill="#333" text-anchor="%3$s">kept: epoch %4$s of %5$s</text>',
               round((70 + 400.0 * (best_epoch - 1) / (greatest(epochs, 2) - 1))::numeric, 1),
               round((70 + 400.0 * (best_epoch - 1) / (greatest(epochs, 2) - 1) + CASE WHEN best_epoch > (epochs + 1) / 2 THEN -5 ELSE 5 END)::numeric, 1),
               CASE WHEN best_epoch > (epochs + 1) / 2 THEN 'end' ELSE 'start' END, best_epoch, epochs) ||
        @extschema@.ubehav_report_legend(240, 30, ARRAY['training loss', 'validation loss'], ARRAY['#1f77b4', '#ff7f0e']);

    -- ROC curve, the chance diagonal, the AUC and the operating point of the model's threshold
    pt_x := (conf->>'fp')::float8 / nullif((conf->>'fp')::float8 + (conf->>'tn')::float8, 0);
    pt_y := (conf->>'tp')::float8 / nullif((conf->>'tp')::float8 + (conf->>'fn')::float8, 0);
    SELECT @extschema@.ubehav_report_axes(0, 1, 0, 1, 'false positive rate (1 - specificity)', 'true positive rate (recall)') ||
           '<line x1="70" y1="260" x2="470" y2="20" stroke="#999" stroke-dasharray="5 4"/>' ||
           coalesce('<polyline class="roc" fill="none" stroke="#2ca02c" stroke-width="2" points="70,260 ' ||
                    string_agg(format('%s,%s', round((70 + 400 * c.fpr)::numeric, 1), round((260 - 240 * c.tpr)::numeric, 1)), ' ' ORDER BY c.fpr, c.tpr) || '"/>', '')
    INTO roc FROM unnest(fprs, tprs) WITH ORDINALITY c(fpr, tpr, k)
    -- one point per distinct score: at most about 1,000 of them drawn, the last one always
    WHERE k % greatest(ceil(cardinality(fprs) / 1000.0)::int, 1) = 0 OR k = cardinality(fprs);
    roc := roc ||
        format('<text x="300" y="200" font-size="16" font-weight="bold" fill="#2ca02c">AUC %s</text>', coalesce(to_char((st->>'auc')::float8, 'FM0.000'), 'n/a')) ||
        CASE WHEN pt_x IS NOT NULL AND pt_y IS NOT NULL THEN
            format('<circle class="threshold" cx="%1$s" cy="%2$s" r="5" fill="#d62728"/><text x="%3$s" y="%4$s" font-size="12" fill="#d62728">threshold %5$s: recall %6$s, FPR %7$s</text>',
                   round((70 + 400 * pt_x)::numeric, 1), round((260 - 240 * pt_y)::numeric, 1),
                   round((70 + 400 * pt_x + 8)::numeric, 1), round((260 - 240 * pt_y + 16)::numeric, 1),
                   to_char(thr, 'FM0.000'), to_char(pt_y, 'FM0.00'), to_char(pt_x, 'FM0.00'))
        ELSE '' END ||
        @extschema@.ubehav_report_legend(250, 226, ARRAY['model', 'chance', 'threshold'], ARRAY['#2ca02c', '#999', '#d62728']);

    -- scores by class: ten bins of width 0.1, a bar per class, the threshold marked
    SELECT max(greatest((st->'bins'->(b::text)->>0)::float8, (st->'bins'->(b::text)->>1)::float8)) INTO peak
    FROM generate_series(0, 9) b;
    peak := coalesce(nullif(peak, 0), 1) * 1.1;
    SELECT @extschema@.ubehav_report_axes(0, 1, 0, peak, 'score (predicted probability of ' || pos_label || ')', 'rows') ||
           string_agg(format('<rect class="negative" x="%1$s" y="%2$s" width="19" height="%3$s" fill="#7f7f7f"><title>%4$s rows</title></rect>'
                             '<rect class="positive" x="%5$s" y="%6$s" width="19" height="%7$s" fill="#d62728"><title>%8$s rows</title></rect>',
                             70 + 40 * b + 1, round((260 - 240 * n0 / peak)::numeric, 1), round((240 * n0 / peak)::numeric, 1), n0,
                             70 + 40 * b + 20, round((260 - 240 * n1 / peak)::numeric, 1), round((240 * n1 / peak)::numeric, 1), n1), '' ORDER BY b)
    INTO dist
    FROM (SELECT b, coalesce((st->'bins'->(b::text)->>0)::float8, 0) AS n0, coalesce((st->'bins'->(b::text)->>1)::float8, 0) AS n1
          FROM generate_series(0, 9) b) h;
    dist := dist ||
        format('<line x1="%1$s" y1="20" x2="%1$s" y2="260" stroke="#111" stroke-dasharray="4 3"/><text x="%2$s" y="80" font-size="12" fill="#111" text-anchor="%3$s">threshold %4$s</text>',
               round((70 + 400 * thr)::numeric, 1), round((70 + 400 * thr + CASE WHEN thr > 0.5 THEN -5 ELSE 5 END)::numeric, 1),
               CASE WHEN thr > 0.5 THEN 'end' ELSE 'start' END, to_char(thr, 'FM0.000')) ||
        @extschema@.ubehav_report_legend(300, 30, ARRAY[neg_label, pos_label], ARRAY['#7f7f7f', '#d62728']);

    -- calibration: in each bin, the mean score against the share of positives; the diagonal is perfect
    SELECT sum(abs(sump / n - n1 / n) * n) / nullif(sum(n), 0),
           @extschema@.ubehav_report_axes(0, 1, 0, 1, 'mean predicted probability (bins of 0.1)', 'observed share of ' || pos_label) ||
           '<line x1="70" y1="260" x2="470" y2="20" stroke="#999" stroke-dasharray="5 4"/>' ||
           coalesce('<polyline class="calibration" fill="none" stroke="#9467bd" stroke-width="2" points="' ||
                    string_agg(format('%s,%s', round((70 + 400 * sump / n)::numeric, 1), round((260 - 240 * n1 / n)::numeric, 1)), ' ' ORDER BY b) || '"/>', '') ||
           coalesce(string_agg(format('<circle cx="%s" cy="%s" r="%s" fill="#9467bd"><title>%s rows</title></circle>',
                                      round((70 + 400 * sump / n)::numeric, 1), round((260 - 240 * n1 / n)::numeric, 1),
                                      round((2.5 + 5 * sqrt(n / greatest(n_rows, 1)))::numeric, 1), n), '' ORDER BY b), '')
    INTO ece, calib
    FROM (SELECT b, (st->'bins'->(b::text)->>0)::float8 + (st->'bins'->(b::text)->>1)::float8 AS n,
                 (st->'bins'->(b::text)->>1)::float8 AS n1, (st->'bins'->(b::text)->>2)::float8 AS sump
          FROM generate_series(0, 9) b) h
    WHERE n > 0;
    calib := coalesce(calib, @extschema@.ubehav_report_axes(0, 1, 0, 1, 'mean predicted probability (bins of 0.1)', 'observed share')) ||
        @extschema@.ubehav_report_legend(90, 34, ARRAY['model (dot size: rows)', 'perfectly calibrated'], ARRAY['#9467bd', '#999']);

    -- the model's options, features and metrics as tables
    SELECT string_agg(format('<tr><th>%s</th><td>%s</td></tr>', @extschema@.ubehav_html_escape(o.key), @extschema@.ubehav_html_escape(CASE jsonb_typeof(o.value) WHEN 'string' THEN o.value #>> '{}' ELSE o.value::text END)), '' ORDER BY o.key)
    INTO options_rows FROM jsonb_each(m.options) o;
    SELECT string_agg(format('<tr><td>%s</td><td>%s</td></tr>', @extschema@.ubehav_html_escape(f), @extschema@.ubehav_html_escape(t)), '' ORDER BY i)
    INTO features_rows FROM unnest(m.feature_names, m.feature_types) WITH ORDINALITY u(f, t, i);
    SELECT string_agg(format('<tr><th>%s</th><td>%s</td><td>%s</td></tr>', k.label,
                             coalesce(to_char((m.metrics->>k.key)::float8, 'FM990.000'), '-'),
                             coalesce(to_char(coalesce((st->>k.key)::float8, (conf->>k.key)::float8), 'FM990.000'), '-')), '' ORDER BY k.i)
    INTO metric_rows
    FROM (VALUES (1, 'auc', 'ROC AUC'), (2, 'pr_auc', 'PR AUC (average precision)'), (3, 'log_loss', 'log loss'),
                 (4, 'accuracy', 'accuracy'), (5, 'precision', 'precision'), (6, 'recall', 'recall'), (7, 'f1', 'F1'), (8, 'mcc', 'MCC')) k(i, key, label);

    RETURN format($html$<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>ubehav: %1$s version %2$s</title>
<style>
@page{size:A4;margin:12mm}
*{box-sizing:border-box}
body{font:14px/1.45 -apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif;color:#222;margin:0 auto;max-width:1280px;padding:20px 28px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:0 0 6px}
p.lead{margin:0 0 14px;color:#444}
.grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:16px}
figure,section{margin:0;border:1px solid #ddd;border-radius:6px;padding:10px 12px;break-inside:avoid;page-break-inside:avoid}
figcaption{font-weight:600;margin-bottom:4px}
figure p{margin:4px 0 0;color:#555;font-size:12.5px}
svg{display:block;width:100%%;height:auto}
table{border-collapse:collapse;width:100%%;font-size:13px}
th,td{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
table.cm td,table.cm th{text-align:center;border:1px solid #ddd}
table.cm td.hit{background:#e8f4e8}table.cm td.miss{background:#fbeaea}
.tables{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:16px;margin-top:16px}
footer{margin-top:14px;color:#777;font-size:12px}
@media print{body{max-width:none;padding:0;font-size:11px}.grid,.tables{gap:8px}figure,section{padding:6px 8px}.tables{grid-template-columns:repeat(3,minmax(0,1fr))}}
@media screen and (max-width:800px){.grid,.tables{grid-template-columns:1fr}}
</style></head>
<body>
<h1>Model %1$s, version %2$s</h1>
<p class="lead">Binary model predicting <b>%3$s</b> = %4$s, trained %5$s by %6$s on %7$s rows (%8$s skipped for a NULL target).
This report scores <b>%9$s labelled rows</b> of the report's query: AUC <b>%10$s</b> here, against %11$s on the validation rows split off at training
(those rows also chose the kept epoch and the threshold, so figures on new rows are usually a little lower).</p>
<div class="grid">
<figure><figcaption>Learning curve</figcaption>
<svg id="learning" viewBox="0 0 490 320" role="img" aria-label="learning curve">%12$s</svg>
<p>Loss per epoch on the training rows and on the validation rows%30$s. Early stopping keeps the epoch of the lowest validation loss.</p></figure>
<figure><figcaption>ROC curve</figcaption>
<svg id="roc" viewBox="0 0 490 320" role="img" aria-label="ROC curve">%13$s</svg>
<p>Share of %4$s rows found (recall) against share of %15$s rows flagged, at every threshold; the red dot is the model's threshold %14$s.</p></figure>
<figure><figcaption>Scores by class</figcaption>
<svg id="scores" viewBox="0 0 490 320" role="img" aria-label="scores by class">%16$s</svg>
<p>Rows per score bin of 0.1, by actual class. Rows right of the dashed line are predicted %4$s.</p></figure>
<figure><figcaption>Calibration (reliability)</figcaption>
<svg id="calibration" viewBox="0 0 490 320" role="img" aria-label="calibration">%17$s</svg>
<p>In each score bin, the share of rows that are %4$s against the mean score. On the diagonal, a score of 0.3 means 30%% of such rows are %4$s.
Expected calibration error: <b>%18$s</b> (mean distance to the diagonal, weighted by rows).</p></figure>
</div>
<div class="tables">
<section><h2>Confusion matrix at threshold %14$s</h2>
<table class="cm"><tr><th rowspan="2">actual</th><th colspan="2">predicted</th></tr>
<tr><th>%15$s</th><th>%4$s</th></tr>
<tr><th>%15$s</th><td class="hit">%19$s</td><td class="miss">%20$s</td></tr>
<tr><th>%4$s</th><td class="miss">%21$s</td><td class="hit">%22$s</td></tr></table>
<h2 style="margin-top:12px">Metrics</h2>
<table><tr><th></th><th>validation</th><th>this report</th></tr>%23$s</table></section>
<section><h2>Data</h2>
<table><tr><th>target</th><td>%3$s (classes %15$s, %4$s)</td></tr>
<tr><th>rows used</th><td>%7$s (validation split %24$s)</td></tr>
<tr><th>rows skipped</th><td>%8$s</td></tr>
<tr><th>training time</th><td>%25$s</td></tr>
<tr><th>epochs</th><td>%26$s</td></tr></table>
<h2 style="margin-top:12px">Features</h2>
<table><tr><th>column</th><th>type</th></tr>%27$s</table></section>
<section><h2>Options</h2><table>%28$s</table></section>
</div>
<footer>ubehav_html_report, %29$s. Self-contained: no scripts, fonts or external files.</footer>
</body></html>$html$,
        esc_model, m.version, @extschema@.ubehav_html_escape(m.target), @extschema@.ubehav_html_escape(pos_label),
        m.trained_at::date, @extschema@.ubehav_html_escape(m.trained_by::text), m.rows_used, m.rows_skipped,
        n_rows, coalesce(to_char((st->>'auc')::float8, 'FM0.000'), 'n/a'), coalesce(to_char((m.metrics->>'auc')::float8, 'FM0.000'), 'n/a'),
        coalesce(learning, ''), coalesce(roc, ''), to_char(thr, 'FM0.000'), @extschema@.ubehav_html_escape(neg_label),
        coalesce(dist, ''), coalesce(calib, ''), coalesce(to_char(ece, 'FM0.000'), 'n/a'),
        coalesce(conf->>'tn', '-'), coalesce(conf->>'fp', '-'), coalesce(conf->>'fn', '-'), coalesce(conf->>'tp', '-'),
        coalesce(metric_rows, ''), coalesce(m.options->>'validation_split', '-'), CASE WHEN m.training_ms < 1000 THEN round(m.training_ms::numeric) || ' ms' ELSE to_char(m.training_ms / 1000, 'FM9999990.0') || ' s' END,
        format('%s run of %s asked for%s, kept epoch %s', coalesce(m.metrics->>'epochs_run', '?'), coalesce(m.options->>'epochs', '?'),
               CASE WHEN (m.metrics->>'stopped_early')::boolean THEN ' (early stopping)' ELSE '' END, best_epoch),
        coalesce(features_rows, ''), coalesce(options_rows, ''), to_char(now(), 'YYYY-MM-DD HH24:MI TZ'),
        CASE WHEN m.metrics ? 'ensemble'
             THEN format(', for the first of the %s networks of the ensemble (epochs run by each: %s)',
                         m.metrics->'ensemble'->>'networks', m.metrics->'ensemble'->>'epochs_run')
             ELSE '' END);
END $$;
COMMENT ON FUNCTION ubehav_html_report_with_path(text, text, text) IS
'the body of ubehav_html_report, which passes the caller''s search_path for the query (call ubehav_html_report)';

-- the public function, one fully qualified call that hands the caller's search_path to the body above
CREATE OR REPLACE FUNCTION ubehav_html_report(model text, query text) RETURNS text
LANGUAGE sql VOLATILE
AS $$
    SELECT @extschema@.ubehav_require_args('ubehav_html_report', ARRAY['model', 'query'], ARRAY[$1 IS NULL, $2 IS NULL]);
    SELECT @extschema@.ubehav_html_report_with_path($1, $2, pg_catalog.current_setting('search_path'));
$$;

-- ==== scaling out (issue 16) ====
-- postgres_fdw sends a function call to a shard only when the function is IMMUTABLE, belongs to
-- an extension named in the server's `extensions` option, and every collatable input derives its
-- collation from a column of the foreign table. ubehav_predict fails the first test, rightly (it
-- is STABLE: it reads the catalog and follows deployments), and a model name written as a text
-- literal fails the last (its default collation comes from no column). Hence a twin of
-- ubehav_predict(text, float8[]) for shards, with two differences only:
--  * the model name is a ubehav_model_name: text without a collation (same bytes, same input and
--    output functions), so a literal name can be shipped;
--  * it is declared IMMUTABLE, as to_tsvector(regconfig, text) is although a configuration can
--    change. It is the same C function, so wherever it runs it resolves the deployed version from
--    the local (replicated) catalog once per query, and a deploy or rollback that reached a shard
--    is used by the next transaction there. Never use it in an index, a generated column or a
--    constraint (their stored values would go stale on a deploy), nor with constant features in a
--    prepared statement (the planner evaluates an immutable call on constants once, at plan time).
-- Features come as an array in training column order: postgres_fdw's deparser writes a whole-row
-- reference as an anonymous ROW(...) without the column names, so there is no record form.
-- README, Scaling out.
CREATE TYPE ubehav_model_name;
CREATE FUNCTION ubehav_model_name_in(cstring) RETURNS ubehav_model_name
AS 'textin' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ubehav_model_name_out(ubehav_model_name) RETURNS cstring
AS 'textout' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ubehav_model_name_recv(internal) RETURNS ubehav_model_name
AS 'textrecv' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ubehav_model_name_send(ubehav_model_name) RETURNS bytea
AS 'textsend' LANGUAGE internal IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE ubehav_model_name (
    INPUT = ubehav_model_name_in, OUTPUT = ubehav_model_name_out,
    RECEIVE = ubehav_model_name_recv, SEND = ubehav_model_name_send,
    LIKE = text, CATEGORY = 'S', COLLATABLE = false
);
COMMENT ON TYPE ubehav_model_name IS
'a model name as text without a collation, so that postgres_fdw may send a call of ubehav_predict_shippable with a literal name to a shard';
CREATE CAST (text AS ubehav_model_name) WITHOUT FUNCTION AS IMPLICIT;
CREATE CAST (ubehav_model_name AS text) WITHOUT FUNCTION AS IMPLICIT;

CREATE FUNCTION ubehav_predict_shippable(model ubehav_model_name, features float8[])
RETURNS float8
AS 'MODULE_PATHNAME', 'ubehav_predict_array'
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE COST 100;
COMMENT ON FUNCTION ubehav_predict_shippable(ubehav_model_name, float8[]) IS
'ubehav_predict(model, features) that postgres_fdw runs on the shards: IMMUTABLE in name only, it scores with the version deployed where it runs. Never in an index, generated column or constraint; see README, Scaling out';

-- ==== issue 16: merging models trained on different rows, and rounds that start from a model value ====
CREATE FUNCTION ubehav_merge_models(models jsonb[], rows bigint[])
RETURNS jsonb AS 'MODULE_PATHNAME', 'ubehav_merge_models' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
COMMENT ON FUNCTION ubehav_merge_models(jsonb[], bigint[]) IS
'one model value from model values of one architecture and one preprocessing (from ubehav_fit, ubehav_fit_from or ubehav_export) trained on rows[i] rows each: every weight the row-weighted mean of theirs (model averaging, as per-shard training merges)';

-- ubehav_fit in parallel aggregation: partial states' rows are concatenated (in one canonical
-- order, so the model does not depend on the worker count) and trained on once, in the final step
ALTER FUNCTION ubehav_fit_accum(internal, float8[], anyelement, jsonb) PARALLEL SAFE;
ALTER FUNCTION ubehav_fit_final(internal) PARALLEL SAFE;
CREATE FUNCTION ubehav_fit_combine(internal, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'ubehav_fit_combine' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION ubehav_fit_serialize(internal)
RETURNS bytea AS 'MODULE_PATHNAME', 'ubehav_fit_serialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION ubehav_fit_deserialize(bytea, internal)
RETURNS internal AS 'MODULE_PATHNAME', 'ubehav_fit_deserialize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE OR REPLACE AGGREGATE ubehav_fit(features float8[], label anyelement, options jsonb) (
    SFUNC = ubehav_fit_accum, STYPE = internal, FINALFUNC = ubehav_fit_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = ubehav_fit_combine, SERIALFUNC = ubehav_fit_serialize, DESERIALFUNC = ubehav_fit_deserialize,
    PARALLEL = SAFE
);

CREATE FUNCTION ubehav_fit_from_accum(internal, init jsonb, features float8[], label anyelement, options jsonb)
RETURNS internal AS 'MODULE_PATHNAME', 'ubehav_fit_from_accum' LANGUAGE C VOLATILE PARALLEL SAFE;
CREATE FUNCTION ubehav_fit_from_final(internal)
RETURNS jsonb AS 'MODULE_PATHNAME', 'ubehav_fit_from_final' LANGUAGE C VOLATILE PARALLEL SAFE;
CREATE AGGREGATE ubehav_fit_from(init jsonb, features float8[], label anyelement, options jsonb) (
    SFUNC = ubehav_fit_from_accum, STYPE = internal, FINALFUNC = ubehav_fit_from_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = ubehav_fit_combine, SERIALFUNC = ubehav_fit_serialize, DESERIALFUNC = ubehav_fit_deserialize,
    PARALLEL = SAFE
);
COMMENT ON AGGREGATE ubehav_fit_from(jsonb, float8[], anyelement, jsonb) IS
'one round of training from a model value (a warm start): its weights, preprocessing and options, with options on top (such as {"epochs": 1}), on the rows of each group; returns a model value, for ubehav_merge_models to average the rounds of several shards';
