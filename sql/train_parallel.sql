-- Parallel training (issue 16.3): deterministic for a seed at a given worker count, as good as
-- the one-core model, the one-core model unchanged when no worker trains, and a cancelled
-- parallel training leaves no worker behind.
SET ubehav.parallel_min_rows = 1000;
SET max_parallel_workers = 8;
SELECT setseed(0.42);
CREATE TABLE par AS
SELECT i AS id, ARRAY[random(), random(), random(), random(), random(), random(), random(), random()] AS f
FROM generate_series(1, 40000) i;
ALTER TABLE par ADD COLUMN y boolean;
UPDATE par SET y = (f[1] - 0.5) * (f[2] - 0.5) * 4 + 0.6 * (f[3] - 0.5) + 0.3 * sin(6 * f[4]) + 0.25 * (random() - 0.5) > 0;
CREATE TEMP TABLE runs (run text, summary jsonb);
\set opts '{"epochs": 10, "hidden": [32, 16], "seed": 5, "batch_size": 64}'

-- one core: the setting 0, and too few rows for parallel training, train the same serial model
SET ubehav.parallel_workers = 0;
INSERT INTO runs SELECT 'serial', ubehav_train('par_serial', 'SELECT f, y FROM par', 'y', :'opts');
SET ubehav.parallel_workers = 1;
SET ubehav.parallel_min_rows = 1000000;
INSERT INTO runs SELECT 'below min rows', ubehav_train('par_serial', 'SELECT f, y FROM par', 'y', :'opts');
SET ubehav.parallel_min_rows = 1000;
-- no worker free: the serial model, and the metrics say why
SET max_parallel_workers = 0;
INSERT INTO runs SELECT 'none launched', ubehav_train('par_serial', 'SELECT f, y FROM par', 'y', :'opts');
SET max_parallel_workers = 8;
SELECT version, weights = (SELECT weights FROM ubehav_models WHERE name = 'par_serial' AND version = 1) AS same_as_serial,
       metrics->'parallel'->>'participants' AS participants, metrics->'parallel'->>'reason' AS reason
FROM ubehav_models WHERE name = 'par_serial' ORDER BY version;

-- one worker beside the leader, twice: the same bytes
INSERT INTO runs SELECT 'one worker', ubehav_train('par_1', 'SELECT f, y FROM par', 'y', :'opts');
INSERT INTO runs SELECT 'one worker again', ubehav_train('par_1', 'SELECT f, y FROM par', 'y', :'opts');
-- three participants on this machine's cores: another model, deterministic too
SET ubehav.parallel_workers = 2;
INSERT INTO runs SELECT 'two workers', ubehav_train('par_2', 'SELECT f, y FROM par', 'y', :'opts');
INSERT INTO runs SELECT 'two workers again', ubehav_train('par_2', 'SELECT f, y FROM par', 'y', :'opts');
SELECT name, count(*) AS versions, count(DISTINCT weights) AS distinct_weights,
       min(metrics->'parallel'->>'participants') AS participants,
       min(metrics->'parallel'->>'workers_launched') AS launched,
       min(metrics->'parallel'->>'combine') AS combine,
       min((metrics->'parallel'->>'epochs_averaged')::int) AS epochs_averaged
FROM ubehav_models WHERE name IN ('par_1', 'par_2') GROUP BY name ORDER BY name;
SELECT (SELECT weights FROM ubehav_models WHERE name = 'par_1' AND version = 1) <>
       (SELECT weights FROM ubehav_models WHERE name = 'par_2' AND version = 1) AS worker_count_changes_model,
       (SELECT weights FROM ubehav_models WHERE name = 'par_1' AND version = 1) <>
       (SELECT weights FROM ubehav_models WHERE name = 'par_serial' AND version = 1) AS parallel_is_not_serial;

-- nearly as good as one core on these 32,000 training rows: each participant makes 1/P of an
-- epoch's steps, so the averaged model learns less per epoch than the serial one (at 1M rows,
-- bench/parallel_train.sh, the difference is within 0.005)
SELECT r.run, abs((r.summary->'metrics'->>'auc')::float8 - (s.summary->'metrics'->>'auc')::float8) < 0.01 AS auc_within_001,
       abs((r.summary->'metrics'->>'auc')::float8 - (s.summary->'metrics'->>'auc')::float8) < 0.02 AS auc_within_002,
       (r.summary->'metrics'->>'auc')::float8 > 0.96 AS auc_good,
       jsonb_array_length(m.training_log) AS epochs_logged
FROM runs r JOIN runs s ON s.run = 'serial'
JOIN ubehav_models m ON m.name = r.summary->>'model' AND m.version = (r.summary->>'version')::int
WHERE r.run IN ('one worker', 'two workers') ORDER BY r.run;
-- and scores like it
SELECT corr(ubehav_predict('par_1', f), ubehav_predict('par_serial', f)) > 0.97 AS same_scores,
       corr(ubehav_predict('par_2', f), ubehav_predict('par_serial', f)) > 0.95 AS same_scores_3
FROM par WHERE id <= 5000;

-- early stopping, a schedule, dropout and class weights run in parallel as in serial
SET ubehav.parallel_workers = 1;
SELECT (s->'metrics'->'parallel'->>'participants')::int AS participants, (s->'metrics'->>'auc')::float8 > 0.9 AS auc_good,
       (s->>'epochs_run')::int BETWEEN 1 AND 30 AS epochs_run
FROM (SELECT ubehav_train('par_opts', 'SELECT f, y FROM par', 'y',
      '{"epochs": 30, "hidden": [16], "seed": 2, "early_stopping": true, "patience": 2, "learning_rate_schedule": "cosine", "dropout": [0.1], "class_weight": "balanced"}') s) t;

-- cancelled by statement_timeout during the epochs: a clean error, no parallel worker left
SET statement_timeout = '1500ms';
SELECT ubehav_train('par_cancel', 'SELECT f, y FROM par', 'y', '{"epochs": 100000, "early_stopping": false, "hidden": [32, 16]}');
\echo :LAST_ERROR_SQLSTATE
RESET statement_timeout;
SELECT count(*) AS parallel_workers_left FROM pg_stat_activity WHERE backend_type = 'parallel worker';
SELECT count(*) AS cancelled_versions FROM ubehav_models WHERE name = 'par_cancel';
-- and the next training in this session works
SELECT (ubehav_train('par_after', 'SELECT f, y FROM par', 'y', :'opts')->'metrics'->'parallel'->>'participants')::int AS participants;
-- a text model trains in parallel too: its rows are sparse (input, weight) pairs, wider than its
-- inputs when there are few slots, and every participant reads them at that width
SET ubehav.parallel_workers = 1;
CREATE TABLE par_docs AS
SELECT i, (CASE WHEN i % 2 = 0 THEN 'great tasty love' ELSE 'awful stale bad' END) || ' ' ||
       (ARRAY['tea', 'coffee', 'snack', 'bar', 'chips', 'cookie', 'jam', 'rice'])[1 + i % 8] || ' ' ||
       (ARRAY['box', 'bag', 'jar', 'pack'])[1 + i % 4] AS review, (i % 2 = 0) <> (i % 10 = 3) AS y
FROM generate_series(1, 6000) i;
\set text_opts '{"text_columns": ["review"], "text_slots": 64, "epochs": 5, "seed": 3, "ensemble": 1}'
SELECT ubehav_train('par_text', 'SELECT review, y FROM par_docs', 'y', :'text_opts') IS NOT NULL AS trained;
SELECT ubehav_train('par_text', 'SELECT review, y FROM par_docs', 'y', :'text_opts') IS NOT NULL AS trained_again;
SET ubehav.parallel_workers = 0;
SELECT ubehav_train('par_text_serial', 'SELECT review, y FROM par_docs', 'y', :'text_opts') IS NOT NULL AS trained_serial;
SELECT min(metrics->'parallel'->>'participants') AS participants, count(DISTINCT weights) AS distinct_weights
FROM ubehav_models WHERE name = 'par_text';
SELECT abs((SELECT (metrics->>'auc')::float8 FROM ubehav_models WHERE name = 'par_text' AND version = 1)
         - (SELECT (metrics->>'auc')::float8 FROM ubehav_models WHERE name = 'par_text_serial')) < 0.02 AS auc_near_serial,
       (SELECT (metrics->>'auc')::float8 FROM ubehav_models WHERE name = 'par_text' AND version = 1) > 0.85 AS auc_good;
RESET ubehav.parallel_workers;
RESET ubehav.parallel_min_rows;
