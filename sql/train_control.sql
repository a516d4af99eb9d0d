-- Training control: regularization, dropout, early stopping, schedules, weights, clipping, thresholds.
\set SHOW_CONTEXT never
-- small and noisy: a big network overfits it within a few epochs
SELECT setseed(0.5);
CREATE TABLE noisy AS
SELECT i AS id, random() AS x1, random() AS x2, random() AS x3, random() AS x4, random() AS x5
FROM generate_series(1, 400) i;
ALTER TABLE noisy ADD COLUMN y boolean;
UPDATE noisy SET y = (x1 + 0.5 * x2 + 0.8 * random() > 1.1);

CREATE FUNCTION val_losses(m text) RETURNS float8[] LANGUAGE sql AS
$$ SELECT array_agg((e->>'val_loss')::float8 ORDER BY (e->>'epoch')::int)
   FROM ubehav_models, jsonb_array_elements(training_log) e WHERE name = m AND deployed $$;

-- without early stopping the validation loss rises well above its minimum by the last epoch
SELECT ubehav_train('overfit', 'SELECT x1, x2, x3, x4, x5, y FROM noisy', 'y',
                    '{"seed": 1, "epochs": 60, "hidden": [256, 256], "learning_rate": 0.01, "early_stopping": false}')->'metrics'->>'epochs_run' AS epochs_run;
SELECT v[array_length(v, 1)] > 1.2 * (SELECT min(x) FROM unnest(v) x) AS val_loss_rose
FROM val_losses('overfit') v;

-- early stopping stops a few epochs after the best one and keeps the best epoch's weights
SELECT s->'metrics'->>'stopped_early' AS stopped_early,
       (s->'metrics'->>'epochs_run')::int - (s->'metrics'->>'best_epoch')::int AS epochs_after_best,
       (s->'metrics'->>'epochs_run')::int < 60 AS stopped_before_60
FROM ubehav_train('stopped', 'SELECT x1, x2, x3, x4, x5, y FROM noisy', 'y',
                  '{"seed": 1, "epochs": 60, "hidden": [256, 256], "learning_rate": 0.01, "patience": 4, "ensemble": 1}') s;
SELECT abs((metrics->>'log_loss')::float8 - (SELECT min(x) FROM unnest(val_losses('stopped')) x)) < 1e-4 AS kept_best_weights
FROM ubehav_models WHERE name = 'stopped';

-- l2 keeps the validation loss down at the end of the same long run
SELECT ubehav_train('l2', 'SELECT x1, x2, x3, x4, x5, y FROM noisy', 'y',
                    '{"seed": 1, "epochs": 60, "hidden": [256, 256], "learning_rate": 0.01, "early_stopping": false, "l2": 0.01}')->'metrics'->>'epochs_run' AS epochs_run;
SELECT (SELECT v[60] FROM val_losses('l2') v) < 0.8 * (SELECT v[60] FROM val_losses('overfit') v) AS l2_lower_final_val_loss;
-- so do l1 and dropout, less strongly
SELECT (SELECT v[60] FROM val_losses(m) v) < (SELECT v[60] FROM val_losses('overfit') v) AS lower_than_unregularized
FROM (SELECT ubehav_train('l1', 'SELECT x1, x2, x3, x4, x5, y FROM noisy', 'y',
                          '{"seed": 1, "epochs": 60, "hidden": [256, 256], "learning_rate": 0.01, "early_stopping": false, "l1": 0.0005}')->>'model' AS m
      UNION ALL
      SELECT ubehav_train('dropout', 'SELECT x1, x2, x3, x4, x5, y FROM noisy', 'y',
                          '{"seed": 1, "epochs": 60, "hidden": [256, 256], "learning_rate": 0.01, "early_stopping": false, "dropout": [0.5, 0.5]}')->>'model') q;

-- learning-rate schedules, as logged per epoch
CREATE FUNCTION rates(m text) RETURNS float8[] LANGUAGE sql AS
$$ SELECT array_agg(round((e->>'learning_rate')::numeric, 6)::float8 ORDER BY (e->>'epoch')::int)
   FROM ubehav_models, jsonb_array_elements(training_log) e WHERE name = m AND deployed $$;
SELECT ubehav_train('step', 'SELECT x1, x2, y FROM noisy', 'y',
                    '{"epochs": 6, "hidden": [4], "early_stopping": false, "learning_rate": 0.01, "learning_rate_schedule": {"type": "step", "factor": 0.5, "step_size": 2}}') IS NOT NULL AS trained;
SELECT rates('step');
SELECT ubehav_train('exponential', 'SELECT x1, x2, y FROM noisy', 'y',
                    '{"epochs": 4, "hidden": [4], "early_stopping": false, "learning_rate": 0.01, "learning_rate_schedule": {"type": "exponential", "factor": 0.9}}') IS NOT NULL AS trained;
SELECT rates('exponential');
SELECT ubehav_train('cosine', 'SELECT x1, x2, y FROM noisy', 'y',
                    '{"epochs": 4, "hidden": [4], "early_stopping": false, "learning_rate": 0.01, "learning_rate_schedule": "cosine"}') IS NOT NULL AS trained;
SELECT rates('cosine');
SELECT ubehav_train('plateau', 'SELECT x1, x2, x3, x4, x5, y FROM noisy', 'y',
                    '{"seed": 1, "epochs": 30, "hidden": [256, 256], "learning_rate": 0.01, "early_stopping": false, "learning_rate_schedule": {"type": "reduce_on_plateau", "factor": 0.1, "patience": 2}}') IS NOT NULL AS trained;
SELECT r[1] AS first_rate, r[30] < r[1] AS reduced_on_plateau FROM rates('plateau') r;

-- class weights: balanced weighting raises the recall of a rare class at the default threshold
CREATE TABLE rare AS SELECT id, x1, x2, (x1 > 0.85 AND random() < 0.9) AS y FROM noisy;
SELECT (b.s->'metrics'->>'f1_at_0.5')::float8 >= (u.s->'metrics'->>'f1_at_0.5')::float8 AS balanced_helps_at_half
FROM (SELECT ubehav_train('unweighted', 'SELECT x1, x2, y FROM rare', 'y', '{"seed": 2, "epochs": 5, "hidden": [8]}') s) u,
     (SELECT ubehav_train('balanced', 'SELECT x1, x2, y FROM rare', 'y', '{"seed": 2, "epochs": 5, "hidden": [8], "class_weight": "balanced"}') s) b;
SELECT options->'class_weight' FROM ubehav_models WHERE name = 'balanced';
SELECT ubehav_train('explicit', 'SELECT x1, x2, y FROM rare', 'y', '{"epochs": 1, "hidden": [4], "class_weight": {"true": 5}}')->>'task' AS task;
SELECT ubehav_train('explicit', 'SELECT x1, x2, y FROM rare', 'y', '{"epochs": 1, "class_weight": {"yes": 5}}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('explicit', 'SELECT x1, x2, x1 + x2 AS y FROM rare', 'y', '{"epochs": 1, "class_weight": "balanced"}');
\echo :LAST_ERROR_SQLSTATE

-- sample weights: rows of weight 0 do not count, so contradicting copies of the data are ignored
CREATE TABLE weighted AS
SELECT x1, x2, y, 1.0 AS w FROM noisy UNION ALL SELECT x1, x2, NOT y, 0.0 FROM noisy UNION ALL SELECT x1, x2, y, NULL FROM noisy LIMIT 1000;
SELECT s->>'features' AS features, s->>'rows_used' AS rows_used
FROM ubehav_train('sample_weighted', 'SELECT x1, x2, y, w FROM weighted', 'y', '{"seed": 3, "epochs": 10, "hidden": [16], "sample_weight": "w"}') s;
SELECT ubehav_train('not_weighted', 'SELECT x1, x2, y FROM weighted WHERE w IS NOT NULL', 'y', '{"seed": 3, "epochs": 10, "hidden": [16]}')->>'rows_used' AS rows_used;
SELECT (ubehav_evaluate('sample_weighted', 'SELECT x1, x2, y FROM noisy')->>'auc')::float8 > 0.75 AS weighted_learned,
       (ubehav_evaluate('not_weighted', 'SELECT x1, x2, y FROM noisy')->>'auc')::float8 <
       (ubehav_evaluate('sample_weighted', 'SELECT x1, x2, y FROM noisy')->>'auc')::float8 - 0.1 AS unweighted_confused;
SELECT feature_names FROM ubehav_models WHERE name = 'sample_weighted';
SELECT ubehav_train('sample_weighted', 'SELECT x1, x2, y, -w AS w FROM weighted', 'y', '{"sample_weight": "w"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('sample_weighted', 'SELECT x1, x2, y FROM weighted', 'y', '{"sample_weight": "w"}');
\echo :LAST_ERROR_SQLSTATE

-- gradient clipping keeps a huge learning rate on a regression from diverging
SELECT ubehav_train('clipped', 'SELECT x1, x2, x1 * 1000 AS y FROM noisy', 'y',
                    '{"epochs": 3, "optimizer": "sgd", "learning_rate": 5, "clipnorm": 0.5, "hidden": [8]}')->>'task' AS task;
-- (standard scaling: the default's smooth clipping bounds the inputs, which alone keeps this one finite)
SELECT ubehav_train('unclipped', 'SELECT x1, x2, x1 * 1000 AS y FROM noisy', 'y',
                    '{"epochs": 3, "optimizer": "sgd", "learning_rate": 5, "hidden": [8], "scaling": "standard"}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS unclipped_versions FROM ubehav_models WHERE name = 'unclipped';

-- thresholds: the F1-maximising one by default, or the one asked for
SELECT (metrics->>'threshold')::float8 = (metrics->>'threshold_f1')::float8 AS default_is_f1,
       (metrics->>'f1')::float8 >= (metrics->>'f1_at_0.5')::float8 AS f1_not_worse
FROM ubehav_models WHERE name = 'unweighted';
SELECT (s->'metrics'->>'threshold')::float8 AS threshold
FROM ubehav_train('half', 'SELECT x1, x2, y FROM rare', 'y', '{"seed": 2, "epochs": 5, "hidden": [8], "threshold": 0.5}') s;
SELECT bool_and(ubehav_predict_class('half', r) = (ubehav_predict('half', r) >= 0.5)::text) AS class_at_half FROM rare r;

-- option errors
SELECT ubehav_train('bad', 'SELECT x1, y FROM noisy', 'y', '{"dropout": [0.1], "hidden": [4, 4]}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('bad', 'SELECT x1, y FROM noisy', 'y', '{"dropout": 1}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('bad', 'SELECT x1, y FROM noisy', 'y', '{"early_stopping": true, "validation_split": 0}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('bad', 'SELECT x1, y FROM noisy', 'y', '{"learning_rate_schedule": "linear"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('bad', 'SELECT x1, y FROM noisy', 'y', '{"learning_rate_schedule": {"type": "step", "gamma": 0.5}}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('bad', 'SELECT x1, y FROM noisy', 'y', '{"threshold": "youden"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('bad', 'SELECT x1, y FROM noisy', 'y', '{"class_weight": "auto"}');
\echo :LAST_ERROR_SQLSTATE
-- the stored options are valid options: retraining from them reproduces the model exactly
SELECT ubehav_train('again', 'SELECT x1, x2, x3, x4, x5, y FROM noisy', 'y', options)->>'version' AS version
FROM ubehav_models WHERE name = 'stopped';
SELECT a.weights = b.weights AS identical_weights FROM ubehav_models a, ubehav_models b WHERE a.name = 'stopped' AND b.name = 'again';
