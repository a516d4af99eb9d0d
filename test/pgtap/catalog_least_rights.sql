-- Least rights: nothing in ubehav lets a role read a table it cannot read, or another role's
-- training query and weights without a GRANT; only a model's owner changes it.
BEGIN;
CREATE EXTENSION IF NOT EXISTS pgtap;
CREATE EXTENSION IF NOT EXISTS ubehav;
SET client_min_messages = warning;
SELECT plan(24);

CREATE ROLE lp_owner;
CREATE ROLE lp_reader;      -- scores and reads metrics; cannot see the queries or the weights
CREATE ROLE lp_stranger;    -- may train its own models; no SELECT on the owner's data
SELECT setseed(0.4);
CREATE TABLE lp_secret AS SELECT i::float8 AS x, random() AS z, (i % 5 < 2) AS y FROM generate_series(1, 400) i;
CREATE TABLE lp_public AS SELECT * FROM lp_secret;
GRANT SELECT ON lp_secret, lp_public TO lp_owner;
GRANT SELECT ON lp_public TO lp_stranger, lp_reader;
SELECT ubehav_grant('lp_owner', 'analyst'), ubehav_grant('lp_stranger', 'analyst');
GRANT SELECT (name, version, task, target, preprocessing, class_labels, metrics, deployed, rows_used, trained_at,
              trained_by, training_log) ON ubehav_models TO lp_reader;
GRANT SELECT ON ubehav_model_summary TO lp_reader;

SET ROLE lp_owner;
SELECT lives_ok($$SELECT ubehav_train('lp', 'SELECT x, z, y FROM lp_secret', 'y', '{"epochs": 2, "hidden": [4]}')$$,
                'the owner trains on a table it can read');
RESET ROLE;

-- every function that runs a query runs it as the caller
SET ROLE lp_stranger;
SELECT ok(ubehav_train('lp_mine', 'SELECT x, z, y FROM lp_public', 'y', '{"epochs": 1, "hidden": [2]}') IS NOT NULL,
          'a stranger trains a model of its own');
SELECT throws_ok($$SELECT ubehav_train('lp_s', 'SELECT x, z, y FROM lp_secret', 'y', '{"epochs": 1}')$$, '42501', NULL,
                 'no SELECT on the table: ubehav_train refuses');
SELECT throws_ok($$SELECT ubehav_evaluate('lp', 'SELECT x, z, y FROM lp_secret')$$, '42501', NULL,
                 'ubehav_evaluate cannot read it either');
SELECT throws_ok($$SELECT ubehav_refresh_scores('lp', 'SELECT 1::bigint AS id, x, z FROM lp_secret')$$, '42501',
                 'model "lp" belongs to role "lp_owner"', 'nor ubehav_refresh_scores, which writes only its own models'' scores');
SELECT throws_ok($$SELECT ubehav_refresh_scores('lp_mine', 'SELECT 1::bigint AS id, x, z FROM lp_secret')$$, '42501',
                 'permission denied for table lp_secret', 'and its own model''s refresh reads the query as the caller');
SELECT throws_ok($$SELECT * FROM ubehav_roc_curve('lp', 'SELECT x, z, y FROM lp_secret')$$, '42501', NULL,
                 'nor ubehav_roc_curve');
SELECT throws_ok($$SELECT * FROM ubehav_feature_importance('lp', 'SELECT x, z, y FROM lp_secret', 1)$$, '42501', NULL,
                 'nor ubehav_feature_importance');
SELECT throws_ok($$SELECT ubehav_cross_validate('SELECT x, z, y FROM lp_secret', 'y', '{"epochs": 1}', 2)$$, '42501', NULL,
                 'nor ubehav_cross_validate');
SELECT throws_ok($$SELECT ubehav_fit(ARRAY[x], y, '{}') FROM lp_secret$$, '42501', NULL,
                 'nor the ubehav_fit aggregate');
-- another's model: no replacing, deploying, rolling back, retraining or dropping
SELECT throws_ok($$SELECT ubehav_train('lp', 'SELECT x, z, y FROM lp_public', 'y', '{"epochs": 1, "hidden": [4]}')$$, '42501',
                 'model "lp" belongs to role "lp_owner"', 'a stranger cannot add a version to the owner''s model');
SELECT throws_ok($$SELECT ubehav_retrain('lp')$$, '42501', NULL, 'nor retrain it (its query is the owner''s)');
SELECT throws_ok($$SELECT ubehav_deploy('lp', 1)$$, '42501', 'model "lp" belongs to role "lp_owner"', 'nor deploy it');
SELECT throws_ok($$SELECT ubehav_drop_model('lp')$$, '42501', 'model "lp" belongs to role "lp_owner"', 'nor drop it');
RESET ROLE;
SELECT is((SELECT count(*) FROM ubehav_models WHERE name = 'lp'), 1::bigint, 'the owner''s model is untouched');

-- the reader scores and reads metrics, but neither the training query nor the weights
SET ROLE lp_reader;
SELECT throws_ok($$SELECT training_query FROM ubehav_models$$, '42501', NULL, 'a reader cannot read the training query');
SELECT throws_ok($$SELECT weights FROM ubehav_models$$, '42501', NULL, 'nor the weights');
SELECT throws_ok($$SELECT ubehav_export('lp')$$, '42501', NULL, 'nor export them through ubehav_export');
SELECT throws_ok($$SELECT ubehav_predict('lp', ARRAY[1.0, 0.5])$$, '42501', NULL, 'without the weights it cannot score');
SELECT is((SELECT count(*) FROM ubehav_model_summary WHERE name = 'lp'), 1::bigint, 'it reads the summary view');
SELECT ok((SELECT count(*) > 0 FROM ubehav_training_log('lp')), 'and the training log');
RESET ROLE;
GRANT SELECT (weights, xmin) ON ubehav_models TO lp_reader;
SET ROLE lp_reader;
SELECT cmp_ok(ubehav_predict('lp', ARRAY[1.0, 0.5]), '>=', 0::float8, 'granted the weights, it scores');
SELECT throws_ok($$SELECT ubehav_train('lp_r', 'SELECT x, z, y FROM lp_public', 'y', '{"epochs": 1}')$$, '42501', NULL,
                 'a scoring role cannot train');
RESET ROLE;

-- the summary view checks the caller's rights on the catalog, not the extension owner's
REVOKE SELECT ON ubehav_model_summary FROM lp_reader;
GRANT SELECT ON ubehav_model_summary TO lp_stranger;
REVOKE SELECT, INSERT, UPDATE, DELETE ON ubehav_models FROM lp_stranger;
SET ROLE lp_stranger;
SELECT throws_ok($$SELECT * FROM ubehav_model_summary$$, '42501', NULL,
                 'the summary view runs with the caller''s rights (security_invoker)');
RESET ROLE;

SELECT * FROM finish();
ROLLBACK;
