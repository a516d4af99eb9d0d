-- Versions and deployment: deploy, rollback, drop, retrain, deploy never, ownership, summary.
\set SHOW_CONTEXT never
SELECT setseed(0.6);
CREATE TABLE lc AS SELECT i AS id, random() AS a, random() AS b FROM generate_series(1, 600) i;
ALTER TABLE lc ADD COLUMN y boolean;
UPDATE lc SET y = a + b > 1;
SELECT s->>'version' AS version, s->>'deployed' AS deployed
FROM ubehav_train('lc', 'SELECT a, b, y FROM lc', 'y', '{"epochs": 2, "hidden": [4], "seed": 1}') s;
SELECT s->>'version' AS version, s->>'deployed' AS deployed
FROM ubehav_train('lc', 'SELECT a, b, y FROM lc', 'y', '{"epochs": 2, "hidden": [4], "seed": 2}') s;
-- a version trained with "deploy": "never" waits; scoring still uses version 2
SELECT s->>'version' AS version, s->>'deployed' AS deployed
FROM ubehav_train('lc', 'SELECT a, b, y FROM lc', 'y', '{"epochs": 2, "hidden": [4], "seed": 3, "deploy": "never"}') s;
SELECT version FROM ubehav_models WHERE name = 'lc' AND deployed;
CREATE TEMP TABLE probe AS SELECT ubehav_predict('lc', ARRAY[0.3, 0.9]) AS v2;
SELECT ubehav_deploy('lc', 3);
SELECT version FROM ubehav_models WHERE name = 'lc' AND deployed;
SELECT ubehav_predict('lc', ARRAY[0.3, 0.9]) <> v2 AS scores_with_v3 FROM probe;
SELECT ubehav_rollback('lc') AS rolled_back_to;
SELECT ubehav_predict('lc', ARRAY[0.3, 0.9]) = v2 AS scores_with_v2_again FROM probe;
SELECT name, version FROM ubehav_deployments WHERE name = 'lc' ORDER BY id;
-- retrain reruns the stored query, target and options with overrides
SELECT s->>'version' AS version, s->'metrics'->>'epochs_run' AS epochs_run
FROM ubehav_retrain('lc', '{"epochs": 1, "early_stopping": false}') s;
SELECT options->>'seed' AS seed_kept, options->>'epochs' AS epochs_overridden FROM ubehav_models WHERE name = 'lc' AND version = 4;
-- drop: not the deployed version; one version; the whole model
SELECT ubehav_drop_model('lc', 4);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_drop_model('lc', 1) AS dropped;
SELECT array_agg(version ORDER BY version) AS versions FROM ubehav_models WHERE name = 'lc';
SELECT ubehav_drop_model('lc', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_deploy('lc', 99);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_deploy('nope', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('lc', 'SELECT a, y FROM lc', 'y', '{"deploy": "sometimes"}');
\echo :LAST_ERROR_SQLSTATE
-- the dashboard view
SELECT name, deployed_version, task, rows_used, auc > 0.5 AS has_auc, versions, age >= interval '0' AS has_age
FROM ubehav_model_summary WHERE name = 'lc';
-- only the owner (or a superuser) replaces, deploys or drops
CREATE ROLE ubehav_lc_other;
SELECT ubehav_grant('ubehav_lc_other', 'analyst');
GRANT SELECT ON lc TO ubehav_lc_other;
SET ROLE ubehav_lc_other;
SELECT ubehav_train('lc', 'SELECT a, b, y FROM lc', 'y', '{"epochs": 1, "hidden": [2]}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_deploy('lc', 2);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_drop_model('lc');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('lc_other', 'SELECT a, b, y FROM lc', 'y', '{"epochs": 1, "hidden": [2]}')->>'version' AS own_model;
SELECT ubehav_drop_model('lc_other') AS dropped_own;
RESET ROLE;
SELECT ubehav_drop_model('lc') AS dropped_all;
SELECT count(*) AS left_over FROM ubehav_models WHERE name = 'lc';
DROP OWNED BY ubehav_lc_other;
DROP ROLE ubehav_lc_other;

-- export and import: the round trip scores identically; damaged exports are refused
SELECT ubehav_train('lc_x', 'SELECT a, b, y FROM lc', 'y', '{"epochs": 1, "hidden": [4], "seed": 1}')->>'version' AS version;
SELECT e->>'format' AS format, e->'network'->'hidden' AS hidden, jsonb_array_length(e->'network'->'layers') AS layers,
       jsonb_array_length(e->'network'->'layers'->0->'W') AS inputs
FROM ubehav_export('lc_x') e;
SELECT ubehav_import('lc_x_copy', ubehav_export('lc_x')) AS imported_version;
SELECT bool_and(ubehav_predict('lc_x', l) = ubehav_predict('lc_x_copy', l)) AS identical FROM lc l;
SELECT ubehav_import('lc_bad', ubehav_export('lc_x') #- '{network,layers,0,b,0}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_import('lc_bad', jsonb_set(ubehav_export('lc_x'), '{network,head}', '"softmax"'));
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_import('lc_bad', jsonb_set(ubehav_export('lc_x'), '{network,layers,0,W,0,0}', '"NaN"'));
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_import('lc_bad', '{"format": "onnx"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_import('lc_bad', jsonb_set(ubehav_export('lc_x'), '{preprocessing,n_inputs}', '99'));
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS lc_bad_versions FROM ubehav_models WHERE name = 'lc_bad';

-- BI outputs: the latest scores in one call, and the HTML report
SELECT ubehav_refresh_scores('lc_x', 'SELECT id, a, b FROM lc') AS scored;
SELECT count(*) AS rows, bool_and(s.score = ubehav_predict('lc_x', l)) AS equals_ubehav_predict,
       min(version) = max(version) AS one_version
FROM ubehav_scores s JOIN lc l ON l.id = s.key WHERE s.model = 'lc_x';
SELECT ubehav_refresh_scores('lc_x', 'SELECT id, a, b FROM lc WHERE id <= 10') AS rescored;
SELECT count(*) AS rows_now FROM ubehav_scores WHERE model = 'lc_x';
SELECT r LIKE '<!DOCTYPE html>%' AS html, (length(r) - length(replace(r, '<svg', ''))) / 4 AS charts,
       r NOT LIKE '%<script%' AS no_scripts
FROM ubehav_html_report('lc_x', 'SELECT * FROM lc') r;
SELECT ubehav_html_report('nope', 'SELECT 1');
\echo :LAST_ERROR_SQLSTATE
