-- Hostile inputs, part 2: rows, training data, and every function beyond training (evaluation,
-- scoring, curves, search, explanations, lifecycle, import, aggregates). Each gets a clear error
-- with an SQLSTATE or a documented result; none crashes. Tables and models are prefixed hf_.
\set SHOW_CONTEXT never
-- each statement that must fail runs through hf_try(), which returns its SQLSTATE and message
CREATE FUNCTION hf_try(statement text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE statement;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE TABLE hf_data AS
SELECT i AS id, (i % 5)::float8 AS a, (i % 7)::float8 AS b, (i % 3)::text AS c, i % 2 = 0 AS y, (i % 11)::float8 AS r
FROM generate_series(1, 300) i;
SELECT ubehav_train('hf', 'SELECT a, b, c, y FROM hf_data', 'y', '{"epochs": 1, "hidden": [4]}')->>'version' AS version;

-- rows: wrong types, missing and duplicate columns, non-finite values; NULLs and unseen categories are documented results
SELECT hf_try($q$SELECT ubehav_predict('hf', t) FROM (SELECT 'x'::text AS a, 1::float8 AS b, '1' AS c) t$q$);
SELECT hf_try($q$SELECT ubehav_predict('hf', t) FROM (SELECT 1::float8 AS b, '1' AS c) t$q$);
SELECT hf_try($q$SELECT ubehav_predict('hf', t) FROM (SELECT 1::int AS a, 1::numeric AS b, 1 AS c) t$q$);
SELECT hf_try($q$SELECT ubehav_predict('hf', t) FROM (SELECT true AS a, '2026-01-01'::date AS b, '1' AS c) t$q$);
SELECT hf_try($q$SELECT ubehav_predict('hf', t) FROM (SELECT 1::float8 AS a, 2::float8 AS a, 1::float8 AS b, '1' AS c) t$q$);
SELECT hf_try($q$SELECT ubehav_predict('hf', t) FROM (SELECT 'NaN'::float8 AS a, 1::float8 AS b, '1' AS c) t$q$);
SELECT hf_try($q$SELECT ubehav_predict('hf', t) FROM (SELECT '-Infinity'::float8 AS a, 1::float8 AS b, '1' AS c) t$q$);
SELECT hf_try($q$SELECT ubehav_predict('hf', ROW(1, 2, '3'))$q$);
SELECT ubehav_predict('hf', t) BETWEEN 0 AND 1 AS nulls_imputed FROM (SELECT NULL::float8 AS a, 1::float8 AS b, NULL::text AS c) t;
SELECT ubehav_predict('hf', t) BETWEEN 0 AND 1 AS unseen_category_scored FROM (SELECT 1::float8 AS a, 1::float8 AS b, $$'; DROP TABLE hf_data; --$$ AS c) t;
SELECT ubehav_predict('hf', t) BETWEEN 0 AND 1 AS duplicate_extra_columns_ignored FROM (SELECT 1::float8 AS a, 1::float8 AS b, '1' AS c, 1 AS z, 2 AS z) t;
SELECT ubehav_predict('hf', NULL::record) IS NULL AS null_row;

-- training data: non-finite values, ragged, NULL-containing, multidimensional, empty and very wide arrays, unusable types
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT CASE WHEN id = 5 THEN ''NaN''::float8 ELSE a END AS a, y FROM hf_data', 'y')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT CASE WHEN id = 5 THEN ''Infinity''::float8 ELSE a END AS a, y FROM hf_data', 'y')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT a, CASE WHEN id = 5 THEN ''-Infinity''::float8 ELSE r END AS r FROM hf_data', 'r')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT a, NULL::float8 AS r FROM hf_data', 'r')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT CASE WHEN id = 5 THEN ARRAY[a] ELSE ARRAY[a, b] END AS f, y FROM hf_data', 'y')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT ARRAY[[a, b], [a, b]] AS f, y FROM hf_data', 'y')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT ''{}''::float8[] AS f, y FROM hf_data', 'y')$q$);
SELECT ubehav_train('hf_nullelem', 'SELECT CASE WHEN id = 5 THEN ARRAY[a, NULL] ELSE ARRAY[a, b] END AS f, y FROM hf_data', 'y',
                    '{"epochs": 1, "hidden": [4]}')->>'features' AS null_elements_imputed;
SELECT ubehav_train('hf_wide', 'SELECT ARRAY(SELECT a + g FROM generate_series(1, 10000) g) AS f, y FROM hf_data', 'y',
                    '{"epochs": 1, "hidden": [4]}')->>'parameters' AS ten_thousand_inputs;
SELECT ubehav_predict('hf_wide', ARRAY(SELECT g::float8 FROM generate_series(1, 10000) g)) BETWEEN 0 AND 1 AS wide_scored;
SELECT hf_try($q$SELECT ubehav_predict('hf_wide', ARRAY(SELECT g::float8 FROM generate_series(1, 9999) g))$q$);
SELECT hf_try($q$SELECT ubehav_predict('hf_wide', t) FROM (SELECT ARRAY[1, 2]::float8[] AS f) t$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT ''2026-01-01''::date + id AS d, y FROM hf_data', 'y')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT row(a, b) AS rr, y FROM hf_data', 'y')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT ''{"a": 1}''::jsonb AS j, y FROM hf_data', 'y')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT a, ''\x01''::bytea AS bb, y FROM hf_data', 'y')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT a, ARRAY[''x'', ''y''] AS tt, y FROM hf_data', 'y')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT a, ARRAY[1, 2] AS y FROM hf_data', 'y')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT a, ''2026-01-01''::date AS y FROM hf_data', 'y')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT y FROM hf_data', 'y')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT a, y FROM hf_data', 'y', '{"exclude": ["a"]}')$q$);
SELECT ubehav_train('hf_exclude', 'SELECT a, y FROM hf_data', 'y', '{"exclude": ["(", "%%;", "'' OR 1=1 --"], "epochs": 1, "hidden": [2]}')->>'features' AS patterns_matching_nothing_exclude_nothing;
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'INSERT INTO hf_data (id) VALUES (0) RETURNING a, y', 'y')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'WITH d AS (DELETE FROM hf_data RETURNING a, y) SELECT * FROM d', 'y')$q$);

-- weights: injection through their names is data; weights beyond float32 or all zero are refused before training
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT a, y FROM hf_data', 'y', '{"sample_weight": "a\"; DROP TABLE hf_data; --"}')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT a, y FROM hf_data', 'y', '{"class_weight": {"''; DROP TABLE hf_data; --": 2}}')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT a, y, 1e300::float8 AS w FROM hf_data', 'y', '{"sample_weight": "w"}')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT a, y, 1e35::float8 AS w FROM hf_data', 'y', '{"sample_weight": "w", "class_weight": {"true": 1e6}}')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT a, y, 0::float8 AS w FROM hf_data', 'y', '{"sample_weight": "w"}')$q$);
SELECT hf_try($q$SELECT ubehav_train('hf_bad', 'SELECT a, y, ''NaN''::float8 AS w FROM hf_data', 'y', '{"sample_weight": "w"}')$q$);
SELECT count(*) AS rows_of_data FROM hf_data;

-- thousands of classes: trained, scored and evaluated; the confusion matrix keeps only its non-zero cells
SELECT s->>'task' AS task, s->>'parameters' AS parameters,
       (SELECT sum(v::text::int) FROM jsonb_each(s->'metrics'->'confusion') r, jsonb_each(r.value) c(k, v)) = (s->>'validation_rows')::int AS confusion_counts_every_row,
       (SELECT count(*) FROM jsonb_object_keys(s->'metrics'->'per_class')) AS per_class_entries
FROM ubehav_train('hf_classes', 'SELECT i % 7 AS a, (i % 2000)::text AS y FROM generate_series(1, 3000) i', 'y',
                  '{"epochs": 1, "hidden": [2], "max_classes": 5000}') s;
SELECT array_length(ubehav_predict_proba('hf_classes', ARRAY[3]), 1) AS probabilities, ubehav_predict_class('hf_classes', ARRAY[3]) IS NOT NULL AS has_class;
SELECT (e->>'rows')::int AS rows, pg_column_size(e) < 1000000 AS compact
FROM ubehav_evaluate('hf_classes', 'SELECT i % 7 AS a, (i % 2000)::text AS y FROM generate_series(1, 3000) i') e;

-- PCA's d x d work is checked against the training memory bound before it is allocated
SET ubehav.max_training_memory = '200MB';
SELECT hf_try($q$SELECT ubehav_train('hf_pca', 'SELECT ARRAY(SELECT (i * g) % 13 FROM generate_series(1, 3000) g) AS f, i % 2 = 0 AS y FROM generate_series(1, 300) i', 'y', '{"epochs": 1, "hidden": [2], "pca": 3}')$q$);
RESET ubehav.max_training_memory;

-- evaluation, scoring and curves over hostile queries
SELECT hf_try($q$SELECT ubehav_evaluate('hf', 'SELECT 1/0 AS a, b, c, y FROM hf_data')$q$);
SELECT hf_try($q$SELECT ubehav_evaluate('hf', 'SELECT a, b, c, y FROM hf_data WHERE false')$q$);
SELECT hf_try($q$SELECT ubehav_evaluate('hf', 'SELECT a, b, c FROM hf_data')$q$);
SELECT hf_try($q$SELECT ubehav_evaluate('hf', 'SELECT a, b, c, y, NOT y AS y FROM hf_data')$q$);
SELECT hf_try($q$SELECT ubehav_evaluate('hf', 'SELECT a, b, c, NULL::boolean AS y FROM hf_data')$q$);
SELECT hf_try($q$SELECT ubehav_evaluate('hf', 'SELECT a, b, c, y FROM hf_data; DROP TABLE hf_data')$q$);
SELECT hf_try($q$SELECT ubehav_evaluate('hf', 'DELETE FROM hf_data RETURNING a, b, c, y')$q$);
SELECT hf_try($q$SELECT ubehav_evaluate('hf', 'SELECT ''NaN''::float8 AS a, b, c, y FROM hf_data')$q$);
SELECT hf_try($q$SELECT ubehav_evaluate('hf_nope', 'SELECT 1')$q$);
SELECT hf_try($q$SELECT ubehav_evaluate('hf', '')$q$);
SELECT ubehav_refresh_scores('hf', 'SELECT id, a, b, c FROM hf_data WHERE false') AS no_rows_no_scores;
SELECT ubehav_refresh_scores('hf', 'SELECT id, NULL::float8 AS a, b, c FROM hf_data') AS null_features_imputed;
SELECT hf_try($q$SELECT ubehav_refresh_scores('hf', 'SELECT a, b, c FROM hf_data')$q$);
SELECT hf_try($q$SELECT ubehav_refresh_scores('hf', 'SELECT id, a, b FROM hf_data')$q$);
SELECT hf_try($q$SELECT ubehav_refresh_scores('hf', 'SELECT id, a, a, b, c FROM hf_data')$q$);
SELECT hf_try($q$SELECT ubehav_refresh_scores('hf', 'SELECT NULL::int AS id, a, b, c FROM hf_data')$q$);
SELECT hf_try($q$SELECT ubehav_refresh_scores('hf', 'SELECT id, ''Infinity''::float8 AS a, b, c FROM hf_data')$q$);
SELECT hf_try($q$SELECT ubehav_refresh_scores('hf', 'INSERT INTO hf_data (id) VALUES (0) RETURNING id, a, b, c')$q$);
SELECT hf_try($q$SELECT ubehav_refresh_scores('hf', 'SELECT id, a, b, c FROM hf_data; DELETE FROM hf_data')$q$);
SELECT hf_try($q$SELECT ubehav_refresh_scores('hf', 'SELECT id, a, b, c FROM hf_data) q0) q; DELETE FROM hf_data; --')$q$);
SELECT ubehav_refresh_scores('hf', NULL) IS NULL AS null_query_null;
SELECT count(*) AS hf_scores_kept FROM ubehav_scores WHERE model = 'hf';
SELECT hf_try($q$SELECT count(*) FROM ubehav_roc_curve('hf', 'SELECT a, b, c, y FROM hf_data WHERE false')$q$);
SELECT hf_try($q$SELECT count(*) FROM ubehav_roc_curve('hf', 'SELECT a, b, c, true AS y FROM hf_data')$q$);
SELECT hf_try($q$SELECT count(*) FROM ubehav_pr_curve('hf', 'SELECT a, b, c, false AS y FROM hf_data')$q$);
SELECT count(*) AS rows_of_data FROM hf_data;

-- search, explanations and importance with absurd arguments
SELECT count(*) AS no_log_for_version_minus_1 FROM ubehav_training_log('hf', -1);
SELECT count(*) AS no_log_for_unknown_model FROM ubehav_training_log('hf_nope');
SELECT hf_try($q$SELECT count(*) FROM ubehav_cv_folds('SELECT a, y FROM hf_data', 'y', '{}', 0)$q$);
SELECT hf_try($q$SELECT count(*) FROM ubehav_cv_folds('SELECT a, y FROM hf_data', 'y', '{"bogus": 1}', 5)$q$);
SELECT hf_try($q$SELECT ubehav_cross_validate('SELECT a, y FROM hf_data LIMIT 3', 'y', '{"epochs": 1}', 5)$q$);
SELECT hf_try($q$SELECT ubehav_tune('hf_tune', 'SELECT a, y FROM hf_data', 'y', '{}')$q$);
SELECT hf_try($q$SELECT ubehav_tune('hf_tune', 'SELECT a, y FROM hf_data', 'y', '"grid"')$q$);
SELECT hf_try($q$SELECT ubehav_tune('hf_tune', 'SELECT a, y FROM hf_data', 'y', '{"grid": {"epochs": [0]}}')$q$);
SELECT hf_try($q$SELECT ubehav_tune('hf_tune', 'SELECT a, y FROM hf_data', 'y', '{"grid": {"bogus": [1]}}')$q$);
SELECT hf_try($q$SELECT ubehav_tune('hf_tune', 'SELECT a, y FROM hf_data', 'y', '{"grid": {"epochs": []}}')$q$);
SELECT count(*) AS hf_tune_versions FROM ubehav_models WHERE name = 'hf_tune';
SELECT hf_try($q$SELECT count(*) FROM ubehav_explain('hf', ARRAY[1, 2, 3])$q$);
SELECT hf_try($q$SELECT count(*) FROM (SELECT a, b, c FROM hf_data LIMIT 1) t, LATERAL ubehav_explain('hf', t, 'no such class')$q$);
SELECT hf_try($q$SELECT count(*) FROM (SELECT a, b, c FROM hf_data LIMIT 1) t, LATERAL ubehav_explain('hf', t, NULL, 0)$q$);
SELECT count(*) AS explain_null_steps FROM (SELECT a, b, c FROM hf_data LIMIT 1) t, LATERAL ubehav_explain('hf', t, NULL, NULL);
SELECT hf_try($q$SELECT count(*) FROM ubehav_feature_importance('hf', 'SELECT a, b, c, y FROM hf_data WHERE false')$q$);
SELECT hf_try($q$SELECT count(*) FROM ubehav_feature_importance('hf', 'SELECT a, b, c, y, NOT y AS y FROM hf_data')$q$);
SELECT count(*) AS importance_any_seed FROM ubehav_feature_importance('hf', 'SELECT a, b, c, y FROM hf_data', 2, -5);

-- lifecycle with absent models and versions
SELECT hf_try($q$SELECT ubehav_deploy('hf', 99)$q$);
SELECT hf_try($q$SELECT ubehav_deploy('hf', -1)$q$);
SELECT hf_try($q$SELECT ubehav_deploy('hf_nope', 1)$q$);
SELECT hf_try($q$SELECT ubehav_rollback('hf')$q$);
SELECT hf_try($q$SELECT ubehav_drop_model('hf_nope')$q$);
SELECT hf_try($q$SELECT ubehav_drop_model('hf', 99)$q$);
SELECT hf_try($q$SELECT ubehav_retrain('hf_nope')$q$);
SELECT hf_try($q$SELECT ubehav_retrain('hf', '{"epochs": 0}')$q$);
SELECT hf_try($q$SELECT ubehav_retrain('hf', '{"bogus": 1}')$q$);
SELECT hf_try($q$SELECT ubehav_export('hf_nope')$q$);
SELECT hf_try($q$SELECT ubehav_export('hf', 99)$q$);

-- import: tampered exports are refused whole; no partial version is stored
CREATE TABLE hf_export AS SELECT ubehav_export('hf') AS e;
SELECT ubehav_import('hf_imp', NULL) IS NULL AS null_export;
SELECT hf_try($q$SELECT ubehav_import('hf_imp', '{}')$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', '[]')$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', jsonb_set(e, '{network,layers,0,W,0,0}', '1e39')) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', jsonb_set(e, '{network,layers,0,W,0,0}', '"NaN"')) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', jsonb_set(e, '{network,layers,0,W,0,0}', 'null')) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', jsonb_set(e, '{network,layers,0,W,0}', '[1]')) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', jsonb_set(e, '{network,layers,0,b}', '[]')) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', jsonb_set(e, '{network,hidden}', '[1000000000]')) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', jsonb_set(e, '{network,hidden}', '[4, 4]')) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', jsonb_set(e, '{network,head}', '"softmax"')) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', jsonb_set(e, '{class_labels}', '["x"]')) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', jsonb_set(e, '{format_version}', '99')) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', e - 'preprocessing') FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', jsonb_set(e, '{preprocessing,columns,0,scale,0}', '0')) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', jsonb_set(e, '{preprocessing,columns,0,scale,0}', '-1')) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', jsonb_set(e, '{preprocessing,columns,0,width}', '1000000000')) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', jsonb_set(e, '{preprocessing,columns,1,name}', '"a"')) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', jsonb_set(e, '{preprocessing,n_inputs}', '7')) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('hf_imp', jsonb_set(e, '{preprocessing,target_std}', '0')) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import('', e) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_import(E'hf_tab\there', e) FROM hf_export$q$);
SELECT hf_try($q$SELECT ubehav_tune(E'hf_tab\there', 'SELECT a, y FROM hf_data', 'y', '{"grid": {"epochs": [1]}}')$q$);
SELECT count(*) AS hf_imp_versions FROM ubehav_models WHERE name = 'hf_imp';
SELECT ubehav_import($$hf_it's; DROP TABLE hf_export; --$$, e) AS imported_under_a_hostile_name FROM hf_export;
SELECT ubehav_predict($$hf_it's; DROP TABLE hf_export; --$$, t) = ubehav_predict('hf', t) AS same_scores, count(*) OVER () AS exports
FROM hf_export, (SELECT 1::float8 AS a, 2::float8 AS b, '1' AS c) t;

-- aggregates: NaN is an error, infinities rank, overflowing sums are an error, one-class groups give NULL
SELECT hf_try($q$SELECT ubehav_auc(s, l) FROM (VALUES ('NaN'::float8, true), (0.2, false)) v(s, l)$q$);
SELECT ubehav_auc(s, l) AS infinite_scores_rank FROM (VALUES ('Infinity'::float8, true), ('-Infinity', false)) v(s, l);
SELECT ubehav_auc(s, l) AS nulls_skipped FROM (VALUES (NULL::float8, true), (0.1, NULL), (0.3, true), (0.2, false)) v(s, l);
SELECT ubehav_auc(s, l) IS NULL AS one_class_is_null FROM (VALUES (0.3, true), (0.2, true)) v(s, l);
SELECT ubehav_auc(s, l) IS NULL AS no_rows_is_null FROM (VALUES (0.3, true)) v(s, l) WHERE false;
SELECT hf_try($q$SELECT ubehav_pr_auc(s, l) FROM (VALUES ('NaN'::float8, true), (0.2, false)) v(s, l)$q$);
SELECT round(ubehav_log_loss(p, l)::numeric, 4) AS clipped_log_loss FROM (VALUES (0::float8, true), (1, false)) v(p, l);
SELECT hf_try($q$SELECT ubehav_log_loss(p, l) FROM (VALUES (1.5::float8, true)) v(p, l)$q$);
SELECT hf_try($q$SELECT ubehav_log_loss(p, l) FROM (VALUES ('NaN'::float8, true)) v(p, l)$q$);
SELECT hf_try($q$SELECT ubehav_rmse(p, a) FROM (VALUES ('Infinity'::float8, 1::float8), (1, 2)) v(p, a)$q$);
SELECT hf_try($q$SELECT ubehav_mae(p, a) FROM (VALUES (1e308::float8, -1e308::float8), (1, 2)) v(p, a)$q$);
SELECT ubehav_r2(p, a) IS NULL AS constant_actual_is_null FROM (VALUES (1::float8, 1::float8), (2, 1)) v(p, a);
SELECT hf_try($q$SELECT ubehav_confusion(s, l, 'NaN') FROM (VALUES (0.3::float8, true), (0.2, false)) v(s, l)$q$);
SELECT hf_try($q$SELECT ubehav_confusion(s, l, t) FROM (VALUES (0.3::float8, true, 0.5::float8), (0.2, false, 0.1)) v(s, l, t)$q$);
-- the support functions are callable from SQL: any array they are given is checked before it is read
SELECT hf_try($q$SELECT ubehav_sums_combine(ARRAY[1, 2]::float8[], '{}'::float8[])$q$);
SELECT hf_try($q$SELECT ubehav_sums_combine(ARRAY[1, 2]::float8[], ARRAY[1, NULL]::float8[])$q$);
SELECT hf_try($q$SELECT ubehav_sums_combine(ARRAY[1e308, 2]::float8[], ARRAY[1e308, 1]::float8[])$q$);
SELECT hf_try($q$SELECT ubehav_confusion_combine(ARRAY[1, 2, 3, 4, 5]::float8[], ARRAY[1]::float8[])$q$);
SELECT hf_try($q$SELECT ubehav_confusion_final('{{1,2},{3,4}}'::float8[])$q$);
SELECT hf_try($q$SELECT ubehav_errors_accum(ARRAY[1]::float8[], 1, 1)$q$);
SELECT hf_try($q$SELECT ubehav_log_loss_accum(ARRAY[]::float8[], 0.5, true)$q$);

-- divergence in a search never stores a version either
SELECT hf_try($q$SELECT ubehav_tune('hf_diverge', 'SELECT a * 1000 AS a, b, r * 1000 AS r FROM hf_data', 'r', '{"grid": {"learning_rate": [5]}, "options": {"optimizer": "sgd", "epochs": 3, "hidden": [8], "scaling": "standard"}}')$q$);
SELECT count(*) AS hf_diverge_versions FROM ubehav_models WHERE name = 'hf_diverge';

-- no leaks: scoring memory does not grow with the rows scored. The backend's peak RSS (VmHWM) after
-- 20,000 rows of every scoring path and after 400,000 more differs by less than 8 MB: a leak of 20
-- bytes a row would show. JIT off and work_mem small, so neither LLVM nor tuplestores blur it.
SET jit = off;
SET work_mem = '1MB';
CREATE FUNCTION hf_peak_kb() RETURNS bigint LANGUAGE sql AS $$
    SELECT (regexp_match(pg_read_file('/proc/' || pg_backend_pid() || '/status'), 'VmHWM:\s+(\d+)'))[1]::bigint $$;
CREATE FUNCTION hf_score_all(n int) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM sum(ubehav_predict('hf', t)) FROM (SELECT (i % 5)::float8 AS a, (i % 7)::float8 AS b, (i % 3)::text AS c FROM generate_series(1, n) i) t;
    PERFORM sum((ubehav_predict_proba('hf', t))[1]) FROM (SELECT (i % 5)::float8 AS a, (i % 7)::float8 AS b, (i % 3)::text AS c FROM generate_series(1, n) i) t;
    PERFORM count(ubehav_predict_class('hf', t)) FROM (SELECT (i % 5)::float8 AS a, NULL::float8 AS b, 'x' || i AS c FROM generate_series(1, n) i) t;
    PERFORM sum(ubehav_predict('hf_nullelem', t)) FROM (SELECT ARRAY[i % 5, NULL]::float8[] AS f FROM generate_series(1, n) i) t;
    -- the row shape ubehav_refresh_scores scores (a whole subquery row beside its key); not the function
    -- itself, whose INSERT would touch shared buffers, which count in the peak RSS
    PERFORM count(ubehav_predict('hf', q.r)) FROM (SELECT q0 AS r, q0.* FROM (SELECT i, (i % 5)::float8 AS a, (i % 7)::float8 AS b, (i % 3)::text AS c FROM generate_series(1, n) i) q0) AS q(r, k);
    PERFORM ubehav_evaluate('hf', format('SELECT (i %% 5)::float8 AS a, (i %% 7)::float8 AS b, (i %% 3)::text AS c, i %% 2 = 0 AS y FROM generate_series(1, %s) i', n / 10));
END $$;
SELECT hf_score_all(20000) IS NULL AS small_run;
SELECT hf_peak_kb() AS peak_after_small \gset
SELECT hf_score_all(400000) IS NULL AS large_run;
SELECT hf_peak_kb() - :peak_after_small < 8192 AS memory_flat_over_400000_rows;
RESET jit;
RESET work_mem;
-- nor does training memory grow with the epochs run (peak of the training context, 1 epoch against 40)
SELECT max((s->>'memory_bytes')::bigint) - min((s->>'memory_bytes')::bigint) < 65536 AS training_memory_flat_over_epochs
FROM unnest(ARRAY[1, 40]) e, LATERAL ubehav_train('hf_epochs', 'SELECT a, b, c, r FROM hf_data', 'r',
     jsonb_build_object('epochs', e, 'early_stopping', false, 'hidden', '[8]'::jsonb, 'dropout', 0.2)) s;

-- the catalog holds exactly the successful trainings and the one import
SELECT name, count(*) AS versions FROM ubehav_models WHERE name LIKE 'hf%' GROUP BY name ORDER BY name;
