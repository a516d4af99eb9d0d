-- Training data past ubehav.max_training_memory is streamed through a temporary file, not an
-- error: the model is as good as one trained in memory, deterministic for a seed, and the
-- training context stays within the bound while the in-memory one holds all the data.
SELECT setseed(0.25);
CREATE TABLE stream_data AS
SELECT i, x1, x2, x3, x4, x5, x6, x7, x8, (x1 * x2 + sin(3 * x3) - x4 * x4 + 0.3 * (random() - 0.5) > 0) AS y
FROM (SELECT i, random() * 2 - 1 AS x1, random() * 2 - 1 AS x2, random() * 2 - 1 AS x3, random() * 2 - 1 AS x4,
             random() AS x5, random() AS x6, random() AS x7, random() AS x8
      FROM generate_series(1, 500000) i) s;
CREATE TEMP TABLE stream_runs (run text, summary jsonb);

-- in memory (the default bound, 4 GB, is far away)
INSERT INTO stream_runs SELECT 'memory', ubehav_train('stream_mem', 'SELECT x1, x2, x3, x4, x5, x6, x7, x8, y FROM stream_data', 'y',
  '{"epochs": 3, "hidden": [16, 8], "seed": 3, "batch_size": 64}');

-- 16 MB, the smallest bound, is less than the 16 MB of encoded rows: a NOTICE says the rows stream
SET ubehav.max_training_memory = '16MB';
INSERT INTO stream_runs SELECT 'streamed', ubehav_train('stream_str', 'SELECT x1, x2, x3, x4, x5, x6, x7, x8, y FROM stream_data', 'y',
  '{"epochs": 3, "hidden": [16, 8], "seed": 3, "batch_size": 64}');
-- the same seed, the same model
INSERT INTO stream_runs SELECT 'streamed again', ubehav_train('stream_str', 'SELECT x1, x2, x3, x4, x5, x6, x7, x8, y FROM stream_data', 'y',
  '{"epochs": 3, "hidden": [16, 8], "seed": 3, "batch_size": 64}');

SELECT run, summary ? 'streamed' AS streamed,
       (summary->'streamed'->>'spilled_bytes')::bigint >= (summary->>'encoded_bytes')::bigint AS every_encoded_row_on_disk,
       (summary->'streamed'->>'window_chunks')::int >= 1 AS has_window,
       (summary->>'memory_bytes')::bigint > (summary->>'encoded_bytes')::bigint AS memory_holds_all_data,
       (summary->>'memory_bytes')::bigint <= 16 * 1024 * 1024 AS within_16mb,
       summary->>'training_rows' AS training_rows, summary->>'validation_rows' AS validation_rows
FROM stream_runs ORDER BY run;

-- validation AUC within 0.005 of the in-memory model's, both good; the threshold, early stopping and the log work
SELECT abs((s.summary->'metrics'->>'auc')::float8 - (m.summary->'metrics'->>'auc')::float8) < 0.005 AS auc_close,
       (s.summary->'metrics'->>'auc')::float8 > 0.97 AS streamed_auc_good,
       (s.summary->'metrics'->>'threshold_f1')::float8 BETWEEN 0.05 AND 0.95 AS has_f1_threshold,
       s.summary->'metrics'->>'evaluated_on' AS evaluated_on,
       (s.summary->'metrics'->>'best_epoch')::int BETWEEN 1 AND 3 AS has_best_epoch
FROM stream_runs s, stream_runs m WHERE s.run = 'streamed' AND m.run = 'memory';
SELECT jsonb_array_length(training_log) AS epochs_logged,
       bool_and((e->>'val_auc')::float8 > 0.9) AS every_epoch_validated
FROM ubehav_models, jsonb_array_elements(training_log) e
WHERE name = 'stream_str' AND version = 1 GROUP BY training_log;
SELECT (SELECT weights FROM ubehav_models WHERE name = 'stream_str' AND version = 1) =
       (SELECT weights FROM ubehav_models WHERE name = 'stream_str' AND version = 2) AS deterministic;
-- the streamed model scores like the in-memory one
SELECT corr(ubehav_predict('stream_str', ARRAY[x1, x2, x3, x4, x5, x6, x7, x8]),
            ubehav_predict('stream_mem', ARRAY[x1, x2, x3, x4, x5, x6, x7, x8])) > 0.98 AS same_scores
FROM stream_data WHERE i <= 20000;

-- an array column too wide to load whole is learned a slice of its slots at a time, to the same
-- preprocessing as in memory (robust scaling: medians and quartiles of every slot)
SELECT setseed(0.5);
CREATE TABLE stream_wide AS
SELECT ARRAY(SELECT random() + (i % 2) * (g % 3) * 0.2 FROM generate_series(1, 40) g) AS f, i % 2 = 0 AS y
FROM generate_series(1, 120000) i;
INSERT INTO stream_runs SELECT 'wide streamed', ubehav_train('stream_wide_str', 'SELECT f, y FROM stream_wide', 'y', '{"scaling": "robust", "epochs": 1, "hidden": [8], "seed": 3}');
RESET ubehav.max_training_memory;
INSERT INTO stream_runs SELECT 'wide memory', ubehav_train('stream_wide_mem', 'SELECT f, y FROM stream_wide', 'y', '{"scaling": "robust", "epochs": 1, "hidden": [8], "seed": 3}');
SET ubehav.max_training_memory = '16MB';
SELECT run, summary ? 'streamed' AS streamed, (summary->'metrics'->>'auc')::float8 > 0.95 AS auc_good,
       (summary->>'memory_bytes')::bigint <= 16 * 1024 * 1024 AS within_16mb
FROM stream_runs WHERE run LIKE 'wide%' ORDER BY run;
SELECT count(*) AS slots, max(abs(s.v::float8 - m.v::float8)) < 1e-9 AS same_centers,
       max(abs(ss.v::float8 - ms.v::float8)) < 1e-9 AS same_scales
FROM ubehav_models sm, ubehav_models mm,
     jsonb_array_elements_text(sm.preprocessing->'columns'->0->'center') WITH ORDINALITY s(v, k)
     JOIN jsonb_array_elements_text(mm.preprocessing->'columns'->0->'center') WITH ORDINALITY m(v, k) USING (k)
     JOIN jsonb_array_elements_text(sm.preprocessing->'columns'->0->'scale') WITH ORDINALITY ss(v, k) USING (k)
     JOIN jsonb_array_elements_text(mm.preprocessing->'columns'->0->'scale') WITH ORDINALITY ms(v, k) USING (k)
WHERE sm.name = 'stream_wide_str' AND mm.name = 'stream_wide_mem';
DROP TABLE stream_wide;

-- PCA is fitted in two passes over the chunks and projects them into the file anew; a warm start
-- from that version projects the streamed rows with its components
INSERT INTO stream_runs SELECT 'pca streamed', ubehav_train('stream_pca', 'SELECT x1, x2, x3, x4, x5, x6, x7, x8, y FROM stream_data', 'y',
  '{"pca": 6, "epochs": 1, "hidden": [16, 8], "seed": 3, "batch_size": 64}');
INSERT INTO stream_runs SELECT 'pca warm start', ubehav_train('stream_pca', 'SELECT x1, x2, x3, x4, x5, x6, x7, x8, y FROM stream_data', 'y',
  '{"pca": 6, "epochs": 1, "hidden": [16, 8], "seed": 3, "batch_size": 64, "warm_start": true}');
RESET ubehav.max_training_memory;
INSERT INTO stream_runs SELECT 'pca memory', ubehav_train('stream_pca_mem', 'SELECT x1, x2, x3, x4, x5, x6, x7, x8, y FROM stream_data', 'y',
  '{"pca": 6, "epochs": 1, "hidden": [16, 8], "seed": 3, "batch_size": 64}');
SET ubehav.max_training_memory = '16MB';
SELECT run, summary ? 'streamed' AS streamed, summary->>'inputs' AS inputs, summary->>'warm_start_from' AS warm_start_from,
       (summary->'metrics'->>'auc')::float8 > 0.9 AS auc_good, (summary->>'memory_bytes')::bigint <= 16 * 1024 * 1024 AS within_16mb
FROM stream_runs WHERE run LIKE 'pca%' ORDER BY run;
SELECT abs((s.summary->'metrics'->>'auc')::float8 - (m.summary->'metrics'->>'auc')::float8) < 0.005 AS pca_auc_close
FROM stream_runs s, stream_runs m WHERE s.run = 'pca streamed' AND m.run = 'pca memory';

-- what reads rows at random keeps the error: DP-SGD's Poisson sampling
SELECT ubehav_train('stream_dp', 'SELECT x1, x2, x3, x4, x5, x6, x7, x8, y FROM stream_data', 'y', '{"noise_multiplier": 1, "epochs": 1}');

-- the temporary file counts toward temp_file_limit, and a failed training leaves none behind
SET temp_file_limit = '1MB';
SELECT ubehav_train('stream_limit', 'SELECT x1, x2, x3, x4, x5, x6, x7, x8, y FROM stream_data', 'y', '{"epochs": 1}');
RESET temp_file_limit;
SELECT ubehav_train('stream_fail', 'SELECT x1, x2, x3, x4, x5, x6, x7, x8, CASE WHEN i = 499000 THEN (1 / (i - 499000))::boolean ELSE y END AS y FROM stream_data', 'y', '{"epochs": 1}');
SELECT count(*) AS temporary_files_left FROM pg_ls_tmpdir();
SELECT count(*) AS versions FROM ubehav_models WHERE name IN ('stream_dp', 'stream_limit', 'stream_fail');
RESET ubehav.max_training_memory;
DROP TABLE stream_data;
