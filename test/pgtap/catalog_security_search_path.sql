-- No code of another role runs through ubehav: an attacker's format, =, <>, || and regexp_replace,
-- found first on the search_path, are never called by the extension's own SQL. Each attacker
-- object raises, so a single hijacked call fails the call that made it.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(25);

CREATE TABLE sp_data AS SELECT i::float8 AS x, (i % 3)::text AS c, (i % 7 < 3) AS y, i::bigint AS id
FROM generate_series(1, 200) i;
CREATE TABLE sp_events AS SELECT * FROM ubehav_demo_events(20, 30);
CREATE SCHEMA sp_attacker;
CREATE FUNCTION sp_attacker.hijacked(what text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'hijacked: %', what USING ERRCODE = 'P0666';
END $$;
CREATE FUNCTION sp_attacker.text_eq(text, text) RETURNS boolean LANGUAGE sql AS $$ SELECT sp_attacker.hijacked('= on text') $$;
CREATE OPERATOR sp_attacker.= (LEFTARG = text, RIGHTARG = text, FUNCTION = sp_attacker.text_eq);
CREATE FUNCTION sp_attacker.name_ne(name, name) RETURNS boolean LANGUAGE sql AS $$ SELECT sp_attacker.hijacked('<> on name') $$;
CREATE OPERATOR sp_attacker.<> (LEFTARG = name, RIGHTARG = name, FUNCTION = sp_attacker.name_ne);
CREATE FUNCTION sp_attacker.text_cat(text, text) RETURNS text LANGUAGE sql AS $$ SELECT sp_attacker.hijacked('||')::text $$;
CREATE OPERATOR sp_attacker.|| (LEFTARG = text, RIGHTARG = text, FUNCTION = sp_attacker.text_cat);
CREATE FUNCTION sp_attacker.regexp_replace(text, text, text) RETURNS text LANGUAGE sql
AS $$ SELECT sp_attacker.hijacked('regexp_replace')::text $$;
-- built-in format takes VARIADIC "any": a format(text, VARIADIC text[]) is a better match wherever it is found
CREATE FUNCTION sp_attacker.format(text, VARIADIC text[]) RETURNS text LANGUAGE sql
AS $$ SELECT sp_attacker.hijacked('format')::text $$;
CREATE FUNCTION public.format(text, VARIADIC text[]) RETURNS text LANGUAGE sql
AS $$ SELECT sp_attacker.hijacked('public.format')::text $$;
GRANT USAGE ON SCHEMA sp_attacker TO PUBLIC;

-- Runs sql with search_path set to path (pgTAP itself must not meet the attacker's operators):
-- 'ok', or the error.
CREATE FUNCTION sp_try(sql text, path text DEFAULT 'sp_attacker, pg_catalog, public') RETURNS text
LANGUAGE plpgsql SET search_path = pg_catalog AS $$
BEGIN
    PERFORM set_config('search_path', path, true);
    EXECUTE sql;
    PERFORM set_config('search_path', 'pg_catalog', true);
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;

-- the attacker's objects do work where they are found first: the test would see a hijack
SELECT is(sp_try($$SELECT 'a'::text = 'b'::text$$), 'P0666: hijacked: = on text', 'the attacker''s = is picked first on this path');
SELECT is(sp_try($$SELECT format('%s', 'x'::text)$$), 'P0666: hijacked: format', 'and its format');

SELECT is(sp_try($$SELECT ubehav_train('sp', 'SELECT x, c, y FROM sp_data', 'y', '{"epochs": 2, "hidden": [4]}')$$), 'ok',
          'ubehav_train');
SELECT is(sp_try($$SELECT ubehav_train('sp', 'SELECT x, c, y FROM sp_data', 'y', '{"epochs": 1, "hidden": [4]}')$$), 'ok',
          'ubehav_train of a second version (ownership check, deploy)');
SELECT is(sp_try($$SELECT ubehav_train('sp_g', 'SELECT x, c, y FROM sp_data', 'y', '{"epochs": 1, "hidden": [2], "group_by": "c"}')$$), 'ok',
          'ubehav_train with group_by (one query per group value)');
SELECT is(sp_try($$SELECT ubehav_predict('sp_g', d) FROM sp_data d$$), 'ok',
          'ubehav_predict of a group_by model');
SELECT is(sp_try($$SELECT ubehav_predict('sp', d) FROM sp_data d$$), 'ok',
          'ubehav_predict on rows');
SELECT is(sp_try($$SELECT ubehav_evaluate('sp', 'SELECT x, c, y FROM sp_data')$$), 'ok',
          'ubehav_evaluate');
SELECT is(sp_try($$SELECT * FROM ubehav_training_log('sp')$$), 'ok',
          'ubehav_training_log');
SELECT is(sp_try($$SELECT ubehav_check_owner('sp')$$), 'ok',
          'ubehav_check_owner');
SELECT is(sp_try($$SELECT ubehav_deploy('sp', 1)$$), 'ok',
          'ubehav_deploy');
SELECT is(sp_try($$SELECT ubehav_rollback('sp')$$), 'ok',
          'ubehav_rollback');
SELECT is(sp_try($$SELECT ubehav_retrain('sp', '{"epochs": 1}')$$), 'ok',
          'ubehav_retrain');
SELECT is(sp_try($$CALL ubehav_retrain_job('sp', '{"epochs": 1}')$$), 'ok',
          'ubehav_retrain_job');
SELECT is(sp_try($$SELECT ubehav_refresh_scores('sp', 'SELECT id, x, c FROM sp_data')$$), 'ok',
          'ubehav_refresh_scores');
SELECT is(sp_try($$SELECT ubehav_html_report('sp', 'SELECT x, c, y FROM sp_data')$$), 'ok',
          'ubehav_html_report');
SELECT is(sp_try($$SELECT ubehav_cross_validate('SELECT x, c, y FROM sp_data', 'y', '{"epochs": 1, "hidden": [2]}', 2)$$), 'ok',
          'ubehav_cross_validate');
SELECT is(sp_try($$SELECT ubehav_tune('sp_t', 'SELECT x, c, y FROM sp_data', 'y', '{"grid": {"hidden": [[2], [3]]}, "options": {"epochs": 1}}')$$), 'ok',
          'ubehav_tune');
SELECT is(sp_try($$SELECT ubehav_import('sp_copy', ubehav_export('sp'))$$), 'ok',
          'ubehav_export and ubehav_import');
SELECT is(sp_try($$SELECT ubehav_drop_model('sp_copy')$$), 'ok',
          'ubehav_drop_model');
SELECT is(sp_try($$SELECT count(*) FROM ubehav_behaviour_features('sp_events', '2025-10-01')$$), 'ok',
          'ubehav_behaviour_features');

-- the default path with a format(text, VARIADIC text[]) in public, as the issue found it
SELECT is(sp_try($$SELECT ubehav_refresh_scores('sp', 'SELECT id, x, c FROM sp_data')$$, '"$user", public'), 'ok',
          'ubehav_refresh_scores on "$user", public');
SELECT is(sp_try($$SELECT ubehav_html_report('sp', 'SELECT x, c, y FROM sp_data')$$, '"$user", public'), 'ok',
          'ubehav_html_report on "$user", public');
SELECT is(sp_try($$SELECT ubehav_demo_create('sp_demo', 20, 10)$$, '"$user", public'), 'ok',
          'ubehav_demo_create on "$user", public');
SELECT is((SELECT count(*)::int FROM pg_proc p JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
           JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'ubehav'
           WHERE p.prolang IN (SELECT oid FROM pg_language WHERE lanname IN ('sql', 'plpgsql'))
             AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)
             AND p.proname NOT IN ('ubehav_cross_validate', 'ubehav_refresh_scores', 'ubehav_html_report')), 0,
          'every other SQL and PL/pgSQL function of the extension pins search_path');

SELECT * FROM finish();
ROLLBACK;
