-- bench/compare_models.sql: the models and results bench/compare_models.sh compares between two
-- builds. Run in a fresh database made from bench/data.sql, with ubehav created. Every line of
-- output is "name<TAB>value"; floats are float8send hex (every bit) and jsonb is printed with
-- its volatile keys (timings, memory, timestamps) removed.
\set ON_ERROR_STOP on
\pset format unaligned
\pset tuples_only on
\pset fieldsep '\t'
SET extra_float_digits = 3;
SET client_min_messages = warning;
SET ubehav.progress = 0;

-- jsonb without the keys that differ from run to run (times, memory sizes, timestamps)
CREATE FUNCTION cmp_stable(j jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE AS $$
SELECT CASE jsonb_typeof(j)
    WHEN 'object' THEN coalesce((SELECT jsonb_object_agg(k, cmp_stable(v)) FROM jsonb_each(j) e(k, v)
                                 WHERE k !~ '(^ms$|_ms$|memory_bytes|_at$|seconds|^tuning_run$)'), '{}'::jsonb)
    WHEN 'array' THEN coalesce((SELECT jsonb_agg(cmp_stable(v) ORDER BY n) FROM jsonb_array_elements(j) WITH ORDINALITY a(v, n)), '[]'::jsonb)
    ELSE j END $$;
-- every bit of a float8
CREATE FUNCTION cmp_bits(x float8) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce(encode(float8send(x), 'hex'), 'NULL') $$;

-- small slices of the bench data, and regression-style data: text, booleans, NULLs, integers
CREATE TABLE cmp_perf AS SELECT id, f, y, f[1] AS a, f[2] AS b, f[3] AS c, f[4] AS d FROM bench_perf WHERE id <= 6000;
CREATE TABLE cmp_sessions AS SELECT * FROM bench_sessions WHERE session_id <= 6000;
CREATE TABLE cmp_multi AS
SELECT i AS id, (i % 7) / 7.0 + 0.1 * sin(i) AS x1, cos(i * 0.37) AS x2, (i % 11)::int AS level,
       CASE WHEN i % 13 = 0 THEN NULL ELSE (ARRAY['red', 'green', 'blue', 'grey'])[1 + i % 4] END AS colour,
       CASE WHEN (i % 7) < 2 THEN 'low' WHEN (i % 7) < 5 THEN 'mid' ELSE 'high' END AS label
FROM generate_series(1, 1500) i;
-- statistics now, not whenever autovacuum gets to it: the plans (and so row orders) stay the same
ANALYZE cmp_perf, cmp_sessions, cmp_multi;

-- the models, one per kind; each result's summary and its stored version
CREATE TABLE cmp_results (name text PRIMARY KEY, result jsonb);
INSERT INTO cmp_results VALUES
 ('binary', ubehav_train('c_binary', 'SELECT a, b, c, d, y FROM cmp_perf', 'y', '{"seed": 1, "epochs": 4, "hidden": [16, 8], "ensemble": 1}')),
 ('binary_defaults', ubehav_train('c_binary_defaults', 'SELECT a, b, c, d, y FROM cmp_perf WHERE id <= 3000', 'y', '{"epochs": 3}')),
 ('binary_sgd_schedule', ubehav_train('c_sgd', 'SELECT a, b, c, d, y FROM cmp_perf', 'y',
     '{"seed": 2, "epochs": 5, "hidden": [8], "optimizer": "momentum", "nesterov": true, "learning_rate_schedule": "cosine", "l2": 0.001, "dropout": 0.1, "class_weight": "balanced", "clipnorm": 1.0}')),
 ('multiclass', ubehav_train('c_multi', 'SELECT x1, x2, level, colour, label FROM cmp_multi', 'label', '{"seed": 3, "epochs": 6, "hidden": [12]}')),
 ('regression', ubehav_train('c_reg', 'SELECT device, channel, returning_visitor, pages_viewed, duration_s, cart_adds, discount_pct, avg_price FROM cmp_sessions', 'avg_price',
     '{"seed": 4, "epochs": 4, "hidden": [16], "scaling": "yeo_johnson", "imputation": "median", "missing_indicator": true}')),
 ('sessions_auto', ubehav_train('c_sessions', 'SELECT device, channel, returning_visitor, pages_viewed, duration_s, cart_adds, discount_pct, avg_price, purchased FROM cmp_sessions', 'purchased',
     '{"seed": 5, "epochs": 3}')),
 ('pca_minmax', ubehav_train('c_pca', 'SELECT device, channel, pages_viewed, duration_s, cart_adds, discount_pct, avg_price, purchased FROM cmp_sessions', 'purchased',
     '{"seed": 6, "epochs": 3, "hidden": [8], "scaling": "minmax", "pca": 0.9, "max_categories": 3, "min_category_count": 5}')),
 ('ensemble', ubehav_train('c_ens', 'SELECT a, b, c, d, y FROM cmp_perf', 'y', '{"seed": 7, "epochs": 3, "hidden": [32, 16], "ensemble": 4}')),
 ('group_by', ubehav_train('c_groups', 'SELECT device, channel, pages_viewed, duration_s, cart_adds, purchased FROM cmp_sessions', 'purchased',
     '{"seed": 8, "epochs": 3, "hidden": [8], "group_by": "device"}')),
 ('dp', ubehav_train('c_dp', 'SELECT a, b, c, d, y FROM cmp_perf', 'y', '{"seed": 9, "epochs": 2, "hidden": [8], "noise_multiplier": 1.1, "max_grad_norm": 1.0, "batch_size": 64}')),
 ('tune', ubehav_tune('c_tune', 'SELECT a, b, c, d, y FROM cmp_perf WHERE id <= 3000', 'y',
     '{"method": "grid", "space": {"hidden": [[4], [8]], "learning_rate": [0.001, 0.01]}, "metric": "auc", "options": {"epochs": 2, "seed": 10}}')),
 ('cross_validate', ubehav_cross_validate('SELECT a, b, c, d, y FROM cmp_perf WHERE id <= 3000', 'y', '{"epochs": 2, "hidden": [8], "seed": 11}', 3)),
 ('cross_validate_reg', ubehav_cross_validate('SELECT x1, x2, level, colour, id::float8 / 1500 AS t FROM cmp_multi', 't', '{"epochs": 2, "hidden": [4], "seed": 12}', 3));
-- a warm start and a retrain read the versions above: statements of their own
INSERT INTO cmp_results VALUES
 ('warm_start', ubehav_train('c_binary', 'SELECT a, b, c, d, y FROM cmp_perf WHERE id > 2000', 'y', '{"seed": 13, "epochs": 2, "hidden": [16, 8], "warm_start": true, "ensemble": 1}'));
INSERT INTO cmp_results VALUES
 ('retrain', ubehav_retrain('c_multi', '{"epochs": 2}'));
SELECT ubehav_demo_create('cmp_shop', 300, 60, 3) > 0 AS demo_created \g /dev/null
INSERT INTO cmp_results VALUES
 ('recommender', ubehav_train_recommender('c_rec', 'SELECT user_id, product_id, 1.0 FROM cmp_shop.events WHERE product_id IS NOT NULL', '{"seed": 14}'));
INSERT INTO cmp_results VALUES
 ('evaluate_recommender', ubehav_evaluate_recommender('c_rec', 'SELECT user_id, product_id, 1.0, ts FROM cmp_shop.events WHERE product_id IS NOT NULL', 5));
INSERT INTO cmp_results
SELECT 'fit_' || (id % 3), ubehav_fit(ARRAY[a, b, c], y, '{"seed": 15, "epochs": 3, "hidden": [6]}' ORDER BY id) FROM cmp_perf GROUP BY id % 3;
INSERT INTO cmp_results
SELECT 'fit_multi', ubehav_fit(ARRAY[x1, x2, level], label, '{"seed": 16, "epochs": 3, "hidden": [6]}' ORDER BY id) FROM cmp_multi;

SELECT 'result ' || name, cmp_stable(result)::text FROM cmp_results ORDER BY name;

-- the stored versions: the bytes of the weights and everything stored beside them
SELECT 'model ' || name || ' v' || version, task, md5(weights), cmp_stable(options)::text, cmp_stable(preprocessing)::text,
       feature_names::text, feature_types::text, class_labels::text, cmp_stable(metrics)::text, cmp_stable(training_log)::text
FROM ubehav_models ORDER BY name, version;
SELECT 'group ' || name || ' v' || version || ' ' || group_value, md5(weights), cmp_stable(preprocessing)::text,
       cmp_stable(metrics)::text, cmp_stable(training_log)::text, rows_used
FROM ubehav_model_groups ORDER BY 1;
SELECT 'trial ' || trial, cmp_stable(options)::text, cmp_stable(metrics)::text, metric, cmp_bits(metric_value), best, version
FROM ubehav_trials ORDER BY trial;
SELECT 'export ' || name, md5(cmp_stable(ubehav_export(name))::text)
FROM (SELECT DISTINCT name FROM ubehav_models WHERE task <> 'recommender' AND name <> 'c_groups') m ORDER BY name;

-- every score, every bit: a digest over the rows and the first row in full
CREATE FUNCTION cmp_scores(label text, q text) RETURNS TABLE (name text, digest text, first text, n bigint) LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE format('SELECT %L::text, md5(string_agg(s, %L ORDER BY k)), min(s) FILTER (WHERE k = min_k), count(*)
                                 FROM (SELECT k, s, min(k) OVER () AS min_k FROM (%s) q(k, s)) x', 'score ' || label, ',', q);
END $$;
SELECT * FROM cmp_scores('binary array', $$SELECT id, cmp_bits(ubehav_predict('c_binary', ARRAY[a, b, c, d])) FROM cmp_perf$$);
SELECT * FROM cmp_scores('binary row', $$SELECT id, cmp_bits(ubehav_predict('c_binary_defaults', p)) FROM (SELECT id, a, b, c, d FROM cmp_perf) p$$);
SELECT * FROM cmp_scores('binary class', $$SELECT id, ubehav_predict_class('c_binary_defaults', p) FROM (SELECT id, a, b, c, d FROM cmp_perf) p$$);
SELECT * FROM cmp_scores('sgd', $$SELECT id, cmp_bits(ubehav_predict('c_sgd', ARRAY[a, b, c, d])) FROM cmp_perf$$);
SELECT * FROM cmp_scores('ensemble', $$SELECT id, cmp_bits(ubehav_predict('c_ens', ARRAY[a, b, c, d])) FROM cmp_perf$$);
SELECT * FROM cmp_scores('dp', $$SELECT id, cmp_bits(ubehav_predict('c_dp', ARRAY[a, b, c, d])) FROM cmp_perf$$);
SELECT * FROM cmp_scores('tune', $$SELECT id, cmp_bits(ubehav_predict('c_tune', ARRAY[a, b, c, d])) FROM cmp_perf$$);
SELECT * FROM cmp_scores('multiclass proba', $$SELECT id, array_to_string(ARRAY(SELECT cmp_bits(p) FROM unnest(ubehav_predict_proba('c_multi', m)) p), ' ')
                                              FROM (SELECT id, x1, x2, level, colour FROM cmp_multi) m$$);
SELECT * FROM cmp_scores('multiclass class', $$SELECT id, ubehav_predict_class('c_multi', m) FROM (SELECT id, x1, x2, level, colour FROM cmp_multi) m$$);
SELECT * FROM cmp_scores('regression', $$SELECT session_id, cmp_bits(ubehav_predict('c_reg', s)) FROM cmp_sessions s$$);
SELECT * FROM cmp_scores('sessions', $$SELECT session_id, cmp_bits(ubehav_predict('c_sessions', s)) FROM cmp_sessions s$$);
SELECT * FROM cmp_scores('pca', $$SELECT session_id, cmp_bits(ubehav_predict('c_pca', s)) FROM cmp_sessions s$$);
SELECT * FROM cmp_scores('group_by', $$SELECT session_id, cmp_bits(ubehav_predict('c_groups', s)) FROM cmp_sessions s$$);
SELECT * FROM cmp_scores('fit value', $$SELECT p.id, cmp_bits(ubehav_predict(r.result, ARRAY[a, b, c])) FROM cmp_perf p, cmp_results r WHERE r.name = 'fit_' || (p.id % 3)$$);
SELECT * FROM cmp_scores('fit multi value', $$SELECT id, array_to_string(ARRAY(SELECT cmp_bits(p) FROM unnest(ubehav_predict_proba(r.result, ARRAY[x1, x2, level])) p), ' ')
                                             FROM cmp_multi, cmp_results r WHERE r.name = 'fit_multi'$$);
SELECT * FROM cmp_scores('recommend', $$SELECT u * 1000 + rank, item || ' ' || cmp_bits(score) FROM generate_series(1, 300) u, ubehav_recommend('c_rec', u, 5) r$$);

-- evaluation, the aggregates, curves and importance on the same rows
SELECT 'evaluate binary', cmp_stable(ubehav_evaluate('c_binary', 'SELECT a, b, c, d, y FROM cmp_perf'))::text;
SELECT 'evaluate multiclass', cmp_stable(ubehav_evaluate('c_multi', 'SELECT x1, x2, level, colour, label FROM cmp_multi'))::text;
SELECT 'evaluate regression', cmp_stable(ubehav_evaluate('c_reg', 'SELECT * FROM cmp_sessions'))::text;
SELECT 'evaluate group_by', cmp_stable(ubehav_evaluate('c_groups', 'SELECT * FROM cmp_sessions'))::text;
SELECT 'aggregates binary', cmp_bits(ubehav_auc(p, y)), cmp_bits(ubehav_pr_auc(p, y)), cmp_bits(ubehav_log_loss(p, y)),
       ubehav_confusion(p, y, 0.5)::text, cmp_bits(ubehav_auc(p, y::int)), cmp_bits(ubehav_log_loss(p, y::int))
FROM (SELECT ubehav_predict('c_binary', ARRAY[a, b, c, d]) AS p, y FROM cmp_perf) s;
SELECT 'aggregates regression', cmp_bits(ubehav_rmse(p, avg_price)), cmp_bits(ubehav_mae(p, avg_price)), cmp_bits(ubehav_r2(p, avg_price))
FROM (SELECT ubehav_predict('c_reg', s) AS p, avg_price FROM cmp_sessions s) s;
SELECT 'roc', count(*), md5(string_agg(cmp_bits(threshold) || cmp_bits(tpr) || cmp_bits(fpr), ',' ORDER BY threshold))
FROM ubehav_roc_curve('c_sessions', 'SELECT * FROM cmp_sessions');
SELECT 'pr', count(*), md5(string_agg(cmp_bits(threshold) || cmp_bits(precision) || cmp_bits(recall), ',' ORDER BY threshold))
FROM ubehav_pr_curve('c_sessions', 'SELECT * FROM cmp_sessions');
SELECT 'importance ' || feature, cmp_bits(importance), cmp_bits(std), metric
FROM ubehav_feature_importance('c_sessions', 'SELECT * FROM cmp_sessions WHERE session_id <= 2000', 2, 1) ORDER BY feature;
SELECT 'explain', cmp_stable(ubehav_explain('c_sessions', s, NULL, 16))::text FROM cmp_sessions s WHERE session_id = 17;
SELECT 'cv_folds ' || fold, cmp_stable(metrics)::text, training_rows, validation_rows, test_rows
FROM ubehav_cv_folds('SELECT x1, x2, level, colour, label FROM cmp_multi', 'label', '{"epochs": 2, "hidden": [4], "seed": 17}', 3) ORDER BY fold;
SELECT 'behaviour features', count(*), md5(string_agg(f::text, ',' ORDER BY f.user_id))
FROM ubehav_behaviour_features('cmp_shop.events', '2025-10-15') f;
