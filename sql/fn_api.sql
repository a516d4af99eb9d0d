-- The SQL API end to end on a small deterministic table.
SELECT setseed(0.25);
CREATE TABLE sessions AS
SELECT i AS session_id,
       (random() * 10)::int AS pages,
       (random() * 600)::float8 AS duration_s,
       (ARRAY['mobile', 'desktop', 'tablet'])[1 + (random() * 2)::int] AS device,
       random() < 0.4 AS returning_visitor,
       ARRAY[random(), random()]::real[] AS embedding
FROM generate_series(1, 600) i;
ALTER TABLE sessions ADD COLUMN purchased boolean;
UPDATE sessions SET purchased = (pages > 5 AND duration_s > 200) OR (returning_visitor AND device = 'desktop');
-- NULLs in every kind of feature column, and two rows without a target
UPDATE sessions SET pages = NULL WHERE session_id % 50 = 0;
UPDATE sessions SET device = NULL WHERE session_id % 45 = 0;
UPDATE sessions SET returning_visitor = NULL WHERE session_id % 40 = 0;
UPDATE sessions SET embedding = NULL WHERE session_id % 35 = 0;
UPDATE sessions SET purchased = NULL WHERE session_id IN (7, 8);

SELECT s->>'model' AS model, s->>'version' AS version, s->>'task' AS task,
       s->>'rows_used' AS rows_used, s->>'rows_skipped' AS rows_skipped,
       s->>'features' AS features, s->>'inputs' AS inputs,
       s->>'training_rows' AS training_rows, s->>'validation_rows' AS validation_rows,
       (s->'metrics'->>'auc')::float8 > 0.8 AS auc_ok,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(s->'metrics') k) AS metric_keys
FROM ubehav_train('purchase',
                  'SELECT pages, duration_s, device, returning_visitor, embedding, purchased FROM sessions',
                  'purchased', '{"seed": 7, "epochs": 15}') s;

-- the catalog row: options with defaults filled in, preprocessing, labels, losses per epoch
SELECT name, version, task, target, feature_names, feature_types, class_labels, deployed,
       rows_used, rows_skipped, trained_by = current_user AS by_me,
       options, jsonb_array_length(training_log) = (metrics->>'epochs_run')::int AS epochs_logged,
       training_log->0 ? 'val_loss' AS logs_val_loss,
       preprocessing->'columns'->2->'categories' AS device_vocabulary,
       (SELECT array_agg(c->>'nulls') FROM jsonb_array_elements(preprocessing->'columns') c) AS nulls_seen
FROM ubehav_models WHERE name = 'purchase';

-- scoring by row: every row gets a probability, including rows with NULLs
SELECT count(*) AS scored, bool_and(p BETWEEN 0 AND 1) AS all_probabilities
FROM (SELECT ubehav_predict('purchase', s) AS p FROM sessions s) q;
-- the class at the model's stored decision threshold, and probabilities that sum to one
SELECT bool_and(ubehav_predict_class('purchase', s) = CASE WHEN ubehav_predict('purchase', s) >=
                (SELECT (metrics->>'threshold')::float8 FROM ubehav_models WHERE name = 'purchase' AND deployed)
                THEN 'true' ELSE 'false' END) AS class_matches,
       bool_and(abs((ubehav_predict_proba('purchase', s))[1] + (ubehav_predict_proba('purchase', s))[2] - 1) < 1e-9) AS proba_sums_to_one,
       bool_and(array_length(ubehav_predict_proba('purchase', s), 1) = 2) AS two_classes
FROM sessions s;
-- an unseen category scores like any other row
SELECT ubehav_predict('purchase', r) BETWEEN 0 AND 1 AS unseen_category_ok
FROM (SELECT 3 AS pages, 100.0::float8 AS duration_s, 'smart-tv' AS device, true AS returning_visitor,
             ARRAY[0.5, 0.5]::real[] AS embedding) r;

-- the array form, on a model of numeric columns only, agrees with the row form exactly
SELECT ubehav_train('numeric_only', 'SELECT pages, duration_s, embedding, purchased FROM sessions WHERE pages IS NOT NULL AND embedding IS NOT NULL',
                    'purchased', '{"seed": 3, "epochs": 3, "hidden": [16]}')->>'version' AS version;
SELECT count(*) AS rows_compared,
       bool_and(ubehav_predict('numeric_only', s) = ubehav_predict('numeric_only', ARRAY[pages, duration_s, embedding[1], embedding[2]]::float8[])) AS same_score,
       bool_and(ubehav_predict('numeric_only', ARRAY[pages, duration_s, embedding[1], embedding[2]]::real[]) BETWEEN 0 AND 1) AS real_array_accepted
FROM sessions s WHERE pages IS NOT NULL AND embedding IS NOT NULL;

-- retraining makes version 2 the deployed one; version 1 stays in the catalog
SELECT ubehav_train('purchase', 'SELECT pages, duration_s, device, returning_visitor, embedding, purchased FROM sessions',
                    'purchased', '{"seed": 8, "epochs": 2}')->>'version' AS version;
SELECT name, version, deployed FROM ubehav_models WHERE name = 'purchase' ORDER BY version;

-- evaluation on labelled rows
SELECT e->>'model' AS model, e->>'version' AS version, e->>'rows' AS rows, e->>'rows_skipped' AS rows_skipped,
       (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(e) k) AS keys
FROM ubehav_evaluate('purchase', 'SELECT * FROM sessions') e;

-- multiclass: labels in sorted order, probabilities per class
SELECT ubehav_train('device', 'SELECT pages, duration_s, returning_visitor, device FROM sessions',
                    'device', '{"seed": 1, "epochs": 2}')->>'task' AS task;
SELECT class_labels FROM ubehav_models WHERE name = 'device';
SELECT bool_and(abs((SELECT sum(p) FROM unnest(ubehav_predict_proba('device', s)) p) - 1) < 1e-6) AS sums_to_one,
       bool_and(ubehav_predict_class('device', s) IN ('desktop', 'mobile', 'tablet')) AS known_labels
FROM sessions s;
SELECT (e->>'accuracy') IS NOT NULL AND (e->>'macro_f1') IS NOT NULL AND (e->>'log_loss') IS NOT NULL AS multiclass_metrics
FROM ubehav_evaluate('device', 'SELECT * FROM sessions') e;

-- regression: standardized target, predictions in the target's units
SELECT ubehav_train('duration', 'SELECT pages, device, duration_s * 10 + 5000 AS y FROM sessions',
                    'y', '{"seed": 1, "epochs": 5}')->>'task' AS task;
SELECT avg(ubehav_predict('duration', s)) BETWEEN 6000 AND 9000 AS in_target_units
FROM (SELECT pages, device FROM sessions) s;
SELECT (SELECT array_agg(k ORDER BY k) FROM jsonb_object_keys(e) k) AS keys
FROM ubehav_evaluate('duration', 'SELECT pages, device, duration_s * 10 + 5000 AS y FROM sessions') e;

-- integer targets with two values are binary, with more are classes
SELECT ubehav_train('int_binary', 'SELECT pages, (pages > 5)::int AS y FROM sessions WHERE pages IS NOT NULL', 'y',
                    '{"epochs": 1, "hidden": [4]}')->>'task' AS task;
SELECT class_labels FROM ubehav_models WHERE name = 'int_binary';
SELECT ubehav_train('int_classes', 'SELECT duration_s, pages % 3 AS y FROM sessions', 'y',
                    '{"epochs": 1, "hidden": [4]}')->>'task' AS task;
SELECT class_labels FROM ubehav_models WHERE name = 'int_classes';
-- the task can be forced
SELECT ubehav_train('forced', 'SELECT duration_s, pages % 3 AS y FROM sessions', 'y',
                    '{"epochs": 1, "hidden": [4], "task": "regression"}')->>'task' AS task;
-- no hidden layer is logistic regression; other optimizers and activations
SELECT ubehav_train('variants', 'SELECT pages, duration_s, purchased FROM sessions', 'purchased',
                    '{"epochs": 2, "hidden": [], "optimizer": "sgd"}')->>'parameters' AS logistic_parameters;
SELECT ubehav_train('variants', 'SELECT pages, duration_s, purchased FROM sessions', 'purchased',
                    '{"epochs": 2, "hidden": [8, 8, 8], "activation": "tanh", "optimizer": "momentum", "nesterov": true, "learning_rate": 0.05, "momentum": 0.8}')->>'version' AS version;
SELECT options FROM ubehav_models WHERE name = 'variants' ORDER BY version;
-- validation_split 0 trains on every row and says so
SELECT s->'metrics'->>'evaluated_on' AS evaluated_on, s->>'validation_rows' AS validation_rows
FROM ubehav_train('all_rows', 'SELECT pages, duration_s, purchased FROM sessions', 'purchased',
                  '{"epochs": 1, "validation_split": 0}') s;

-- scoring functions are STABLE (on model values, and the shards' twin, IMMUTABLE), STRICT and PARALLEL SAFE
SELECT p.oid::regprocedure, provolatile, proisstrict, proparallel
FROM pg_proc p WHERE proname LIKE 'ubehav_predict%' ORDER BY 1::text;
SELECT ubehav_predict('purchase', NULL::float8[]) IS NULL AS strict_null;

-- ubehav_refresh_scores: exactly ubehav_predict per row, stored under each key with the deployed version
\set SHOW_CONTEXT never
SELECT ubehav_refresh_scores('purchase', 'SELECT session_id, * FROM sessions') AS scored;
SELECT count(*) AS stored, count(DISTINCT s.key) AS keys, bool_and(s.score = ubehav_predict('purchase', t)) AS same_scores,
       bool_and(s.version = m.version) AS deployed_version
FROM ubehav_scores s JOIN sessions t ON t.session_id = s.key JOIN ubehav_models m ON m.name = s.model AND m.deployed
WHERE s.model = 'purchase';
-- a refresh replaces the model's rows: keys the query no longer returns disappear
SELECT ubehav_refresh_scores('purchase', 'SELECT session_id, * FROM sessions WHERE session_id <= 100') AS rescored;
SELECT count(*) AS stored, min(key) AS min_key, max(key) AS max_key FROM ubehav_scores WHERE model = 'purchase';
-- regression scores are in the target's units; a smallint key and a trailing semicolon are accepted
SELECT ubehav_refresh_scores('duration', 'SELECT session_id::smallint, pages, device FROM sessions;') AS scored;
SELECT count(*) AS stored, bool_and(s.score = ubehav_predict('duration', t)) AS same_scores,
       avg(s.score) BETWEEN 6000 AND 9000 AS in_target_units
FROM ubehav_scores s JOIN sessions t ON t.session_id = s.key WHERE s.model = 'duration';
-- the key column can be a feature too: the row keeps the query's column names
SELECT ubehav_train('keyed', 'SELECT session_id, pages, purchased FROM sessions', 'purchased',
                    '{"seed": 1, "epochs": 1, "hidden": [4]}')->>'version' AS version;
SELECT ubehav_refresh_scores('keyed', 'SELECT session_id, pages FROM sessions') AS scored;
SELECT count(*) AS stored, bool_and(s.score = ubehav_predict('keyed', t)) AS same_scores
FROM ubehav_scores s JOIN sessions t ON t.session_id = s.key WHERE s.model = 'keyed';
-- each error is clear and leaves ubehav_scores as it was
CREATE TEMP TABLE scores_before AS SELECT * FROM ubehav_scores;
SELECT ubehav_refresh_scores('purchase', 'SELECT device, pages FROM sessions');
SELECT ubehav_refresh_scores('purchase', 'SELECT duration_s, * FROM sessions');
SELECT ubehav_refresh_scores('purchase', 'SELECT nullif(session_id, 300), * FROM sessions');
SELECT ubehav_refresh_scores('purchase', 'SELECT session_id, pages FROM sessions');
SELECT ubehav_refresh_scores('nope', 'SELECT session_id, * FROM sessions');
BEGIN;
UPDATE ubehav_models SET deployed = false WHERE name = 'purchase';
SELECT ubehav_refresh_scores('purchase', 'SELECT session_id, * FROM sessions');
ROLLBACK;
SELECT ubehav_refresh_scores('device', 'SELECT session_id, pages, duration_s, returning_visitor FROM sessions');
SELECT ubehav_refresh_scores('device', 'SELECT session_id, pages, duration_s, returning_visitor FROM sessions WHERE false');
SELECT ubehav_refresh_scores('purchase', 'DELETE FROM sessions RETURNING session_id, *');
SELECT ubehav_refresh_scores('purchase', 'SELECT session_id, * FROM sessions; DROP TABLE sessions');
SELECT count(*) AS sessions_untouched FROM sessions;
-- other test files of the suite may have stored scores too: compare with the snapshot, not a count
SELECT count(*) > 0 AND count(*) = (SELECT count(*) FROM scores_before) AS row_count_unchanged,
       NOT EXISTS ((SELECT * FROM ubehav_scores EXCEPT ALL SELECT * FROM scores_before)
                   UNION ALL (SELECT * FROM scores_before EXCEPT ALL SELECT * FROM ubehav_scores)) AS scores_unchanged
FROM ubehav_scores;
\set SHOW_CONTEXT errors
-- STRICT: a NULL model or query changes nothing and returns NULL
SELECT ubehav_refresh_scores(NULL, 'SELECT 1') IS NULL AS null_model, ubehav_refresh_scores('purchase', NULL) IS NULL AS null_query,
       (SELECT count(*) FROM ubehav_scores WHERE model = 'purchase') AS purchase_rows_kept;
