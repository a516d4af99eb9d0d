-- Model values trained on different rows, merged (issue 16.2): ubehav_fit in parallel
-- aggregation, rounds of per-shard training with ubehav_fit_from and ubehav_merge_models.
\set SHOW_CONTEXT never
SELECT setseed(0.3);
CREATE TABLE mg AS
SELECT i AS id, i % 2 AS shard, ARRAY[random(), random(), random(), random(), random(), random()] AS f
FROM generate_series(1, 30000) i;
ALTER TABLE mg ADD COLUMN y boolean, ADD COLUMN kind text;
UPDATE mg SET y = (f[1] - 0.5) * (f[2] - 0.5) * 4 + 0.6 * (f[3] - 0.5) + 0.25 * (random() - 0.5) > 0;
UPDATE mg SET kind = CASE WHEN f[1] + f[2] < 0.7 THEN 'low' WHEN f[1] + f[2] < 1.3 THEN 'mid' ELSE 'high' END;
ANALYZE mg;
\set opts '{"epochs": 3, "hidden": [16, 8], "seed": 3}'

-- ubehav_fit on one process, then in parallel aggregation with one and with two workers
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE fits AS SELECT 'serial' AS run, ubehav_fit(f, y, :'opts') AS v FROM mg WHERE id <= 24000;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers = 8;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF) SELECT ubehav_fit(f, y, :'opts') FROM mg WHERE id <= 24000;
INSERT INTO fits SELECT 'two workers', ubehav_fit(f, y, :'opts') FROM mg WHERE id <= 24000;
SET max_parallel_workers_per_gather = 1;
INSERT INTO fits SELECT 'one worker', ubehav_fit(f, y, :'opts') FROM mg WHERE id <= 24000;
-- the rows are put in one order before training: the same model whatever the worker count
SELECT (SELECT v->'network' FROM fits WHERE run = 'one worker') = (SELECT v->'network' FROM fits WHERE run = 'two workers') AS same_model_any_worker_count,
       (SELECT v->'metrics'->>'rows_used' FROM fits WHERE run = 'two workers') AS rows_used;
-- the same rows in another order: not the serial model's bytes, as good on held-out rows
SELECT f.run, abs(ubehav_auc(ubehav_predict(f.v, m.f), m.y) - ubehav_auc(ubehav_predict(s.v, m.f), m.y)) < 0.02 AS auc_near_serial,
       ubehav_auc(ubehav_predict(f.v, m.f), m.y) > 0.9 AS auc_good
FROM fits f, fits s, mg m WHERE s.run = 'serial' AND f.run <> 'serial' AND m.id > 24000 GROUP BY f.run ORDER BY f.run;
-- text labels too
SET max_parallel_workers_per_gather = 2;
SELECT v->'class_labels' AS labels, (v->'metrics'->>'rows_used')::int AS rows_used, (v->'metrics'->>'accuracy')::float8 > 0.8 AS accurate
FROM (SELECT ubehav_fit(f, kind, '{"epochs": 3, "hidden": [8], "seed": 1}') AS v FROM mg) t;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

-- per-shard training in rounds: round 0 on a sample gives the shared preprocessing, each round
-- starts every shard from the last merged value (ubehav_fit_from) and merges the shards' models
CREATE TEMP TABLE rounds (round int, v jsonb);
INSERT INTO rounds SELECT 0, ubehav_fit(f, y, '{"epochs": 1, "hidden": [16, 8], "seed": 3}') FROM mg WHERE id <= 2000;
CREATE TEMP TABLE shard_fits (round int, shard int, rows bigint, v jsonb);
INSERT INTO shard_fits SELECT 1, shard, count(*), ubehav_fit_from((SELECT v FROM rounds WHERE round = 0), f, y, '{"epochs": 1}')
FROM mg WHERE id <= 24000 GROUP BY shard;
INSERT INTO rounds SELECT 1, ubehav_merge_models(array_agg(v ORDER BY shard), array_agg(rows ORDER BY shard)) FROM shard_fits WHERE round = 1;
INSERT INTO shard_fits SELECT 2, shard, count(*), ubehav_fit_from((SELECT v FROM rounds WHERE round = 1), f, y, '{"epochs": 1}')
FROM mg WHERE id <= 24000 GROUP BY shard;
INSERT INTO rounds SELECT 2, ubehav_merge_models(array_agg(v ORDER BY shard), array_agg(rows ORDER BY shard)) FROM shard_fits WHERE round = 2;
INSERT INTO shard_fits SELECT 3, shard, count(*), ubehav_fit_from((SELECT v FROM rounds WHERE round = 2), f, y, '{"epochs": 1}')
FROM mg WHERE id <= 24000 GROUP BY shard;
INSERT INTO rounds SELECT 3, ubehav_merge_models(array_agg(v ORDER BY shard), array_agg(rows ORDER BY shard)) FROM shard_fits WHERE round = 3;
SELECT round, v->'metrics'->>'merged_models' AS merged_models, v->'metrics'->>'rows_used' AS rows_used,
       v->'metrics'->'rows_per_model' AS rows_per_model, v->'preprocessing' = (SELECT v->'preprocessing' FROM rounds WHERE round = 0) AS preprocessing_kept,
       v->'network'->'hidden' AS hidden, v->'options'->>'epochs' AS epochs
FROM rounds ORDER BY round;
-- the merged model of three rounds beside one-server training of 3 epochs on the same rows (held-out AUC)
SELECT abs(ubehav_auc(ubehav_predict(r.v, m.f), m.y) - ubehav_auc(ubehav_predict(s.v, m.f), m.y)) < 0.02 AS merged_near_single_server,
       ubehav_auc(ubehav_predict(r.v, m.f), m.y) > 0.9 AS merged_good,
       ubehav_auc(ubehav_predict(r.v, m.f), m.y) > ubehav_auc(ubehav_predict(r0.v, m.f), m.y) AS rounds_improve
FROM rounds r, rounds r0, fits s, mg m WHERE r.round = 3 AND r0.round = 0 AND s.run = 'serial' AND m.id > 24000;

-- averaging by hand: a model merged with itself keeps every weight; weights are the row-weighted mean
SELECT ubehav_merge_models(ARRAY[v, v], ARRAY[3, 1]::bigint[])->'network' = v->'network' AS self_merge_keeps_weights
FROM rounds WHERE round = 0;
SELECT abs((m->'network'->'layers'->0->'b'->>0)::float8
           - (3 * (a->'network'->'layers'->0->'b'->>0)::float8 + (b->'network'->'layers'->0->'b'->>0)::float8) / 4) < 1e-6 AS bias_is_weighted_mean,
       abs((m->'network'->'layers'->1->'W'->0->>0)::float8
           - (3 * (a->'network'->'layers'->1->'W'->0->>0)::float8 + (b->'network'->'layers'->1->'W'->0->>0)::float8) / 4) < 1e-6 AS weight_is_weighted_mean,
       abs((m->'metrics'->>'threshold')::float8 - (3 * (a->'metrics'->>'threshold')::float8 + (b->'metrics'->>'threshold')::float8) / 4) < 1e-9 AS threshold_is_weighted_mean
FROM (SELECT ubehav_merge_models(ARRAY[a.v, b.v], ARRAY[3, 1]::bigint[]) AS m, a.v AS a, b.v AS b
      FROM shard_fits a, shard_fits b WHERE a.round = 1 AND a.shard = 0 AND b.round = 1 AND b.shard = 1) t;

-- what cannot merge says why
SELECT ubehav_merge_models(ARRAY[(SELECT v FROM rounds WHERE round = 0), (SELECT v FROM fits WHERE run = 'serial')], ARRAY[1, 1]::bigint[]);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_merge_models(ARRAY[(SELECT v FROM rounds WHERE round = 0), ubehav_fit(f, y, '{"epochs": 1, "hidden": [4], "seed": 3}')], ARRAY[1, 1]::bigint[]) FROM mg WHERE id <= 500;
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_merge_models(ARRAY[v], ARRAY[1, 2]::bigint[]) FROM rounds WHERE round = 0;
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_merge_models(ARRAY[v, v], ARRAY[0, 0]::bigint[]) FROM rounds WHERE round = 0;
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_merge_models(ARRAY[v], ARRAY[-5]::bigint[]) FROM rounds WHERE round = 0;
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_merge_models(ARRAY[v, NULL], ARRAY[1, 1]::bigint[]) FROM rounds WHERE round = 0;
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_merge_models(ARRAY['{"format": "other"}'::jsonb], ARRAY[1]::bigint[]);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_merge_models(ARRAY[]::jsonb[], ARRAY[]::bigint[]);
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_merge_models(NULL, ARRAY[1]::bigint[]) IS NULL AS strict;
-- a round on other feature columns, or from what is not a model value, is refused before training
SELECT ubehav_fit_from((SELECT v FROM rounds WHERE round = 0), f[1:3], y, '{"epochs": 1}') FROM mg WHERE id <= 500;
\echo :LAST_ERROR_SQLSTATE
SELECT ubehav_fit_from('{"format": "ubehav"}'::jsonb, f, y, '{"epochs": 1}') FROM mg WHERE id <= 500;
\echo :LAST_ERROR_SQLSTATE
