-- Ownership is enforced by the server: each attack of the reliability issue, through plain SQL
-- and through the functions, by an analyst (bb) against another analyst's model (aa's "ma").
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(39);

CREATE ROLE sec_aa;
CREATE ROLE sec_bb;
CREATE ROLE sec_scorer;
SELECT ubehav_grant('sec_aa', 'analyst'), ubehav_grant('sec_bb', 'analyst'), ubehav_grant('sec_scorer', 'scorer');
CREATE TABLE sec_private AS SELECT i::float8 AS x, (i % 7 < 3) AS y FROM generate_series(1, 300) i;
CREATE TABLE sec_public AS SELECT * FROM sec_private;
GRANT SELECT ON sec_private TO sec_aa;
GRANT SELECT ON sec_public TO sec_aa, sec_bb, sec_scorer;
GRANT CREATE ON SCHEMA public TO sec_bb;

SET ROLE sec_aa;
SELECT lives_ok($$SELECT ubehav_train('ma', 'SELECT x, y FROM sec_private WHERE x > 10', 'y', '{"epochs": 2, "hidden": [4], "seed": 1}')$$, 'aa trains on its private table');
CREATE TEMP TABLE sec_before AS SELECT ubehav_predict('ma', ARRAY[50.0]) AS p;
RESET ROLE;
GRANT SELECT ON sec_before TO sec_bb;

-- the grants 0.1.0's README gave analysts, to show that row-level security holds without relying on them
GRANT SELECT, INSERT, UPDATE, DELETE ON ubehav_models, ubehav_model_owners, ubehav_deployments TO sec_bb;

SET ROLE sec_bb;
SELECT is((SELECT count(*) FROM ubehav_training_queries WHERE name = 'ma'), 0::bigint,
          'another analyst does not see the training query in ubehav_training_queries');
SELECT is((SELECT count(*)::int FROM ubehav_models WHERE name = 'ma'), 1, 'it does see the model''s row, to score it');
SELECT lives_ok($$UPDATE ubehav_models SET weights = weights || '\x00'::bytea WHERE name = 'ma'$$,
                'an UPDATE of another role''s weights runs...');
SELECT is((SELECT p FROM sec_before), ubehav_predict('ma', ARRAY[50.0]), '...but changes nothing: the model scores as before');
SELECT lives_ok($$DELETE FROM ubehav_models WHERE name = 'ma'$$, 'a DELETE of another role''s model runs...');
SELECT lives_ok($$DELETE FROM ubehav_model_owners WHERE name = 'ma'$$, 'and a DELETE of its owner row...');
SELECT lives_ok($$DELETE FROM ubehav_deployments WHERE name = 'ma'$$, 'and of its deployments...');
RESET ROLE;
SELECT is((SELECT count(*)::int FROM ubehav_models WHERE name = 'ma'), 1, '...and the model is still there');
SELECT is((SELECT owner::text FROM ubehav_model_owners WHERE name = 'ma'), 'sec_aa', 'with its owner');
SELECT is((SELECT count(*)::int FROM ubehav_deployments WHERE name = 'ma'), 1, 'and its deployment record');

SET ROLE sec_bb;
SELECT throws_ok($$INSERT INTO ubehav_models SELECT name, 99, task, target, options, preprocessing, feature_names, feature_types, class_labels,
                    metrics, training_log, weights, 'SELECT 1', 'sec_bb', trained_at, rows_used, rows_skipped, training_ms, false, NULL
                    FROM ubehav_models WHERE name = 'ma'$$,
                 '42501', NULL, 'a version cannot be inserted under another role''s model name');
SELECT throws_ok($$INSERT INTO ubehav_model_owners (name, owner) VALUES ('forged', 'sec_aa')$$, '42501', NULL,
                 'a name cannot be claimed for another role');
SELECT throws_ok($$INSERT INTO ubehav_deployments (name, version) VALUES ('ma', 1)$$, '42501', NULL,
                 'nor a deployment recorded for it');
SELECT throws_ok($$SELECT ubehav_train('ma', 'SELECT x, y FROM sec_public', 'y', '{"epochs": 1}')$$, '42501',
                 'model "ma" belongs to role "sec_aa"', 'ubehav_train refuses to add a version');
SELECT throws_ok($$SELECT ubehav_deploy('ma', 1)$$, '42501', 'model "ma" belongs to role "sec_aa"', 'ubehav_deploy refuses');
SELECT throws_ok($$SELECT ubehav_rollback('ma')$$, '42501', 'model "ma" belongs to role "sec_aa"', 'ubehav_rollback refuses');
SELECT throws_ok($$SELECT ubehav_drop_model('ma')$$, '42501', 'model "ma" belongs to role "sec_aa"', 'ubehav_drop_model refuses');
SELECT throws_ok($$SELECT ubehav_retrain('ma')$$, '42501', 'model "ma" belongs to role "sec_aa"', 'ubehav_retrain refuses');
-- forging trained_by on a version of its own model
SELECT lives_ok($$SELECT ubehav_tune('mt', 'SELECT x, y FROM sec_public', 'y', '{"grid": {"hidden": [[2], [3]]}, "options": {"epochs": 1}}')$$,
                'an analyst tunes (the grants include the sequence ubehav_tuning_run)');
SELECT lives_ok($$SELECT ubehav_train('mb', 'SELECT x, y FROM sec_public', 'y', '{"epochs": 1, "hidden": [2]}')$$, 'bb trains a model of its own');
SELECT throws_ok($$INSERT INTO ubehav_models SELECT name, 50, task, target, options, preprocessing, feature_names, feature_types,
                    class_labels, metrics, training_log, weights, training_query, 'sec_aa', trained_at, rows_used, rows_skipped,
                    training_ms, false, NULL FROM ubehav_models WHERE name = 'mb'$$,
                 '42501', NULL, 'trained_by cannot be forged');

-- escalation: code that makes its author superuser when a superuser runs it
CREATE FUNCTION sec_escalate() RETURNS float8 LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user) THEN
        EXECUTE 'ALTER ROLE sec_bb SUPERUSER';
    END IF;
    RETURN 1;
END $$;
SELECT lives_ok($$UPDATE ubehav_models SET training_query = 'SELECT x, y, public.sec_escalate() AS e FROM sec_private' WHERE name = 'ma'$$,
                'rewriting another role''s training query runs...');
SELECT lives_ok($$UPDATE ubehav_models SET training_query = 'SELECT x, y, public.sec_escalate() AS e FROM sec_public' WHERE name = 'mb'$$,
                'and its own model''s query may call its own code');
RESET ROLE;
SELECT is((SELECT training_query FROM ubehav_models WHERE name = 'ma' AND deployed), 'SELECT x, y FROM sec_private WHERE x > 10',
          '...but the other role''s query is unchanged');
-- a superuser (or its scheduled job) retrains bb's model: the query runs with bb's rights
SELECT lives_ok($$SELECT ubehav_retrain('mb')$$, 'a superuser retrains the model whose query calls the escalation');
CALL ubehav_retrain_job('mb');
SELECT is((SELECT rolsuper FROM pg_roles WHERE rolname = 'sec_bb'), false,
          'the query ran with its owner''s rights: its author did not become superuser');
SELECT is((SELECT trained_by::text FROM ubehav_models WHERE name = 'mb' ORDER BY version DESC LIMIT 1), 'sec_bb',
          'and the new versions are the owner''s');

-- least privilege: a role with the scorer grants scores but cannot call what writes the catalog
SET ROLE sec_scorer;
SELECT ok(ubehav_predict('ma', ARRAY[50.0]) BETWEEN 0 AND 1, 'a scorer scores');
SELECT throws_ok($$SELECT ubehav_train('s1', 'SELECT x, y FROM sec_public', 'y')$$, '42501', 'permission denied for function ubehav_train',
                 'a scorer cannot call ubehav_train');
SELECT throws_ok($$SELECT ubehav_tune('s1', 'SELECT x, y FROM sec_public', 'y', '{"grid": {"hidden": [[2]]}}')$$, '42501', 'permission denied for function ubehav_tune',
                 'a scorer cannot call ubehav_tune');
SELECT throws_ok($$SELECT ubehav_retrain('ma')$$, '42501', 'permission denied for function ubehav_retrain',
                 'a scorer cannot call ubehav_retrain');
SELECT throws_ok($$CALL ubehav_retrain_job('ma')$$, '42501', 'permission denied for procedure ubehav_retrain_job',
                 'a scorer cannot call ubehav_retrain_job');
SELECT throws_ok($$SELECT ubehav_deploy('ma', 1)$$, '42501', 'permission denied for function ubehav_deploy',
                 'a scorer cannot call ubehav_deploy');
SELECT throws_ok($$SELECT ubehav_rollback('ma')$$, '42501', 'permission denied for function ubehav_rollback',
                 'a scorer cannot call ubehav_rollback');
SELECT throws_ok($$SELECT ubehav_drop_model('ma')$$, '42501', 'permission denied for function ubehav_drop_model',
                 'a scorer cannot call ubehav_drop_model');
SELECT throws_ok($$SELECT ubehav_import('s1', ubehav_export('ma'))$$, '42501', 'permission denied for function ubehav_import',
                 'a scorer cannot call ubehav_import');
SELECT throws_ok($$SELECT ubehav_refresh_scores('ma', 'SELECT 1::bigint, x FROM sec_public')$$, '42501', 'permission denied for function ubehav_refresh_scores',
                 'a scorer cannot call ubehav_refresh_scores');
RESET ROLE;
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname::text) FROM pg_proc p
           JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
           JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'ubehav'
           WHERE has_function_privilege('sec_scorer', p.oid, 'EXECUTE')
             AND p.proname IN ('ubehav_train', 'ubehav_tune', 'ubehav_retrain', 'ubehav_retrain_job', 'ubehav_deploy',
                               'ubehav_rollback', 'ubehav_drop_model', 'ubehav_import', 'ubehav_refresh_scores',
                               'ubehav_refresh_scores_with_path', 'ubehav_grant')), NULL,
          'the scorer may execute none of the functions that write the catalog');

SELECT * FROM finish();
ROLLBACK;
