-- Differentially private training (DP-SGD with an RDP accountant).
\set SHOW_CONTEXT never
SELECT setseed(0.21);
CREATE TABLE dp AS SELECT i AS id, random() AS a, random() AS b, random() AS c FROM generate_series(1, 4000) i;
ALTER TABLE dp ADD COLUMN y boolean;
UPDATE dp SET y = (a - 0.5) * (b - 0.5) > 0 OR c > 0.9;
-- at epsilon 8 and 1 the model still learns, less well as the budget shrinks, and the spent epsilon is stored
CREATE TABLE dp_runs AS
SELECT m, (s->'metrics'->>'auc')::float8 AS auc, s->'metrics'->'dp' AS dp
FROM (VALUES ('dp_none', '{"epochs": 5, "batch_size": 256, "learning_rate": 0.005, "seed": 1}'::jsonb),
             ('dp_eps8', '{"epochs": 5, "batch_size": 256, "learning_rate": 0.005, "seed": 1, "dp_epsilon": 8}'),
             ('dp_eps1', '{"epochs": 5, "batch_size": 256, "learning_rate": 0.005, "seed": 1, "dp_epsilon": 1}')) v(m, o),
     LATERAL (SELECT ubehav_train(m, 'SELECT a, b, c, y FROM dp', 'y', o) AS s) x;
SELECT m, auc > CASE m WHEN 'dp_none' THEN 0.95 WHEN 'dp_eps8' THEN 0.9 ELSE 0.8 END AS learned,
       round((dp->>'epsilon')::numeric, 6) AS epsilon_spent, (dp->>'delta')::float8 AS delta,
       (dp->>'noise_multiplier')::float8 > 0 AS noised, dp->>'max_grad_norm' AS max_grad_norm, dp->>'steps' AS steps
FROM dp_runs ORDER BY m;
SELECT (SELECT auc FROM dp_runs WHERE m = 'dp_none') >= (SELECT auc FROM dp_runs WHERE m = 'dp_eps8') AS private_costs_accuracy,
       (SELECT (dp->>'noise_multiplier')::float8 FROM dp_runs WHERE m = 'dp_eps1') >
       (SELECT (dp->>'noise_multiplier')::float8 FROM dp_runs WHERE m = 'dp_eps8') AS smaller_budget_more_noise;
SELECT metrics->'dp'->>'epsilon' IS NOT NULL AS in_catalog, metrics->'dp'->>'sampling' AS sampling, options->'dp_epsilon' AS dp_epsilon, options->'early_stopping' AS early_stopping
FROM ubehav_models WHERE name = 'dp_eps1';
-- the training log keeps no training loss of a private model (it is not noised), only validation figures
SELECT m.name, bool_and(e->'loss' = 'null'::jsonb) AS no_training_loss, bool_and(jsonb_typeof(e->'val_loss') = 'number') AS val_loss_kept
FROM ubehav_models m, jsonb_array_elements(m.training_log) e WHERE m.name IN ('dp_none', 'dp_eps1') GROUP BY m.name ORDER BY m.name;
-- a given noise multiplier: the epsilon it spends is reported
SELECT (s->'metrics'->'dp'->>'epsilon')::float8 > 0 AS reported, s->'metrics'->'dp'->>'noise_multiplier' AS noise_multiplier
FROM ubehav_train('dp_noise', 'SELECT a, b, c, y FROM dp', 'y', '{"epochs": 1, "batch_size": 256, "noise_multiplier": 1.5, "dp_delta": 0.00001}') s;
-- regression and multiclass heads train privately too
SELECT s->>'task' AS task, round((s->'metrics'->'dp'->>'epsilon')::numeric, 6) AS epsilon_spent, (s->'metrics'->>'r2')::float8 > 0.9 AS learned
FROM ubehav_train('dp_reg', 'SELECT a, b, c, 3 * a - 2 * b AS t FROM dp', 't', '{"epochs": 5, "batch_size": 128, "learning_rate": 0.005, "dp_epsilon": 4, "seed": 3}') s;
SELECT s->>'task' AS task, round((s->'metrics'->'dp'->>'epsilon')::numeric, 6) AS epsilon_spent, (s->'metrics'->>'accuracy')::float8 > 0.8 AS learned
FROM ubehav_train('dp_mc', 'SELECT a, b, CASE WHEN a < 0.33 THEN ''lo'' WHEN a < 0.66 THEN ''mid'' ELSE ''hi'' END AS k FROM dp', 'k', '{"epochs": 5, "batch_size": 128, "learning_rate": 0.005, "dp_epsilon": 4, "seed": 3}') s;
-- the Poisson samples and the noise come from the seeded generator: one seed, one model
SELECT count(ubehav_train('dp_rep', 'SELECT a, b, c, y FROM dp', 'y', '{"epochs": 2, "batch_size": 256, "dp_epsilon": 2, "seed": 9}')) AS trained
FROM generate_series(1, 2) s;
SELECT count(*) AS versions, count(DISTINCT weights) AS distinct_weights FROM ubehav_models WHERE name = 'dp_rep';
SELECT ubehav_train('dp_rep', 'SELECT a, b, c, y FROM dp', 'y', '{"epochs": 2, "batch_size": 256, "dp_epsilon": 2, "seed": 10}') IS NOT NULL AS another_seed;
SELECT count(*) AS versions, count(DISTINCT weights) AS distinct_weights FROM ubehav_models WHERE name = 'dp_rep';
-- a budget that cannot be met, and options that would break the guarantee
SELECT ubehav_train('dp_bad', 'SELECT a, b, c, y FROM dp', 'y', '{"epochs": 50, "dp_epsilon": 0.01}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('dp_bad', 'SELECT a, b, c, y FROM dp', 'y', '{"dp_epsilon": 1, "dropout": 0.2}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('dp_bad', 'SELECT a, b, c, y FROM dp', 'y', '{"dp_epsilon": 1, "early_stopping": true}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('dp_bad', 'SELECT a, b, c, y FROM dp', 'y', '{"dp_epsilon": 1, "learning_rate_schedule": "reduce_on_plateau"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_train('dp_bad', 'SELECT a, b, c, y FROM dp', 'y', '{"dp_epsilon": 1, "noise_multiplier": 1}');
\echo :LAST_ERROR_SQLSTATE
-- a search would spend the budget once per trial on the same rows, while the stored epsilon counts one
SELECT ubehav_tune('dp_bad', 'SELECT a, b, c, y FROM dp', 'y', '{"grid": {"hidden": [[4], [8]]}, "options": {"dp_epsilon": 1, "epochs": 1}}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_tune('dp_bad', 'SELECT a, b, c, y FROM dp', 'y', '{"grid": {"dp_epsilon": [1, 8]}, "options": {"epochs": 1}}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS dp_bad_versions FROM ubehav_models WHERE name = 'dp_bad';
SELECT count(*) AS dp_bad_trials FROM ubehav_trials WHERE model = 'dp_bad';
