-- Cross-validation and hyperparameter search.
\set SHOW_CONTEXT never
SELECT setseed(0.9);
CREATE TABLE cv AS SELECT i AS id, random() AS x1, random() AS x2, random() AS x3 FROM generate_series(1, 1200) i;
ALTER TABLE cv ADD COLUMN y boolean;
UPDATE cv SET y = x1 * x2 + 0.3 * x3 + 0.1 * random() > 0.45;

-- 4 stratified folds: every row is tested once; early stopping and the F1 threshold watch 20 % of
-- the other folds (validation_split), never the tested fold, so the metrics are on unseen rows
SELECT fold, training_rows, validation_rows, test_rows, metrics->>'evaluated_on' AS evaluated_on,
       (metrics->>'evaluated_rows')::bigint = test_rows AS metrics_on_test_rows, (metrics->>'auc')::float8 > 0.95 AS good
FROM ubehav_cv_folds('SELECT x1, x2, x3, y FROM cv', 'y', '{"epochs": 20, "hidden": [16], "seed": 3, "learning_rate": 0.01}', 4);
-- without validation rows the other folds all train
SELECT fold, training_rows, validation_rows, test_rows, metrics->>'evaluated_on' AS evaluated_on
FROM ubehav_cv_folds('SELECT x1, x2, x3, y FROM cv', 'y', '{"epochs": 2, "hidden": [4], "validation_split": 0}', 3);
SELECT ubehav_cv_folds('SELECT x1, y FROM cv LIMIT 2', 'y', '{"epochs": 2}', 2);
\echo :LAST_ERROR_SQLSTATE
SELECT jsonb_array_length(r->'folds') AS folds,
       abs((r->'mean'->>'auc')::float8 - (SELECT avg((f->'metrics'->>'auc')::float8) FROM jsonb_array_elements(r->'folds') f)) < 1e-12 AS mean_of_folds,
       (r->'std'->>'auc')::float8 BETWEEN 0 AND 0.02 AS small_spread,
       r->'mean' ? 'pr_auc' AS has_pr_auc
FROM ubehav_cross_validate('SELECT x1, x2, x3, y FROM cv', 'y', '{"epochs": 20, "hidden": [16], "seed": 3, "learning_rate": 0.01}', 4) r;
-- seeded: the same call gives the same folds and metrics
SELECT a = b AS reproducible
FROM ubehav_cross_validate('SELECT x1, x2, x3, y FROM cv', 'y', '{"epochs": 2, "hidden": [4]}', 3) a,
     ubehav_cross_validate('SELECT x1, x2, x3, y FROM cv', 'y', '{"epochs": 2, "hidden": [4]}', 3) b;
-- regression and multiclass work too; nothing is stored
SELECT (ubehav_cross_validate('SELECT x1, x2, x3 * 10 AS t FROM cv', 't', '{"epochs": 2, "hidden": [4]}', 3)->'mean') ? 'rmse' AS regression;
SELECT count(*) AS stored FROM ubehav_models WHERE training_query LIKE '%FROM cv%';
SELECT ubehav_cross_validate('SELECT x1, y FROM cv', 'y', '{}', 1);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_cross_validate('SELECT x1, y FROM cv LIMIT 3', 'y', '{}', 5);
\echo :LAST_ERROR_SQLSTATE

-- grid search: every combination is a recorded trial, and the best is deployed
SELECT r->>'trials' AS trials, r->>'metric' AS metric, r->>'version' AS version
FROM ubehav_tune('tuned', 'SELECT x1, x2, x3, y FROM cv', 'y',
                 '{"grid": {"learning_rate": [0.0005, 0.01], "hidden": [[4], [32, 16]]}, "options": {"epochs": 4, "seed": 5}}') r;
SELECT trial, options->'hidden' AS hidden, options->'learning_rate' AS learning_rate, best, version
FROM ubehav_trials WHERE model = 'tuned' ORDER BY trial;
SELECT t.metric_value = max(all_t.metric_value) AS best_is_max
FROM ubehav_trials t, ubehav_trials all_t WHERE t.model = 'tuned' AND t.best AND all_t.model = 'tuned' GROUP BY t.metric_value;
-- the deployed version is the best trial's model: retraining with its options gives the same weights
SELECT (m.metrics->>'auc')::float8 = t.metric_value AS deployed_is_best
FROM ubehav_models m JOIN ubehav_trials t ON t.version = m.version AND t.model = m.name WHERE m.name = 'tuned' AND m.deployed;
SELECT ubehav_train('retrained', 'SELECT x1, x2, x3, y FROM cv', 'y', options)->>'version' AS version
FROM ubehav_trials WHERE model = 'tuned' AND best;
SELECT a.weights = b.weights AS same_weights FROM ubehav_models a, ubehav_models b WHERE a.name = 'tuned' AND b.name = 'retrained';

-- the long form {"method": ..., "space": ...} runs the same search: the same trials, the same values
SELECT r->>'trials' AS trials, r->>'best_trial' AS best_trial
FROM ubehav_tune('tuned_long', 'SELECT x1, x2, x3, y FROM cv', 'y',
                 '{"method": "grid", "space": {"learning_rate": [0.0005, 0.01], "hidden": [[4], [32, 16]]},
                   "metric": "auc", "options": {"epochs": 4, "seed": 5}}') r;
SELECT count(*) AS trials, bool_and(a.options = b.options AND a.metric_value = b.metric_value AND a.best = b.best) AS same_search
FROM ubehav_trials a JOIN ubehav_trials b USING (trial) WHERE a.model = 'tuned' AND b.model = 'tuned_long';
SELECT r->>'trials' AS trials
FROM ubehav_tune('random_long', 'SELECT x1, x2, x3, y FROM cv', 'y',
                 '{"method": "random", "trials": 2, "seed": 1, "space": {"learning_rate": {"log_uniform": [0.0001, 0.01]}},
                   "options": {"epochs": 1}}') r;
SELECT count(*) AS trials, bool_and((options->>'learning_rate')::float8 BETWEEN 0.0001 AND 0.01) AS in_range,
       count(DISTINCT options->>'learning_rate') AS distinct_rates
FROM ubehav_trials WHERE model = 'random_long';

-- random search with distributions, and a metric to minimise
SELECT r->>'trials' AS trials, r->>'metric' AS metric
FROM ubehav_tune('random', 'SELECT x1, x2, x3, y FROM cv', 'y',
                 '{"random": {"learning_rate": {"log_uniform": [0.0001, 0.01]}, "dropout": {"uniform": [0, 0.3]}, "hidden": [[8], [16]]},
                   "trials": 3, "seed": 2, "metric": "log_loss", "options": {"epochs": 2}}') r;
SELECT count(*) AS trials, bool_and((options->>'learning_rate')::float8 BETWEEN 0.0001 AND 0.01) AS in_range,
       bool_and(NOT best OR metric_value = (SELECT min(metric_value) FROM ubehav_trials WHERE model = 'random')) AS best_is_min
FROM ubehav_trials WHERE model = 'random';

-- a trial that diverges is recorded as failed (its error in metrics, no value) and the search goes on
SELECT r->>'trials' AS trials, r->>'best_trial' AS best_trial, r->'best_options'->>'learning_rate' AS learning_rate
FROM ubehav_tune('diverging', 'SELECT x1, x2, x3, x1 * x2 * 1e3 AS t FROM cv', 't',
                 '{"grid": {"learning_rate": [10, 0.01]}, "options": {"epochs": 5, "optimizer": "sgd", "hidden": [64, 64]}}') r;
SELECT trial, metrics->>'error' AS error, metrics->>'sqlstate' AS sqlstate, metric_value IS NULL AS no_value, best,
       training_ms >= 0 AS timed
FROM ubehav_trials WHERE model = 'diverging' ORDER BY trial;
SELECT count(*) AS deployed_versions FROM ubehav_models WHERE name = 'diverging' AND deployed;
-- when every trial fails the search is an error that says why the first one did
SELECT ubehav_tune('all_diverging', 'SELECT x1, x2, x3, x1 * x2 * 1e3 AS t FROM cv', 't',
                   '{"grid": {"learning_rate": [10]}, "options": {"epochs": 5, "optimizer": "sgd", "hidden": [64, 64]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS kept FROM ubehav_trials WHERE model = 'all_diverging';
-- other errors, a cancel among them, still end the search with nothing kept
SET statement_timeout = '100ms';
SELECT ubehav_tune('cancelled', 'SELECT x1, x2, x3, y FROM cv', 'y',
                   '{"grid": {"learning_rate": [0.001, 0.002, 0.003]}, "options": {"epochs": 500, "hidden": [64], "early_stopping": false}}');
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT count(*) AS kept FROM ubehav_trials WHERE model = 'cancelled';

-- search errors
SELECT ubehav_tune('bad', 'SELECT x1, y FROM cv', 'y', '{"grid": {"learning_rate": [0.1]}, "random": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_tune('bad', 'SELECT x1, y FROM cv', 'y', '{"grid": {"validation_split": [0.1, 0.2]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_tune('bad', 'SELECT x1, y FROM cv', 'y', '{"grid": {"epochs": [0]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_tune('bad', 'SELECT x1, y FROM cv', 'y', '{"grid": {"learning_rate": 0.1}}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_tune('bad', 'SELECT x1, y FROM cv', 'y', '{"grid": {"epochs": [1]}, "metric": "rmse"}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_tune('bad', 'SELECT x1, y FROM cv', 'y', '{"grid": {"epochs": [1]}, "budget": 5}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_tune('bad', 'SELECT x1, y FROM cv', 'y', '{"method": "bayes", "space": {"epochs": [1]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_tune('bad', 'SELECT x1, y FROM cv', 'y', '{"method": "grid", "space": {"epochs": [1]}, "grid": {"epochs": [2]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_tune('bad', 'SELECT x1, y FROM cv', 'y', '{"method": "grid", "space": {"epochs": [1]}, "trials": 3}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_tune('bad', 'SELECT x1, y FROM cv', 'y', '{"space": {"epochs": [1]}}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_tune('bad', 'SELECT x1, y FROM cv', 'y', '{"method": "random", "space": {"epochs": [1]}, "trials": 1e12}');
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_tune('bad', 'SELECT x1, y FROM cv', 'y', '{"method": "random", "space": {"epochs": [1]}, "seed": -1}');
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) AS bad_versions FROM ubehav_models WHERE name = 'bad';
